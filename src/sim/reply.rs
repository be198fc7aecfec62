//! Response building: Auth0's error bodies and the rate-limit / quota headers.
//!
//! Header values: `x-ratelimit-reset` is the epoch second (rounded up) at which the reported
//! bucket is full again, or with a tier's `reset = "next_token"` at which it next gains a whole
//! token; the current second when it is full (why: `limit.rs` `ResetMode`).

use std::time::Duration;

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::bucket::Snapshot;
use super::ledger::QuotaWindow;
use super::limit::{AuthLimitAnswer, ResetMode};

/// The three `x-ratelimit-*` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateHeaders {
    pub limit: u64,
    pub remaining: u64,
    pub reset_epoch_s: u64,
}

impl RateHeaders {
    /// From a bucket snapshot taken at wall-clock `epoch_now`, reset as the tier names it.
    pub fn from_snapshot(s: &Snapshot, epoch_now: Duration, mode: ResetMode) -> Self {
        let after = match mode {
            ResetMode::Full => s.full_after,
            ResetMode::NextToken => s.reset_after,
        };
        let reset = (epoch_now + after).as_secs_f64().ceil() as u64;
        RateHeaders {
            limit: s.limit,
            remaining: s.remaining,
            reset_epoch_s: reset,
        }
    }

    pub fn apply(&self, headers: &mut HeaderMap) {
        set(headers, "x-ratelimit-limit", self.limit.to_string());
        set(headers, "x-ratelimit-remaining", self.remaining.to_string());
        set(headers, "x-ratelimit-reset", self.reset_epoch_s.to_string());
    }
}

/// `b=per_hour;q=10;r=7;t=3540,b=per_day;q=50;r=47;t=43200` [FGQ].
pub fn quota_header(windows: &[QuotaWindow]) -> String {
    windows
        .iter()
        .map(|w| {
            format!(
                "b={};q={};r={};t={}",
                w.bucket, w.quota, w.remaining, w.reset_in_s
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

pub fn set(headers: &mut HeaderMap, name: &'static str, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        headers.insert(HeaderName::from_static(name), v);
    }
}

/// Authentication API error: `{"error": .., "error_description": ..}`.
pub fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let body = format!(
        r#"{{"error":{},"error_description":{}}}"#,
        quote(error),
        quote(description)
    );
    json_response(status, body)
}

/// Bodies are written by hand so their keys keep Auth0's order (serde_json sorts map keys).
fn json_response(status: StatusCode, body: String) -> Response {
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

fn quote(s: &str) -> String {
    serde_json::Value::from(s).to_string()
}

/// Management API error: `{"statusCode", "error", "message", "errorCode"}`.
pub fn mgmt_error(status: StatusCode, message: &str, error_code: &str) -> Response {
    let reason = status.canonical_reason().unwrap_or("Error");
    let body = format!(
        r#"{{"statusCode":{},"error":{},"message":{},"errorCode":{}}}"#,
        status.as_u16(),
        quote(reason),
        quote(message),
        quote(error_code)
    );
    json_response(status, body)
}

/// A rate-limited Authentication API request (token endpoint, JWKS, OpenID configuration), as
/// the tier answers it (`limit.rs` `AuthLimitAnswer`).
pub fn auth_too_many(answer: AuthLimitAnswer) -> Response {
    let (status, error) = match answer {
        AuthLimitAnswer::TooManyRequests => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
        AuthLimitAnswer::AccessDenied500 => (StatusCode::INTERNAL_SERVER_ERROR, "access_denied"),
    };
    oauth_error(status, error, "Global limit has been reached")
}

/// A Management API 401 as Auth0 sends it for a token it refuses: `attributes.error` repeats
/// the message and there is no `errorCode` (e.g. `{"statusCode":401,"error":"Unauthorized",
/// "message":"Expired token received for JSON Web Token validation","attributes":{"error":
/// "Expired token received for JSON Web Token validation"}}` as auth0-PHP's `ErrorApiException`
/// prints it). A request without a token gets `{"statusCode":401,"error":"Unauthorized",
/// "message":"Missing authentication"}` (no `attributes`).
pub fn mgmt_unauthorized(message: &str, attributes: bool) -> Response {
    let body = if attributes {
        format!(
            r#"{{"statusCode":401,"error":"Unauthorized","message":{m},"attributes":{{"error":{m}}}}}"#,
            m = quote(message)
        )
    } else {
        format!(
            r#"{{"statusCode":401,"error":"Unauthorized","message":{}}}"#,
            quote(message)
        )
    };
    json_response(StatusCode::UNAUTHORIZED, body)
}

/// The Management API 429 body [ISS-RESET31].
pub fn mgmt_too_many() -> Response {
    mgmt_error(
        StatusCode::TOO_MANY_REQUESTS,
        "Global limit has been reached",
        "too_many_requests",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quota_header_format() {
        let w = [
            QuotaWindow {
                bucket: "per_hour",
                quota: 10,
                remaining: 7,
                reset_in_s: 3540,
            },
            QuotaWindow {
                bucket: "per_day",
                quota: 50,
                remaining: 47,
                reset_in_s: 43200,
            },
        ];
        assert_eq!(
            quota_header(&w),
            "b=per_hour;q=10;r=7;t=3540,b=per_day;q=50;r=47;t=43200"
        );
        assert_eq!(quota_header(&w[1..]), "b=per_day;q=50;r=47;t=43200");
    }

    #[test]
    fn reset_is_rounded_up_epoch_seconds() {
        let cases = [
            (1_000_000, 0, 1_000),   // full at 1000.000 s -> 1000
            (1_000_200, 400, 1_001), // next token at 1000.6 s -> 1001
            (1_000_000, 1_000, 1_001),
        ];
        for (now_ms, after_ms, want) in cases {
            let s = Snapshot {
                limit: 2,
                remaining: 0,
                reset_after: Duration::from_millis(after_ms),
                full_after: Duration::from_millis(after_ms + 59_000),
            };
            let now = Duration::from_millis(now_ms);
            let h = RateHeaders::from_snapshot(&s, now, ResetMode::NextToken);
            assert_eq!(h.reset_epoch_s, want, "{now_ms} + {after_ms}");
            let full = RateHeaders::from_snapshot(&s, now, ResetMode::Full);
            assert_eq!(full.reset_epoch_s, want + 59, "full: {now_ms} + {after_ms}");
        }
        let mut headers = HeaderMap::new();
        RateHeaders {
            limit: 2,
            remaining: 1,
            reset_epoch_s: 7,
        }
        .apply(&mut headers);
        assert_eq!(headers["x-ratelimit-limit"], "2");
        assert_eq!(headers["x-ratelimit-remaining"], "1");
        assert_eq!(headers["x-ratelimit-reset"], "7");
    }
}
