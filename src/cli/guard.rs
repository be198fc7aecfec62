//! Hard caps for runs against a real tenant, which hold even when the scenario is wrong: a
//! maximum duration (refuse longer plans), a maximum number of token requests and a minimum
//! quota remaining (both set on the plan's `stop`, so the engine's guards enforce them), and peak
//! rate ceilings per endpoint from a tier's published limits (refuse plans above them).
//! Pure functions over a [`RunPlan`], so each rule is tested in a table.

use std::time::Duration;

use crate::scenario::request::POLICY_MAX_DURATION;
use crate::scenario::{Forecast, OperationKind, RunPlan, TokenStrategy};
use crate::sim::TierProfile;

/// Token requests a real-tenant run may send unless `--max-tokens` says otherwise.
pub const DEFAULT_MAX_TOKENS: u64 = 100;
/// Stop when `Auth0-Client-Quota-Limit` shows fewer tokens remaining than this (real tenants,
/// unless the scenario sets `stop.min_quota_remaining`).
pub const DEFAULT_MIN_QUOTA_REMAINING: u64 = 10;

/// The caps in force for one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Caps {
    pub max_duration: Duration,
    pub max_tokens: u64,
}

fn dur(d: Duration) -> String {
    humantime::format_duration(d).to_string()
}

/// The caps from the flags: `--max-duration` may only lower the policy's 2 h.
pub fn caps(max_duration: Option<&str>, max_tokens: Option<u64>) -> Result<Caps, String> {
    let max_duration = match max_duration {
        None => POLICY_MAX_DURATION,
        Some(text) => {
            let d = humantime::parse_duration(text)
                .map_err(|e| format!("--max-duration {text:?}: {e} (write e.g. 30m or 1h30m)"))?;
            if d.is_zero() {
                return Err(format!("--max-duration {text:?}: must be more than zero"));
            }
            if d > POLICY_MAX_DURATION {
                return Err(format!(
                    "--max-duration {text}: above the load-testing policy's maximum of {}; it can only lower the cap",
                    dur(POLICY_MAX_DURATION)
                ));
            }
            d
        }
    };
    let max_tokens = max_tokens.unwrap_or(DEFAULT_MAX_TOKENS);
    if max_tokens == 0 {
        return Err("--max-tokens 0: a run needs at least one token request".into());
    }
    Ok(Caps {
        max_duration,
        max_tokens,
    })
}

/// Refuses a plan longer than the duration cap, then tightens the plan's `stop` so the engine
/// enforces the caps: `max_duration` and `max_tokens` never above the caps, and
/// `min_quota_remaining` set when the scenario left it out.
pub fn apply(plan: &mut RunPlan, caps: &Caps) -> Result<(), String> {
    let planned = plan.planned_duration();
    if planned > caps.max_duration {
        return Err(format!(
            "the plan runs {}, longer than the cap of {} (--max-duration; the load-testing policy allows at most {}); shorten the phases or set stop.max_duration",
            dur(planned),
            dur(caps.max_duration),
            dur(POLICY_MAX_DURATION)
        ));
    }
    let stop = &mut plan.stop;
    stop.max_duration = Some(
        stop.max_duration
            .map_or(caps.max_duration, |d| d.min(caps.max_duration)),
    );
    stop.max_tokens = Some(
        stop.max_tokens
            .map_or(caps.max_tokens, |n| n.min(caps.max_tokens)),
    );
    stop.min_quota_remaining
        .get_or_insert(DEFAULT_MIN_QUOTA_REMAINING);
    Ok(())
}

/// The token endpoint as the forecast names it.
const TOKEN_ENDPOINT: &str = "POST /oauth/token";

/// Peak rate per endpoint the tenant will see: the forecast's, plus, under the per-request token
/// strategy, one token request per call that carries a bearer token (the forecast lists only
/// explicit token operations on `/oauth/token`). Highest first.
pub fn endpoint_peaks(plan: &RunPlan, f: &Forecast) -> Vec<(String, f64)> {
    let mut peaks = f.endpoints.clone();
    if matches!(plan.tokens.strategy, TokenStrategy::PerRequest) {
        let extra: f64 = plan
            .operations
            .iter()
            .zip(&f.operations)
            .filter(|(op, _)| match &op.kind {
                OperationKind::Management { .. } => true,
                OperationKind::Http { bearer, .. } => bearer.is_some(),
                OperationKind::Token { .. } => false,
            })
            .map(|(_, o)| o.peak_rps)
            .sum();
        if extra > 0.0 {
            match peaks.iter_mut().find(|(e, _)| e == TOKEN_ENDPOINT) {
                Some(p) => p.1 += extra,
                None => peaks.push((TOKEN_ENDPOINT.to_string(), extra)),
            }
        }
    }
    peaks.sort_by(|a, b| b.1.total_cmp(&a.1));
    peaks
}

/// An endpoint whose planned peak rate is above the tier's published sustained limit.
#[derive(Debug, Clone, PartialEq)]
pub struct Breach {
    pub endpoint: String,
    pub peak_per_s: f64,
    pub limit_per_s: f64,
    pub burst: u64,
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: planned peak {:.2}/s, above the tier's limit of {}/s (burst {})",
            self.endpoint,
            self.peak_per_s,
            trim(self.limit_per_s),
            self.burst
        )
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.3}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// The tier's (burst, sustained per second) limit on an endpoint `"METHOD /path"`, for the
/// token endpoint and the Management API; `None` for anything else (custom APIs).
pub fn limit_for(tier: &TierProfile, endpoint: &str) -> Option<(u64, f64)> {
    let (method, path) = endpoint.split_once(' ')?;
    if endpoint == TOKEN_ENDPOINT {
        tier.token_endpoint_limit()
    } else if path.starts_with("/api/v2/") {
        tier.management_limit_for(method, path)
    } else {
        None
    }
}

/// Endpoints (`(endpoint, planned peak per second)`, as the forecast gives them) planned above
/// the tier's published limits.
pub fn ceilings(endpoints: &[(String, f64)], tier: &TierProfile) -> Vec<Breach> {
    endpoints
        .iter()
        .filter_map(|(endpoint, peak)| {
            let (burst, per_s) = limit_for(tier, endpoint)?;
            (*peak > per_s + 1e-9).then(|| Breach {
                endpoint: endpoint.clone(),
                peak_per_s: *peak,
                limit_per_s: per_s,
                burst,
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "guard_tests.rs"]
mod tests;
