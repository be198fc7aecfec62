//! One scenario run on several tiers: the rows of `comparison.csv` (tiers mode), whether each
//! tier fits, and which is the cheapest that does.
//!
//! Fit criterion: with thresholds in the scenario, a tier fits when every threshold held; with
//! none, when no request got a 429 and none failed otherwise. Either way something must have
//! been sent. A tier whose monthly M2M quota is unknown (`[quota] unknown = true` in its tier
//! file) and whose run counted tokens toward that quota is "unknown", never "fits": its quota
//! was not published, so nothing says the month's tokens fit in it. The cheapest fitting tier
//! follows [`cost`]'s order among production tiers.

use crate::metrics::threshold::ALL;
use crate::metrics::{Snapshot, ThresholdResult};
use crate::report::verdict::total_row;

use super::cost;
use super::metric::QUOTA_PREFIX;
use super::normalize;

/// One tier's finished run.
pub struct TierRun<'a> {
    pub tier: String,
    /// The run's folder, relative to the comparison folder (`<tier>/`).
    pub folder: String,
    pub snapshot: &'a Snapshot,
    pub thresholds: &'a [ThresholdResult],
    /// The tier's monthly M2M quota is not published (`TierProfile.quota_unknown`).
    pub quota_unknown: bool,
}

/// One row of `comparison.csv` (tiers mode): a tier × operation (request columns filled, quota
/// columns empty) or a tier × `quota:<audience>` / `quota:ALL` (the other way round).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TierRow {
    pub tier: String,
    pub operation: String,
    /// management | token | http | all | quota
    pub kind: String,
    pub scheduled: Option<u64>,
    pub sent: Option<u64>,
    pub dropped: Option<u64>,
    pub ok: Option<u64>,
    pub status_429: Option<u64>,
    /// Other 4xx, 5xx and transport errors.
    pub errors: Option<u64>,
    pub achieved_rps: Option<f64>,
    pub ratio_429: Option<f64>,
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub first_429_s: Option<f64>,
    pub tokens_issued: Option<u64>,
    pub projected_month: Option<f64>,
    pub tier_monthly_quota: Option<u64>,
    pub projected_pct_of_quota: Option<f64>,
    // --- appended after the first columns ---
    pub ok_rps: Option<f64>,
    pub wire_rps: Option<f64>,
}

/// The rows of one tier: its operations (summary order, `ALL` last as in summary.csv), each
/// counting audience as `quota:<audience>`, then `quota:ALL` (all counting audiences together).
pub fn rows(run: &TierRun) -> Vec<TierRow> {
    let s = run.snapshot;
    let mut out = Vec::new();
    for r in &s.summary {
        out.push(TierRow {
            tier: run.tier.clone(),
            operation: normalize::operation(&r.operation),
            kind: r.kind.clone(),
            scheduled: Some(r.scheduled),
            sent: Some(r.sent),
            dropped: Some(r.dropped),
            ok: Some(r.ok),
            status_429: Some(r.status_429),
            errors: Some(r.status_4xx + r.status_5xx + r.transport_errors),
            achieved_rps: Some(r.achieved_rps),
            ratio_429: (r.sent > 0).then(|| r.status_429 as f64 / r.sent as f64),
            p50_ms: Some(r.p50_ms),
            p99_ms: Some(r.p99_ms),
            first_429_s: r.first_429_s,
            ok_rps: Some(r.ok_rps),
            wire_rps: Some(r.wire_rps),
            ..TierRow::default()
        });
    }
    let quota = crate::report::run_info::RunInfo::from_snapshot(s).tier_monthly_quota;
    let counting: Vec<_> = s
        .audiences
        .iter()
        .filter(|a| a.counts_toward_quota)
        .collect();
    for a in &counting {
        out.push(quota_row(
            run,
            &normalize::audience(&a.audience),
            a.tokens_issued,
            a.projected_month,
            quota,
        ));
    }
    let tokens = counting.iter().map(|a| a.tokens_issued).sum();
    let month = counting.iter().map(|a| a.projected_month).sum();
    out.push(quota_row(run, ALL, tokens, month, quota));
    out
}

fn quota_row(
    run: &TierRun,
    audience: &str,
    tokens: u64,
    month: f64,
    quota: Option<u64>,
) -> TierRow {
    TierRow {
        tier: run.tier.clone(),
        operation: format!("{QUOTA_PREFIX}{audience}"),
        kind: "quota".into(),
        tokens_issued: Some(tokens),
        projected_month: Some(month),
        tier_monthly_quota: quota,
        projected_pct_of_quota: quota.filter(|q| *q > 0).map(|q| month * 100.0 / q as f64),
        ..TierRow::default()
    }
}

/// Whether a tier fits, and why not.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    pub fits: bool,
    /// Nothing else failed, but the run counted tokens toward a quota nobody published.
    pub unknown: bool,
    /// Plain reasons it does not fit, e.g. "ALL max_429_ratio 0.250 > 0.01", "25 429s".
    pub why_not: Vec<String>,
}

/// Judges one tier by the fit criterion (module docs).
pub fn fit(run: &TierRun) -> Fit {
    let all = total_row(run.snapshot);
    let mut why_not = Vec::new();
    if all.sent == 0 {
        why_not.push("nothing was sent".to_string());
    }
    if run.thresholds.is_empty() {
        let errors = all.status_4xx + all.status_5xx + all.transport_errors;
        if all.status_429 > 0 {
            why_not.push(format!("{} requests got 429", all.status_429));
        }
        if errors > 0 {
            why_not.push(format!("{errors} requests failed otherwise"));
        }
    } else {
        why_not.extend(
            run.thresholds
                .iter()
                .filter(|t| !t.passed)
                .map(|t| t.to_string().trim_start_matches("FAIL ").to_string()),
        );
    }
    let counted = run
        .snapshot
        .audiences
        .iter()
        .any(|a| a.counts_toward_quota && a.tokens_issued > 0);
    let unknown = why_not.is_empty() && run.quota_unknown && counted;
    if unknown {
        why_not.push(format!(
            "quota unknown for {}: its monthly M2M quota is not published, so the run's counted tokens are not known to fit (not assumed unlimited)",
            run.tier
        ));
    }
    Fit {
        fits: why_not.is_empty(),
        unknown,
        why_not,
    }
}

/// The cheapest production tier (cost order) that fits, if any.
pub fn cheapest_fit<'a>(runs: &'a [TierRun<'a>]) -> Option<&'a TierRun<'a>> {
    runs.iter()
        .filter(|r| cost::is_production(&r.tier) && fit(r).fits)
        .min_by_key(|r| cost::rank(&r.tier))
}

/// How the fit was judged, for the verdict.
pub fn criterion(runs: &[TierRun]) -> String {
    let n = runs.iter().map(|r| r.thresholds.len()).max().unwrap_or(0);
    if n == 0 {
        "The scenario sets no thresholds, so a tier fits when no request got a 429 and none failed otherwise.".to_string()
    } else {
        let which = if n == 1 {
            "the scenario's one threshold holds".to_string()
        } else {
            format!("all {n} of the scenario's thresholds hold")
        };
        format!("A tier fits when {which}.")
    }
}
