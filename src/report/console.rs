//! The terminal summary printed at the end of a run: an aligned table per operation, the
//! verdict and quota lines, threshold results and where the report folder is. Plain text, no
//! colours, so it reads the same in a terminal, a CI log and a test assertion.

use std::path::Path;

use super::numbers::{pct, thousands, thousands_f};
use super::run_info::RunInfo;
use super::verdict::{self, quota_view};
use crate::metrics::{Snapshot, ThresholdResult};

const HEADER: [&str; 11] = [
    "operation",
    "sent",
    "ok",
    "429",
    "err",
    "dropped",
    "rps",
    "ok/s",
    "wire/s",
    "p50 ms",
    "p99 ms",
];

/// Renders the summary. `dir` is the report folder; `thresholds` may be empty.
pub fn render(s: &Snapshot, dir: &Path, thresholds: &[ThresholdResult]) -> String {
    let info = RunInfo::from_snapshot(s);
    let mut rows: Vec<[String; 11]> = vec![HEADER.map(str::to_string)];
    for r in &s.summary {
        let err = r.status_4xx + r.status_5xx + r.transport_errors;
        rows.push([
            r.operation.clone(),
            r.sent.to_string(),
            r.ok.to_string(),
            r.status_429.to_string(),
            err.to_string(),
            r.dropped.to_string(),
            format!("{:.1}", r.achieved_rps),
            format!("{:.1}", r.ok_rps),
            format!("{:.1}", r.wire_rps),
            format!("{:.1}", r.p50_ms),
            format!("{:.1}", r.p99_ms),
        ]);
    }
    let mut widths = [0usize; 11];
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in &rows {
        let mut line = format!("{:<w$}", row[0], w = widths[0]);
        for (c, w) in row.iter().zip(widths).skip(1) {
            line.push_str(&format!("  {c:>w$}"));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let v = verdict::judge(s, &info, thresholds);
    let why = if v.reasons.is_empty() {
        String::new()
    } else {
        format!(": {}", v.reasons.join(", "))
    };
    if info.forecast {
        out.push_str(&format!(
            "\nforecast: {} on a virtual clock ({} simulated in {}), against the simulated tenant, not a real one\n",
            info.title(),
            verdict::span(info.duration_s),
            s.run.wall_s.map_or("?".to_string(), |w| format!("{w:.1} s")),
        ));
    }
    out.push_str(&format!("\nverdict: {}{why} ({})\n", v.label, info.title()));
    if let Some(m) = super::reach::message(s) {
        out.push_str(&format!("target:  {m}\n"));
    }
    out.push_str(&format!("quota:   {}\n", quota_line(s, &info)));
    // Observed: the quota ran out, the work finished (what happened, beside the projection).
    for f in verdict::observed_lines(&info) {
        out.push_str(&format!("seen:    {f}\n"));
    }
    for t in thresholds {
        out.push_str(&format!("{t}\n"));
    }
    out.push_str(&format!("report:  {}\n", dir.join("report.html").display()));
    out
}

fn quota_line(s: &Snapshot, info: &RunInfo) -> String {
    let q = quota_view(s, info);
    if q.counted_tokens == 0 {
        return format!(
            "no token counted toward the M2M quota ({} Management API tokens do not count)",
            thousands(q.internal_tokens)
        );
    }
    let share = match (q.quota, q.projected_pct) {
        (Some(quota), Some(p)) => format!(" = {} of {}", pct(p), thousands(quota)),
        _ => " (tier quota unknown)".to_string(),
    };
    let ends = match q.runs_out_day {
        Some(d) => format!("; used up {}", super::verdict::runs_out(d)),
        // The projection counts issued tokens only; the refused ones are in the `seen:` line.
        None if info.observed.ran_out().is_some() => "; ran out in the run (seen:)".to_string(),
        None if q.quota.is_some() => "; lasts the month".to_string(),
        None => String::new(),
    };
    format!(
        "{} counted tokens -> {} / month{share}{ends}",
        thousands(q.counted_tokens),
        thousands_f(q.projected_month)
    )
}
