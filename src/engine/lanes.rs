//! Scheduled jobs (`[[jobs]]`, scenario/cycle.rs) as arrival lanes beside the phases: each job
//! is its own [`Pacer`] over the whole run (one phase on the job's window cycle), so its
//! arrivals are exact and independent of the base load's; each arrival's operation is an even
//! pick among the job's operations from a seeded stream of the job's own, so adding a job
//! leaves the base load's picks unchanged. The scheduler hands lane arrivals out like the
//! phases' (busy, late, `max_requests`), numbered after every phase arrival and the earlier
//! jobs' (`n`, which data draws and `--shard` ownership use).

use std::ops::Range;
use std::time::Duration;

use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::pacer::Pacer;
use crate::scenario::RunPlan;

/// One job's arrivals.
pub struct Lane {
    pacer: Pacer,
    operations: Vec<usize>,
    rng: ChaCha8Rng,
    /// The next arrival of this lane not yet handed out.
    pub next: u64,
    /// `n` of this lane's first arrival.
    first_n: u64,
    /// The job's `max_in_flight`, added to the current phase's for its own arrivals.
    pub cap: usize,
}

/// A lane per job of `plan`, their picks seeded from `seed` (the scenario's, or a shard's
/// base seed).
pub fn lanes(plan: &RunPlan, seed: u64) -> Vec<Lane> {
    let mut first_n: u64 = plan
        .phases
        .iter()
        .map(crate::scenario::PhasePlan::arrival_count)
        .sum();
    plan.jobs
        .iter()
        .enumerate()
        .map(|(i, job)| {
            let pacer = Pacer::new(std::slice::from_ref(&job.phase));
            let lane = Lane {
                operations: job.operations.clone(),
                rng: ChaCha8Rng::seed_from_u64(seed ^ (0x6a6f_6273_0000_0000 + i as u64)),
                next: 0,
                first_n,
                cap: job.phase.max_in_flight,
                pacer,
            };
            first_n += lane.pacer.total();
            lane
        })
        .collect()
}

impl Lane {
    /// This lane's arrivals due by `elapsed` and not yet handed out.
    pub fn due(&self, elapsed: Duration) -> Range<u64> {
        self.pacer.due(self.next, elapsed)
    }

    /// Intended time of lane arrival `g`, its run-wide number `n` and its operation (the pick
    /// is drawn here, once per arrival, in order).
    pub fn take(&mut self, g: u64) -> Option<(Duration, u64, usize)> {
        let at = self.pacer.arrival(g)?.at;
        self.next = g + 1;
        let i = self.rng.random_range(0..self.operations.len().max(1));
        let op = *self.operations.get(i)?;
        Some((at, self.first_n + g, op))
    }

    /// When the next arrival is due, if any is left.
    pub fn next_at(&self) -> Option<Duration> {
        self.pacer.arrival(self.next).map(|a| a.at)
    }

    pub fn done(&self) -> bool {
        self.next >= self.pacer.total()
    }
}
