//! A Management API call (`/api/v2/...`) with a Management-audience bearer token.

use super::template::{Base, Template, TemplateError};

/// The call's template: the bearer filled per request, a JSON body when given.
pub fn template(
    base: &Base,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> Result<Template, TemplateError> {
    let mut t = Template::new(base, method, path)?.with_bearer();
    if let Some(body) = body {
        t = t.content_type("application/json").body_text(body)?;
    }
    Ok(t.done())
}
