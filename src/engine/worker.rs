//! The fixed worker pool: each worker takes one arrival at a time from the bounded channel and
//! carries it to a final outcome — throttle wait, bearer token, the request, retries (the delay
//! holds the worker: that request stays in flight) — then sends one [`Sample`]. A job still queued
//! when an urgent stop (Ctrl-C, a guard, a threshold) abandons the run is counted as dropped.

use std::rc::Rc;
use std::time::Duration;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use super::ctx::Ctx;
use super::data::Draw;
use super::retry::View;
use super::sink::Msg;
use super::stop::StopReason;
use super::throttle::client_of;
use super::tokens::FetchError;
use crate::data::Values;
use crate::metrics::{DropReason, Outcome, Sample, TransportKind};
use crate::ops::{self, Fill, RateInfo, Transport, ratelimit};
use crate::scenario::OperationKind;

/// One arrival handed to a worker.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    pub op: usize,
    /// The arrival's number (global, over all phases; closed loops count their own): what a
    /// `sequence` generator follows.
    pub n: u64,
    /// Intended start, since run start.
    pub at: Duration,
}

enum Attempt {
    Done(Outcome, RateInfo),
    /// Not sent: the token guard is exhausted.
    Refused,
}

pub async fn worker<T: Transport>(ctx: Rc<Ctx<T>>, jobs: async_channel::Receiver<Job>, seed: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    while let Ok(job) = jobs.recv().await {
        if ctx.stopper.is_abandoned() {
            // Queued before an urgent stop: not sent.
            ctx.sink.dropped(job.op, job.at, DropReason::Stopping, true);
        } else {
            execute(&ctx, job, &mut rng).await;
        }
        ctx.finish_one();
    }
}

async fn attempt<T: Transport>(
    ctx: &Ctx<T>,
    op: usize,
    kind: &OperationKind,
    values: Option<&Values>,
) -> Attempt {
    let (Some(template), Some(key)) = (ctx.templates.get(op), ctx.keys.get(op)) else {
        // One per plan operation, built at start; never reached.
        return Attempt::Done(
            Outcome::Transport(TransportKind::Other),
            RateInfo::default(),
        );
    };
    let bearer = match key {
        Some(key) => match ctx.tokens.bearer(key).await {
            Ok(t) => Some(t),
            Err(FetchError::Refused) => return Attempt::Refused,
            Err(FetchError::Failed(f)) => {
                return Attempt::Done(Outcome::Token(f), RateInfo::default());
            }
        },
        None => None,
    };
    let reply = match kind {
        OperationKind::Token { .. } => {
            if !ctx.guard.take_token() {
                return Attempt::Refused;
            }
            let reply = ops::token::fetch(&*ctx.transport, template).await.0;
            ctx.guard.token_outcome(reply.outcome);
            reply
        }
        OperationKind::Management { .. } if bearer.is_none() => return Attempt::Refused,
        OperationKind::Management { .. } | OperationKind::Http { .. } => {
            let fill = Fill {
                bearer: bearer.as_deref(),
                values,
            };
            ops::transport::send(&*ctx.transport, template, fill, false).await
        }
    };
    let outcome = reply.outcome;
    if let (Outcome::Http(401), Some(key), Some(token)) = (outcome, key, &bearer) {
        // The token stopped working before its time: one refresh, not a storm of 401s.
        ctx.tokens.reject(key, token);
    }
    Attempt::Done(outcome, reply.rate)
}

pub(super) async fn execute<T: Transport>(ctx: &Ctx<T>, job: Job, rng: &mut ChaCha8Rng) {
    let Some(op) = ctx.plan.operations.get(job.op) else {
        return;
    };
    let intended = ctx.t0 + job.at;
    ctx.throttles.wait(job.op, client_of(&op.kind)).await;
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
    let send = Instant::now();
    let mut retries = 0u32;
    // The previous attempt, reported once the next one is really sent.
    let mut previous: Option<(Outcome, RateInfo)> = None;
    let (outcome, rate) = loop {
        let (outcome, rate) = match attempt(ctx, job.op, &op.kind, values.as_ref()).await {
            Attempt::Done(o, r) => (o, r),
            Attempt::Refused => match previous {
                // A retry refused by the guard: the previous attempt is final.
                Some(p) => {
                    retries -= 1;
                    break p;
                }
                None => {
                    ctx.sink.dropped(job.op, job.at, DropReason::Stopping, true);
                    return;
                }
            },
        };
        if let Some((o, r)) = previous.take() {
            ctx.sink.send(Msg::Attempt {
                op: job.op,
                outcome: o,
                bad_headers: r.bad,
            });
        }
        ctx.guard.saw(&rate);
        let view = View {
            outcome,
            rate,
            now_epoch_s: ratelimit::epoch_s(crate::clock::now()),
        };
        let Some(delay) = ctx.retry.delay(retries + 1, &view, rng) else {
            break (outcome, rate);
        };
        if ctx.stopper.is_abandoned() {
            break (outcome, rate);
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = ctx.stopper.abandoned() => break (outcome, rate),
        }
        retries += 1;
        previous = Some((outcome, rate));
    };
    let end = Instant::now();
    ctx.sink.send(Msg::Done(Sample {
        op: job.op,
        intended: job.at,
        lag: send.saturating_duration_since(intended),
        corrected: end.saturating_duration_since(intended),
        service: end.saturating_duration_since(send),
        outcome,
        retries,
        rate: rate.seen(crate::clock::now()),
        bad_headers: rate.bad,
    }));
}
