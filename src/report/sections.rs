//! The tables of the documents, one builder per table: cells as people read them (thousands
//! separators, percentages, `-` for no value). The CSVs keep the exact values.

use super::doc_table::DocTable;
use super::numbers::{ms, pct, thousands, thousands_f};
use crate::metrics::{Snapshot, ThresholdResult};

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map(f).unwrap_or_else(|| "-".to_string())
}

/// Per operation (and ALL): counts, rate, latency, first 429.
pub fn operations(s: &Snapshot) -> DocTable {
    let header = vec![
        "operation",
        "kind",
        "scheduled",
        "sent",
        "ok",
        "429",
        "4xx",
        "5xx",
        "transport errors",
        "dropped",
        "retries",
        "rps",
        "ok rps",
        "wire rps",
        "p50 ms",
        "p99 ms",
        "p99.9 ms",
        "max ms",
        "service p99 ms",
        "first 429 s",
    ];
    let rows = s
        .summary
        .iter()
        .map(|r| {
            vec![
                r.operation.clone(),
                r.kind.clone(),
                thousands(r.scheduled),
                thousands(r.sent),
                thousands(r.ok),
                thousands(r.status_429),
                thousands(r.status_4xx),
                thousands(r.status_5xx),
                thousands(r.transport_errors),
                thousands(r.dropped),
                thousands(r.retries),
                format!("{:.3}", r.achieved_rps),
                format!("{:.3}", r.ok_rps),
                format!("{:.3}", r.wire_rps),
                ms(r.p50_ms),
                ms(r.p99_ms),
                ms(r.p999_ms),
                ms(r.max_ms),
                ms(r.service_p99_ms),
                opt(r.first_429_s, |v| format!("{v:.3}")),
            ]
        })
        .collect();
    table(
        "Operations",
        "One row per operation, then ALL; final outcomes after retries. rps counts requests sent (failures too), ok rps the successes, wire rps every attempt on the wire (retries too). Latency is corrected unless it says service. Per-second data: timeline.csv.",
        header,
        &(2..20).collect::<Vec<_>>(),
        rows,
    )
}

/// Per token audience: quota counting and the month's projection.
pub fn audiences(s: &Snapshot) -> DocTable {
    let header = vec![
        "audience",
        "counts toward quota",
        "token requests",
        "tokens issued",
        "denied 429",
        "denied other",
        "tokens / hour",
        "projected / month",
        "% of monthly quota",
        "runs out (day)",
        "projected from",
    ];
    let rows = s
        .audiences
        .iter()
        .map(|a| {
            vec![
                a.audience.clone(),
                if a.counts_toward_quota {
                    "yes"
                } else {
                    "no (Auth0 API)"
                }
                .to_string(),
                thousands(a.token_requests),
                thousands(a.tokens_issued),
                thousands(a.denied_429),
                thousands(a.denied_other),
                format!("{:.1}", a.tokens_per_hour),
                thousands_f(a.projected_month),
                opt(a.projected_pct_of_quota, pct),
                opt(a.quota_runs_out_day, |d| format!("{d:.1}")),
                a.projection_basis.clone(),
            ]
        })
        .collect();
    table(
        "Token audiences",
        "Who used the M2M token quota: one row per token audience. Projections extrapolate the observed rate; tokens the cache keeps count at their steady state (one per lifetime minus refresh skew per cache key), since a short run's single cache fill is no rate.",
        header,
        &(2..10).collect::<Vec<_>>(),
        rows,
    )
}

/// One row per threshold; FAIL rows are highlighted in HTML.
pub fn thresholds(results: &[ThresholdResult]) -> DocTable {
    let rows = results
        .iter()
        .map(|t| {
            let rule = if t.metric.is_minimum() { ">=" } else { "<=" };
            vec![
                if t.passed { "PASS" } else { "FAIL" }.to_string(),
                t.operation.clone(),
                t.metric.key().to_string(),
                opt(t.measured, |v| format!("{v:.3}")),
                format!("{rule} {}", t.limit),
                if t.abort { "yes" } else { "no" }.to_string(),
            ]
        })
        .collect();
    let header = vec![
        "result",
        "operation",
        "metric",
        "measured",
        "limit",
        "aborts run",
    ];
    table(
        "Thresholds",
        "The scenario's pass/fail rules; any FAIL makes the run exit with code 3.",
        header,
        &[3],
        rows,
    )
}

/// Final outcomes and attempts per status code or error kind.
pub fn statuses(s: &Snapshot) -> DocTable {
    let rows = s
        .statuses
        .iter()
        .map(|r| {
            vec![
                r.operation.clone(),
                r.status.clone(),
                thousands(r.count),
                thousands(r.attempts),
            ]
        })
        .collect();
    let header = vec![
        "operation",
        "status",
        "final outcomes",
        "attempts (retries included)",
    ];
    table(
        "Status codes",
        "HTTP status (or error kind) per operation.",
        header,
        &[2, 3],
        rows,
    )
}

/// Corrected and service latency at each reported percentile.
pub fn latency(s: &Snapshot) -> DocTable {
    let rows = s
        .latency
        .iter()
        .map(|r| {
            vec![
                r.operation.clone(),
                r.percentile.to_string(),
                ms(r.corrected_ms),
                ms(r.service_ms),
            ]
        })
        .collect();
    let header = vec!["operation", "percentile", "corrected ms", "service ms"];
    table(
        "Latency percentiles",
        "From the HdrHistograms in histograms.hlog.",
        header,
        &[1, 2, 3],
        rows,
    )
}

/// Mid-run tenant changes and stops.
pub fn events(s: &Snapshot) -> DocTable {
    let rows = s
        .events
        .iter()
        .map(|e| {
            vec![
                format!("{:.3}", e.at_s),
                e.action.clone(),
                e.detail.clone(),
                e.outcome.clone(),
            ]
        })
        .collect();
    let header = vec!["at s", "action", "detail", "outcome"];
    table(
        "Events",
        "Mid-run changes to the tenant and stops, marked on the charts.",
        header,
        &[0],
        rows,
    )
}

/// How each flow's arrivals ended (flows.csv); only for a scenario with flows.
pub fn flows(s: &Snapshot) -> DocTable {
    let rows = s
        .flows
        .iter()
        .map(|f| {
            vec![
                f.flow.clone(),
                f.steps.to_string(),
                f.scheduled.to_string(),
                f.dropped.to_string(),
                f.completed.to_string(),
                f.failed.to_string(),
                f.capture_failed.to_string(),
                f.stopped.to_string(),
                format!("{:.1}", f.mean_ms),
            ]
        })
        .collect();
    let header = vec![
        "flow",
        "steps",
        "scheduled",
        "dropped",
        "completed",
        "failed",
        "capture failed",
        "stopped",
        "mean ms",
    ];
    table(
        "Flows",
        "Each flow's arrivals: dropped before their first step, completed, ended by a failed step (its row above says how), by a capture missing from a response, or stopped by the run's end. Each step has its own operation row (FLOW/STEP).",
        header,
        &[1, 2, 3, 4, 5, 6, 7, 8],
        rows,
    )
}

/// `run.csv` verbatim.
pub fn run(s: &Snapshot) -> DocTable {
    let rows = s
        .run
        .to_pairs()
        .into_iter()
        .map(|(k, v)| vec![k, v])
        .collect();
    table(
        "Run",
        "Facts about the run (run.csv).",
        vec!["key", "value"],
        &[],
        rows,
    )
}

/// `numeric` lists the right-aligned (number) columns.
fn table(
    title: &str,
    intro: &str,
    header: Vec<&'static str>,
    numeric: &[usize],
    rows: Vec<Vec<String>>,
) -> DocTable {
    let numeric = (0..header.len()).map(|i| numeric.contains(&i)).collect();
    DocTable {
        title: title.to_string(),
        intro: intro.to_string(),
        header,
        numeric,
        rows,
    }
}
