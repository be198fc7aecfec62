//! Closed-loop phases (`concurrency = N`, k6's constant VUs): N loops, each starting its next
//! request the moment the previous one finished, until the phase ends or the run stops. Used to
//! find a target's (or the generator's) maximum throughput; rate-limit questions want the open
//! model, which keeps arriving whatever the target does.
//!
//! Each request is scheduled and sent at once — intended start = actual start, so lag ≈ 0 and
//! nothing is ever dropped as busy or late — which keeps `scheduled = sent + dropped` and the
//! report unchanged. Owns only the loops: the scheduler keeps ticking through a closed phase
//! (stop conditions, the timeline's watermark, progress), and the worker's `execute` carries each
//! request to its outcome exactly as for paced arrivals. Under `--shard I/N` a shard runs its
//! share of the loops: the phase's `max_in_flight`, which equals the concurrency and is split
//! like every in-flight budget, so the shards together keep `concurrency` in flight.

use std::cell::Cell;
use std::rc::Rc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tokio::task::JoinHandle;
use tokio::time::Instant;

use super::ctx::Ctx;
use super::pick::{Pick, Picked};
use super::sink::Msg;
use super::stop::StopReason;
use super::worker::{self, Job};
use crate::ops::Transport;

/// Starts `concurrency` loops for phase `phase`, which end at `end` (run time).
/// `sent` counts requests handed out over the whole run, for `stop.max_requests`.
pub fn spawn<T: Transport + 'static>(
    ctx: &Rc<Ctx<T>>,
    phase: usize,
    concurrency: usize,
    end: Instant,
    sent: &Rc<Cell<u64>>,
) -> Vec<JoinHandle<()>> {
    let pick = Rc::new(Pick::with_flows(&ctx.plan.operations, &ctx.plan.flows));
    (0..concurrency)
        .map(|i| {
            // Distinct from the open pool's seeds; the same plan and seed repeat per loop.
            let seed = ctx.plan.seed
                ^ 0xC105_ED00_0000_0000u64
                ^ ((phase as u64) << 32)
                ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            tokio::task::spawn_local(run_loop(ctx.clone(), pick.clone(), end, sent.clone(), seed))
        })
        .collect()
}

async fn run_loop<T: Transport>(
    ctx: Rc<Ctx<T>>,
    pick: Rc<Pick>,
    end: Instant,
    sent: Rc<Cell<u64>>,
    seed: u64,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    loop {
        let now = Instant::now();
        if ctx.stopper.is_stopping() || now >= end {
            return;
        }
        let Some(Picked { op, flow }) = pick.next(&mut rng) else {
            return;
        };
        if let Some(f) = flow {
            ctx.sink.send(Msg::FlowScheduled(f));
        }
        let at = now.saturating_duration_since(ctx.t0);
        ctx.in_flight.set(ctx.in_flight.get() + 1);
        ctx.sink.dispatched(op, at);
        sent.set(sent.get() + 1);
        if ctx.plan.stop.max_requests.is_some_and(|m| sent.get() >= m) {
            ctx.stopper.trigger(StopReason::MaxRequests);
        }
        let n = sent.get() - 1;
        worker::run(&ctx, Job { op, flow, n, at }, &mut rng).await;
        ctx.finish_one();
        // A request that ends without awaiting I/O (refused by the token guard) must not let
        // this loop starve the scheduler and the recorder on the one thread. The budget
        // yields only once tokio's per-task budget is spent, not after every request (an
        // unconditional yield_now cost a task reschedule per request).
        tokio::task::consume_budget().await;
    }
}
