//! `POST /oauth/token`, client credentials only, form or JSON body (client secret in the body or
//! HTTP Basic). Order of checks: rate limit (every request draws from the Authentication API
//! buckets, as on Auth0, so rejected requests count too) -> body -> grant type -> client secret ->
//! audience -> client grant -> scopes -> client quota -> monthly quota -> issue.
//!
//! Assumed (not pinned by public sources): `unsupported_grant_type` answers 400; the
//! token-endpoint 429 description "Global limit has been reached"; the monthly-quota answer (the
//! tier file's `[quota]` source says what is known).

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::sim::jwt::Claims;
use crate::sim::ledger::QuotaWindow;
use crate::sim::reply::{RateHeaders, oauth_error, quota_header, set};
use crate::sim::tenant::{Shared, Tenant, lock};
use crate::sim::tier::TierProfile;

use super::auth_api;

/// The monthly-quota 429 description (assumed wording).
pub const QUOTA_EXCEEDED: &str = "Quota exceeded: monthly machine-to-machine token quota reached";

/// How Auth0 lists the scopes a client asked for but was not granted. Every public example found
/// names one scope ("Client has not been granted scopes: read:messages",
/// https://github.com/auth0/docs/issues/5466); the comma list for several is **assumed**.
pub const SCOPE_SEPARATOR: &str = ", ";

/// The 403 for a client with no grant for `audience`, in Auth0's newer wording (the client id and
/// "resource server" named; seen in client code and READMEs quoting Auth0 since 2023). The older
/// wording, `Client is not authorized to access "AUDIENCE". You might probably want to create a
/// "client-grant" associated to this API. See: https://auth0.com/docs/api/v2#!/Client_Grants/post_client_grants`
/// (https://github.com/auth0/auth0-python/issues/173, 2018), is no longer sent.
pub fn not_granted(client_id: &str, audience: &str) -> String {
    format!(
        "Client \"{client_id}\" is not authorized to access resource server \"{audience}\". You need to create a \"client-grant\" associated to this API."
    )
}

fn denied(status: StatusCode, description: &str) -> Response {
    oauth_error(status, "access_denied", description)
}

pub async fn token(State(t): State<Shared>, req: Request) -> Response {
    let now = t.clock.elapsed();
    let buckets = TierProfile::auth_buckets(&t.tier.token_endpoint);
    let (rate, limited) = super::auth_api::limit(&t, &buckets, now, super::source_ip(&req));
    if let Some(resp) = limited {
        return auth_api::with_rate(resp, rate);
    }
    let resp = exchange(&t, req).await;
    auth_api::with_rate(resp, rate)
}

async fn exchange(t: &Tenant, req: Request) -> Response {
    let body = match super::token_body::parse(req).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    match body.grant_type.as_deref() {
        None | Some("") => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing required parameter: grant_type",
            );
        }
        Some("client_credentials") => {}
        Some(other) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                &format!("Unsupported grant type: {other}"),
            );
        }
    }
    let Some(client_id) = body.client_id.filter(|c| !c.is_empty()) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing required parameter: client_id",
        );
    };
    // Everything the directory decides, under one short lock.
    let decided = {
        let dir = lock(&t.directory);
        let client = match dir.clients.get(&client_id) {
            Some(c) if Some(c.secret.as_str()) == body.client_secret.as_deref() => c,
            _ => return denied(StatusCode::UNAUTHORIZED, "Unauthorized"),
        };
        let Some(audience) = body.audience.filter(|a| !a.is_empty()) else {
            return denied(
                StatusCode::FORBIDDEN,
                "No audience parameter was provided, and no default audience has been configured",
            );
        };
        let Some(api) = dir.api(&audience) else {
            return denied(
                StatusCode::FORBIDDEN,
                &format!("Service not found: {audience}"),
            );
        };
        let Some(grant) = dir.grant(&client_id, &audience) else {
            return denied(StatusCode::FORBIDDEN, &not_granted(&client_id, &audience));
        };
        let scopes: Vec<String> = match body
            .scope
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => grant.scopes.clone(),
            Some(requested) => {
                let asked: Vec<String> = requested.split_whitespace().map(str::to_string).collect();
                let missing: Vec<&str> = asked
                    .iter()
                    .filter(|s| !grant.scopes.contains(s))
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    return denied(
                        StatusCode::FORBIDDEN,
                        &format!(
                            "Client has not been granted scopes: {}",
                            missing.join(SCOPE_SEPARATOR)
                        ),
                    );
                }
                asked
            }
        };
        (
            client.quota,
            api.is_system,
            api.token_lifetime_s,
            audience,
            scopes,
        )
    };
    let (quota, is_system, lifetime, audience, scopes) = decided;
    issue(
        t,
        &client_id,
        quota,
        is_system,
        lifetime,
        audience,
        scopes.join(" "),
    )
}

fn issue(
    t: &Tenant,
    client_id: &str,
    quota: Option<crate::sim::ClientQuota>,
    is_system: bool,
    lifetime: u64,
    audience: String,
    scope: String,
) -> Response {
    let epoch = t.clock.epoch_secs();
    // Reserve under the locks (check + count), sign outside them; undo if signing fails.
    let mut windows: Vec<QuotaWindow> = Vec::new();
    if let Some(q) = quota {
        let mut counters = lock(&t.client_counters);
        let counter = counters.entry(client_id.to_string()).or_default();
        if let Some(w) = counter.blocking(&q, epoch) {
            let header_value = quota_header(&counter.windows(&q, epoch));
            drop(counters);
            t.log("feccft", "Client quota exceeded", client_id);
            t.stats.rate_limited(&format!("client_quota:{client_id}"));
            let mut resp = oauth_error(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Client quota exceeded",
            );
            let h = resp.headers_mut();
            set(h, "auth0-client-quota-limit", header_value);
            set(h, "retry-after", w.reset_in_s.to_string());
            // Quota 429s describe the quota in x-ratelimit-* [FGQ]; `with_rate` prefers this.
            let own = RateHeaders {
                limit: w.quota,
                remaining: 0,
                reset_epoch_s: epoch + w.reset_in_s,
            };
            resp.extensions_mut().insert(own);
            return resp;
        }
        counter.record(epoch);
        windows = counter.windows(&q, epoch);
    }
    if !is_system {
        let mut monthly = lock(&t.monthly);
        if !monthly.may_issue(epoch) {
            drop(monthly);
            t.log("feccft", QUOTA_EXCEEDED, client_id);
            t.stats.rate_limited("monthly_quota");
            let mut resp = oauth_error(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                QUOTA_EXCEEDED,
            );
            if !windows.is_empty() {
                set(
                    resp.headers_mut(),
                    "auth0-client-quota-limit",
                    quota_header(&windows),
                );
            }
            return resp;
        }
        monthly.record(epoch);
    }
    let claims = Claims {
        iss: t.issuer.clone(),
        sub: format!("{client_id}@clients"),
        aud: audience,
        iat: epoch,
        // A faulty tenant may cut the token's real life short of what `expires_in` says.
        exp: (epoch + lifetime)
            .saturating_sub(t.faults.token_exp_shortfall.as_secs())
            .max(epoch + 1),
        scope,
        gty: "client-credentials".into(),
        azp: client_id.to_string(),
        jti: None,
    };
    let Ok(token) = t.issue(&claims) else {
        return oauth_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "signing failed",
        );
    };
    t.stats.token_issued(client_id, &claims.aud);
    t.log("seccft", "Client Credentials for Access Token", client_id);
    let mut resp = Json(json!({
        "access_token": token, "token_type": "Bearer", "expires_in": lifetime, "scope": claims.scope,
    }))
    .into_response();
    let h = resp.headers_mut();
    set(h, "cache-control", "no-store".into());
    set(h, "pragma", "no-cache".into());
    if !windows.is_empty() {
        set(h, "auth0-client-quota-limit", quota_header(&windows));
    }
    resp
}
