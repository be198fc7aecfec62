//! Abuse the token endpoint and the Management API with bodies a client should never send:
//! oversized bodies get 413, garbage gets Auth0's 400, nothing crashes the tenant.
#![allow(clippy::unwrap_used)]

mod sim_support;

use sim_support::*;

#[tokio::test]
async fn oversized_and_garbage_bodies_are_refused_and_the_tenant_keeps_serving() {
    let s = start(demo("enterprise"));
    let c = http();
    let url = format!("{}/oauth/token", s.base_url());
    let big = "a".repeat(3 * 1024 * 1024);
    let r = c
        .post(&url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    let mgmt = mgmt_token(&c, &s).await;
    let r = c
        .post(format!("{}/api/v2/users", s.base_url()))
        .bearer_auth(&mgmt)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 413);
    for (ctype, body) in [
        ("application/json", "{\"grant_type\":"),
        ("application/json", "[1,2,3]"),
        ("application/x-www-form-urlencoded", "%%%&&&==="),
        ("text/plain", "\u{0}\u{1}binary"),
    ] {
        let r = c
            .post(&url)
            .header("content-type", ctype)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert!(
            status == 400 || status == 401 || status == 403,
            "{ctype} {body:?}: {status}"
        );
    }
    // Still serving.
    let token = mgmt_token(&c, &s).await;
    assert!(!token.is_empty());
}
