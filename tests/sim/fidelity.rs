//! Auth0 fidelity over real HTTP, each with the exact status, body and headers: the 1,000-record
//! paging cap of `GET /api/v2/users` and its totals, `x-ratelimit-reset` as the time the bucket is
//! full again (and `reset = "next_token"`), rate-limited `/oauth/token` answered 429 or, with
//! `auth_limit_answer = "access_denied_500"`, 500, and JWKS behind the tier's bucket.
#![allow(clippy::unwrap_used)]

use crate::support::sim as sim_support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use quotaprobe::sim::{RunningSim, SimConfig, tier};
use reqwest::Client;
use serde_json::{Value, json};
use sim_support::*;

const PAGE_CAP_400: &str = r#"{"statusCode":400,"error":"Bad Request","message":"You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation","errorCode":"invalid_paging"}"#;
const AUTH_429: &str =
    r#"{"error":"too_many_requests","error_description":"Global limit has been reached"}"#;
const AUTH_500: &str =
    r#"{"error":"access_denied","error_description":"Global limit has been reached"}"#;

/// A tier from TOML `body` (plus a `[quota]`), demo clients, 5 users.
fn custom(body: &str) -> SimConfig {
    let text = format!("name = \"fidelity\"\n{body}\n[quota]\nsource = \"assumed: test\"\n");
    let mut c = SimConfig::demo(tier::parse(&text, "test").unwrap());
    c.users = 5;
    c
}

async fn get(c: &Client, url: String, token: &str) -> reqwest::Response {
    c.get(url).bearer_auth(token).send().await.unwrap()
}

fn epoch_f64() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

/// Sleep until the wall clock reaches epoch second `at`, as SDKs that honour the header do.
async fn sleep_until_epoch(at: u64) {
    let left = at as f64 - epoch_f64();
    if left > 0.0 {
        tokio::time::sleep(Duration::from_secs_f64(left)).await;
    }
}

#[tokio::test]
async fn users_pages_past_the_first_1000_records_get_auth0s_400() {
    let mut config = demo("enterprise");
    config.users = 1_200;
    let s = start(config);
    let c = http();
    let token = mgmt_token(&c, &s).await;
    let base = format!("{}/api/v2/users", s.base_url());

    // A walk over every user, 100 a page: ten pages, then the 400 (not the 200 users past 1,000).
    let mut seen = 0;
    let mut page = 0;
    let last = loop {
        let r = get(&c, format!("{base}?per_page=100&page={page}"), &token).await;
        if r.status() != 200 {
            break r;
        }
        seen += r.json::<Value>().await.unwrap().as_array().unwrap().len();
        page += 1;
    };
    assert_eq!((seen, page), (1_000, 10));
    assert_eq!(last.status(), 400);
    assert_eq!(last.headers()["content-type"], "application/json");
    // The refused page still drew from the tenant bucket: rate-limit headers are there.
    assert_eq!(header(&last, "x-ratelimit-limit"), "50");
    assert!(!header(&last, "x-ratelimit-remaining").is_empty());
    assert_eq!(last.text().await.unwrap(), PAGE_CAP_400);

    // The last page inside the cap, with totals: `total` is capped at 1,000 as Auth0 reports.
    let r = get(
        &c,
        format!("{base}?per_page=50&page=19&include_totals=true"),
        &token,
    )
    .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(
        (
            &body["start"],
            &body["limit"],
            &body["length"],
            &body["total"]
        ),
        (&json!(950), &json!(50), &json!(50), &json!(1_000))
    );
    // A page that ends past record 1,000 is refused even if it starts inside (1000..1050, 990..1020).
    for q in [
        "per_page=50&page=20",
        "per_page=30&page=33&include_totals=true",
    ] {
        let r = get(&c, format!("{base}?{q}"), &token).await;
        assert_eq!(r.status(), 400, "{q}");
        assert_eq!(r.text().await.unwrap(), PAGE_CAP_400, "{q}");
    }
    s.shutdown();
}

#[tokio::test]
async fn the_paging_cap_does_not_depend_on_how_many_users_exist() {
    let s = start(demo("enterprise"));
    let c = http();
    let token = mgmt_token(&c, &s).await;
    let base = format!("{}/api/v2/users", s.base_url());
    let r = get(&c, format!("{base}?per_page=100&page=10"), &token).await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.text().await.unwrap(), PAGE_CAP_400);
    // Inside the cap, past the 50 users: an empty page, the real total.
    let r = get(
        &c,
        format!("{base}?per_page=100&page=9&include_totals=true"),
        &token,
    )
    .await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!((&body["length"], &body["total"]), (&json!(0), &json!(50)));
    s.shutdown();
}

/// Management bucket of 3, one token a second: drain it and return the 429.
async fn drain_management(c: &Client, s: &RunningSim, token: &str) -> reqwest::Response {
    let url = format!("{}/api/v2/users?per_page=1", s.base_url());
    for want in [2, 1, 0] {
        let r = get(c, url.clone(), token).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header_u64(&r, "x-ratelimit-remaining"), want);
    }
    let r = get(c, url, token).await;
    assert_eq!(r.status(), 429);
    r
}

const MGMT_3_PER_3S: &str = r#"
[management.tenant]
burst = 3
rate = 60
per = "minute"
source = "assumed: test"
"#;

#[tokio::test]
async fn reset_is_when_the_bucket_is_full_and_a_client_sleeping_until_it_finds_it_full() {
    let s = start(custom(MGMT_3_PER_3S));
    let c = http();
    let token = mgmt_token(&c, &s).await;
    let r = drain_management(&c, &s, &token).await;
    let now = epoch_f64();
    assert_eq!(header(&r, "x-ratelimit-limit"), "3");
    assert_eq!(header(&r, "x-ratelimit-remaining"), "0");
    let reset = header_u64(&r, "x-ratelimit-reset");
    // Empty bucket, one token a second: full again ~3 s later (rounded up to the second).
    assert!(
        reset as f64 >= now + 1.5 && reset as f64 <= now + 4.0,
        "reset {reset} vs now {now:.3}"
    );
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"statusCode":429,"error":"Too Many Requests","message":"Global limit has been reached","errorCode":"too_many_requests"}"#
    );
    sleep_until_epoch(reset).await;
    // The whole burst is back: three pass (remaining 2, 1, 0), the fourth is limited again.
    let again = drain_management(&c, &s, &token).await;
    assert_eq!(header(&again, "x-ratelimit-remaining"), "0");
    s.shutdown();
}

#[tokio::test]
async fn reset_next_token_names_the_next_token_and_only_one_is_back_by_then() {
    let s = start(custom(&format!("reset = \"next_token\"\n{MGMT_3_PER_3S}")));
    let c = http();
    let token = mgmt_token(&c, &s).await;
    let r = drain_management(&c, &s, &token).await;
    let now = epoch_f64();
    let reset = header_u64(&r, "x-ratelimit-reset");
    assert!(
        reset as f64 >= now && reset as f64 <= now + 2.0,
        "reset {reset} vs now {now:.3}"
    );
    sleep_until_epoch(reset).await;
    let url = format!("{}/api/v2/users?per_page=1", s.base_url());
    let first = get(&c, url.clone(), &token).await;
    assert_eq!(first.status(), 200);
    // One or two tokens came back, never the whole burst of 3.
    assert!(header_u64(&first, "x-ratelimit-remaining") <= 1);
    s.shutdown();
}

/// Token endpoint: burst 2, one a minute (nothing refills during the test).
fn token_tier(answer: &str) -> SimConfig {
    custom(&format!(
        r#"auth_limit_answer = "{answer}"
[[token_endpoint]]
name = "auth_api"
burst = 2
rate = 1
per = "minute"
source = "assumed: test"
"#
    ))
}

async fn limited_token_answer(answer: &str, status: u16, body: &str) {
    let s = start(token_tier(answer));
    let c = http();
    for want in [1, 0] {
        let r = token_request(&c, &s, ID, SECRET, CUSTOM).await;
        assert_eq!(r.status(), 200);
        assert_eq!(header_u64(&r, "x-ratelimit-remaining"), want);
    }
    let r = token_request(&c, &s, ID, SECRET, CUSTOM).await;
    let now = epoch_now();
    assert_eq!(r.status(), status, "{answer}");
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(header(&r, "x-ratelimit-limit"), "2");
    assert_eq!(header(&r, "x-ratelimit-remaining"), "0");
    // Two tokens missing at one a minute: full again ~120 s later.
    let reset = header_u64(&r, "x-ratelimit-reset");
    assert!(
        (now + 118..=now + 121).contains(&reset),
        "{answer}: reset {reset} vs now {now}"
    );
    assert_eq!(r.text().await.unwrap(), body, "{answer}");
    let st = stats(&c, &s).await;
    assert_eq!(st["rate_limited"]["auth_api"], json!(1), "{answer}");
    assert_eq!(st["tokens_issued"][ID][CUSTOM], json!(2), "{answer}");
    s.shutdown();
}

#[tokio::test]
async fn rate_limited_token_requests_get_429_by_default() {
    limited_token_answer("too_many_requests", 429, AUTH_429).await;
}

#[tokio::test]
async fn rate_limited_token_requests_get_500_access_denied_when_the_tier_says_so() {
    limited_token_answer("access_denied_500", 500, AUTH_500).await;
}

#[tokio::test]
async fn free_tier_jwks_carries_its_20_per_second_bucket_and_openid_configuration_none() {
    let s = start(demo("free"));
    let c = http();
    let r = c
        .get(format!("{}/.well-known/jwks.json", s.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(header(&r, "x-ratelimit-limit"), "20");
    assert_eq!(header(&r, "x-ratelimit-remaining"), "19");
    // One token short at 20/s: full within 50 ms, rounded up to the next second.
    let reset = header_u64(&r, "x-ratelimit-reset");
    assert!(reset >= epoch_now() && reset <= epoch_now() + 2, "{reset}");
    let keys: Value = r.json().await.unwrap();
    assert_eq!(keys["keys"][0]["kty"], "RSA");
    let r = c
        .get(format!("{}/.well-known/openid-configuration", s.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers().get("x-ratelimit-limit").is_none());
    s.shutdown();
}

#[tokio::test]
async fn jwks_and_openid_configuration_are_limited_where_the_tier_says_so() {
    let s = start(custom(
        r#"
[[jwks]]
name = "jwks"
burst = 2
rate = 1
per = "minute"
source = "assumed: test"

[[openid_configuration]]
name = "openid"
burst = 1
rate = 1
per = "minute"
source = "assumed: test"
"#,
    ));
    let c = http();
    for (path, burst) in [
        ("/.well-known/jwks.json", 2u64),
        ("/.well-known/openid-configuration", 1),
    ] {
        let url = format!("{}{path}", s.base_url());
        for left in (0..burst).rev() {
            let r = c.get(&url).send().await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            assert_eq!(header_u64(&r, "x-ratelimit-limit"), burst, "{path}");
            assert_eq!(header_u64(&r, "x-ratelimit-remaining"), left, "{path}");
        }
        let r = c.get(&url).send().await.unwrap();
        let now = epoch_now();
        assert_eq!(r.status(), 429, "{path}");
        assert_eq!(r.headers()["content-type"], "application/json");
        assert_eq!(header_u64(&r, "x-ratelimit-limit"), burst, "{path}");
        assert_eq!(header(&r, "x-ratelimit-remaining"), "0", "{path}");
        let reset = header_u64(&r, "x-ratelimit-reset");
        let full = now + 60 * burst;
        assert!((full - 2..=full + 1).contains(&reset), "{path}: {reset}");
        assert_eq!(r.text().await.unwrap(), AUTH_429, "{path}");
    }
    let st = stats(&c, &s).await;
    assert_eq!(
        (&st["rate_limited"]["jwks"], &st["rate_limited"]["openid"]),
        (&json!(1), &json!(1))
    );
    s.shutdown();
}

#[tokio::test]
async fn ungranted_scopes_are_listed_with_commas() {
    let s = start(demo("enterprise"));
    let c = http();
    let body = form_encode(&[
        ("grant_type", "client_credentials"),
        ("client_id", ID),
        ("client_secret", SECRET),
        ("audience", CUSTOM),
        ("scope", "read:data delete:everything admin:all"),
    ]);
    let r = c
        .post(format!("{}/oauth/token", s.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(r.headers()["content-type"], "application/json");
    assert_eq!(header(&r, "x-ratelimit-limit"), "100");
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"error":"access_denied","error_description":"Client has not been granted scopes: delete:everything, admin:all"}"#
    );
    s.shutdown();
}

#[tokio::test]
async fn free_blocks_below_1000_when_the_three_month_average_reaches_it() {
    // 1,500 and 1,000 tokens in the two months before, 499 this month: the 500th is the last.
    let mut config = demo("free");
    config.previous_months_tokens = [1_500, 1_000];
    config.month_to_date_tokens = 499;
    let s = start(config);
    let c = http();
    let ok = token_request(&c, &s, ID, SECRET, CUSTOM).await;
    assert_eq!(ok.status(), 200);
    let r = token_request(&c, &s, ID, SECRET, CUSTOM).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["content-type"], "application/json");
    // The token-endpoint buckets were not what refused it: 2 of 30 taken (a third of a token a
    // signing's worth of milliseconds may have come back).
    assert_eq!(header(&r, "x-ratelimit-limit"), "30");
    assert!((28..=29).contains(&header_u64(&r, "x-ratelimit-remaining")));
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"error":"too_many_requests","error_description":"Quota exceeded: monthly machine-to-machine token quota reached"}"#
    );
    let st = stats(&c, &s).await;
    assert_eq!(st["quota"]["used"], json!(500));
    assert_eq!(st["rate_limited"]["monthly_quota"], json!(1));
    // Management API tokens never count, so they are never blocked.
    let _ = mgmt_token(&c, &s).await;
    s.shutdown();
}
