//! `quotaprobe report DIR` through the real binary.

#![allow(clippy::unwrap_used)]

use crate::support::report as report_common;

use std::fs;

use assert_cmd::Command;
use predicates::prelude::*;
use quotaprobe::report;
use report_common::{snapshot, threshold_results};

fn quotaprobe() -> Command {
    Command::cargo_bin("quotaprobe").unwrap()
}

#[test]
fn rerenders_both_documents_from_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let s = snapshot();
    report::write_all(tmp.path(), &s, &threshold_results(&s)).unwrap();
    let md_before = fs::read_to_string(tmp.path().join("report.md")).unwrap();
    fs::remove_file(tmp.path().join("report.md")).unwrap();
    fs::remove_file(tmp.path().join("report.html")).unwrap();
    fs::remove_dir_all(tmp.path().join("charts")).unwrap();
    quotaprobe()
        .arg("report")
        .arg(tmp.path())
        .assert()
        .code(0)
        .stdout(
            predicate::str::contains("report.md")
                .and(predicate::str::contains("report.html"))
                .and(predicate::str::contains("verdict: does not fit"))
                .and(predicate::str::contains(
                    "FAIL list-users max_429_ratio 0.127 > 0.05",
                )),
        );
    let md = fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert_eq!(
        md, md_before,
        "thresholds.csv is re-read, so the verdict is unchanged"
    );
    let html = fs::read_to_string(tmp.path().join("report.html")).unwrap();
    assert_eq!(html.matches("<svg").count(), 4);
    assert!(tmp.path().join("charts/requests.svg").is_file());
}

#[test]
fn without_thresholds_csv_the_verdict_says_none_were_set() {
    let tmp = tempfile::tempdir().unwrap();
    report::write(tmp.path(), &snapshot()).unwrap();
    quotaprobe().arg("report").arg(tmp.path()).assert().code(0);
    let md = fs::read_to_string(tmp.path().join("report.md")).unwrap();
    assert!(md.contains("No thresholds were set."));
}

#[test]
fn a_missing_folder_is_a_usage_error_naming_it() {
    let tmp = tempfile::tempdir().unwrap();
    let gone = tmp.path().join("no-such-run");
    quotaprobe()
        .arg("report")
        .arg(&gone)
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("no-such-run")
                .and(predicate::str::contains("no such report folder")),
        );
}

#[test]
fn a_folder_missing_a_file_names_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    report::write(tmp.path(), &snapshot()).unwrap();
    fs::remove_file(tmp.path().join("audiences.csv")).unwrap();
    quotaprobe()
        .arg("report")
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing audiences.csv"));
}
