//! `comparison.csv` in both modes, through the report's [`Table`] trait (same cell formats as
//! the run CSVs: 3 decimals, empty cell for "none"). Columns are listed in the module docs of
//! [`super`].

use super::metric::Metric;
use super::runs::DeltaRow;
use super::tiers::TierRow;
use crate::report::tables::{Record, Table, opt_fixed3, opt_int};

/// File name of the comparison table in both modes.
pub const FILE: &str = "comparison.csv";

/// A relative change: 3 decimals, `inf`/`-inf` from a baseline of 0, empty when unknown.
fn opt_change(v: Option<f64>) -> String {
    match v {
        Some(v) if v.is_infinite() => if v > 0.0 { "inf" } else { "-inf" }.to_string(),
        v => opt_fixed3(v),
    }
}

impl Table for TierRow {
    const FILE: &'static str = FILE;
    const COLUMNS: &'static [&'static str] = &[
        "tier",
        "operation",
        "kind",
        "scheduled",
        "sent",
        "dropped",
        "ok",
        "status_429",
        "errors",
        "achieved_rps",
        "ratio_429",
        "p50_ms",
        "p99_ms",
        "first_429_s",
        "tokens_issued",
        "projected_month",
        "tier_monthly_quota",
        "projected_pct_of_quota",
        "ok_rps",
        "wire_rps",
    ];

    fn to_record(&self) -> Vec<String> {
        vec![
            self.tier.clone(),
            self.operation.clone(),
            self.kind.clone(),
            opt_int(self.scheduled),
            opt_int(self.sent),
            opt_int(self.dropped),
            opt_int(self.ok),
            opt_int(self.status_429),
            opt_int(self.errors),
            opt_fixed3(self.achieved_rps),
            opt_fixed3(self.ratio_429),
            opt_fixed3(self.p50_ms),
            opt_fixed3(self.p99_ms),
            opt_fixed3(self.first_429_s),
            opt_int(self.tokens_issued),
            opt_fixed3(self.projected_month),
            opt_int(self.tier_monthly_quota),
            opt_fixed3(self.projected_pct_of_quota),
            opt_fixed3(self.ok_rps),
            opt_fixed3(self.wire_rps),
        ]
    }

    fn from_record(r: &Record) -> Result<Self, String> {
        Ok(TierRow {
            tier: r.text("tier")?,
            operation: r.text("operation")?,
            kind: r.text("kind")?,
            scheduled: r.opt_u64("scheduled")?,
            sent: r.opt_u64("sent")?,
            dropped: r.opt_u64("dropped")?,
            ok: r.opt_u64("ok")?,
            status_429: r.opt_u64("status_429")?,
            errors: r.opt_u64("errors")?,
            achieved_rps: r.opt_f64("achieved_rps")?,
            ratio_429: r.opt_f64("ratio_429")?,
            p50_ms: r.opt_f64("p50_ms")?,
            p99_ms: r.opt_f64("p99_ms")?,
            first_429_s: r.opt_f64("first_429_s")?,
            tokens_issued: r.opt_u64("tokens_issued")?,
            projected_month: r.opt_f64("projected_month")?,
            tier_monthly_quota: r.opt_u64("tier_monthly_quota")?,
            projected_pct_of_quota: r.opt_f64("projected_pct_of_quota")?,
            ok_rps: r.opt_f64_extra("ok_rps")?,
            wire_rps: r.opt_f64_extra("wire_rps")?,
        })
    }
}

impl Table for DeltaRow {
    const FILE: &'static str = FILE;
    const COLUMNS: &'static [&'static str] = &[
        "baseline_run",
        "run",
        "operation",
        "metric",
        "baseline",
        "value",
        "delta",
        "delta_pct",
    ];

    fn to_record(&self) -> Vec<String> {
        vec![
            self.baseline_run.clone(),
            self.run.clone(),
            self.operation.clone(),
            self.metric.key().to_string(),
            opt_fixed3(self.baseline),
            opt_fixed3(self.value),
            opt_fixed3(self.delta),
            opt_change(self.delta_pct),
        ]
    }

    fn from_record(r: &Record) -> Result<Self, String> {
        let key = r.text("metric")?;
        Ok(DeltaRow {
            baseline_run: r.text("baseline_run")?,
            run: r.text("run")?,
            operation: r.text("operation")?,
            metric: Metric::from_key(&key).ok_or_else(|| format!("metric={key:?} is unknown"))?,
            baseline: r.opt_f64("baseline")?,
            value: r.opt_f64("value")?,
            delta: r.opt_f64("delta")?,
            delta_pct: r.opt_f64("delta_pct")?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tables::{parse, to_csv};

    #[test]
    fn delta_rows_round_trip_with_infinite_changes() {
        let row = DeltaRow {
            baseline_run: "a".into(),
            run: "b".into(),
            operation: "ALL".into(),
            metric: Metric::Ratio429,
            baseline: Some(0.0),
            value: Some(0.25),
            delta: Some(0.25),
            delta_pct: Some(f64::INFINITY),
        };
        let bytes = to_csv(std::slice::from_ref(&row)).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.ends_with("a,b,ALL,ratio_429,0.000,0.250,0.250,inf\n"),
            "{text}"
        );
        let back: Vec<DeltaRow> = parse(std::path::Path::new(FILE), &bytes).unwrap_or_default();
        assert_eq!(back, vec![row]);
    }
}
