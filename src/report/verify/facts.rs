//! The rest of docs/reports.md: the files that are not CSVs, the charts report.md links to,
//! run.csv's keys and values, events.csv's closing `stop` row and thresholds.csv's operations.

use std::collections::BTreeSet;
use std::path::Path;

use super::counts::Ops;
use super::problem::Problems;
use super::table::Row;

/// Files besides the CSVs every folder holds.
const OTHER_FILES: [&str; 3] = ["histograms.hlog", "report.md", "report.html"];

/// run.csv keys every run writes (docs/reports.md "run.csv"). The `run` command adds the
/// scenario's `description` and the tier's keys, which differ between a simulated and a real
/// target (`tenant_domain`): they are checked when `tier` is there (folders the engine writes
/// on its own have none).
pub(super) const RUN_KEYS: [&str; 24] = [
    "scenario",
    "seed",
    "target",
    "start",
    "duration_s",
    "drain_s",
    "stop_reason",
    "stop_detail",
    "version",
    "token_strategy",
    "retry_policy",
    "max_retries",
    "planned_arrivals",
    "dropped_busy",
    "dropped_late",
    "dropped_stopping",
    "bad_headers",
    "token_requests_sent",
    "answered",
    "connection_errors",
    "calls_without_token",
    "last_answer_s",
    "connection_errors_after_last_answer",
    "silent_for_s",
];
/// Keys that come with another: (present key, absent key, keys they need).
const RUN_KEYS_WITH: [(&str, Option<&str>, &[&str]); 4] = [
    (
        "tier",
        Some("tenant_domain"),
        &[
            "description",
            "tier_monthly_quota",
            "tier_quota_hard_block",
            "tier_quota_source",
            "month_to_date_tokens",
        ],
    ),
    (
        "tenant_domain",
        None,
        &[
            "description",
            "tier",
            "tier_monthly_quota",
            "cap_max_duration_s",
            "cap_max_tokens",
        ],
    ),
    ("shard", None, &["base_seed", "scenario_sha256"]),
    ("static_token_exp", None, &["token_strategy"]),
];
const RUN_COUNTS: [&str; 12] = [
    "seed",
    "max_retries",
    "planned_arrivals",
    "dropped_busy",
    "dropped_late",
    "dropped_stopping",
    "bad_headers",
    "token_requests_sent",
    "answered",
    "connection_errors",
    "calls_without_token",
    "connection_errors_after_last_answer",
];
const RUN_NUMBERS: [&str; 5] = [
    "duration_s",
    "drain_s",
    "silent_for_s",
    "drop_late_after_s",
    "wall_s",
];
/// `clock`'s values (a folder from before fast-forward runs has no `clock` key).
const CLOCKS: [&str; 2] = ["real", "virtual"];
const STOP_REASONS: [&str; 10] = [
    "completed",
    "max_duration",
    "max_requests",
    "max_tokens",
    "min_quota_remaining",
    "threshold",
    "static_token_expired",
    "data_exhausted",
    "signal",
    "credentials_rejected",
];

pub(super) fn files(dir: &Path, p: &mut Problems) {
    for file in OTHER_FILES {
        if !dir.join(file).is_file() {
            p.add(file, None, "missing".to_string());
        }
    }
    let Ok(md) = std::fs::read_to_string(dir.join("report.md")) else {
        return;
    };
    let charts: BTreeSet<&str> = md
        .match_indices("charts/")
        .filter_map(|(at, _)| {
            let rest = &md[at..];
            let end = rest.find(".svg")? + ".svg".len();
            let name = &rest[..end];
            name.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/_-.".contains(&b))
                .then_some(name)
        })
        .collect();
    for chart in charts {
        if !dir.join(chart).is_file() {
            p.add(chart, None, "missing (report.md links to it)".to_string());
        }
    }
}

/// `timeline_resolution_s`: seconds per timeline.csv row; 1 when run.csv lacks the key (or it
/// is not a positive whole number, which [`run`] reports).
pub(super) fn resolution(run: Option<&[Row]>) -> u64 {
    run.into_iter()
        .flatten()
        .find(|r| r.text("key") == "timeline_resolution_s")
        .and_then(|r| r.text("value").parse::<u64>().ok())
        .filter(|&w| w > 0)
        .unwrap_or(1)
}

pub(super) fn run(ops: &Ops, rows: &[Row], p: &mut Problems) {
    const FILE: &str = "run.csv";
    let mut keys = BTreeSet::new();
    for r in rows {
        if !keys.insert(r.text("key")) {
            p.add(
                FILE,
                Some(r.line),
                format!("key {} appears twice", r.text("key")),
            );
        }
    }
    let value = |key: &str| {
        rows.iter()
            .find(|r| r.text("key") == key)
            .map(|r| (r.line, r.text("value")))
    };
    let mut missing: Vec<&str> = RUN_KEYS
        .iter()
        .copied()
        .filter(|k| !keys.contains(k))
        .collect();
    for (key, unless, needs) in RUN_KEYS_WITH {
        if keys.contains(key) && unless.is_none_or(|k| !keys.contains(k)) {
            for need in needs {
                if !keys.contains(need) && !missing.contains(need) {
                    missing.push(need);
                }
            }
        }
    }
    if !missing.is_empty() {
        p.add(FILE, None, format!("lacks keys {}", missing.join(", ")));
    }
    for key in RUN_COUNTS {
        if let Some((line, v)) = value(key)
            && v.parse::<u64>().is_err()
        {
            p.add(
                FILE,
                Some(line),
                format!("{key}: {v:?} is not a whole number"),
            );
        }
    }
    for key in RUN_NUMBERS {
        if let Some((line, v)) = value(key)
            && !v.parse::<f64>().is_ok_and(f64::is_finite)
        {
            p.add(FILE, Some(line), format!("{key}: {v:?} is not a number"));
        }
    }
    if let Some((line, v)) = value("last_answer_s")
        && !v.is_empty()
        && !v.parse::<f64>().is_ok_and(f64::is_finite)
    {
        p.add(
            FILE,
            Some(line),
            format!("last_answer_s: {v:?} is not a number"),
        );
    }
    if let Some((line, v)) = value("timeline_resolution_s")
        && !v.parse::<u64>().is_ok_and(|w| w > 0)
    {
        p.add(
            FILE,
            Some(line),
            format!("timeline_resolution_s: {v:?} is not a whole number of seconds above 0"),
        );
    }
    if let Some((line, v)) = value("clock")
        && !CLOCKS.contains(&v)
    {
        p.add(
            FILE,
            Some(line),
            format!("clock: {v:?} is not one of {}", CLOCKS.join(", ")),
        );
    }
    // A merged run joins its shards' different reasons with commas.
    if let Some((line, v)) = value("stop_reason")
        && !v.split(',').all(|r| STOP_REASONS.contains(&r))
    {
        p.add(
            FILE,
            Some(line),
            format!(
                "stop_reason: {v:?} is not one of {}",
                STOP_REASONS.join(", ")
            ),
        );
    }
    let dropped: Option<u64> = ["dropped_busy", "dropped_late", "dropped_stopping"]
        .iter()
        .map(|k| value(k).and_then(|(_, v)| v.parse::<u64>().ok()))
        .sum();
    if let (Some(causes), Some(all)) = (dropped, ops.all.and_then(|a| a.count("dropped")))
        && causes != all
    {
        p.add(
            FILE,
            None,
            format!(
                "dropped_busy + dropped_late + dropped_stopping = {causes}, summary.csv ALL dropped {all}"
            ),
        );
    }
}

pub(super) fn events(rows: &[Row], run: &[Row], p: &mut Problems) {
    const FILE: &str = "events.csv";
    let stopped = run.iter().any(|r| r.text("key") == "stop_reason");
    match rows.last() {
        Some(last) if last.text("action") == "stop" => {}
        Some(last) => p.add(
            FILE,
            Some(last.line),
            format!(
                "the last row is {:?}, want the run's stop",
                last.text("action")
            ),
        ),
        None if stopped => p.add(FILE, None, "no stop row".to_string()),
        None => {}
    }
}

pub(super) fn thresholds(ops: &Ops, rows: &[Row], p: &mut Problems) {
    for r in rows {
        let op = r.text("operation");
        if op != "ALL" && !ops.list.iter().any(|o| o.text("operation") == op) {
            p.add(
                "thresholds.csv",
                Some(r.line),
                format!("{op:?} is not an operation of summary.csv"),
            );
        }
    }
}
