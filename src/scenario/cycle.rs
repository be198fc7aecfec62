//! Month-shaped load: a rate that repeats on the run's calendar (a daily cycle of 24 hourly
//! rates, a scheduled job's window every night) and the jobs that run on top of the phases.
//!
//! A [`Cycle`] is a piecewise-constant rate over a period (one day for `hourly`, the job's
//! `every`), counted from midnight UTC of the run's start day. Its cumulative count `F` is exact
//! arithmetic over whole periods and steps, and arrival `i` of a phase falls where
//! `F(offset + t) − F(offset)` reaches `i` — the same rule as a plain phase's
//! (`PhasePlan::arrival_at`), so the pacer's counts per second stay exact.

use std::time::Duration;

/// A rate repeating every `period`: `steps` are (start in the period, arrivals per second),
/// sorted, the first at 0; each lasts to the next step (the last to the period's end).
#[derive(Debug, Clone, PartialEq)]
pub struct Cycle {
    pub period: Duration,
    pub steps: Vec<(Duration, f64)>,
    /// Where in the period the phase starts (its start's distance from the last period start,
    /// counted from midnight UTC of the run's first day).
    pub offset: Duration,
}

impl Cycle {
    /// 24 hourly rates (index = UTC hour of day), for a phase starting `offset` into its day.
    pub fn hourly(rates: &[f64], offset: Duration) -> Self {
        let steps = rates
            .iter()
            .enumerate()
            .map(|(h, &r)| (Duration::from_secs(h as u64 * 3_600), r))
            .collect();
        Cycle {
            period: Duration::from_secs(86_400),
            steps,
            offset: Duration::from_secs(offset.as_secs() % 86_400),
        }
    }

    /// `rate` for `length` starting at `at` into each `period` (wrapping past its end), 0
    /// otherwise; `length` < `period`.
    pub fn window(
        period: Duration,
        at: Duration,
        length: Duration,
        rate: f64,
        offset: Duration,
    ) -> Self {
        let p = period.as_nanos().max(1);
        let at = Duration::from_nanos((at.as_nanos() % p) as u64);
        let end = at + length;
        let mut steps = if end <= period {
            vec![(Duration::ZERO, 0.0), (at, rate), (end, 0.0)]
        } else {
            vec![(Duration::ZERO, rate), (end - period, 0.0), (at, rate)]
        };
        // Zero-length steps (a window at 0 or ending at the period's end) are dropped.
        steps.dedup_by(|b, a| {
            a.0 == b.0 && {
                a.1 = b.1;
                true
            }
        });
        steps.retain(|s| s.0 < period);
        Cycle {
            period,
            steps,
            offset: Duration::from_nanos((offset.as_nanos() % p) as u64),
        }
    }

    fn spans(&self) -> impl Iterator<Item = (f64, f64, f64)> + '_ {
        let p = self.period.as_secs_f64();
        self.steps.iter().enumerate().map(move |(i, &(s, r))| {
            let end = self.steps.get(i + 1).map_or(p, |n| n.0.as_secs_f64());
            (s.as_secs_f64(), end - s.as_secs_f64(), r)
        })
    }

    /// Arrivals in one whole period.
    pub fn per_period(&self) -> f64 {
        self.spans().map(|(_, len, r)| len * r).sum()
    }

    /// Mean arrivals per second over a period.
    pub fn mean_rate(&self) -> f64 {
        self.per_period() / self.period.as_secs_f64()
    }

    pub fn peak_rate(&self) -> f64 {
        self.steps.iter().map(|s| s.1).fold(0.0, f64::max)
    }

    /// Arrivals from the period origin to `x` seconds after it.
    fn f(&self, x: f64) -> f64 {
        let p = self.period.as_secs_f64();
        let k = (x / p).floor();
        let r = x - k * p;
        k * self.per_period()
            + self
                .spans()
                .map(|(s, len, rate)| rate * (r - s).clamp(0.0, len))
                .sum::<f64>()
    }

    /// The last `x` with `f(x) <= y` (y >= 0): where a positive rate has delivered `y`, so an
    /// arrival due in a stretch of rate 0 waits for the next positive step.
    fn f_sup(&self, y: f64) -> f64 {
        let a = self.per_period();
        let p = self.period.as_secs_f64();
        if a <= 0.0 {
            return 0.0;
        }
        let k = (y.max(0.0) / a).floor();
        let mut rem = y.max(0.0) - k * a;
        for (s, len, rate) in self.spans() {
            let here = rate * len;
            if rate > 0.0 && rem < here {
                return k * p + s + rem / rate;
            }
            rem -= here;
        }
        (k + 1.0) * p
    }

    /// Expected arrivals in the first `t` of a phase on this cycle.
    pub fn cumulative(&self, t: Duration) -> f64 {
        let o = self.offset.as_secs_f64();
        self.f(o + t.as_secs_f64()) - self.f(o)
    }

    /// When, into the phase, arrival `i` falls: where the count reaches `i` (0 at the start,
    /// or at the first positive rate when the phase starts at rate 0).
    pub fn time_of(&self, i: u64) -> f64 {
        let o = self.offset.as_secs_f64();
        (self.f_sup(self.f(o) + i as f64) - o).max(0.0)
    }
}

/// `[[jobs]]`, resolved: a load of its own on top of the phases, on a [`Cycle`] over the whole
/// run, sending only its operations (picked evenly by the run's seed).
#[derive(Debug, Clone, PartialEq)]
pub struct JobPlan {
    pub name: String,
    /// Operation indices the job sends.
    pub operations: Vec<usize>,
    /// The whole run as one phase on the job's window cycle (`cycle` is always set).
    pub phase: super::PhasePlan,
    /// As written, for the plan's print: clock time of day, repeat period, window, rate.
    pub at: Duration,
    pub every: Duration,
    pub length: Duration,
    pub rate_per_s: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(v: u64) -> Duration {
        Duration::from_secs(v * 3_600)
    }

    #[test]
    fn hourly_counts_per_hour_and_per_day() {
        let mut rates = [1.0; 24];
        rates[2] = 0.0;
        rates[12] = 3.0;
        let c = Cycle::hourly(&rates, Duration::ZERO);
        assert_eq!(c.per_period(), 25.0 * 3_600.0);
        assert!((c.cumulative(h(1)) - 3_600.0).abs() < 1e-9);
        assert!(
            (c.cumulative(h(3)) - 7_200.0).abs() < 1e-9,
            "02:00-03:00 sends nothing"
        );
        assert!((c.cumulative(h(48)) - 2.0 * c.per_period()).abs() < 1e-6);
        // Arrival 7200 (the 7,201st) waits for 03:00.
        assert!((c.time_of(7_200) - 3.0 * 3_600.0).abs() < 1e-9);
        assert!((c.time_of(7_199) - 7_199.0).abs() < 1e-9);
        assert!((c.time_of(0)).abs() < 1e-9);
        // A phase starting at 02:00 waits for 03:00.
        let two = Cycle::hourly(&rates, h(2));
        assert!((two.time_of(0) - 3_600.0).abs() < 1e-9);
        // Starting at 12:00: three per second at once.
        let noon = Cycle::hourly(&rates, h(36));
        assert!((noon.cumulative(Duration::from_secs(10)) - 30.0).abs() < 1e-9);
        assert!((noon.time_of(3) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_nightly_window_wraps_and_repeats() {
        // 23:30 for 1 h at 2/s, the run starting at 00:00: 30 min, then 30 min each night.
        let c = Cycle::window(
            h(24),
            Duration::from_secs(23 * 3_600 + 1_800),
            h(1),
            2.0,
            Duration::ZERO,
        );
        assert_eq!(c.per_period(), 7_200.0);
        assert!((c.cumulative(h(1)) - 3_600.0).abs() < 1e-9);
        assert!((c.cumulative(h(23)) - 3_600.0).abs() < 1e-9);
        assert!((c.cumulative(h(24)) - 7_200.0).abs() < 1e-9);
        assert!((c.time_of(3_600) - (23.5 * 3_600.0)).abs() < 1e-6);
        let at0 = Cycle::window(h(24), Duration::ZERO, h(1), 1.0, Duration::ZERO);
        assert_eq!(at0.steps, vec![(Duration::ZERO, 1.0), (h(1), 0.0)]);
    }

    #[test]
    fn times_are_monotonic() {
        let mut rates = [0.5; 24];
        rates[0] = 0.0;
        rates[23] = 0.0;
        let c = Cycle::hourly(&rates, Duration::from_secs(1_234));
        let mut last = 0.0;
        for i in 0..100_000 {
            let t = c.time_of(i);
            assert!(t >= last, "arrival {i} at {t} before {last}");
            last = t;
        }
    }
}
