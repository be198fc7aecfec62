//! `exponential`: `base · 2^(n−1)` capped at `cap`, plus a random `jitter` fraction of it.
//! Retries 408, 429, 5xx and transport errors; headers are ignored.

use std::time::Duration;

use rand_chacha::ChaCha8Rng;

use super::{View, doubled, unit};

#[derive(Debug, Clone, PartialEq)]
pub struct Exponential {
    pub max_retries: u32,
    pub base: Duration,
    pub cap: Duration,
    pub jitter: f64,
}

impl Exponential {
    pub fn wait(&self, n: u32, view: &View, rng: &mut ChaCha8Rng) -> Option<Duration> {
        let retryable = matches!(view.code(), Some(408 | 429 | 500..)) || view.is_transport();
        if !retryable {
            return None;
        }
        let d = doubled(self.base, n).min(self.cap);
        // Scaled in f64 and saturated: a scenario may set `base`/`cap` near Duration::MAX, where
        // `mul_f64` would panic the worker (found by tests/fuzz/headers.rs).
        let scaled = d.as_secs_f64() * (1.0 + self.jitter * unit(rng));
        Some(Duration::try_from_secs_f64(scaled).unwrap_or(Duration::MAX))
    }
}
