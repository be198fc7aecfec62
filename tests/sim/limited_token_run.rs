//! A run against a tenant whose rate-limited token requests are answered 500 `access_denied`
//! "Global limit has been reached" (`auth_limit_answer = "access_denied_500"`): the report counts
//! them as 429s, exactly as it counts the default 429 answer.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use assert_cmd::Command;

use crate::support::contract::csv_rows;

/// Token endpoint: burst 2, one a minute, so a 2 s run at 5/s gets 2 tokens and 8 refusals.
fn tier_file(answer: &str) -> String {
    format!(
        r#"name = "limited"
auth_limit_answer = "{answer}"
[[token_endpoint]]
name = "auth_api"
burst = 2
rate = 1
per = "minute"
source = "assumed: test"
[quota]
source = "assumed: test"
"#
    )
}

const SCENARIO: &str = r#"name = "limited-token"
seed = 3

[target]
simulated = { tier = "free" }

[[operations]]
name = "orders-token"
kind = "token"
audience = "https://api.example.com/"

[[phases]]
name = "steady"
duration = "2s"
rate = 5
"#;

fn run(answer: &str) -> std::collections::HashMap<String, String> {
    let tmp = tempfile::tempdir().unwrap();
    let tier = tmp.path().join("tier.toml");
    std::fs::write(&tier, tier_file(answer)).unwrap();
    let scenario = tmp.path().join("limited.toml");
    std::fs::write(&scenario, SCENARIO).unwrap();
    let out = tmp.path().join("out");
    let assert = Command::cargo_bin("quotaprobe")
        .unwrap()
        .arg("run")
        .arg(&scenario)
        .arg("--tier-file")
        .arg(&tier)
        .args(["--quiet", "--out"])
        .arg(&out)
        .timeout(Duration::from_secs(60))
        .assert();
    let output = assert.get_output();
    assert!(
        output.status.code().is_some_and(|c| c == 0 || c == 3),
        "{answer}: {}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let statuses = csv_rows(&out.join("statuses.csv"));
    let limited: Vec<_> = statuses
        .iter()
        .filter(|r| r["operation"] == "orders-token" && r["status"] != "200")
        .map(|r| (r["status"].clone(), r["count"].clone()))
        .collect();
    assert_eq!(limited, [("429".to_string(), "8".to_string())], "{answer}");
    csv_rows(&out.join("summary.csv"))
        .into_iter()
        .find(|r| r["operation"] == "orders-token")
        .unwrap()
}

#[test]
fn a_500_global_limit_counts_as_429_like_the_default_answer() {
    for answer in ["too_many_requests", "access_denied_500"] {
        let row = run(answer);
        let n = |k: &str| row[k].parse::<u64>().unwrap();
        assert_eq!(
            (n("sent"), n("ok"), n("status_429"), n("status_5xx")),
            (10, 2, 8, 0),
            "{answer}"
        );
    }
}
