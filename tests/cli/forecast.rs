//! `forecast SCENARIO` and `compare --tiers --fast-forward` through the binary: a forecast is a
//! fast-forward run whose report says so (run.csv `forecast = true`, `clock = virtual`, the
//! console heading, report.md's title, a `-forecast` folder); each compared tier runs on a
//! virtual clock; a real tenant is refused with exit 2 naming the command or flag, before
//! anything is sent.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use assert_cmd::Command;

use crate::support::real as real_support;

use real_support::*;

fn quotaprobe(dir: &Path, args: &[&str], served: Option<&Served>) -> Output {
    Command::cargo_bin("quotaprobe")
        .unwrap()
        .args(args)
        .env("QP_ID", ID)
        .env("QP_SECRET", SECRET)
        .env(
            "QP_DOMAIN",
            served.map_or("unused.example.com", |s| &s.addr),
        )
        .current_dir(dir)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap()
}

#[test]
fn a_forecast_is_a_fast_forward_run_that_says_it_is_one() {
    let tmp = tempfile::tempdir().unwrap();
    // 30 virtual minutes at 2/s on free's 2/s Management bucket.
    let path = scenario(tmp.path(), "fc", true, &burst(2, 1_800));
    let file = path.to_str().unwrap();
    let o = quotaprobe(tmp.path(), &["forecast", file, "--tier", "free"], None);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("forecast: fc on tier free on a virtual clock (30.0 min simulated in"),
        "{stdout}"
    );
    let folders: Vec<_> = std::fs::read_dir(tmp.path().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(folders.len(), 1, "{folders:?}");
    let out = &folders[0];
    let name = out.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("fc-") && name.ends_with("-free-forecast"),
        "{name}"
    );
    check_report(out);
    let facts = run_facts(out);
    assert_eq!(facts["forecast"], "true");
    assert_eq!(facts["clock"], "virtual");
    assert_eq!(facts["timeline_resolution_s"], "1");
    let duration: f64 = facts["duration_s"].parse().unwrap();
    assert!((duration - 1_800.0).abs() < 0.1, "duration_s {duration}");
    let s = summary(out, "list-users");
    assert_eq!((s["scheduled"], s["sent"]), (3_600.0, 3_600.0));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.starts_with("# quotaprobe forecast: fc on tier free"),
        "{md}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["run"]["forecast"], "true");
    assert_eq!(json["observed"]["quota_refused_tokens"], 0);
    assert!(json["observed"]["quota_ran_out_s"].is_null());
}

#[test]
fn forecast_and_compare_fast_forward_refuse_a_real_tenant_naming_the_command() {
    let tmp = tempfile::tempdir().unwrap();
    let served = Served::start();
    let path = scenario(tmp.path(), "fc-real", false, &burst(2, 2));
    let file = path.to_str().unwrap();
    let o = quotaprobe(
        tmp.path(),
        &["forecast", file, "--yes", "--out", "out"],
        Some(&served),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("forecast runs only against the embedded simulated tenant"),
        "{err}"
    );
    assert!(
        err.contains("fc-real.toml") && err.contains("nothing was sent"),
        "{err}"
    );
    let o = quotaprobe(
        tmp.path(),
        &["compare", file, "--tiers", "free", "--fast-forward"],
        Some(&served),
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--fast-forward") && err.contains("real tenant"),
        "{err}"
    );
    assert_eq!(served.total_requests(), 0);
    assert!(!tmp.path().join("out").exists());
    assert!(!tmp.path().join("reports").exists());
    // Report folders are compared as they are: --fast-forward is bad usage there.
    for d in ["a", "b"] {
        std::fs::create_dir(tmp.path().join(d)).unwrap();
    }
    let o = quotaprobe(tmp.path(), &["compare", "a", "b", "--fast-forward"], None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--fast-forward apply to --tiers"));
}

#[test]
fn compare_fast_forward_runs_every_tier_on_a_virtual_clock() {
    let tmp = tempfile::tempdir().unwrap();
    // 10 virtual minutes at 5/s: free's 2/s bucket answers 429s, enterprise's does not.
    let path = scenario(tmp.path(), "fc-tiers", true, &burst(5, 600));
    let file = path.to_str().unwrap();
    let o = quotaprobe(
        tmp.path(),
        &[
            "compare",
            file,
            "--tiers",
            "free,enterprise",
            "--fast-forward",
            "-q",
            "--out",
            "cmp",
        ],
        None,
    );
    assert!(matches!(o.status.code(), Some(0 | 3)), "{}", text(&o));
    for tier in ["free", "enterprise"] {
        let dir = tmp.path().join("cmp").join(tier);
        check_report(&dir);
        let facts = run_facts(&dir);
        assert_eq!(facts["clock"], "virtual", "{tier}");
        assert_eq!(facts["tier"], tier);
        let duration: f64 = facts["duration_s"].parse().unwrap();
        let wall: f64 = facts["wall_s"].parse().unwrap();
        assert!(
            (duration - 600.0).abs() < 0.1,
            "{tier}: duration_s {duration}"
        );
        assert!(wall < duration / 5.0, "{tier}: {wall} s of wall time");
        let s = summary(&dir, "list-users");
        assert_eq!(s["scheduled"], 3_000.0, "{tier}");
    }
    let free = summary(&tmp.path().join("cmp/free"), "list-users");
    let enterprise = summary(&tmp.path().join("cmp/enterprise"), "list-users");
    assert!(free["status_429"] > 1_000.0, "free: {free:?}");
    assert_eq!(enterprise["status_429"], 0.0);
}
