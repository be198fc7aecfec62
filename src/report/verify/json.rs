//! report.json against summary.csv (docs/reports.md "report.json"): it parses, carries the
//! `quotaprobe.report/1` schema, and its summary rows have the same operations in the same
//! order with the same sent, ok, status_429 and dropped.

use std::path::Path;

use super::problem::Problems;
use super::table::Row;
use crate::report::json::{FILE, SCHEMA, summary_counts};

const COUNTS: [&str; 4] = ["sent", "ok", "status_429", "dropped"];

/// flows.csv's count columns, which report.json's `flows` rows must repeat.
const FLOW_COUNTS: [&str; 7] = [
    "steps",
    "scheduled",
    "dropped",
    "completed",
    "failed",
    "capture_failed",
    "stopped",
];

/// report.json's `flows` against flows.csv: present exactly when the file is, the same flows
/// in order with the same counts.
fn check_flows(value: &serde_json::Value, flows: Option<&[Row]>, p: &mut Problems) {
    let json = value.get("flows").and_then(|f| f.as_array());
    let (json, csv) = match (json, flows) {
        (None, None) => return,
        (Some(_), None) => {
            p.add(
                FILE,
                None,
                "has flows but the folder has no flows.csv".into(),
            );
            return;
        }
        (None, Some(_)) => {
            p.add(
                FILE,
                None,
                "has no flows array; flows.csv has the run's flows".into(),
            );
            return;
        }
        (Some(j), Some(c)) => (j, c),
    };
    if json.len() != csv.len() {
        p.add(
            FILE,
            None,
            format!("{} flows rows, flows.csv has {}", json.len(), csv.len()),
        );
        return;
    }
    for (j, row) in json.iter().zip(csv) {
        let flow = row.text("flow");
        if j.get("flow").and_then(|f| f.as_str()) != Some(flow) {
            p.add(
                FILE,
                None,
                format!(
                    "flows row {:?} where flows.csv line {} has {flow:?}",
                    j.get("flow"),
                    row.line
                ),
            );
            continue;
        }
        for col in FLOW_COUNTS {
            let Some(want) = row.count(col) else { continue };
            let got = j.get(col).and_then(|v| v.as_u64());
            if got != Some(want) {
                p.add(
                    FILE,
                    None,
                    format!(
                        "flow {flow} {col} is {}, flows.csv line {} says {want}",
                        got.map_or("missing".to_string(), |v| v.to_string()),
                        row.line
                    ),
                );
            }
        }
    }
}

pub(super) fn check(dir: &Path, summary: Option<&[Row]>, flows: Option<&[Row]>, p: &mut Problems) {
    let Ok(text) = std::fs::read_to_string(dir.join(FILE)) else {
        p.add(FILE, None, "missing".to_string());
        return;
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            p.add(FILE, None, format!("not valid JSON ({e})"));
            return;
        }
    };
    let schema = value.get("schema").and_then(|s| s.as_str());
    if schema != Some(SCHEMA) {
        p.add(
            FILE,
            None,
            format!("schema is {schema:?}, expected {SCHEMA:?}"),
        );
    }
    check_flows(&value, flows, p);
    let rows = match summary_counts(&value, &COUNTS) {
        Ok(rows) => rows,
        Err(e) => {
            p.add(FILE, None, e);
            return;
        }
    };
    let Some(csv) = summary else { return };
    if rows.len() != csv.len() {
        p.add(
            FILE,
            None,
            format!("{} summary rows, summary.csv has {}", rows.len(), csv.len()),
        );
        return;
    }
    for ((op, counts), row) in rows.iter().zip(csv) {
        if op != row.text("operation") {
            p.add(
                FILE,
                None,
                format!(
                    "summary row {op:?} where summary.csv line {} has {:?}",
                    row.line,
                    row.text("operation")
                ),
            );
            continue;
        }
        for (col, got) in COUNTS.iter().zip(counts) {
            // A CSV cell that is not a count was reported when summary.csv loaded.
            let Some(want) = row.count(col) else { continue };
            if *got != Some(want) {
                p.add(
                    FILE,
                    None,
                    format!(
                        "{op} {col} is {}, summary.csv line {} says {}",
                        got.map_or("missing".to_string(), |v| v.to_string()),
                        row.line,
                        row.text(col)
                    ),
                );
            }
        }
    }
}
