//! `sdk-node`: node-auth0's current Management client
//! (https://github.com/auth0/node-auth0/blob/74170bb0a59981fb32da389ac8d21b61e75d921d/src/management/core/fetcher/requestWithRetries.ts):
//! retries 408, 429 and ≥ 500; waits `Retry-After` (cap 60 s), else `X-RateLimit-Reset − now` + 0–20 % (cap 60 s),
//! else `1 s · 2^(n−1)` ± 10 % (cap 60 s). Its default is 2 retries.

use std::time::Duration;

use rand_chacha::ChaCha8Rng;

use super::{View, doubled, unit};

const CAP: Duration = Duration::from_secs(60);

#[derive(Debug, Clone, PartialEq)]
pub struct SdkNode {
    pub max_retries: u32,
}

impl SdkNode {
    pub fn wait(&self, n: u32, view: &View, rng: &mut ChaCha8Rng) -> Option<Duration> {
        if !matches!(view.code(), Some(408 | 429 | 500..)) {
            return None;
        }
        if let Some(ra) = view.rate.retry_after {
            return Some(ra.min(CAP));
        }
        if let Some(reset) = view.reset_wait() {
            return Some(reset.min(CAP).mul_f64(1.0 + 0.2 * unit(rng)).min(CAP));
        }
        let base = doubled(Duration::from_secs(1), n).min(CAP);
        Some(base.mul_f64(0.9 + 0.2 * unit(rng)).min(CAP))
    }
}
