//! `validate`'s view of per-request data: each data file's size and shape, each generator, and
//! the first few requests of every operation with holes, filled as the run would fill them
//! (header values that look secret, and JSON body fields that do, masked). Sends nothing.

use std::fmt::Write as _;
use std::time::SystemTime;

use crate::data::{Feed, Generator, Mode, Template};
use crate::scenario::{OperationKind, RunPlan};

/// Requests shown per operation.
const SAMPLES: u64 = 3;

fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "authorization",
        "secret",
        "password",
        "token",
        "key",
        "cookie",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// A body with the values of secret-looking JSON fields replaced by `***`.
fn masked_body(body: &str) -> String {
    fn mask(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if looks_secret(k) {
                        *v = serde_json::Value::String("***".into());
                    } else {
                        mask(v);
                    }
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(mask),
            _ => {}
        }
    }
    match serde_json::from_str::<serde_json::Value>(body) {
        Ok(mut v) => {
            mask(&mut v);
            v.to_string()
        }
        Err(_) => body.to_string(),
    }
}

fn describe(g: &Generator) -> String {
    match g {
        Generator::Sequence { start, step } => format!("sequence from {start}, step {step}"),
        Generator::RandomInt { min, max } => format!("random integer in {min}..={max}"),
        Generator::Uuid => "uuid (version 4)".into(),
        Generator::Choice(v) => format!("choice of {}", v.join(", ")),
        Generator::Now(f) => format!("the time ({f:?})").to_ascii_lowercase(),
    }
}

/// The data section of `validate`'s output; empty when the scenario has no data or vars.
pub(super) fn render(plan: &RunPlan) -> String {
    let d = &plan.data;
    let mut s = String::new();
    if d.files.is_empty() && d.vars.is_empty() {
        return s;
    }
    let _ = writeln!(s, "\nData (holes filled per request)");
    for f in &d.files {
        let mode = match f.mode {
            Mode::Cycle => "cycle",
            Mode::Random => "random",
            Mode::Once => "once: the run stops when every row is used",
        };
        let _ = writeln!(
            s,
            "  {:<14}{} ({} rows; columns {}; {mode})",
            f.name,
            f.path.display(),
            f.rows,
            f.columns.join(", ")
        );
    }
    for v in &d.vars {
        let _ = writeln!(s, "  {:<14}{}", v.name, describe(&v.generator));
    }
    let (files, vars) = d.feed_parts();
    let mut feed = match Feed::open(&files, vars, plan.seed, None) {
        Ok(f) => f,
        Err(e) => {
            let _ = writeln!(s, "  (no sample: {e})");
            return s;
        }
    };
    let _ = writeln!(
        s,
        "\nSample requests (the first {SAMPLES} of each operation with holes; secrets masked)"
    );
    let now = SystemTime::now();
    let width = name_width(plan);
    for (i, op) in plan.operations.iter().enumerate() {
        // A flow step's captures from earlier steps are shown as `<name>`: they come from a
        // response, not from the data.
        let captured = captured_before(plan, i);
        let fields: Vec<(String, Template)> = op
            .templated()
            .into_iter()
            .filter_map(|f| Some((f.key.join("."), Template::parse(f.text).ok()?)))
            .collect();
        if fields.iter().all(|(_, t)| t.is_literal()) {
            continue;
        }
        let holes = fields
            .iter()
            .flat_map(|(_, t)| t.holes())
            .filter(|h| !captured.contains(h));
        let Ok(needs) = feed.needs(holes) else {
            continue;
        };
        let method = match &op.kind {
            OperationKind::Management { method, .. } | OperationKind::Http { method, .. } => {
                method.as_str()
            }
            OperationKind::Token { .. } => "POST /oauth/token",
        };
        for n in 0..SAMPLES {
            let mut values = match feed.draw(&needs, n, now) {
                Ok(Some(v)) => v,
                Ok(None) => {
                    let _ = writeln!(s, "  {:<width$}(data used up after {n} requests)", op.name);
                    break;
                }
                Err(e) => {
                    let _ = writeln!(s, "  {:<width$}(no sample: {e})", op.name);
                    break;
                }
            };
            for (k, name) in captured.iter().enumerate() {
                values.set(name, format!("QPCAPTURED{k}X"));
            }
            let shown = |text: String| {
                captured.iter().enumerate().fold(text, |t, (k, name)| {
                    t.replace(&format!("QPCAPTURED{k}X"), &format!("<{name}>"))
                })
            };
            let mut parts = Vec::new();
            for (key, t) in &fields {
                let url = matches!(key.as_str(), "path" | "url");
                let mut text = String::new();
                if url {
                    // As sent: each value percent-encoded.
                    match crate::ops::holes::fill_url(t, &values) {
                        Some(t) => text = t,
                        None => continue,
                    }
                } else if t.fill(|h| values.get(h), &mut text).is_err() {
                    continue;
                }
                let text = shown(text);
                parts.push(match key.as_str() {
                    "path" | "url" => format!("{method} {text}"),
                    "body" => format!("body {}", masked_body(&text)),
                    k => match k.strip_prefix("headers.") {
                        Some(h) if looks_secret(h) => format!("{h}: ***"),
                        Some(h) => format!("{h}: {text}"),
                        None => format!("{k} = {text}"),
                    },
                });
            }
            let _ = writeln!(s, "  {:<width$}{}", op.name, parts.join("  "));
        }
    }
    s
}

/// The name column's width: the longest operation name and two spaces, at least 20.
pub(super) fn name_width(plan: &RunPlan) -> usize {
    plan.operations
        .iter()
        .map(|o| o.name.chars().count() + 2)
        .max()
        .unwrap_or(0)
        .max(20)
}

/// The captures of the steps before operation `op` in its flow (none for other operations).
fn captured_before(plan: &RunPlan, op: usize) -> Vec<&str> {
    plan.flows
        .iter()
        .find_map(|f| {
            let at = f.steps.iter().position(|s| s.op == op)?;
            Some(
                f.steps[..at]
                    .iter()
                    .flat_map(|s| s.captures.iter().map(|c| c.name.as_str()))
                    .collect(),
            )
        })
        .unwrap_or_default()
}

/// The flows section of `validate`'s output; empty without flows.
pub(super) fn flows(plan: &RunPlan) -> String {
    let mut s = String::new();
    if plan.flows.is_empty() {
        return s;
    }
    let _ = writeln!(
        s,
        "\nFlows (steps run in order by one virtual user; a step that fails ends its flow)"
    );
    for f in &plan.flows {
        let _ = writeln!(s, "  {} (weight {})", f.name, f.weight);
        for (i, step) in f.steps.iter().enumerate() {
            let name = plan
                .operations
                .get(step.op)
                .map_or("?", |o| o.name.as_str());
            let mut line = format!("    {}. {name}", i + 1);
            if !step.think.is_zero() {
                let t = |d| humantime::format_duration(d).to_string();
                if step.think.min == step.think.max {
                    let _ = write!(line, "  after {}", t(step.think.min));
                } else {
                    let _ = write!(line, "  after {}..{}", t(step.think.min), t(step.think.max));
                }
            }
            for c in &step.captures {
                let from = match &c.from {
                    crate::scenario::CaptureFrom::Json(p) => format!("body {p:?}"),
                    crate::scenario::CaptureFrom::Header(h) => format!("header {h}"),
                };
                let _ = write!(line, "  captures {} from {from}", c.name);
            }
            let _ = writeln!(s, "{line}");
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked() {
        assert!(looks_secret("X-Api-Key") && looks_secret("Authorization"));
        assert!(!looks_secret("x-request-id"));
        assert_eq!(
            masked_body(r#"{"name":"a","password":"p","nested":{"client_secret":"s"}}"#),
            r#"{"name":"a","nested":{"client_secret":"***"},"password":"***"}"#
        );
        assert_eq!(masked_body("not json"), "not json");
    }
}
