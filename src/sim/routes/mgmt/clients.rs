//! `/api/v2/clients*` (list, get, rotate-secret) and `/api/v2/client-grants*` (list, create,
//! delete). Rotating a secret or deleting a grant changes what the token endpoint accepts next;
//! tokens already issued stay valid until `exp` [REVOKE], [ROTATE].

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{Params, paged, paging};
use crate::sim::config::MANAGEMENT;
use crate::sim::directory::{Directory, Grant};
use crate::sim::random_id;
use crate::sim::reply::mgmt_error;
use crate::sim::tenant::{Shared, lock};

fn client_not_found() -> Response {
    mgmt_error(
        StatusCode::NOT_FOUND,
        "The client does not exist",
        "inexistent_client",
    )
}

pub async fn list(State(t): State<Shared>, Query(q): Query<Params>) -> Response {
    let (page, per_page, totals) = match paging(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let dir = lock(&t.directory);
    let items = dir
        .clients
        .values()
        .skip(page * per_page)
        .take(per_page)
        .map(|c| Directory::client_json(c, false))
        .collect();
    Json(paged(
        "clients",
        items,
        page,
        per_page,
        dir.clients.len(),
        totals,
    ))
    .into_response()
}

pub async fn get_one(State(t): State<Shared>, Path(id): Path<String>) -> Response {
    match lock(&t.directory).clients.get(&id) {
        Some(c) => Json(Directory::client_json(c, false)).into_response(),
        None => client_not_found(),
    }
}

pub async fn rotate_secret(State(t): State<Shared>, Path(id): Path<String>) -> Response {
    let mut dir = lock(&t.directory);
    match dir.clients.get_mut(&id) {
        Some(c) => {
            c.secret = random_id("", 64);
            Json(Directory::client_json(c, true)).into_response()
        }
        None => client_not_found(),
    }
}

pub async fn list_grants(State(t): State<Shared>, Query(q): Query<Params>) -> Response {
    let (page, per_page, totals) = match paging(&q) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let dir = lock(&t.directory);
    let matching: Vec<&Grant> = dir
        .grants
        .iter()
        .filter(|g| q.get("audience").is_none_or(|a| *a == g.audience))
        .filter(|g| q.get("client_id").is_none_or(|c| *c == g.client_id))
        .collect();
    let items = matching
        .iter()
        .skip(page * per_page)
        .take(per_page)
        .map(|g| Directory::grant_json(g))
        .collect();
    Json(paged(
        "client_grants",
        items,
        page,
        per_page,
        matching.len(),
        totals,
    ))
    .into_response()
}

#[derive(Debug, Deserialize)]
struct NewGrant {
    client_id: String,
    audience: String,
    #[serde(default)]
    scope: Vec<String>,
}

pub async fn create_grant(State(t): State<Shared>, body: Bytes) -> Response {
    let Ok(new) = serde_json::from_slice::<NewGrant>(&body) else {
        return mgmt_error(
            StatusCode::BAD_REQUEST,
            "Payload validation error: body must be {\"client_id\", \"audience\", \"scope\": [...]}",
            "invalid_body",
        );
    };
    let audience = if new.audience == MANAGEMENT {
        t.management_audience.clone()
    } else {
        new.audience
    };
    let mut dir = lock(&t.directory);
    if !dir.clients.contains_key(&new.client_id) {
        return client_not_found();
    }
    let Some(api) = dir.api(&audience) else {
        return mgmt_error(
            StatusCode::NOT_FOUND,
            &format!("No resource server found for audience {audience}"),
            "inexistent_resource_server",
        );
    };
    if let Some(bad) = new.scope.iter().find(|s| !api.scopes.contains(s)) {
        return mgmt_error(
            StatusCode::BAD_REQUEST,
            &format!("Scope {bad} is not defined on the resource server"),
            "invalid_body",
        );
    }
    if dir.grant(&new.client_id, &audience).is_some() {
        return mgmt_error(
            StatusCode::CONFLICT,
            "A client grant for this client and audience already exists",
            "client_grant_conflict",
        );
    }
    let grant = Grant {
        id: random_id("cgr_", 16),
        client_id: new.client_id,
        audience,
        scopes: new.scope,
    };
    let out = Directory::grant_json(&grant);
    dir.grants.push(grant);
    (StatusCode::CREATED, Json(out)).into_response()
}

pub async fn delete_grant(State(t): State<Shared>, Path(id): Path<String>) -> Response {
    let mut dir = lock(&t.directory);
    let before = dir.grants.len();
    dir.grants.retain(|g| g.id != id);
    if dir.grants.len() == before {
        return mgmt_error(
            StatusCode::NOT_FOUND,
            "The client grant does not exist",
            "inexistent_client_grant",
        );
    }
    StatusCode::NO_CONTENT.into_response()
}
