//! `quotaprobe run`: resolve the scenario, start the simulated tenant when the target is
//! simulated, drive the engine, write the report folder, check the thresholds. A real tenant
//! takes the guarded path in [`super::real`]; `--dry-run` prints the plan for either.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::{CliError, CliResult, Exit, RunArgs, load_plan, print_out, provision};
use crate::engine::{self, RunOptions, StopSignal, Target};
use crate::metrics::{Reachability, Snapshot, ThresholdResult, threshold};
use crate::report;
use crate::scenario::{OperationKind, RunPlan, TargetPlan};
use crate::sim::{self, TierProfile};

/// Default parent of report folders.
const REPORTS: &str = "reports";

pub(super) fn run(args: RunArgs, stop: StopSignal) -> CliResult {
    let shard = args.shard.shard(|name| std::env::var(name).ok())?;
    let start_at = args.shard.start_at(SystemTime::now())?;
    let plan = super::shard::apply(load(&args)?, shard, &args.scenario)?;
    if plan.target.is_real() {
        return super::real::run(&args, plan, stop);
    }
    if args.real.dry_run {
        let tier = super::tier_profile(&plan, args.tier_file.as_deref())?;
        print_out(&super::real::describe(&plan, None, tier.as_ref()));
        print_out("dry run: nothing was sent\n");
        return Ok(Exit::Ok);
    }
    let Some(tier) = super::tier_profile(&plan, args.tier_file.as_deref())? else {
        return Err(CliError::failed("no tier profile for the simulated target"));
    };
    let out = output_dir(&args, &plan, Some(&tier))?;
    let progress = !args.quiet && std::io::stderr().is_terminal();
    super::shard::wait(start_at, &stop, args.quiet)?;
    let done = execute(&plan, &tier, &out, stop, progress)?;
    print_out(&report::console::render(
        &done.snapshot,
        &out,
        &done.thresholds,
    ));
    exit_of(&done, &out)
}

/// How a finished run exits: 1 when the target never answered (the report is written, but it
/// measured nothing but connection errors), else 0 or 3 by the thresholds. A target that died
/// mid-run still answered: its thresholds decide, as for any other failures.
pub(super) fn exit_of(done: &Execution, out: &Path) -> CliResult {
    if let Reachability::Unreachable { .. } = Reachability::from_run(&done.snapshot.run) {
        let why = report::reach::message(&done.snapshot).unwrap_or_default();
        return Err(CliError::failed(format!(
            "{why} (the report is in {})",
            out.display()
        )));
    }
    Ok(if threshold::all_passed(&done.thresholds) {
        Exit::Ok
    } else {
        Exit::Breached
    })
}

/// Loads the scenario. For a real tenant `--tier` names the tier whose limits are the rate
/// ceilings, not a simulated tier, so a scenario the override does not fit is loaded without it.
fn load(args: &RunArgs) -> Result<RunPlan, CliError> {
    let tier_file = args.tier_file.as_deref();
    match load_plan(&args.scenario, args.tier.clone(), args.seed, tier_file) {
        Ok(plan) => Ok(plan),
        Err(e) if args.tier.is_some() => {
            match load_plan(&args.scenario, None, args.seed, tier_file) {
                Ok(plan) if plan.target.is_real() => Ok(plan),
                _ => Err(e),
            }
        }
        Err(e) => Err(e),
    }
}

/// A finished run: what was measured and how the thresholds came out.
pub(crate) struct Execution {
    pub snapshot: Snapshot,
    pub thresholds: Vec<ThresholdResult>,
}

/// Runs `plan` against a fresh embedded simulated tenant of `tier` and writes the whole report
/// folder `out` (which must exist). Shared by `run` and `compare --tiers`.
pub(crate) fn execute(
    plan: &RunPlan,
    tier: &TierProfile,
    out: &Path,
    stop: StopSignal,
    progress: bool,
) -> Result<Execution, CliError> {
    let TargetPlan::Simulated(sp) = &plan.target else {
        return Err(CliError::failed("execute: the plan targets a real tenant"));
    };
    let (config, credentials) = provision::sim_config(plan, sp, tier.clone());
    let sim = sim::start(config, "127.0.0.1:0")
        .map_err(|e| CliError::failed(format!("cannot start the simulated tenant: {e}")))?;
    let target = Target {
        base_url: sim.base_url(),
        management_audience: sim.management_audience(),
        real: false,
    };
    let options = RunOptions {
        progress,
        stop,
        monthly_quota: tier.monthly_m2m_quota,
        month_to_date_tokens: sp.month_to_date_tokens,
        client_credentials: credentials,
        ca_pem: None,
    };
    let result = engine::run(plan, &target, options);
    sim.shutdown();
    let outcome =
        result.map_err(|e| CliError::engine(&e, format!("the run could not start: {e}")))?;

    let mut snapshot = outcome.snapshot;
    snapshot
        .run
        .extend(run_facts(plan, tier, sp.month_to_date_tokens));
    finish(plan, snapshot, out)
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
            report::create_run_dir(
                &base,
                &plan.name,
                tier.map(|t| t.name.as_str()),
                SystemTime::now(),
            )
            .map_err(CliError::usage)
        }
    }
}

/// What the CLI knows that the engine does not: tier, quota, description, and every limit the
/// scenario's endpoints meet with its source.
fn run_facts(plan: &RunPlan, tier: &TierProfile, month_to_date: u64) -> Vec<(String, String)> {
    let mut limits = Vec::new();
    for op in &plan.operations {
        let buckets = match &op.kind {
            OperationKind::Management { method, path, .. } => tier.management_buckets(method, path),
            OperationKind::Token { .. } => tier
                .token_endpoint
                .iter()
                .map(|n| (n.name.clone(), &n.limit))
                .collect(),
            OperationKind::Http { .. } => Vec::new(),
        };
        for (name, limit) in buckets {
            let fact = (
                format!("limit:{name}"),
                format!("{} ({})", limit.describe(), limit.source),
            );
            if !limits.contains(&fact) {
                limits.push(fact);
            }
        }
    }
    let mut facts = vec![
        ("description".into(), plan.description.clone()),
        ("tier".into(), tier.name.clone()),
        (
            "tier_monthly_quota".into(),
            tier.monthly_m2m_quota
                .map(|q| q.to_string())
                .unwrap_or_default(),
        ),
        (
            "tier_quota_hard_block".into(),
            tier.quota_hard_block.to_string(),
        ),
        ("tier_quota_source".into(), tier.quota_source.clone()),
        ("month_to_date_tokens".into(), month_to_date.to_string()),
    ];
    facts.extend(limits);
    facts
}
