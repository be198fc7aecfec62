//! Any request to an absolute or target-relative URL, with headers, a body and an optional
//! bearer token (for custom APIs and other rate-limited services).

use super::template::{Base, Template, TemplateError};

/// The request's template; `bearer`: each request carries a bearer token, filled per request.
pub fn template(
    base: &Base,
    method: &str,
    url: &str,
    headers: &[(String, String)],
    body: Option<&str>,
    bearer: bool,
) -> Result<Template, TemplateError> {
    let mut t = Template::new(base, method, url)?;
    for (k, v) in headers {
        t = t.header(k, v)?;
    }
    if bearer {
        t = t.with_bearer();
    }
    if let Some(body) = body {
        t = t.body_text(body)?;
    }
    Ok(t.done())
}
