//! `[target.simulated.faults]`: ratios in 0..=1 that together stay ≤ 1, durations, a window.

use std::time::Duration;

use super::Resolver;
use crate::scenario::plan::FaultPlan;
use crate::scenario::spec::FaultsSpec;

pub(super) fn faults(r: &mut Resolver<'_>, spec: Option<&FaultsSpec>) -> FaultPlan {
    let Some(f) = spec else {
        return FaultPlan::default();
    };
    let path = |key: &'static str| ["target", "simulated", "faults", key];
    let dur = |r: &mut Resolver<'_>, key: &'static str, v: &Option<String>| -> Duration {
        let Some(v) = v else { return Duration::ZERO };
        match humantime::parse_duration(v.trim()) {
            Ok(d) if d <= Duration::from_secs(86_400) => d,
            _ => {
                r.problem(
                    &path(key),
                    format!(
                        "{v:?} is not a duration up to 1 day; write it like \"50ms\" or \"5s\""
                    ),
                );
                Duration::ZERO
            }
        }
    };
    let plan_latency = dur(r, "latency", &f.latency);
    let latency_max = dur(r, "latency_max", &f.latency_max);
    let stall = dur(r, "stall", &f.stall);
    let token_exp_shortfall = dur(r, "token_exp_shortfall", &f.token_exp_shortfall);
    let from = dur(r, "from", &f.from);
    let until = f.until.as_ref().map(|_| dur(r, "until", &f.until));
    if f.latency_max.is_some() && latency_max < plan_latency {
        r.problem(
            &path("latency_max"),
            "must be at least latency (the added latency is uniform between them)",
        );
    }
    if until.is_some_and(|u| u <= from) {
        r.problem(&path("until"), "must be later than from");
    }
    let ratio = |r: &mut Resolver<'_>, key: &'static str, v: Option<f64>| -> f64 {
        match v {
            None => 0.0,
            Some(x) if (0.0..=1.0).contains(&x) => x,
            Some(x) => {
                r.problem(&path(key), format!("must be between 0 and 1, got {x}"));
                0.0
            }
        }
    };
    let plan = FaultPlan {
        latency: plan_latency,
        latency_max,
        error_ratio: ratio(r, "error_ratio", f.error_ratio),
        drop_ratio: ratio(r, "drop_ratio", f.drop_ratio),
        stall_ratio: ratio(r, "stall_ratio", f.stall_ratio),
        stall,
        malformed_ratio: ratio(r, "malformed_ratio", f.malformed_ratio),
        garbage_headers_ratio: ratio(r, "garbage_headers_ratio", f.garbage_headers_ratio),
        token_exp_shortfall,
        from,
        until,
    };
    let sum = plan.error_ratio
        + plan.drop_ratio
        + plan.stall_ratio
        + plan.malformed_ratio
        + plan.garbage_headers_ratio;
    if sum > 1.0 + 1e-9 {
        r.problem(
            &["target", "simulated", "faults"],
            format!(
                "the ratios add up to {sum}; a request gets at most one fault, so keep the sum <= 1"
            ),
        );
    }
    if plan.stall_ratio > 0.0 && plan.stall.is_zero() {
        r.problem(
            &path("stall"),
            "stall_ratio needs stall = \"...\" (how long the body is held back)",
        );
    }
    plan
}
