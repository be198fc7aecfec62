//! report.json's `flows` (flows.csv's rows) for a run with flows, none without, and `verify`
//! naming a report.json whose flow counts disagree with flows.csv.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;
use std::time::Duration;

use assert_cmd::Command;

use crate::rates::{RETRIED, run_ff};
use crate::support::contract::{check_report, csv_rows, problems};

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn report_json_carries_the_flows_and_verify_checks_them() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let o = Command::cargo_bin("quotaprobe")
        .unwrap()
        .args([
            "run",
            "--quiet",
            "--fast-forward",
            "scenarios/user-lifecycle.toml",
            "--out",
        ])
        .arg(&out)
        .current_dir(&root)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    check_report(&out);
    let csv = csv_rows(&out.join("flows.csv"));
    let doc = json(&out.join("report.json"));
    let flows = doc["flows"].as_array().unwrap();
    assert_eq!(flows.len(), csv.len());
    assert!(!csv.is_empty());
    for (j, c) in flows.iter().zip(&csv) {
        assert_eq!(j["flow"].as_str().unwrap(), c["flow"]);
        for col in [
            "steps",
            "scheduled",
            "dropped",
            "completed",
            "failed",
            "capture_failed",
            "stopped",
        ] {
            assert_eq!(j[col].as_u64().unwrap().to_string(), c[col], "{col}");
        }
        let mean: f64 = c["mean_ms"].parse().unwrap();
        assert_eq!(j["mean_ms"].as_f64().unwrap(), mean);
    }
    // One flow completed fewer in report.json: verify names it, once.
    let completed = flows[0]["completed"].as_u64().unwrap();
    let mut tampered = doc.clone();
    tampered["flows"][0]["completed"] = (completed - 1).into();
    std::fs::write(
        out.join("report.json"),
        serde_json::to_string_pretty(&tampered).unwrap(),
    )
    .unwrap();
    let p = problems(&out);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].ends_with(&format!(
            "report.json: flow {} completed is {}, flows.csv line 2 says {completed}",
            csv[0]["flow"],
            completed - 1
        )),
        "{p:?}"
    );
    // A run without flows has no flows array.
    let (code, text) = run_ff(RETRIED, tmp.path(), "plain", &["--quiet"]);
    assert_eq!(code, 0, "{text}");
    assert!(
        json(&tmp.path().join("plain/report.json"))
            .get("flows")
            .is_none()
    );
}
