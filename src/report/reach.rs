//! The one sentence that says a target was down from the start or died mid-run, shared by the
//! terminal summary and the verdict paragraph of report.md/report.html so they never disagree.
//! The facts and the rules come from [`crate::metrics::reach`]; only the wording lives here.

use super::numbers::{count, thousands};
use crate::metrics::{Reachability, Snapshot};

/// `None` when the target answered.
pub fn message(s: &Snapshot) -> Option<String> {
    let target = s
        .run
        .target
        .as_deref()
        .filter(|v| !v.is_empty())
        .unwrap_or("the target");
    match Reachability::from_facts(&s.run.reach) {
        Reachability::Answered => None,
        Reachability::Unreachable {
            connection_errors,
            calls_without_token,
        } => {
            let tokenless = if calls_without_token > 0 {
                format!(
                    " ({} not sent for want of a token)",
                    count(calls_without_token, "API call")
                )
            } else {
                String::new()
            };
            let kinds = no_answer_kinds(s);
            let what = if kinds.iter().all(|(k, _)| k == "connect") {
                format!(
                    "all {} failed to connect to {target}",
                    count(connection_errors, "request")
                )
            } else {
                let list: Vec<String> = kinds
                    .iter()
                    .map(|(k, n)| format!("{k} {}", thousands(*n)))
                    .collect();
                format!(
                    "all {} to {target} got no answer ({})",
                    count(connection_errors, "request"),
                    list.join(", ")
                )
            };
            Some(format!(
                "target unreachable: {what}{tokenless}; is it running?"
            ))
        }
        Reachability::StoppedAnswering {
            last_answer_s,
            connection_errors_after,
        } => Some(format!(
            "the target stopped answering at {last_answer_s:.1} s: {} connection {} after that (refused, reset or timed out; see statuses.csv)",
            thousands(connection_errors_after),
            if connection_errors_after == 1 {
                "error"
            } else {
                "errors"
            },
        )),
    }
}

/// Final outcomes per no-answer kind (`connect`, `reset`, `timeout`) over all operations, from
/// `statuses.csv`'s rows.
fn no_answer_kinds(s: &Snapshot) -> Vec<(String, u64)> {
    let mut kinds: Vec<(String, u64)> = Vec::new();
    for row in &s.statuses {
        if !matches!(row.status.as_str(), "connect" | "reset" | "timeout") || row.count == 0 {
            continue;
        }
        match kinds.iter_mut().find(|(k, _)| *k == row.status) {
            Some((_, n)) => *n += row.count,
            None => kinds.push((row.status.clone(), row.count)),
        }
    }
    kinds
}
