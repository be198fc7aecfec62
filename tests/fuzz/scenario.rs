//! Property tests: the scenario parser never panics, whatever the text, and every error it
//! returns points inside the file.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use proptest::prelude::*;
use quotaprobe::scenario::{Context, Overrides, ScenarioError, parse};

fn env(name: &str) -> Option<String> {
    (name == "SET").then(|| "value".to_string())
}

fn check(text: &str) {
    let ctx = Context {
        env: &env,
        known_tiers: Some(&["free", "enterprise"]),
        overrides: Overrides::default(),
    };
    match parse(Path::new("fuzz.toml"), text, &ctx) {
        Ok(plan) => {
            assert!(!plan.operations.is_empty() && !plan.phases.is_empty());
            assert!(plan.total_weight() > 0);
        }
        Err(ScenarioError::Invalid(problems)) => {
            assert!(!problems.is_empty());
            let lines = text.lines().count().max(1);
            for p in problems {
                assert!(
                    p.line >= 1 && p.line <= lines + 1,
                    "line {} of {lines}: {p}",
                    p.line
                );
                assert!(p.column >= 1);
                assert!(!p.message.is_empty());
            }
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

const EXAMPLE: &str = include_str!("../../scenarios/mgmt-burst.toml");

/// Values that stress conversions: negatives, huge numbers, NaN-like, wrong types, ${VAR}s.
fn value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("1e308".to_string()),
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("18446744073709551615".to_string()),
        Just("\"\"".to_string()),
        Just("\"${UNSET}\"".to_string()),
        Just("\"${SET}\"".to_string()),
        Just("\"${\"".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        Just("\"0s\"".to_string()),
        Just("\"99999999999h\"".to_string()),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| format!("{f:?}")),
        "\"[a-z0-9 ${}/_.-]{0,12}\"".prop_map(|s| s),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check(&text);
    }

    #[test]
    fn mutated_example_values_never_panic(line in 0usize..60, v in value()) {
        let mut lines: Vec<String> = EXAMPLE.lines().map(String::from).collect();
        let n = lines.len();
        let target = &mut lines[line % n];
        if let Some((key, _)) = target.split_once(" = ") {
            *target = format!("{key} = {v}");
        }
        check(&lines.join("\n"));
    }

    #[test]
    fn dropped_lines_never_panic(drop in proptest::collection::vec(0usize..60, 1..6)) {
        let text: Vec<&str> = EXAMPLE.lines().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, l)| l).collect();
        check(&text.join("\n"));
    }
}

#[test]
fn enormous_durations_are_errors_not_overflows() {
    let text = EXAMPLE
        .replace("duration = \"1s\"", "duration = \"584542046090y\"")
        .replace("duration = \"8s\"", "duration = \"500000h\"");
    check(&text);
    assert!(
        parse(
            Path::new("x.toml"),
            &text,
            &Context {
                env: &env,
                known_tiers: None,
                overrides: Overrides::default()
            }
        )
        .is_err()
    );
}
