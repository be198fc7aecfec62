//! `/api/v2/users*`: list (paged, capped at the first 1,000 records as on Auth0), get, create,
//! patch, delete, and users-by-email.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use super::{Params, paged, paging};
use crate::sim::reply::mgmt_error;
use crate::sim::tenant::{Shared, lock};
use crate::sim::users::UserError;

fn not_found() -> Response {
    mgmt_error(
        StatusCode::NOT_FOUND,
        "The user does not exist.",
        "inexistent_user",
    )
}

fn user_error(e: UserError) -> Response {
    match e {
        UserError::Invalid(m) => mgmt_error(StatusCode::BAD_REQUEST, &m, "invalid_body"),
        UserError::Conflict => mgmt_error(
            StatusCode::CONFLICT,
            "The user already exists.",
            "auth0_idp_error",
        ),
        UserError::NotFound => not_found(),
    }
}

fn json_body(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|_| {
        mgmt_error(
            StatusCode::BAD_REQUEST,
            "Invalid request payload JSON format",
            "invalid_body",
        )
    })
}

/// Records `GET /api/v2/users` pages through at most: "Auth0 limits the total number of users
/// you can retrieve to 1000 (e.g., 100 users per page x 10 pages)"
/// (https://auth0.com/docs/manage-users/user-search/view-search-results-by-page).
pub const PAGE_CAP: usize = 1_000;

/// The 400 past [`PAGE_CAP`], word for word as Auth0 sends it
/// (https://github.com/auth0/auth0.net/issues/979, https://github.com/auth0/node-auth0/issues/1246).
pub const PAGE_CAP_MESSAGE: &str = "You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation";

pub async fn list(State(t): State<Shared>, Query(q): Query<Params>) -> Response {
    let (page, per_page, totals) = match paging(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    // A page that ends past the cap is refused whatever the number of users ("N * RPP + RPP >
    // 1000", https://support.auth0.com/center/s/article/pagination-error-when-getting-user-roles).
    if page.saturating_mul(per_page).saturating_add(per_page) > PAGE_CAP {
        return mgmt_error(StatusCode::BAD_REQUEST, PAGE_CAP_MESSAGE, "invalid_paging");
    }
    let users = lock(&t.users);
    let items = users.page(page, per_page);
    // `total` is "the total number of results in the query (max 1,000)"
    // (https://community.auth0.com/t/paging-the-list-users-query/18983).
    let total = users.len().min(PAGE_CAP);
    Json(paged("users", items, page, per_page, total, totals)).into_response()
}

pub async fn get_one(State(t): State<Shared>, Path(id): Path<String>) -> Response {
    match lock(&t.users).get(&id) {
        Some(u) => Json(u).into_response(),
        None => not_found(),
    }
}

pub async fn by_email(State(t): State<Shared>, Query(q): Query<Params>) -> Response {
    match q.get("email") {
        Some(e) if !e.is_empty() => Json(lock(&t.users).by_email(e)).into_response(),
        _ => mgmt_error(
            StatusCode::BAD_REQUEST,
            "Query validation error: 'Missing required property: email'.",
            "invalid_query_string",
        ),
    }
}

pub async fn create(State(t): State<Shared>, body: Bytes) -> Response {
    let body = match json_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let now = t.now_rfc3339();
    match lock(&t.users).create(&body, &now) {
        Ok(u) => (StatusCode::CREATED, Json(u)).into_response(),
        Err(e) => user_error(e),
    }
}

pub async fn patch(State(t): State<Shared>, Path(id): Path<String>, body: Bytes) -> Response {
    let body = match json_body(&body) {
        Ok(b) => b,
        Err(r) => return r,
    };
    let now = t.now_rfc3339();
    match lock(&t.users).patch(&id, &body, &now) {
        Ok(u) => Json(u).into_response(),
        Err(e) => user_error(e),
    }
}

pub async fn delete(State(t): State<Shared>, Path(id): Path<String>) -> Response {
    // Auth0 answers 204 whether or not the user existed.
    lock(&t.users).delete(&id);
    StatusCode::NO_CONTENT.into_response()
}
