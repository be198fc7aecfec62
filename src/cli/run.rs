//! `quotaprobe run`: resolve the scenario, start the simulated tenant when the target is
//! simulated, drive the engine, write the report folder, check the thresholds. A real tenant
//! takes the guarded path in [`super::real`]; `--dry-run` prints the plan for either.

use std::path::Path;
use std::time::Duration;
use std::time::SystemTime;

use super::outcome::{Execution, deliver, exit_of, finish, output_dir};
use super::{CliError, CliResult, Exit, RunArgs, load_plan, print_out, provision};
use crate::engine::{self, RunOptions, StopSignal, Target};
use crate::fastforward::{self, FastForwardError};
use crate::metrics::{Limit, RunFacts};
use crate::scenario::{OperationKind, RunPlan, TargetPlan};
use crate::sim::{self, TierProfile};

/// `quotaprobe forecast`: `run --fast-forward` whose report says it is a forecast (run.csv
/// `forecast = true`, the console heading, a `-forecast` folder).
pub(super) fn forecast(mut args: RunArgs, stop: StopSignal) -> CliResult {
    let sh = &args.shard;
    if sh.shard.is_some() || sh.shard_count.is_some() || sh.start_at.is_some() {
        return Err(CliError::usage(format!(
            "{}: forecast runs the whole scenario on one virtual clock; drop --shard/--start-at (shards are for spreading a real-time run over machines)",
            args.scenario.display()
        )));
    }
    args.fast_forward = true;
    args.forecast = true;
    run(args, stop)
}

pub(super) fn run(args: RunArgs, stop: StopSignal) -> CliResult {
    let shard = args.shard.shard(|name| std::env::var(name).ok())?;
    let start_at = args.shard.start_at(SystemTime::now())?;
    let plan = super::shard::apply(load(&args)?, shard, &args.scenario)?;
    if plan.target.is_real() {
        if args.forecast {
            return Err(CliError::usage(format!(
                "{}: forecast runs only against the embedded simulated tenant (on a virtual \
                 clock), and this scenario targets a real tenant; use `run` for a real tenant, \
                 or [target.simulated] with --tier T to forecast a tier; nothing was sent",
                args.scenario.display()
            )));
        }
        if args.fast_forward {
            return Err(CliError::usage(format!(
                "{}: --fast-forward runs only against the embedded simulated tenant (its clock is \
                 virtual), and this scenario targets a real tenant; drop --fast-forward or use \
                 [target.simulated]; nothing was sent",
                args.scenario.display()
            )));
        }
        return super::real::run(&args, plan, stop);
    }
    if !args.fast_forward && !args.real.dry_run {
        calendar_needs_fast_forward(&plan, &args.scenario)?;
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
    // Progress draws in wall time; a fast-forward run has none.
    let progress = (!args.quiet && !args.fast_forward).then_some(args.progress_every);
    super::shard::wait(start_at, &stop, args.quiet)?;
    let clock = match (args.forecast, args.fast_forward) {
        (true, _) => Clock::Forecast,
        (false, true) => Clock::Virtual,
        (false, false) => Clock::Real,
    };
    let done = execute_on(&plan, &tier, &out, stop, progress, clock)?;
    deliver(&args, &done, &out)?;
    exit_of(&done, &out, args.strict || plan.strict)
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

/// Clock times (`start`, `hourly`, `[[jobs]]`) live on a fast-forward run's virtual calendar: a
/// real-time run starts at the wall clock's time of day, so it refuses them (exit 2).
fn calendar_needs_fast_forward(plan: &RunPlan, scenario: &Path) -> Result<(), CliError> {
    if !plan.uses_calendar() {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "{}: start, [[phases]] hourly and [[jobs]] place load at clock times of the virtual \
         calendar, which only a fast-forward run has (a real-time run starts at the wall \
         clock's time of day); add --fast-forward, or use plain rate phases for a real-time \
         run; nothing was sent",
        scenario.display()
    )))
}

/// Which clock a simulated run is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clock {
    /// The simulator on its own thread, reached over loopback HTTP.
    Real,
    /// Fast-forward: the simulator in process, one virtual clock (`src/fastforward/`).
    Virtual,
    /// `forecast`: [`Clock::Virtual`], reported as a forecast.
    Forecast,
}

/// Runs `plan` against a fresh embedded simulated tenant of `tier` on `clock` and writes the
/// whole report folder `out` (which must exist). Shared by `run`, `forecast` and `compare
/// --tiers`. `progress`: `None` for none at all, else bars on a terminal and a line every so
/// often elsewhere (zero: none).
pub(crate) fn execute_on(
    plan: &RunPlan,
    tier: &TierProfile,
    out: &Path,
    stop: StopSignal,
    progress: Option<Duration>,
    clock: Clock,
) -> Result<Execution, CliError> {
    let TargetPlan::Simulated(sp) = &plan.target else {
        return Err(CliError::failed("execute: the plan targets a real tenant"));
    };
    if clock == Clock::Real {
        calendar_needs_fast_forward(plan, Path::new(&plan.name))?;
    }
    let (config, credentials) = provision::sim_config(plan, sp, tier.clone());
    let options = RunOptions {
        progress: progress.is_some(),
        progress_every: progress.unwrap_or_default(),
        stop,
        monthly_quota: tier.monthly_m2m_quota,
        month_to_date_tokens: sp.month_to_date_tokens,
        client_credentials: credentials,
        ca_pem: None,
        stall: None,
    };
    let outcome = match clock {
        Clock::Real => {
            let sim = sim::start(config, "127.0.0.1:0")
                .map_err(|e| CliError::failed(format!("cannot start the simulated tenant: {e}")))?;
            let target = Target {
                base_url: sim.base_url(),
                management_audience: sim.management_audience(),
                real: false,
            };
            let result = engine::run(plan, &target, options);
            sim.shutdown();
            result.map_err(|e| CliError::engine(&e, format!("the run could not start: {e}")))?
        }
        Clock::Virtual | Clock::Forecast => {
            fastforward::run(plan, &config, options).map_err(|e| match e {
                FastForwardError::Engine(e) => {
                    CliError::engine(&e, format!("the run could not start: {e}"))
                }
                e => CliError::failed(e),
            })?
        }
    };

    let mut snapshot = outcome.snapshot;
    add_tier_facts(&mut snapshot.run, plan, tier, sp.month_to_date_tokens);
    if clock == Clock::Forecast {
        snapshot.run.forecast = Some(true);
    }
    finish(plan, snapshot, out)
}

/// What the CLI knows that the engine does not: tier, quota, description, and every limit the
/// scenario's endpoints meet with its source.
fn add_tier_facts(run: &mut RunFacts, plan: &RunPlan, tier: &TierProfile, month_to_date: u64) {
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
        let names: Vec<&str> = buckets.iter().map(|(b, _)| b.as_str()).collect();
        if !names.is_empty() && !run.buckets.iter().any(|(o, _)| *o == op.name) {
            run.buckets.push((op.name.clone(), names.join(" + ")));
        }
        for (bucket, limit) in buckets {
            let fact = Limit {
                bucket,
                rule: limit.describe(),
                source: limit.source.clone(),
            };
            if !run.limits.contains(&fact) {
                run.limits.push(fact);
            }
        }
    }
    run.description = Some(plan.description.clone());
    run.tier = Some(tier.name.clone());
    run.tier_monthly_quota = Some(tier.monthly_m2m_quota);
    run.tier_quota_hard_block = Some(tier.quota_hard_block);
    run.tier_quota_source = Some(tier.quota_source.clone());
    run.month_to_date_tokens = Some(month_to_date);
}
