//! Rate limits over real HTTP on free and enterprise: the burst passes, the next request gets
//! Auth0's exact 429, and buckets refill at the sustained rate (measured over ~3 s).
#![allow(clippy::unwrap_used)]

use crate::support::sim as sim_support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sim_support::*;

const MGMT_429: &str = r#"{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}"#;

/// Send `send` back to back for `window`; returns (accepted, 429s, seconds from the first send to
/// the last send, which is the time the server's buckets had to refill).
async fn hammer<F, Fut>(window: Duration, mut send: F) -> (u64, u64, f64)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = reqwest::Response>,
{
    let start = Instant::now();
    let (mut ok, mut limited) = (0, 0);
    let mut last_send = start;
    while start.elapsed() < window {
        last_send = Instant::now();
        let r = send().await;
        match r.status().as_u16() {
            200 => ok += 1,
            429 => limited += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    (ok, limited, (last_send - start).as_secs_f64())
}

/// The timing tests run one at a time: on 2 cores, parallel hammering starves a client enough
/// that it stops keeping the bucket empty, and the theory below assumes it always does.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn assert_near(accepted: u64, theory: f64, what: &str) {
    assert!(
        (accepted as f64 - theory).abs() <= 1.0,
        "{what}: accepted {accepted}, theory {theory:.2}"
    );
}

async fn management_case(tier: &str, burst: u64, per_s: f64) {
    let _serial = SERIAL.lock().await;
    let s = start(demo(tier));
    let c = http();
    let token = mgmt_token(&c, &s).await;
    let url = format!("{}/api/v2/users?per_page=1", s.base_url());
    let get = || async { c.get(&url).bearer_auth(&token).send().await.unwrap() };
    // The burst passes (plus whatever refilled meanwhile), then the next request is limited.
    let t0 = Instant::now();
    let mut passed = 0;
    let r = loop {
        let r = get().await;
        if r.status() == 429 {
            break r;
        }
        assert_eq!(header_u64(&r, "x-ratelimit-limit"), burst);
        let refilled = (t0.elapsed().as_secs_f64() * per_s).floor() as u64;
        let remaining = header_u64(&r, "x-ratelimit-remaining");
        assert!(
            remaining + passed + 1 >= burst && remaining + passed < burst + refilled + 1,
            "{tier}: remaining {remaining} after {passed}"
        );
        passed += 1;
    };
    let refilled = (t0.elapsed().as_secs_f64() * per_s).ceil() as u64;
    assert!(
        passed >= burst && passed <= burst + refilled,
        "{tier}: {passed} passed, burst {burst}"
    );
    assert_eq!(r.status(), 429, "{tier}: request after the burst");
    assert_eq!(header_u64(&r, "x-ratelimit-limit"), burst);
    assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 0);
    // x-ratelimit-reset: when the (empty) bucket is full again, burst / rate seconds away.
    let reset = header_u64(&r, "x-ratelimit-reset");
    let now = epoch_now();
    let wait = (burst as f64 / per_s).ceil() as u64;
    assert!(
        reset + 1 >= now + wait && reset <= now + wait + 1,
        "{tier}: reset {reset} vs now {now} + {wait}"
    );
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(r.text().await.unwrap(), MGMT_429);

    // Sustained: start from an empty bucket, hammer ~3 s, compare with burst-free theory.
    let before = stats(&c, &s).await;
    let (ok, limited, secs) = hammer(Duration::from_secs(3), get).await;
    assert_near(ok, per_s * secs, &format!("{tier} management sustained"));
    let after = stats(&c, &s).await;
    let n = |v: &Value, k: &str| v["rate_limited"][k].as_u64().unwrap_or(0);
    assert_eq!(
        n(&after, "management") - n(&before, "management"),
        limited,
        "{tier}: stats count every 429"
    );
    let sent = ok + limited + passed + 1;
    assert_eq!(
        after["requests"]["GET /api/v2/users"],
        json!(sent),
        "{tier}: stats count every request"
    );
    s.shutdown();
}

#[tokio::test]
async fn free_management_bucket() {
    management_case("free", 2, 2.0).await;
}

#[tokio::test]
async fn enterprise_management_bucket() {
    management_case("enterprise", 50, 16.0).await;
}

/// Token endpoint: the burst from a full bucket, Auth0's 429, then the sustained rate from an
/// empty bucket (an empty bucket cannot lose refills to its cap when the client stalls briefly).
async fn token_case(tier: &str, burst: u64, per_s: f64) {
    let _serial = SERIAL.lock().await;
    let s = start(demo(tier));
    let c = http();
    let audience = s.management_audience();
    // Open the connection first, so the first token request's check is not delayed by it.
    let warm = c
        .get(format!("{}/.well-known/jwks.json", s.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(warm.status(), 200);
    let send = || token_request(&c, &s, ID, SECRET, &audience);
    let t0 = Instant::now();
    let mut passed = 0;
    let r = loop {
        let r = send().await;
        if r.status() == 429 {
            break r;
        }
        assert_eq!(r.status(), 200);
        passed += 1;
    };
    let refilled = (t0.elapsed().as_secs_f64() * per_s).ceil() as u64;
    assert!(
        passed >= burst && passed <= burst + refilled,
        "{tier}: {passed} passed, burst {burst}"
    );
    assert_eq!(header_u64(&r, "x-ratelimit-limit"), burst);
    assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 0);
    // x-ratelimit-reset: when the empty bucket is full again (burst / rate = 1 s here).
    let reset = header_u64(&r, "x-ratelimit-reset");
    let wait = (burst as f64 / per_s).ceil() as u64;
    assert!(
        reset >= epoch_now() && reset <= epoch_now() + wait + 1,
        "{tier}: reset {reset}"
    );
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"error":"too_many_requests","error_description":"Global limit has been reached"}"#
    );

    let (ok, limited, secs) = hammer(Duration::from_secs(3), send).await;
    assert_near(
        ok,
        per_s * secs,
        &format!("{tier} token endpoint sustained"),
    );
    let st = stats(&c, &s).await;
    assert_eq!(st["tokens_issued"][ID][&audience], json!(passed + ok));
    let limited_total: u64 = st["rate_limited"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(limited_total, limited + 1, "stats count every 429");
    assert_eq!(
        st["quota"]["used"],
        json!(0),
        "Management API tokens never count"
    );
    s.shutdown();
}

#[tokio::test]
async fn free_token_endpoint_30_per_s_under_300_per_min() {
    // oauth_token 30 burst / 30 per s is tighter than auth_api 300 / 300 per min over ~4 s.
    token_case("free", 30, 30.0).await;
}

#[tokio::test]
async fn enterprise_token_endpoint() {
    token_case("enterprise", 100, 100.0).await;
}
