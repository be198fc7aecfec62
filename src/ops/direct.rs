//! Plain HTTP to loopback (the embedded simulator, a local service, the benchmark's nginx) on
//! hyper-util's pooled client, without reqwest's layers. Why: reqwest wraps every request in its
//! redirect layer even with redirects off, which re-parses the URL (with IDNA) twice per request
//! and clones the header map several times — 17 % of the generator's instructions per request
//! in a callgrind profile (BENCHMARKS.md). HTTPS and every non-loopback host stay on reqwest, with
//! its TLS roots and proxy handling. Same contract as reqwest's path: whole-request timeout,
//! connect timeout, body read fully, errors sorted into the same transport kinds.

use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{HeaderMap, Method, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use tokio::time::{Instant, timeout_at};

use super::ratelimit;
use super::reply::{Reply, body_kind, chain_kind};
use crate::metrics::TransportKind;
use crate::scenario::HttpPlan;

#[derive(Clone)]
pub struct Direct {
    client: Client<HttpConnector, Full<Bytes>>,
    timeout: Duration,
}

impl Direct {
    pub fn new(plan: &HttpPlan, pool: usize) -> Self {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        http.set_connect_timeout(Some(plan.connect_timeout));
        Direct {
            client: Client::builder(TokioExecutor::new())
                .pool_max_idle_per_host(pool)
                .build(http),
            timeout: plan.timeout,
        }
    }

    /// `headers` already hold everything sent (the template added `accept`).
    pub async fn send(
        &self,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Option<Bytes>,
        keep_body: bool,
    ) -> Reply {
        let mut r = hyper::Request::new(Full::new(body.unwrap_or_default()));
        *r.method_mut() = method;
        *r.uri_mut() = uri;
        *r.headers_mut() = headers;
        let deadline = Instant::now() + self.timeout;
        let response = match timeout_at(deadline, self.client.request(r)).await {
            Err(_) => return Reply::transport(TransportKind::Timeout),
            Ok(Err(e)) => {
                let kind = chain_kind(std::error::Error::source(&e)).unwrap_or(if e.is_connect() {
                    TransportKind::Connect
                } else {
                    TransportKind::Other
                });
                return Reply::transport(kind);
            }
            Ok(Ok(r)) => r,
        };
        let status = response.status().as_u16();
        let rate = ratelimit::parse(response.headers(), SystemTime::now());
        let body = match timeout_at(deadline, response.into_body().collect()).await {
            Err(_) => Err(TransportKind::Timeout),
            Ok(Err(e)) => Err(body_kind(chain_kind(Some(&e)))),
            Ok(Ok(body)) => Ok(body.to_bytes()),
        };
        Reply::answered(status, rate, body, keep_body)
    }
}
