//! The fixed worker pool: each worker takes one arrival at a time from the bounded queue and
//! carries it to a final outcome: its values drawn, then the request ([`super::request`]:
//! throttle, bearer, send, retries, one sample). A job still queued
//! when an urgent stop (Ctrl-C, a guard, a threshold) abandons the run is counted as dropped.
//! A flow's arrival runs its steps one after another on the same worker ([`super::flow`]).

use std::rc::Rc;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::ctx::Ctx;
use super::data::Draw;
use super::queue::JobQueue;
use super::request::{send_one, throttle};
use super::stop::StopReason;
use crate::metrics::DropReason;
use crate::ops::Transport;

pub use super::job::Job;

/// Worker number `index` of the pool: runs jobs until the queue is closed and empty.
pub async fn worker<T: Transport>(ctx: Rc<Ctx<T>>, jobs: Rc<JobQueue>, index: usize, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    while let Some(job) = jobs.recv(index).await {
        if ctx.stopper.is_abandoned() {
            // Queued before an urgent stop: not sent.
            ctx.sink
                .dropped_arrival(job.op, job.flow, job.at, DropReason::Stopping, true);
        } else {
            run(&ctx, job, &mut rng).await;
        }
        ctx.finish_one();
    }
}

/// Carries `job` to its end: one operation, or a whole flow.
pub(super) async fn run<T: Transport>(ctx: &Ctx<T>, job: Job, rng: &mut ChaCha8Rng) {
    match job.flow {
        None => execute(ctx, job, rng).await,
        Some(flow) => super::flow::run(ctx, flow, job, rng).await,
    }
}

/// One operation's arrival: throttle, draw its values, send it.
async fn execute<T: Transport>(ctx: &Ctx<T>, job: Job, rng: &mut ChaCha8Rng) {
    throttle(ctx, job.op).await;
    // Hole values are drawn when the request is about to go, so an arrival dropped earlier
    // never uses up a row; retries resend the same values.
    let values = match ctx.data.as_ref().map(|d| d.draw(job.op, job.n)) {
        None | Some(Draw::None) => None,
        Some(Draw::Values(v)) => Some(v),
        Some(Draw::Exhausted) => {
            ctx.stopper.trigger(StopReason::DataExhausted);
            ctx.sink.dropped(job.op, job.at, DropReason::Stopping, true);
            return;
        }
    };
    send_one(ctx, job, values.as_ref(), false, rng).await;
}
