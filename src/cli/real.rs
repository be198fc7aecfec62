//! `quotaprobe run` against a real tenant: the caps ([`super::guard`]), the plan printed before
//! anything is sent, the confirmation (`--yes`, or `yes` typed at a terminal), then the same
//! engine and report as a simulated run, with the CA file and the rejected-credentials stop.
//! Secrets only travel inside [`Secret`]s: nothing here formats one.

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write as _};
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;

use super::guard::{self, Caps};
use super::print_out;
use super::{CliError, CliResult, Exit, RunArgs};
use crate::engine::{self, RunOptions, StopReason, StopSignal, Target};
use crate::metrics::RunFacts;
use crate::scenario::forecast::forecast;
use crate::scenario::request::request;
use crate::scenario::{RealPlan, RunPlan, Secret, TargetPlan};
use crate::sim::TierProfile;

/// `quotaprobe run`'s flags for real tenants (and `--dry-run`, which any target takes).
#[derive(Debug, Args)]
pub struct RealArgs {
    /// Print the plan (duration, peak rate per endpoint, requests, token forecast) and exit
    /// without sending anything.
    #[arg(long)]
    pub dry_run: bool,
    /// Real tenant: send without asking (otherwise type `yes` at a terminal; without a terminal
    /// the run is refused, exit 2).
    #[arg(long)]
    pub yes: bool,
    /// Real tenant: trust the PEM certificate(s) in FILE as extra roots (a private CA, or the
    /// certificate `quotaprobe serve --tls` writes).
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Real tenant: refuse plans longer than this, e.g. 30m (default and maximum 2h, the
    /// load-testing policy's limit).
    #[arg(long, value_name = "DURATION")]
    pub max_duration: Option<String>,
    /// Real tenant: stop after this many token requests (default 100; the scenario's
    /// stop.max_tokens applies when lower).
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u64>,
}

fn dur(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// The tier whose published limits are the rate ceilings: `--tier-file`, else `--tier`.
fn ceiling_tier(args: &RunArgs) -> Result<Option<TierProfile>, CliError> {
    match (&args.tier_file, &args.tier) {
        (Some(path), _) => crate::sim::tier::load_file(path)
            .map(Some)
            .map_err(|e| CliError::usage(format!("--tier-file {}: {e}", path.display()))),
        (None, Some(name)) => crate::sim::tier::builtin_or_err(name)
            .map(Some)
            .map_err(CliError::usage),
        (None, None) => Ok(None),
    }
}

/// The plan as people read it before sending: target, duration, requests, peak rate per
/// endpoint (with the tier's limit when known), token forecast per audience, caps.
pub(super) fn describe(plan: &RunPlan, caps: Option<&Caps>, tier: Option<&TierProfile>) -> String {
    let f = forecast(plan);
    let req = request(plan, &f);
    let mut s = String::new();
    let target = match &plan.target {
        TargetPlan::Real(r) => format!("REAL tenant {}", r.base_url),
        TargetPlan::Simulated(sp) => format!("the embedded simulator, tier {}", sp.tier),
    };
    let _ = writeln!(s, "Plan for {}: {target}", plan.name);
    let _ = writeln!(s, "  duration: {}", dur(plan.planned_duration()));
    let _ = writeln!(s, "  total requests (arrivals): {}", req.total_requests);
    if let Some(sp) = &plan.shard {
        // The forecast, peaks and tier ceilings below are the whole run's: every shard's
        // traffic reaches the same tenant.
        let _ = writeln!(
            s,
            "  shard {}: this process sends {} of them (one arrival in {}); the rates and forecasts below are for all shards together",
            sp.shard,
            plan.total_arrivals(),
            sp.shard.count
        );
    }
    for line in super::calendar::shape(plan)
        .lines()
        .filter(|l| !l.is_empty())
    {
        let _ = writeln!(s, "  {}", line.trim_start());
    }
    let _ = writeln!(s, "  peak rate per endpoint:");
    for (endpoint, peak) in &guard::endpoint_peaks(plan, &f) {
        let limit = tier
            .and_then(|t| guard::limit_for(t, endpoint).map(|l| (t, l)))
            .map(|(t, (burst, per_s))| format!(" (tier {} limit {per_s}/s, burst {burst})", t.name))
            .unwrap_or_default();
        let _ = writeln!(s, "    {endpoint}: {peak:.2}/s{limit}");
    }
    let _ = writeln!(s, "  token requests forecast (M2M quota):");
    for (audience, n, counts) in &req.tokens {
        let quota = if *counts {
            "counts toward the M2M quota"
        } else {
            "does not count"
        };
        let _ = writeln!(s, "    {audience}: {n:.0} ({quota})");
    }
    let _ = writeln!(
        s,
        "  tokens counted toward the quota: {}",
        // Rounded to a count first: `{:.0}` of a tiny negative estimate printed "-0".
        f.counted_tokens.round().max(0.0) as u64
    );
    if let Some(c) = caps {
        let _ = writeln!(
            s,
            "  caps: duration <= {}; stop after {} token requests; stop when fewer than {} tokens remain; stop at the first 401/403 on a token request",
            dur(c.max_duration),
            plan.stop.max_tokens.unwrap_or(c.max_tokens),
            plan.stop
                .min_quota_remaining
                .unwrap_or(guard::DEFAULT_MIN_QUOTA_REMAINING)
        );
    }
    for finding in &req.findings {
        let _ = writeln!(s, "  policy: {finding}");
    }
    if !req.findings.is_empty() {
        let _ = writeln!(
            s,
            "  (`quotaprobe plan SCENARIO` prints the load-test request with the ramp as phases)"
        );
    }
    s
}

/// `--yes`, or `yes` typed at a terminal; anything else refuses (exit 2, nothing sent).
pub(super) fn confirm(yes: bool, base_url: &str) -> Result<(), CliError> {
    if yes {
        return Ok(());
    }
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(CliError::usage(
            "this run sends load to a real tenant: pass --yes to confirm the plan above (or run it at a terminal and type yes); nothing was sent",
        ));
    }
    eprint!("Send this load to {base_url}? Type yes to continue: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    let _ = stdin.lock().read_line(&mut line);
    if line.trim() == "yes" {
        Ok(())
    } else {
        Err(CliError::usage("not confirmed; nothing was sent"))
    }
}

/// (client_id, secret) per plan client, all from the environment (the loader refuses literals).
fn credentials(plan: &RunPlan) -> Result<Vec<(String, Secret)>, CliError> {
    plan.clients
        .iter()
        .map(|c| match (&c.client_id, &c.client_secret) {
            (Some(id), Some(secret)) => Ok((id.clone(), secret.clone())),
            _ => Err(CliError::usage(format!(
                "clients `{}`: a real tenant needs client_id and client_secret from the environment, e.g. client_secret = \"${{AUTH0_CLIENT_SECRET}}\"; nothing was sent",
                c.name
            ))),
        })
        .collect()
}

/// Runs `plan` (a real target) with every guard rail; see the module docs.
pub(super) fn run(args: &RunArgs, mut plan: RunPlan, stop: StopSignal) -> CliResult {
    let TargetPlan::Real(rp) = plan.target.clone() else {
        return Err(CliError::failed(
            "real::run: the plan targets the simulator",
        ));
    };
    let caps = guard::caps(args.real.max_duration.as_deref(), args.real.max_tokens)
        .map_err(CliError::usage)?;
    guard::apply(&mut plan, &caps)
        .map_err(|e| CliError::usage(format!("{e}; nothing was sent")))?;
    let tier = ceiling_tier(args)?;
    print_out(&describe(&plan, Some(&caps), tier.as_ref()));
    if let Some(t) = &tier {
        let breaches = guard::ceilings(&guard::endpoint_peaks(&plan, &forecast(&plan)), t);
        if !breaches.is_empty() {
            let list: Vec<String> = breaches.iter().map(|b| format!("  {b}")).collect();
            return Err(CliError::usage(format!(
                "the plan exceeds tier {}'s published rate limits:\n{}\nlower the phase rates; nothing was sent",
                t.name,
                list.join("\n")
            )));
        }
    }
    if args.real.dry_run {
        print_out("dry run: nothing was sent\n");
        return Ok(Exit::Ok);
    }
    let client_credentials = credentials(&plan)?;
    let ca_pem = match &args.real.ca_file {
        Some(path) => Some(ca_file(path)?),
        None => None,
    };
    confirm(args.real.yes, &rp.base_url)?;
    let out = super::outcome::output_dir(args, &plan, None)?;
    let progress = !args.quiet;
    let start_at = args.shard.start_at(std::time::SystemTime::now())?;
    super::shard::wait(start_at, &stop, args.quiet)?;
    let options = RunOptions {
        progress,
        progress_every: args.progress_every,
        stop,
        monthly_quota: tier.as_ref().and_then(|t| t.monthly_m2m_quota),
        month_to_date_tokens: 0,
        client_credentials,
        ca_pem,
        stall: None,
    };
    let outcome = engine::run(&plan, &target(&rp), options).map_err(|e| {
        CliError::engine(
            &e,
            format!("the run could not start: {e}; nothing was sent"),
        )
    })?;
    let rejected = matches!(outcome.stop_reason, StopReason::CredentialsRejected { .. });
    let mut snapshot = outcome.snapshot;
    add_facts(&mut snapshot.run, &plan, &rp, &caps, tier.as_ref());
    let done = super::outcome::finish(&plan, snapshot, &out)?;
    super::outcome::deliver(args, &done, &out)?;
    if rejected {
        return Err(CliError::failed(
            "the tenant rejected the client credentials (401/403 on the token request); the run stopped at once. Check the client id and secret in the environment and the client's grants",
        ));
    }
    super::outcome::exit_of(&done, &out, args.strict || plan.strict)
}

/// The `--ca-file` PEM, checked before anything is sent (exit 2 when unreadable or empty).
pub(super) fn ca_file(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    let bad = |why: String| {
        CliError::usage(format!(
            "--ca-file {}: {why}; nothing was sent",
            path.display()
        ))
    };
    let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    match reqwest::Certificate::from_pem_bundle(&pem) {
        Ok(certs) if !certs.is_empty() => Ok(pem),
        Ok(_) => Err(bad("holds no PEM certificate".into())),
        Err(e) => Err(bad(format!("not PEM certificates: {e}"))),
    }
}

fn target(rp: &RealPlan) -> Target {
    Target {
        base_url: rp.base_url.clone(),
        management_audience: rp.management_audience.clone(),
        real: true,
    }
}

/// What the report should know about a real-tenant run beyond the engine's facts.
fn add_facts(
    run: &mut RunFacts,
    plan: &RunPlan,
    rp: &RealPlan,
    caps: &Caps,
    tier: Option<&TierProfile>,
) {
    run.description = Some(plan.description.clone());
    run.tenant_domain = Some(rp.domain.clone());
    run.tier = Some(tier.map(|t| t.name.clone()).unwrap_or_default());
    run.tier_monthly_quota = Some(tier.and_then(|t| t.monthly_m2m_quota));
    run.cap_max_duration_s = Some(caps.max_duration.as_secs());
    run.cap_max_tokens = Some(caps.max_tokens);
}
