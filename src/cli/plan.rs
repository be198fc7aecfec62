//! `quotaprobe plan SCENARIO --format md|csv`: the load-test request Auth0 asks for before a
//! test against a real tenant, ready to attach to the approval request. Sends nothing.

use std::fmt::Write as _;
use std::time::Duration;

use super::{CliError, CliResult, Exit, PlanArgs};
use crate::scenario::forecast::forecast;
use crate::scenario::request::{LoadTestRequest, POLICY_MAX_DURATION, ramp_template, request};

pub(super) fn plan(args: PlanArgs) -> CliResult {
    let plan = load_sending_nothing(&args.scenario)?;
    let f = forecast(&plan);
    let req = request(&plan, &f);
    let tier = match &args.tier {
        Some(t) => Some(
            crate::sim::tier::builtin_or_err(t)
                .map_err(|e| CliError::usage(format!("--tier: {e}")))?,
        ),
        None => None,
    };
    let breaches = match &tier {
        Some(tier) => super::guard::ceilings(&super::guard::endpoint_peaks(&plan, &f), tier),
        None => Vec::new(),
    };
    let stops = super::plan_budget::stops(&plan, &f, args.max_tokens, tier.as_ref());
    let stop_lines = |lead: &str, quote: bool| -> String {
        let cell = |s: String| if quote { csv_quote(&s) } else { s };
        stops
            .iter()
            .map(|s| format!("{lead}{}\n", cell(s.to_string())))
            .collect()
    };
    let text = match args.format.as_str() {
        "md" => {
            markdown(&req)
                + &super::calendar::shape(&plan)
                + &tier_findings(args.tier.as_deref(), &breaches, "- ")
                + &stop_lines("- ", false)
        }
        "csv" => {
            csv(&req)
                + &tier_findings(args.tier.as_deref(), &breaches, "tier_finding,")
                + &stop_lines("finding,budget,", true)
        }
        "json" => crate::report::json::to_text(&crate::report::summary_json::plan(&req)),
        other => {
            return Err(CliError::usage(format!(
                "--format {other:?}: use md, csv or json"
            )));
        }
    };
    super::print_out(&text);
    Ok(if breaches.is_empty() && stops.is_empty() {
        Exit::Ok
    } else {
        Exit::Breached
    })
}

/// One line per endpoint planned above `--tier`'s published limit (the step that would stop
/// the test with 429s), each starting with `lead`.
fn tier_findings(tier: Option<&str>, breaches: &[super::guard::Breach], lead: &str) -> String {
    let Some(tier) = tier else {
        return String::new();
    };
    let mut s = String::new();
    if breaches.is_empty() {
        let _ = writeln!(
            s,
            "{lead}every endpoint's planned peak is within {tier}'s published limits"
        );
    }
    for b in breaches {
        let _ = writeln!(s, "{lead}on {tier}: {b}");
    }
    s
}

/// Loads the scenario for a plan, which sends nothing and so needs no secret: a `${VAR}` that is
/// not set reads as `unset-VAR` (the real environment is used where it is set).
fn load_sending_nothing(path: &std::path::Path) -> Result<crate::scenario::RunPlan, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("{}: cannot read: {e}", path.display())))?;
    let env = |name: &str| Some(std::env::var(name).unwrap_or_else(|_| format!("unset-{name}")));
    let known = crate::sim::tier::builtin_names();
    let ctx = crate::scenario::Context {
        env: &env,
        known_tiers: Some(known),
        overrides: crate::scenario::Overrides::default(),
    };
    crate::scenario::parse(path, &text, &ctx).map_err(CliError::usage)
}

fn dur(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

fn markdown(r: &LoadTestRequest) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Load-test request: {}\n", r.scenario);
    let _ = writeln!(s, "| item | value |\n|---|---|");
    let _ = writeln!(s, "| tenant | {} |", r.tenant);
    let _ = writeln!(
        s,
        "| duration | {} (policy maximum {}) |",
        dur(r.duration),
        dur(POLICY_MAX_DURATION)
    );
    let _ = writeln!(s, "| total requests | {} |", r.total_requests);
    let _ = writeln!(
        s,
        "| proposed window (UTC) | fill in: inside your region's off-peak window |"
    );
    let _ = writeln!(
        s,
        "| source of traffic | fill in: the egress IP addresses of the load generators |"
    );
    let _ = writeln!(
        s,
        "| tool | quotaprobe {} (open-model arrivals, no catch-up bursts) |\n",
        env!("CARGO_PKG_VERSION")
    );
    let _ = writeln!(
        s,
        "## Peak rate per endpoint\n\n| endpoint | peak rps |\n|---|---:|"
    );
    for (e, rps) in &r.endpoints {
        let _ = writeln!(s, "| `{e}` | {rps:.2} |");
    }
    let _ = writeln!(
        s,
        "\n## Ramp steps\n\n| step | duration | rate from (rps) | rate to (rps) |\n|---|---|---:|---:|"
    );
    for (name, d, from, to) in &r.steps {
        let _ = writeln!(s, "| {name} | {} | {from} | {to} |", dur(*d));
    }
    let _ = writeln!(
        s,
        "\n## Token requests (M2M quota)\n\n| audience | forecast requests | counts toward quota |\n|---|---:|---|"
    );
    for (aud, n, counts) in &r.tokens {
        let _ = writeln!(
            s,
            "| {aud} | {n:.0} | {} |",
            if *counts { "yes" } else { "no" }
        );
    }
    if r.findings.is_empty() {
        let _ = writeln!(
            s,
            "\nThe plan follows the policy's duration and ramp rules."
        );
    } else {
        let _ = writeln!(s, "\n## Findings against Auth0's load-testing policy\n");
        for f in &r.findings {
            let _ = writeln!(s, "- {f}");
        }
    }
    let (peak, full) = ramp_inputs(r);
    let _ = writeln!(
        s,
        "\n## The policy's ramp (25/50/75 % × 5 min), as scenario phases\n\n```toml\n{}```",
        ramp_template(peak, full)
    );
    s
}

/// A CSV cell in double quotes, inner quotes doubled.
fn csv_quote(v: &str) -> String {
    format!("\"{}\"", v.replace('"', "\"\""))
}

/// Every item of the Markdown form, one `section,item,value` row each.
fn csv(r: &LoadTestRequest) -> String {
    let mut s = String::from("section,item,value\n");
    let q = csv_quote;
    let _ = writeln!(s, "request,tenant,{}", q(&r.tenant));
    let _ = writeln!(s, "request,duration_s,{}", r.duration.as_secs_f64());
    let _ = writeln!(
        s,
        "request,policy_max_duration_s,{}",
        POLICY_MAX_DURATION.as_secs_f64()
    );
    let _ = writeln!(s, "request,total_requests,{}", r.total_requests);
    let _ = writeln!(
        s,
        "request,proposed_window_utc,{}",
        q("fill in: inside your region's off-peak window")
    );
    let _ = writeln!(
        s,
        "request,source_of_traffic,{}",
        q("fill in: the egress IP addresses of the load generators")
    );
    let _ = writeln!(
        s,
        "request,tool,{}",
        q(&format!(
            "quotaprobe {} (open-model arrivals, no catch-up bursts)",
            env!("CARGO_PKG_VERSION")
        ))
    );
    for (e, rps) in &r.endpoints {
        let _ = writeln!(s, "peak_rps,{},{rps:.3}", q(e));
    }
    for (name, d, from, to) in &r.steps {
        let _ = writeln!(s, "step,{},{} s {from}->{to} rps", q(name), d.as_secs_f64());
    }
    for (aud, n, counts) in &r.tokens {
        let _ = writeln!(
            s,
            "tokens,{},{n:.0}{}",
            q(aud),
            if *counts { "" } else { " (not counted)" }
        );
    }
    for f in &r.findings {
        let _ = writeln!(s, "finding,policy,{}", q(f));
    }
    if r.findings.is_empty() {
        let _ = writeln!(
            s,
            "policy,duration_and_ramp,{}",
            q("follows the policy's duration and ramp rules")
        );
    }
    let (peak, full) = ramp_inputs(r);
    let _ = writeln!(s, "ramp,toml,{}", q(&ramp_template(peak, full)));
    s
}

/// The peak rate and the last step's length, for the policy's ramp template.
fn ramp_inputs(r: &LoadTestRequest) -> (f64, Duration) {
    let peak = r
        .steps
        .iter()
        .map(|(_, _, a, b)| a.max(*b))
        .fold(0.0, f64::max);
    (
        peak,
        r.steps.last().map_or(Duration::from_secs(300), |s| s.1),
    )
}
