//! The Authentication API's rate limits on the wire: checking a request against its tier
//! buckets (`/oauth/token`, `/.well-known/jwks.json`, `/.well-known/openid-configuration`),
//! the tier's rate-limited answer (`reply::auth_too_many`) and the `x-ratelimit-*` headers, and
//! the two `/.well-known` documents. The token exchange itself is `token.rs`.

use std::net::IpAddr;
use std::time::Duration;

use axum::Json;
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::sim::reply::{RateHeaders, auth_too_many};
use crate::sim::tenant::{Shared, Tenant};
use crate::sim::tier::{LimitSpec, NamedLimit, TierProfile};

/// Check an Authentication API request against `buckets`: the `x-ratelimit-*` values for the
/// answer and, when a bucket is empty, the tier's rate-limited answer (counted and logged).
pub(super) fn limit(
    t: &Tenant,
    buckets: &[(String, &LimitSpec)],
    now: Duration,
    source: IpAddr,
) -> (Option<RateHeaders>, Option<Response>) {
    let verdict = t.limiter.check(buckets, now, source);
    let rate = verdict
        .as_ref()
        .map(|v| RateHeaders::from_snapshot(&v.snapshot, t.clock.epoch_at(now), t.tier.reset));
    let limited = verdict.filter(|v| !v.allowed).map(|v| {
        t.stats.rate_limited(&v.bucket);
        t.log(
            "api_limit",
            &format!("Global limit has been reached ({})", v.bucket),
            "",
        );
        auth_too_many(t.tier.auth_limit_answer)
    });
    (rate, limited)
}

/// A `/.well-known` document behind the tier's buckets for it (free: JWKS 20/s, per
/// https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/rate-limit-configurations/free-public).
fn well_known(t: &Tenant, list: &[NamedLimit], req: &Request, body: Value) -> Response {
    let buckets = TierProfile::auth_buckets(list);
    let (rate, limited) = limit(t, &buckets, t.clock.elapsed(), super::source_ip(req));
    let resp = limited.unwrap_or_else(|| Json(body).into_response());
    with_rate(resp, rate)
}

pub(super) async fn jwks(State(t): State<Shared>, req: Request) -> Response {
    well_known(&t, &t.tier.jwks, &req, t.keys.jwks())
}

pub(super) async fn openid(State(t): State<Shared>, req: Request) -> Response {
    let body = openid_body(&t);
    well_known(&t, &t.tier.openid_configuration, &req, body)
}

fn openid_body(t: &Tenant) -> Value {
    let base = format!("https://{}", t.domain);
    json!({
        "issuer": t.issuer,
        "token_endpoint": format!("{base}/oauth/token"),
        "jwks_uri": format!("{base}/.well-known/jwks.json"),
        "grant_types_supported": ["client_credentials"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "id_token_signing_alg_values_supported": ["RS256"],
    })
}

/// `resp` with the rate-limit headers: its own (a quota 429 describes the quota) or `rate`.
pub(super) fn with_rate(mut resp: Response, rate: Option<RateHeaders>) -> Response {
    let own = resp.extensions().get::<RateHeaders>().copied();
    if let Some(r) = own.or(rate) {
        r.apply(resp.headers_mut());
    }
    resp
}
