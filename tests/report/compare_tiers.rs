//! `quotaprobe compare SCENARIO --tiers ...` through the real binary: the 429 ratio of each tier
//! follows from its bucket numbers, comparison.csv agrees with every tier's own summary.csv,
//! every tier folder passes `quotaprobe verify`, the verdict names the cheapest tier that fits, and
//! the exit codes (0 some tier fits, 3 none, 2 bad input before anything runs).
#![allow(clippy::unwrap_used)]

use crate::support::contract;
use contract::csv_rows;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use quotaprobe::sim::tier;

/// Run length and user-read rate of the test scenario: 20/s for 6 s sits above free's refill
/// (2/s) and essentials' users_read group (500/min), below enterprise's tenant bucket (16/s,
/// burst 50, which 120 reads in 6 s never drain).
const SECONDS: f64 = 6.0;
const READS: &str = r#"
name = "tier-test"
description = "User reads between the free and enterprise limits"
seed = 5

[[operations]]
name = "list-users"
kind = "management"
method = "GET"
path = "/api/v2/users?per_page=5"
weight = 10

[[operations]]
name = "orders-token"
kind = "token"
audience = "https://api.example.com/"
weight = 1

[[phases]]
name = "steady"
duration = "6s"
rate = 22

[thresholds]
"list-users".max_429_ratio = 0.05
"#;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn num(row: &HashMap<String, String>, key: &str) -> f64 {
    row[key]
        .parse()
        .unwrap_or_else(|_| panic!("{key}={:?} in {row:?}", row[key]))
}

fn compare(scenario: &Path, tiers: &str, out: &Path) -> (i32, String, String) {
    let output = Command::cargo_bin("quotaprobe")
        .unwrap()
        .args(["compare"])
        .arg(scenario)
        .args(["--tiers", tiers, "--parallel", "2", "--out"])
        .arg(out)
        .current_dir(root())
        .timeout(Duration::from_secs(90))
        .output()
        .unwrap();
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The share of `sent` user reads the tightest bucket rejects: it lets through its burst plus
/// its refill over the run.
fn expected_ratio(tier_name: &str, sent: f64) -> f64 {
    let profile = tier::builtin(tier_name).unwrap();
    let capacity = profile
        .management_buckets("GET", "/api/v2/users")
        .iter()
        .map(|(_, l)| l.burst as f64 + l.rate_per_s() * SECONDS)
        .fold(f64::INFINITY, f64::min);
    (1.0 - capacity / sent).max(0.0)
}

#[test]
fn tiers_between_the_limits_order_by_their_buckets_and_unknown_quotas_never_fit() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("reads.toml");
    std::fs::write(&scenario, READS).unwrap();
    let out = tmp.path().join("cmp");
    let (code, stdout, stderr) = compare(&scenario, "enterprise,free,essentials", &out);
    // Enterprise and essentials get no 429 beyond the threshold, but the run counts tokens
    // toward the M2M quota and neither tier publishes one: "unknown", never "fits", so no tier
    // is known to fit (exit 3).
    assert_eq!(code, 3, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout.contains("No compared tier is known to fit this scenario"),
        "{stdout}"
    );
    assert!(!stdout.contains("Cheapest tier that fits"), "{stdout}");
    assert!(
        stdout.contains("enterprise: unknown (quota unknown for enterprise"),
        "{stdout}"
    );
    assert!(
        stdout.contains("free: does not fit (list-users max_429_ratio"),
        "{stdout}"
    );

    let rows = csv_rows(&out.join("comparison.csv"));
    let tiers = ["free", "essentials", "enterprise"];
    let mut ratios = HashMap::new();
    for t in tiers {
        // A row per tier × operation, with the same counts as the tier's own summary.csv.
        let summary = csv_rows(&out.join(t).join("summary.csv"));
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r["tier"] == t && r["kind"] != "quota")
            .collect();
        assert_eq!(mine.len(), summary.len(), "{t}: {mine:?}");
        for s in &summary {
            // The simulator's port in the Management audience is normalised away.
            let op = quotaprobe::report::compare::normalize::operation(&s["operation"]);
            let row = mine
                .iter()
                .find(|r| r["operation"] == op)
                .unwrap_or_else(|| panic!("{t}: no row {op}"));
            for col in [
                "scheduled",
                "sent",
                "dropped",
                "ok",
                "status_429",
                "achieved_rps",
                "p99_ms",
            ] {
                assert_eq!(row[col], s[col], "{t} {op} {col}");
            }
        }
        let users = mine
            .iter()
            .find(|r| r["operation"] == "list-users")
            .unwrap();
        let sent = num(users, "sent");
        let ratio = num(users, "ratio_429");
        assert!((ratio - num(users, "status_429") / sent).abs() < 0.001);
        let want = expected_ratio(t, sent);
        assert!(
            (ratio - want).abs() <= 0.06,
            "{t}: ratio_429 {ratio:.3}, bucket theory {want:.3} of {sent} sent"
        );
        ratios.insert(t, ratio);
        // Quota rows: the custom API counts, with each tier's own quota.
        let quota = rows
            .iter()
            .find(|r| r["tier"] == t && r["operation"] == "quota:https://api.example.com/")
            .unwrap();
        let orders = summary
            .iter()
            .find(|r| r["operation"] == "orders-token")
            .unwrap();
        assert_eq!(quota["tokens_issued"], orders["ok"], "{t}");
        let q = tier::builtin(t).unwrap().monthly_m2m_quota;
        assert_eq!(
            quota["tier_monthly_quota"],
            q.map(|q| q.to_string()).unwrap_or_default(),
            "{t}"
        );
        assert_eq!(
            quota["projected_pct_of_quota"].is_empty(),
            q.is_none(),
            "{t}"
        );
        // Every tier folder is a complete report.
        contract::check_report(&out.join(t));
    }
    assert!(ratios["free"] > ratios["essentials"] + 0.3, "{ratios:?}");
    assert!(ratios["essentials"] > 0.1, "{ratios:?}");
    assert_eq!(ratios["enterprise"], 0.0, "{ratios:?}");
    // Rows come in cost order, whatever the order of --tiers.
    let mut order: Vec<&str> = rows.iter().map(|r| r["tier"].as_str()).collect();
    order.dedup();
    assert_eq!(order, tiers);

    let html = std::fs::read_to_string(out.join("comparison.html")).unwrap();
    assert!(html.matches("<svg").count() >= 4);
    let md = std::fs::read_to_string(out.join("comparison.md")).unwrap();
    assert!(
        md.contains("**No compared tier is known to fit this scenario") && md.contains("UNKNOWN"),
        "{md}"
    );
    assert!(
        md.contains("(free/report.html)") || md.contains("free/report.html"),
        "{md}"
    );
}

#[test]
fn no_tier_fits_is_exit_3() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("reads.toml");
    std::fs::write(&scenario, READS.replace("6s", "3s")).unwrap();
    let out = tmp.path().join("cmp");
    let (code, stdout, stderr) = compare(&scenario, "free", &out);
    assert_eq!(code, 3, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(
        stdout.contains("No compared tier fits this scenario."),
        "{stdout}"
    );
    assert!(out.join("free/summary.csv").is_file());
}

#[test]
fn bad_input_is_exit_2_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("reads.toml");
    std::fs::write(&scenario, READS).unwrap();
    let real = tmp.path().join("real.toml");
    std::fs::write(
        &real,
        READS.replacen(
            "[[operations]]",
            "[target]\nurl = \"https://example.eu.auth0.com\"\n\n[[clients]]\nname = \"backend\"\nclient_id = \"${QP_ID}\"\nclient_secret = \"${QP_SECRET}\"\n\n[[operations]]",
            1,
        ),
    )
    .unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--tiers".into(), "free,gold".into()],
            "unknown tier \"gold\"",
        ),
        (
            vec!["--tiers".into(), "".into()],
            "--tiers: name at least one tier",
        ),
        (
            vec!["--tiers".into(), "free,free".into()],
            "free is listed twice",
        ),
        (
            vec![
                "--tiers".into(),
                "free".into(),
                "--fail-if".into(),
                "p99_ms>+1%".into(),
            ],
            "--fail-if",
        ),
        (vec![], "--tiers: name at least one tier"),
    ];
    for (args, want) in cases {
        let out = tmp.path().join("never");
        let output = Command::cargo_bin("quotaprobe")
            .unwrap()
            .arg("compare")
            .arg(&scenario)
            .args(&args)
            .arg("--out")
            .arg(&out)
            .timeout(Duration::from_secs(20))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?} created the output folder");
    }
    let output = Command::cargo_bin("quotaprobe")
        .unwrap()
        .arg("compare")
        .arg(&real)
        .args(["--tiers", "free"])
        .env("QP_ID", "id")
        .env("QP_SECRET", "secret")
        .timeout(Duration::from_secs(20))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("real tenant"), "{stderr}");
}
