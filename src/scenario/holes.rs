//! Which parts of an operation may hold `{{name}}` holes, named by their scenario key: the
//! scenario check (resolve/data.rs), `validate`'s sample requests and the engine all walk the
//! same list.

use super::plan::{OperationKind, OperationPlan};

/// One templated part of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field<'a> {
    /// The key under `operations[i]`: `path`, `url`, `body`, `audience`, `scope`, or
    /// `headers.NAME` as `["headers", NAME]`.
    pub key: Vec<&'a str>,
    pub text: &'a str,
}

impl OperationPlan {
    /// The parts of this operation that may hold holes, in the order a request is built.
    pub fn templated(&self) -> Vec<Field<'_>> {
        fn one<'t>(key: &'static str, text: &'t str) -> Field<'t> {
            Field {
                key: vec![key],
                text,
            }
        }
        let mut out = Vec::new();
        match &self.kind {
            OperationKind::Token {
                audience,
                scope,
                headers,
                ..
            } => {
                out.extend(audience.as_deref().map(|a| one("audience", a)));
                out.extend(scope.as_deref().map(|s| one("scope", s)));
                for (k, v) in headers {
                    out.push(Field {
                        key: vec!["headers", k.as_str()],
                        text: v,
                    });
                }
            }
            OperationKind::Management {
                path,
                headers,
                body,
                ..
            } => {
                out.push(one("path", path));
                for (k, v) in headers {
                    out.push(Field {
                        key: vec!["headers", k.as_str()],
                        text: v,
                    });
                }
                out.extend(body.as_deref().map(|b| one("body", b)));
            }
            OperationKind::Http {
                url,
                headers,
                body,
                bearer,
                ..
            } => {
                out.push(one("url", url));
                for (k, v) in headers {
                    out.push(Field {
                        key: vec!["headers", k.as_str()],
                        text: v,
                    });
                }
                out.extend(body.as_deref().map(|b| one("body", b)));
                if let Some(b) = bearer {
                    out.extend(b.audience.as_deref().map(|a| one("audience", a)));
                    out.extend(b.scope.as_deref().map(|s| one("scope", s)));
                }
            }
        }
        out
    }
}
