//! The one HTTP client of a run and the send path: execute, read the body fully (so the
//! connection is reused), classify the outcome, parse rate-limit headers. Plain HTTP to loopback
//! goes straight on hyper-util ([`super::direct`]), everything else on reqwest.

use std::error::Error as _;
use std::time::{Duration, SystemTime};

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use bytes::Bytes;
use reqwest::{Method, Url};

use super::OpError;
use super::direct::Direct;
use super::ratelimit::{self, RateInfo};
use super::request::{Dest, Request};
use crate::metrics::{Outcome, TransportKind};
use crate::scenario::HttpPlan;

/// Parsed destinations kept per path: parsing (with IDNA) cost ~5 % of CPU per request at 5,000/s.
const URL_CACHE_MAX: usize = 256;

/// The shared client plus the target's base URL. Single-threaded (the engine's runtime).
#[derive(Clone)]
pub struct Client {
    inner: reqwest::Client,
    direct: Direct,
    base_url: String,
    urls: Rc<RefCell<HashMap<String, Dest>>>,
}

/// What came back.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub outcome: Option<Outcome>,
    pub rate: RateInfo,
    /// Only when asked for (token responses); other bodies are read and dropped.
    pub body: Option<Bytes>,
}

impl Reply {
    fn transport(kind: TransportKind) -> Self {
        Reply {
            outcome: Some(Outcome::Transport(kind)),
            ..Reply::default()
        }
    }

    pub fn outcome(&self) -> Outcome {
        self.outcome
            .unwrap_or(Outcome::Transport(TransportKind::Other))
    }
}

fn is_loopback(base_url: &str) -> bool {
    let rest = base_url.split_once("://").map_or(base_url, |(_, r)| r);
    let host = rest.split(['/', '?']).next().unwrap_or("");
    let host = host.rsplit_once(':').map_or(host, |(h, p)| {
        if p.chars().all(|c| c.is_ascii_digit()) {
            h
        } else {
            host
        }
    });
    matches!(host, "127.0.0.1" | "localhost" | "[::1]") || host.starts_with("127.")
}

impl Client {
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
        Ok(Client {
            inner,
            direct: Direct::new(plan, pool),
            base_url: base_url.trim_end_matches('/').to_string(),
            urls: Rc::new(RefCell::new(HashMap::new())),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// An absolute URL as is; a target-relative one joined to the base URL.
    pub fn url(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_string()
        } else if path_or_url.starts_with('/') {
            format!("{}{}", self.base_url, path_or_url)
        } else {
            format!("{}/{}", self.base_url, path_or_url)
        }
    }

    /// `None` when the method is not a valid HTTP token (validation should have caught it).
    pub fn request(&self, method: &str, path_or_url: &str) -> Option<Request> {
        let method = Method::from_bytes(method.as_bytes()).ok()?;
        let cached = self.urls.borrow().get(path_or_url).cloned();
        let dest = match cached {
            Some(dest) => dest,
            None => {
                let full = self.url(path_or_url);
                // An unparseable URL becomes a request error (an outcome), as reqwest reports it.
                let dest = if full.starts_with("http://") && is_loopback(&full) {
                    full.parse().map_or(Dest::Invalid, Dest::Direct)
                } else {
                    Url::parse(&full).map_or(Dest::Invalid, Dest::Reqwest)
                };
                let mut urls = self.urls.borrow_mut();
                if urls.len() < URL_CACHE_MAX {
                    urls.insert(path_or_url.to_string(), dest.clone());
                }
                dest
            }
        };
        Some(Request::new(method, dest))
    }
}

/// Sends, reads the whole body, classifies. Never fails: errors are outcomes.
pub async fn send(client: &Client, request: Option<Request>, keep_body: bool) -> Reply {
    let Some(request) = request.filter(|r| !r.invalid) else {
        return Reply::transport(TransportKind::Other);
    };
    let url = match &request.dest {
        Dest::Direct(uri) => {
            let uri = uri.clone();
            return client.direct.send(request, uri, keep_body).await;
        }
        Dest::Reqwest(url) => url.clone(),
        Dest::Invalid => return Reply::transport(TransportKind::Other),
    };
    let mut rb = client
        .inner
        .request(request.method, url)
        .headers(request.headers);
    if let Some(body) = request.body {
        rb = rb.body(body);
    }
    let response = match rb.send().await {
        Ok(r) => r,
        Err(e) => return Reply::transport(kind_of(&e)),
    };
    let status = response.status().as_u16();
    let rate = ratelimit::parse(response.headers(), SystemTime::now());
    match response.bytes().await {
        Ok(body) => Reply {
            outcome: Some(Outcome::Http(status)),
            rate,
            body: keep_body.then_some(body),
        },
        Err(e) => {
            let kind = match kind_of(&e) {
                TransportKind::Timeout => TransportKind::Timeout,
                TransportKind::Reset => TransportKind::Reset,
                _ => TransportKind::Body,
            };
            Reply {
                outcome: Some(Outcome::Transport(kind)),
                rate,
                body: None,
            }
        }
    }
}

/// Sorts a reqwest error into the `statuses.csv` error kinds.
pub fn kind_of(e: &reqwest::Error) -> TransportKind {
    if e.is_timeout() {
        return TransportKind::Timeout;
    }
    if let Some(kind) = chain_kind(e.source()) {
        return kind;
    }
    if e.is_connect() {
        TransportKind::Connect
    } else if e.is_body() || e.is_decode() {
        TransportKind::Body
    } else {
        TransportKind::Other
    }
}

/// The transport kind an error chain shows (an I/O error or hyper's own), if any; shared by the
/// reqwest and the direct path so both sort errors alike.
pub(super) fn chain_kind(
    mut source: Option<&(dyn std::error::Error + 'static)>,
) -> Option<TransportKind> {
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                TimedOut => return Some(TransportKind::Timeout),
                ConnectionRefused | AddrNotAvailable | HostUnreachable | NetworkUnreachable => {
                    return Some(TransportKind::Connect);
                }
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
                    return Some(TransportKind::Reset);
                }
                _ => {}
            }
        }
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                return Some(TransportKind::Reset);
            }
            if h.is_timeout() {
                return Some(TransportKind::Timeout);
            }
        }
        source = s.source();
    }
    None
}

/// For tests and the drain: the plan's timeout, bounded to 10 s.
pub fn drain_wait(plan: &HttpPlan) -> Duration {
    plan.timeout.min(Duration::from_secs(10))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_detection() {
        for (url, want) in [
            ("http://127.0.0.1:4000", true),
            ("http://localhost:80/x", true),
            ("http://[::1]:4000", true),
            ("https://example.eu.auth0.com", false),
            ("https://localhost.evil.com", false),
        ] {
            assert_eq!(is_loopback(url), want, "{url}");
        }
    }
}
