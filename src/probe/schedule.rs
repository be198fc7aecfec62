//! When the next query goes out and how far it takes the bucket: pure arithmetic on the current
//! fit, so each rule is tested without a clock.
//!
//! After the drain, queries come at growing gaps (4 ms, then 0.6 × the time since the drain, at
//! most 200 ms): while no token has come back this is an exponential search for the refill
//! rate. A query aims at the first token level the centre estimate reaches after its time, and
//! at the instant it reaches it takes tokens up to that level: the last request is answered 2xx
//! by half the fitting buckets and 429 by the other half, so each query halves the doubt about
//! the rate. It costs the tokens it takes (which any probe of that length takes) and at most one
//! 429.

use super::fit::Fit;

/// The first query's delay after the drain, seconds.
pub const MIN_GAP_S: f64 = 0.004;
/// Later gaps: this share of the time since the drain ...
pub const GROWTH: f64 = 0.6;
/// ... at most this long, seconds.
pub const MAX_GAP_S: f64 = 0.2;
/// Stop once the rate is known within this share either way.
pub const DONE_SPREAD: f64 = 0.0025;
/// The same when the timed phase chases with several requests in flight: its brackets are
/// about rate × round trip wide, so the last quarter of a per cent costs most of the 3 s of
/// refills the probe may spend (a 250/s bucket over a 5 ms link: ~1,000 of 1,040 requests).
/// Within 0.5 % the tier file writes the same whole rate per second.
pub const CHASE_DONE_SPREAD: f64 = 0.005;

/// Requests the probe means to spend at most, for the bucket `fit` centres on: its size plus
/// 3 s of refills plus [`OVERHEAD`](super::OVERHEAD), less what one more query may cost (the
/// tokens of a longest gap and its 429). A
/// slow bucket is timed for longer than 3 s (its tokens come back one by one, each query
/// costing one and at most one 429), a fast one stops sooner (`DONE_SPREAD`).
pub fn allowance(fit: &Fit) -> f64 {
    fit.g0 + 3.0 * fit.rate + super::OVERHEAD as f64 - 2.0 - fit.rate * MAX_GAP_S
}

/// The next query's time (seconds since the start), from `now` and the drain's end, never past
/// `end`.
pub fn next_query(now: f64, drain_end: f64, end: f64) -> f64 {
    let gap = (GROWTH * (now - drain_end)).clamp(MIN_GAP_S, MAX_GAP_S);
    (now + gap).min(end)
}

/// The query after `t_q`: the first token level beyond `taken` that the centre estimate reaches
/// at or after `t_q`, no more than `left` beyond `taken`, and the instant it is reached — never
/// past `end`, and never so late that the fastest fitting bucket would be full again (a full
/// bucket forgets when its tokens came: the fit's model holds only below its size). The probe
/// takes tokens up to that level at that instant: the last request is the one whose answer splits
/// the fitting buckets.
pub fn shot(fit: &Fit, taken: u64, now: f64, t_q: f64, end: f64, left: u64) -> (u64, f64) {
    let most = taken.saturating_add(left).max(taken + 1);
    let level_at = |t: f64| {
        let l = (fit.g0 + fit.rate * t).ceil();
        if l.is_finite() && l > taken as f64 {
            (l as u64).clamp(taken + 1, most)
        } else {
            taken + 1
        }
    };
    let safe = if fit.rate_hi > 0.0 {
        (taken as f64 + fit.g0_lo - 0.5 - fit.g0_hi) / fit.rate_hi
    } else {
        f64::INFINITY
    };
    // Never before `t_q` (which is after `now`): time moves on between queries.
    let t_q = t_q.clamp(now, end);
    let last = end.min(safe.max(t_q));
    let level = level_at(t_q);
    let at = fit.crossing(level as f64);
    if at.is_finite() && at <= last {
        (level, at.max(now))
    } else {
        (level_at(last).min(level), last)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::probe::fit::{Bound, fit};

    #[test]
    fn gaps_start_small_grow_with_time_and_stop_at_the_end() {
        assert_eq!(next_query(1.0, 1.0, 5.0), 1.0 + MIN_GAP_S);
        assert!((next_query(1.1, 1.0, 5.0) - (1.1 + 0.06)).abs() < 1e-9);
        assert_eq!(next_query(3.0, 1.0, 5.0), 3.0 + MAX_GAP_S);
        assert_eq!(next_query(4.9, 1.0, 5.0), 5.0);
    }

    #[test]
    fn a_shot_aims_at_the_first_level_reached_after_the_query_time() {
        // 4 tokens at 0 s, a 429 after them, one more by 1 s: about 1/s.
        let mut b: Vec<Bound> = (0..4).map(|k| Bound::success(0.0, k)).collect();
        b.push(Bound::limited(0.0, 4));
        b.push(Bound::success(1.0, 4));
        b.push(Bound::limited(1.0, 5));
        let f = fit(&b).unwrap();
        let (level, at) = shot(&f, 5, 1.0, 1.2, 10.0, 100);
        assert!(level >= 6, "{level}");
        assert!(
            (at - f.crossing(level as f64)).abs() < 1e-9 && at >= 1.2,
            "{at} {f:?}"
        );
        assert!(f.crossing(level as f64 - 1.0) < 1.2);
        // The budget caps the level; the end caps the time.
        assert_eq!(shot(&f, 5, 1.0, 5.0, 10.0, 1).0, 6);
        let (_, at) = shot(&f, 5, 1.0, 9.9, 2.0, 100);
        assert!(at <= 2.0);
    }

    #[test]
    fn a_shot_comes_before_the_fastest_fitting_bucket_is_full_again() {
        // 2 tokens at 0 s and a 429: the bucket holds 2; with the rate below 10/s it may not
        // wait past (2 - 0.5) / 10 s after the drain.
        let b = [
            Bound::success(0.0, 0),
            Bound::success(0.0, 1),
            Bound::limited(0.0, 2),
            Bound::limited(0.1, 2),
        ];
        let f = fit(&b).unwrap();
        let (level, at) = shot(&f, 2, 0.1, 0.11, 3.0, 100);
        let safe = (2.0 + f.g0_lo - 0.5 - f.g0_hi) / f.rate_hi;
        assert!(at <= safe.max(0.11) + 1e-9, "{at} {safe} {f:?}");
        assert!(at >= 0.11);
        assert_eq!(level, 3);
    }
}
