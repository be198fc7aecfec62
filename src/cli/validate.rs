//! `quotaprobe validate`: parse and resolve a scenario, print its plan and quota forecast.
//! Sends nothing.

use std::fmt::Write as _;

use super::{CliResult, Exit, ValidateArgs, load_plan};
use crate::scenario::forecast::{Forecast, forecast};
use crate::scenario::{RunPlan, TargetPlan, TokenStrategy};

pub(super) fn validate(args: ValidateArgs) -> CliResult {
    let plan = load_plan(&args.scenario, args.tier.clone(), None, None)?;
    let quota = super::tier_profile(&plan, None)?.and_then(|t| t.monthly_m2m_quota);
    if args.format == super::output::Format::Json {
        let target = match &plan.target {
            TargetPlan::Simulated(sim) => format!("simulated:{}", sim.tier),
            TargetPlan::Real(real) => real.base_url.clone(),
        };
        let doc =
            crate::report::summary_json::validate(&plan.name, &target, &forecast(&plan), quota);
        super::print_out(&crate::report::json::to_text(&doc));
        return Ok(Exit::Ok);
    }
    super::print_out(&render(&plan, &forecast(&plan), quota));
    super::print_out(&super::samples::flows(&plan));
    super::print_out(&super::samples::render(&plan));
    super::print_out(&format!(
        "ok: {} is valid; nothing was sent\n",
        args.scenario.display()
    ));
    Ok(Exit::Ok)
}

fn dur(d: std::time::Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// The plan as a reviewer reads it.
pub(super) fn render(plan: &RunPlan, f: &Forecast, monthly_quota: Option<u64>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "scenario  {}", plan.name);
    if !plan.description.is_empty() {
        let _ = writeln!(s, "          {}", plan.description);
    }
    let target = match &plan.target {
        TargetPlan::Simulated(sim) => format!("simulated tenant, tier {}", sim.tier),
        TargetPlan::Real(real) => format!("REAL tenant {}", real.base_url),
    };
    let _ = writeln!(s, "target    {target}");
    let _ = writeln!(s, "seed      {}", plan.seed);
    let tokens = match &plan.tokens.strategy {
        TokenStrategy::Cache { refresh_skew } => {
            format!("cache (refreshed {} before expiry)", dur(*refresh_skew))
        }
        other => other.label().to_string(),
    };
    let _ = writeln!(s, "tokens    {tokens}");
    let _ = writeln!(
        s,
        "retry     {} (max {} retries)",
        plan.retry.policy.label(),
        plan.retry.max_retries
    );

    let _ = writeln!(
        s,
        "\nPhases (arrivals = duration × (rate + ramp_to) / 2, rounded up)"
    );
    let _ = writeln!(
        s,
        "  {:<3}{:<16}{:>10}{:>10}{:>10}{:>15}{:>10}",
        "#", "name", "duration", "rate/s", "ramp_to/s", "max_in_flight", "arrivals"
    );
    for (i, (p, pf)) in plan.phases.iter().zip(&f.phases).enumerate() {
        let (rate, ramp_to, arrivals) = match pf.concurrency {
            Some(_) => ("closed".into(), "-".into(), "target".into()),
            None if p.cycle.is_some() => ("hourly".into(), "-".into(), pf.arrivals.to_string()),
            None => (
                p.rate_per_s.to_string(),
                p.ramp_to_per_s.to_string(),
                pf.arrivals.to_string(),
            ),
        };
        let _ = writeln!(
            s,
            "  {:<3}{:<16}{:>10}{:>10}{:>10}{:>15}{:>10}",
            i + 1,
            p.name,
            dur(p.duration),
            rate,
            ramp_to,
            p.max_in_flight,
            arrivals
        );
    }
    let _ = writeln!(
        s,
        "  {:<19}{:>10}{:>45}",
        "total",
        dur(f.duration),
        f.total_arrivals
    );

    s.push_str(&super::calendar::shape(plan));
    if f.has_closed_loop() {
        let _ = writeln!(
            s,
            "  closed loop: `closed` phases keep max_in_flight requests back to back; their count depends on the target, so the totals, peak rates and token requests below count paced arrivals only"
        );
    }
    let _ = writeln!(s, "\nOperations (requests = arrivals × share)");
    let w = super::samples::name_width(plan);
    let _ = writeln!(
        s,
        "  {:<w$}{:<12}{:<34}{:>8}{:>11}{:>9}",
        "name", "kind", "endpoint", "share", "requests", "peak/s"
    );
    for o in &f.operations {
        let _ = writeln!(
            s,
            "  {:<w$}{:<12}{:<34}{:>7.1}%{:>11.1}{:>9.2}",
            o.name,
            o.kind,
            o.endpoint,
            o.share * 100.0,
            o.requests,
            o.peak_rps
        );
    }
    let _ = writeln!(s, "\nPeak rate per endpoint");
    for (endpoint, rps) in &f.endpoints {
        let _ = writeln!(s, "  {endpoint:<54}{rps:>9.2}/s");
    }
    let _ = writeln!(s, "\nToken requests per audience (forecast)");
    let _ = writeln!(
        s,
        "  {:<36}{:<8}{:>10}  basis",
        "audience", "quota", "requests"
    );
    for a in &f.audiences {
        let counts = if a.internal { "no" } else { "yes" };
        let _ = writeln!(
            s,
            "  {:<36}{:<8}{:>10.1}  {}",
            a.audience, counts, a.token_requests, a.basis
        );
    }
    let quota = match monthly_quota {
        Some(q) => format!(
            "{:.1} tokens count toward the monthly M2M quota ({:.1}% of {q})",
            f.counted_tokens,
            f.counted_tokens * 100.0 / q.max(1) as f64
        ),
        None => format!(
            "{:.1} tokens count toward the monthly M2M quota (this tier has no fixed quota)",
            f.counted_tokens
        ),
    };
    let _ = writeln!(s, "  {quota}");
    if let TargetPlan::Simulated(sim) = &plan.target
        && sim.month_to_date_tokens > 0
    {
        let _ = writeln!(
            s,
            "  the month starts with {} tokens already used",
            sim.month_to_date_tokens
        );
    }

    let st = &plan.stop;
    let mut stops = Vec::new();
    if let Some(d) = st.max_duration {
        stops.push(format!("max_duration {}", dur(d)));
    }
    if let Some(n) = st.max_requests {
        stops.push(format!("max_requests {n}"));
    }
    if let Some(n) = st.max_tokens {
        stops.push(format!("max_tokens {n}"));
    }
    if let Some(n) = st.min_quota_remaining {
        stops.push(format!("min_quota_remaining {n}"));
    }
    if !stops.is_empty() {
        let _ = writeln!(s, "\nStops     {}", stops.join(", "));
    }
    if !plan.events.is_empty() {
        let _ = writeln!(s, "\nEvents");
        for e in &plan.events {
            let client = plan.clients.get(e.client).map_or("?", |c| c.name.as_str());
            let _ = writeln!(
                s,
                "  at {:<8} {} {}{}",
                dur(e.at),
                e.action.label(),
                client,
                e.audience
                    .as_ref()
                    .map(|a| format!(" {a}"))
                    .unwrap_or_default()
            );
        }
    }
    if !plan.thresholds.is_empty() {
        let _ = writeln!(s, "\nThresholds (breach => exit code 3)");
        for t in &plan.thresholds {
            let op = t
                .operation
                .and_then(|i| plan.operations.get(i))
                .map_or("ALL", |o| o.name.as_str());
            let cmp = if t.metric.is_minimum() { ">=" } else { "<=" };
            let abort = if t.abort { " (abort)" } else { "" };
            let _ = writeln!(s, "  {op} {} {cmp} {}{abort}", t.metric.key(), t.limit);
        }
    }
    s
}
