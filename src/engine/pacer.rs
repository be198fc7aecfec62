//! The arrival clock, as pure functions of elapsed time: how many arrivals (over all phases) are
//! due by `elapsed`, and where arrival `g` falls. Uses only [`PhasePlan::arrival_at`] and
//! [`PhasePlan::arrival_count`], so the run and the `validate` forecast agree. No timers here:
//! the scheduler asks; tests use tables.

use std::ops::Range;
use std::time::Duration;

use crate::scenario::PhasePlan;

/// One arrival of the schedule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Arrival {
    pub phase: usize,
    /// Index within the phase.
    pub index: u64,
    /// Intended time since run start.
    pub at: Duration,
}

/// The whole run's schedule.
#[derive(Debug, Clone)]
pub struct Pacer {
    phases: Vec<PhasePlan>,
    /// Phase start offsets from run start.
    starts: Vec<Duration>,
    /// Global index of each phase's first arrival; one extra entry: the total.
    firsts: Vec<u64>,
}

/// Arrivals of one phase at or before `t` into it.
fn due_in_phase(p: &PhasePlan, t: Duration) -> u64 {
    let count = p.arrival_count();
    if count == 0 {
        return 0;
    }
    let mut k = ((p.cumulative(t) + 1e-9).floor() as u64 + 1).min(count);
    // Float estimates are corrected against arrival_at itself, the one source of truth.
    while k > 0 && p.arrival_at(k - 1).is_none_or(|a| a > t) {
        k -= 1;
    }
    while k < count && p.arrival_at(k).is_some_and(|a| a <= t) {
        k += 1;
    }
    k
}

impl Pacer {
    pub fn new(phases: &[PhasePlan]) -> Self {
        let mut starts = Vec::with_capacity(phases.len());
        let mut firsts = Vec::with_capacity(phases.len() + 1);
        let (mut start, mut first) = (Duration::ZERO, 0u64);
        for p in phases {
            starts.push(start);
            firsts.push(first);
            start += p.duration;
            first += p.arrival_count();
        }
        firsts.push(first);
        Pacer {
            phases: phases.to_vec(),
            starts,
            firsts,
        }
    }

    pub fn total(&self) -> u64 {
        self.firsts.last().copied().unwrap_or(0)
    }

    /// Sum of phase durations.
    pub fn duration(&self) -> Duration {
        self.phases.iter().map(|p| p.duration).sum()
    }

    pub fn phases(&self) -> &[PhasePlan] {
        &self.phases
    }

    pub fn phase_start(&self, phase: usize) -> Duration {
        self.starts.get(phase).copied().unwrap_or_default()
    }

    /// Global count of arrivals intended at or before `elapsed`.
    pub fn due_by(&self, elapsed: Duration) -> u64 {
        let mut due = 0;
        for (i, p) in self.phases.iter().enumerate() {
            let start = self.phase_start(i);
            if elapsed < start {
                break;
            }
            due += due_in_phase(p, elapsed - start);
        }
        due
    }

    /// The arrivals that are due by `elapsed` and not yet handed out (`next` onwards).
    pub fn due(&self, next: u64, elapsed: Duration) -> Range<u64> {
        next..self.due_by(elapsed).max(next)
    }

    /// Where global arrival `g` falls; `None` past the end.
    pub fn arrival(&self, g: u64) -> Option<Arrival> {
        let phase = self.firsts.partition_point(|&f| f <= g).checked_sub(1)?;
        let p = self.phases.get(phase)?;
        let index = g - self.firsts.get(phase)?;
        let at = self.phase_start(phase) + p.arrival_at(index)?;
        Some(Arrival { phase, index, at })
    }

    /// The phase whose time span holds `elapsed` (the last one once all are over).
    pub fn phase_at(&self, elapsed: Duration) -> usize {
        self.starts
            .partition_point(|&s| s <= elapsed)
            .saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(secs: f64, r0: f64, r1: f64) -> PhasePlan {
        PhasePlan {
            name: "p".into(),
            duration: Duration::from_secs_f64(secs),
            rate_per_s: r0,
            ramp_to_per_s: r1,
            max_in_flight: 8,
            concurrency: None,
            cycle: None,
        }
    }

    fn ms(v: u64) -> Duration {
        Duration::from_millis(v)
    }

    #[test]
    fn due_by_table() {
        // 10/s for 1 s (arrivals at 0, 100, ... 900 ms), then 0→20/s over 1 s (N = 10 t²: 10).
        let pacer = Pacer::new(&[phase(1.0, 10.0, 10.0), phase(1.0, 0.0, 20.0)]);
        assert_eq!(pacer.total(), 20);
        let table = [
            (0, 1),
            (99, 1),
            (100, 2),
            (101, 2),
            (950, 10),
            (999, 10),
            (1000, 11), // second phase, arrival 0 at its start
            (1099, 11),
            (1317, 12), // arrival 1 at sqrt(0.1) = 316.2 ms into it
            (1316, 11),
            (1500, 13), // N(0.5) = 2.5: arrivals 0, 1, 2
            (2000, 20),
            (9000, 20),
        ];
        for (t, want) in table {
            assert_eq!(pacer.due_by(ms(t)), want, "t = {t} ms");
        }
        assert_eq!(pacer.due(5, ms(450)), 5..5);
        assert_eq!(pacer.due(3, ms(450)), 3..5);
    }

    #[test]
    fn arrivals_map_to_phases_and_agree_with_due_by() {
        let pacer = Pacer::new(&[
            phase(2.0, 3.0, 3.0),
            phase(1.0, 0.0, 0.0),
            phase(1.5, 4.0, 8.0),
        ]);
        assert_eq!(
            pacer.arrival(6),
            Some(Arrival {
                phase: 2,
                index: 0,
                at: ms(3000)
            })
        );
        assert_eq!(pacer.arrival(pacer.total()), None);
        for g in 0..pacer.total() {
            let a = pacer.arrival(g).unwrap_or(Arrival {
                phase: 99,
                index: 0,
                at: Duration::MAX,
            });
            assert!(
                pacer.due_by(a.at) > g,
                "arrival {g} at {:?} is due then",
                a.at
            );
            if a.at > Duration::ZERO {
                assert!(pacer.due_by(a.at - Duration::from_nanos(1)) <= g);
            }
        }
        assert_eq!(pacer.phase_at(ms(2500)), 1);
        assert_eq!(pacer.phase_at(ms(9999)), 2);
    }

    #[test]
    fn large_rate_counts_exactly() {
        let pacer = Pacer::new(&[phase(10.0, 5000.0, 5000.0)]);
        assert_eq!(pacer.total(), 50_000);
        assert_eq!(pacer.due_by(ms(1)), 6); // 0, 0.2, ..., 1.0 ms
        assert_eq!(pacer.due_by(ms(5000)), 25_001);
        assert_eq!(pacer.due_by(ms(10_000)), 50_000);
    }
}
