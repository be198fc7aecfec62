//! Route patterns "METHOD /api/v2/users/{id}": parsing and matching a request against them.
//!
//! Used by tier profiles to place a Management API call in an endpoint group. `{name}` matches
//! exactly one non-empty path segment; everything else matches literally.

/// A parsed "METHOD /path" pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern<'a> {
    method: &'a str,
    segments: Vec<&'a str>,
}

impl<'a> Pattern<'a> {
    /// Parse "GET /api/v2/users/{id}"; the message says what is wrong.
    pub fn parse(text: &'a str) -> Result<Self, String> {
        let (method, path) = text
            .trim()
            .split_once(' ')
            .ok_or_else(|| format!("route {text:?} must be \"METHOD /path\""))?;
        if method.is_empty() || !method.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(format!(
                "route {text:?}: method must be upper case, e.g. GET"
            ));
        }
        let path = path.trim();
        if !path.starts_with('/') {
            return Err(format!("route {text:?}: path must start with /"));
        }
        Ok(Pattern {
            method,
            segments: path.trim_end_matches('/').split('/').collect(),
        })
    }

    /// Whether a request's method and path (no query) match.
    pub fn matches(&self, method: &str, path: &str) -> bool {
        if !self.method.eq_ignore_ascii_case(method) {
            return false;
        }
        let mut segs = path.trim_end_matches('/').split('/');
        for want in &self.segments {
            match segs.next() {
                Some(got) if want.starts_with('{') && want.ends_with('}') => {
                    if got.is_empty() {
                        return false;
                    }
                }
                Some(got) if got == *want => {}
                _ => return false,
            }
        }
        segs.next().is_none()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn matching_table() {
        let cases = [
            ("GET /api/v2/users", "GET", "/api/v2/users", true),
            ("GET /api/v2/users", "get", "/api/v2/users/", true),
            ("GET /api/v2/users", "POST", "/api/v2/users", false),
            ("GET /api/v2/users", "GET", "/api/v2/users/x", false),
            (
                "GET /api/v2/users/{id}",
                "GET",
                "/api/v2/users/auth0|1",
                true,
            ),
            ("GET /api/v2/users/{id}", "GET", "/api/v2/users/", false),
            ("GET /api/v2/users/{id}", "GET", "/api/v2/users/a/b", false),
            (
                "POST /api/v2/clients/{id}/rotate-secret",
                "POST",
                "/api/v2/clients/c/rotate-secret",
                true,
            ),
        ];
        for (pattern, method, path, want) in cases {
            let p = Pattern::parse(pattern).unwrap();
            assert_eq!(
                p.matches(method, path),
                want,
                "{pattern} vs {method} {path}"
            );
        }
        assert!(Pattern::parse("/api/v2/users").is_err());
        assert!(Pattern::parse("GET api").is_err());
    }
}
