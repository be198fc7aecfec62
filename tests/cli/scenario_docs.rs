//! docs/scenarios.md cannot fall behind the file format: every `toml` block on it is a complete
//! scenario that loads, and every key the scenario file accepts — read from the loader's own
//! "unknown field ..., expected ..." message for each table, so a new key is seen without
//! editing this test — is a row of its table's section (and every row there is a real key).
#![allow(clippy::unwrap_used)]

use std::path::Path;

use quotaprobe::scenario::{self, Context, Overrides};

fn doc() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/scenarios.md");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Loads scenario `text` as `quotaprobe validate` does, with every `${VAR}` set.
fn load(name: &str, text: &str) -> Result<scenario::RunPlan, String> {
    let env = |var: &str| {
        Some(format!(
            "test-{}",
            var.to_ascii_lowercase().replace('_', "-")
        ))
    };
    let ctx = Context {
        env: &env,
        known_tiers: Some(quotaprobe::sim::tier::builtin_names()),
        overrides: Overrides::default(),
    };
    scenario::parse(Path::new(name), text, &ctx).map_err(|e| e.to_string())
}

/// Each table of the file: (the heading of its section, a file with an unknown key in it).
const TABLES: [(&str, &str); 19] = [
    ("Top level", ""),
    ("`[target]`", "[target]\n"),
    ("`[target.simulated]`", "[target.simulated]\n"),
    ("`[[target.simulated.apis]]`", "[[target.simulated.apis]]\n"),
    ("`[target.simulated.faults]`", "[target.simulated.faults]\n"),
    ("`[[clients]]`", "[[clients]]\n"),
    (
        "`[clients.quota]`",
        "[[clients]]\nname = \"a\"\n[clients.quota]\n",
    ),
    ("`[tokens]`", "[tokens]\n"),
    ("`[[operations]]`", "[[operations]]\n"),
    ("`[retry]`", "[retry]\n"),
    ("`[[phases]]`", "[[phases]]\n"),
    ("`[stop]`", "[stop]\n"),
    ("`[[events]]`", "[[events]]\n"),
    ("`[thresholds]`", "[thresholds.ALL]\n"),
    ("`[http]`", "[http]\n"),
    ("`[pacing]`", "[pacing]\n"),
    ("`[[data]]`", "[[data]]\n"),
    ("`[vars.NAME]`", "[vars.x]\n"),
    ("`[[jobs]]`", "[[jobs]]\n"),
];

/// The keys the loader accepts in a table: its message for an unknown key lists them.
fn accepted(probe: &str) -> Vec<String> {
    let text = format!("{probe}not_a_key = 1\n");
    let err = load("probe.toml", &text).expect_err("an unknown key is refused");
    let expected = err
        .split_once("expected ")
        .map(|(_, rest)| rest.split(';').next().unwrap_or(rest))
        .unwrap_or_else(|| panic!("no key list in {err:?}"));
    let keys: Vec<String> = expected
        .split('`')
        .skip(1)
        .step_by(2)
        .map(str::to_string)
        .collect();
    assert!(!keys.is_empty(), "{err}");
    keys
}

/// The text of the `## HEADING` section.
fn section<'a>(doc: &'a str, heading: &str) -> &'a str {
    let start = doc
        .find(&format!("\n## {heading}\n"))
        .unwrap_or_else(|| panic!("docs/scenarios.md has no section \"## {heading}\""));
    let rest = &doc[start + 1..];
    let end = rest[3..].find("\n## ").map_or(rest.len(), |i| i + 3);
    &rest[..end]
}

/// The keys a section's table documents: the first cell of each row, as `key`.
fn documented(section: &str) -> Vec<String> {
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once("` |"))
        .map(|(key, _)| key.to_string())
        .collect()
}

#[test]
fn every_toml_example_in_docs_scenarios_md_loads() {
    let doc = doc();
    let blocks: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .map(|b| b.split("\n```").next().unwrap())
        .collect();
    assert!(blocks.len() >= 15, "{} toml blocks", blocks.len());
    for (i, block) in blocks.iter().enumerate() {
        let name = format!("docs/scenarios.md toml block {}", i + 1);
        if let Err(e) = load(&name, block) {
            panic!("{e}\n--- block:\n{block}");
        }
    }
}

#[test]
fn every_key_the_scenario_file_accepts_is_in_docs_scenarios_md() {
    let doc = doc();
    let mut undocumented = Vec::new();
    for (heading, probe) in TABLES {
        let keys = accepted(probe);
        let section = section(&doc, heading);
        let rows = documented(section);
        for key in &keys {
            if !rows.contains(key) {
                undocumented.push(format!("{heading}: {key}"));
            }
        }
        for row in &rows {
            assert!(
                keys.contains(row),
                "docs/scenarios.md {heading} documents `{row}`, which the file format does not accept (it takes {keys:?})"
            );
        }
    }
    assert!(
        undocumented.is_empty(),
        "keys missing from docs/scenarios.md (add a row to the section's table): {undocumented:#?}"
    );
}
