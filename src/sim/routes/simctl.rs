//! Simulator controls, not part of Auth0: `GET /__sim/stats` (the server's own counts) and
//! `POST /__sim/manual-token` (a signed token not counted as an M2M issuance, like the
//! Dashboard's API Explorer).

use axum::Json;
use axum::extract::State;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use crate::sim::config::{MANAGEMENT, MAX_TOKEN_LIFETIME_S};
use crate::sim::jwt::Claims;
use crate::sim::random_id;
use crate::sim::reply::oauth_error;
use crate::sim::tenant::{Shared, lock};

/// The `sub`/`azp` of manual tokens.
pub const EXPLORER_CLIENT_ID: &str = "quotaprobe-api-explorer";

pub async fn stats(State(t): State<Shared>) -> Response {
    let counters = t.stats.snapshot();
    let (monthly, used, remaining, overage) = {
        let m = lock(&t.monthly);
        (m.quota, m.used(), m.remaining(), m.overage())
    };
    Json(json!({
        "tokens_issued": counters.tokens_issued,
        "manual_tokens": counters.manual_tokens,
        "quota": {"monthly": monthly, "used": used, "remaining": remaining, "overage": overage},
        "rate_limited": counters.rate_limited,
        "requests": counters.requests,
        "faults": counters.faults,
        "sources": counters.sources,
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
pub struct ManualToken {
    audience: String,
    scope: Option<String>,
    expires_in: Option<u64>,
}

pub async fn manual_token(
    State(t): State<Shared>,
    body: Result<Json<ManualToken>, JsonRejection>,
) -> Response {
    let Ok(Json(req)) = body else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Body must be JSON {\"audience\", \"scope\", \"expires_in\"}",
        );
    };
    let audience = if req.audience == MANAGEMENT {
        t.management_audience.clone()
    } else {
        req.audience
    };
    let Some((lifetime, all_scopes)) = lock(&t.directory)
        .api(&audience)
        .map(|a| (a.token_lifetime_s, a.scopes.join(" ")))
    else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("Service not found: {audience}"),
        );
    };
    let expires_in = req
        .expires_in
        .unwrap_or(lifetime)
        .clamp(1, MAX_TOKEN_LIFETIME_S);
    let scope = req.scope.unwrap_or(all_scopes);
    let iat = t.clock.epoch_secs();
    let claims = Claims {
        iss: t.issuer.clone(),
        sub: format!("{EXPLORER_CLIENT_ID}@clients"),
        aud: audience,
        iat,
        exp: iat + expires_in,
        scope: scope.clone(),
        gty: "client-credentials".into(),
        azp: EXPLORER_CLIENT_ID.into(),
        jti: Some(random_id("", 32)),
    };
    match t.keys.sign(&claims) {
        Ok(token) => {
            t.stats.manual_token();
            Json(json!({"access_token": token, "token_type": "Bearer", "expires_in": expires_in, "scope": scope}))
                .into_response()
        }
        Err(_) => oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "signing failed",
        ),
    }
}
