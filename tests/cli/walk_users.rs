//! A scenario that walks every user page by page (a `{{p}}` sequence in the query) sees Auth0's
//! 1,000-record paging cap on the simulated tenant: pages ending past record 1,000 are 400s,
//! counted as such in summary.csv and statuses.csv.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;

use crate::support::contract::{check_report, csv_rows};

const WALK: &str = r#"name = "walk-users"

[target]
simulated = { tier = "private-cloud-1500", users = 1500 }

[vars.p]
kind = "sequence"
start = 0

[[operations]]
name = "page"
kind = "management"
path = "/api/v2/users?page={{p}}&per_page=100&include_totals=true"

[[phases]]
duration = "3s"
rate = 5
max_in_flight = 1
"#;

#[test]
fn walking_all_users_hits_the_1000_record_cap() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("walk.toml");
    std::fs::write(&scenario, WALK).unwrap();
    let out = dir.path().join("out");
    let o = Command::cargo_bin("quotaprobe")
        .unwrap()
        .args(["run", "--quiet"])
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    check_report(&out);
    let summary = csv_rows(&out.join("summary.csv"));
    let page = summary.iter().find(|r| r["operation"] == "page").unwrap();
    // 15 arrivals: pages 0-9 end at record 1,000 or before; pages 10-14 are past the cap.
    assert_eq!(
        (
            page["sent"].as_str(),
            page["ok"].as_str(),
            page["status_4xx"].as_str()
        ),
        ("15", "10", "5"),
        "{page:?}"
    );
    let statuses = csv_rows(&out.join("statuses.csv"));
    let bad = statuses
        .iter()
        .find(|r| r["operation"] == "page" && r["status"] == "400")
        .unwrap();
    assert_eq!(bad["count"], "5");
}
