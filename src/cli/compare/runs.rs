//! `quotaprobe compare DIR DIR...`: finished runs against the first (the baseline). Rules are
//! parsed and the folders read before anything is judged, so bad input is exit 2 up front.

use super::super::{CliError, CliResult, CompareArgs, Exit};
use crate::report;
use crate::report::compare::runs::{LabelledRun, deltas, other_scenarios};
use crate::report::compare::{console, rule};

pub(super) fn compare(args: &CompareArgs) -> CliResult {
    let rules = args
        .fail_if
        .iter()
        .map(|text| rule::parse(text))
        .collect::<Result<Vec<_>, _>>()
        .map_err(CliError::usage)?;
    // An unusable --out fails before anything is read or judged.
    let out = match &args.out {
        Some(dir) => Some(report::prepare_out_dir(dir).map_err(CliError::usage)?),
        None => None,
    };
    let mut snapshots = Vec::new();
    for dir in &args.inputs {
        snapshots.push(report::read(dir).map_err(CliError::usage)?);
    }
    let series: Vec<LabelledRun> = args
        .inputs
        .iter()
        .zip(&snapshots)
        .map(|(dir, snapshot)| LabelledRun {
            label: label(dir),
            snapshot,
        })
        .collect();
    let rows = deltas(&series);
    if let Some(bad) = rules.iter().find(|r| !r.names_known_operation(&rows)) {
        let mut known: Vec<&str> = rows.iter().map(|r| r.operation.as_str()).collect();
        known.dedup();
        return Err(CliError::usage(format!(
            "--fail-if {:?}: no operation {:?} in the compared runs (they have: {})",
            bad.text,
            bad.operation.as_deref().unwrap_or_default(),
            known.join(", ")
        )));
    }
    let warnings: Vec<String> = other_scenarios(&series)
        .into_iter()
        .map(|(run, scenario)| {
            format!(
                "Warning: {run} ran scenario {scenario:?}, not the baseline's; compare is meant for the same scenario before and after a change."
            )
        })
        .collect();
    for w in &warnings {
        eprintln!("{w}");
    }
    let results: Vec<_> = series
        .iter()
        .skip(1)
        .flat_map(|run| rules.iter().map(|r| r.judge(&run.label, &rows)))
        .collect();
    let o = &args.output;
    o.human(&console::runs(&rows, &results));
    if let Some(dir) = &out {
        report::compare::write_runs(dir, &series, &rows, &results, &warnings)
            .map_err(|e| CliError::failed(format!("cannot write the comparison: {e}")))?;
        o.human(&format!(
            "comparison: {}\n",
            dir.join(report::compare::HTML).display()
        ));
    }
    let junit =
        || report::junit::render("quotaprobe compare", &report::junit::rule_cases(&results));
    o.files(junit, &report::ci_summary::rules(&results))?;
    let labels: Vec<String> = series.iter().map(|r| r.label.clone()).collect();
    o.document(&report::summary_json::compare_runs(
        &labels,
        &results,
        &warnings,
        out.as_deref(),
    ));
    Ok(if results.iter().all(|r| r.passed) {
        Exit::Ok
    } else {
        Exit::Breached
    })
}

/// A run's label: its folder as given, without a trailing slash.
fn label(dir: &std::path::Path) -> String {
    let text = dir.display().to_string();
    match text.trim_end_matches('/') {
        "" => text,
        trimmed => trimmed.to_string(),
    }
}
