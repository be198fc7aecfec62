//! Grants, secrets and token lifetimes over real HTTP: deleting a grant and rotating a secret stop
//! new tokens while issued ones work until `exp`; expired, foreign and under-scoped tokens fail
//! with Auth0's bodies.
#![allow(clippy::unwrap_used)]

use crate::support::sim as sim_support;

use quotaprobe::sim::{MANAGEMENT, SimClient, SimGrant};
use serde_json::{Value, json};
use sim_support::*;

/// An admin (the demo client) plus "worker", granted read:users on the Management API.
fn two_clients() -> quotaprobe::sim::SimConfig {
    let mut config = demo("private-cloud-1500");
    config.clients.push(SimClient {
        name: "worker".into(),
        client_id: "worker".into(),
        client_secret: "worker-secret".into(),
        grants: vec![
            SimGrant {
                audience: MANAGEMENT.into(),
                scopes: vec!["read:users".into()],
            },
            SimGrant {
                audience: CUSTOM.into(),
                scopes: vec![],
            },
        ],
        quota: None,
    });
    config
}

#[tokio::test]
async fn deleting_a_grant_stops_new_tokens_but_not_issued_ones() {
    let s = start(two_clients());
    let c = http();
    let admin = mgmt_token(&c, &s).await;
    let mgmt = s.management_audience();
    let old = token(&c, &s, "worker", "worker-secret", &mgmt).await;

    let list = c
        .get(format!(
            "{}/api/v2/client-grants?client_id=worker&audience={}",
            s.base_url(),
            mgmt
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(list.status(), 200);
    let grants: Value = list.json().await.unwrap();
    assert_eq!(grants.as_array().unwrap().len(), 1, "{grants}");
    assert_eq!(grants[0]["scope"], json!(["read:users"]));
    let id = grants[0]["id"].as_str().unwrap();
    let del = c
        .delete(format!("{}/api/v2/client-grants/{id}", s.base_url()))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);

    let r = token_request(&c, &s, "worker", "worker-secret", &mgmt).await;
    assert_eq!(r.status(), 403);
    let want = format!(
        r#"{{"error":"access_denied","error_description":"Client \"worker\" is not authorized to access resource server \"{mgmt}\". You need to create a \"client-grant\" associated to this API."}}"#
    );
    assert_eq!(r.text().await.unwrap(), want);
    let users = c
        .get(format!("{}/api/v2/users", s.base_url()))
        .bearer_auth(&old)
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), 200, "an issued token stays valid until exp");

    // Re-creating the grant restores new tokens.
    let body = json!({"client_id": "worker", "audience": mgmt, "scope": ["read:users"]});
    let created = c
        .post(format!("{}/api/v2/client-grants", s.base_url()))
        .bearer_auth(&admin)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    token(&c, &s, "worker", "worker-secret", &mgmt).await;
}

#[tokio::test]
async fn rotating_a_secret_fails_the_old_one_only() {
    let s = start(two_clients());
    let c = http();
    let admin = mgmt_token(&c, &s).await;
    let mgmt = s.management_audience();
    let old = token(&c, &s, "worker", "worker-secret", &mgmt).await;
    let r = c
        .post(format!(
            "{}/api/v2/clients/worker/rotate-secret",
            s.base_url()
        ))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let client: Value = r.json().await.unwrap();
    let new_secret = client["client_secret"].as_str().unwrap().to_string();
    assert_eq!(client["client_id"], "worker");
    assert_ne!(new_secret, "worker-secret");

    let r = token_request(&c, &s, "worker", "worker-secret", &mgmt).await;
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"error":"access_denied","error_description":"Unauthorized"}"#
    );
    token(&c, &s, "worker", &new_secret, &mgmt).await;
    let users = c
        .get(format!("{}/api/v2/users/does-not-exist", s.base_url()))
        .bearer_auth(&old)
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), 404, "the old token still authenticates");
    assert_eq!(
        users.text().await.unwrap(),
        r#"{"statusCode":404,"error":"Not Found","message":"The user does not exist.","errorCode":"inexistent_user"}"#
    );
}

#[tokio::test]
async fn short_lived_tokens_expire() {
    let mut config = demo("private-cloud-1500");
    config.management_token_lifetime_s = 1;
    let s = start(config);
    let c = http();
    let r = token_request(&c, &s, ID, SECRET, &s.management_audience()).await;
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["expires_in"], 1);
    let t = body["access_token"].as_str().unwrap();
    let url = format!("{}/api/v2/users?per_page=1", s.base_url());
    let ok = c.get(&url).bearer_auth(t).send().await.unwrap();
    assert_eq!(ok.status(), 200, "valid before exp (and now cached)");
    // exp = iat + 1 in whole seconds: past it within at most 2 s.
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let r = c.get(&url).bearer_auth(t).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"statusCode":401,"error":"Unauthorized","message":"Expired token received for JSON Web Token validation","attributes":{"error":"Expired token received for JSON Web Token validation"}}"#
    );
}

#[tokio::test]
async fn bad_foreign_and_under_scoped_tokens() {
    let s = start(two_clients());
    let c = http();
    let url = format!(
        "{}/api/v2/users/auth0%7C000000000000000000000001",
        s.base_url()
    );
    let cases: Vec<(Option<String>, u16, &str)> = vec![
        (
            None,
            401,
            r#"{"statusCode":401,"error":"Unauthorized","message":"Missing authentication"}"#,
        ),
        (
            Some("not.a.jwt".into()),
            401,
            r#"{"statusCode":401,"error":"Unauthorized","message":"Invalid token","attributes":{"error":"Invalid token"}}"#,
        ),
        (
            Some(token(&c, &s, ID, SECRET, CUSTOM).await),
            401,
            r#"{"statusCode":401,"error":"Unauthorized","message":"Bad audience: https://api.example.com/","attributes":{"error":"Bad audience: https://api.example.com/"}}"#,
        ),
    ];
    for (t, status, body) in cases {
        let mut req = c.delete(&url);
        if let Some(t) = t {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.unwrap();
        assert_eq!(r.status(), status);
        assert_eq!(r.text().await.unwrap(), body);
    }
    let reader = token(&c, &s, "worker", "worker-secret", &s.management_audience()).await;
    let r = c.delete(&url).bearer_auth(&reader).send().await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.text().await.unwrap(),
        r#"{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: delete:users","errorCode":"insufficient_scope"}"#
    );
    let r = c.get(&url).bearer_auth(&reader).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let user: Value = r.json().await.unwrap();
    assert_eq!(user["email"], "user0@example.com");
}
