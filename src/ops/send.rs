//! The HTTP transport ([`Http`]): the one set of clients of a run. Plain HTTP to loopback goes
//! straight on HTTP/1 connections of our own ([`super::direct`]), everything else on reqwest; both
//! read the body fully (so the connection is reused), sort the outcome ([`super::reply`]) and
//! parse the rate-limit headers.

use std::time::Duration;

use super::OpError;
use super::direct::Direct;
use super::reply::{Reply, body_kind, kind_of, rate_of};
use super::template::{Dest, Prepared, is_loopback};
use super::transport::Transport;
use crate::scenario::HttpPlan;

/// HTTP over sockets. Cheap to clone (the pools are shared).
#[derive(Clone)]
pub struct Http {
    inner: reqwest::Client,
    direct: Direct,
}

impl Http {
    /// One client for the run: pool sized to the worker count, timeouts from the plan, no
    /// redirects. HTTPS trusts the system's roots plus `ca_pem` (PEM certificates, for a private
    /// CA); proxies come from the standard environment variables (`HTTPS_PROXY`, `NO_PROXY`...)
    /// except for loopback targets, which never use one.
    pub fn new(
        base_url: &str,
        plan: &HttpPlan,
        pool: usize,
        ca_pem: Option<&[u8]>,
    ) -> Result<Self, OpError> {
        let mut b = reqwest::Client::builder()
            .http1_only()
            .pool_max_idle_per_host(pool)
            .timeout(plan.timeout)
            .connect_timeout(plan.connect_timeout)
            .tcp_nodelay(true)
            .redirect(reqwest::redirect::Policy::none());
        if is_loopback(base_url) {
            b = b.no_proxy();
        }
        if let Some(pem) = ca_pem {
            let certs = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                OpError::Client(format!("the CA file is not PEM certificates: {e}"))
            })?;
            if certs.is_empty() {
                return Err(OpError::Client(
                    "the CA file holds no PEM certificate".into(),
                ));
            }
            b = b.tls_certs_merge(certs);
        }
        let inner = b.build().map_err(|e| OpError::Client(e.to_string()))?;
        Ok(Http {
            inner,
            direct: Direct::new(plan, pool),
        })
    }
}

impl Transport for Http {
    async fn send(&self, request: Prepared, keep_body: bool) -> Reply {
        let Prepared {
            method,
            dest,
            headers,
            body,
        } = request;
        let url = match dest {
            Dest::Direct(uri) => {
                return self
                    .direct
                    .send(method, uri, headers, body, keep_body)
                    .await;
            }
            Dest::Reqwest(url) => url,
        };
        let mut rb = self.inner.request(method, url).headers(headers);
        if let Some(body) = body {
            rb = rb.body(body);
        }
        let response = match rb.send().await {
            Ok(r) => r,
            Err(e) => return Reply::transport(kind_of(&e)),
        };
        let status = response.status().as_u16();
        let rate = rate_of(response.headers());
        let kept = keep_body.then(|| response.headers().clone());
        let body = response
            .bytes()
            .await
            .map_err(|e| body_kind(Some(kind_of(&e))));
        Reply::answered(status, rate, body, keep_body).with_headers(kept)
    }
}

/// For tests and the drain: the plan's timeout, bounded to 10 s.
pub fn drain_wait(plan: &HttpPlan) -> Duration {
    plan.timeout.min(Duration::from_secs(10))
}
