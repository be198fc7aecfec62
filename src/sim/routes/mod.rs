//! The HTTP surface of the tenant: which path goes to which handler, and the request counter.
//! `/__sim/*` routes (simulator controls) are not counted, so observing never changes the counts.

mod auth_api;
mod demo_api;
mod faults;
mod mgmt;
mod simctl;
mod token;
mod token_body;

use std::net::{IpAddr, Ipv4Addr};

use axum::Router;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use axum::routing::{any, get, post};

use super::tenant::Shared;

pub fn router(tenant: Shared) -> Router {
    Router::new()
        .route("/oauth/token", post(token::token))
        .route("/.well-known/jwks.json", get(auth_api::jwks))
        .route("/.well-known/openid-configuration", get(auth_api::openid))
        .merge(mgmt::router(tenant.clone()))
        .route("/demo-api/{*rest}", any(demo_api::call))
        .route_layer(from_fn_with_state(tenant.clone(), faults::inject))
        .route_layer(from_fn_with_state(tenant.clone(), count))
        .route_layer(axum::middleware::from_fn(limit_body))
        .route("/__sim/stats", get(simctl::stats))
        .route("/__sim/manual-token", post(simctl::manual_token))
        .with_state(tenant)
}

async fn count(
    State(t): State<Shared>,
    matched: MatchedPath,
    req: Request,
    next: Next,
) -> Response {
    t.stats.request(req.method().as_str(), matched.as_str());
    let source = source_ip(&req);
    let resp = next.run(req).await;
    t.stats
        .source(source, resp.status() == StatusCode::TOO_MANY_REQUESTS);
    resp
}

/// The request's source address, from the connection (`ConnectInfo`, set by the servers in
/// `server.rs`); unspecified (0.0.0.0) when the router runs without one, as in unit tests.
pub fn source_ip(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<crate::sim::peer::Peer>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.0.ip())
}

/// Largest request body accepted (Auth0 refuses large bodies too; the exact limit is assumed).
pub const MAX_BODY_BYTES: u64 = 1024 * 1024;

/// 413 for a declared body over [`MAX_BODY_BYTES`], before any handler reads it. Bodies without
/// a length are still capped by the extractors' own limit.
async fn limit_body(req: Request, next: Next) -> Response {
    let declared = req
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
        return super::reply::mgmt_error(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "Payload too large",
            "payload_too_large",
        );
    }
    next.run(req).await
}
