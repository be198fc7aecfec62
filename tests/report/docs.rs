//! The documents: `report.md` and the terminal summary against golden files (regenerate with
//! `UPDATE_GOLDEN=1`), the verdict's cases, thresholds.csv, and that documents re-rendered from
//! the files equal the ones rendered from the run.

#![allow(clippy::unwrap_used)]

use crate::support::report as report_common;

use std::fs;
use std::path::{Path, PathBuf};

use quotaprobe::metrics::{RunFacts, threshold};
use quotaprobe::report;
use report_common::{snapshot, threshold_results};

fn golden(name: &str, actual: &str) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(&path, actual).unwrap();
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map(|i| i + 1)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()) + 1);
        panic!(
            "{} differs from the rendered output at line {line} (UPDATE_GOLDEN=1 to accept):\n--- golden\n{}\n+++ actual\n{}",
            path.display(),
            expected.lines().nth(line - 1).unwrap_or(""),
            actual.lines().nth(line - 1).unwrap_or("")
        );
    }
}

fn written() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let s = snapshot();
    report::write_all(tmp.path(), &s, &threshold_results(&s)).unwrap();
    tmp
}

#[test]
fn markdown_matches_golden() {
    let tmp = written();
    let md = fs::read_to_string(tmp.path().join("report.md")).unwrap();
    golden("report.md", &md);
    // The verdict comes first and answers the capacity question.
    let verdict = md.split("## Charts").next().unwrap();
    assert!(verdict.contains(
        "**Verdict: does not fit (429s, other failures, M2M quota runs out, thresholds broke)."
    ));
    assert!(verdict.contains("first 429 came 8.1 s into the run, on list-users"));
    assert!(verdict.contains("https://orders.example.com (10)"));
    assert!(verdict.contains("129,600 % of the tier's 1,000 quota"));
    assert!(verdict.contains("day 1 of a 30-day month"));
    assert!(md.contains("![Requests per second by outcome](charts/requests.svg)"));
    assert!(md.contains("## Glossary") && md.contains("**corrected latency**"));
}

#[test]
fn requests_chart_matches_golden() {
    let tmp = written();
    let svg = fs::read_to_string(tmp.path().join("charts/requests.svg")).unwrap();
    golden("requests.svg", &svg);
}

#[test]
fn console_matches_golden() {
    let s = snapshot();
    let text = report::console::render(&s, Path::new("reports/sample"), &threshold_results(&s));
    golden("console.txt", &text);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("operation") && lines[0].ends_with("p99 ms"));
    // Columns line up: every table row is as wide as the header.
    let width = lines[0].len();
    for row in &lines[1..5] {
        assert_eq!(row.len(), width, "{row:?}");
    }
    assert!(text.contains("verdict: does not fit: 429s, other failures, M2M quota runs out, thresholds broke (m2m-token-caching on tier free)"));
    assert!(text.contains("PASS list-users p99_ms 425.983 <= 800"));
    assert!(text.contains("FAIL list-users max_429_ratio 0.127 > 0.05"));
    assert!(text.contains("report:  reports/sample/report.html"));
}

#[test]
fn a_clean_run_fits() {
    let mut s = snapshot();
    for r in &mut s.summary {
        r.ok = r.sent;
        (r.status_429, r.status_4xx, r.status_5xx, r.transport_errors) = (0, 0, 0, 0);
        r.first_429_s = None;
    }
    s.audiences.retain(|a| !a.counts_toward_quota);
    let text = report::console::render(&s, Path::new("d"), &[]);
    assert!(text.contains("verdict: fits"), "{text}");
    assert!(
        text.contains("no token counted toward the M2M quota"),
        "{text}"
    );
    let doc = report::document::build(&s, &[]);
    assert!(doc.verdict.fits);
    assert!(
        doc.verdict
            .paragraph()
            .contains("No request was rate-limited (no 429).")
    );
    assert!(doc.verdict.paragraph().contains("No thresholds were set."));
}

#[test]
fn documents_rendered_from_the_files_equal_the_originals() {
    let tmp = written();
    let read = |p: PathBuf| fs::read(p).unwrap();
    let (md, html) = (
        read(tmp.path().join("report.md")),
        read(tmp.path().join("report.html")),
    );
    let quota = read(tmp.path().join("charts/quota.svg"));
    fs::remove_file(tmp.path().join("report.md")).unwrap();
    let back = report::read(tmp.path()).unwrap();
    let results = report::read_thresholds(tmp.path()).unwrap().unwrap();
    report::render(tmp.path(), &back, &results).unwrap();
    assert!(read(tmp.path().join("report.md")) == md);
    assert!(read(tmp.path().join("report.html")) == html);
    assert!(read(tmp.path().join("charts/quota.svg")) == quota);
}

#[test]
fn missing_run_keys_degrade_gracefully() {
    let mut s = snapshot();
    s.run = RunFacts::default();
    s.events.clear();
    s.audiences
        .iter_mut()
        .for_each(|a| a.tier_monthly_quota = None);
    let doc = report::document::build(&s, &[]);
    let text = doc.verdict.paragraph();
    assert!(text.contains("(unnamed scenario) ran 20.0 s"), "{text}");
    assert!(
        text.contains("the tier's monthly quota is unknown"),
        "{text}"
    );
    let empty = report::document::build(&quotaprobe::metrics::Snapshot::default(), &[]);
    assert_eq!(empty.verdict.label, "nothing was sent");
    assert_eq!(empty.charts.len(), 4);
    assert!(empty.charts[0].svg.contains("no requests were scheduled"));
}

#[test]
fn thresholds_file_round_trips_and_decides() {
    let s = snapshot();
    let results = threshold_results(&s);
    assert_eq!(
        results.iter().map(ToString::to_string).collect::<Vec<_>>(),
        [
            "PASS list-users p99_ms 425.983 <= 800",
            "FAIL list-users max_429_ratio 0.127 > 0.05",
            "FAIL ALL max_quota_pct 129600.000 > 100",
        ]
    );
    assert!(!threshold::all_passed(&results));
    assert!(results[2].abort);
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(report::read_thresholds(tmp.path()).unwrap(), None);
    report::write_thresholds(tmp.path(), &results).unwrap();
    let csv = fs::read_to_string(tmp.path().join("thresholds.csv")).unwrap();
    assert!(
        csv.contains("\nlist-users,max_429_ratio,0.05,0.12658227848101267,false,false\n"),
        "{csv}"
    );
    assert_eq!(report::read_thresholds(tmp.path()).unwrap(), Some(results));
}

#[test]
fn events_csv_is_optional_when_reading() {
    let tmp = written();
    fs::remove_file(tmp.path().join("events.csv")).unwrap();
    assert!(report::read(tmp.path()).unwrap().events.is_empty());
}
