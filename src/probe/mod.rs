//! `quotaprobe probe`: infer one endpoint's rate-limit bucket (burst, sustained rate, refill) from
//! as few requests as possible, and say how sure the answer is.
//!
//! How (`run.rs`): drain the bucket back to back until the first 429 (its size), then take
//! tokens at the instants the current estimate says they arrive (`schedule.rs`), each last
//! request's answer splitting the remaining doubt about the refill rate in two. One connection
//! can be too slow to empty a fast bucket (a tenant across the Internet answers ~30 requests a
//! second on one; the debug-built simulator 600-870 for a page of users on a loaded 2-core
//! machine): a drain that has seen no 429 for a tenth of a second doubles its requests in
//! flight, up to `Settings::concurrency`, and the timed phase then chases the estimate with that
//! window until a 429 (`window.rs`), until the rate is known to be under half of what one
//! connection answered. Every answer is a bound on the bucket's token count (`fit.rs`), whatever
//! order the server handled overlapping requests in (`bounds.rs`); `x-ratelimit-*` headers,
//! when present and consistent with the 429s, add bounds of their own. Stop after the rate is
//! known within 0.25 % (0.5 % when chasing), or once the requests reach burst + 3 × rate per
//! second + a few (a fast bucket is timed for less than a second, a slow one for longer than
//! 3 s), or after 30 s, within the request budget. What it found and the tier-file fragment it
//! writes: `result.rs`.
//!
//! The target is anything that answers requests, several at once if asked ([`Target`]): the
//! HTTP targets of the CLI (`src/cli/probe.rs`), or a synthetic bucket in the unit tests
//! (`tests.rs`).

pub mod bounds;
pub mod fit;
pub mod http;
mod result;
mod run;
mod schedule;
#[cfg(test)]
mod tests;
pub mod tierfile;
mod window;
#[cfg(test)]
mod window_tests;

pub use result::{Confidence, Findings, Rate, StopWhy};
pub use run::probe;

use std::future::Future;

/// One answer: its HTTP status (`None`: no answer, a transport error) and rate headers.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Answer {
    pub status: Option<u16>,
    /// `x-ratelimit-limit`.
    pub limit: Option<u64>,
    /// `x-ratelimit-remaining`.
    pub remaining: Option<u64>,
    /// The lowest remaining count of `Auth0-Client-Quota-Limit`.
    pub quota_remaining: Option<u64>,
}

impl Answer {
    pub fn from_rate(status: Option<u16>, rate: &crate::ops::RateInfo) -> Self {
        Answer {
            status,
            limit: rate.limit,
            remaining: rate.remaining,
            quota_remaining: rate.quota_remaining,
        }
    }
}

/// What the probe sends its requests to.
pub trait Target {
    /// Send the endpoint's request once and wait for its answer. The probe may have several of
    /// these futures in flight at once (its window): a target answers each independently.
    fn send(&self) -> impl Future<Output = Answer>;
}

/// The probe's limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    /// Never send more requests than this.
    pub budget: u64,
    /// At most this many seconds of refills are timed after the drain (the probe stops sooner
    /// once the rate is known within 0.25 %, or its requests reach burst + 3 × rate + a few).
    pub measure_s: f64,
    /// Stop at once when `Auth0-Client-Quota-Limit` shows fewer tokens remaining than this.
    pub min_quota_remaining: u64,
    /// At most this many requests in flight at once (1: one connection, strictly in turn).
    pub concurrency: usize,
}

/// The default window cap: enough to drain 1,500 tokens a second from a simulator that answers
/// each connection in ~5 ms, few enough that a tenant sees a short burst of connections.
pub const DEFAULT_CONCURRENCY: usize = 64;

/// Requests the probe may spend beyond `burst + 3 × rate per second`: the 429s of its timed
/// requests (the accuracy tests hold it to this).
pub const OVERHEAD: u64 = 40;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            budget: 500,
            measure_s: 30.0,
            min_quota_remaining: 10,
            concurrency: DEFAULT_CONCURRENCY,
        }
    }
}
