//! Phases, retries, stops and HTTP timeouts: when and how hard requests are sent.

use std::time::Duration;

use super::Resolver;
use crate::scenario::plan::*;
use crate::scenario::spec::{HttpSpec, PacingSpec, PhaseSpec, RetrySpec, StopSpec};

use super::limits::{DEFAULT_MAX_IN_FLIGHT, MAX_IN_FLIGHT, MAX_RATE, open_cap};
/// Longest phase; keeps every sum of durations far from overflow.
const MAX_PHASE: Duration = Duration::from_secs(30 * 86_400);

/// The phases; `time_of_day` is where the run starts on the calendar (for `hourly`).
pub(super) fn phases(
    r: &mut Resolver<'_>,
    specs: &[PhaseSpec],
    time_of_day: Duration,
) -> Vec<PhasePlan> {
    if specs.is_empty() {
        r.problem(
            &["phases"],
            "a scenario needs at least one [[phases]] entry with duration and rate (or concurrency)",
        );
    }
    let mut out = Vec::new();
    let mut phase_start = time_of_day;
    for (i, p) in specs.iter().enumerate() {
        let idx = i.to_string();
        let idx = idx.as_str();
        let mut duration = r.duration(&["phases", idx, "duration"], &p.duration);
        if duration.is_some_and(|d| d > MAX_PHASE) {
            r.problem(
                &["phases", idx, "duration"],
                "must be at most 30 days; split a longer soak into runs",
            );
            duration = None;
        }
        let starts_at = phase_start;
        phase_start += duration.unwrap_or_default();
        if let Some(rates) = &p.hourly {
            let cycle = super::calendar::hourly(r, idx, p, rates, starts_at);
            let cap = open_cap(r, &["phases", idx, "max_in_flight"], p.max_in_flight);
            if let (Some(cycle), Some(duration), Some(max_in_flight)) = (cycle, duration, cap) {
                out.push(PhasePlan {
                    name: p.name.clone().unwrap_or_else(|| format!("phase-{}", i + 1)),
                    duration,
                    rate_per_s: cycle.mean_rate(),
                    ramp_to_per_s: cycle.mean_rate(),
                    max_in_flight,
                    concurrency: None,
                    cycle: Some(cycle),
                });
            }
            continue;
        }
        let mut ok = duration.is_some();
        let load = match (p.rate, p.concurrency) {
            (Some(rate), None) => {
                for (key, value) in [("rate", Some(rate)), ("ramp_to", p.ramp_to)] {
                    if let Some(v) = value
                        && (!v.is_finite() || v <= 0.0 || v > MAX_RATE)
                    {
                        r.problem(
                            &["phases", idx, key],
                            format!("must be > 0 and <= {MAX_RATE} arrivals per second, got {v}"),
                        );
                        ok = false;
                    }
                }
                Load::Open {
                    rate,
                    ramp_to: p.ramp_to.unwrap_or(rate),
                }
            }
            (None, Some(n)) => closed(r, idx, p, n, &mut ok),
            (Some(_), Some(_)) => {
                r.problem(
                    &["phases", idx, "concurrency"],
                    "cannot be combined with rate: a phase is either open (rate = arrivals per second) or a closed loop (concurrency = requests back to back); remove one",
                );
                ok = false;
                Load::Closed(1)
            }
            (None, None) => {
                r.problem(
                    &["phases", idx],
                    "needs rate = N (open model: arrivals per second) or concurrency = N (closed loop: N requests back to back)",
                );
                ok = false;
                Load::Closed(1)
            }
        };
        let max_in_flight = match load {
            Load::Closed(n) => n,
            Load::Open { .. } => open_cap(r, &["phases", idx, "max_in_flight"], p.max_in_flight)
                .unwrap_or_else(|| {
                    ok = false;
                    DEFAULT_MAX_IN_FLIGHT
                }),
        };
        if let (true, Some(duration)) = (ok, duration) {
            // `concurrency` is the closed loop's; an open phase's cycle is set above.
            let (rate_per_s, ramp_to_per_s, concurrency) = match load {
                Load::Open { rate, ramp_to } => (rate, ramp_to, None),
                Load::Closed(n) => (0.0, 0.0, Some(n)),
            };
            out.push(PhasePlan {
                name: p.name.clone().unwrap_or_else(|| format!("phase-{}", i + 1)),
                duration,
                rate_per_s,
                ramp_to_per_s,
                max_in_flight,
                concurrency,
                cycle: None,
            });
        }
    }
    out
}

/// How a phase generates load, as written.
#[derive(Clone, Copy)]
enum Load {
    Open { rate: f64, ramp_to: f64 },
    Closed(usize),
}

/// A closed-loop phase: `concurrency` in range, and no open-model keys beside it.
fn closed(r: &mut Resolver<'_>, idx: &str, p: &PhaseSpec, n: i64, ok: &mut bool) -> Load {
    for (key, set) in [
        ("ramp_to", p.ramp_to.is_some()),
        ("max_in_flight", p.max_in_flight.is_some()),
    ] {
        if set {
            r.problem(
                &["phases", idx, key],
                "does not apply to a closed loop (concurrency is the number of requests in flight); remove it",
            );
            *ok = false;
        }
    }
    if (1..=MAX_IN_FLIGHT).contains(&n) {
        Load::Closed(n as usize)
    } else {
        r.problem(
            &["phases", idx, "concurrency"],
            format!("must be between 1 and {MAX_IN_FLIGHT} requests in flight, got {n}"),
        );
        *ok = false;
        Load::Closed(1)
    }
}

pub(super) fn retry(r: &mut Resolver<'_>, spec: Option<&RetrySpec>) -> RetryPlan {
    let policy_name = spec.and_then(|s| s.policy.as_deref()).unwrap_or("none");
    let (policy, default_retries) = match policy_name {
        "none" => (RetryPolicy::None, 0),
        "retry-after" => (RetryPolicy::RetryAfter, 2),
        "exponential" => (RetryPolicy::Exponential, 3),
        "sdk-node" => (RetryPolicy::SdkNode, 2),
        "sdk-python" => (RetryPolicy::SdkPython, 3),
        other => {
            r.problem(&["retry", "policy"], format!("unknown policy {other:?}; use \"none\", \"retry-after\", \"exponential\", \"sdk-node\" or \"sdk-python\""));
            (RetryPolicy::None, 0)
        }
    };
    let mut plan = RetryPlan {
        policy,
        max_retries: default_retries,
        base: Duration::from_millis(500),
        cap: Duration::from_secs(10),
        jitter: 0.2,
    };
    let Some(spec) = spec else { return plan };
    if let Some(n) = spec.max_retries {
        if n > 10 {
            r.problem(
                &["retry", "max_retries"],
                format!("must be at most 10, got {n}"),
            );
        }
        if policy == RetryPolicy::None && n > 0 {
            r.problem(
                &["retry", "max_retries"],
                "policy = \"none\" never retries; pick a policy or remove max_retries",
            );
        }
        plan.max_retries = n.min(10);
    }
    if let Some(b) = &spec.base {
        plan.base = r.duration(&["retry", "base"], b).unwrap_or(plan.base);
    }
    if let Some(c) = &spec.cap {
        plan.cap = r.duration(&["retry", "cap"], c).unwrap_or(plan.cap);
    }
    if let Some(j) = spec.jitter {
        if !(0.0..=1.0).contains(&j) {
            r.problem(
                &["retry", "jitter"],
                format!("must be between 0 and 1, got {j}"),
            );
        } else {
            plan.jitter = j;
        }
    }
    plan
}

pub(super) fn stop(r: &mut Resolver<'_>, spec: Option<&StopSpec>) -> StopPlan {
    let Some(spec) = spec else {
        return StopPlan::default();
    };
    for (key, value) in [
        ("max_requests", spec.max_requests),
        ("max_tokens", spec.max_tokens),
    ] {
        if value == Some(0) {
            r.problem(&["stop", key], "must be > 0; remove it for no limit");
        }
    }
    StopPlan {
        max_duration: spec
            .max_duration
            .as_ref()
            .and_then(|d| r.duration(&["stop", "max_duration"], d)),
        max_requests: spec.max_requests,
        max_tokens: spec.max_tokens,
        min_quota_remaining: spec.min_quota_remaining,
    }
}

pub(super) fn pacing(r: &mut Resolver<'_>, spec: Option<&PacingSpec>) -> PacingPlan {
    let mut plan = PacingPlan::default();
    if let Some(t) = spec.and_then(|s| s.drop_late_after.as_ref()) {
        match r.duration(&["pacing", "drop_late_after"], t) {
            Some(d) if d <= Duration::from_secs(60) => plan.drop_late_after = d,
            Some(_) => r.problem(
                &["pacing", "drop_late_after"],
                "must be at most 60s: a longer stall would release a minute of arrivals at once",
            ),
            None => {}
        }
    }
    plan
}

pub(super) fn http(r: &mut Resolver<'_>, spec: Option<&HttpSpec>) -> HttpPlan {
    let mut plan = HttpPlan {
        timeout: Duration::from_secs(10),
        connect_timeout: Duration::from_secs(5),
    };
    if let Some(spec) = spec {
        if let Some(t) = &spec.timeout {
            plan.timeout = r.duration(&["http", "timeout"], t).unwrap_or(plan.timeout);
        }
        if let Some(t) = &spec.connect_timeout {
            plan.connect_timeout = r
                .duration(&["http", "connect_timeout"], t)
                .unwrap_or(plan.connect_timeout);
        }
    }
    plan
}
