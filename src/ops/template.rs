//! Request templates: each operation's request (method, destination, header map, body bytes)
//! built and checked once when the engine starts, so a bad method, URL or header is an error
//! before anything is sent, and per request only the prebuilt parts are cloned and the bearer
//! token set ([`Template::prepare`] → [`Prepared`], what a [`super::Transport`] sends).
//!
//! Room for per-request data: every part is fixed today; a part that later holds `{{name}}`
//! holes (path, body, header values) becomes "literal or pieces" inside [`Template`] and is
//! filled from [`Fill`] in [`Template::prepare`]. [`Prepared`] and the transports stay as they
//! are. Does not send anything and knows no client.

use bytes::Bytes;
use hyper::Method;
use hyper::header::{
    ACCEPT, AUTHORIZATION, CONTENT_TYPE, HOST, HeaderMap, HeaderName, HeaderValue,
};

pub use super::dest::{Dest, TemplateError, dest_of, is_loopback};
use super::holes::{self, Holes};
use crate::data::Values;
use crate::scenario::Secret;

/// A request ready to send: what any transport needs, owned. No `Debug`: the body may hold a
/// client secret.
pub struct Prepared {
    pub method: Method,
    pub dest: Dest,
    pub headers: HeaderMap,
    pub body: Option<Bytes>,
}

/// The per-request values a template is filled with.
#[derive(Debug, Clone, Copy, Default)]
pub struct Fill<'a> {
    /// `Authorization: Bearer …`, for templates built [`with_bearer`](Template::with_bearer).
    pub bearer: Option<&'a Secret>,
    /// The request's `{{hole}}` values, for templates with holes ([`super::holes`]).
    pub values: Option<&'a Values>,
}

/// The target's base URL, which target-relative paths are joined to.
#[derive(Debug, Clone)]
pub struct Base(String);

impl Base {
    pub fn new(base_url: &str) -> Self {
        Base(base_url.trim_end_matches('/').to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// An absolute URL as is; a target-relative one joined to the base URL.
    pub fn join(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("http://") || path_or_url.starts_with("https://") {
            path_or_url.to_string()
        } else if path_or_url.starts_with('/') {
            format!("{}{}", self.0, path_or_url)
        } else {
            format!("{}/{}", self.0, path_or_url)
        }
    }
}

/// One operation's request, built once. No `Debug`: the body may hold a client secret.
#[derive(Clone)]
pub struct Template {
    method: Method,
    dest: Dest,
    /// In the order they are sent; holds an `Authorization` placeholder at its place when
    /// `bearer` is set, replaced per request.
    headers: HeaderMap,
    body: Option<Bytes>,
    bearer: bool,
    /// The parts filled per request; `None` for a template without holes.
    holes: Option<Box<Holes>>,
}

impl Template {
    fn holes_mut(&mut self) -> &mut Holes {
        self.holes.get_or_insert_with(Box::default)
    }

    /// `method` to `path_or_url` (joined to `base` when target-relative).
    pub fn new(base: &Base, method: &str, path_or_url: &str) -> Result<Self, TemplateError> {
        let method = Method::from_bytes(method.as_bytes())
            .map_err(|_| TemplateError::Method(method.to_string()))?;
        let full = base.join(path_or_url);
        let (dest, holes) = match holes::parse("the url", &full)? {
            None => (dest_of(&full)?, None),
            Some(url) => {
                let dest = holes::check_url(&url)?;
                (
                    dest,
                    Some(Box::new(Holes {
                        url: Some(url),
                        ..Holes::default()
                    })),
                )
            }
        };
        Ok(Template {
            method,
            dest,
            headers: HeaderMap::new(),
            body: None,
            bearer: false,
            holes,
        })
    }

    /// Appends a header (a name given twice is sent twice).
    pub fn header(mut self, name: &str, value: &str) -> Result<Self, TemplateError> {
        let n = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| TemplateError::HeaderName(name.to_string()))?;
        if let Some(t) = holes::parse(&format!("header {name:?}"), value)? {
            self.holes_mut().headers.push((n, t));
            return Ok(self);
        }
        let v = HeaderValue::from_str(value)
            .map_err(|_| TemplateError::HeaderValue(name.to_string()))?;
        self.headers.append(n, v);
        Ok(self)
    }

    /// `Content-Type`, a known-good value.
    pub fn content_type(mut self, value: &'static str) -> Self {
        self.headers
            .append(CONTENT_TYPE, HeaderValue::from_static(value));
        self
    }

    /// Each request carries `Authorization: Bearer <Fill::bearer>`, at this place among the
    /// headers (replacing any `authorization` header given before).
    pub fn with_bearer(mut self) -> Self {
        self.headers
            .insert(AUTHORIZATION, HeaderValue::from_static("Bearer"));
        self.bearer = true;
        self
    }

    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = Some(body.into());
        self
    }

    /// A body from text that may hold `{{holes}}`, filled per request.
    pub fn body_text(mut self, body: &str) -> Result<Self, TemplateError> {
        match holes::parse("the body", body)? {
            Some(t) => self.holes_mut().body = Some(t),
            None => self.body = Some(Bytes::from(body.to_string())),
        }
        Ok(self)
    }

    /// A body of `t`'s pieces, its values put in with `encoding` (a token request whose
    /// audience or scope has holes).
    pub fn body_template(mut self, t: crate::data::Template, encoding: holes::Encoding) -> Self {
        let h = self.holes_mut();
        h.body = Some(t);
        h.body_encoding = encoding;
        self
    }

    /// True when some part is filled per request.
    pub fn has_holes(&self) -> bool {
        self.holes.as_ref().is_some_and(|h| !h.is_empty())
    }

    /// The names of the holes, each once.
    pub fn hole_names(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        if let Some(h) = &self.holes {
            let parts = h
                .url
                .iter()
                .chain(h.headers.iter().map(|(_, t)| t))
                .chain(h.body.iter());
            for t in parts {
                for n in t.holes() {
                    if !out.iter().any(|o| o == n) {
                        out.push(n.to_string());
                    }
                }
            }
        }
        out
    }

    /// Ends the build: `Accept: */*` unless given (reqwest's default, so both HTTP paths send
    /// the same headers); on the direct path then `Host` unless given, as hyper-util's and
    /// reqwest's clients add it (the port only when not 80).
    pub fn done(mut self) -> Self {
        self.headers
            .entry(ACCEPT)
            .or_insert(HeaderValue::from_static("*/*"));
        if let Dest::Direct(uri) = &self.dest
            && let Some(host) = uri.host()
        {
            let value = match uri.port_u16() {
                Some(80) | None => host.to_string(),
                Some(port) => format!("{host}:{port}"),
            };
            if let Ok(v) = HeaderValue::from_str(&value) {
                self.headers.entry(HOST).or_insert(v);
            }
        }
        self
    }

    pub fn method(&self) -> &Method {
        &self.method
    }

    pub fn dest(&self) -> &Dest {
        &self.dest
    }

    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The request to send: the prebuilt parts cloned, the bearer set. `None` when the bearer
    /// token is not a valid header value (a token from the server with control characters):
    /// that request is a transport error, never sent.
    pub fn prepare(&self, fill: Fill<'_>) -> Option<Prepared> {
        let mut headers = self.headers.clone();
        if self.bearer {
            match fill.bearer {
                Some(token) => {
                    let mut v = HeaderValue::try_from(format!("Bearer {}", token.expose())).ok()?;
                    v.set_sensitive(true);
                    headers.insert(AUTHORIZATION, v);
                }
                None => {
                    headers.remove(AUTHORIZATION);
                }
            }
        }
        let (mut dest, mut body) = (None, None);
        if let Some(h) = &self.holes {
            // A request whose holes cannot be filled is not sent (a transport error).
            let values = fill.values?;
            dest = h.dest(values)?;
            body = h.body(values)?;
            for (n, v) in h.headers(values)? {
                headers.append(n, v);
            }
        }
        Some(Prepared {
            method: self.method.clone(),
            dest: dest.unwrap_or_else(|| self.dest.clone()),
            headers,
            body: body.or_else(|| self.body.clone()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Base {
        Base::new("http://127.0.0.1:4000/")
    }

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

    #[test]
    fn destinations_by_scheme_and_host() {
        let t = Template::new(&base(), "GET", "/api/v2/users").unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(t.dest(), Dest::Direct(u) if u == "http://127.0.0.1:4000/api/v2/users"));
        let t = Template::new(&base(), "GET", "https://example.eu.auth0.com/x")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(
            matches!(t.dest(), Dest::Reqwest(u) if u.as_str() == "https://example.eu.auth0.com/x")
        );
        assert_eq!(base().join("x"), "http://127.0.0.1:4000/x");
    }

    /// What cannot be built is refused when the template is made, naming the part (never a
    /// header's value).
    #[test]
    fn bad_parts_are_refused_at_build() {
        let b = base();
        assert_eq!(
            Template::new(&b, "GE T", "/x").err(),
            Some(TemplateError::Method("GE T".into()))
        );
        assert!(matches!(
            Template::new(&b, "GET", "http://127.0.0.1:4000/a b").err(),
            Some(TemplateError::Url { url, .. }) if url == "http://127.0.0.1:4000/a b"
        ));
        assert!(matches!(
            Template::new(&b, "GET", "https://exa mple.com/").err(),
            Some(TemplateError::Url { .. })
        ));
        let ok = || Template::new(&b, "GET", "/x").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            ok().header("x bad", "v").err(),
            Some(TemplateError::HeaderName("x bad".into()))
        );
        let err = ok().header("x-key", "secret\nvalue").err();
        assert_eq!(err, Some(TemplateError::HeaderValue("x-key".into())));
        assert!(
            !err.map(|e| e.to_string())
                .unwrap_or_default()
                .contains("secret")
        );
    }

    /// Headers go out in the order today's requests had: given ones, the bearer at its place,
    /// then `accept: */*` unless given; the bearer is sensitive and set per request.
    #[test]
    fn prepare_fills_the_bearer_in_place() {
        let t = Template::new(&base(), "POST", "/x")
            .and_then(|t| t.header("x-a", "1"))
            .map(Template::with_bearer)
            .map(|t| t.content_type("application/json").body("{}").done())
            .unwrap_or_else(|e| panic!("{e}"));
        let token = Secret::new("tok");
        let p = t
            .prepare(Fill {
                bearer: Some(&token),
                ..Fill::default()
            })
            .unwrap_or_else(|| panic!("prepared"));
        let names: Vec<&str> = p.headers.keys().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            ["x-a", "authorization", "content-type", "accept", "host"]
        );
        assert_eq!(
            p.headers.get(HOST).map(|v| v.as_bytes()),
            Some(&b"127.0.0.1:4000"[..])
        );
        let auth = p
            .headers
            .get(AUTHORIZATION)
            .unwrap_or_else(|| panic!("auth"));
        assert_eq!(auth, "Bearer tok");
        assert!(auth.is_sensitive());
        assert_eq!(
            p.headers.get(ACCEPT).map(|v| v.as_bytes()),
            Some(&b"*/*"[..])
        );
        assert_eq!(p.body.as_deref(), Some(&b"{}"[..]));
        assert_eq!(p.method, Method::POST);
        // A given accept header stays; a token that is no header value is not sent.
        let t = Template::new(&base(), "GET", "/x")
            .and_then(|t| t.header("Accept", "application/json"))
            .map(|t| t.with_bearer().done())
            .unwrap_or_else(|e| panic!("{e}"));
        let bad = Secret::new("a\nb");
        assert!(
            t.prepare(Fill {
                bearer: Some(&bad),
                ..Fill::default()
            })
            .is_none()
        );
        let p = t.prepare(Fill {
            bearer: Some(&token),
            ..Fill::default()
        });
        let accept = p.as_ref().and_then(|p| p.headers.get(ACCEPT));
        assert_eq!(accept.map(|v| v.as_bytes()), Some(&b"application/json"[..]));
    }
}
