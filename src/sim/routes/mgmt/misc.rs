//! Read-only Management endpoints: resource servers, organizations, logs, daily stats.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::{Params, paged, paging};
use crate::sim::directory::Directory;
use crate::sim::reply::mgmt_error;
use crate::sim::tenant::{Shared, lock};

pub async fn resource_servers(State(t): State<Shared>, Query(q): Query<Params>) -> Response {
    let (page, per_page, totals) = match paging(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let dir = lock(&t.directory);
    let items = dir
        .apis
        .iter()
        .skip(page * per_page)
        .take(per_page)
        .map(Directory::api_json)
        .collect();
    Json(paged(
        "resource_servers",
        items,
        page,
        per_page,
        dir.apis.len(),
        totals,
    ))
    .into_response()
}

pub async fn organizations(State(t): State<Shared>, Query(q): Query<Params>) -> Response {
    let (page, per_page, totals) = match paging(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let dir = lock(&t.directory);
    let items = dir
        .organizations
        .iter()
        .skip(page * per_page)
        .take(per_page)
        .cloned()
        .collect();
    Json(paged(
        "organizations",
        items,
        page,
        per_page,
        dir.organizations.len(),
        totals,
    ))
    .into_response()
}

pub async fn organization(State(t): State<Shared>, Path(id): Path<String>) -> Response {
    let dir = lock(&t.directory);
    match dir.organizations.iter().find(|o| o["id"] == id.as_str()) {
        Some(o) => Json(o.clone()).into_response(),
        None => mgmt_error(
            StatusCode::NOT_FOUND,
            "No organization found by that id or name",
            "inexistent_organization",
        ),
    }
}

pub async fn logs(State(t): State<Shared>, Query(q): Query<Params>) -> Response {
    let (page, per_page, totals) = match paging(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let logs = lock(&t.logs);
    Json(paged(
        "logs",
        logs.page(page, per_page),
        page,
        per_page,
        logs.len(),
        totals,
    ))
    .into_response()
}

/// One entry for today (UTC); the simulator has no logins, so counts are zero.
pub async fn daily_stats(State(t): State<Shared>) -> Response {
    let now = t.now_rfc3339();
    let day = format!("{}T00:00:00.000Z", now.get(..10).unwrap_or(""));
    let entry: Value = json!({
        "date": day, "logins": 0, "signups": 0, "leaked_passwords": 0,
        "updated_at": now, "created_at": day,
    });
    Json(json!([entry])).into_response()
}
