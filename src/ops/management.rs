//! A Management API call (`/api/v2/...`) with a Management-audience bearer token.

use super::request::Request;
use super::send::Client;
use crate::scenario::Secret;

/// Builds the request; `None` if the method is not a valid HTTP method.
pub fn build(
    client: &Client,
    method: &str,
    path: &str,
    body: Option<&str>,
    bearer: &Secret,
) -> Option<Request> {
    let mut rb = client.request(method, path)?.bearer_auth(bearer.expose());
    if let Some(body) = body {
        rb = rb
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    Some(rb)
}
