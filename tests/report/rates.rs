//! `ok_rps` and `wire_rps` from a real run (fast-forward, the simulator in process): the issue's
//! case of a fleet offering 20/s while the wire sees far more because every 429 is retried.
//! summary.csv, report.json, the console, thresholds (`min_ok_rps`, `max_wire_rps`) and
//! `verify` agree; a tampered `wire_rps` is caught.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

use crate::support::contract::{check_report, csv_rows, problems};

/// Free tier (Management API: burst 2, 2/s), 20/s for 10 s, 429s retried 3 times.
pub const RETRIED: &str = "name = \"retry-amp\"\n\
[[operations]]\nname = \"users\"\nkind = \"management\"\npath = \"/api/v2/users\"\n\
[[phases]]\nduration = \"10s\"\nrate = 20\n\
[retry]\npolicy = \"exponential\"\nmax_retries = 3\nbase = \"100ms\"\n";

/// Runs `scenario` fast-forward into `out`; (exit code, stdout + stderr).
pub fn run_ff(scenario: &str, dir: &Path, out: &str, extra: &[&str]) -> (i32, String) {
    let path = dir.join(format!("{out}.toml"));
    std::fs::write(&path, scenario).unwrap();
    let o = Command::cargo_bin("quotaprobe")
        .unwrap()
        .args(["run", "--fast-forward"])
        .arg(&path)
        .arg("--out")
        .arg(dir.join(out))
        .args(extra)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
    (o.status.code().unwrap_or(-1), text)
}

fn num(row: &std::collections::HashMap<String, String>, col: &str) -> f64 {
    row[col]
        .parse()
        .unwrap_or_else(|_| panic!("{col}: {:?}", row[col]))
}

#[test]
fn retries_show_as_wire_rps_above_the_offered_rate() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = format!("{RETRIED}[thresholds.ALL]\nmin_ok_rps = 15\nmax_wire_rps = 30\n");
    let (code, text) = run_ff(&scenario, tmp.path(), "out", &[]);
    assert_eq!(code, 3, "two thresholds break: {text}");
    let out = tmp.path().join("out");
    check_report(&out);
    let run = csv_rows(&out.join("run.csv"));
    let duration: f64 = run.iter().find(|r| r["key"] == "duration_s").unwrap()["value"]
        .parse()
        .unwrap();
    let rows = csv_rows(&out.join("summary.csv"));
    let users = rows.iter().find(|r| r["operation"] == "users").unwrap();
    let all = rows.iter().find(|r| r["operation"] == "ALL").unwrap();
    let (sent, ok, retries) = (num(users, "sent"), num(users, "ok"), num(users, "retries"));
    assert_eq!(sent, 200.0);
    assert!(retries > 300.0, "most 429s are retried 3 times: {users:?}");
    // achieved_rps stays sent / duration; ok_rps is ok / duration; wire_rps every attempt.
    assert_eq!(users["achieved_rps"], format!("{:.3}", sent / duration));
    assert_eq!(users["ok_rps"], format!("{:.3}", ok / duration));
    assert_eq!(
        users["wire_rps"],
        format!("{:.3}", (sent + retries) / duration)
    );
    assert!(
        num(users, "wire_rps") >= 3.0 * num(users, "achieved_rps"),
        "{users:?}"
    );
    // ALL adds the Management API token request the tool made.
    let wire_all = num(all, "sent") + num(all, "retries");
    assert_eq!(all["wire_rps"], format!("{:.3}", wire_all / duration));
    assert_eq!(num(all, "sent"), sent + 1.0);
    // statuses.csv's attempts are what went on the wire.
    let statuses = csv_rows(&out.join("statuses.csv"));
    let attempts: f64 = statuses
        .iter()
        .filter(|r| r["operation"] == "users")
        .map(|r| num(r, "attempts"))
        .sum();
    assert_eq!(attempts, sent + retries);
    // report.json carries both as numbers.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    let j = &json["summary"][0];
    assert_eq!(j["operation"], "users");
    assert_eq!(j["wire_rps"].as_f64().unwrap(), num(users, "wire_rps"));
    assert_eq!(j["ok_rps"].as_f64().unwrap(), num(users, "ok_rps"));
    // The console shows both columns.
    assert!(text.contains("rps  ok/s  wire/s"), "{text}");
    // Thresholds measure them.
    let th = csv_rows(&out.join("thresholds.csv"));
    let by = |m: &str| th.iter().find(|r| r["metric"] == m).unwrap().clone();
    let close = |a: f64, b: f64| (a - b).abs() < 0.0005;
    assert!(close(
        num(&by("min_ok_rps"), "measured"),
        num(all, "ok_rps")
    ));
    assert_eq!(by("min_ok_rps")["passed"], "false");
    assert!(close(
        num(&by("max_wire_rps"), "measured"),
        num(all, "wire_rps")
    ));
    assert_eq!(by("max_wire_rps")["passed"], "false");
    assert!(text.contains("FAIL ALL max_wire_rps"), "{text}");
}

#[test]
fn verify_catches_a_wire_rps_that_disagrees_with_the_attempts() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, text) = run_ff(RETRIED, tmp.path(), "out", &["--quiet"]);
    assert_eq!(code, 0, "{text}");
    let out = tmp.path().join("out");
    check_report(&out);
    let path = out.join("summary.csv");
    let csv = std::fs::read_to_string(&path).unwrap();
    let users = csv.lines().find(|l| l.starts_with("users,")).unwrap();
    let cells: Vec<&str> = users.split(',').collect();
    // wire_rps as if retries were not on the wire: sent / duration.
    let tampered = format!("{},{}", cells[..22].join(","), cells[11]);
    std::fs::write(&path, csv.replace(users, &tampered)).unwrap();
    let p = problems(&out);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].contains("users: wire_rps") && p[0].contains("attempts on the wire"),
        "{p:?}"
    );
}
