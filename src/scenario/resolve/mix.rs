//! The operation mix: every `[[operations]]` entry resolved in file order, a flow's steps
//! (scenario/resolve/flows.rs) put in place among the plan operations, and the check that the
//! weights do not sum to zero.

use super::Resolver;
use super::operations::{Resolved, key_at, kind};
use super::target::positive;
use crate::scenario::plan::*;
use crate::scenario::spec::OperationSpec;

pub(super) fn operations(
    r: &mut Resolver<'_>,
    specs: &[OperationSpec],
    clients: &[ClientPlan],
) -> Resolved {
    if specs.is_empty() {
        r.problem(&["operations"], "a scenario needs at least one [[operations]] entry (kind = \"token\", \"management\", \"http\" or \"flow\")");
    }
    let mut out = Resolved {
        operations: Vec::new(),
        flows: Vec::new(),
        keys: Vec::new(),
    };
    for (i, o) in specs.iter().enumerate() {
        let idx = i.to_string();
        let at = ["operations", idx.as_str()];
        let taken = |out: &Resolved, name: &str| {
            out.operations.iter().any(|p| p.name == name)
                || out.flows.iter().any(|f| f.name == name)
        };
        if o.name.trim().is_empty()
            || o.name == "ALL"
            || o.name.contains('/')
            || taken(&out, &o.name)
        {
            r.problem(
                &key_at(&at, "name"),
                format!(
                    "operation name {:?} must be non-empty, unique, without '/' and not \"ALL\"",
                    o.name
                ),
            );
        }
        if o.kind == "flow" {
            super::flows::flow(r, &at, o, clients, &mut out);
            continue;
        }
        super::flows::not_a_step(r, &at, o);
        let Some(kind) = kind(r, &at, o, clients) else {
            continue;
        };
        let throttle_per_s = positive(r, &key_at(&at, "throttle"), o.throttle);
        out.operations.push(OperationPlan {
            name: o.name.clone(),
            kind,
            weight: o.weight.unwrap_or(1),
            throttle_per_s,
        });
        out.keys.push(at.iter().map(|k| k.to_string()).collect());
    }
    let ops_weight: u64 = out.operations.iter().map(|o| u64::from(o.weight)).sum();
    let flows_weight: u64 = out.flows.iter().map(|f| u64::from(f.weight)).sum();
    if !(out.operations.is_empty() && out.flows.is_empty()) && ops_weight + flows_weight == 0 {
        r.problem(
            &["operations", "0", "weight"],
            "operation weights sum to zero; give at least one operation weight >= 1",
        );
    }
    out
}
