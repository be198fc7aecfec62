//! The body of `POST /oauth/token`: form or JSON, with the client secret in the body or in HTTP
//! Basic (`client_secret_basic`). A body that does not parse is a 400 `invalid_request`.

use axum::extract::{FromRequest, Request};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use axum::{Form, Json};
use base64::Engine;
use serde::Deserialize;

use crate::sim::reply::oauth_error;

#[derive(Debug, Default, Deserialize)]
pub struct TokenRequest {
    pub grant_type: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub audience: Option<String>,
    pub scope: Option<String>,
}

pub async fn parse(req: Request) -> Result<TokenRequest, Response> {
    let basic = basic_auth(req.headers());
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("json"));
    let parsed = if is_json {
        Json::<TokenRequest>::from_request(req, &())
            .await
            .map(|Json(b)| b)
            .map_err(|e| e.body_text())
    } else {
        Form::<TokenRequest>::from_request(req, &())
            .await
            .map(|Form(b)| b)
            .map_err(|e| e.body_text())
    };
    let mut body = parsed.map_err(|e| {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("Invalid request body: {e}"),
        )
    })?;
    if let Some((id, secret)) = basic {
        body.client_id.get_or_insert(id);
        body.client_secret.get_or_insert(secret);
    }
    Ok(body)
}

fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (kind, b64) = value.trim().split_once(' ')?;
    if !kind.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .ok()?;
    let text = String::from_utf8(raw).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}
