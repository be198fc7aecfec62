//! `quotaprobe verify`: checks a report folder against docs/reports.md as the files are written —
//! every file there, every contract column in order, every cell of its column's type, and the
//! invariants between the files (conservation per operation and for `ALL`, timeline and
//! statuses against the summary, audiences against the token operations, latency percentiles,
//! run.csv's keys, the charts report.md links to, report.json's counts against summary.csv).
//!
//! Reads the CSVs by column name with the csv crate, never through the Snapshot types, so a
//! writer bug is caught rather than read back. Owns no output format: it returns [`Problem`]s,
//! one per fault, each naming the file (and line, for a cell); the CLI prints them.

mod counts;
mod facts;
mod flows;
mod json;
mod observed;
mod problem;
mod rates;
mod status;
mod table;

use std::path::{Path, PathBuf};

pub use problem::Problem;
use problem::Problems;
use table::{Cell, Spec};

/// The folder given is not a folder: bad usage, not a bad report.
#[derive(Debug, thiserror::Error)]
#[error(
    "{}: no such report folder; pass a folder that `quotaprobe run` wrote (reports/<scenario>-<time>/)",
    .0.display()
)]
pub struct NoFolder(pub PathBuf);

/// Checks one report folder; an empty list means it follows docs/reports.md.
pub fn verify(dir: &Path) -> Result<Vec<Problem>, NoFolder> {
    if !dir.is_dir() {
        return Err(NoFolder(dir.to_path_buf()));
    }
    let mut p = Problems::new(dir);
    let summary = table::load(dir, &SUMMARY, &mut p);
    let timeline = table::load(dir, &TIMELINE, &mut p);
    let audiences = table::load(dir, &AUDIENCES, &mut p);
    let statuses = table::load(dir, &STATUSES, &mut p);
    let latency = table::load(dir, &LATENCY, &mut p);
    let events = table::load(dir, &EVENTS, &mut p);
    let run = table::load(dir, &RUN, &mut p);
    let thresholds = dir
        .join(THRESHOLDS.file)
        .is_file()
        .then(|| table::load(dir, &THRESHOLDS, &mut p))
        .flatten();
    let flows = dir
        .join(flows::FLOWS.file)
        .is_file()
        .then(|| table::load(dir, &flows::FLOWS, &mut p))
        .flatten();
    facts::files(dir, &mut p);
    json::check(dir, summary.as_deref(), flows.as_deref(), &mut p);
    if let Some(summary) = &summary {
        let ops = counts::summary(summary, &mut p);
        if let Some(t) = &timeline {
            counts::timeline(&ops, t, facts::resolution(run.as_deref()), &mut p);
        }
        if let Some(s) = &statuses {
            counts::statuses(&ops, s, &mut p);
        }
        if let Some(l) = &latency {
            counts::latency(&ops, l, &mut p);
        }
        if let Some(a) = &audiences {
            counts::audiences(&ops, a, &mut p);
        }
        if let Some(r) = &run {
            facts::run(&ops, r, &mut p);
            observed::check(&ops, r, &mut p);
        }
        if let Some(t) = &thresholds {
            facts::thresholds(&ops, t, &mut p);
        }
        if let Some(f) = &flows {
            flows::check(&ops, f, &mut p);
        }
        if let (Some(s), Some(r)) = (&statuses, &run) {
            rates::check(summary, s, r, &mut p);
        }
    }
    if let (Some(e), Some(r)) = (&events, &run) {
        facts::events(e, r, &mut p);
    }
    Ok(p.into_list())
}

/// docs/reports.md "Files": the CSVs with their contract columns, in order.
const SUMMARY: Spec = Spec {
    file: "summary.csv",
    columns: &[
        ("operation", Cell::Text),
        ("kind", Cell::Text),
        ("scheduled", Cell::Count),
        ("sent", Cell::Count),
        ("dropped", Cell::Count),
        ("ok", Cell::Count),
        ("status_4xx", Cell::Count),
        ("status_429", Cell::Count),
        ("status_5xx", Cell::Count),
        ("transport_errors", Cell::Count),
        ("retries", Cell::Count),
        ("achieved_rps", Cell::Number),
        ("p50_ms", Cell::Number),
        ("p90_ms", Cell::Number),
        ("p99_ms", Cell::Number),
        ("p999_ms", Cell::Number),
        ("max_ms", Cell::Number),
        ("service_p99_ms", Cell::Number),
        ("first_429_s", Cell::OptNumber),
        ("service_p50_ms", Cell::Number),
        ("lag_p99_ms", Cell::Number),
    ],
};

const TIMELINE: Spec = Spec {
    file: "timeline.csv",
    columns: &[
        ("second", Cell::Count),
        ("operation", Cell::Text),
        ("scheduled", Cell::Count),
        ("sent", Cell::Count),
        ("dropped", Cell::Count),
        ("ok", Cell::Count),
        ("status_429", Cell::Count),
        ("errors", Cell::Count),
        ("p50_ms", Cell::Number),
        ("p99_ms", Cell::Number),
        ("max_ms", Cell::Number),
        ("ratelimit_limit", Cell::OptCount),
        ("ratelimit_remaining_min", Cell::OptCount),
        ("ratelimit_reset_in_s", Cell::OptNumber),
    ],
};

const AUDIENCES: Spec = Spec {
    file: "audiences.csv",
    columns: &[
        ("audience", Cell::Text),
        ("internal", Cell::Bool),
        ("counts_toward_quota", Cell::Bool),
        ("token_requests", Cell::Count),
        ("tokens_issued", Cell::Count),
        ("denied_429", Cell::Count),
        ("denied_other", Cell::Count),
        ("tokens_per_hour", Cell::Number),
        ("projected_month", Cell::Number),
        ("tier_monthly_quota", Cell::OptCount),
        ("projected_pct_of_quota", Cell::OptNumber),
        ("quota_runs_out_day", Cell::OptNumber),
        ("projection_basis", Cell::Text),
    ],
};

const STATUSES: Spec = Spec {
    file: "statuses.csv",
    columns: &[
        ("operation", Cell::Text),
        ("status", Cell::Text),
        ("count", Cell::Count),
        ("attempts", Cell::Count),
    ],
};

const LATENCY: Spec = Spec {
    file: "latency.csv",
    columns: &[
        ("operation", Cell::Text),
        ("percentile", Cell::Number),
        ("corrected_ms", Cell::Number),
        ("service_ms", Cell::Number),
    ],
};

const EVENTS: Spec = Spec {
    file: "events.csv",
    columns: &[
        ("at_s", Cell::Number),
        ("action", Cell::Text),
        ("detail", Cell::Text),
        ("outcome", Cell::Text),
    ],
};

const THRESHOLDS: Spec = Spec {
    file: "thresholds.csv",
    columns: &[
        ("operation", Cell::Text),
        ("metric", Cell::Text),
        ("limit", Cell::Number),
        ("measured", Cell::OptNumber),
        ("passed", Cell::Bool),
        ("abort", Cell::Bool),
    ],
};

const RUN: Spec = Spec {
    file: "run.csv",
    columns: &[("key", Cell::Text), ("value", Cell::Text)],
};
