//! `run --strict`: a "does not fit" verdict exits 3 even with no threshold written; without the
//! flag the exit code follows the thresholds alone (README, "Exit codes").
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use assert_cmd::Command;

use crate::support::contract::{check_report, csv_rows};

#[test]
fn strict_exits_3_on_a_run_that_does_not_fit_and_0_without_it() {
    let tmp = tempfile::tempdir().unwrap();
    // Free tier (burst 2, 2/s sustained), 10/s for 2 s, no [thresholds]: most requests 429.
    let path = tmp.path().join("s.toml");
    std::fs::write(
        &path,
        "name = \"t\"\n[[operations]]\nname = \"users\"\nkind = \"management\"\npath = \"/api/v2/users\"\n[[phases]]\nduration = \"2s\"\nrate = 10\n",
    )
    .unwrap();
    for (strict, code) in [(false, 0), (true, 3)] {
        let out = tmp.path().join(format!("out-{strict}"));
        let mut cmd = Command::cargo_bin("quotaprobe").unwrap();
        cmd.args(["run", "--quiet"])
            .arg(&path)
            .arg("--out")
            .arg(&out);
        if strict {
            cmd.arg("--strict");
        }
        let o = cmd.timeout(Duration::from_secs(60)).output().unwrap();
        let text =
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "strict {strict}: {text}");
        assert!(text.contains("does not fit"), "{text}");
        check_report(&out);
        let rows = csv_rows(&out.join("summary.csv"));
        let users = rows.iter().find(|r| r["operation"] == "users").unwrap();
        let n429: f64 = users["status_429"].parse().unwrap();
        assert!(n429 >= 10.0, "{users:?}");
    }
}
