//! `POST /oauth/token` with client credentials, form or JSON, and the reading of its answer
//! (`access_token`, `expires_in`). The token is wrapped in a [`Secret`] at once.

use std::time::Duration;

use super::holes::{self, Encoding};
use super::reply::Reply;
use super::template::{Base, Fill, Template, TemplateError};
use super::transport::{self, Transport};
use crate::data::{self, Piece, Values};
use crate::metrics::{Outcome, TransportKind};
use crate::scenario::{Secret, TokenFormat};

/// One client-credentials request.
pub struct TokenRequest<'a> {
    pub client_id: &'a str,
    pub client_secret: &'a Secret,
    pub audience: &'a str,
    pub scope: Option<&'a str>,
    pub format: TokenFormat,
}

/// A token the endpoint issued.
#[derive(Debug, Clone)]
pub struct Issued {
    pub token: Secret,
    pub expires_in: Duration,
}

/// Tokens without `expires_in` are assumed to live this long (Auth0's default).
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(86_400);

fn body(req: &TokenRequest<'_>) -> (String, &'static str) {
    match req.format {
        TokenFormat::Form => {
            let mut s = form_urlencoded::Serializer::new(String::new());
            s.append_pair("grant_type", "client_credentials")
                .append_pair("client_id", req.client_id)
                .append_pair("client_secret", req.client_secret.expose())
                .append_pair("audience", req.audience);
            if let Some(scope) = req.scope {
                s.append_pair("scope", scope);
            }
            (s.finish(), "application/x-www-form-urlencoded")
        }
        TokenFormat::Json => {
            let mut v = serde_json::json!({
                "grant_type": "client_credentials",
                "client_id": req.client_id,
                "client_secret": req.client_secret.expose(),
                "audience": req.audience,
            });
            if let (Some(scope), Some(obj)) = (req.scope, v.as_object_mut()) {
                obj.insert("scope".into(), scope.into());
            }
            (v.to_string(), "application/json")
        }
    }
}

/// Reads `access_token` and `expires_in` from a 2xx body.
pub fn parse_issued(body: &[u8]) -> Option<Issued> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let token = v.get("access_token")?.as_str()?;
    let expires_in = v
        .get("expires_in")
        .and_then(serde_json::Value::as_u64)
        .map_or(DEFAULT_LIFETIME, Duration::from_secs);
    Some(Issued {
        token: Secret::new(token),
        expires_in,
    })
}

/// The request's template (`POST /oauth/token`, the credentials in the body), built once per
/// operation or cache key.
pub fn template(base: &Base, req: &TokenRequest<'_>) -> Result<Template, TemplateError> {
    template_with(base, req, &[])
}

/// Stand-ins for an audience and a scope with holes while the body is encoded: letters only,
/// so form and JSON encoding leave them as they are.
const AUDIENCE_MARK: &str = "QPAUDIENCEHOLESX";
const SCOPE_MARK: &str = "QPSCOPEHOLESX";

/// [`template`] with extra `headers` (a token operation's); an audience or scope with
/// `{{holes}}` makes a body filled per request, each value form- or JSON-encoded as the body is.
pub fn template_with(
    base: &Base,
    req: &TokenRequest<'_>,
    headers: &[(String, String)],
) -> Result<Template, TemplateError> {
    let audience = holes::parse("the audience", req.audience)?;
    let scope = match req.scope {
        Some(s) => holes::parse("the scope", s)?,
        None => None,
    };
    let mut t = Template::new(base, "POST", "/oauth/token")?;
    if audience.is_none() && scope.is_none() {
        let (text, content_type) = body(req);
        t = t.content_type(content_type).body(text);
    } else {
        let marked = TokenRequest {
            audience: if audience.is_some() {
                AUDIENCE_MARK
            } else {
                req.audience
            },
            scope: if scope.is_some() {
                Some(SCOPE_MARK)
            } else {
                req.scope
            },
            ..*req
        };
        let (text, content_type) = body(&marked);
        let encoding = match req.format {
            TokenFormat::Form => Encoding::Form,
            TokenFormat::Json => Encoding::Json,
        };
        let pieces = splice(
            &text,
            &[(AUDIENCE_MARK, audience), (SCOPE_MARK, scope)],
            encoding,
        );
        t = t
            .content_type(content_type)
            .body_template(data::Template::from_pieces(pieces), encoding);
    }
    for (k, v) in headers {
        t = t.header(k, v)?;
    }
    Ok(t.done())
}

/// `text` with each mark replaced by its template's pieces, their literal runs encoded.
fn splice(text: &str, marks: &[(&str, Option<data::Template>)], encoding: Encoding) -> Vec<Piece> {
    let mut pieces = vec![Piece::Lit(text.to_string())];
    for (mark, t) in marks {
        let Some(t) = t else { continue };
        let mut out = Vec::new();
        for p in pieces {
            let Piece::Lit(s) = p else {
                out.push(p);
                continue;
            };
            let mut parts = s.split(mark);
            if let Some(first) = parts.next() {
                out.push(Piece::Lit(first.to_string()));
            }
            for rest in parts {
                for tp in t.pieces() {
                    out.push(match tp {
                        Piece::Lit(l) => {
                            let mut e = String::new();
                            encoding.push(&mut e, l);
                            Piece::Lit(e)
                        }
                        Piece::Hole(h) => Piece::Hole(h.clone()),
                    });
                }
                out.push(Piece::Lit(rest.to_string()));
            }
        }
        pieces = out;
    }
    pieces
}

/// A rate-limited token request as Auth0 has been seen to answer it instead of a 429: 500
/// `{"error":"access_denied","error_description":"Global limit has been reached"}` (the
/// simulator's `auth_limit_answer = "access_denied_500"`). It counts as the 429 it is.
fn global_limit(body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    v.get("error").and_then(|e| e.as_str()) == Some("access_denied")
        && v.get("error_description").and_then(|e| e.as_str())
            == Some("Global limit has been reached")
}

/// A token request refused because the tenant's monthly M2M quota is used up: a 429 or 403
/// whose `error_description` speaks of a quota that is not a client's own (`Client quota
/// exceeded` is the per-client hourly/daily quota). The simulator answers 429
/// `too_many_requests` "Quota exceeded: monthly machine-to-machine token quota reached"
/// (`sim::routes::token::QUOTA_EXCEEDED`); Auth0's own wording is not documented, so any
/// "quota" in the description counts.
fn monthly_quota_refusal(status: Outcome, body: &[u8]) -> bool {
    if !matches!(status, Outcome::Http(429 | 403)) {
        return false;
    }
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    let description = v
        .get("error_description")
        .and_then(|e| e.as_str())
        .unwrap_or_default()
        .to_ascii_lowercase();
    description.contains("quota") && !description.contains("client quota")
}

/// Sends the request. A 2xx whose body holds no token is a `body` error; a 500 that says the
/// global limit was reached is a 429; a refusal by the monthly quota sets
/// [`Reply::quota_refused`].
/// `values` fill the holes of a token operation's audience, scope and headers.
pub async fn fetch<T: Transport>(
    transport: &T,
    template: &Template,
    values: Option<&Values>,
) -> (Reply, Option<Issued>) {
    let fill = Fill {
        bearer: None,
        values,
    };
    let mut reply = transport::send(transport, template, fill, true).await;
    if reply.outcome == Outcome::Http(500) && reply.body.as_deref().is_some_and(global_limit) {
        reply.outcome = Outcome::Http(429);
    }
    reply.quota_refused = reply
        .body
        .as_deref()
        .is_some_and(|b| monthly_quota_refusal(reply.outcome, b));
    let issued = if reply.outcome.is_ok() {
        let issued = reply.body.as_deref().and_then(parse_issued);
        if issued.is_none() {
            reply.outcome = Outcome::Transport(TransportKind::Body);
        }
        issued
    } else {
        None
    };
    reply.body = None;
    (reply, issued)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_monthly_quota_refusal_is_told_from_rate_limits_and_client_quotas() {
        let body =
            |d: &str| format!(r#"{{"error":"too_many_requests","error_description":"{d}"}}"#);
        let quota = body("Quota exceeded: monthly machine-to-machine token quota reached");
        assert!(monthly_quota_refusal(Outcome::Http(429), quota.as_bytes()));
        assert!(monthly_quota_refusal(Outcome::Http(403), quota.as_bytes()));
        assert!(!monthly_quota_refusal(Outcome::Http(500), quota.as_bytes()));
        for other in ["Global limit has been reached", "Client quota exceeded"] {
            assert!(!monthly_quota_refusal(
                Outcome::Http(429),
                body(other).as_bytes()
            ));
        }
        assert!(!monthly_quota_refusal(Outcome::Http(429), b"not json"));
    }

    #[test]
    fn bodies_carry_credentials_and_parse_back() {
        let secret = Secret::new("s3cr&t");
        let mut req = TokenRequest {
            client_id: "abc",
            client_secret: &secret,
            audience: "https://api/",
            scope: Some("read:users"),
            format: TokenFormat::Form,
        };
        let (form, ct) = body(&req);
        assert_eq!(ct, "application/x-www-form-urlencoded");
        assert!(form.contains("client_secret=s3cr%26t") && form.contains("scope=read%3Ausers"));
        req.format = TokenFormat::Json;
        let (json, _) = body(&req);
        let v: serde_json::Value = serde_json::from_str(&json).unwrap_or_default();
        assert_eq!(v["audience"], "https://api/");
        assert_eq!(v["grant_type"], "client_credentials");

        let issued = parse_issued(br#"{"access_token":"t","expires_in":60}"#);
        assert_eq!(issued.map(|i| i.expires_in), Some(Duration::from_secs(60)));
        assert!(parse_issued(b"{}").is_none());
        assert!(parse_issued(b"not json").is_none());
    }

    #[test]
    fn a_500_global_limit_is_a_rate_limit_and_other_500s_are_not() {
        let limited =
            br#"{"error":"access_denied","error_description":"Global limit has been reached"}"#;
        assert!(global_limit(limited));
        for other in [
            &br#"{"error":"access_denied","error_description":"Unauthorized"}"#[..],
            br#"{"error":"server_error","error_description":"Global limit has been reached"}"#,
            b"Global limit has been reached",
            b"",
        ] {
            assert!(!global_limit(other), "{}", String::from_utf8_lossy(other));
        }
    }

    /// Malformed token bodies: a body without a token is a `body` error (the API call that
    /// needed it becomes `token_body`); a token without `expires_in` is trusted for Auth0's
    /// default lifetime, and a 401 later makes the cache drop it (tests/engine/faults_run.rs).
    #[test]
    fn malformed_token_bodies() {
        for (body, want) in [
            (&b"<html>upstream error</html>"[..], None),
            (br#"{"access_token":"abc","expires_in":86"#, None),
            (br#"{"access_tok"#, None),
            (b"", None),
            (br#"{"access_token":7,"expires_in":60}"#, None),
            (br#"{"access_token":"abc"}"#, Some(DEFAULT_LIFETIME)),
            (
                br#"{"access_token":"abc","expires_in":"soon"}"#,
                Some(DEFAULT_LIFETIME),
            ),
            (
                br#"{"access_token":"abc","expires_in":-5}"#,
                Some(DEFAULT_LIFETIME),
            ),
        ] {
            assert_eq!(
                parse_issued(body).map(|i| i.expires_in),
                want,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
