//! One request carried to its final outcome: throttle wait, bearer token, the send, retries
//! (the delay holds the worker: that request stays in flight), then one [`Sample`]. The response
//! body and headers are kept only when asked (a flow step that captures).

use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use super::ctx::Ctx;
use super::job::Job;
use super::retry::View;
use super::sink::Msg;
use super::throttle::client_of;
use super::tokens::FetchError;
use crate::data::Values;
use crate::metrics::{DropReason, Outcome, Sample, TransportKind};
use crate::ops::{self, Fill, RateInfo, Transport, ratelimit};
use crate::scenario::OperationKind;

enum Attempt {
    /// The outcome, the rate-limit headers and, when kept, the body and headers.
    Done(Outcome, RateInfo, Option<Box<Kept>>),
    /// Not sent: the token guard is exhausted.
    Refused,
}

/// A kept response body and its headers (for a flow step's captures).
pub struct Kept {
    pub body: bytes::Bytes,
    pub headers: reqwest::header::HeaderMap,
}

/// How a sent request ended (after its retries).
pub struct Sent {
    pub outcome: Outcome,
    pub kept: Option<Box<Kept>>,
}

async fn attempt<T: Transport>(
    ctx: &Ctx<T>,
    op: usize,
    kind: &OperationKind,
    values: Option<&Values>,
    keep: bool,
) -> Attempt {
    let (Some(template), Some(key)) = (ctx.templates.get(op), ctx.keys.get(op)) else {
        // One per plan operation, built at start; never reached.
        return Attempt::Done(
            Outcome::Transport(TransportKind::Other),
            RateInfo::default(),
            None,
        );
    };
    let bearer = match key {
        Some(key) => match ctx.tokens.bearer(key).await {
            Ok(t) => Some(t),
            Err(FetchError::Refused) => return Attempt::Refused,
            Err(FetchError::Failed(f)) => {
                return Attempt::Done(Outcome::Token(f), RateInfo::default(), None);
            }
        },
        None => None,
    };
    let reply = match kind {
        OperationKind::Token { .. } => {
            if !ctx.guard.take_token() {
                return Attempt::Refused;
            }
            let reply = ops::token::fetch(&*ctx.transport, template, values).await.0;
            ctx.guard.token_outcome(reply.outcome);
            if reply.quota_refused {
                ctx.sink.send(Msg::QuotaRefused {
                    op,
                    at: Instant::now().saturating_duration_since(ctx.t0),
                });
            }
            reply
        }
        OperationKind::Management { .. } if bearer.is_none() => return Attempt::Refused,
        OperationKind::Management { .. } | OperationKind::Http { .. } => {
            let fill = Fill {
                bearer: bearer.as_deref(),
                values,
            };
            ops::transport::send(&*ctx.transport, template, fill, keep).await
        }
    };
    let outcome = reply.outcome;
    if let (Outcome::Http(401), Some(key), Some(token)) = (outcome, key, &bearer) {
        // The token stopped working before its time: one refresh, not a storm of 401s.
        ctx.tokens.reject(key, token);
    }
    let kept = reply.body.map(|body| {
        Box::new(Kept {
            body,
            headers: reply.headers.unwrap_or_default(),
        })
    });
    Attempt::Done(outcome, reply.rate, kept)
}

/// Waits for operation `op`'s throttles (its own and its client's).
pub(super) async fn throttle<T: Transport>(ctx: &Ctx<T>, op: usize) {
    if let Some(o) = ctx.plan.operations.get(op) {
        ctx.throttles.wait(op, client_of(&o.kind)).await;
    }
}

/// Sends `job`'s request with `values` (the body and headers kept when `keep`), retrying as
/// the policy says, and records its sample. `None`: not sent (the token guard refused it), so
/// counted as dropped.
pub(super) async fn send_one<T: Transport>(
    ctx: &Ctx<T>,
    job: Job,
    values: Option<&Values>,
    keep: bool,
    rng: &mut ChaCha8Rng,
) -> Option<Sent> {
    let op = ctx.plan.operations.get(job.op)?;
    let intended = ctx.t0 + job.at;
    let send = Instant::now();
    let mut retries = 0u32;
    // The previous attempt, reported once the next one is really sent.
    let mut previous: Option<(Outcome, RateInfo, Option<Box<Kept>>)> = None;
    let (outcome, rate, kept) = loop {
        let (outcome, rate, kept) = match attempt(ctx, job.op, &op.kind, values, keep).await {
            Attempt::Done(o, r, k) => (o, r, k),
            Attempt::Refused => match previous {
                // A retry refused by the guard: the previous attempt is final.
                Some(p) => {
                    retries -= 1;
                    break p;
                }
                None => {
                    ctx.sink.dropped(job.op, job.at, DropReason::Stopping, true);
                    return None;
                }
            },
        };
        if let Some((o, r, _)) = previous.take() {
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
            break (outcome, rate, kept);
        };
        if ctx.stopper.is_abandoned() {
            break (outcome, rate, kept);
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            () = ctx.stopper.abandoned() => break (outcome, rate, kept),
        }
        retries += 1;
        previous = Some((outcome, rate, kept));
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
    Some(Sent { outcome, kept })
}
