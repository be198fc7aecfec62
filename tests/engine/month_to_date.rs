//! `[target.simulated] month_to_date_tokens` in a fast-forward run: on free (1,000 M2M tokens a
//! month, a hard block) with 990 already used and a fresh token before each of 20 calls, the
//! first 10 tokens are issued and from the 11th every token request is refused (429, the
//! calls' outcome `token_429`) — the same calls with nothing used all succeed, so the quota is
//! what refused them. The start is the 20th of the month (`start`): "we have used 990 by the
//! 20th: do we run out?".
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::Path;

use clap::Parser;
use quotaprobe::cli::{Cli, Exit, dispatch};
use quotaprobe::engine::StopSignal;

use crate::support::conservation::n;
use crate::support::contract::{check_report, csv_rows};

const TOKEN_OP: &str = "token:https://api.example.com/";

fn scenario(dir: &Path, used: u64) -> std::path::PathBuf {
    let text = format!(
        r#"name = "used-{used}"
start = "2026-12-20T00:00:00Z"
[target.simulated]
tier = "free"
month_to_date_tokens = {used}
[[clients]]
name = "backend"
[tokens]
strategy = "per-request"
[[operations]]
name = "orders"
kind = "http"
method = "GET"
url = "/demo-api/orders"
client = "backend"
audience = "https://api.example.com/"
[[phases]]
duration = "20s"
rate = 1
"#
    );
    let path = dir.join(format!("used-{used}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// summary.csv by operation (sent, ok, 429), the token operation's timeline rows (second, ok,
/// 429), the custom audience's audiences.csv row.
type Run = (
    BTreeMap<String, [u64; 3]>,
    Vec<[u64; 3]>,
    BTreeMap<String, String>,
);

/// Runs `used` fast-forward; (summary.csv by operation, timeline rows of the token operation
/// as (second, ok, status_429), audiences.csv row).
fn run(used: u64) -> Run {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let argv = [
        "quotaprobe".to_string(),
        "run".into(),
        scenario(tmp.path(), used).display().to_string(),
        "--fast-forward".into(),
        "-q".into(),
        "--out".into(),
        out.display().to_string(),
    ];
    let exit = dispatch(Cli::try_parse_from(argv).unwrap(), StopSignal::default());
    assert!(matches!(exit, Exit::Ok | Exit::Breached), "{exit:?}");
    check_report(&out);
    let summary = csv_rows(&out.join("summary.csv"))
        .iter()
        .map(|r| {
            (
                r["operation"].clone(),
                ["sent", "ok", "status_429"].map(|c| n(r, c)),
            )
        })
        .collect();
    let first = "second";
    let timeline = csv_rows(&out.join("timeline.csv"))
        .iter()
        .filter(|r| r["operation"] == TOKEN_OP)
        .map(|r| [r[first].parse().unwrap(), n(r, "ok"), n(r, "status_429")])
        .collect();
    let audience = csv_rows(&out.join("audiences.csv"))
        .into_iter()
        .find(|r| r["audience"] == "https://api.example.com/")
        .unwrap()
        .into_iter()
        .collect();
    (summary, timeline, audience)
}

#[test]
fn with_990_used_on_free_the_11th_token_is_refused() {
    let (summary, timeline, audience) = run(990);
    assert_eq!(summary[TOKEN_OP], [20, 10, 10], "sent, ok, 429");
    assert_eq!(summary["orders"], [20, 10, 0], "10 calls had no token");
    // One token a second: seconds 0-9 issued, 10-19 refused.
    assert_eq!(timeline.len(), 20);
    for [second, ok, refused] in timeline {
        assert_eq!(
            (ok, refused),
            if second < 10 { (1, 0) } else { (0, 1) },
            "second {second}"
        );
    }
    assert_eq!(
        (
            audience["tokens_issued"].as_str(),
            audience["denied_429"].as_str()
        ),
        ("10", "10")
    );

    let (summary, _, audience) = run(0);
    assert_eq!(
        summary[TOKEN_OP],
        [20, 20, 0],
        "nothing used: all 20 issued"
    );
    assert_eq!(audience["tokens_issued"], "20");
}
