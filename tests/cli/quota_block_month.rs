//! The 30-day free-tier block, observed on a virtual clock: per-request tokens at a constant
//! low rate (a call, and so a token, every 21.6 minutes: 2,000 over 30 days) on the free tier,
//! whose monthly quota is 1,000 tokens with a hard block. The run's observed block time
//! (run.csv `quota_ran_out_s`) must be within an hour of what the quota math predicts, the
//! refused count and the failed operations must follow, every file conserves, verify passes.
//!
//! The prediction walks the arrivals through the free tier's rule as its tier file states it
//! (src/sim/tiers/free.toml `[quota]`): tokens count per calendar UTC month; a token is refused
//! once this month's count reaches 1,000, or once this month's plus the two months before reach
//! 3,000 (`month_or_average`; a run starts with no history, so only a month rollover during the
//! run can matter). It reads the run's own `start`, so it holds whatever day the run starts on.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, SystemTime};

use assert_cmd::Command;

use crate::support::real::{check_report, csv_rows, run_facts, summary, text};

const QUOTA: u64 = 1_000;
/// Seconds between arrivals: 30 days / 2,000.
const EVERY_S: u64 = 1_296;
const ARRIVALS: u64 = 2_000;

const SCENARIO: &str = r#"name = "free-month-block"
description = "A custom-API call every 21.6 min with a fresh token each, 30 days on free"
[target]
simulated = { tier = "free" }
[[clients]]
name = "backend"
[tokens]
strategy = "per-request"
[retry]
policy = "none"
[[operations]]
name = "orders-api"
kind = "http"
method = "GET"
url = "/demo-api/orders"
client = "backend"
audience = "https://api.example.com/"
[[phases]]
name = "month"
duration = "30d"
rate = 0.000771604938271605
"#;

/// (year, month) of a UNIX time, UTC.
fn month_of(epoch_s: u64) -> (i64, u64) {
    // Civil from days (Howard Hinnant's algorithm).
    let z = (epoch_s / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u64;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m)
}

/// The quota math: for arrivals at `k × EVERY_S` after `start_s`, the offset of the first
/// refused token and how many are refused in all.
fn predict(start_s: u64) -> (Option<u64>, u64) {
    let (mut month, mut used, mut history) = (month_of(start_s), 0u64, [0u64; 2]);
    let (mut first, mut refused) = (None, 0);
    for k in 0..ARRIVALS {
        let at = k * EVERY_S;
        let m = month_of(start_s + at);
        if m != month {
            // A run of 30 days crosses at most one month boundary.
            history = [history[1], used];
            (month, used) = (m, 0);
        }
        if used >= QUOTA || history[0] + history[1] + used >= 3 * QUOTA {
            first.get_or_insert(at);
            refused += 1;
        } else {
            used += 1;
        }
    }
    (first, refused)
}

#[test]
fn the_month_blocks_on_the_day_the_quota_math_says() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("month.toml"), SCENARIO).unwrap();
    let o = Command::cargo_bin("quotaprobe")
        .unwrap()
        .args(["forecast", "month.toml", "-q", "--out", "out"])
        .current_dir(tmp.path())
        .timeout(Duration::from_secs(300))
        .output()
        .unwrap();
    // 429s and failed calls: "does not fit", but no threshold, so exit 0.
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = tmp.path().join("out");
    check_report(&out);
    let facts = run_facts(&out);
    assert_eq!(facts["clock"], "virtual");
    assert_eq!(facts["timeline_resolution_s"], "3600");
    let start: SystemTime = humantime::parse_rfc3339(&facts["start"]).unwrap();
    let start_s = start
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let (first, refused) = predict(start_s);
    let predicted = first.expect("2,000 tokens in 30 days run out 1,000 on free") as f64;
    let observed: f64 = facts["quota_ran_out_s"].parse().unwrap();
    assert!(
        (observed - predicted).abs() <= 3_600.0,
        "observed block at {observed} s, the quota math says {predicted} s (start {})",
        facts["start"]
    );
    assert_eq!(facts["quota_refused_tokens"], refused.to_string());
    let issued = ARRIVALS - refused;
    assert_eq!(
        facts["quota_failed_operations"],
        format!("orders-api {refused}; token:https://api.example.com/ {refused}")
    );
    // The block's instant and month, on the run's calendar.
    let at = humantime::parse_rfc3339(&facts["quota_ran_out_at"]).unwrap();
    let from_start = at.duration_since(start).unwrap().as_secs_f64();
    assert!(
        (from_start - observed).abs() < 1.0,
        "{from_start} vs {observed}"
    );
    assert_eq!(facts["quota_month"], facts["quota_ran_out_at"][..7]);
    // Conservation: every call got a token or failed for lack of one; tokens issued = ok.
    let api = summary(&out, "orders-api");
    let token = summary(&out, "token:https://api.example.com/");
    assert_eq!((api["scheduled"], api["sent"]), (2_000.0, 2_000.0));
    assert_eq!(api["ok"], issued as f64);
    assert_eq!(api["status_4xx"] + api["transport_errors"], refused as f64);
    assert_eq!(
        (token["sent"], token["ok"], token["status_429"]),
        (2_000.0, issued as f64, refused as f64)
    );
    let audiences = csv_rows(&out.join("audiences.csv"));
    let orders = audiences
        .iter()
        .find(|a| a["audience"] == "https://api.example.com/")
        .unwrap();
    assert_eq!(orders["tokens_issued"], issued.to_string());
    // 30 days per hour: 720 rows at most, each a multiple of 3,600.
    let timeline = csv_rows(&out.join("timeline.csv"));
    assert!(timeline.len() <= 2 * 720, "{} rows", timeline.len());
    assert!(
        timeline
            .iter()
            .all(|r| r["second"].parse::<u64>().unwrap() % 3_600 == 0)
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        md.contains("Observed: the monthly M2M quota ran out ") && md.contains("virtual time"),
        "{md}"
    );
    // The projection counts issued tokens only: a run that saw the block never says it lasts.
    assert!(!md.contains("the quota lasts the month"), "{md}");
}

#[test]
fn the_quota_math_of_the_test_itself() {
    // 2026-12-01T00:00:00Z: the 1,001st token, at 1,000 × 1,296 s = 15 days, is the first
    // refused; the month does not roll before the run ends on the 31st.
    let dec_1 = 1_796_083_200;
    assert_eq!(month_of(dec_1), (2026, 12));
    assert_eq!(predict(dec_1), (Some(1_296_000), 1_000));
    // 2026-12-25: 1,000 tokens do not run out before January; the new month starts from zero
    // and its first 1,000 tokens are issued: with 2,000 arrivals, fewer than 1,000 refused.
    let dec_25 = dec_1 + 24 * 86_400;
    let (first, refused) = predict(dec_25);
    assert!(first.is_none_or(|f| f > 6 * 86_400), "{first:?}");
    assert!(refused < 1_000);
}
