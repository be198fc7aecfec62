//! What `run` does around the engine, for either kind of target ([`super::run`] for the
//! simulator, [`super::real`] for a real tenant): the report folder made before anything is
//! sent, the thresholds and report files written after, and the exit code. A leaf of the two
//! run paths, so neither imports the other for these.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{CliError, CliResult, Exit, RunArgs};
use crate::metrics::{Reachability, Snapshot, ThresholdResult, threshold};
use crate::report;
use crate::scenario::RunPlan;
use crate::sim::TierProfile;

/// Default parent of report folders.
const REPORTS: &str = "reports";

/// A finished run: what was measured and how the thresholds came out.
pub(crate) struct Execution {
    pub snapshot: Snapshot,
    pub thresholds: Vec<ThresholdResult>,
}

/// How a finished run exits: 1 when the target never answered (the report is written, but it
/// measured nothing but connection errors), else 0 or 3 by the thresholds. A target that died
/// mid-run still answered: its thresholds decide, as for any other failures. With `strict`
/// (`run --strict`) a "does not fit" verdict exits 3 too, thresholds or not.
pub(super) fn exit_of(done: &Execution, out: &Path, strict: bool) -> CliResult {
    if let Reachability::Unreachable { .. } = Reachability::from_facts(&done.snapshot.run.reach) {
        let why = report::reach::message(&done.snapshot).unwrap_or_default();
        return Err(CliError::failed(format!(
            "{why} (the report is in {})",
            out.display()
        )));
    }
    let unfit = strict
        && report::verdict::of(&done.snapshot, &done.thresholds).label
            == report::verdict::Outcome::DoesNotFit.label();
    Ok(if threshold::all_passed(&done.thresholds) && !unfit {
        Exit::Ok
    } else {
        Exit::Breached
    })
}

/// What `run` prints and writes after the report folder: the summary (stdout, or stderr under
/// `--format json`), `--junit`, `--summary-md` / `$GITHUB_STEP_SUMMARY`, then the JSON document.
pub(super) fn deliver(args: &RunArgs, done: &Execution, out: &Path) -> Result<(), CliError> {
    let o = &args.output;
    o.human(&report::console::render(
        &done.snapshot,
        out,
        &done.thresholds,
    ));
    let scenario = done.snapshot.run.scenario.clone().unwrap_or_default();
    let junit = || {
        let cases = report::junit::threshold_cases(
            &format!("quotaprobe.thresholds.{scenario}"),
            &done.thresholds,
        );
        report::junit::render(&format!("quotaprobe run {scenario}"), &cases)
    };
    let md = report::ci_summary::run(&done.snapshot, &done.thresholds, out);
    o.files(junit, &md)?;
    if o.json() {
        o.document(&super::output::run_document(out)?);
    }
    Ok(())
}

/// Evaluates the thresholds on a finished run's snapshot and writes the report folder `out`.
pub(super) fn finish(
    plan: &RunPlan,
    snapshot: Snapshot,
    out: &Path,
) -> Result<Execution, CliError> {
    let names: Vec<String> = plan.operations.iter().map(|o| o.name.clone()).collect();
    let thresholds = threshold::evaluate(
        &plan.thresholds,
        &names,
        &snapshot.summary,
        &snapshot.audiences,
    );
    report::write_all(out, &snapshot, &thresholds)
        .map_err(|e| CliError::failed(format!("cannot write the report: {e}")))?;
    Ok(Execution {
        snapshot,
        thresholds,
    })
}

/// The report folder, created (empty) before anything is sent, so an unwritable location fails
/// the run up front.
pub(super) fn output_dir(
    args: &RunArgs,
    plan: &RunPlan,
    tier: Option<&TierProfile>,
) -> Result<PathBuf, CliError> {
    match &args.out {
        // Created (or found empty), then written to: a full disk or a read-only mount fails
        // here, not after the run.
        Some(dir) => report::prepare_out_dir(dir)
            .and_then(|d| report::check_writable(&d).map(|()| d))
            .map_err(CliError::usage),
        None => {
            let base = PathBuf::from(REPORTS);
            report::check_writable(&base).map_err(CliError::usage)?;
            // A fast-forward run's folder says so: reports/<scenario>-<time>-<tier>-ff/, a
            // forecast's reports/<scenario>-<time>-<tier>-forecast/.
            let tier = tier.map(|t| match (args.forecast, args.fast_forward) {
                (true, _) => format!("{}-forecast", t.name),
                (false, true) => format!("{}-ff", t.name),
                (false, false) => t.name.clone(),
            });
            report::create_run_dir(&base, &plan.name, tier.as_deref(), SystemTime::now())
                .map_err(CliError::usage)
        }
    }
}
