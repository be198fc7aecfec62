//! `kind = "flow"` operations: the steps (each resolved like any operation, named `FLOW/STEP`),
//! their think times and captures. The flow's own keys are only `name`, `kind`, `weight` and
//! `steps`; a step takes every key its kind takes, plus `capture`, `think` and `throttle`, but no
//! `weight` (a step runs once per flow). Whether each capture feeds a later step's hole is
//! checked with the other holes (scenario/resolve/data.rs).

use std::time::Duration;

use super::Resolver;
use super::data::valid_name;
use super::operations::{Resolved, key_at, kind, unused};
use super::target::positive;
use crate::scenario::plan::*;
use crate::scenario::spec::OperationSpec;

/// Resolves the flow at key path `at` into `out`: its steps as plan operations, and the flow.
pub(super) fn flow(
    r: &mut Resolver<'_>,
    at: &[&str],
    o: &OperationSpec,
    clients: &[ClientPlan],
    out: &mut Resolved,
) {
    unused(
        r,
        at,
        "flow",
        &[
            ("method", o.method.is_some()),
            ("path", o.path.is_some()),
            ("url", o.url.is_some()),
            ("client", o.client.is_some()),
            ("audience", o.audience.is_some()),
            ("scope", o.scope.is_some()),
            ("headers", !o.headers.is_empty()),
            ("body", o.body.is_some()),
            ("throttle", o.throttle.is_some()),
            ("capture", !o.capture.is_empty()),
            ("think", o.think.is_some()),
        ],
    );
    if o.steps.is_empty() {
        r.problem(
            at,
            "kind = \"flow\" needs its steps: one [[operations.steps]] table per request, in order",
        );
        return;
    }
    let mut steps = Vec::new();
    for (j, s) in o.steps.iter().enumerate() {
        let jdx = j.to_string();
        let mut step_at = key_at(at, "steps");
        step_at.push(&jdx);
        if s.kind == "flow" || !s.steps.is_empty() {
            r.problem(
                &key_at(&step_at, "kind"),
                "a flow's step is one request (token, management or http), not another flow",
            );
            continue;
        }
        if s.weight.is_some() {
            r.problem(
                &key_at(&step_at, "weight"),
                "a step runs once per flow; set weight on the flow instead",
            );
        }
        let earlier = &o.steps[..j];
        if s.name.trim().is_empty()
            || s.name.contains('/')
            || earlier.iter().any(|e| e.name == s.name)
        {
            r.problem(
                &key_at(&step_at, "name"),
                format!(
                    "step name {:?} must be non-empty, without '/' and unique in its flow",
                    s.name
                ),
            );
        }
        let Some(kind) = kind(r, &step_at, s, clients) else {
            continue;
        };
        let think = match (&s.think, j) {
            (None, _) => Think::default(),
            (Some(_), 0) => {
                r.problem(
                    &key_at(&step_at, "think"),
                    "the first step starts at the flow's arrival; pace flows with [[phases]], and put think on a later step",
                );
                Think::default()
            }
            (Some(t), _) => think_time(r, &key_at(&step_at, "think"), t),
        };
        let mut captures = Vec::new();
        for (name, from) in &s.capture {
            let mut key = key_at(&step_at, "capture");
            key.push(name);
            if matches!(kind, OperationKind::Token { .. }) {
                r.problem(
                    &key,
                    "a token step's response is the tool's (its token is never kept); capture from a management or http step",
                );
                continue;
            }
            if !valid_name(name) {
                r.problem(
                    &key,
                    "a capture's name is made of letters, digits, '_' or '-', starting with a letter or '_'",
                );
                continue;
            }
            match CaptureFrom::parse(from) {
                Ok(from) => captures.push(Capture {
                    name: name.clone(),
                    from,
                }),
                Err(e) => r.problem(&key, e),
            }
        }
        let throttle_per_s = positive(r, &key_at(&step_at, "throttle"), s.throttle);
        let op = out.operations.len();
        out.operations.push(OperationPlan {
            name: format!("{}/{}", o.name, s.name),
            kind,
            weight: 0,
            throttle_per_s,
        });
        out.keys
            .push(step_at.iter().map(|k| k.to_string()).collect());
        steps.push(StepPlan {
            op,
            think,
            captures,
        });
    }
    out.flows.push(FlowPlan {
        name: o.name.clone(),
        weight: o.weight.unwrap_or(1),
        steps,
    });
}

/// A non-flow operation takes none of a flow's or a step's keys.
pub(super) fn not_a_step(r: &mut Resolver<'_>, at: &[&str], o: &OperationSpec) {
    for (key, set, why) in [
        (
            "steps",
            !o.steps.is_empty(),
            "only kind = \"flow\" has steps",
        ),
        (
            "capture",
            !o.capture.is_empty(),
            "capture is for a flow's steps ([[operations.steps]])",
        ),
        (
            "think",
            o.think.is_some(),
            "think is for a flow's steps ([[operations.steps]])",
        ),
    ] {
        if set {
            r.problem(&key_at(at, key), format!("{why}; remove it"));
        }
    }
}

/// `"500ms"` or `"1s..3s"` (uniform between the two).
fn think_time(r: &mut Resolver<'_>, at: &[&str], text: &str) -> Think {
    let parse = |t: &str| humantime::parse_duration(t.trim()).ok();
    let parsed = match text.split_once("..") {
        Some((a, b)) => parse(a).zip(parse(b)),
        None => parse(text).map(|d| (d, d)),
    };
    match parsed {
        Some((min, max)) if min <= max && max <= Duration::from_secs(3600) => Think { min, max },
        Some(_) => {
            r.problem(
                at,
                format!("{text:?}: the first bound must not be above the second, and think is at most 1h"),
            );
            Think::default()
        }
        None => {
            r.problem(
                at,
                format!("{text:?} is not a think time; write it like \"500ms\" or \"1s..3s\""),
            );
            Think::default()
        }
    }
}
