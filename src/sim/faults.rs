//! Fault injection: what a misbehaving tenant does to a load test. Each request (simulator
//! controls under `/__sim/` excepted) inside the fault window draws one fault, by ratio:
//! a 500/502/503, a connection closed mid-response, a body that stalls, a non-JSON body, or
//! garbage rate-limit headers — after an optional added latency. Tokens can be made to expire
//! sooner than their `expires_in` says. Draws come from a counter hashed with a seed, so a run
//! repeats. What to inject and the draws only: the middleware that does it to a response is
//! `routes/faults.rs`, which `routes::router` puts in front of the routes.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What to inject (all ratios 0..=1, drawn in this order; their sum must stay ≤ 1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added before every response in the window.
    pub latency: Duration,
    /// With `latency_max` > `latency`, the added latency is uniform in between.
    pub latency_max: Duration,
    /// 500, 502 or 503 (in turn) instead of the real answer.
    pub error_ratio: f64,
    /// The real answer's headers and half its body, then the connection is closed.
    pub drop_ratio: f64,
    /// The real answer whose body arrives only after `stall`.
    pub stall_ratio: f64,
    pub stall: Duration,
    /// 200 with a body that is not JSON.
    pub malformed_ratio: f64,
    /// The real answer with garbage `x-ratelimit-*` and `retry-after` values.
    pub garbage_headers_ratio: f64,
    /// Issued tokens' `exp` is this much earlier than `expires_in` says.
    pub token_exp_shortfall: Duration,
    /// The window, from the tenant's start; `until = None` means to the end.
    pub from: Duration,
    pub until: Option<Duration>,
}

/// The kinds a draw can give, for `/__sim/stats` (`faults`).
pub const KINDS: [&str; 6] = [
    "latency",
    "error",
    "drop",
    "stall",
    "malformed",
    "garbage_headers",
];

impl Faults {
    pub fn is_active(&self) -> bool {
        *self != Faults::default()
    }

    pub(crate) fn in_window(&self, elapsed: Duration) -> bool {
        elapsed >= self.from && self.until.is_none_or(|u| elapsed < u)
    }
}

/// Deterministic draws: the n-th request's numbers in [0, 1).
#[derive(Debug, Default)]
pub struct Dice(AtomicU64);

impl Dice {
    pub(crate) fn next(&self) -> (f64, f64) {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        (
            unit(splitmix(n.wrapping_mul(2))),
            unit(splitmix(n.wrapping_mul(2) + 1)),
        )
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dice_are_uniform_and_repeatable() {
        let (a, b) = (Dice::default(), Dice::default());
        let draws: Vec<f64> = (0..10_000).map(|_| a.next().0).collect();
        assert_eq!(
            draws[..5],
            (0..5).map(|_| b.next().0).collect::<Vec<_>>()[..]
        );
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let below = draws.iter().filter(|d| **d < 0.25).count();
        assert!((2300..2700).contains(&below), "{below}");
    }

    #[test]
    fn window_bounds() {
        let f = Faults {
            from: Duration::from_secs(2),
            until: Some(Duration::from_secs(5)),
            ..Faults::default()
        };
        let table = [(1, false), (2, true), (4, true), (5, false)];
        for (s, want) in table {
            assert_eq!(f.in_window(Duration::from_secs(s)), want, "{s}s");
        }
        assert!(!Faults::default().is_active());
    }
}
