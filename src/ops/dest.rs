//! Where a request goes ([`Dest`]: our own HTTP/1 connections for plain HTTP to
//! loopback, reqwest otherwise) and why
//! a request template cannot be built ([`TemplateError`]): the leaf that the template and its
//! holes (`holes.rs`) both use.

use hyper::Uri;
use reqwest::Url;

/// Where a request goes, and so which client of the HTTP transport sends it.
#[derive(Debug, Clone)]
pub enum Dest {
    /// Plain HTTP to a loopback address: straight on HTTP/1 connections of our own
    /// ([`super::direct`]).
    Direct(Uri),
    /// Everything else (HTTPS, any other host, proxies): reqwest.
    Reqwest(Url),
}

impl Dest {
    /// `scheme://host:port`, to compare destinations.
    pub fn authority(&self) -> String {
        match self {
            Dest::Direct(uri) => format!(
                "{}://{}",
                uri.scheme_str().unwrap_or(""),
                uri.authority().map_or("", |a| a.as_str())
            ),
            Dest::Reqwest(url) => url.origin().ascii_serialization(),
        }
    }

    /// The full URL, as text.
    pub fn as_str(&self) -> String {
        match self {
            Dest::Direct(uri) => uri.to_string(),
            Dest::Reqwest(url) => url.as_str().to_string(),
        }
    }
}

/// Why a template cannot be built. Never carries a header value (it may hold a secret).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("method {0:?} is not an HTTP method")]
    Method(String),
    #[error("url {url:?} is not a valid URL: {why}")]
    Url { url: String, why: String },
    #[error("header name {0:?} is not a valid HTTP header name")]
    HeaderName(String),
    #[error("the value of header {0:?} is not a valid HTTP header value (control characters?)")]
    HeaderValue(String),
    #[error("{what}: {why}")]
    Hole { what: String, why: String },
}

/// True for `127.x.y.z`, `localhost` and `[::1]` hosts.
pub fn is_loopback(url: &str) -> bool {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
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

/// The destination of a full URL: the direct path for plain HTTP to loopback, reqwest otherwise.
pub fn dest_of(full: &str) -> Result<Dest, TemplateError> {
    let bad = |why: String| TemplateError::Url {
        url: full.to_string(),
        why,
    };
    Ok(if full.starts_with("http://") && is_loopback(full) {
        Dest::Direct(
            full.parse()
                .map_err(|e: hyper::http::uri::InvalidUri| bad(e.to_string()))?,
        )
    } else {
        Dest::Reqwest(Url::parse(full).map_err(|e| bad(e.to_string()))?)
    })
}
