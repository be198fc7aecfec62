//! The in-process [`Transport`]: each request goes to the simulator's axum router called as a
//! tower service (`oneshot`), with no socket, so the engine and the tenant share one thread and
//! one (virtual) clock. Answers a [`Reply`] as the socket path does: the same head reading
//! ([`reply::rate_of`]), the same body rule, the plan's whole-request timeout (on tokio time, so
//! the simulator's faults latency is the virtual service time). A request for any other host
//! than the simulator's fails as `connect`: in a fast-forward run nothing else is reachable.

use std::time::Duration;

use axum::body::Body;
use http_body_util::BodyExt;
use hyper::Uri;
use tower::ServiceExt;

use crate::metrics::TransportKind;
use crate::ops::reply::{self, Reply, body_kind};
use crate::ops::template::Dest;
use crate::ops::{Prepared, Transport};

/// The simulator's router behind the [`Transport`] seam.
#[derive(Clone)]
pub struct InProcess {
    router: axum::Router,
    /// `http://host:port` of the simulated tenant: the only destination served.
    authority: String,
    timeout: Duration,
}

impl InProcess {
    /// `router` answers for `base_url` (the tenant's `http://127.0.0.1:port`); every request
    /// gets at most `timeout` (the plan's `[http] timeout`).
    pub fn new(router: axum::Router, base_url: &str, timeout: Duration) -> Self {
        InProcess {
            router,
            authority: base_url.trim_end_matches('/').to_string(),
            timeout,
        }
    }

    async fn exchange(&self, request: hyper::Request<Body>, keep_body: bool) -> Reply {
        let Ok(response) = self.router.clone().oneshot(request).await;
        let status = response.status().as_u16();
        let rate = reply::rate_of(response.headers());
        // Kept with the body, as the socket transports keep them (a flow step may capture one).
        let kept = keep_body.then(|| response.headers().clone());
        let body = match response.into_body().collect().await {
            Ok(b) => Ok(b.to_bytes()),
            Err(_) => Err(body_kind(None)),
        };
        Reply::answered(status, rate, body, keep_body).with_headers(kept)
    }
}

impl Transport for InProcess {
    async fn send(&self, request: Prepared, keep_body: bool) -> Reply {
        let Prepared {
            method,
            dest,
            headers,
            body,
        } = request;
        if dest.authority() != self.authority {
            return Reply::transport(TransportKind::Connect);
        }
        let uri: Uri = match dest {
            Dest::Direct(uri) => uri,
            Dest::Reqwest(url) => match url.as_str().parse() {
                Ok(uri) => uri,
                Err(_) => return Reply::transport(TransportKind::Other),
            },
        };
        let mut r = hyper::Request::new(Body::from(body.unwrap_or_default()));
        *r.method_mut() = method;
        *r.uri_mut() = uri;
        *r.headers_mut() = headers;
        match tokio::time::timeout(self.timeout, self.exchange(r, keep_body)).await {
            Ok(reply) => reply,
            Err(_) => Reply::transport(TransportKind::Timeout),
        }
    }
}
