//! A stand-in for the customer's own API (`/demo-api/...`, any method), so scenarios can measure
//! what calling a custom API with M2M tokens costs. It accepts a bearer token for any registered
//! custom API (not the Management API) and is not rate limited: Auth0 does not host it.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::sim::auth::bearer;
use crate::sim::reply::mgmt_unauthorized;
use crate::sim::tenant::{Shared, lock};

pub async fn call(
    State(t): State<Shared>,
    Path(rest): Path<String>,
    headers: HeaderMap,
) -> Response {
    let verified = match bearer(&t, &headers) {
        Ok(v) => v,
        Err(resp) => return resp,
    };
    if lock(&t.directory).api(&verified.aud).is_none() || verified.aud == t.management_audience {
        return mgmt_unauthorized(&format!("Bad audience: {}", verified.aud), true);
    }
    axum::Json(json!({"ok": true, "api": verified.aud, "path": format!("/demo-api/{rest}")}))
        .into_response()
}
