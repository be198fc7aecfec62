//! The report contract (docs/reports.md) from tests: `quotaprobe::report::verify`, the checker
//! behind `quotaprobe verify`, run in process on a folder; and a report CSV read by column name.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::Path;

/// The problems `quotaprobe verify` reports for `dir`, one line each (empty when it is clean).
pub fn problems(dir: &Path) -> Vec<String> {
    quotaprobe::report::verify::verify(dir)
        .unwrap_or_else(|e| panic!("{e}"))
        .iter()
        .map(ToString::to_string)
        .collect()
}

/// Asserts `dir` follows the report contract.
pub fn check_report(dir: &Path) {
    let problems = problems(dir);
    assert!(
        problems.is_empty(),
        "{} does not follow docs/reports.md:\n{}",
        dir.display(),
        problems.join("\n")
    );
}

/// A report CSV as rows of column → cell.
pub fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut rdr =
        csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = rdr.headers().cloned().unwrap_or_default();
    rdr.records()
        .map(|r| {
            let r = r.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}
