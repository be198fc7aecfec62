//! What a plan will do before it is run: arrivals per phase, requests per operation, peak rate
//! per endpoint, and token requests per audience (the M2M quota forecast) under the chosen
//! token strategy. Pure arithmetic over a [`RunPlan`], so a reviewer can check it by hand.

use std::collections::BTreeMap;
use std::time::Duration;

use super::plan::*;

/// The audience label used for the Management API when its URL is not known yet.
pub const MANAGEMENT: &str = "management-api";

#[derive(Debug, Clone, PartialEq)]
pub struct Forecast {
    pub phases: Vec<PhaseForecast>,
    pub operations: Vec<OperationForecast>,
    /// (endpoint, peak requests per second), highest first.
    pub endpoints: Vec<(String, f64)>,
    pub audiences: Vec<AudienceForecast>,
    pub total_arrivals: u64,
    pub duration: Duration,
    /// Tokens counted toward the monthly M2M quota over the run.
    pub counted_tokens: f64,
}

impl Forecast {
    /// True when a phase is a closed loop: its requests (and so the totals, peak rates and
    /// token requests here, which count paced arrivals only) depend on how fast the target is.
    pub fn has_closed_loop(&self) -> bool {
        self.phases.iter().any(|p| p.concurrency.is_some())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct PhaseForecast {
    pub name: String,
    pub duration: Duration,
    pub rate_per_s: f64,
    pub ramp_to_per_s: f64,
    /// Paced arrivals; 0 for a closed loop, whose count depends on the target.
    pub arrivals: u64,
    /// Closed loop: requests kept in flight back to back (`concurrency`).
    pub concurrency: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OperationForecast {
    pub name: String,
    pub kind: &'static str,
    pub endpoint: String,
    /// Share of arrivals (weight / total weight).
    pub share: f64,
    pub requests: f64,
    pub peak_rps: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AudienceForecast {
    pub audience: String,
    /// Auth0's own API: never counts toward the M2M quota.
    pub internal: bool,
    pub token_requests: f64,
    /// How the number was reached, for a reviewer.
    pub basis: String,
}

/// Token lifetime per audience, as the forecast should assume it.
pub trait Lifetimes {
    fn lifetime(&self, audience: Option<&str>) -> Duration;
}

impl Lifetimes for RunPlan {
    fn lifetime(&self, audience: Option<&str>) -> Duration {
        match &self.target {
            TargetPlan::Simulated(sim) => audience
                .and_then(|a| sim.apis.iter().find(|api| api.audience == a))
                .map_or(sim.token_lifetime, |api| api.token_lifetime),
            // A real tenant's API settings are unknown here; Auth0's default.
            TargetPlan::Real(_) => Duration::from_secs(86_400),
        }
    }
}

/// Computes the forecast of `plan`.
pub fn forecast(plan: &RunPlan) -> Forecast {
    let phases: Vec<PhaseForecast> = plan
        .phases
        .iter()
        .map(|p| PhaseForecast {
            name: p.name.clone(),
            duration: p.duration,
            rate_per_s: p.rate_per_s,
            ramp_to_per_s: p.ramp_to_per_s,
            arrivals: p.arrival_count(),
            concurrency: p.concurrency,
        })
        .collect();
    let total_arrivals: u64 = phases.iter().map(|p| p.arrivals).sum();
    let duration: Duration = plan.phases.iter().map(|p| p.duration).sum();
    let peak = plan
        .phases
        .iter()
        .map(PhasePlan::peak_rate_per_s)
        .fold(0.0, f64::max);
    let total_weight = plan.total_weight().max(1) as f64;
    // [[jobs]]: each job's arrivals split evenly among its operations, at its own peak.
    let mut job_requests = vec![0.0; plan.operations.len()];
    let mut job_peak = vec![0.0; plan.operations.len()];
    for job in &plan.jobs {
        let share = 1.0 / job.operations.len().max(1) as f64;
        for &op in &job.operations {
            if let (Some(n), Some(p)) = (job_requests.get_mut(op), job_peak.get_mut(op)) {
                *n += job.phase.arrival_count() as f64 * share;
                *p += job.phase.peak_rate_per_s() * share;
            }
        }
    }
    let job_arrivals: u64 = plan.jobs.iter().map(|j| j.phase.arrival_count()).sum();

    let mut operations = Vec::new();
    let mut endpoints: BTreeMap<String, f64> = BTreeMap::new();
    // (client, audience label, scope) → (requests needing a bearer token, audience internal?)
    let mut bearer_uses: BTreeMap<(usize, String, Option<String>), f64> = BTreeMap::new();
    let mut token_ops: BTreeMap<String, f64> = BTreeMap::new();
    for (i, op) in plan.operations.iter().enumerate() {
        let share = f64::from(plan.arrival_weight(i)) / total_weight;
        let requests = total_arrivals as f64 * share + job_requests.get(i).copied().unwrap_or(0.0);
        let peak_rps = peak * share + job_peak.get(i).copied().unwrap_or(0.0);
        let endpoint = match &op.kind {
            OperationKind::Token { .. } => "POST /oauth/token".to_string(),
            OperationKind::Management { method, path, .. } => {
                format!("{method} {}", path.split('?').next().unwrap_or(path))
            }
            OperationKind::Http { method, url, .. } => {
                format!("{method} {}", url.split('?').next().unwrap_or(url))
            }
        };
        match &op.kind {
            OperationKind::Token { audience, .. } => {
                *token_ops.entry(label(audience.as_deref())).or_default() += requests;
            }
            OperationKind::Management { client, .. } => {
                *bearer_uses
                    .entry((*client, MANAGEMENT.to_string(), None))
                    .or_default() += requests;
            }
            OperationKind::Http {
                bearer: Some(b), ..
            } => {
                *bearer_uses
                    .entry((b.client, label(b.audience.as_deref()), b.scope.clone()))
                    .or_default() += requests;
            }
            OperationKind::Http { bearer: None, .. } => {}
        }
        *endpoints.entry(endpoint.clone()).or_default() += peak_rps;
        operations.push(OperationForecast {
            name: op.name.clone(),
            kind: op.kind.label(),
            endpoint,
            share,
            requests,
            peak_rps,
        });
    }

    let mut audiences: BTreeMap<String, AudienceForecast> = BTreeMap::new();
    for (aud, n) in token_ops {
        let e = entry(&mut audiences, &aud);
        e.token_requests += n;
        e.basis.push_str(&format!("{n:.0} from token operations; "));
    }
    for ((_, aud, _), uses) in &bearer_uses {
        let lookup = (aud != MANAGEMENT).then_some(aud.as_str());
        let (n, why) = match &plan.tokens.strategy {
            TokenStrategy::PerRequest => {
                (*uses, format!("{uses:.0} API calls × 1 (per-request); "))
            }
            TokenStrategy::Static { .. } => (0.0, "0 (static token); ".to_string()),
            TokenStrategy::Cache { refresh_skew } => {
                let life = plan.lifetime(lookup);
                let useful = life
                    .saturating_sub(*refresh_skew)
                    .max(Duration::from_secs(1));
                let n = (1.0 + (duration.as_secs_f64() / useful.as_secs_f64()).floor())
                    .min(uses.ceil());
                (
                    n,
                    format!(
                        "{n:.0} cached (lifetime {}, refreshed {} early); ",
                        humantime::format_duration(life),
                        humantime::format_duration(*refresh_skew)
                    ),
                )
            }
        };
        let e = entry(&mut audiences, aud);
        e.token_requests += n;
        e.basis.push_str(&why);
    }
    let mut audiences: Vec<AudienceForecast> = audiences.into_values().collect();
    for a in &mut audiences {
        a.basis = a.basis.trim_end_matches("; ").to_string();
    }
    // A fold from +0.0, not `sum()`: an empty f64 sum is -0.0, which validate printed as
    // "-0.0 tokens" for a run whose only token is the Management API's own.
    let counted_tokens = audiences
        .iter()
        .filter(|a| !a.internal)
        .fold(0.0, |n, a| n + a.token_requests);
    let mut endpoints: Vec<(String, f64)> = endpoints.into_iter().collect();
    endpoints.sort_by(|a, b| b.1.total_cmp(&a.1));
    Forecast {
        phases,
        operations,
        endpoints,
        audiences,
        total_arrivals: total_arrivals + job_arrivals,
        duration,
        counted_tokens,
    }
}

fn label(audience: Option<&str>) -> String {
    audience.unwrap_or(MANAGEMENT).to_string()
}

fn entry<'a>(
    map: &'a mut BTreeMap<String, AudienceForecast>,
    aud: &str,
) -> &'a mut AudienceForecast {
    map.entry(aud.to_string())
        .or_insert_with(|| AudienceForecast {
            audience: aud.to_string(),
            internal: aud == MANAGEMENT || aud.ends_with("/api/v2/"),
            token_requests: 0.0,
            basis: String::new(),
        })
}
