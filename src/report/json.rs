//! `report.json`: one machine-readable document per report folder, shape
//! `quotaprobe.report/1` (docs/reports.md "report.json"). Built with serde_json from the same
//! cells the CSVs hold (so a folder re-rendered by `quotaprobe report` writes the same bytes, and
//! every number equals its CSV cell), plus the verdict and the file list.
//!
//! Also the `--format json` output of `run` (this document with `report_dir` added).

use std::path::Path;

use serde_json::{Map, Value, json};

use super::document::Document;
use super::tables::Table;
use super::{FILES, ReportError, fsio};
use crate::metrics::{Snapshot, ThresholdResult};

/// File name inside the report folder.
pub const FILE: &str = "report.json";

/// The `schema` field: bumped only when a field is renamed or removed.
pub const SCHEMA: &str = "quotaprobe.report/1";

/// Columns that hold text even when a cell looks like a number (an operation named `2024`, an
/// HTTP status `429`).
const TEXT_COLUMNS: [&str; 10] = [
    "operation",
    "flow",
    "kind",
    "audience",
    "status",
    "projection_basis",
    "metric",
    "action",
    "detail",
    "outcome",
];

/// The whole document. `doc` is the report document rendered beside it (verdict, charts).
pub fn build(s: &Snapshot, thresholds: &[ThresholdResult], doc: &Document) -> Value {
    let run: Map<String, Value> = s
        .run
        .to_pairs()
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    let mut checks = rows(thresholds);
    for (row, t) in checks.iter_mut().zip(thresholds) {
        if let Value::Object(m) = row {
            let op = if t.metric.is_minimum() { ">=" } else { "<=" };
            m.insert("comparison".into(), Value::String(op.into()));
        }
    }
    let v = &doc.verdict;
    let mut doc_json = json!({
        "schema": SCHEMA,
        "run": run,
        "summary": rows(&s.summary),
        "audiences": rows(&s.audiences),
        "statuses": rows(&s.statuses),
        "thresholds": checks,
        "thresholds_passed": crate::metrics::threshold::all_passed(thresholds),
        "verdict": {
            "fits": v.fits,
            "label": v.label,
            "reasons": v.reasons,
            "text": v.paragraph(),
        },
        "files": files(thresholds, doc),
    });
    if let (Some(o), Value::Object(m)) = (observed(&s.run.observed), &mut doc_json) {
        m.insert("observed".into(), o);
    }
    // flows.csv's rows, only for a run with flows (as the file).
    if !s.flows.is_empty()
        && let Value::Object(m) = &mut doc_json
    {
        m.insert("flows".into(), Value::Array(rows(&s.flows)));
    }
    doc_json
}

/// run.csv's observed facts typed (docs/reports.md "report.json"); `None` for a folder
/// written before them.
fn observed(o: &crate::metrics::ObservedFacts) -> Option<Value> {
    o.quota_ran_out_s?;
    let text = |v: &Option<String>| match v.as_deref() {
        None | Some("") => Value::Null,
        Some(t) => Value::String(t.to_string()),
    };
    let failed: Vec<Value> = o
        .quota_failed
        .iter()
        .flatten()
        .map(|(op, n)| json!({"operation": op, "count": n}))
        .collect();
    Some(json!({
        "quota_ran_out_s": o.quota_ran_out_s.flatten(),
        "quota_ran_out_at": text(&o.quota_ran_out_at),
        "quota_month": text(&o.quota_month),
        "quota_refused_tokens": o.quota_refused_tokens,
        "quota_failed_operations": failed,
        "work_finished_s": o.work_finished_s.flatten(),
    }))
}

/// Pretty-printed with a final newline, as written to the folder and to stdout.
pub fn to_text(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).unwrap_or_else(|_| "{}".to_string());
    text.push('\n');
    text
}

/// Writes `report.json` into `dir`.
pub fn write(dir: &Path, value: &Value) -> Result<(), ReportError> {
    fsio::write_atomic(dir, FILE, to_text(value).as_bytes())
}

/// Every file of the folder, sorted: the fixed ones, `thresholds.csv` when there are
/// thresholds, the charts and this file.
fn files(thresholds: &[ThresholdResult], doc: &Document) -> Vec<String> {
    let mut out: Vec<String> = FILES.iter().map(|f| f.to_string()).collect();
    if !thresholds.is_empty() {
        out.push("thresholds.csv".into());
    }
    out.extend(doc.charts.iter().map(|c| c.file()));
    out.push(FILE.into());
    out.sort();
    out.dedup();
    out
}

/// One object per row, keyed by the CSV's column names, each cell typed (see [`cell`]).
fn rows<T: Table>(rows: &[T]) -> Vec<Value> {
    rows.iter()
        .map(|r| {
            let m: Map<String, Value> = T::COLUMNS
                .iter()
                .zip(r.to_record())
                .map(|(col, c)| (col.to_string(), cell(col, c)))
                .collect();
            Value::Object(m)
        })
        .collect()
}

/// A CSV cell as JSON: text columns stay strings; otherwise empty → null, `true`/`false` →
/// bool, whole numbers → integers, other numbers → numbers (the cell's 3 decimals).
fn cell(column: &str, c: String) -> Value {
    if TEXT_COLUMNS.contains(&column) {
        return Value::String(c);
    }
    if c.is_empty() {
        return Value::Null;
    }
    match c.as_str() {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(n) = c.parse::<u64>() {
        return Value::from(n);
    }
    match c.parse::<f64>().ok().and_then(serde_json::Number::from_f64) {
        Some(n) => Value::Number(n),
        None => Value::String(c),
    }
}

/// An operation and its count columns (`None`: missing or not a whole number).
pub type OpCounts = (String, Vec<Option<u64>>);

/// Reads the `summary` rows' per-operation counts back (for `verify`): (operation, column →
/// value) for the given count columns.
pub fn summary_counts(value: &Value, columns: &[&str]) -> Result<Vec<OpCounts>, String> {
    let rows = value
        .get("summary")
        .and_then(Value::as_array)
        .ok_or("no \"summary\" array")?;
    rows.iter()
        .enumerate()
        .map(|(i, r)| {
            let op = r
                .get("operation")
                .and_then(Value::as_str)
                .ok_or(format!("summary[{i}] has no \"operation\" string"))?;
            let counts = columns
                .iter()
                .map(|c| r.get(*c).and_then(Value::as_u64))
                .collect();
            Ok((op.to_string(), counts))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_keep_their_types() {
        assert_eq!(cell("operation", "2024".into()), json!("2024"));
        assert_eq!(cell("status", "429".into()), json!("429"));
        assert_eq!(cell("sent", "600".into()), json!(600));
        assert_eq!(cell("p99_ms", "412.300".into()), json!(412.3));
        assert_eq!(cell("first_429_s", String::new()), Value::Null);
        assert_eq!(cell("internal", "true".into()), json!(true));
        assert_eq!(cell("odd", "n/a".into()), json!("n/a"));
    }
}
