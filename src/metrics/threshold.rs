//! Thresholds: measuring each [`ThresholdPlan`] against a run's summary and audiences. Pure: the
//! engine calls [`evaluate`] live (to stop on `abort = true`), the CLI at the end (exit code 3).
//! Knows no files; the report module writes `thresholds.csv`.
//!
//! What each metric measures, for an operation's row of `summary.csv` (or the `ALL` row when the
//! threshold names no operation):
//! - `p99_ms`, `p50_ms`: corrected latency (from the intended start), milliseconds, ≤ limit.
//! - `max_429_ratio`: `status_429 / sent`, ≤ limit.
//! - `max_error_ratio`: `(sent − ok) / sent` (429s count as errors here), ≤ limit.
//! - `min_achieved_rps`: `achieved_rps`, ≥ limit; `min_ok_rps`: `ok_rps`, ≥ limit.
//! - `max_wire_rps`: `wire_rps` (attempts on the wire, retries included), ≤ limit.
//! - `max_quota_pct`: the largest `projected_pct_of_quota` over the audiences that count toward
//!   the M2M quota, ≤ limit. Audiences are not per operation, so an operation-scoped
//!   `max_quota_pct` measures the same tenant-wide value as an `ALL` one.
//!
//! No data: when the row is missing or `sent = 0` (or no counting audience has a quota
//! percentage), `measured` is `None`. Then `min_achieved_rps` **fails** (nothing was achieved)
//! and every maximum-style threshold **passes** (nothing exceeded it).

use std::fmt;

use super::{AudienceRow, SummaryRow};
use crate::scenario::{ThresholdMetric, ThresholdPlan};

/// Operation name used for run-wide thresholds and the summary's total row.
pub const ALL: &str = "ALL";

/// One threshold, measured.
#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdResult {
    /// Operation name, or `"ALL"`.
    pub operation: String,
    pub metric: ThresholdMetric,
    pub limit: f64,
    /// `None` when there was no data to measure (see the module docs).
    pub measured: Option<f64>,
    pub passed: bool,
    /// The scenario asked to stop the run when this breaks.
    pub abort: bool,
}

/// Measures every threshold. `ops` are the operation names by plan index.
pub fn evaluate(
    thresholds: &[ThresholdPlan],
    ops: &[String],
    summary: &[SummaryRow],
    audiences: &[AudienceRow],
) -> Vec<ThresholdResult> {
    thresholds
        .iter()
        .map(|t| {
            let operation = match t.operation {
                None => ALL.to_string(),
                Some(i) => ops
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("operation #{i}")),
            };
            let row = summary.iter().find(|r| r.operation == operation);
            let measured = measure(t.metric, row, audiences);
            ThresholdResult {
                passed: judge(t.metric, t.limit, measured),
                operation,
                metric: t.metric,
                limit: t.limit,
                measured,
                abort: t.abort,
            }
        })
        .collect()
}

/// True when every result passed (also for an empty list).
pub fn all_passed(results: &[ThresholdResult]) -> bool {
    results.iter().all(|r| r.passed)
}

fn measure(
    metric: ThresholdMetric,
    row: Option<&SummaryRow>,
    audiences: &[AudienceRow],
) -> Option<f64> {
    if metric == ThresholdMetric::MaxQuotaPct {
        return audiences
            .iter()
            .filter(|a| a.counts_toward_quota)
            .filter_map(|a| a.projected_pct_of_quota)
            .reduce(f64::max);
    }
    let row = row.filter(|r| r.sent > 0)?;
    let sent = row.sent as f64;
    Some(match metric {
        ThresholdMetric::P99Ms => row.p99_ms,
        ThresholdMetric::P50Ms => row.p50_ms,
        ThresholdMetric::Max429Ratio => row.status_429 as f64 / sent,
        ThresholdMetric::MaxErrorRatio => row.sent.saturating_sub(row.ok) as f64 / sent,
        ThresholdMetric::MinAchievedRps => row.achieved_rps,
        ThresholdMetric::MinOkRps => row.ok_rps,
        ThresholdMetric::MaxWireRps => row.wire_rps,
        ThresholdMetric::MaxQuotaPct => return None,
    })
}

fn judge(metric: ThresholdMetric, limit: f64, measured: Option<f64>) -> bool {
    match measured {
        None => !metric.is_minimum(),
        Some(v) if metric.is_minimum() => v >= limit,
        Some(v) => v <= limit,
    }
}

/// Parses a metric key as written in scenarios and `thresholds.csv` (`p99_ms`, ...).
pub fn metric_from_key(key: &str) -> Option<ThresholdMetric> {
    ThresholdMetric::ALL.into_iter().find(|m| m.key() == key)
}

/// `PASS list-users p99_ms 412.300 <= 800`, `FAIL ALL min_achieved_rps 3.000 < 10`,
/// `PASS ALL max_429_ratio no-data <= 0.05`.
impl fmt::Display for ThresholdResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed { "PASS" } else { "FAIL" };
        let op = match (self.metric.is_minimum(), self.passed) {
            (true, true) => ">=",
            (true, false) => "<",
            (false, true) => "<=",
            (false, false) => ">",
        };
        let measured = match self.measured {
            Some(v) => format!("{v:.3}"),
            None => "no-data".to_string(),
        };
        write!(
            f,
            "{verdict} {} {} {measured} {op} {}",
            self.operation,
            self.metric.key(),
            self.limit
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(op: &str, sent: u64, ok: u64, n429: u64, p99: f64, rps: f64) -> SummaryRow {
        SummaryRow {
            operation: op.into(),
            scheduled: sent,
            sent,
            ok,
            status_429: n429,
            p50_ms: p99 / 2.0,
            p99_ms: p99,
            achieved_rps: rps,
            ..SummaryRow::default()
        }
    }

    fn plan(op: Option<usize>, metric: ThresholdMetric, limit: f64) -> ThresholdPlan {
        ThresholdPlan {
            operation: op,
            metric,
            limit,
            abort: false,
        }
    }

    #[test]
    fn table() {
        use ThresholdMetric::*;
        let ops = vec!["list-users".to_string(), "idle".to_string()];
        let summary = vec![
            row("list-users", 200, 180, 15, 412.3, 10.0),
            row("idle", 0, 0, 0, 0.0, 0.0),
            row(ALL, 200, 180, 15, 412.3, 10.0),
        ];
        let audiences = vec![
            AudienceRow {
                counts_toward_quota: true,
                projected_pct_of_quota: Some(250.0),
                ..AudienceRow::default()
            },
            AudienceRow {
                internal: true,
                projected_pct_of_quota: Some(9999.0),
                ..AudienceRow::default()
            },
        ];
        // (operation, metric, limit, measured, passed)
        let table = [
            (Some(0), P99Ms, 800.0, Some(412.3), true),
            (Some(0), P99Ms, 400.0, Some(412.3), false),
            (Some(0), P50Ms, 206.15, Some(206.15), true),
            (Some(0), Max429Ratio, 0.05, Some(0.075), false),
            (None, Max429Ratio, 0.1, Some(0.075), true),
            (Some(0), MaxErrorRatio, 0.1, Some(0.1), true),
            (Some(0), MinAchievedRps, 10.0, Some(10.0), true),
            (Some(0), MinAchievedRps, 10.5, Some(10.0), false),
            (Some(1), P99Ms, 1.0, None, true),
            (Some(1), MinAchievedRps, 1.0, None, false),
            (Some(7), Max429Ratio, 0.0, None, true),
            (None, MaxQuotaPct, 300.0, Some(250.0), true),
            (Some(0), MaxQuotaPct, 100.0, Some(250.0), false),
        ];
        for (op, metric, limit, measured, passed) in table {
            let r = evaluate(&[plan(op, metric, limit)], &ops, &summary, &audiences);
            assert_eq!(r.len(), 1);
            assert_eq!(r[0].measured, measured, "{op:?} {metric:?}");
            assert_eq!(r[0].passed, passed, "{op:?} {metric:?} {limit}");
        }
        let none = evaluate(&[plan(None, MaxQuotaPct, 1.0)], &ops, &summary, &[]);
        assert_eq!((none[0].measured, none[0].passed), (None, true));
    }

    #[test]
    fn display() {
        let mut r = ThresholdResult {
            operation: "list-users".into(),
            metric: ThresholdMetric::P99Ms,
            limit: 800.0,
            measured: Some(412.3),
            passed: true,
            abort: false,
        };
        assert_eq!(r.to_string(), "PASS list-users p99_ms 412.300 <= 800");
        r.measured = Some(912.0);
        r.passed = false;
        assert_eq!(r.to_string(), "FAIL list-users p99_ms 912.000 > 800");
        r.metric = ThresholdMetric::MinAchievedRps;
        r.measured = None;
        r.limit = 2.5;
        assert_eq!(
            r.to_string(),
            "FAIL list-users min_achieved_rps no-data < 2.5"
        );
        assert_eq!(
            metric_from_key("max_429_ratio"),
            Some(ThresholdMetric::Max429Ratio)
        );
        assert_eq!(metric_from_key("p98_ms"), None);
    }
}
