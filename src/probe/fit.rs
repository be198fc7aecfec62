//! The token-bucket fit: every answer the probe saw is a bound on the bucket's token count.
//!
//! Model: after the first request, the tokens the bucket has ever held by time `t` (seconds since
//! the probe started) are `g0 + r·t` — `g0` its level at the start (its size when it was full),
//! `r` its refill rate — and the `k`-th request that succeeds takes the `k`-th token. So a 2xx at
//! time `t` after `k` earlier successes says `g0 + r·t >= k + 1`, a 429 says `g0 + r·t < k + 1`,
//! and an `x-ratelimit-remaining: R` on a 2xx says `k + 1 + R <= g0 + r·t < k + 2 + R`. The
//! server's instant of each request lies between its send and its receipt, so a success uses the
//! receipt time and a failure the send time: the bounds hold whatever the latency.
//!
//! The feasible set of `(g0, r)` is convex; [`fit`] finds its range of `r` (the width of the
//! `g0` interval is a concave function of `r`) and its centre. When no `(g0, r)` satisfies every
//! bound (latency outside the bracket, a limiter that is not one continuously refilled bucket),
//! every bound is loosened by the smallest `slack` (in tokens) that makes the set non-empty, and
//! the fit says so.

/// `lo <= g0 + r·t <= hi` (either side may be infinite).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bound {
    pub t: f64,
    pub lo: f64,
    pub hi: f64,
}

impl Bound {
    /// A success after `taken` earlier successes, received at `t`.
    pub fn success(t: f64, taken: u64) -> Self {
        Bound {
            t,
            lo: taken as f64 + 1.0,
            hi: f64::INFINITY,
        }
    }
    /// A 429 after `taken` successes, sent at `t`.
    pub fn limited(t: f64, taken: u64) -> Self {
        Bound {
            t,
            lo: f64::NEG_INFINITY,
            hi: taken as f64 + 1.0,
        }
    }
    /// A success after `taken` earlier successes whose `x-ratelimit-remaining` said `remaining`:
    /// at least that many tokens after the take at receipt `recv`, fewer than one more at `sent`.
    pub fn remaining(sent: f64, recv: f64, taken: u64, remaining: u64) -> [Self; 2] {
        let level = (taken + 1 + remaining) as f64;
        [
            Bound {
                t: recv,
                lo: level,
                hi: f64::INFINITY,
            },
            Bound {
                t: sent,
                lo: f64::NEG_INFINITY,
                hi: level + 1.0,
            },
        ]
    }
}

/// The fitted bucket: the range of rates that fit every bound, and the centre.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    /// Lowest and highest refill rate (tokens per second) that fit.
    pub rate_lo: f64,
    pub rate_hi: f64,
    /// The centre: mid-rate, and the mid of the `g0` interval at that rate.
    pub rate: f64,
    pub g0: f64,
    /// Lowest and highest start level over the feasible set.
    pub g0_lo: f64,
    pub g0_hi: f64,
    /// Tokens every bound had to be loosened by to fit (0 when the model fits).
    pub slack: f64,
    /// The bucket's size: its level at the first take (`g0` is the level extrapolated to the
    /// first send, lower by the tokens that came during the first request's round trip).
    pub size_lo: f64,
    pub size_hi: f64,
}

/// Rates above this are not searched (tokens per second).
pub const RATE_CAP: f64 = 1.0e6;

fn lower(bounds: &[Bound], r: f64) -> f64 {
    bounds
        .iter()
        .filter(|b| b.lo.is_finite())
        .map(|b| b.lo - r * b.t)
        .fold(f64::NEG_INFINITY, f64::max)
}

fn upper(bounds: &[Bound], r: f64) -> f64 {
    bounds
        .iter()
        .filter(|b| b.hi.is_finite())
        .map(|b| b.hi - r * b.t)
        .fold(f64::INFINITY, f64::min)
}

fn width(bounds: &[Bound], r: f64) -> f64 {
    upper(bounds, r) - lower(bounds, r)
}

/// The bounds that can matter: `max(lo - r·t)` over the lower bounds is reached on the upper
/// convex hull of their `(t, lo)` points for every `r`, `min(hi - r·t)` on the lower hull of the
/// upper bounds' `(t, hi)`. A probe of a fast bucket gathers thousands of bounds; the hulls keep
/// a few dozen, so every fit (and `fit_full`'s dozens of them) stays cheap.
pub fn reduce(bounds: &[Bound]) -> Vec<Bound> {
    let mut lows: Vec<(f64, f64)> = bounds
        .iter()
        .filter(|b| b.lo.is_finite())
        .map(|b| (b.t, b.lo))
        .collect();
    let mut highs: Vec<(f64, f64)> = bounds
        .iter()
        .filter(|b| b.hi.is_finite())
        .map(|b| (b.t, -b.hi))
        .collect();
    let mut out: Vec<Bound> = upper_hull(&mut lows)
        .into_iter()
        .map(|(t, lo)| Bound {
            t,
            lo,
            hi: f64::INFINITY,
        })
        .collect();
    // The lower hull of (t, hi) is the upper hull of (t, -hi).
    out.extend(upper_hull(&mut highs).into_iter().map(|(t, neg)| Bound {
        t,
        lo: f64::NEG_INFINITY,
        hi: -neg,
    }));
    out
}

/// Andrew's monotone chain, upper half: for equal `t` only the highest point counts.
fn upper_hull(points: &mut [(f64, f64)]) -> Vec<(f64, f64)> {
    points.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let mut hull: Vec<(f64, f64)> = Vec::new();
    for &p in points.iter() {
        if hull.last().is_some_and(|l| l.0 == p.0) {
            continue;
        }
        while hull.len() >= 2 {
            let (a, b) = (hull[hull.len() - 2], hull[hull.len() - 1]);
            // Drop b when it lies on or below the segment a-p.
            if (b.0 - a.0) * (p.1 - a.1) - (b.1 - a.1) * (p.0 - a.0) >= 0.0 {
                hull.pop();
            } else {
                break;
            }
        }
        hull.push(p);
    }
    hull
}

/// The fit of `bounds`; `None` while they do not bound both sides (no success or no 429 yet).
pub fn fit(bounds: &[Bound]) -> Option<Fit> {
    let reduced = reduce(bounds);
    let bounds = &reduced[..];
    if !bounds.iter().any(|b| b.lo.is_finite()) || !bounds.iter().any(|b| b.hi.is_finite()) {
        return None;
    }
    // Ternary search for the widest g0 interval (the width is concave in r).
    let (mut a, mut b) = (0.0, RATE_CAP);
    for _ in 0..200 {
        let m1 = a + (b - a) / 3.0;
        let m2 = b - (b - a) / 3.0;
        if width(bounds, m1) < width(bounds, m2) {
            a = m1;
        } else {
            b = m2;
        }
    }
    let best = (a + b) / 2.0;
    let widest = width(bounds, best);
    if !widest.is_finite() {
        return None;
    }
    // A width of zero (a bound met exactly, as with zero latency) fits: rounding is not slack.
    let slack = if widest < -1e-9 { -widest / 2.0 } else { 0.0 };
    // With slack, every bound is loosened by it on both sides: the width grows by 2·slack.
    let fits = |r: f64| width(bounds, r) + 2.0 * slack >= -1e-9;
    let edge = |mut inside: f64, mut outside: f64| {
        for _ in 0..100 {
            let mid = (inside + outside) / 2.0;
            if fits(mid) {
                inside = mid;
            } else {
                outside = mid;
            }
        }
        inside
    };
    let rate_lo = if fits(0.0) { 0.0 } else { edge(best, 0.0) };
    let rate_hi = if fits(RATE_CAP) {
        RATE_CAP
    } else {
        edge(best, RATE_CAP)
    };
    let rate = (rate_lo + rate_hi) / 2.0;
    let g0 = (lower(bounds, rate) + upper(bounds, rate)) / 2.0;
    let mut g0_lo = f64::INFINITY;
    let mut g0_hi = f64::NEG_INFINITY;
    for i in 0..=32 {
        let r = rate_lo + (rate_hi - rate_lo) * f64::from(i) / 32.0;
        g0_lo = g0_lo.min(lower(bounds, r) - slack);
        g0_hi = g0_hi.max(upper(bounds, r) + slack);
    }
    Some(Fit {
        rate_lo,
        rate_hi,
        rate,
        g0,
        g0_lo,
        g0_hi,
        slack,
        size_lo: g0_lo,
        size_hi: g0_hi,
    })
}

/// [`fit`] with what a full bucket of whole tokens adds: at its first take (between the first
/// send, `t = 0`, and `first_recv`) the bucket held exactly `n` tokens, `n` a whole number, so
/// `n - r·first_recv <= g0 <= n`. Each whole `n` the plain fit allows is tried; the fit is the
/// hull of those that hold without slack, or the plain fit when none does (the bucket was not
/// full, or is not whole tokens).
pub fn fit_full(bounds: &[Bound], first_recv: f64) -> Option<Fit> {
    let reduced = reduce(bounds);
    let bounds = &reduced[..];
    let mut plain = fit(bounds)?;
    plain.size_hi = plain.g0_hi + plain.rate_hi.min(RATE_CAP) * first_recv;
    if plain.slack > 0.0 || plain.rate_hi >= RATE_CAP {
        return Some(plain);
    }
    let (lo, hi) = (plain.g0_lo.floor(), (plain.size_hi + 1.0).floor());
    if !(lo.is_finite() && hi.is_finite()) || hi - lo > 64.0 {
        return Some(plain);
    }
    let mut with: Vec<Bound> = bounds.to_vec();
    let mut hull: Option<Fit> = None;
    let mut n = lo.max(1.0);
    while n <= hi {
        with.truncate(bounds.len());
        with.push(Bound {
            t: 0.0,
            lo: f64::NEG_INFINITY,
            hi: n,
        });
        with.push(Bound {
            t: first_recv,
            lo: n,
            hi: f64::INFINITY,
        });
        if let Some(mut f) = fit(&with).filter(|f| f.slack == 0.0) {
            (f.size_lo, f.size_hi) = (n, n);
            hull = Some(match hull {
                None => f,
                Some(h) => {
                    let rate_lo = h.rate_lo.min(f.rate_lo);
                    let rate_hi = h.rate_hi.max(f.rate_hi);
                    Fit {
                        rate_lo,
                        rate_hi,
                        rate: (rate_lo + rate_hi) / 2.0,
                        g0: (h.g0 + f.g0) / 2.0,
                        g0_lo: h.g0_lo.min(f.g0_lo),
                        g0_hi: h.g0_hi.max(f.g0_hi),
                        slack: 0.0,
                        size_lo: h.size_lo.min(n),
                        size_hi: h.size_hi.max(n),
                    }
                }
            });
        }
        n += 1.0;
    }
    Some(hull.unwrap_or(plain))
}

impl Fit {
    /// Half the rate range over the centre rate (1.0 when the rate is not bounded away from 0).
    pub fn rate_spread(&self) -> f64 {
        if self.rate <= 0.0 {
            1.0
        } else {
            (self.rate_hi - self.rate_lo) / 2.0 / self.rate
        }
    }

    /// When the centre estimate gains its `level`-th token (seconds since the start).
    pub fn crossing(&self, level: f64) -> f64 {
        if self.rate <= 0.0 {
            f64::INFINITY
        } else {
            (level - self.g0) / self.rate
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// Bounds a bucket of `burst` and `rate`/s would give for requests at `times` (zero latency).
    fn observe(burst: f64, rate: f64, times: &[f64]) -> Vec<Bound> {
        let mut taken = 0u64;
        let mut out = Vec::new();
        for &t in times {
            if burst + rate * t >= taken as f64 + 1.0 {
                out.push(Bound::success(t, taken));
                taken += 1;
            } else {
                out.push(Bound::limited(t, taken));
            }
        }
        out
    }

    #[test]
    fn a_drain_and_two_later_drains_bracket_the_true_bucket() {
        // 10 burst, 4/s: a fast drain, then drains at 1 s and 3 s.
        let mut times: Vec<f64> = (0..12).map(|i| f64::from(i) * 0.001).collect();
        times.extend((0..6).map(|i| 1.0 + f64::from(i) * 0.001));
        times.extend((0..10).map(|i| 3.0 + f64::from(i) * 0.001));
        let f = fit(&observe(10.0, 4.0, &times)).unwrap();
        assert!(f.rate_lo <= 4.0 && 4.0 <= f.rate_hi, "{f:?}");
        assert!(f.g0_lo <= 10.0 && 10.0 <= f.g0_hi, "{f:?}");
        assert_eq!(f.slack, 0.0);
        // Two width-1 brackets 3 s apart: the rate is known within about ±1/3 token per second.
        assert!(f.rate_hi - f.rate_lo < 0.8, "{f:?}");
    }

    #[test]
    fn a_full_bucket_of_whole_tokens_pins_the_start_and_so_the_rate() {
        // 2 burst, 2/s, zero latency: tokens at 0.5, 1.0, 1.5 s; requests just around them.
        let times = [0.0, 0.0, 0.0, 0.45, 0.52, 0.98, 1.01, 1.49, 1.51];
        let b = observe(2.0, 2.0, &times);
        let plain = fit(&b).unwrap();
        let full = fit_full(&b, 0.0).unwrap();
        assert!(full.rate_lo <= 2.0 && 2.0 <= full.rate_hi, "{full:?}");
        assert!(
            full.rate_hi - full.rate_lo < plain.rate_hi - plain.rate_lo,
            "{full:?} {plain:?}"
        );
        assert!(full.rate_spread() < 0.02, "{full:?}");
        assert_eq!((full.g0_lo, full.g0_hi), (2.0, 2.0));
        assert_eq!((full.size_lo, full.size_hi), (2.0, 2.0));
    }

    #[test]
    fn no_429_yet_is_no_fit() {
        assert_eq!(fit(&observe(10.0, 4.0, &[0.0, 0.1, 0.2])), None);
    }

    #[test]
    fn contradicting_bounds_need_slack() {
        // A success at 1 s after 5 takes and a 429 at 2 s with the same count: no rate >= 0
        // allows both plus a success at 0 s.
        let bounds = [
            Bound::success(0.0, 0),
            Bound::success(1.0, 5),
            Bound::limited(2.0, 5),
            Bound::limited(0.5, 0),
        ];
        let f = fit(&bounds).unwrap();
        assert!(f.slack > 0.0, "{f:?}");
    }

    #[test]
    fn the_hulls_keep_every_fit() {
        let mut times: Vec<f64> = (0..40).map(|i| f64::from(i) * 0.001).collect();
        times.extend((0..200).map(|i| 0.5 + f64::from(i) * 0.013));
        let b = observe(30.0, 25.0, &times);
        let reduced = reduce(&b);
        assert!(
            reduced.len() < b.len() / 3,
            "{} of {}",
            reduced.len(),
            b.len()
        );
        for r in [0.0, 10.0, 24.9, 25.0, 31.0, 1e4] {
            assert!((lower(&b, r) - lower(&reduced, r)).abs() < 1e-9, "{r}");
            assert!((upper(&b, r) - upper(&reduced, r)).abs() < 1e-9, "{r}");
        }
    }

    #[test]
    fn remaining_headers_pin_the_level() {
        // A success at 0.5 s after 3 takes on a 10/4 bucket: 12 tokens ever, 8 left after it.
        let [a, b] = Bound::remaining(0.5, 0.5, 3, 8);
        assert_eq!((a.lo, b.hi), (12.0, 13.0));
    }
}
