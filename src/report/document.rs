//! The human-readable report as data: title, verdict, charts, tables and glossary, built from a
//! [`Snapshot`] (and threshold results) alone. The formats (`markdown`, `html`) only lay it out,
//! so both documents always say the same thing.

use super::charts::{self, Chart};
use super::numbers::{ms, pct, thousands, thousands_f};
use super::run_info::RunInfo;
use super::verdict::{self, Verdict};
use crate::metrics::{Snapshot, ThresholdResult};

/// A table ready to lay out: header cells and text rows. `numeric[i]` right-aligns column i.
#[derive(Debug, Clone, PartialEq)]
pub struct DocTable {
    pub title: String,
    /// One line under the title: what a row is and where the full data lives.
    pub intro: String,
    pub header: Vec<&'static str>,
    pub numeric: Vec<bool>,
    pub rows: Vec<Vec<String>>,
}

/// Everything a report document shows, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    pub subtitle: Option<String>,
    pub verdict: Verdict,
    pub charts: Vec<Chart>,
    pub tables: Vec<DocTable>,
    pub glossary: &'static [(&'static str, &'static str)],
}

/// What the columns and words of the report mean, for readers who never ran the tool.
pub const GLOSSARY: &[(&str, &str)] = &[
    (
        "scheduled",
        "Requests the arrival schedule called for (scheduled = sent + dropped).",
    ),
    (
        "sent",
        "Requests actually sent; each counts once, by its final outcome after retries.",
    ),
    ("ok", "Final outcome 2xx or 3xx."),
    (
        "429",
        "Too Many Requests: the tenant's rate limit (or a client quota) rejected the request.",
    ),
    (
        "4xx / 5xx",
        "Other client errors (401, 403, 404, ...; 429 excluded) and server errors.",
    ),
    (
        "transport errors",
        "No usable HTTP answer: timeout, refused or reset connection, unreadable body.",
    ),
    (
        "dropped",
        "Arrivals never sent because the in-flight cap (max_in_flight) was full; the tool never fires them late in a burst.",
    ),
    (
        "retries",
        "Extra attempts made by the retry policy; not part of sent.",
    ),
    ("rps", "Completed requests per second over the whole run."),
    (
        "corrected latency",
        "Time from when a request was due to start (its intended start) to its answer. Includes waiting for a free slot or a throttle, so a slow tenant cannot hide queueing (coordinated omission).",
    ),
    (
        "service time",
        "Time from the actual send to the answer, as the network and tenant saw it.",
    ),
    (
        "p50 / p99 / p99.9",
        "Percentiles: 50 %, 99 %, 99.9 % of requests were at least this fast.",
    ),
    (
        "first 429 s",
        "Seconds from the run's start to the intended start of the first request answered 429.",
    ),
    (
        "x-ratelimit-remaining",
        "Header on rate-limited responses: requests the bucket still allows before 429s.",
    ),
    (
        "M2M quota",
        "Auth0 counts machine-to-machine tokens issued for your own APIs per month; tokens for the Management API do not count.",
    ),
    (
        "projected / month",
        "Tokens a 30-day month would issue at the rate observed in this run.",
    ),
    (
        "runs out (day)",
        "Day of a 30-day month on which the quota is used up at that rate, counting tokens used before the run.",
    ),
];

pub fn build(s: &Snapshot, thresholds: &[ThresholdResult]) -> Document {
    let info = RunInfo::from_snapshot(s);
    let verdict = verdict::judge(s, &info, thresholds);
    let mut tables = vec![operations(s), audiences(s)];
    if !thresholds.is_empty() {
        tables.push(threshold_table(thresholds));
    }
    tables.extend([statuses(s), latency(s), events(s), run(s)]);
    Document {
        title: format!("quotaprobe report: {}", info.title()),
        subtitle: info.description.clone(),
        charts: charts::all(s, &info),
        verdict,
        tables,
        glossary: GLOSSARY,
    }
}

fn opt(v: Option<f64>, f: impl Fn(f64) -> String) -> String {
    v.map(f).unwrap_or_else(|| "-".to_string())
}

fn operations(s: &Snapshot) -> DocTable {
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
        "One row per operation, then ALL; final outcomes after retries. Latency is corrected unless it says service. Per-second data: timeline.csv.",
        header,
        &(2..18).collect::<Vec<_>>(),
        rows,
    )
}

fn audiences(s: &Snapshot) -> DocTable {
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
            ]
        })
        .collect();
    table(
        "Token audiences",
        "Who used the M2M token quota: one row per token audience.",
        header,
        &(2..10).collect::<Vec<_>>(),
        rows,
    )
}

fn threshold_table(results: &[ThresholdResult]) -> DocTable {
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

fn statuses(s: &Snapshot) -> DocTable {
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

fn latency(s: &Snapshot) -> DocTable {
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

fn events(s: &Snapshot) -> DocTable {
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

fn run(s: &Snapshot) -> DocTable {
    let rows = s
        .run
        .iter()
        .map(|(k, v)| vec![k.clone(), v.clone()])
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
