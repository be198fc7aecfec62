//! The load-test request Auth0 asks for before a test against a real tenant (its load-testing
//! policy: Enterprise only, written approval, at most 2 hours, inside published limits, ramp in
//! steps of 25/50/75 % for 5 minutes each). Built from a plan's forecast; pure data.

use std::time::Duration;

use super::forecast::Forecast;
use super::plan::{RunPlan, TargetPlan};

/// Auth0's maximum load-test duration.
pub const POLICY_MAX_DURATION: Duration = Duration::from_secs(2 * 3600);
/// The ramp Auth0's policy recommends before full rate: fraction of peak, minutes.
pub const POLICY_RAMP: [(f64, u64); 3] = [(0.25, 5), (0.50, 5), (0.75, 5)];

#[derive(Debug, Clone, PartialEq)]
pub struct LoadTestRequest {
    pub scenario: String,
    pub tenant: String,
    pub duration: Duration,
    pub total_requests: u64,
    /// (endpoint, peak requests per second).
    pub endpoints: Vec<(String, f64)>,
    /// (phase name, duration, rate from, rate to).
    pub steps: Vec<(String, Duration, f64, f64)>,
    /// (audience, forecast token requests, counts toward quota).
    pub tokens: Vec<(String, f64, bool)>,
    /// Findings against the policy; empty when the plan follows it.
    pub findings: Vec<String>,
}

pub fn request(plan: &RunPlan, f: &Forecast) -> LoadTestRequest {
    let tenant = match &plan.target {
        TargetPlan::Real(real) => real.domain.clone(),
        TargetPlan::Simulated(sim) => format!("(simulated tenant, tier {})", sim.tier),
    };
    let mut findings = Vec::new();
    if f.duration > POLICY_MAX_DURATION {
        findings.push(format!(
            "the phases last {}; Auth0 allows at most 2 hours",
            humantime::format_duration(f.duration)
        ));
    }
    let peak = plan
        .phases
        .iter()
        .map(|p| p.peak_rate_per_s())
        .fold(0.0, f64::max);
    if f.has_closed_loop() {
        findings.push(
            "a phase is a closed loop (concurrency): its rate depends on the tenant, so no peak rate can be requested; quotaprobe refuses closed loops against a real tenant — use rate = N"
                .to_string(),
        );
    }
    if !ramps_like_policy(plan, peak) {
        findings.push(
            "the phases do not ramp 25/50/75 % of peak for 5 min each before full rate; see the template below"
                .to_string(),
        );
    }
    LoadTestRequest {
        scenario: plan.name.clone(),
        tenant,
        duration: f.duration,
        total_requests: f.total_arrivals,
        endpoints: f.endpoints.clone(),
        steps: plan
            .phases
            .iter()
            .map(|p| (p.name.clone(), p.duration, p.rate_per_s, p.ramp_to_per_s))
            .collect(),
        tokens: f
            .audiences
            .iter()
            .map(|a| (a.audience.clone(), a.token_requests, !a.internal))
            .collect(),
        findings,
    }
}

/// True when the first phases hold 25, 50 and 75 % of peak for at least 5 minutes each.
fn ramps_like_policy(plan: &RunPlan, peak: f64) -> bool {
    POLICY_RAMP.iter().enumerate().all(|(i, (share, minutes))| {
        plan.phases.get(i).is_some_and(|p| {
            (p.peak_rate_per_s() - share * peak).abs() <= 0.01 * peak
                && p.duration >= Duration::from_secs(minutes * 60)
        })
    })
}

/// The policy's ramp as scenario phases, for a given peak rate and full-rate duration.
pub fn ramp_template(peak: f64, full: Duration) -> String {
    let mut s = String::new();
    for (share, minutes) in POLICY_RAMP {
        s.push_str(&format!(
            "[[phases]]\nname = \"ramp-{:.0}pct\"\nduration = \"{minutes}m\"\nrate = {}\n\n",
            share * 100.0,
            round2(peak * share)
        ));
    }
    s.push_str(&format!(
        "[[phases]]\nname = \"full\"\nduration = \"{}\"\nrate = {}\n",
        humantime::format_duration(full),
        round2(peak)
    ));
    s
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
