//! `retry-after`: on 429, wait what the server says: `Retry-After`, else until
//! `x-ratelimit-reset`, else the plan's base delay.

use std::time::Duration;

use super::View;

#[derive(Debug, Clone, PartialEq)]
pub struct RetryAfter {
    pub max_retries: u32,
    pub base: Duration,
}

impl RetryAfter {
    pub fn wait(&self, view: &View) -> Option<Duration> {
        if view.code() != Some(429) {
            return None;
        }
        Some(
            view.rate
                .retry_after
                .or_else(|| view.reset_wait())
                .unwrap_or(self.base),
        )
    }
}
