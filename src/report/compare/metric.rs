//! The metrics a comparison measures per operation, read from one run's [`Snapshot`]:
//!
//! - `achieved_rps`: requests sent per second, failures included (summary.csv).
//! - `ok_rps`: successful requests per second; `wire_rps`: attempts on the wire per second,
//!   retries included (summary.csv).
//! - `ratio_429`: `status_429 / sent`.
//! - `error_ratio`: failures other than 429 (`status_4xx + status_5xx + transport_errors`) over
//!   `sent`; 429s have their own metric.
//! - `p50_ms`, `p99_ms`: corrected latency, milliseconds.
//! - `quota_pct`: projected monthly M2M token use as a percentage of the tier's quota
//!   (`projected_pct_of_quota` of audiences.csv). Audiences are not operations, so it is measured
//!   on the `ALL` row (sum over the audiences that count toward the quota) and on one
//!   `quota:<audience>` row per counting audience.
//!
//! A value is `None` when there is nothing to measure (`sent = 0`, or no quota).

use crate::metrics::Snapshot;
use crate::metrics::threshold::ALL;

use super::normalize;

/// A compared metric; `key()` is the name used in rules and `comparison.csv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    AchievedRps,
    Ratio429,
    ErrorRatio,
    P50Ms,
    P99Ms,
    QuotaPct,
    OkRps,
    WireRps,
}

impl Metric {
    /// Every metric, in table order.
    pub const ALL: [Metric; 8] = [
        Metric::AchievedRps,
        Metric::Ratio429,
        Metric::ErrorRatio,
        Metric::P50Ms,
        Metric::P99Ms,
        Metric::QuotaPct,
        Metric::OkRps,
        Metric::WireRps,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Metric::AchievedRps => "achieved_rps",
            Metric::Ratio429 => "ratio_429",
            Metric::ErrorRatio => "error_ratio",
            Metric::P50Ms => "p50_ms",
            Metric::P99Ms => "p99_ms",
            Metric::QuotaPct => "quota_pct",
            Metric::OkRps => "ok_rps",
            Metric::WireRps => "wire_rps",
        }
    }

    pub fn from_key(key: &str) -> Option<Metric> {
        Metric::ALL.into_iter().find(|m| m.key() == key)
    }
}

/// Prefix of the pseudo-operations that carry one audience's quota use.
pub const QUOTA_PREFIX: &str = "quota:";

/// One operation's metric values, by [`Metric::ALL`] index.
#[derive(Debug, Clone, PartialEq)]
pub struct OpValues {
    /// Normalised operation name (see [`normalize`]).
    pub operation: String,
    pub values: [Option<f64>; 8],
}

impl OpValues {
    pub fn get(&self, m: Metric) -> Option<f64> {
        let i = Metric::ALL.iter().position(|x| *x == m).unwrap_or(0);
        self.values[i]
    }
}

/// Every operation of a run (summary order, `ALL` included), then `quota:<audience>` rows.
pub fn values(s: &Snapshot) -> Vec<OpValues> {
    let mut out: Vec<OpValues> = Vec::new();
    for r in &s.summary {
        let operation = normalize::operation(&r.operation);
        if out.iter().any(|o| o.operation == operation) {
            continue;
        }
        let sent = (r.sent > 0).then_some(r.sent as f64);
        let errors = (r.status_4xx + r.status_5xx + r.transport_errors) as f64;
        let quota = if r.operation == ALL {
            total_quota_pct(s)
        } else {
            None
        };
        out.push(OpValues {
            operation,
            values: [
                Some(r.achieved_rps),
                sent.map(|n| r.status_429 as f64 / n),
                sent.map(|n| errors / n),
                sent.map(|_| r.p50_ms),
                sent.map(|_| r.p99_ms),
                quota,
                Some(r.ok_rps),
                Some(r.wire_rps),
            ],
        });
    }
    for a in s.audiences.iter().filter(|a| a.counts_toward_quota) {
        let operation = format!("{QUOTA_PREFIX}{}", normalize::audience(&a.audience));
        if out.iter().any(|o| o.operation == operation) {
            continue;
        }
        out.push(OpValues {
            operation,
            values: [
                None,
                None,
                None,
                None,
                None,
                a.projected_pct_of_quota,
                None,
                None,
            ],
        });
    }
    out
}

/// Sum of `projected_pct_of_quota` over the counting audiences; `None` when none has one.
pub fn total_quota_pct(s: &Snapshot) -> Option<f64> {
    s.audiences
        .iter()
        .filter(|a| a.counts_toward_quota)
        .filter_map(|a| a.projected_pct_of_quota)
        .reduce(|a, b| a + b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{AudienceRow, SummaryRow};

    #[test]
    fn values_per_operation_and_audience() {
        let s = Snapshot {
            summary: vec![
                SummaryRow {
                    operation: "token:https://127.0.0.1:9/api/v2/".into(),
                    sent: 4,
                    ok: 2,
                    status_429: 1,
                    status_5xx: 1,
                    p99_ms: 130.0,
                    ..SummaryRow::default()
                },
                SummaryRow {
                    operation: ALL.into(),
                    ..SummaryRow::default()
                },
            ],
            audiences: vec![AudienceRow {
                audience: "https://api.example.com/".into(),
                counts_toward_quota: true,
                projected_pct_of_quota: Some(250.0),
                ..AudienceRow::default()
            }],
            ..Snapshot::default()
        };
        let v = values(&s);
        assert_eq!(v.len(), 3);
        assert_eq!(v[0].operation, "token:Management API");
        assert_eq!(v[0].get(Metric::Ratio429), Some(0.25));
        assert_eq!(v[0].get(Metric::ErrorRatio), Some(0.25));
        assert_eq!(v[0].get(Metric::P99Ms), Some(130.0));
        assert_eq!(v[0].get(Metric::QuotaPct), None);
        assert_eq!(v[1].get(Metric::P99Ms), None); // nothing sent
        assert_eq!(v[1].get(Metric::QuotaPct), Some(250.0));
        assert_eq!(v[2].operation, "quota:https://api.example.com/");
        assert_eq!(v[2].get(Metric::QuotaPct), Some(250.0));
        assert_eq!(Metric::from_key("p99_ms"), Some(Metric::P99Ms));
        assert_eq!(Metric::from_key("p98_ms"), None);
    }
}
