//! The fault-injection middleware: draws one fault per request from the tenant's
//! [`Faults`](crate::sim::faults::Faults) (inside its window) and does it to the response:
//! added latency, a 5xx, a non-JSON body, a connection dropped mid-body, a stalled body or
//! garbage rate-limit headers.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::stream;

use crate::sim::tenant::Shared;

/// Middleware: applies the tenant's faults to one request.
pub async fn inject(State(t): State<Shared>, req: Request, next: Next) -> Response {
    let f = &t.faults;
    if !f.is_active() || !f.in_window(t.clock.elapsed()) {
        return next.run(req).await;
    }
    let (pick, spread) = t.dice.next();
    if f.latency_max > f.latency || !f.latency.is_zero() {
        let extra = f.latency_max.saturating_sub(f.latency).mul_f64(spread);
        t.stats.fault("latency");
        tokio::time::sleep(f.latency + extra).await;
    }
    let mut edge = f.error_ratio;
    if pick < edge {
        t.stats.fault("error");
        let code = [500u16, 502, 503][(spread * 3.0) as usize % 3];
        let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = format!(
            r#"{{"statusCode":{code},"error":"{}","message":"injected fault"}}"#,
            status.canonical_reason().unwrap_or("Error")
        );
        return (status, [("content-type", "application/json")], body).into_response();
    }
    edge += f.malformed_ratio;
    if pick < edge {
        t.stats.fault("malformed");
        return (
            StatusCode::OK,
            [("content-type", "application/json")],
            "<html>upstream error</html>",
        )
            .into_response();
    }
    let resp = next.run(req).await;
    edge += f.drop_ratio;
    if pick < edge {
        t.stats.fault("drop");
        return drop_mid_body(resp).await;
    }
    edge += f.stall_ratio;
    if pick < edge {
        t.stats.fault("stall");
        return stall_body(resp, f.stall).await;
    }
    edge += f.garbage_headers_ratio;
    if pick < edge {
        t.stats.fault("garbage_headers");
        return garbage_headers(resp, spread);
    }
    resp
}

async fn body_bytes(resp: Response) -> (axum::http::response::Parts, Bytes) {
    let (parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, 16 * 1024 * 1024)
        .await
        .unwrap_or_default();
    (parts, bytes)
}

/// Headers and the first half of the body, then an error: hyper closes the connection.
async fn drop_mid_body(resp: Response) -> Response {
    let (mut parts, bytes) = body_bytes(resp).await;
    let half = bytes.slice(..bytes.len() / 2);
    // Promise the full length so the client sees a truncated body, not a short complete one.
    parts
        .headers
        .insert("content-length", HeaderValue::from(bytes.len().max(1)));
    let chunks: Vec<Result<Bytes, std::io::Error>> = vec![
        Ok(half),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected drop",
        )),
    ];
    Response::from_parts(parts, Body::from_stream(stream::iter(chunks)))
}

/// The real answer, its body held back for `stall`.
async fn stall_body(resp: Response, stall: Duration) -> Response {
    let (parts, bytes) = body_bytes(resp).await;
    let delayed = stream::once(async move {
        tokio::time::sleep(stall).await;
        Ok::<Bytes, std::io::Error>(bytes)
    });
    Response::from_parts(parts, Body::from_stream(delayed))
}

fn garbage_headers(mut resp: Response, spread: f64) -> Response {
    const GARBAGE: [&str; 4] = ["soon", "-17", "99999999999999999999999", "1e3"];
    let value = GARBAGE[(spread * 4.0) as usize % 4];
    for name in [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "retry-after",
    ] {
        resp.headers_mut()
            .insert(name, HeaderValue::from_static(value));
    }
    resp
}
