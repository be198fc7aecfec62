//! `quotaprobe compare SCENARIO --tiers a,b,c [--tier-file FILE]...`: the same scenario (same
//! seed, so the same arrivals) on a fresh embedded simulator of each tier (a tier file's profile
//! is named by its `name`, e.g. one `quotaprobe probe` measured), `--parallel` at a time (default: CPU
//! cores), each run a complete report folder `<dir>/<tier>/`, then the comparison beside them.
//! Everything that can be wrong with the input (scenario, tier names, output folder) is checked
//! before the first tier starts.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Instant, SystemTime};

use super::super::outcome::Execution;
use super::super::run::{Clock, execute_on};
use super::super::{CliError, CliResult, CompareArgs, Exit, load_plan};
use crate::engine::StopSignal;
use crate::report;
use crate::report::compare::tiers::{TierRun, cheapest_fit};
use crate::report::compare::{console, cost};
use crate::scenario::RunPlan;
use crate::sim::{TierProfile, tier};

/// Default parent of comparison folders (as for runs).
const REPORTS: &str = "reports";

/// One tier to run: its resolved plan, profile and folder.
struct Job {
    name: String,
    plan: RunPlan,
    profile: TierProfile,
    dir: PathBuf,
    /// Virtual with `--fast-forward`.
    clock: Clock,
}

pub(super) fn compare(args: &CompareArgs, mut names: Vec<String>, stop: StopSignal) -> CliResult {
    let scenario = &args.inputs[0];
    let base = load_plan(scenario, None, args.seed, None)?;
    if base.target.is_real() && args.fast_forward {
        return Err(CliError::usage(format!(
            "{}: --fast-forward runs only against the embedded simulated tenant (its clock is virtual), and this scenario targets a real tenant; drop --fast-forward and [target] url; nothing was sent",
            scenario.display()
        )));
    }
    if base.target.is_real() {
        return Err(CliError::usage(format!(
            "{}: the scenario targets a real tenant; compare --tiers runs only on the simulated tenant (remove [target] url); nothing was sent",
            scenario.display()
        )));
    }
    for (i, name) in names.iter().enumerate() {
        if tier::builtin(name).is_none() {
            return Err(CliError::usage(format!(
                "--tiers: unknown tier {name:?}; built-in tiers: {}",
                tier::builtin_names().join(", ")
            )));
        }
        if names[..i].contains(name) {
            return Err(CliError::usage(format!("--tiers: {name} is listed twice")));
        }
    }
    let parallel = match args.parallel {
        Some(0) => return Err(CliError::usage("--parallel must be at least 1")),
        Some(n) => n,
        None => std::thread::available_parallelism().map_or(1, |n| n.get()),
    };
    names.sort_by_key(|n| cost::rank(n));
    // (name, its tier file and profile; none for a built-in tier)
    let mut tiers: Vec<(String, Option<(&Path, TierProfile)>)> =
        names.into_iter().map(|n| (n, None)).collect();
    for path in &args.tier_files {
        let profile = tier::load_file(path)
            .map_err(|e| CliError::usage(format!("--tier-file {}: {e}", path.display())))?;
        let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
        if !profile.name.chars().all(plain) || matches!(profile.name.as_str(), "" | "." | "..") {
            return Err(CliError::usage(format!(
                "--tier-file {}: its tier name {:?} names the tier's report folder; use letters, digits, '-', '_' or '.'",
                path.display(),
                profile.name
            )));
        }
        if tiers.iter().any(|(n, _)| *n == profile.name) {
            return Err(CliError::usage(format!(
                "--tier-file {}: its tier is named {:?}, like another tier of this comparison; give the file another `name`",
                path.display(),
                profile.name
            )));
        }
        tiers.push((profile.name.clone(), Some((path.as_path(), profile))));
    }
    let parallel = parallel.min(tiers.len());
    let dir = output_dir(args, &base)?;
    let mut jobs = Vec::new();
    for (name, file) in tiers {
        let plan = load_plan(
            scenario,
            Some(name.clone()),
            args.seed,
            file.as_ref().map(|f| f.0),
        )?;
        let profile = match file {
            Some((_, profile)) => profile,
            None => tier::builtin_or_err(&name).map_err(CliError::usage)?,
        };
        let tier_dir = report::prepare_out_dir(&dir.join(&name))
            .map_err(|e| CliError::failed(format!("cannot create the tier's folder: {e}")))?;
        jobs.push(Job {
            name,
            plan,
            profile,
            dir: tier_dir,
            clock: if args.fast_forward {
                Clock::Virtual
            } else {
                Clock::Real
            },
        });
    }
    let results = run_all(&jobs, parallel, &stop, args.quiet);

    let mut failures = Vec::new();
    let mut done: Vec<(&Job, Execution)> = Vec::new();
    for (job, result) in jobs.iter().zip(results) {
        match result {
            Some(Ok(execution)) => done.push((job, execution)),
            Some(Err(e)) => failures.push(format!("{}: {}", job.name, e.message)),
            None => failures.push(format!("{}: not run (interrupted)", job.name)),
        }
    }
    if stop.is_stopped() {
        // Tiers stopped part-way measured less traffic than the others: say so, never judge.
        failures.push("interrupted (Ctrl-C): runs that had started were cut short".to_string());
    }
    let runs: Vec<TierRun> = done
        .iter()
        .map(|(job, ex)| TierRun {
            tier: job.name.clone(),
            folder: job.name.clone(),
            snapshot: &ex.snapshot,
            thresholds: &ex.thresholds,
            quota_unknown: job.profile.quota_unknown,
        })
        .collect();
    if !runs.is_empty() {
        let description = Some(base.description.clone()).filter(|d| !d.is_empty());
        report::compare::write_tiers(&dir, &base.name, description, &runs)
            .map_err(|e| CliError::failed(format!("cannot write the comparison: {e}")))?;
        let o = &args.output;
        o.human(&console::tiers(&runs, &dir));
        let junit = || {
            let cases: Vec<_> = runs
                .iter()
                .flat_map(|r| {
                    let prefix = format!("quotaprobe.tiers.{}", r.tier);
                    report::junit::threshold_cases(&prefix, r.thresholds)
                })
                .collect();
            report::junit::render(&format!("quotaprobe compare {}", base.name), &cases)
        };
        o.files(junit, &report::ci_summary::tiers(&runs, &dir))?;
        o.document(&report::summary_json::compare_tiers(&runs, &dir));
    }
    if !failures.is_empty() {
        return Err(CliError::failed(format!(
            "the comparison is incomplete: {}",
            failures.join("; ")
        )));
    }
    Ok(if cheapest_fit(&runs).is_some() {
        Exit::Ok
    } else {
        Exit::Breached
    })
}

/// Runs the jobs, at most `parallel` at once, each on its own OS thread (`execute` starts its
/// own simulator thread and engine runtime). `None` for jobs skipped after a stop request.
fn run_all(
    jobs: &[Job],
    parallel: usize,
    stop: &StopSignal,
    quiet: bool,
) -> Vec<Option<Result<Execution, CliError>>> {
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Execution, CliError>>> = jobs.iter().map(|_| None).collect();
    let finished: Vec<(usize, Result<Execution, CliError>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..parallel.max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(job) = jobs.get(i) else { break };
                        if stop.is_stopped() {
                            break;
                        }
                        mine.push((i, run_one(job, i, jobs.len(), stop, quiet)));
                    }
                    mine
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|_| vec![]))
            .collect()
    });
    for (i, result) in finished {
        if let Some(slot) = results.get_mut(i) {
            *slot = Some(result);
        }
    }
    results
}

fn run_one(
    job: &Job,
    i: usize,
    total: usize,
    stop: &StopSignal,
    quiet: bool,
) -> Result<Execution, CliError> {
    let started = Instant::now();
    if !quiet {
        eprintln!("compare: [{}/{total}] {} started", i + 1, job.name);
    }
    let result = execute_on(
        &job.plan,
        &job.profile,
        &job.dir,
        stop.clone(),
        None,
        job.clock,
    );
    if !quiet && let Ok(ex) = &result {
        let all = report::verdict::total_row(&ex.snapshot);
        eprintln!(
            "compare: [{}/{total}] {} done in {:.1} s: {} sent, {} ok, {} 429",
            i + 1,
            job.name,
            started.elapsed().as_secs_f64(),
            all.sent,
            all.ok,
            all.status_429
        );
    }
    result
}

/// `--out DIR` (must be empty or new), else `reports/<scenario>-compare-<UTC time>/`.
fn output_dir(args: &CompareArgs, plan: &RunPlan) -> Result<PathBuf, CliError> {
    match &args.out {
        Some(dir) => report::prepare_out_dir(dir).map_err(CliError::usage),
        None => {
            let base = PathBuf::from(REPORTS);
            report::check_writable(&base)
                .map_err(|e| CliError::usage(format!("{e}; pass --out DIR to write elsewhere")))?;
            report::create_run_dir(
                &base,
                &format!("{}-compare", plan.name),
                None,
                SystemTime::now(),
            )
            .map_err(|e| CliError::usage(format!("{e}; pass --out DIR to write elsewhere")))
        }
    }
}
