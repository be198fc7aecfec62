//! Finds where a key path sits in the scenario text, so errors found after parsing can still
//! name `line:column`. Falls back to the nearest ancestor that exists in the file.

use toml_edit::{Document, Item};

/// 1-based (line, column) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(offset, |nl| offset - nl - 1) + 1;
    (line, column)
}

/// (line, column) of the key path `path` (segments; array indices as numbers) in `text`.
pub fn locate(text: &str, path: &[String]) -> (usize, usize) {
    let Ok(doc) = Document::parse(text) else {
        return (1, 1);
    };
    let mut best = None;
    let mut item: Option<&Item> = Some(doc.as_item());
    for seg in path {
        let next = match (item, seg.parse::<usize>()) {
            (Some(it), Ok(i)) => it.get(i),
            (Some(it), Err(_)) => {
                // Prefer the key's own span when the parent is a table.
                if let Some((key, _)) = it.as_table_like().and_then(|t| t.get_key_value(seg))
                    && let Some(span) = key.span()
                {
                    best = Some(span.start);
                }
                it.get(seg.as_str())
            }
            (None, _) => None,
        };
        match next {
            Some(it) => {
                if let Some(span) = it.span() {
                    best = Some(span.start);
                }
                item = Some(it);
            }
            None => break,
        }
    }
    best.map_or((1, 1), |offset| line_col(text, offset))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name = \"x\"\n\n[[phases]]\nduration = \"1s\"\nrate = 1\n\n[[phases]]\nduration = \"2s\"\nrate = -3\n\n[thresholds]\n\"op\".p99_ms = 5\n";

    fn at(path: &[&str]) -> (usize, usize) {
        locate(
            TEXT,
            &path.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
        )
    }

    #[test]
    fn finds_nested_keys() {
        // A leaf points at its value; a table at its key.
        assert_eq!(at(&["name"]), (1, 8));
        assert_eq!(at(&["phases", "1", "rate"]), (9, 8));
        assert_eq!(at(&["thresholds", "op"]), (12, 1));
        // Missing leaf: the nearest ancestor that exists.
        assert_eq!(at(&["phases", "1", "ramp_to"]).0, 7);
        assert_eq!(at(&["nothing"]), (1, 1));
    }

    #[test]
    fn line_col_counts_from_one() {
        assert_eq!(line_col("ab\ncd", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
    }
}
