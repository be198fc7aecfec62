//! `quotaprobe run` end to end through the real binary against the embedded simulator: exit
//! codes, a complete report folder that passes `quotaprobe verify`, thresholds, and Ctrl-C.
#![allow(clippy::unwrap_used)]

use crate::support::contract;
use contract::{check_report, csv_rows};

use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn summary_row(dir: &Path, op: &str) -> std::collections::HashMap<String, String> {
    csv_rows(&dir.join("summary.csv"))
        .into_iter()
        .find(|r| r["operation"] == op)
        .unwrap_or_else(|| panic!("no summary row for {op}"))
}

fn num(row: &std::collections::HashMap<String, String>, key: &str) -> f64 {
    row[key]
        .parse()
        .unwrap_or_else(|_| panic!("{key}={:?}", row[key]))
}

#[test]
fn quickstart_runs_offline_and_writes_a_complete_report() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("run");
    let assert = Command::cargo_bin("quotaprobe")
        .unwrap()
        .args(["run", "scenarios/quickstart.toml", "--quiet", "--out"])
        .arg(&out)
        .current_dir(root())
        .timeout(Duration::from_secs(60))
        .assert();
    let output = assert.get_output();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        stdout.contains(&out.display().to_string()),
        "summary names the report folder: {stdout}"
    );
    check_report(&out);
    let users = summary_row(&out, "list-users");
    assert_eq!(num(&users, "status_429"), 0.0);
    assert_eq!(num(&users, "ok"), num(&users, "sent"));
    let tokens = summary_row(&out, "orders-token");
    // 10 s at 2/s: 20 arrivals between the two operations, all ok.
    assert_eq!(num(&tokens, "scheduled") + num(&users, "scheduled"), 20.0);
    assert_eq!(num(&tokens, "ok") + num(&users, "ok"), 20.0);
    // audiences: one cached Management token (internal), and one per token operation (counted).
    let audiences = csv_rows(&out.join("audiences.csv"));
    let custom = audiences
        .iter()
        .find(|a| a["audience"] == "https://api.example.com/")
        .unwrap();
    assert_eq!(custom["counts_toward_quota"], "true");
    assert_eq!(
        custom["tokens_issued"].parse::<f64>().unwrap(),
        num(&tokens, "ok")
    );
    assert_eq!(custom["tier_monthly_quota"], "1000");
    let mgmt = audiences.iter().find(|a| a["internal"] == "true").unwrap();
    assert_eq!(mgmt["tokens_issued"], "1");
    assert_eq!(mgmt["counts_toward_quota"], "false");
    // Percentiles in summary.csv and latency.csv agree with the histogram log read back.
    let snapshot = quotaprobe::report::read(&out).unwrap();
    assert!(!snapshot.histograms.is_empty());
    for h in &snapshot.histograms {
        let row = summary_row(&out, &h.operation);
        for (q, col) in [(0.5, "p50_ms"), (0.99, "p99_ms")] {
            let from_log = h.corrected_us.value_at_quantile(q) as f64 / 1000.0;
            assert!(
                (from_log - num(&row, col)).abs() < 0.002,
                "{} {col}: log {from_log} vs summary {}",
                h.operation,
                row[col]
            );
        }
        let service = h.service_us.value_at_quantile(0.99) as f64 / 1000.0;
        assert!(
            (service - num(&row, "service_p99_ms")).abs() < 0.002,
            "{}",
            h.operation
        );
        assert_eq!(
            h.corrected_us.len() as f64,
            num(&row, "sent"),
            "{}: one latency per sent request",
            h.operation
        );
    }
    for file in ["report.md", "report.html", "histograms.hlog", "run.csv"] {
        assert!(
            out.join(file).metadata().unwrap().len() > 0,
            "{file} is empty"
        );
    }
}

#[test]
fn a_breached_threshold_exits_3_and_a_held_one_0() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = |limit: &str| {
        format!(
            "name = \"t\"\n[[operations]]\nname = \"users\"\nkind = \"management\"\npath = \"/api/v2/users\"\n[[phases]]\nduration = \"2s\"\nrate = 10\n[thresholds]\nusers.max_429_ratio = {limit}\n"
        )
    };
    for (limit, code) in [("0.1", 3), ("1.0", 0)] {
        let path = tmp.path().join(format!("s{code}.toml"));
        std::fs::write(&path, scenario(limit)).unwrap();
        let out = tmp.path().join(format!("out{code}"));
        let o = Command::cargo_bin("quotaprobe")
            .unwrap()
            .args(["run", "--quiet"])
            .arg(&path)
            .arg("--out")
            .arg(&out)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let text =
            String::from_utf8_lossy(&o.stdout).to_string() + &String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(code), "limit {limit}: {text}");
        assert!(
            text.contains(if code == 3 { "FAIL" } else { "PASS" }),
            "{text}"
        );
        check_report(&out);
        // Free tier: burst 2, 2/s sustained: 20 arrivals over 2 s leave most requests 429.
        let users = summary_row(&out, "users");
        assert!(num(&users, "status_429") >= 10.0, "{users:?}");
    }
}

#[test]
fn ctrl_c_stops_cleanly_with_exit_0_and_a_complete_report() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("long.toml");
    std::fs::write(&path, "name = \"long\"\n[[operations]]\nname = \"tok\"\nkind = \"token\"\naudience = \"https://api.example.com/\"\n[[phases]]\nduration = \"60s\"\nrate = 5\n").unwrap();
    let out = tmp.path().join("out");
    let bin = assert_cmd::cargo::cargo_bin("quotaprobe");
    let mut child = StdCommand::new(bin)
        .args(["run", "--quiet"])
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let status = StdCommand::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = std::time::Instant::now();
    let output = loop {
        if let Some(_s) = child.try_wait().unwrap() {
            break child.wait_with_output().unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "run did not stop after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = String::from_utf8_lossy(&output.stdout).to_string()
        + &String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{text}");
    check_report(&out);
    let all = summary_row(&out, "ALL");
    // Stopped after ~3 s of a 60 s phase at 5/s: far fewer than 300 arrivals, but some.
    let scheduled = num(&all, "scheduled");
    assert!((5.0..100.0).contains(&scheduled), "scheduled {scheduled}");
    let run = csv_rows(&out.join("run.csv"));
    let reason = run
        .iter()
        .find(|r| r["key"] == "stop_reason")
        .map(|r| r["value"].clone())
        .unwrap_or_default();
    assert!(
        reason.contains("interrupt") || reason.contains("signal") || reason.contains("ctrl"),
        "stop_reason {reason:?}"
    );
}

/// The caching question end to end: the same traffic costs one token when cached (projected at
/// its steady state, one per day) and one per call without a cache.
#[test]
fn token_cache_vs_token_per_call() {
    let tmp = tempfile::tempdir().unwrap();
    let mut pct = Vec::new();
    for (name, code) in [("m2m-token-cached", 0), ("m2m-token-per-call", 3)] {
        let out = tmp.path().join(name);
        let o = Command::cargo_bin("quotaprobe")
            .unwrap()
            .args(["run", "--quiet", &format!("scenarios/{name}.toml"), "--out"])
            .arg(&out)
            .current_dir(root())
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        assert_eq!(
            o.status.code(),
            Some(code),
            "{name}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        check_report(&out);
        let audiences = csv_rows(&out.join("audiences.csv"));
        let custom = audiences
            .iter()
            .find(|a| a["audience"] == "https://api.example.com/")
            .unwrap();
        let api = summary_row(&out, "orders-api");
        assert_eq!(num(&api, "ok"), 75.0, "{name}");
        let issued: f64 = custom["tokens_issued"].parse().unwrap();
        assert_eq!(issued, if code == 0 { 1.0 } else { 75.0 }, "{name}");
        pct.push(custom["projected_pct_of_quota"].parse::<f64>().unwrap());
    }
    // Cached: one token per (24 h − 60 s) → about 30 a month, 3 % of 1,000.
    assert!((pct[0] - 3.0).abs() < 0.1, "cached {}", pct[0]);
    // Per call: 75 tokens in 15 s → 5/s → 12,960,000 a month.
    assert!(pct[1] > 1_000_000.0, "per call {}", pct[1]);
}
