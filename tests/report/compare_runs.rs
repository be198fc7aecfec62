//! `quotaprobe compare DIR DIR...` through the real binary, on two synthetic report folders with
//! a planted regression (list-users p99 from 100 ms to 130 ms): the delta, `--fail-if` PASS/FAIL
//! and exit codes, comparison.csv/.md/.html with `--out`, malformed rules (exit 2) and the
//! warning for folders of different scenarios.
#![allow(clippy::unwrap_used)]

use crate::support::report as report_common;

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use quotaprobe::metrics::Snapshot;

fn folder(dir: &Path, p99_ms: f64, scenario: &str) {
    let mut s: Snapshot = report_common::snapshot();
    for row in s.summary.iter_mut().filter(|r| r.operation == "list-users") {
        row.p99_ms = p99_ms;
    }
    s.run.scenario = Some(scenario.to_string());
    std::fs::create_dir_all(dir).unwrap();
    quotaprobe::report::write_all(dir, &s, &[]).unwrap();
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

fn compare(dirs: &[&Path], extra: &[&str]) -> Out {
    let o = Command::cargo_bin("quotaprobe")
        .unwrap()
        .arg("compare")
        .args(dirs)
        .args(extra)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    Out {
        code: o.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

#[test]
fn planted_p99_regression_is_measured_and_judged() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("before"), tmp.path().join("after"));
    folder(&a, 100.0, "m2m-token-caching");
    folder(&b, 130.0, "m2m-token-caching");
    let out = tmp.path().join("cmp");

    let r = compare(
        &[&a, &b],
        &["--fail-if", "p99_ms>+10%", "--out", out.to_str().unwrap()],
    );
    assert_eq!(r.code, 3, "{}{}", r.stdout, r.stderr);
    let line = r
        .stdout
        .lines()
        .find(|l| l.starts_with("FAIL p99_ms>+10%"))
        .unwrap_or_else(|| panic!("{}", r.stdout));
    assert!(
        line.contains("list-users: 100.000 → 130.000 (+30.000, +30.0 %)"),
        "{line}"
    );
    assert!(!r.stderr.contains("Warning"), "{}", r.stderr);

    // comparison.csv: the planted delta, and nothing else moved.
    let mut rdr = csv::Reader::from_path(out.join("comparison.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let p99 = rows
        .iter()
        .find(|r| &r[2] == "list-users" && &r[3] == "p99_ms")
        .unwrap();
    assert_eq!(
        p99.iter().skip(4).collect::<Vec<_>>(),
        ["100.000", "130.000", "30.000", "30.000"]
    );
    let moved: Vec<_> = rows.iter().filter(|r| &r[6] != "0.000").collect();
    assert_eq!(moved.len(), 1, "{moved:?}");
    // Quota use is compared on ALL and per counting audience.
    assert!(
        rows.iter()
            .any(|r| &r[2] == "quota:https://orders.example.com" && &r[3] == "quota_pct")
    );
    assert!(rows.iter().any(|r| &r[2] == "ALL" && &r[3] == "quota_pct"));
    let html = std::fs::read_to_string(out.join("comparison.html")).unwrap();
    assert!(html.matches("<svg").count() >= 4);
    let md = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(md.contains("| FAIL | p99_ms>+10% |"), "{md}");

    let r = compare(&[&a, &b], &["--fail-if", "p99_ms>+50%"]);
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("PASS p99_ms>+50%"), "{}", r.stdout);

    // Absolute change, one operation; and several rules: one FAIL makes exit 3.
    let r = compare(
        &[&a, &b],
        &[
            "--fail-if",
            "list-users:p99_ms>+29",
            "--fail-if",
            "get-user:p99_ms>+1%",
        ],
    );
    assert_eq!(r.code, 3, "{}", r.stdout);
    assert!(
        r.stdout.contains("FAIL list-users:p99_ms>+29"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("PASS get-user:p99_ms>+1%"),
        "{}",
        r.stdout
    );

    // Without rules: deltas only, exit 0, nothing written.
    let r = compare(&[&a, &b], &[]);
    assert_eq!(r.code, 0);
    assert!(r.stdout.contains("+30.0 %"), "{}", r.stdout);
}

#[test]
fn bad_rules_and_inputs_are_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    folder(&a, 100.0, "x");
    folder(&b, 100.0, "x");
    for (args, want) in [
        (vec!["--fail-if", "p99>+10%"], "unknown metric \"p99\""),
        (vec!["--fail-if", "p99_ms=10"], "no comparison"),
        (
            vec!["--fail-if", "nope:p99_ms>+10%"],
            "no operation \"nope\"",
        ),
        (vec!["--tiers", "free"], "exactly one scenario file"),
    ] {
        let r = compare(&[&a, &b], &args);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(want), "{args:?}: {}", r.stderr);
        if args[0] == "--fail-if" && !want.starts_with("no operation") {
            assert!(
                r.stderr.contains("--fail-if")
                    && r.stderr.contains("[OPERATION:]METRIC(>|<)CHANGE"),
                "{}",
                r.stderr
            );
        }
    }
    let r = compare(&[&a], &[]);
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.contains("two or more report folders"),
        "{}",
        r.stderr
    );
    let r = compare(&[&a, &tmp.path().join("missing")], &[]);
    assert_eq!(r.code, 2);
}

#[test]
fn different_scenarios_are_compared_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    folder(&a, 100.0, "one");
    folder(&b, 100.0, "other");
    let r = compare(&[&a, &b], &["--fail-if", "p99_ms>+10%"]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("ran scenario \"other\", not the baseline's"),
        "{}",
        r.stderr
    );
}
