//! The probe's HTTP target: one request built once (method, URL, headers, body), sent over
//! kept-alive connections (HTTP/1.1: one per request in flight, up to the probe's window,
//! pooled so a widened drain does not reconnect for every request; HTTP/2, when TLS offers it,
//! multiplexes them on one), its status and rate-limit headers read
//! ([`crate::ops::ratelimit`]), its body read to the end so the connection is reused. A
//! transport error is an answer without a status, never an error. The bearer token, when there
//! is one, lives only in the request's headers (marked sensitive) and is never printed.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Client, Method};

use super::{Answer, Target};

/// One endpoint's request.
pub struct HttpTarget {
    client: Client,
    method: Method,
    url: String,
    headers: HeaderMap,
    body: Option<String>,
}

impl HttpTarget {
    /// `ca_pem`: extra PEM roots (a private CA); `connections`: the most requests the probe
    /// will have in flight (`Settings::concurrency`), the idle connections kept.
    pub fn new(
        method: &str,
        url: &str,
        ca_pem: Option<&[u8]>,
        connections: usize,
    ) -> Result<Self, String> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| format!("{method:?} is not an HTTP method"))?;
        let mut builder = Client::builder()
            .pool_max_idle_per_host(connections.max(1))
            .timeout(Duration::from_secs(30))
            .redirect(reqwest::redirect::Policy::none());
        if let Some(pem) = ca_pem {
            for cert in reqwest::Certificate::from_pem_bundle(pem).map_err(|e| e.to_string())? {
                builder = builder.add_root_certificate(cert);
            }
        }
        let client = builder
            .build()
            .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
        Ok(HttpTarget {
            client,
            method,
            url: url.to_string(),
            headers: HeaderMap::new(),
            body: None,
        })
    }

    /// Adds a header; `sensitive` hides its value from debug output.
    pub fn header(
        mut self,
        name: &'static str,
        value: &str,
        sensitive: bool,
    ) -> Result<Self, String> {
        let mut v =
            HeaderValue::from_str(value).map_err(|_| format!("header {name}: bad value"))?;
        v.set_sensitive(sensitive);
        self.headers.insert(HeaderName::from_static(name), v);
        Ok(self)
    }

    pub fn body(mut self, body: String) -> Self {
        self.body = Some(body);
        self
    }

    /// The client, for a request the probe makes first (the Management API token).
    pub fn client(&self) -> &Client {
        &self.client
    }
}

impl Target for HttpTarget {
    async fn send(&self) -> Answer {
        let mut req = self
            .client
            .request(self.method.clone(), &self.url)
            .headers(self.headers.clone());
        if let Some(b) = &self.body {
            req = req.body(b.clone());
        }
        match req.send().await {
            Ok(resp) => {
                let status = resp.status().as_u16();
                let rate = crate::ops::ratelimit::parse(resp.headers(), SystemTime::now());
                let _ = resp.bytes().await;
                Answer::from_rate(Some(status), &rate)
            }
            Err(_) => Answer::default(),
        }
    }
}
