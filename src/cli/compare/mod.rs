//! `quotaprobe compare`: one scenario on several simulated tiers (`--tiers`, see [`tiers`]), or
//! finished report folders against the first one (see [`runs`]). Decides the mode from the
//! inputs and refuses mixed or incomplete input with exit code 2 before anything runs.
//!
//! Exit codes: tiers mode 0 when some tier fits, 3 when none does; runs mode 0 when every
//! `--fail-if` rule holds, 3 when one is breached; 2 for bad input; 1 when a run failed or was
//! interrupted.

mod runs;
mod tiers;

use super::{CliError, CliResult, CompareArgs};
use crate::engine::StopSignal;

pub(super) fn compare(args: CompareArgs, stop: StopSignal) -> CliResult {
    let tier_names: Vec<String> = args
        .tiers
        .iter()
        .map(|t| t.trim().to_string())
        .filter(|t| !t.is_empty())
        .collect();
    let first_is_file = args.inputs.first().is_some_and(|p| p.is_file());
    if first_is_file || !args.tiers.is_empty() || !args.tier_files.is_empty() {
        if args.inputs.len() != 1 || !first_is_file {
            return Err(CliError::usage(
                "compare --tiers takes exactly one scenario file, e.g. `quotaprobe compare scenarios/which-tier.toml --tiers free,essentials,enterprise`",
            ));
        }
        if tier_names.is_empty() && args.tier_files.is_empty() {
            return Err(CliError::usage(format!(
                "--tiers: name at least one tier to run {} on, e.g. --tiers free,essentials,enterprise (see `quotaprobe tiers`), or give a profile with --tier-file FILE",
                args.inputs[0].display()
            )));
        }
        if !args.fail_if.is_empty() {
            return Err(CliError::usage(
                "--fail-if compares finished report folders against a baseline; with --tiers, put thresholds in the scenario instead",
            ));
        }
        return tiers::compare(&args, tier_names, stop);
    }
    if args.parallel.is_some() || args.seed.is_some() || args.fast_forward {
        return Err(CliError::usage(
            "--parallel, --seed and --fast-forward apply to --tiers; report folders are compared as they are",
        ));
    }
    if let Some(bad) = args.inputs.iter().find(|p| !p.is_dir()) {
        return Err(CliError::usage(format!(
            "{}: neither a scenario file nor a report folder; compare takes one scenario file with --tiers, or two or more report folders",
            bad.display()
        )));
    }
    if args.inputs.len() < 2 {
        return Err(CliError::usage(
            "compare needs two or more report folders (the first is the baseline), or a scenario file with --tiers",
        ));
    }
    runs::compare(&args)
}
