//! A request as the operations build it (method, destination, headers, body), before it is
//! sent by [`send`](super::send::send) on whichever client its destination calls for. Only the
//! builder calls the operations use; a header that does not convert makes the request invalid,
//! which becomes a transport outcome when sent, as with reqwest's builder.

use bytes::Bytes;
use hyper::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Uri};
use reqwest::Url;

/// Where a request goes, and so which client sends it.
#[derive(Debug, Clone)]
pub enum Dest {
    /// Plain HTTP to a loopback address: straight on hyper-util ([`super::direct`]).
    Direct(Uri),
    /// Everything else (HTTPS, any other host, proxies): reqwest.
    Reqwest(Url),
    /// A URL that does not parse: a transport error when sent.
    Invalid,
}

#[derive(Debug)]
pub struct Request {
    pub(super) method: Method,
    pub(super) dest: Dest,
    pub(super) headers: HeaderMap,
    pub(super) body: Option<Bytes>,
    pub(super) invalid: bool,
}

impl Request {
    pub(super) fn new(method: Method, dest: Dest) -> Self {
        Request {
            method,
            dest,
            headers: HeaderMap::new(),
            body: None,
            invalid: false,
        }
    }

    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        HeaderName: TryFrom<K>,
        HeaderValue: TryFrom<V>,
    {
        match (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            (Ok(n), Ok(v)) => {
                self.headers.append(n, v);
            }
            _ => self.invalid = true,
        }
        self
    }

    /// `Authorization: Bearer …`, marked sensitive (never printed by `Debug`).
    pub fn bearer_auth(mut self, token: &str) -> Self {
        match HeaderValue::try_from(format!("Bearer {token}")) {
            Ok(mut v) => {
                v.set_sensitive(true);
                self.headers.insert(AUTHORIZATION, v);
            }
            Err(_) => self.invalid = true,
        }
        self
    }

    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }
}
