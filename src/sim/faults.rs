//! Fault injection: what a misbehaving tenant does to a load test. Each request (simulator
//! controls under `/__sim/` excepted) inside the fault window draws one fault, by ratio:
//! a 500/502/503, a connection closed mid-response, a body that stalls, a non-JSON body, or
//! garbage rate-limit headers — after an optional added latency. Tokens can be made to expire
//! sooner than their `expires_in` says. Draws come from a counter hashed with a seed, so a run
//! repeats. Owns no routes; `routes::router` puts [`inject`] in front of them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::stream;

use super::tenant::Shared;

/// What to inject (all ratios 0..=1, drawn in this order; their sum must stay ≤ 1).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Added before every response in the window.
    pub latency: Duration,
    /// With `latency_max` > `latency`, the added latency is uniform in between.
    pub latency_max: Duration,
    /// 500, 502 or 503 (in turn) instead of the real answer.
    pub error_ratio: f64,
    /// The real answer's headers and half its body, then the connection is closed.
    pub drop_ratio: f64,
    /// The real answer whose body arrives only after `stall`.
    pub stall_ratio: f64,
    pub stall: Duration,
    /// 200 with a body that is not JSON.
    pub malformed_ratio: f64,
    /// The real answer with garbage `x-ratelimit-*` and `retry-after` values.
    pub garbage_headers_ratio: f64,
    /// Issued tokens' `exp` is this much earlier than `expires_in` says.
    pub token_exp_shortfall: Duration,
    /// The window, from the tenant's start; `until = None` means to the end.
    pub from: Duration,
    pub until: Option<Duration>,
}

/// The kinds a draw can give, for `/__sim/stats` (`faults`).
pub const KINDS: [&str; 6] = [
    "latency",
    "error",
    "drop",
    "stall",
    "malformed",
    "garbage_headers",
];

impl Faults {
    pub fn is_active(&self) -> bool {
        *self != Faults::default()
    }

    fn in_window(&self, elapsed: Duration) -> bool {
        elapsed >= self.from && self.until.is_none_or(|u| elapsed < u)
    }
}

/// Deterministic draws: the n-th request's numbers in [0, 1).
#[derive(Debug, Default)]
pub struct Dice(AtomicU64);

impl Dice {
    fn next(&self) -> (f64, f64) {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        (
            unit(splitmix(n.wrapping_mul(2))),
            unit(splitmix(n.wrapping_mul(2) + 1)),
        )
    }
}

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dice_are_uniform_and_repeatable() {
        let (a, b) = (Dice::default(), Dice::default());
        let draws: Vec<f64> = (0..10_000).map(|_| a.next().0).collect();
        assert_eq!(
            draws[..5],
            (0..5).map(|_| b.next().0).collect::<Vec<_>>()[..]
        );
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let below = draws.iter().filter(|d| **d < 0.25).count();
        assert!((2300..2700).contains(&below), "{below}");
    }

    #[test]
    fn window_bounds() {
        let f = Faults {
            from: Duration::from_secs(2),
            until: Some(Duration::from_secs(5)),
            ..Faults::default()
        };
        let table = [(1, false), (2, true), (4, true), (5, false)];
        for (s, want) in table {
            assert_eq!(f.in_window(Duration::from_secs(s)), want, "{s}s");
        }
        assert!(!Faults::default().is_active());
    }
}
