//! One signature per identical claim set (`Tenant::issue`): tokens asked for in the same `iat`
//! second by the same client for the same audience and scope are the same token — still an
//! RS256 JWT that verifies with the JWKS and that the tenant's APIs accept — while another
//! audience gets its own, and the quota still counts every token request.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use crate::support::sim as sim_support;

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;
use sim_support::*;

#[tokio::test]
async fn identical_claim_sets_share_one_verifiable_token() {
    let s = start(demo("essentials"));
    let c = http();
    let mut by_iat: BTreeMap<u64, Vec<String>> = BTreeMap::new();
    let jwks: JwkSet = c
        .get(format!("{}/.well-known/jwks.json", s.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[CUSTOM]);
    for _ in 0..6 {
        let jwt = token(&c, &s, ID, SECRET, CUSTOM).await;
        let kid = decode_header(&jwt).unwrap().kid.unwrap();
        let key = DecodingKey::from_jwk(jwks.find(&kid).unwrap()).unwrap();
        let claims: Value = decode(&jwt, &key, &v).unwrap().claims;
        by_iat
            .entry(claims["iat"].as_u64().unwrap())
            .or_default()
            .push(jwt);
    }
    // Six requests take well under two seconds: at most two iat seconds, one token each.
    assert!(by_iat.len() <= 2, "{} seconds", by_iat.len());
    for tokens in by_iat.values() {
        assert!(
            tokens.iter().all(|t| t == &tokens[0]),
            "one token per second"
        );
    }
    let distinct: Vec<&String> = by_iat.values().map(|t| &t[0]).collect();
    for jwt in &distinct {
        let r = c
            .get(format!("{}/demo-api/orders", s.base_url()))
            .bearer_auth(jwt)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "the tenant accepts its own token");
    }
    // A Management API token in the same second is another claim set: another token.
    let mgmt = mgmt_token(&c, &s).await;
    assert!(!distinct.contains(&&mgmt));
    let r = c
        .get(format!("{}/api/v2/users", s.base_url()))
        .bearer_auth(&mgmt)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Every request counted: six custom-API tokens toward the quota.
    assert_eq!(stats(&c, &s).await["quota"]["used"], 6);
    // A tampered copy of the shared token is still refused (the cache is by the whole string).
    let mut forged: Vec<char> = distinct[0].chars().collect();
    let i = forged.len() - 10;
    forged[i] = if forged[i] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    let r = c
        .get(format!("{}/demo-api/orders", s.base_url()))
        .bearer_auth(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
