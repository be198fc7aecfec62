//! `quotaprobe run` against a real tenant: the caps ([`super::guard`]), the plan printed before
//! anything is sent, the confirmation (`--yes`, or `yes` typed at a terminal), then the same
//! engine and report as a simulated run, with the CA file and the rejected-credentials stop.
//! Secrets only travel inside [`Secret`]s: nothing here formats one.

use std::fmt::Write as _;
use std::io::{BufRead, IsTerminal, Write as _};
use std::time::Duration;

use super::guard::{self, Caps};
use super::{CliError, CliResult, Exit, RunArgs};
use crate::engine::{self, RunOptions, StopReason, StopSignal, Target};
use crate::scenario::forecast::forecast;
use crate::scenario::request::request;
use crate::scenario::{RealPlan, RunPlan, Secret, TargetPlan};
use crate::sim::TierProfile;

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
    let _ = writeln!(s, "  peak rate per endpoint:");
    for (endpoint, peak) in &req.endpoints {
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
        "  tokens counted toward the quota: {:.0}",
        f.counted_tokens.max(0.0)
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
fn confirm(yes: bool, base_url: &str) -> Result<(), CliError> {
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
    let caps =
        guard::caps(args.max_duration.as_deref(), args.max_tokens).map_err(CliError::usage)?;
    guard::apply(&mut plan, &caps)
        .map_err(|e| CliError::usage(format!("{e}; nothing was sent")))?;
    let tier = ceiling_tier(args)?;
    print!("{}", describe(&plan, Some(&caps), tier.as_ref()));
    if let Some(t) = &tier {
        let breaches = guard::ceilings(&forecast(&plan).endpoints, t);
        if !breaches.is_empty() {
            let list: Vec<String> = breaches.iter().map(|b| format!("  {b}")).collect();
            return Err(CliError::usage(format!(
                "the plan exceeds tier {}'s published rate limits:\n{}\nlower the phase rates; nothing was sent",
                t.name,
                list.join("\n")
            )));
        }
    }
    if args.dry_run {
        println!("dry run: nothing was sent");
        return Ok(Exit::Ok);
    }
    let client_credentials = credentials(&plan)?;
    let ca_pem = match &args.ca_file {
        Some(path) => Some(std::fs::read(path).map_err(|e| {
            CliError::usage(format!(
                "--ca-file {}: {e}; nothing was sent",
                path.display()
            ))
        })?),
        None => None,
    };
    confirm(args.yes, &rp.base_url)?;
    let out = super::run::output_dir(args, &plan, None)?;
    let progress = !args.quiet && std::io::stderr().is_terminal();
    let options = RunOptions {
        progress,
        stop,
        monthly_quota: tier.as_ref().and_then(|t| t.monthly_m2m_quota),
        month_to_date_tokens: 0,
        client_credentials,
        ca_pem,
    };
    let outcome = engine::run(&plan, &target(&rp), options)
        .map_err(|e| CliError::failed(format!("the run could not start: {e}; nothing was sent")))?;
    let rejected = matches!(outcome.stop_reason, StopReason::CredentialsRejected { .. });
    let mut snapshot = outcome.snapshot;
    snapshot.run.extend(facts(&plan, &rp, &caps, tier.as_ref()));
    let done = super::run::finish(&plan, snapshot, &out)?;
    print!(
        "{}",
        crate::report::console::render(&done.snapshot, &out, &done.thresholds)
    );
    if rejected {
        return Err(CliError::failed(
            "the tenant rejected the client credentials (401/403 on the token request); the run stopped at once. Check the client id and secret in the environment and the client's grants",
        ));
    }
    Ok(if crate::metrics::threshold::all_passed(&done.thresholds) {
        Exit::Ok
    } else {
        Exit::Breached
    })
}

fn target(rp: &RealPlan) -> Target {
    Target {
        base_url: rp.base_url.clone(),
        management_audience: rp.management_audience.clone(),
        real: true,
    }
}

/// What the report should know about a real-tenant run beyond the engine's facts.
fn facts(
    plan: &RunPlan,
    rp: &RealPlan,
    caps: &Caps,
    tier: Option<&TierProfile>,
) -> Vec<(String, String)> {
    vec![
        ("description".into(), plan.description.clone()),
        ("tenant_domain".into(), rp.domain.clone()),
        (
            "tier".into(),
            tier.map(|t| t.name.clone()).unwrap_or_default(),
        ),
        (
            "tier_monthly_quota".into(),
            tier.and_then(|t| t.monthly_m2m_quota)
                .map(|q| q.to_string())
                .unwrap_or_default(),
        ),
        (
            "cap_max_duration_s".into(),
            caps.max_duration.as_secs().to_string(),
        ),
        ("cap_max_tokens".into(), caps.max_tokens.to_string()),
    ]
}
