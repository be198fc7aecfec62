//! `[[data]]` files, `[vars.NAME]` generators, and the check that every `{{name}}` hole in an
//! operation has a source: a data file's column (`{{users.user_id}}`) or a generator
//! (`{{seq}}`). A hole without one is a problem at its key, so nothing is ever sent with a
//! literal `{{...}}` in it. Data files are read through once here (as a stream) so a bad row is
//! refused before the run, naming the data file and its line.

use std::collections::BTreeMap;
use std::path::Path;

use super::Resolver;
use crate::data::{self, Format, Generator, Mode, Template, TimeFormat};
use crate::scenario::plan::*;
use crate::scenario::spec::{DataSpec, VarSpec};

/// The resolved operations the holes are checked against: the plan operations, each one's key
/// path in the file (a flow's step is `operations.I.steps.J`), and the flows.
pub(super) struct Ops<'a> {
    pub operations: &'a [OperationPlan],
    pub keys: &'a [Vec<String>],
    pub flows: &'a [FlowPlan],
}

/// A hole of operation `op` at key path `key`.
struct Hole {
    key: Vec<String>,
    op: usize,
    name: String,
}

/// Every templated part of the operations: (operation, key path, text).
fn fields<'a>(ops: &Ops<'a>) -> Vec<(usize, Vec<String>, &'a str)> {
    let mut out = Vec::new();
    for (i, o) in ops.operations.iter().enumerate() {
        for f in o.templated() {
            let mut key = ops
                .keys
                .get(i)
                .cloned()
                .unwrap_or_else(|| vec!["operations".to_string(), i.to_string()]);
            key.extend(f.key.iter().map(|k| k.to_string()));
            out.push((i, key, f.text));
        }
    }
    out
}

/// For a flow step's operation: the captures of the steps before it, and those of it and after.
fn captures(flows: &[FlowPlan], op: usize) -> Option<(Vec<&str>, Vec<&str>)> {
    let flow = flows.iter().find(|f| f.steps.iter().any(|s| s.op == op))?;
    let at = flow.steps.iter().position(|s| s.op == op)?;
    fn names(steps: &[StepPlan]) -> Vec<&str> {
        steps
            .iter()
            .flat_map(|s| s.captures.iter().map(|c| c.name.as_str()))
            .collect()
    }
    let (before, after) = flow.steps.split_at(at);
    let (before, after) = (names(before), names(after));
    Some((before, after))
}

/// Resolves the data files and generators, and checks every hole of `ops` against them (and a
/// flow step's holes against the captures of the steps before it).
pub(super) fn data(
    r: &mut Resolver<'_>,
    base: &Path,
    specs: &[DataSpec],
    vars: &BTreeMap<String, VarSpec>,
    ops: Ops<'_>,
) -> DataPlan {
    // Holes first: which columns each file must have.
    let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut holes: Vec<Hole> = Vec::new();
    for (op, key, text) in fields(&ops) {
        let key_ref: Vec<&str> = key.iter().map(String::as_str).collect();
        match Template::parse(text) {
            Ok(t) => {
                for h in t.holes() {
                    if let Some((file, col)) = h.split_once('.') {
                        let cols = used.entry(file.to_string()).or_default();
                        if !cols.iter().any(|c| c == col) {
                            cols.push(col.to_string());
                        }
                    }
                    holes.push(Hole {
                        key: key.clone(),
                        op,
                        name: h.to_string(),
                    });
                }
            }
            Err(e) => r.problem(
                &key_ref,
                format!("{e} (at character {} of {text:?})", e.offset + 1),
            ),
        }
    }
    for flow in ops.flows {
        for step in &flow.steps {
            for c in &step.captures {
                let Some(at) = ops.keys.get(step.op) else {
                    continue;
                };
                let mut key: Vec<&str> = at.iter().map(String::as_str).collect();
                key.extend(["capture", c.name.as_str()]);
                if vars.contains_key(&c.name) || specs.iter().any(|d| d.name == c.name) {
                    r.problem(&key, format!("{:?} is also a [vars] or [[data]] name; a hole must have one source, so rename the capture", c.name));
                }
            }
        }
    }

    let mut files: Vec<DataFilePlan> = Vec::new();
    for (i, d) in specs.iter().enumerate() {
        let idx = i.to_string();
        if !valid_name(&d.name)
            || files.iter().any(|f| f.name == d.name)
            || vars.contains_key(&d.name)
        {
            r.problem(
                &["data", &idx, "name"],
                format!("{:?} must be unique (also among [vars]) and made of letters, digits, '_' or '-'", d.name),
            );
            continue;
        }
        let Some(file) = r.text(&["data", &idx, "file"], &d.file) else {
            continue;
        };
        let path = base.join(&file);
        let format = match d.format.as_deref() {
            None => Format::of(&path),
            Some("csv") => Some(Format::Csv),
            Some("jsonl") => Some(Format::JsonLines),
            Some(_) => None,
        };
        let Some(format) = format else {
            let at = if d.format.is_some() { "format" } else { "file" };
            r.problem(&["data", &idx, at], "the format is not known: name a .csv or .jsonl file, or set format = \"csv\" or \"jsonl\"");
            continue;
        };
        let mode = match d.mode.as_deref().unwrap_or("cycle") {
            "cycle" => Mode::Cycle,
            "random" => Mode::Random,
            "once" => Mode::Once,
            other => {
                r.problem(
                    &["data", &idx, "mode"],
                    format!("unknown mode {other:?}; use \"cycle\", \"random\" or \"once\""),
                );
                continue;
            }
        };
        let required: Vec<&str> = used
            .get(&d.name)
            .map_or_else(Vec::new, |c| c.iter().map(String::as_str).collect());
        match data::file::check(&path, format, &required) {
            Ok(shape) => files.push(DataFilePlan {
                name: d.name.clone(),
                path,
                format,
                mode,
                columns: shape.columns,
                rows: shape.rows,
            }),
            Err(e) => r.problem(&["data", &idx, "file"], e.to_string()),
        }
    }

    let mut out_vars = Vec::new();
    for (name, v) in vars {
        if !valid_name(name) {
            r.problem(&["vars", name], "a var's name is made of letters, digits, '_' or '-', starting with a letter or '_'");
            continue;
        }
        if let Some(generator) = generator(r, name, v) {
            out_vars.push(VarPlan {
                name: name.clone(),
                generator,
            });
        }
    }

    for Hole {
        key,
        op,
        name: hole,
    } in holes
    {
        let key_ref: Vec<&str> = key.iter().map(String::as_str).collect();
        let flow = captures(ops.flows, op);
        if let Some((before, after)) = &flow {
            if before.contains(&hole.as_str()) {
                continue;
            }
            if after.contains(&hole.as_str()) {
                r.problem(&key_ref, format!("`{{{{{hole}}}}}` is captured by this step or a later one; a capture fills only the steps after the one that captures it"));
                continue;
            }
        }
        let sourced = if let Some((file, _)) = hole.split_once('.') {
            let found = specs.iter().any(|d| d.name == file);
            if !found {
                let known: Vec<&str> = specs.iter().map(|d| d.name.as_str()).collect();
                let known = if known.is_empty() {
                    "none is defined".to_string()
                } else {
                    format!("defined: {}", known.join(", "))
                };
                r.problem(&key_ref, format!("`{{{{{hole}}}}}` reads a data file named {file:?}, but there is no [[data]] with that name ({known})"));
            }
            found
        } else {
            let found = vars.contains_key(&hole);
            if !found {
                let capture = if flow.is_some() {
                    ", or capture it in an earlier step (capture = { NAME = \"/json/pointer\" })"
                } else {
                    ""
                };
                r.problem(&key_ref, format!("`{{{{{hole}}}}}` has no source: define [vars.{hole}] (a generator: sequence, random_int, uuid, choice, now) or read it from a data file as `{{{{FILE.{hole}}}}}` with a [[data]] entry{capture}"));
            }
            found
        };
        let prefix = ops.keys.get(op).map_or(2, Vec::len);
        let field = key.get(prefix).map_or("", String::as_str);
        let token_op = ops
            .operations
            .get(op)
            .is_some_and(|o| matches!(o.kind, OperationKind::Token { .. }));
        if sourced && !token_op && matches!(field, "audience" | "scope") {
            r.problem(&key_ref, format!("`{{{{{hole}}}}}`: a bearer's audience and scope are not filled per request (the token cache keeps one token per audience); write the audience out, or request the tokens with a kind = \"token\" operation, whose audience may have holes"));
        }
    }
    DataPlan {
        files,
        vars: out_vars,
    }
}

pub(super) fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// One `[vars.NAME]` table; keys that its kind does not use are problems.
fn generator(r: &mut Resolver<'_>, name: &str, v: &VarSpec) -> Option<Generator> {
    let set = [
        ("start", v.start.is_some()),
        ("step", v.step.is_some()),
        ("min", v.min.is_some()),
        ("max", v.max.is_some()),
        ("values", v.values.is_some()),
        ("format", v.format.is_some()),
    ];
    let uses: &[&str] = match v.kind.as_str() {
        "sequence" => &["start", "step"],
        "random_int" => &["min", "max"],
        "uuid" => &[],
        "choice" => &["values"],
        "now" => &["format"],
        other => {
            r.problem(&["vars", name, "kind"], format!("unknown kind {other:?}; use \"sequence\", \"random_int\", \"uuid\", \"choice\" or \"now\""));
            return None;
        }
    };
    let mut ok = true;
    for (key, present) in set {
        if present && !uses.contains(&key) {
            r.problem(
                &["vars", name, key],
                format!("is not used by kind = {:?}; remove it", v.kind),
            );
            ok = false;
        }
    }
    let g = match v.kind.as_str() {
        "sequence" => Generator::Sequence {
            start: v.start.unwrap_or(1),
            step: v.step.unwrap_or(1),
        },
        "random_int" => match (v.min, v.max) {
            (Some(min), Some(max)) if min <= max => Generator::RandomInt { min, max },
            (Some(_), Some(_)) => {
                r.problem(&["vars", name, "max"], "must be at least min");
                return None;
            }
            _ => {
                r.problem(
                    &["vars", name],
                    "kind = \"random_int\" needs min and max (inclusive)",
                );
                return None;
            }
        },
        "uuid" => Generator::Uuid,
        "choice" => match &v.values {
            Some(values) if !values.is_empty() => Generator::Choice(values.clone()),
            _ => {
                r.problem(
                    &["vars", name],
                    "kind = \"choice\" needs values = [\"a\", \"b\", ...] (at least one)",
                );
                return None;
            }
        },
        _ => match v
            .format
            .as_deref()
            .map_or(Some(TimeFormat::Rfc3339), TimeFormat::parse)
        {
            Some(f) => Generator::Now(f),
            None => {
                r.problem(
                    &["vars", name, "format"],
                    "use \"rfc3339\", \"unix\" or \"unix_ms\"",
                );
                return None;
            }
        },
    };
    ok.then_some(g)
}
