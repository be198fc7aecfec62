//! `sdk-python`: auth0-python's authentication `RestClient`
//! (https://github.com/auth0/auth0-python/blob/d6407dbf40268f88cc166a448fa0590a61f82f0e/src/auth0/authentication/rest.py):
//! retries 429 only; waits `100 ms · 2^(n−1)` + a random 1–100 ms, clamped to 100 ms … 1 s; headers are ignored.
//! Its default is 3 retries.

use std::time::Duration;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use super::{View, doubled};

#[derive(Debug, Clone, PartialEq)]
pub struct SdkPython {
    pub max_retries: u32,
}

impl SdkPython {
    pub fn wait(&self, n: u32, view: &View, rng: &mut ChaCha8Rng) -> Option<Duration> {
        if view.code() != Some(429) {
            return None;
        }
        let jitter = Duration::from_millis(rng.random_range(1..=100));
        let d = doubled(Duration::from_millis(100), n) + jitter;
        Some(d.clamp(Duration::from_millis(100), Duration::from_secs(1)))
    }
}
