//! `quotaprobe probe`'s inference against every simulated tier over real HTTP on 127.0.0.1:0:
//! burst within ±1, sustained rate within 2 %, and at most burst + 3 × rate per second + a
//! small constant requests, counted by the simulator itself (`/__sim/stats`). One Management
//! endpoint and the token endpoint per tier, picked so each probe takes seconds. Timed: these
//! run alone (.config/nextest.toml). private-cloud-500 and -1500 (250/s and 750/s Management,
//! 500/s and 1,500/s token endpoint) need the widened drain where one connection is too slow.
//! private-cloud-1500's Management bucket is probed with `?per_page=1`: a default page of 50
//! users held the debug-built simulator to ~650-870 answers a second on this 2-core machine
//! whatever the connections (1 to 64), below the bucket's 750/s refill, so no drain empties it;
//! the bucket is the tenant's, whatever the page size.
#![allow(clippy::unwrap_used)]

use quotaprobe::probe::http::HttpTarget;
use quotaprobe::probe::{self, OVERHEAD, Settings};
use quotaprobe::sim::{RunningSim, tier};
use std::time::Duration;

use crate::support::sim::{ID, SECRET, demo, form_encode, http, mgmt_token, start, stats};

/// The bucket an endpoint drains first: its smallest burst (on free's token endpoint the
/// 30/s one empties long before the 300/min one).
fn truth(t: &tier::TierProfile, endpoint: &str) -> (u64, f64) {
    let (method, path) = endpoint.split_once(' ').unwrap();
    let limits: Vec<&tier::LimitSpec> = if endpoint == "POST /oauth/token" {
        t.token_endpoint.iter().map(|b| &b.limit).collect()
    } else {
        t.management_buckets(method, path)
            .into_iter()
            .map(|(_, l)| l)
            .collect()
    };
    let l = limits.into_iter().min_by_key(|l| l.burst).unwrap();
    (l.burst, l.rate_per_s())
}

async fn target(s: &RunningSim, endpoint: &str) -> HttpTarget {
    let (method, path) = endpoint.split_once(' ').unwrap();
    let t = HttpTarget::new(
        method,
        &format!("{}{path}", s.base_url()),
        None,
        probe::DEFAULT_CONCURRENCY,
    )
    .unwrap();
    if endpoint == "POST /oauth/token" {
        let body = form_encode(&[
            ("grant_type", "client_credentials"),
            ("client_id", ID),
            ("client_secret", SECRET),
            ("audience", &s.management_audience()),
        ]);
        t.header("content-type", "application/x-www-form-urlencoded", false)
            .unwrap()
            .body(body)
    } else {
        let token = mgmt_token(&http(), s).await;
        t.header("authorization", &format!("Bearer {token}"), true)
            .unwrap()
    }
}

async fn check(tier_name: &str, endpoints: &[&str]) {
    check_on(tier_name, endpoints, Duration::ZERO).await;
}

/// `check` against a simulator that adds `latency` before every answer (a link slower than
/// loopback); returns the most requests each probe had in flight.
async fn check_on(tier_name: &str, endpoints: &[&str], latency: Duration) -> Vec<usize> {
    let mut windows = Vec::new();
    for endpoint in endpoints {
        let profile = tier::builtin(tier_name).unwrap();
        let (burst, per_s) = truth(&profile, endpoint);
        let mut config = demo(tier_name);
        config.faults.latency = latency;
        let s = start(config);
        let t = target(&s, endpoint).await;
        let before = stats(&http(), &s).await;
        let got = probe::probe(
            &t,
            Settings {
                budget: 20_000,
                ..Settings::default()
            },
        )
        .await;
        let after = stats(&http(), &s).await;
        let route = if *endpoint == "POST /oauth/token" {
            "POST /oauth/token".to_string()
        } else {
            endpoint.split('?').next().unwrap().to_string()
        };
        let count = |v: &serde_json::Value| v["requests"][&route].as_u64().unwrap_or(0);
        // The stats requests themselves are not on the probed route.
        let served = count(&after) - count(&before);
        let what = format!("{tier_name} {endpoint} (truth {burst} / {per_s:.3}/s): {got:?}");
        assert_eq!(
            served, got.tally.spent,
            "the simulator saw what the probe counted: {what}"
        );
        let (rate, _, _) = got.rate.unwrap_or_else(|| panic!("no rate: {what}"));
        assert!(
            got.burst.abs_diff(burst) <= 1,
            "burst {}: {what}",
            got.burst
        );
        assert!(
            (rate - per_s).abs() <= 0.02 * per_s,
            "rate {rate:.4}: {what}"
        );
        let cap = burst + (3.0 * per_s).ceil() as u64 + OVERHEAD;
        assert!(served <= cap, "spent {served} > {cap}: {what}");
        assert!(got.headers_used || endpoint.contains("oauth"), "{what}");
        let t = &got.tally;
        eprintln!(
            "{tier_name} {endpoint}: burst {} rate {rate:.3}/s spent {served} (cap {cap}, 429s {}) in {:.2} s, confidence {}; drain {} requests in {:.2} s ({:.0}/s) at most {} in flight",
            got.burst,
            t.limited,
            t.last_s,
            got.confidence.label(),
            t.drain_sent,
            t.drain_s,
            t.drain_sent as f64 / t.drain_s.max(1e-9),
            t.window
        );
        windows.push(t.window);
        s.shutdown();
    }
    windows
}

#[tokio::test]
async fn free_management_and_token_endpoint() {
    check("free", &["GET /api/v2/users", "POST /oauth/token"]).await;
}

#[tokio::test]
async fn essentials_users_read_and_token_endpoint() {
    check("essentials", &["GET /api/v2/users", "POST /oauth/token"]).await;
}

#[tokio::test]
async fn professional_logs_read() {
    check("professional", &["GET /api/v2/logs"]).await;
}

#[tokio::test]
async fn enterprise_management_and_token_endpoint() {
    check("enterprise", &["GET /api/v2/users", "POST /oauth/token"]).await;
}

#[tokio::test]
async fn enterprise_nonprod_management() {
    check("enterprise-nonprod", &["GET /api/v2/users"]).await;
}

#[tokio::test]
async fn private_cloud_100_management_and_token_endpoint() {
    check(
        "private-cloud-100",
        &["GET /api/v2/users", "POST /oauth/token"],
    )
    .await;
}

#[tokio::test]
async fn private_cloud_500_management_and_token_endpoint() {
    check(
        "private-cloud-500",
        &["GET /api/v2/users", "POST /oauth/token"],
    )
    .await;
}

#[tokio::test]
async fn private_cloud_1500_management_and_token_endpoint() {
    check(
        "private-cloud-1500",
        &["GET /api/v2/users?per_page=1", "POST /oauth/token"],
    )
    .await;
}

#[tokio::test]
async fn private_cloud_500_over_a_5_ms_link_needs_several_in_flight() {
    // 5 ms added to every answer: one connection gets under 200 answers a second, below the
    // buckets' 250/s and 500/s refills, so only a widened drain empties them.
    let windows = check_on(
        "private-cloud-500",
        &["GET /api/v2/users", "POST /oauth/token"],
        Duration::from_millis(5),
    )
    .await;
    assert!(windows.iter().all(|&w| w > 1), "{windows:?}");
}
