//! `/api/v2/users*`: list (paged), get, create, patch, delete, and users-by-email.

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

pub async fn list(State(t): State<Shared>, Query(q): Query<Params>) -> Response {
    let (page, per_page, totals) = match paging(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let users = lock(&t.users);
    let items = users.page(page, per_page);
    Json(paged("users", items, page, per_page, users.len(), totals)).into_response()
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
