//! The arrival clock in motion: wakes on the 1 ms grid ([`Ticker`]) — every tick while arrivals
//! are due (missed ticks skipped), otherwise at the tick of the next due arrival, phase start, end
//! or time-based stop, at most [`IDLE_WAKE`] apart and at once on a stop — asks the [`Pacer`]
//! which arrivals are due, picks each one's operation by weight, and hands it with its intended
//! time to the worker pool through the bounded queue ([`JobQueue`]) — or drops and counts it:
//!
//! - **busy**: the phase's `max_in_flight` arrivals are already queued or running;
//! - **late**: the scheduler itself picked it up more than `[pacing] drop_late_after` (default
//!   1 s, in `run.csv` as `drop_late_after_s`) after its intended time: it fell behind that far
//!   (a stalled thread, a starved CPU). Anything less late is sent, its lag counted in the
//!   corrected latency, so a stall of 50 ms loses nothing and releases exactly the arrivals it
//!   held back, never more. Normal timer jitter is ≈ 1–2 ms (p99 lag 1.3 ms at 5,000/s).
//!
//! A sharded plan (`--shard I/N`) walks the same global schedule and keeps the arrivals its
//! shard owns; the others are not its to schedule (another shard counts them).
//!
//! A closed-loop phase (`concurrency = N`) has no paced arrivals: on entering it the scheduler
//! starts its loops ([`closed`](super::closed)) and keeps waking (at most [`IDLE_WAKE`] apart) for
//! the stop conditions.
//!
//! It also checks the stop conditions that depend on time (phases over, `max_duration`, static
//! token expiry, the external [`StopSignal`]) and `max_requests`.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use super::closed;
use super::ctx::Ctx;
use super::lanes::{self, Lane};
use super::pacer::Pacer;
use super::pick::{Pick, Picked};
use super::queue::JobQueue;
use super::sink::Msg;
use super::stop::{StopReason, StopSignal};
pub use super::ticker::TICK;
use super::ticker::Ticker;
use super::worker::Job;
use crate::metrics::DropReason;
use crate::ops::Transport;

/// The longest the scheduler sleeps when nothing is due: how soon it sees the Ctrl-C flag
/// ([`StopSignal`]) and moves the timeline's watermark in an idle stretch. Stops triggered inside
/// the run wake it at once.
pub const IDLE_WAKE: Duration = Duration::from_millis(20);
/// Why an arrival due `now` cannot go, if it cannot: late first (the scheduler fell behind by
/// more than `late_after`), then busy (the phase's in-flight cap is reached).
pub fn refuse(
    now: Instant,
    intended: Instant,
    in_flight: usize,
    cap: usize,
    late_after: Duration,
) -> Option<DropReason> {
    if now.saturating_duration_since(intended) > late_after {
        Some(DropReason::Late)
    } else if in_flight >= cap {
        Some(DropReason::Busy)
    } else {
        None
    }
}

pub struct Scheduler<T> {
    pub ctx: Rc<Ctx<T>>,
    /// Closed when the scheduler returns: the workers end once they ran what is queued.
    pub jobs: Rc<JobQueue>,
    pub external: StopSignal,
    /// When the static token expires, if the strategy is `static` and it has an `exp`.
    pub static_expiry: Option<Instant>,
}

impl<T: Transport + 'static> Scheduler<T> {
    /// Runs until a stop condition; returns the elapsed time at the stop.
    pub async fn run(self) -> Duration {
        let ctx = &self.ctx;
        let plan = &ctx.plan;
        let pacer = Pacer::new(&plan.phases);
        let pick = Pick::with_flows(&plan.operations, &plan.flows);
        // Sharded: picks follow the scenario seed's stream over every global arrival, so the
        // shards' union picks exactly what the single run picks (scenario::shard).
        let shard = plan.shard.as_ref();
        let mut rng = ChaCha8Rng::seed_from_u64(shard.map_or(plan.seed, |s| s.base_seed));
        let mut lanes = lanes::lanes(plan, shard.map_or(plan.seed, |s| s.base_seed));
        let mut next = 0u64;
        let sent = Rc::new(Cell::new(0u64));
        let mut phase = None;
        let mut ticker = Ticker::new(ctx.t0);
        let mut wake = ctx.t0;
        loop {
            ticker.wait(wake, &ctx.stopper).await;
            let now = Instant::now();
            let elapsed = now.saturating_duration_since(ctx.t0);
            if self.external.is_stopped() {
                ctx.stopper.trigger(StopReason::Signal);
            }
            if plan.stop.max_duration.is_some_and(|m| elapsed >= m) {
                ctx.stopper.trigger(StopReason::MaxDuration);
            }
            if self.static_expiry.is_some_and(|e| now >= e) {
                ctx.stopper.trigger(StopReason::StaticTokenExpired);
            }
            if ctx.stopper.is_stopping() {
                self.jobs.close();
                return elapsed;
            }
            let current = pacer.phase_at(elapsed);
            if phase != Some(current) {
                phase = Some(current);
                ctx.sink.send(Msg::Phase(current));
                // max_in_flight is the concurrency, or this shard's share of it.
                if let Some(p) = pacer.phases().get(current)
                    && p.concurrency.is_some()
                {
                    let end = ctx.t0 + pacer.phase_start(current) + p.duration;
                    closed::spawn(ctx, current, p.max_in_flight, end, &sent);
                }
            }
            let cap_now = pacer.phases().get(current).map_or(0, |p| p.max_in_flight);
            let mut full = false;
            for g in pacer.due(next, elapsed) {
                next = g + 1;
                let Some(arrival) = pacer.arrival(g) else {
                    break;
                };
                let Some(Picked { op, flow }) = pick.next(&mut rng) else {
                    break;
                };
                if shard.is_some_and(|s| !s.owns(g)) {
                    continue;
                }
                if let Some(f) = flow {
                    ctx.sink.send(Msg::FlowScheduled(f));
                }
                let cap = pacer
                    .phases()
                    .get(arrival.phase)
                    .map_or(0, |p| p.max_in_flight);
                let job = Job {
                    op,
                    flow,
                    n: g,
                    at: arrival.at,
                };
                if self.hand_out(job, now, cap, &sent) {
                    full = true;
                    break;
                }
            }
            'lanes: for lane in lanes.iter_mut() {
                if full {
                    break;
                }
                for g in lane.due(elapsed) {
                    let Some((at, n, op)) = lane.take(g) else {
                        break;
                    };
                    if shard.is_some_and(|s| !s.owns(n)) {
                        continue;
                    }
                    let job = Job {
                        op,
                        flow: None,
                        n,
                        at,
                    };
                    if self.hand_out(job, now, cap_now + lane.cap, &sent) {
                        break 'lanes;
                    }
                }
            }
            ctx.sink.send(Msg::Advance(elapsed.as_secs()));
            if next >= pacer.total() && lanes.iter().all(Lane::done) && elapsed >= pacer.duration()
            {
                ctx.stopper.trigger(StopReason::Completed);
            }
            let lane_next = lanes.iter().filter_map(Lane::next_at).min();
            wake = self.next_wake(&ticker, &pacer, next, lane_next, now);
        }
    }

    /// Sends `job` to the pool, or drops and counts it (late, busy at `cap` in flight, the
    /// channel full); true when `max_requests` is reached (the stop is triggered).
    fn hand_out(&self, job: Job, now: Instant, cap: usize, sent: &Rc<Cell<u64>>) -> bool {
        let ctx = &self.ctx;
        let plan = &ctx.plan;
        let (op, flow, at) = (job.op, job.flow, job.at);
        if let Some(reason) = refuse(
            now,
            ctx.t0 + at,
            ctx.in_flight.get(),
            cap,
            plan.pacing.drop_late_after,
        ) {
            ctx.sink.dropped_arrival(op, flow, at, reason, false);
            return false;
        }
        ctx.in_flight.set(ctx.in_flight.get() + 1);
        ctx.sink.dispatched(op, at);
        if self.jobs.try_send(job).is_err() {
            ctx.finish_one();
            ctx.sink
                .dropped_arrival(op, flow, at, DropReason::Busy, true);
            return false;
        }
        sent.set(sent.get() + 1);
        if plan.stop.max_requests.is_some_and(|m| sent.get() >= m) {
            ctx.stopper.trigger(StopReason::MaxRequests);
            return true;
        }
        false
    }

    /// The tick after `now` if an arrival is due by then, else the tick of the first of: the
    /// next arrival (of the phases or a job, `lane_next`), the next phase's start, the schedule's end, `max_duration`, the static
    /// token's expiry, `now` + [`IDLE_WAKE`] (real time only). Arrivals are thus picked up at the same tick as
    /// when the scheduler woke every tick.
    fn next_wake(
        &self,
        ticker: &Ticker,
        pacer: &Pacer,
        next: u64,
        lane_next: Option<Duration>,
        now: Instant,
    ) -> Instant {
        let t0 = self.ctx.t0;
        let soon = ticker.after(now);
        let phase_start = |i: usize| (i < pacer.phases().len()).then(|| pacer.phase_start(i));
        let until = [
            pacer.arrival(next).map(|a| t0 + a.at),
            lane_next.map(|at| t0 + at),
            phase_start(pacer.phase_at(now.saturating_duration_since(t0)) + 1).map(|s| t0 + s),
            Some(t0 + pacer.duration()),
            self.ctx.plan.stop.max_duration.map(|m| t0 + m),
            self.static_expiry,
            // On a fast-forward run's virtual clock (src/fastforward/) an idle wake-up every
            // 20 ms would be 130 million in a virtual month: it sleeps to the next event, and
            // the stop signal is seen then.
            (!crate::clock::is_virtual()).then(|| now + IDLE_WAKE),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(soon);
        ticker.at_or_after(until).max(soon)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drop_rule_table() {
        let t = Instant::now();
        let ms = Duration::from_millis;
        // (now − intended, in flight, cap, expected)
        let bound = ms(1000);
        let table = [
            (ms(0), 0, 4, None),
            (ms(2), 3, 4, None),  // normal 1–2 ms tick jitter: sent
            (ms(50), 3, 4, None), // a 50 ms stall: sent late, not lost
            (ms(1000), 0, 4, None),
            (ms(1001), 0, 4, Some(DropReason::Late)),
            (ms(5000), 4, 4, Some(DropReason::Late)),
            (ms(1), 4, 4, Some(DropReason::Busy)),
            (ms(0), 9, 4, Some(DropReason::Busy)), // a later phase lowered the cap
        ];
        for (late, in_flight, cap, want) in table {
            assert_eq!(
                refuse(t + late, t, in_flight, cap, bound),
                want,
                "{late:?} {in_flight}/{cap}"
            );
        }
        // The bound is the scenario's.
        assert_eq!(refuse(t + ms(11), t, 0, 4, ms(10)), Some(DropReason::Late));
        // An arrival picked up early (never happens, but must not underflow): sent.
        assert_eq!(refuse(t, t + ms(5), 0, 1, bound), None);
    }
}
