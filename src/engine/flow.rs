//! One flow arrival, run by one worker as one virtual user: the flow's values are drawn once
//! (one data row per file for all its steps), then each step in order — think time, dispatch
//! (so the step is scheduled, and counted, when it starts), throttle, send with retries like any
//! operation — and its captures are read from its response into the later steps' holes.
//!
//! A step whose final outcome is not 2xx ends the flow (`failed`), and so does a capture missing
//! from a 2xx response (`capture_failed`); an urgent stop ends it before its next step
//! (`stopped`). A flow keeps going through the drain after a normal stop, until the drain's end.
//! Each ending is one `flows.csv` count; each step sent is a sample of its own operation.

use std::time::Duration;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use tokio::time::Instant;

use super::ctx::Ctx;
use super::data::Draw;
use super::job::Job;
use super::request::{self, Kept};
use super::stop::StopReason;
use crate::data::Values;
use crate::metrics::{DropReason, FlowEnd, Outcome};
use crate::ops::Transport;
use crate::scenario::{Capture, CaptureFrom, Think};

pub(super) async fn run<T: Transport>(ctx: &Ctx<T>, f: usize, job: Job, rng: &mut ChaCha8Rng) {
    let Some(flow) = ctx.plan.flows.get(f) else {
        return;
    };
    let start = ctx.t0 + job.at;
    let ended = |end: FlowEnd| {
        let took = Instant::now().saturating_duration_since(start);
        ctx.sink.flow_ended(f, end, took);
    };
    request::throttle(ctx, job.op).await;
    let mut values = match ctx.data.as_ref().map(|d| d.draw_flow(f, job.n)) {
        None | Some(Draw::None) => Values::default(),
        Some(Draw::Values(v)) => v,
        Some(Draw::Exhausted) => {
            ctx.stopper.trigger(StopReason::DataExhausted);
            ctx.sink
                .dropped_arrival(job.op, Some(f), job.at, DropReason::Stopping, true);
            return;
        }
    };
    for (i, step) in flow.steps.iter().enumerate() {
        let step_job = if i == 0 {
            job
        } else {
            if !pause(ctx, step.think, rng).await {
                return ended(FlowEnd::Stopped);
            }
            let at = Instant::now().saturating_duration_since(ctx.t0);
            ctx.sink.dispatched(step.op, at);
            let job = Job {
                op: step.op,
                flow: Some(f),
                n: job.n,
                at,
            };
            request::throttle(ctx, step.op).await;
            job
        };
        let keep = !step.captures.is_empty();
        let Some(sent) = request::send_one(ctx, step_job, Some(&values), keep, rng).await else {
            // Not sent (the token guard refused it): counted as dropped, and the flow stops.
            return ended(if i == 0 {
                FlowEnd::Dropped
            } else {
                FlowEnd::Stopped
            });
        };
        if !matches!(sent.outcome, Outcome::Http(200..=299)) {
            return ended(FlowEnd::Failed);
        }
        for c in &step.captures {
            match sent.kept.as_ref().and_then(|k| capture(k, c)) {
                Some(v) => values.set(&c.name, v),
                None => return ended(FlowEnd::CaptureFailed),
            }
        }
    }
    ended(FlowEnd::Completed);
}

/// Waits `think` (uniform in its bounds); `false` when an urgent stop came first.
async fn pause<T: Transport>(ctx: &Ctx<T>, think: Think, rng: &mut ChaCha8Rng) -> bool {
    if ctx.stopper.is_abandoned() {
        return false;
    }
    if think.is_zero() {
        return true;
    }
    let wait = if think.max > think.min {
        let span = (think.max - think.min).as_micros() as u64;
        think.min + Duration::from_micros(rng.random_range(0..=span))
    } else {
        think.min
    };
    tokio::select! {
        () = tokio::time::sleep(wait) => !ctx.stopper.is_abandoned(),
        () = ctx.stopper.abandoned() => false,
    }
}

/// The captured value: a JSON string as its text, other JSON values as JSON, a header's text.
/// `None` when it is not there (or is JSON `null`).
pub fn capture(kept: &Kept, c: &Capture) -> Option<String> {
    match &c.from {
        CaptureFrom::Json(pointer) => {
            let doc: serde_json::Value = serde_json::from_slice(&kept.body).ok()?;
            match doc.pointer(pointer)? {
                serde_json::Value::Null => None,
                serde_json::Value::String(s) => Some(s.clone()),
                other => Some(other.to_string()),
            }
        }
        CaptureFrom::Header(name) => kept
            .headers
            .get(name.as_str())
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captures_read_strings_numbers_and_headers_and_miss_nulls() {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert("etag", reqwest::header::HeaderValue::from_static("W/\"7\""));
        let kept = Kept {
            body: bytes::Bytes::from_static(
                br#"{"user_id":"auth0|1","n":3,"a":[{"id":"x"}],"z":null}"#,
            ),
            headers,
        };
        let c = |name: &str, from: CaptureFrom| Capture {
            name: name.into(),
            from,
        };
        let json = |p: &str| CaptureFrom::Json(p.into());
        assert_eq!(
            capture(&kept, &c("id", json("/user_id"))).as_deref(),
            Some("auth0|1")
        );
        assert_eq!(capture(&kept, &c("n", json("/n"))).as_deref(), Some("3"));
        assert_eq!(
            capture(&kept, &c("x", json("/a/0/id"))).as_deref(),
            Some("x")
        );
        assert_eq!(capture(&kept, &c("z", json("/z"))), None);
        assert_eq!(capture(&kept, &c("m", json("/missing"))), None);
        assert_eq!(
            capture(&kept, &c("e", CaptureFrom::Header("etag".into()))).as_deref(),
            Some("W/\"7\"")
        );
        assert_eq!(
            capture(&kept, &c("h", CaptureFrom::Header("x-no".into()))),
            None
        );
        let not_json = Kept {
            body: bytes::Bytes::from_static(b"<html>"),
            headers: Default::default(),
        };
        assert_eq!(capture(&not_json, &c("id", json("/user_id"))), None);
    }
}
