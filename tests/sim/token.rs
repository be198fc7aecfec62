//! The token endpoint over real HTTP: tokens verify with jsonwebtoken against the JWKS and carry
//! Auth0's claims; form, JSON and Basic bodies; Auth0's error bodies for every refusal.
#![allow(clippy::unwrap_used)]

use crate::support::sim as sim_support;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::{Value, json};
use sim_support::*;

#[tokio::test]
async fn token_is_an_auth0_style_rs256_jwt_that_verifies_with_the_jwks() {
    let s = start(demo("private-cloud-1500"));
    let c = http();
    let r = token_request(&c, &s, ID, SECRET, CUSTOM).await;
    assert_eq!(r.status(), 200);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 86_400);
    assert_eq!(body["scope"], "read:data write:data");
    let jwt = body["access_token"].as_str().unwrap();

    let jwks: JwkSet = c
        .get(format!("{}/.well-known/jwks.json", s.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let header = decode_header(jwt).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.typ.as_deref(), Some("JWT"));
    let jwk = jwks.find(header.kid.as_deref().unwrap()).unwrap();
    let issuer = format!("https://{}/", s.domain());
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[CUSTOM]);
    v.set_issuer(&[issuer.as_str()]);
    let claims: Value = decode(jwt, &DecodingKey::from_jwk(jwk).unwrap(), &v)
        .unwrap()
        .claims;
    assert_eq!(claims["sub"], format!("{ID}@clients"));
    assert_eq!(
        (claims["azp"].as_str(), claims["gty"].as_str()),
        (Some(ID), Some("client-credentials"))
    );
    assert_eq!(
        claims["exp"].as_u64().unwrap() - claims["iat"].as_u64().unwrap(),
        86_400
    );
    assert!(claims["iat"].as_u64().unwrap().abs_diff(epoch_now()) <= 1);
    // Auth0's access-token profile carries no `jti` (one signature per identical claim set).
    assert_eq!(claims.get("jti"), None);

    let oidc: Value = c
        .get(format!("{}/.well-known/openid-configuration", s.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(oidc["issuer"], issuer);
    assert_eq!(s.domain(), s.addr().to_string());
    assert_eq!(
        s.management_audience(),
        format!("https://{}/api/v2/", s.addr())
    );
}

#[tokio::test]
async fn json_and_basic_bodies_and_scope_narrowing() {
    let s = start(demo("private-cloud-1500"));
    let c = http();
    let url = format!("{}/oauth/token", s.base_url());
    let body = json!({"grant_type": "client_credentials", "client_id": ID, "client_secret": SECRET, "audience": CUSTOM, "scope": "read:data"});
    let r: Value = c
        .post(&url)
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(r["scope"], "read:data");
    let form = form_encode(&[("grant_type", "client_credentials"), ("audience", CUSTOM)]);
    let r = c
        .post(&url)
        .basic_auth(ID, Some(SECRET))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn refusals_use_auth0_bodies() {
    let s = start(demo("private-cloud-1500"));
    let c = http();
    let url = format!("{}/oauth/token", s.base_url());
    let cc = |extra: &[(&'static str, &'static str)]| {
        let mut v = vec![
            ("grant_type", "client_credentials"),
            ("client_id", ID),
            ("client_secret", SECRET),
        ];
        v.extend_from_slice(extra);
        form_encode(&v)
    };
    let cases: Vec<(String, &str, u16, &str)> = vec![
        (
            form_encode(&[("grant_type", "refresh_token"), ("refresh_token", "x")]),
            "form",
            400,
            r#"{"error":"unsupported_grant_type","error_description":"Unsupported grant type: refresh_token"}"#,
        ),
        (
            form_encode(&[("client_id", ID)]),
            "form",
            400,
            r#"{"error":"invalid_request","error_description":"Missing required parameter: grant_type"}"#,
        ),
        ("{not json".into(), "json", 400, ""),
        (
            cc(&[]),
            "form",
            403,
            r#"{"error":"access_denied","error_description":"No audience parameter was provided, and no default audience has been configured"}"#,
        ),
        (
            cc(&[("audience", "https://nope.example.com/")]),
            "form",
            403,
            r#"{"error":"access_denied","error_description":"Service not found: https://nope.example.com/"}"#,
        ),
        (
            cc(&[
                ("audience", CUSTOM),
                ("scope", "read:data delete:everything"),
            ]),
            "form",
            403,
            r#"{"error":"access_denied","error_description":"Client has not been granted scopes: delete:everything"}"#,
        ),
        (
            form_encode(&[
                ("grant_type", "client_credentials"),
                ("client_id", "nobody"),
                ("client_secret", "x"),
                ("audience", CUSTOM),
            ]),
            "form",
            401,
            r#"{"error":"access_denied","error_description":"Unauthorized"}"#,
        ),
    ];
    for (body, kind, status, want) in cases {
        let ct = if kind == "json" {
            "application/json"
        } else {
            "application/x-www-form-urlencoded"
        };
        let r = c
            .post(&url)
            .header("content-type", ct)
            .body(body.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), status, "{body}");
        let text = r.text().await.unwrap();
        if want.is_empty() {
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["error"], "invalid_request", "{text}");
        } else {
            assert_eq!(text, want);
        }
    }
    assert_eq!(stats(&c, &s).await["tokens_issued"], json!({}));
}

#[tokio::test]
async fn domain_override_sets_issuer_and_management_audience() {
    let mut config = demo("private-cloud-1500");
    config.domain = Some("tenant.example.test".into());
    let s = start(config);
    assert_eq!(s.domain(), "tenant.example.test");
    assert_eq!(
        s.management_audience(),
        "https://tenant.example.test/api/v2/"
    );
    let c = http();
    let oidc: Value = c
        .get(format!("{}/.well-known/openid-configuration", s.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(oidc["issuer"], "https://tenant.example.test/");
    let t = mgmt_token(&c, &s).await;
    let r = c
        .get(format!("{}/api/v2/users?per_page=1", s.base_url()))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
