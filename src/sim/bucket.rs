//! Token buckets: burst = size, sustained = refill rate, refilled continuously or per fixed window.
//!
//! Pure arithmetic on `now` (time since the simulator's clock started); no clock, no locks. The
//! limiter (`limiter.rs`) owns a set of these and decides which apply to a request.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// How a bucket regains tokens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Refill {
    /// A fraction of a token every instant: one token every `1 / rate` seconds ([RLP], default).
    #[default]
    Continuous,
    /// At each window boundary (top of the second or minute, per the rate's unit) the bucket
    /// regains a whole window's worth, capped at the burst ([RLUC] "tops off").
    Window,
}

/// The shape of one bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketSpec {
    pub burst: u64,
    /// Tokens added per `window`.
    pub rate: u64,
    /// The rate's unit: 1 s for "per second", 60 s for "per minute", ...
    pub window: Duration,
    pub refill: Refill,
}

impl BucketSpec {
    /// Sustained rate in tokens per second.
    pub fn rate_per_s(&self) -> f64 {
        self.rate as f64 / self.window.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// A bucket's state for headers: size, whole tokens left, time until the next token and time
/// until the bucket is full again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Snapshot {
    pub limit: u64,
    pub remaining: u64,
    /// Time from `now` until the next whole token is added; zero when the bucket is full.
    pub reset_after: Duration,
    /// Time from `now` until the bucket holds `burst` tokens again; zero when it is full.
    pub full_after: Duration,
}

/// One token bucket.
#[derive(Debug, Clone)]
pub struct Bucket {
    spec: BucketSpec,
    tokens: f64,
    updated: Duration,
}

impl Bucket {
    /// A full bucket at `now`.
    pub fn new(spec: BucketSpec, now: Duration) -> Self {
        Bucket {
            spec,
            tokens: spec.burst as f64,
            updated: now,
        }
    }

    pub fn spec(&self) -> &BucketSpec {
        &self.spec
    }

    fn refill(&mut self, now: Duration) {
        if now <= self.updated {
            return;
        }
        let burst = self.spec.burst as f64;
        match self.spec.refill {
            Refill::Continuous => {
                let gained = (now - self.updated).as_secs_f64() * self.spec.rate_per_s();
                self.tokens = (self.tokens + gained).min(burst);
            }
            Refill::Window => {
                let window = self.spec.window.as_nanos().max(1);
                let boundaries = now.as_nanos() / window - self.updated.as_nanos() / window;
                if boundaries > 0 {
                    let gained = boundaries as f64 * self.spec.rate as f64;
                    self.tokens = (self.tokens + gained).min(burst);
                }
            }
        }
        self.updated = now;
    }

    /// Whether a request at `now` would find a token (refills first, takes nothing).
    pub fn has_token(&mut self, now: Duration) -> bool {
        self.refill(now);
        self.tokens >= 1.0
    }

    /// Take one token; call only after `has_token` said yes at the same `now`.
    pub fn take(&mut self) {
        self.tokens = (self.tokens - 1.0).max(0.0);
    }

    /// The state at `now` for rate-limit headers.
    pub fn snapshot(&mut self, now: Duration) -> Snapshot {
        self.refill(now);
        let burst = self.spec.burst as f64;
        let reset_after = if self.tokens >= burst {
            Duration::ZERO
        } else {
            match self.spec.refill {
                Refill::Continuous => {
                    let missing = self.tokens.floor() + 1.0 - self.tokens;
                    Duration::from_secs_f64(missing / self.spec.rate_per_s().max(1e-9))
                }
                Refill::Window => {
                    let window = self.spec.window.as_nanos().max(1);
                    let next = (now.as_nanos() / window + 1) * window;
                    let left = next - now.as_nanos();
                    Duration::from_nanos(u64::try_from(left).unwrap_or(u64::MAX))
                }
            }
        };
        Snapshot {
            limit: self.spec.burst,
            remaining: self.tokens.floor() as u64,
            reset_after,
            full_after: self.full_after(now),
        }
    }

    /// Time until the bucket is full again, after `refill(now)`.
    fn full_after(&self, now: Duration) -> Duration {
        let missing = self.spec.burst as f64 - self.tokens;
        if missing <= 0.0 {
            return Duration::ZERO;
        }
        match self.spec.refill {
            Refill::Continuous => {
                Duration::from_secs_f64(missing / self.spec.rate_per_s().max(1e-9))
            }
            Refill::Window => {
                // Whole windows of `rate` tokens each; the first one ends at the next boundary.
                let window = self.spec.window.as_nanos().max(1);
                let windows = (missing / self.spec.rate.max(1) as f64).ceil() as u128;
                let next = (now.as_nanos() / window + windows) * window;
                let left = next.saturating_sub(now.as_nanos());
                Duration::from_nanos(u64::try_from(left).unwrap_or(u64::MAX))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    fn spec(burst: u64, rate: u64, window_s: u64, refill: Refill) -> BucketSpec {
        BucketSpec {
            burst,
            rate,
            window: Duration::from_secs(window_s),
            refill,
        }
    }

    /// Requests at the given times (ms); returns which were allowed.
    fn run(spec: BucketSpec, at_ms: &[u64]) -> Vec<bool> {
        let mut bucket = Bucket::new(spec, Duration::ZERO);
        at_ms
            .iter()
            .map(|&t| {
                let ok = bucket.has_token(ms(t));
                if ok {
                    bucket.take();
                }
                ok
            })
            .collect()
    }

    #[test]
    fn table_of_request_patterns() {
        let cont = Refill::Continuous;
        let win = Refill::Window;
        let cases: &[(&str, BucketSpec, &[u64], &[bool])] = &[
            (
                "burst passes then 429",
                spec(2, 2, 1, cont),
                &[0, 0, 0],
                &[true, true, false],
            ),
            (
                "continuous: one token per 500 ms",
                spec(2, 2, 1, cont),
                &[0, 0, 499, 500, 999, 1000],
                &[true, true, false, true, false, true],
            ),
            (
                "continuous per minute: 150/min = 1 per 400 ms",
                spec(10, 150, 60, cont),
                &[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 399, 400],
                &[
                    true, true, true, true, true, true, true, true, true, true, false, false, true,
                ],
            ),
            (
                "never above burst",
                spec(2, 2, 1, cont),
                &[0, 0, 10_000, 10_000, 10_000],
                &[true, true, true, true, false],
            ),
            // [RLUC] example: burst 5, 10/s, fixed window: 6 in the first second -> one 429;
            // next second requests 7-11 pass, 12 fails.
            (
                "window tops off at the boundary",
                spec(5, 10, 1, win),
                &[
                    0, 100, 200, 300, 400, 500, 1000, 1100, 1200, 1300, 1400, 1500,
                ],
                &[
                    true, true, true, true, true, false, true, true, true, true, true, false,
                ],
            ),
            (
                "window: nothing before the boundary",
                spec(2, 2, 1, win),
                &[0, 0, 999, 1000],
                &[true, true, false, true],
            ),
        ];
        for (name, spec, times, want) in cases {
            assert_eq!(&run(*spec, times), want, "{name}");
        }
    }

    #[test]
    fn snapshot_reports_remaining_and_time_to_next_token() {
        let cases: &[(&str, BucketSpec, u64, u64, Snapshot)] = &[
            (
                "full",
                spec(2, 2, 1, Refill::Continuous),
                0,
                0,
                Snapshot {
                    limit: 2,
                    remaining: 2,
                    reset_after: Duration::ZERO,
                    full_after: Duration::ZERO,
                },
            ),
            (
                "one taken",
                spec(2, 2, 1, Refill::Continuous),
                1,
                0,
                Snapshot {
                    limit: 2,
                    remaining: 1,
                    reset_after: ms(500),
                    full_after: ms(500),
                },
            ),
            (
                "empty, 100 ms later",
                spec(2, 2, 1, Refill::Continuous),
                2,
                100,
                Snapshot {
                    limit: 2,
                    remaining: 0,
                    reset_after: ms(400),
                    full_after: ms(900),
                },
            ),
            (
                "window empty",
                spec(5, 10, 1, Refill::Window),
                5,
                300,
                Snapshot {
                    limit: 5,
                    remaining: 0,
                    reset_after: ms(700),
                    full_after: ms(700),
                },
            ),
            (
                "per minute, 3 of 10 left: full after 7 x 400 ms",
                spec(10, 150, 60, Refill::Continuous),
                7,
                0,
                Snapshot {
                    limit: 10,
                    remaining: 3,
                    reset_after: ms(400),
                    full_after: ms(2_800),
                },
            ),
            (
                "window per minute, 10 of 10 taken at 150/min: full at the next minute",
                spec(10, 150, 60, Refill::Window),
                10,
                1_000,
                Snapshot {
                    limit: 10,
                    remaining: 0,
                    reset_after: ms(59_000),
                    full_after: ms(59_000),
                },
            ),
        ];
        for (name, spec, taken, at, want) in cases {
            let mut bucket = Bucket::new(*spec, Duration::ZERO);
            for _ in 0..*taken {
                assert!(bucket.has_token(Duration::ZERO));
                bucket.take();
            }
            let got = bucket.snapshot(ms(*at));
            assert_eq!(got.limit, want.limit, "{name}");
            assert_eq!(got.remaining, want.remaining, "{name}");
            let diff = got.reset_after.as_secs_f64() - want.reset_after.as_secs_f64();
            assert!(diff.abs() < 1e-6, "{name}: {:?}", got.reset_after);
            let diff = got.full_after.as_secs_f64() - want.full_after.as_secs_f64();
            assert!(diff.abs() < 1e-6, "{name}: full {:?}", got.full_after);
        }
    }
}
