//! Bearer-token checks for the Management API: signature, issuer, audience, expiry, scope.
//! A token seen before is checked from the cache (hash of the token string -> aud, exp, scopes),
//! so repeated calls skip the RSA verification.
//!
//! Bodies: 401s are Auth0's (`reply::mgmt_unauthorized`): "Missing authentication" without
//! `attributes`; "Invalid token", "Bad audience: ..." and "Expired token received for JSON Web
//! Token validation" with `attributes.error` repeating the message and no `errorCode`, as Auth0's
//! SDKs print them (e.g. auth0-PHP's `ErrorApiException`). "Insufficient scope, expected any of:
//! ..." is a 403 with `errorCode` `insufficient_scope`.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use super::reply::{mgmt_error, mgmt_unauthorized};
use super::tenant::{Tenant, Verified};

fn unauthorized(message: &str) -> Response {
    mgmt_unauthorized(message, true)
}

/// The request's bearer token, verified (signature, issuer, expiry); audience and scope are the
/// caller's to check.
pub fn bearer(t: &Tenant, headers: &HeaderMap) -> Result<Verified, Response> {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            let (kind, token) = v.trim().split_once(' ')?;
            kind.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .filter(|t| !t.is_empty())
        .ok_or_else(|| mgmt_unauthorized("Missing authentication", false))?;
    let verified = match t.cached(token) {
        Some(v) => v,
        None => {
            let claims = t
                .keys
                .verify(token)
                .map_err(|_| unauthorized("Invalid token"))?;
            if claims.iss != t.issuer {
                return Err(unauthorized("Invalid token"));
            }
            let v = Verified {
                aud: claims.aud,
                exp: claims.exp,
                scopes: claims
                    .scope
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
            };
            t.cache(token, v.clone());
            v
        }
    };
    if verified.exp <= t.clock.epoch_secs() {
        return Err(unauthorized(
            "Expired token received for JSON Web Token validation",
        ));
    }
    Ok(verified)
}

/// Ok if the request carries a valid Management API token with `scope`.
pub fn authorize(t: &Tenant, headers: &HeaderMap, scope: &str) -> Result<(), Response> {
    let verified = bearer(t, headers)?;
    if verified.aud != t.management_audience {
        return Err(unauthorized(&format!("Bad audience: {}", verified.aud)));
    }
    if !verified.scopes.iter().any(|s| s == scope) {
        return Err(mgmt_error(
            StatusCode::FORBIDDEN,
            &format!("Insufficient scope, expected any of: {scope}"),
            "insufficient_scope",
        ));
    }
    Ok(())
}
