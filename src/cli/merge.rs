//! `quotaprobe merge DIR... --out DIR`: the report folders of a sharded run merged into one
//! report (see [`crate::report::merge`]). Everything is read and checked before `--out` is
//! created, so a refused merge (exit 2) writes nothing. The scenario's thresholds (from the
//! shards' `thresholds.csv`, rate-scaled limits multiplied back by N) are judged on the merged
//! run: a breach is exit 3, as for a single run.

use std::path::Path;

use super::{CliError, CliResult, Exit, MergeArgs};
use crate::metrics::{Snapshot, ThresholdResult, threshold};
use crate::report::{self, merge};
use crate::scenario::ThresholdPlan;
use crate::scenario::split::scales_with_rate;

pub(super) fn merge(args: MergeArgs) -> CliResult {
    let mut inputs = Vec::with_capacity(args.dirs.len());
    for dir in &args.dirs {
        let snapshot = report::read(dir).map_err(|e| {
            CliError::usage(format!(
                "{}: not a readable report folder: {e}; nothing was written",
                dir.display()
            ))
        })?;
        inputs.push(merge::Input {
            dir: dir.clone(),
            snapshot,
        });
    }
    let merged =
        merge::merge(&inputs).map_err(|e| CliError::usage(format!("{e}; nothing was written")))?;
    for w in &merged.warnings {
        eprintln!("warning: {w}");
    }
    let thresholds = match args.dirs.first() {
        Some(dir) => judge(dir, merged.shards, &merged.snapshot)?,
        None => Vec::new(),
    };
    let out = report::prepare_out_dir(&args.out).map_err(CliError::usage)?;
    report::write_all(&out, &merged.snapshot, &thresholds)
        .map_err(|e| CliError::failed(format!("cannot write the merged report: {e}")))?;
    super::print_out(&report::console::render(
        &merged.snapshot,
        &out,
        &thresholds,
    ));
    Ok(if threshold::all_passed(&thresholds) {
        Exit::Ok
    } else {
        Exit::Breached
    })
}

/// The thresholds of the shard in `dir`, restored to the whole run's limits and measured on
/// the merged snapshot. A run without thresholds has none.
fn judge(dir: &Path, shards: u64, merged: &Snapshot) -> Result<Vec<ThresholdResult>, CliError> {
    let rows = report::read_thresholds(dir)
        .map_err(|e| CliError::usage(format!("{}: {e}; nothing was written", dir.display())))?
        .unwrap_or_default();
    let mut ops: Vec<String> = Vec::new();
    let plans: Vec<ThresholdPlan> = rows
        .iter()
        .map(|r| {
            let operation = (r.operation != threshold::ALL).then(|| {
                ops.iter()
                    .position(|o| *o == r.operation)
                    .unwrap_or_else(|| {
                        ops.push(r.operation.clone());
                        ops.len() - 1
                    })
            });
            let limit = if scales_with_rate(r.metric) {
                // Undo the shard's division; 12 significant digits absorb the rounding.
                let whole = r.limit * shards as f64;
                format!("{whole:.11e}").parse().unwrap_or(whole)
            } else {
                r.limit
            };
            ThresholdPlan {
                operation,
                metric: r.metric,
                limit,
                abort: r.abort,
            }
        })
        .collect();
    Ok(threshold::evaluate(
        &plans,
        &ops,
        &merged.summary,
        &merged.audiences,
    ))
}
