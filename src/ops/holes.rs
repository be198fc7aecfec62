//! The parts of a request template that hold `{{name}}` holes, filled per request from the
//! request's [`Values`]: the URL (each value percent-encoded, so an id like `auth0|123` goes
//! out as `auth0%7C123`), header values and the body (values as they are). Built once with the
//! template; a part without holes stays prebuilt in [`super::Template`] and costs nothing here.

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use super::dest::{Dest, TemplateError, dest_of};
use crate::data::{self, Values};

/// Kept as they are in a URL: RFC 3986's unreserved characters.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// How a value goes into the text around its hole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// As it is (header values, bodies the scenario wrote).
    #[default]
    Raw,
    /// Percent-encoded, RFC 3986 unreserved kept (URLs).
    Url,
    /// `application/x-www-form-urlencoded` (a token request's form body).
    Form,
    /// Inside a JSON string: escaped, no quotes added (a token request's JSON body).
    Json,
}

impl Encoding {
    /// `value` encoded into `out`.
    pub fn push(self, out: &mut String, value: &str) {
        match self {
            Encoding::Raw => out.push_str(value),
            Encoding::Url => out.extend(utf8_percent_encode(value, UNRESERVED)),
            Encoding::Form => out.extend(form_urlencoded::byte_serialize(value.as_bytes())),
            Encoding::Json => {
                let quoted = serde_json::Value::from(value).to_string();
                out.push_str(&quoted[1..quoted.len() - 1]);
            }
        }
    }
}

/// The holed parts of one template. No `Debug`: a token request's body holds its client secret.
#[derive(Clone, Default)]
pub struct Holes {
    /// The full URL (base joined), when it has holes.
    pub url: Option<data::Template>,
    /// Header values with holes, sent after the template's fixed headers.
    pub headers: Vec<(HeaderName, data::Template)>,
    pub body: Option<data::Template>,
    /// How values go into the body.
    pub body_encoding: Encoding,
}

/// Text with holes, or `None` when it has none; a hole that does not parse is refused (the
/// scenario check already refused it, so this names only what slipped past it).
pub fn parse(what: &str, text: &str) -> Result<Option<data::Template>, TemplateError> {
    let t = data::Template::parse(text).map_err(|e| TemplateError::Hole {
        what: what.to_string(),
        why: e.to_string(),
    })?;
    Ok((!t.is_literal()).then_some(t))
}

fn fill(t: &data::Template, values: &Values, encoding: Encoding) -> Option<String> {
    let mut out = String::new();
    for piece in t.pieces() {
        match piece {
            data::Piece::Lit(s) => out.push_str(s),
            data::Piece::Hole(h) => encoding.push(&mut out, values.get(h)?),
        }
    }
    Some(out)
}

/// `t` filled as a URL part: each value percent-encoded (what is sent for `path` and `url`).
pub fn fill_url(t: &data::Template, values: &Values) -> Option<String> {
    fill(t, values, Encoding::Url)
}

/// Checks a holed URL at build time: every hole filled with two different samples must give a
/// valid URL with the same scheme and host (holes go in the path and query only).
pub fn check_url(url: &data::Template) -> Result<Dest, TemplateError> {
    let sample = |v: &str| {
        let pairs: Vec<(String, String)> = url
            .holes()
            .into_iter()
            .map(|h| (h.to_string(), v.to_string()))
            .collect();
        let values = Values::from_pairs(pairs);
        let text = fill(url, &values, Encoding::Url).unwrap_or_default();
        dest_of(&text)
    };
    let (a, b) = (sample("a")?, sample("b")?);
    if a.authority() != b.authority() {
        return Err(TemplateError::Url {
            url: url.to_string(),
            why: "a {{hole}} may fill the path and query only, not the scheme or host".into(),
        });
    }
    Ok(a)
}

impl Holes {
    pub fn is_empty(&self) -> bool {
        self.url.is_none() && self.headers.is_empty() && self.body.is_none()
    }

    /// The filled URL, `None` when a value is missing or the URL does not parse.
    pub fn dest(&self, values: &Values) -> Option<Option<Dest>> {
        let Some(url) = &self.url else {
            return Some(None);
        };
        let text = fill(url, values, Encoding::Url)?;
        dest_of(&text).ok().map(Some)
    }

    /// The filled header values, `None` when one is missing or not a header value.
    pub fn headers(&self, values: &Values) -> Option<Vec<(HeaderName, HeaderValue)>> {
        self.headers
            .iter()
            .map(|(n, t)| {
                let v = fill(t, values, Encoding::Raw)?;
                Some((n.clone(), HeaderValue::try_from(v).ok()?))
            })
            .collect()
    }

    /// The filled body, if the body has holes; `None` when a value is missing.
    pub fn body(&self, values: &Values) -> Option<Option<Bytes>> {
        match &self.body {
            None => Some(None),
            Some(t) => fill(t, values, self.body_encoding).map(|b| Some(Bytes::from(b))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_encoded_and_headers_and_bodies_are_not() {
        let values = Values::from_pairs(vec![
            ("u.id".into(), "auth0|7 x".into()),
            ("n".into(), "1".into()),
        ]);
        let url = parse("url", "http://127.0.0.1:4000/api/v2/users/{{u.id}}?n={{n}}")
            .ok()
            .flatten()
            .unwrap_or_default();
        assert!(check_url(&url).is_ok());
        let h = Holes {
            url: Some(url),
            headers: vec![(
                HeaderName::from_static("x-user"),
                parse("h", "{{u.id}}").ok().flatten().unwrap_or_default(),
            )],
            body: parse("body", r#"{"id":"{{u.id}}"}"#).ok().flatten(),
            body_encoding: Encoding::Raw,
        };
        let dest = h.dest(&values).flatten().map(|d| d.as_str());
        assert_eq!(
            dest.as_deref(),
            Some("http://127.0.0.1:4000/api/v2/users/auth0%7C7%20x?n=1")
        );
        let headers = h.headers(&values).unwrap_or_default();
        assert_eq!(headers[0].1, "auth0|7 x");
        let body = h.body(&values).flatten().unwrap_or_default();
        assert_eq!(&body[..], br#"{"id":"auth0|7 x"}"#);
        assert!(
            h.dest(&Values::default()).is_none(),
            "a missing value is no request"
        );
        let newline = Values::from_pairs(vec![
            ("u.id".into(), "a\nb".into()),
            ("n".into(), "1".into()),
        ]);
        assert!(h.headers(&newline).is_none(), "not a header value");
    }

    #[test]
    fn holes_in_the_host_are_refused() {
        let url = parse("url", "http://{{host}}/x")
            .ok()
            .flatten()
            .unwrap_or_default();
        assert!(matches!(check_url(&url), Err(TemplateError::Url { .. })));
        assert!(parse("url", "/x").ok().flatten().is_none());
        assert!(matches!(
            parse("url", "/x/{{y"),
            Err(TemplateError::Hole { .. })
        ));
    }

    #[test]
    fn values_are_encoded_for_their_place() {
        let put = |e: Encoding, v: &str| {
            let mut s = String::new();
            e.push(&mut s, v);
            s
        };
        let v = "a b&c=\"d\"/é";
        assert_eq!(put(Encoding::Raw, v), v);
        assert_eq!(put(Encoding::Url, v), "a%20b%26c%3D%22d%22%2F%C3%A9");
        assert_eq!(put(Encoding::Form, v), "a+b%26c%3D%22d%22%2F%C3%A9");
        assert_eq!(put(Encoding::Json, v), "a b&c=\\\"d\\\"/é");
    }
}
