//! The tenant the simulator fuzz targets attack: the demo client (Management API, all scopes, and
//! `https://api.example.com/`) plus a reader client granted only `read:users` on the Management
//! API, on a tier without rate limits or quota so every answer comes from the check under test.
//! Driven in process through the router (`oneshot`) or over real HTTP (`sim::start`).

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use quotaprobe::sim::{
    self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, MANAGEMENT, SimClient, SimConfig, SimGrant, tier,
};
use serde_json::Value;
use tower::ServiceExt;

pub const DOMAIN: &str = "fuzz.quotaprobe.test";
pub const CUSTOM: &str = "https://api.example.com/";
pub const READER_ID: &str = "fuzz-reader";
pub const READER_SECRET: &str = "fuzz-reader-secret-0123456789";

pub fn issuer() -> String {
    format!("https://{DOMAIN}/")
}

pub fn management_audience() -> String {
    format!("https://{DOMAIN}/api/v2/")
}

/// The secret of a known client id.
pub fn secret_of(client_id: &str) -> Option<&'static str> {
    match client_id {
        DEMO_CLIENT_ID => Some(DEMO_CLIENT_SECRET),
        READER_ID => Some(READER_SECRET),
        _ => None,
    }
}

/// Scopes `client_id` is granted for `audience` (`None`: no grant).
pub fn granted(client_id: &str, audience: &str) -> Option<Vec<String>> {
    let all = |s: &[&str]| Some(s.iter().map(|s| s.to_string()).collect());
    match (client_id, audience) {
        (DEMO_CLIENT_ID, a) if a == management_audience() => all(sim::config::MANAGEMENT_SCOPES),
        (DEMO_CLIENT_ID, CUSTOM) => all(&["read:data", "write:data"]),
        (READER_ID, a) if a == management_audience() => all(&["read:users"]),
        _ => None,
    }
}

pub fn config() -> SimConfig {
    let mut t = tier::builtin("enterprise").expect("built-in tier");
    t.token_endpoint.clear();
    t.management = Default::default();
    t.monthly_m2m_quota = None;
    let mut c = SimConfig::demo(t);
    c.domain = Some(DOMAIN.into());
    c.users = 5;
    c.organizations = 2;
    c.clients.push(SimClient {
        name: "reader".into(),
        client_id: READER_ID.into(),
        client_secret: READER_SECRET.into(),
        grants: vec![SimGrant {
            audience: MANAGEMENT.into(),
            scopes: vec!["read:users".into()],
        }],
        quota: None,
    });
    c
}

/// The tenant's router, in process (nothing listens).
pub fn router() -> Router {
    let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
    sim::router(&config(), addr).expect("simulator router")
}

/// One answer, body read whole.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body)
            .chars()
            .take(400)
            .collect()
    }
}

/// `req` through the router; a handler panic surfaces as a panic here (a failed case).
pub async fn call(router: &Router, req: Request<Body>) -> Answer {
    let resp = match router.clone().oneshot(req).await {
        Ok(r) => r,
        Err(never) => match never {},
    };
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .map(|b| b.to_vec())
        .unwrap_or_else(|e| panic!("body of a {status} answer broke off: {e}"));
    Answer {
        status,
        headers,
        body,
    }
}

/// Auth0's Authentication API error body: `{"error": code, "error_description": text}`.
pub fn oauth_error(a: &Answer) -> Option<(String, String)> {
    let v = a.json()?;
    let code = v.get("error")?.as_str()?.to_string();
    let text = v.get("error_description")?.as_str()?.to_string();
    (!code.is_empty() && !text.is_empty()).then_some((code, text))
}

/// Auth0's Management API error body: `{"statusCode", "error", "message", "errorCode"}`, with
/// `statusCode` equal to the status sent.
pub fn mgmt_error(a: &Answer) -> Option<(String, String)> {
    let v = a.json()?;
    (v.get("statusCode")?.as_u64()? == u64::from(a.status.as_u16())).then_some(())?;
    v.get("error")?.as_str()?;
    let message = v.get("message")?.as_str()?.to_string();
    // Auth0's 401s carry no errorCode: a refused token has `attributes.error` = message (code
    // "attributes" here), a missing one neither (code "").
    let code = match (v.get("errorCode"), v.get("attributes")) {
        (Some(c), _) => c.as_str()?.to_string(),
        (None, Some(a)) => {
            (a.get("error")?.as_str()? == message).then(|| "attributes".to_string())?
        }
        (None, None) => String::new(),
    };
    Some((code, message))
}

/// The current UNIX second.
pub fn epoch_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}
