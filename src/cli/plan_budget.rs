//! `plan`'s budget check: which guard would stop the test, and in which step. The forecast's
//! token requests against `--max-tokens` (a real tenant's guard, 100 unless given) and the
//! scenario's `stop.max_tokens`, its arrivals against `stop.max_requests`, and with `--tier`
//! the counted tokens against the tier's monthly M2M quota. Each stop is a finding.

use std::time::Duration;

use crate::scenario::{Forecast, RunPlan};
use crate::sim::TierProfile;

/// One guard that would end the test before its phases do.
#[derive(Debug, Clone, PartialEq)]
pub struct Stop {
    /// What stops it ("--max-tokens 100", "stop.max_requests 500", "free's monthly M2M quota").
    pub guard: String,
    /// The budget and what the plan would use.
    pub budget: u64,
    pub planned: f64,
    pub unit: &'static str,
    /// The step (phase) and time into the run where it is reached.
    pub step: String,
    pub at: Duration,
}

impl std::fmt::Display for Stop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} would stop the test in step {:?}, about {:.0} s in: the plan forecasts {:.0} {} and the budget is {}",
            self.guard,
            self.step,
            self.at.as_secs_f64(),
            self.planned,
            self.unit,
            self.budget
        )
    }
}

/// The phase and time of arrival `k` (0-based over the whole plan); the last arrival's when
/// `k` is past the end.
fn when(plan: &RunPlan, k: u64) -> Option<(String, Duration)> {
    let mut start = Duration::ZERO;
    let mut left = k;
    let mut last = None;
    for p in &plan.phases {
        let n = p.arrival_count();
        if left < n {
            return Some((p.name.clone(), start + p.arrival_at(left)?));
        }
        left -= n;
        start += p.duration;
        last = Some((p.name.clone(), start));
    }
    last
}

/// The arrival at which `per_arrival` × arrivals first exceeds `budget`.
fn stop_at(
    plan: &RunPlan,
    f: &Forecast,
    guard: String,
    budget: u64,
    planned: f64,
    unit: &'static str,
) -> Option<Stop> {
    if planned <= budget as f64 || f.total_arrivals == 0 {
        return None;
    }
    let per_arrival = planned / f.total_arrivals as f64;
    let k = (budget as f64 / per_arrival).floor() as u64;
    let (step, at) = when(plan, k)?;
    Some(Stop {
        guard,
        budget,
        planned,
        unit,
        step,
        at,
    })
}

/// Every guard the plan would run into, earliest first. `max_tokens` is `--max-tokens`.
pub fn stops(
    plan: &RunPlan,
    f: &Forecast,
    max_tokens: Option<u64>,
    tier: Option<&TierProfile>,
) -> Vec<Stop> {
    let tokens: f64 = f.audiences.iter().map(|a| a.token_requests).sum();
    let guard_tokens = match (plan.target.is_real(), max_tokens) {
        (_, Some(n)) => Some((format!("--max-tokens {n}"), n)),
        (true, None) => Some((
            format!(
                "--max-tokens (default {} against a real tenant)",
                super::guard::DEFAULT_MAX_TOKENS
            ),
            super::guard::DEFAULT_MAX_TOKENS,
        )),
        (false, None) => None,
    };
    let mut out = Vec::new();
    if let Some((guard, n)) = guard_tokens {
        out.extend(stop_at(plan, f, guard, n, tokens, "token requests"));
    }
    if let Some(n) = plan.stop.max_tokens {
        let guard = format!("stop.max_tokens {n}");
        out.extend(stop_at(plan, f, guard, n, tokens, "token requests"));
    }
    if let Some(n) = plan.stop.max_requests {
        let guard = format!("stop.max_requests {n}");
        out.extend(stop_at(
            plan,
            f,
            guard,
            n,
            f.total_arrivals as f64,
            "requests",
        ));
    }
    if let Some(t) = tier
        && let Some(q) = t.monthly_m2m_quota
    {
        let assumed = if t.quota_unknown {
            " (unpublished: assumed)"
        } else {
            ""
        };
        let guard = format!("{}'s monthly M2M quota {q}{assumed}", t.name);
        out.extend(stop_at(
            plan,
            f,
            guard,
            q,
            f.counted_tokens,
            "counted tokens",
        ));
    }
    out.sort_by_key(|s| s.at);
    out
}
