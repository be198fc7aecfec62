//! A Management API call (`/api/v2/...`) with a Management-audience bearer token.

use super::template::{Base, Template, TemplateError};

/// The call's template: the bearer filled per request, a JSON body when given.
pub fn template(
    base: &Base,
    method: &str,
    path: &str,
    headers: &[(String, String)],
    body: Option<&str>,
) -> Result<Template, TemplateError> {
    let mut t = Template::new(base, method, path)?;
    for (k, v) in headers {
        t = t.header(k, v)?;
    }
    let mut t = t.with_bearer();
    if let Some(body) = body {
        t = t.content_type("application/json").body_text(body)?;
    }
    Ok(t.done())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Values;
    use crate::ops::Fill;
    use crate::scenario::Secret;

    /// Given headers go out with the call (holes filled), the bearer stays the tool's.
    #[test]
    fn headers_and_the_bearer() {
        let base = Base::new("http://127.0.0.1:4000");
        let headers = vec![
            ("x-request-source".to_string(), "nightly".to_string()),
            ("x-batch".to_string(), "{{n}}".to_string()),
        ];
        let t = template(&base, "PATCH", "/api/v2/users/x", &headers, Some("{}"))
            .unwrap_or_else(|e| panic!("{e}"));
        let token = Secret::new("tok");
        let values = Values::from_pairs(vec![("n".into(), "7".into())]);
        let p = t
            .prepare(Fill {
                bearer: Some(&token),
                values: Some(&values),
            })
            .unwrap_or_else(|| panic!("prepared"));
        let get = |n: &str| {
            p.headers
                .get(n)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        assert_eq!(get("x-request-source").as_deref(), Some("nightly"));
        assert_eq!(get("x-batch").as_deref(), Some("7"));
        assert_eq!(get("authorization").as_deref(), Some("Bearer tok"));
        assert_eq!(get("content-type").as_deref(), Some("application/json"));
    }
}
