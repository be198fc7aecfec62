//! The Management API subset (`/api/v2/...`) and its guard: every call first draws from the
//! tier's buckets (tenant-wide and endpoint group; 429 with Auth0's body), then its bearer token
//! is checked for the endpoint's scope. `x-ratelimit-*` go on every limited response.

mod clients;
mod misc;
mod users;

use std::collections::HashMap;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;
use axum::routing::{get, post};

use crate::sim::auth;
use crate::sim::reply::{RateHeaders, mgmt_error, mgmt_too_many};
use crate::sim::tenant::Shared;

/// Route pattern -> scope it needs, per method.
const SCOPES: &[(&str, &str, &str)] = &[
    ("GET", "/api/v2/users", "read:users"),
    ("POST", "/api/v2/users", "create:users"),
    ("GET", "/api/v2/users/{id}", "read:users"),
    ("PATCH", "/api/v2/users/{id}", "update:users"),
    ("DELETE", "/api/v2/users/{id}", "delete:users"),
    ("GET", "/api/v2/users-by-email", "read:users"),
    ("GET", "/api/v2/clients", "read:clients"),
    ("GET", "/api/v2/clients/{id}", "read:clients"),
    (
        "POST",
        "/api/v2/clients/{id}/rotate-secret",
        "update:client_keys",
    ),
    ("GET", "/api/v2/client-grants", "read:client_grants"),
    ("POST", "/api/v2/client-grants", "create:client_grants"),
    (
        "DELETE",
        "/api/v2/client-grants/{id}",
        "delete:client_grants",
    ),
    ("GET", "/api/v2/resource-servers", "read:resource_servers"),
    ("GET", "/api/v2/organizations", "read:organizations"),
    ("GET", "/api/v2/organizations/{id}", "read:organizations"),
    ("GET", "/api/v2/logs", "read:logs"),
    ("GET", "/api/v2/stats/daily", "read:stats"),
];

pub fn router(tenant: Shared) -> Router<Shared> {
    Router::new()
        .route("/api/v2/users", get(users::list).post(users::create))
        .route(
            "/api/v2/users/{id}",
            get(users::get_one)
                .patch(users::patch)
                .delete(users::delete),
        )
        .route("/api/v2/users-by-email", get(users::by_email))
        .route("/api/v2/clients", get(clients::list))
        .route("/api/v2/clients/{id}", get(clients::get_one))
        .route(
            "/api/v2/clients/{id}/rotate-secret",
            post(clients::rotate_secret),
        )
        .route(
            "/api/v2/client-grants",
            get(clients::list_grants).post(clients::create_grant),
        )
        .route(
            "/api/v2/client-grants/{id}",
            axum::routing::delete(clients::delete_grant),
        )
        .route("/api/v2/resource-servers", get(misc::resource_servers))
        .route("/api/v2/organizations", get(misc::organizations))
        .route("/api/v2/organizations/{id}", get(misc::organization))
        .route("/api/v2/logs", get(misc::logs))
        .route("/api/v2/stats/daily", get(misc::daily_stats))
        .route_layer(from_fn_with_state(tenant, guard))
}

async fn guard(
    State(t): State<Shared>,
    matched: MatchedPath,
    req: Request,
    next: Next,
) -> Response {
    let method = req.method().as_str().to_string();
    let scope = SCOPES
        .iter()
        .find(|(m, p, _)| *m == method && *p == matched.as_str())
        .map_or("", |(_, _, s)| *s);
    let now = t.clock.elapsed();
    let buckets = t.tier.management_buckets(&method, req.uri().path());
    let verdict = t.limiter.check(&buckets, now, super::source_ip(&req));
    let rate = verdict
        .as_ref()
        .map(|v| RateHeaders::from_snapshot(&v.snapshot, t.clock.epoch_at(now), t.tier.reset));
    let mut resp = match verdict {
        Some(v) if !v.allowed => {
            t.stats.rate_limited(&v.bucket);
            t.log("api_limit", "Global limit has been reached", "");
            mgmt_too_many()
        }
        _ => match auth::authorize(&t, req.headers(), scope) {
            Ok(()) => next.run(req).await,
            Err(resp) => resp,
        },
    };
    if let Some(r) = rate {
        r.apply(resp.headers_mut());
    }
    resp
}

/// Query parameters as strings.
pub type Params = HashMap<String, String>;

fn bad_query(message: &str) -> Response {
    mgmt_error(
        StatusCode::BAD_REQUEST,
        &format!("Query validation error: {message}"),
        "invalid_query_string",
    )
}

/// `page` (0-based, default 0), `per_page` (1..=100, default 50), `include_totals`.
pub fn paging(q: &Params) -> Result<(usize, usize, bool), Response> {
    let page = match q.get("page") {
        None => 0,
        Some(v) => v.parse::<usize>().map_err(|_| {
            bad_query(&format!(
                "'Expected type integer but found type string' on property page ({v})."
            ))
        })?,
    };
    let per_page = match q.get("per_page") {
        None => 50,
        Some(v) => match v.parse::<usize>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(bad_query(&format!(
                    "'Value must be 1 to 100' on property per_page ({v})."
                )));
            }
        },
    };
    let totals = q.get("include_totals").is_some_and(|v| v == "true");
    Ok((page, per_page, totals))
}

/// A list, or with `include_totals` Auth0's `{"start","limit","length","total","<key>"}` object.
pub fn paged(
    key: &str,
    items: Vec<serde_json::Value>,
    page: usize,
    per_page: usize,
    total: usize,
    totals: bool,
) -> serde_json::Value {
    if !totals {
        return serde_json::Value::Array(items);
    }
    let mut obj = serde_json::Map::new();
    obj.insert("start".into(), (page * per_page).into());
    obj.insert("limit".into(), per_page.into());
    obj.insert("length".into(), items.len().into());
    obj.insert("total".into(), total.into());
    obj.insert(key.into(), serde_json::Value::Array(items));
    serde_json::Value::Object(obj)
}
