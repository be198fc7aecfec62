//! The `--format json` documents of `compare` (`quotaprobe.compare/1`), `validate`
//! (`quotaprobe.validate/1`) and `plan` (`quotaprobe.plan/1`), built with serde_json
//! (docs/reports.md "Machine-readable output"). `run`'s is report.json ([`super::json`]).

use std::path::Path;

use serde_json::{Value, json};

use super::compare::rule::RuleResult;
use super::compare::tiers::{TierRun, cheapest_fit, fit};
use super::verdict::total_row;
use crate::scenario::forecast::Forecast;
use crate::scenario::request::LoadTestRequest;

/// `compare DIR DIR...`: every rule on every compared run.
pub fn compare_runs(
    runs: &[String],
    results: &[RuleResult],
    warnings: &[String],
    dir: Option<&Path>,
) -> Value {
    let rules: Vec<Value> = results
        .iter()
        .map(|r| {
            json!({
                "rule": r.rule,
                "run": r.run,
                "passed": r.passed,
                "breaches": r.breaches,
                "worst": r.worst.as_ref().map(|w| json!({
                    "operation": w.operation,
                    "metric": w.metric.key(),
                    "baseline": w.baseline,
                    "value": w.value,
                    "delta": w.delta,
                    "delta_pct": w.delta_pct,
                })),
            })
        })
        .collect();
    json!({
        "schema": "quotaprobe.compare/1",
        "mode": "runs",
        "baseline": runs.first(),
        "runs": runs,
        "rules": rules,
        "passed": results.iter().all(|r| r.passed),
        "warnings": warnings,
        "comparison_dir": dir.map(|d| d.display().to_string()),
    })
}

/// `compare SCENARIO --tiers ...`: each tier's totals and fit, and the cheapest that fits.
pub fn compare_tiers(runs: &[TierRun], dir: &Path) -> Value {
    let tiers: Vec<Value> = runs
        .iter()
        .map(|r| {
            let all = total_row(r.snapshot);
            let f = fit(r);
            json!({
                "tier": r.tier,
                "folder": dir.join(&r.folder).display().to_string(),
                "fits": f.fits,
                "why_not": f.why_not,
                "sent": all.sent,
                "ok": all.ok,
                "status_429": all.status_429,
                "dropped": all.dropped,
                "thresholds_passed": crate::metrics::threshold::all_passed(r.thresholds),
            })
        })
        .collect();
    json!({
        "schema": "quotaprobe.compare/1",
        "mode": "tiers",
        "tiers": tiers,
        "cheapest_fit": cheapest_fit(runs).map(|r| r.tier.clone()),
        "comparison_dir": dir.display().to_string(),
    })
}

/// `validate --format json`: the forecast of a valid scenario.
pub fn validate(scenario: &str, target: &str, f: &Forecast, quota: Option<u64>) -> Value {
    let phases: Vec<Value> = f
        .phases
        .iter()
        .map(|p| {
            json!({
                "name": p.name,
                "duration_s": p.duration.as_secs_f64(),
                "rate_per_s": p.rate_per_s,
                "ramp_to_per_s": p.ramp_to_per_s,
                "arrivals": p.arrivals,
                "concurrency": p.concurrency,
            })
        })
        .collect();
    let operations: Vec<Value> = f
        .operations
        .iter()
        .map(|o| {
            json!({
                "name": o.name, "kind": o.kind, "endpoint": o.endpoint, "share": o.share,
                "requests": o.requests, "peak_rps": o.peak_rps,
            })
        })
        .collect();
    let audiences: Vec<Value> = f
        .audiences
        .iter()
        .map(|a| {
            json!({
                "audience": a.audience, "internal": a.internal,
                "token_requests": a.token_requests, "basis": a.basis,
            })
        })
        .collect();
    json!({
        "schema": "quotaprobe.validate/1",
        "valid": true,
        "scenario": scenario,
        "target": target,
        "duration_s": f.duration.as_secs_f64(),
        "total_arrivals": f.total_arrivals,
        "counted_tokens": f.counted_tokens,
        "tier_monthly_quota": quota,
        "phases": phases,
        "operations": operations,
        "audiences": audiences,
    })
}

/// `plan --format json`: the load-test request.
pub fn plan(r: &LoadTestRequest) -> Value {
    json!({
        "schema": "quotaprobe.plan/1",
        "scenario": r.scenario,
        "tenant": r.tenant,
        "duration_s": r.duration.as_secs_f64(),
        "total_requests": r.total_requests,
        "endpoints": r.endpoints.iter().map(|(e, rps)| json!({"endpoint": e, "peak_rps": rps})).collect::<Vec<_>>(),
        "steps": r.steps.iter().map(|(n, d, from, to)| json!({
            "phase": n, "duration_s": d.as_secs_f64(), "rate_from": from, "rate_to": to,
        })).collect::<Vec<_>>(),
        "tokens": r.tokens.iter().map(|(a, n, counts)| json!({
            "audience": a, "token_requests": n, "counts_toward_quota": counts,
        })).collect::<Vec<_>>(),
        "findings": r.findings,
    })
}
