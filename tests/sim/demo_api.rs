//! The demo custom API (`/demo-api/...`): accepts tokens for registered custom APIs only.
#![allow(clippy::unwrap_used)]

use crate::support::sim as sim_support;

use quotaprobe::sim::{DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};
use sim_support::*;

#[tokio::test]
async fn custom_api_tokens_pass_and_others_are_refused() {
    let s = start(demo("free"));
    let c = http();
    let url = format!("{}/demo-api/orders?x=1", s.base_url());
    let custom = token(
        &c,
        &s,
        DEMO_CLIENT_ID,
        DEMO_CLIENT_SECRET,
        "https://api.example.com/",
    )
    .await;
    let r = c.post(&url).bearer_auth(&custom).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["api"], "https://api.example.com/");
    assert_eq!(body["path"], "/demo-api/orders");

    let mgmt = mgmt_token(&c, &s).await;
    let r = c.get(&url).bearer_auth(&mgmt).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.text().await.unwrap().contains("Bad audience"));

    let r = c.get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let r = c.get(&url).bearer_auth("not.a.jwt").send().await.unwrap();
    assert_eq!(r.status(), 401);

    let stats = stats(&c, &s).await;
    assert_eq!(stats["requests"]["POST /demo-api/{*rest}"], 1);
    assert_eq!(stats["requests"]["GET /demo-api/{*rest}"], 3);
}
