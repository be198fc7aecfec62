//! Any request to an absolute or target-relative URL, with headers, a body and an optional
//! bearer token (for custom APIs and other rate-limited services).

use super::request::Request;
use super::send::Client;
use crate::scenario::Secret;

/// Builds the request; `None` if the method or a header is invalid.
pub fn build(
    client: &Client,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<&str>,
    bearer: Option<&Secret>,
) -> Option<Request> {
    let mut rb = client.request(method, url)?;
    for (k, v) in headers {
        let name = reqwest::header::HeaderName::from_bytes(k.as_bytes()).ok()?;
        let value = reqwest::header::HeaderValue::from_str(v).ok()?;
        rb = rb.header(name, value);
    }
    if let Some(bearer) = bearer {
        rb = rb.bearer_auth(bearer.expose());
    }
    if let Some(body) = body {
        rb = rb.body(body.to_string());
    }
    Some(rb)
}
