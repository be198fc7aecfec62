//! serde/toml messages in the scenario's words: the key the error is at (from the file's text)
//! and what the key takes, never a Rust type name (`expected struct ThresholdSpec`, `expected
//! u32`, `invalid type: map, expected a sequence`). docs/scenarios.md lists every key.

/// Rewrites `message` (toml's, for the value at byte `offset` of `text`).
pub fn message(text: &str, offset: usize, message: &str) -> String {
    let key = key_at(text, offset);
    let mut m = message.to_string();
    for (from, to) in WORDS {
        m = m.replace(from, to);
    }
    if let Some(rest) = m.strip_prefix("invalid type: ") {
        m = match rest.split_once(", expected ") {
            Some((got, want)) => format!("expected {}, got {got}", want_for(&key, want)),
            None => rest.to_string(),
        };
    } else if let Some(rest) = m.strip_prefix("invalid value: ") {
        m = match rest.split_once(", expected ") {
            Some((got, want)) => format!("expected {}, got {got}", want_for(&key, want)),
            None => rest.to_string(),
        };
    }
    match key {
        Some(k) if !m.starts_with(&k) => format!("{k}: {m}"),
        _ => m,
    }
}

/// Type words serde uses and what a scenario author reads instead.
const WORDS: [(&str, &str); 13] = [
    ("usize", "a whole number ≥ 0"),
    ("u64", "a whole number ≥ 0"),
    ("u32", "a whole number ≥ 0"),
    ("u16", "a whole number ≥ 0"),
    ("u8", "a whole number ≥ 0"),
    ("i64", "a whole number"),
    ("f64", "a number"),
    ("a sequence", "a list like [ ... ]"),
    ("sequence", "list"),
    ("a map", "a table"),
    ("map", "table"),
    ("a boolean", "true or false"),
    ("unknown variant", "unknown value"),
];

/// What a key takes, from serde's `expected ...` (struct and enum names never shown).
fn want_for(key: &Option<String>, want: &str) -> String {
    let is_struct = want.starts_with("struct ") || want.starts_with("enum ");
    let want = want
        .trim_start_matches("struct ")
        .trim_start_matches("enum ")
        .replace("option", "a value")
        .replace("Option<", "")
        .replace('>', "");
    if !is_struct {
        return want;
    }
    if key.as_deref().is_some_and(|k| k.starts_with("thresholds.")) {
        return "a table like { p99_ms = 500 }".to_string();
    }
    "a table like { key = value } (see docs/scenarios.md)".to_string()
}

/// `thresholds.list-users`, `phases[0].rate`: the table header above `offset` and the key on
/// its line, when the text has them.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let before = text.get(..offset)?;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(line_start..)?.lines().next().unwrap_or("");
    let key = line
        .split_once('=')
        .map(|(k, _)| k.trim().trim_matches('"'));
    let mut index: std::collections::HashMap<&str, usize> = Default::default();
    let mut table: Option<String> = None;
    for l in text.get(..line_start)?.lines() {
        let l = l.trim();
        if let Some(name) = l.strip_prefix("[[").and_then(|r| r.strip_suffix("]]")) {
            let name = name.trim();
            let n = index.entry(name).or_insert(0);
            table = Some(format!("{name}[{n}]"));
            *n += 1;
        } else if let Some(name) = l.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            table = Some(name.trim().to_string());
        }
    }
    match (table, key) {
        (Some(t), Some(k)) if !k.is_empty() => Some(format!("{t}.{k}")),
        (None, Some(k)) if !k.is_empty() => Some(k.to_string()),
        (t, _) => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BANNED: [&str; 9] = [
        "struct ",
        "enum ",
        "u32",
        "u64",
        "f64",
        "usize",
        "Option<",
        "expected a sequence",
        "i64",
    ];

    #[test]
    fn no_type_names_and_every_message_names_its_key() {
        let cases = [
            (
                "[thresholds]\nlist-users = 5\n",
                "invalid type: integer `5`, expected struct ThresholdSpec",
                "thresholds.list-users: expected a table like { p99_ms = 500 }, got integer `5`",
            ),
            (
                "[[phases]]\nname = \"a\"\n[[phases]]\nrate = -3\n",
                "invalid value: integer `-3`, expected u32",
                "phases[1].rate: expected a whole number ≥ 0, got integer `-3`",
            ),
            (
                "[[phases]]\nrate = \"x\"\n",
                "invalid type: string \"x\", expected f64",
                "phases[0].rate: expected a number, got string \"x\"",
            ),
            (
                "tags = { a = 1 }\n",
                "invalid type: map, expected a sequence",
                "tags: expected a list like [ ... ], got table",
            ),
            (
                "[pacing]\nmax_in_flight = 1.5\n",
                "invalid type: floating point `1.5`, expected usize",
                "pacing.max_in_flight: expected a whole number ≥ 0, got floating point `1.5`",
            ),
            (
                "[target]\nsimulated = 3\n",
                "invalid type: integer `3`, expected enum TargetSpec",
                "target.simulated: expected a table like { key = value } (see docs/scenarios.md), got integer `3`",
            ),
            (
                "[tokens]\nshared = 2\n",
                "invalid type: integer `2`, expected a boolean",
                "tokens.shared: expected true or false, got integer `2`",
            ),
            (
                "seed = -1\n",
                "invalid value: integer `-1`, expected u64",
                "seed: expected a whole number ≥ 0, got integer `-1`",
            ),
        ];
        for (text, serde, want) in cases {
            let at = text.rfind('=').map_or(0, |i| i + 2);
            let got = message(text, at, serde);
            assert_eq!(got, want);
            for b in BANNED {
                assert!(!got.contains(b), "{got:?} contains {b:?}");
            }
        }
    }
}
