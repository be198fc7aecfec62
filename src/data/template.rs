//! Text with `{{name}}` holes (a path, a URL, a body, a header value, an audience), parsed once
//! when the scenario is loaded and filled per request. A hole's name is a generator or capture
//! (`{{seq}}`, `{{user_id}}`) or a data file's column (`{{users.user_id}}`); which names exist is
//! the scenario's business, checked by [`Template::holes`] before anything is sent. `{{{{` is a
//! literal `{{`.

use std::fmt;

/// One part of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Lit(String),
    /// A hole, by name (`users.user_id`).
    Hole(String),
}

/// Parsed text: literal runs and holes, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    pieces: Vec<Piece>,
}

/// Why a template does not parse; `offset` is the byte offset in the text of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct TemplateError {
    pub offset: usize,
    pub message: String,
}

fn valid_name(name: &str) -> bool {
    let mut parts = name.split('.');
    let ok = |p: &str| {
        let mut chars = p.chars();
        chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    };
    parts.all(ok) && name.split('.').count() <= 2
}

impl Template {
    /// Parses `text`. A `{{` without its `}}`, an empty hole or a name that is not
    /// `word` or `source.column` (letters, digits, `_`, `-`; starting with a letter or `_`) is an
    /// error at its offset.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let mut rest = text;
        let mut at = 0;
        while let Some(i) = rest.find("{{") {
            if rest[i..].starts_with("{{{{") {
                lit.push_str(&rest[..i + 2]);
                rest = &rest[i + 4..];
                at += i + 4;
                continue;
            }
            lit.push_str(&rest[..i]);
            let open = at + i;
            let after = &rest[i + 2..];
            let Some(end) = after.find("}}") else {
                return Err(TemplateError {
                    offset: open,
                    message: "`{{` has no closing `}}` (write `{{{{` for a literal `{{`)".into(),
                });
            };
            let name = after[..end].trim();
            if !valid_name(name) {
                return Err(TemplateError {
                    offset: open,
                    message: format!(
                        "`{{{{{}}}}}` is not a hole name: use a name (`{{{{user_id}}}}`) or a data file's column (`{{{{users.user_id}}}}`)",
                        &after[..end]
                    ),
                });
            }
            if !lit.is_empty() {
                pieces.push(Piece::Lit(std::mem::take(&mut lit)));
            }
            pieces.push(Piece::Hole(name.to_string()));
            rest = &after[end + 2..];
            at = open + 2 + end + 2;
        }
        lit.push_str(rest);
        if !lit.is_empty() {
            pieces.push(Piece::Lit(lit));
        }
        Ok(Template { pieces })
    }

    /// A template made of `pieces` (adjacent literals are kept apart; filling joins them).
    pub fn from_pieces(pieces: Vec<Piece>) -> Self {
        Template { pieces }
    }

    /// A template of fixed text (no holes).
    pub fn literal(text: impl Into<String>) -> Self {
        let text = text.into();
        Template {
            pieces: if text.is_empty() {
                Vec::new()
            } else {
                vec![Piece::Lit(text)]
            },
        }
    }

    pub fn pieces(&self) -> &[Piece] {
        &self.pieces
    }

    /// True when there is nothing to fill: the text is the same for every request.
    pub fn is_literal(&self) -> bool {
        self.pieces.iter().all(|p| matches!(p, Piece::Lit(_)))
    }

    /// The holes' names, in order, each once.
    pub fn holes(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for p in &self.pieces {
            if let Piece::Hole(n) = p
                && !out.contains(&n.as_str())
            {
                out.push(n);
            }
        }
        out
    }

    /// The text with every hole replaced by `value(name)`; `None` for a hole leaves the request
    /// unfillable, returned as `Err(name)` (a scenario check makes it unreachable).
    pub fn fill<'v>(
        &self,
        mut value: impl FnMut(&str) -> Option<&'v str>,
        out: &mut String,
    ) -> Result<(), &str> {
        for p in &self.pieces {
            match p {
                Piece::Lit(s) => out.push_str(s),
                Piece::Hole(n) => out.push_str(value(n).ok_or(n.as_str())?),
            }
        }
        Ok(())
    }
}

impl fmt::Display for Template {
    /// The template as written (holes as `{{name}}`, a literal `{{` doubled).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for p in &self.pieces {
            match p {
                Piece::Lit(s) => f.write_str(&s.replace("{{", "{{{{"))?,
                Piece::Hole(n) => write!(f, "{{{{{n}}}}}")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(t: &Template, pairs: &[(&str, &str)]) -> Result<String, String> {
        let mut out = String::new();
        t.fill(
            |n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| *v),
            &mut out,
        )
        .map_err(str::to_string)?;
        Ok(out)
    }

    #[test]
    fn parses_holes_and_fills_them() {
        let t = Template::parse("/api/v2/users/{{ users.user_id }}?n={{seq}}&again={{seq}}")
            .unwrap_or_default();
        assert_eq!(t.holes(), ["users.user_id", "seq"]);
        assert!(!t.is_literal());
        assert_eq!(
            fill(&t, &[("users.user_id", "auth0|7"), ("seq", "3")]),
            Ok("/api/v2/users/auth0|7?n=3&again=3".into())
        );
        assert_eq!(fill(&t, &[("seq", "3")]), Err("users.user_id".into()));
        assert_eq!(
            t.to_string(),
            "/api/v2/users/{{users.user_id}}?n={{seq}}&again={{seq}}"
        );
    }

    #[test]
    fn literal_text_and_escapes() {
        for text in ["", "/api/v2/users", "{\"a\": {\"b\": 1}}", "}}"] {
            let t = Template::parse(text).unwrap_or_default();
            assert!(t.is_literal(), "{text}");
            assert_eq!(fill(&t, &[]), Ok(text.to_string()));
            assert_eq!(t, Template::literal(text));
        }
        let t = Template::parse("a{{{{b}}").unwrap_or_default();
        assert_eq!(fill(&t, &[]), Ok("a{{b}}".into()));
        assert_eq!(Template::parse(&t.to_string()), Ok(t));
    }

    #[test]
    fn bad_holes_are_errors_at_their_offset() {
        for (text, offset, says) in [
            ("/users/{{id", 7, "no closing"),
            ("x{{}}", 1, "not a hole name"),
            ("ab{{ 1x }}", 2, "not a hole name"),
            ("{{a.b.c}}", 0, "not a hole name"),
            ("{{a b}}", 0, "not a hole name"),
            ("ok {{a}} then {{", 14, "no closing"),
        ] {
            let e = Template::parse(text).err().unwrap_or(TemplateError {
                offset: usize::MAX,
                message: String::new(),
            });
            assert_eq!(e.offset, offset, "{text}: {e}");
            assert!(e.message.contains(says), "{text}: {e}");
        }
    }
}
