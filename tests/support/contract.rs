//! `../shared/tools/check-report`, the report contract's checker, called from tests.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn check_report_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/check-report")
}

/// Runs check-report on `dir`: `Some((passed, output))`, or `None` (with a message) when python3
/// or the script is missing outside CI; in CI (env `CI` set) a missing tool fails the test.
pub fn run_check_report(dir: &Path) -> Option<(bool, String)> {
    let script = check_report_script();
    let ci = std::env::var_os("CI").is_some();
    if !script.is_file() {
        assert!(!ci, "{} is missing", script.display());
        eprintln!("skipping check-report: {} not found", script.display());
        return None;
    }
    match Command::new("python3").arg(&script).arg(dir).output() {
        Ok(out) => {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            Some((out.status.success(), text))
        }
        Err(e) => {
            assert!(!ci, "python3 is needed in CI to run check-report: {e}");
            eprintln!("skipping check-report: python3 not runnable ({e})");
            None
        }
    }
}

/// Asserts `dir` follows the report contract (when the checker can run).
pub fn check_report(dir: &Path) {
    if let Some((ok, out)) = run_check_report(dir) {
        assert!(ok, "check-report failed for {}:\n{out}", dir.display());
    }
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
