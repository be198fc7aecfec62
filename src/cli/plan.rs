//! `quotaprobe plan SCENARIO --format md|csv`: the load-test request Auth0 asks for before a
//! test against a real tenant, ready to attach to the approval request. Sends nothing.

use std::fmt::Write as _;
use std::time::Duration;

use super::{CliError, CliResult, Exit, PlanArgs, load_plan};
use crate::scenario::forecast::forecast;
use crate::scenario::request::{LoadTestRequest, POLICY_MAX_DURATION, ramp_template, request};

pub(super) fn plan(args: PlanArgs) -> CliResult {
    let plan = load_plan(&args.scenario, None, None, None)?;
    let req = request(&plan, &forecast(&plan));
    let text = match args.format.as_str() {
        "md" => markdown(&req),
        "csv" => csv(&req),
        "json" => crate::report::json::to_text(&crate::report::summary_json::plan(&req)),
        other => {
            return Err(CliError::usage(format!(
                "--format {other:?}: use md, csv or json"
            )));
        }
    };
    super::print_out(&text);
    Ok(Exit::Ok)
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
    let peak = r
        .steps
        .iter()
        .map(|(_, _, a, b)| a.max(*b))
        .fold(0.0, f64::max);
    let full = r.steps.last().map_or(Duration::from_secs(300), |s| s.1);
    let _ = writeln!(
        s,
        "\n## The policy's ramp (25/50/75 % × 5 min), as scenario phases\n\n```toml\n{}```",
        ramp_template(peak, full)
    );
    s
}

fn csv(r: &LoadTestRequest) -> String {
    let mut s = String::from("section,item,value\n");
    let q = |v: &str| format!("\"{}\"", v.replace('"', "\"\""));
    let _ = writeln!(s, "request,tenant,{}", q(&r.tenant));
    let _ = writeln!(s, "request,duration_s,{}", r.duration.as_secs_f64());
    let _ = writeln!(s, "request,total_requests,{}", r.total_requests);
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
    s
}
