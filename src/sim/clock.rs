//! The one clock of the simulated tenant.
//!
//! Buckets and windows see time as `elapsed` since the clock started (tokio `Instant`, so tests can
//! pause and advance it); `iat`, `exp`, `x-ratelimit-reset` and calendar quota windows see wall-clock
//! epoch seconds derived from the same elapsed value, so both views always agree.

use std::time::Duration;

use tokio::time::Instant;

/// Monotonic start plus the wall-clock epoch at that start.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    start: Instant,
    epoch_at_start: Duration,
}

impl Clock {
    /// A clock starting now, on the run's clock (`src/clock.rs`: the system's, or a
    /// fast-forward run's virtual one, so the tenant's calendar agrees with the engine's).
    pub fn new() -> Self {
        let epoch_at_start = crate::clock::epoch(crate::clock::now());
        Clock {
            start: Instant::now(),
            epoch_at_start,
        }
    }

    /// A clock whose wall-clock start is `epoch_at_start` (for tests and replays).
    pub fn with_epoch(epoch_at_start: Duration) -> Self {
        Clock {
            start: Instant::now(),
            epoch_at_start,
        }
    }

    /// Time since the clock started.
    pub fn elapsed(&self) -> Duration {
        Instant::now().saturating_duration_since(self.start)
    }

    /// Wall-clock time since the UNIX epoch at a given elapsed time.
    pub fn epoch_at(&self, elapsed: Duration) -> Duration {
        self.epoch_at_start + elapsed
    }

    /// Whole epoch seconds now.
    pub fn epoch_secs(&self) -> u64 {
        self.epoch_at(self.elapsed()).as_secs()
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn paused_time_moves_both_views() {
        let clock = Clock::with_epoch(Duration::from_secs(1_000));
        assert_eq!(clock.epoch_secs(), 1_000);
        tokio::time::advance(Duration::from_millis(2_500)).await;
        assert_eq!(clock.elapsed(), Duration::from_millis(2_500));
        assert_eq!(clock.epoch_secs(), 1_002);
    }
}
