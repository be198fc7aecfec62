//! The resolved, validated plan of a run: what the engine executes. Built only by
//! [`crate::scenario::load`]; every value here has been checked, every `${VAR}` resolved.

use std::time::Duration;

pub use super::cycle::{Cycle, JobPlan};
pub use super::data_plan::{DataFilePlan, DataPlan, PacingPlan, VarPlan};
pub use super::flow_plan::{Capture, CaptureFrom, FlowPlan, StepPlan, Think};
use super::secret::Secret;

/// A scenario, resolved. The engine sees only this (plus a target URL from the CLI).
#[derive(Debug, Clone)]
pub struct RunPlan {
    pub name: String,
    pub description: String,
    /// Seed for weighted operation picks and retry jitter; recorded in the report.
    pub seed: u64,
    pub target: TargetPlan,
    pub clients: Vec<ClientPlan>,
    pub tokens: TokenPlan,
    pub operations: Vec<OperationPlan>,
    pub retry: RetryPlan,
    pub phases: Vec<PhasePlan>,
    pub stop: StopPlan,
    pub events: Vec<EventPlan>,
    pub thresholds: Vec<ThresholdPlan>,
    pub http: HttpPlan,
    /// Set by [`RunPlan::into_shard`] (scenario/split.rs) (`--shard I/N`): this run is one shard of a larger one.
    pub shard: Option<super::shard::ShardPlan>,
    /// How late an arrival may still be sent.
    pub pacing: PacingPlan,
    /// Where `{{name}}` holes get their values (scenario/resolve/data.rs checked every hole).
    pub data: DataPlan,
    /// Multi-step flows; their steps are among `operations` (weight 0).
    pub flows: Vec<FlowPlan>,
    /// `start`: the calendar time the run begins at (fast-forward only); `None`: 00:00 UTC on
    /// the 1st of the current month. Clock times (`hourly`, `[[jobs]] at`) count from it.
    pub start: Option<std::time::SystemTime>,
    /// `[[jobs]]`: loads at clock times on top of the phases (scenario/cycle.rs).
    pub jobs: Vec<JobPlan>,
    /// `strict = true`: a "does not fit" verdict exits 3, as `run --strict` does.
    pub strict: bool,
}

/// Where requests go.
#[derive(Debug, Clone)]
pub enum TargetPlan {
    /// The embedded simulated tenant (the CLI starts it and hands the engine its URL).
    Simulated(SimulatedPlan),
    /// A real tenant.
    Real(RealPlan),
}

#[derive(Debug, Clone)]
pub struct SimulatedPlan {
    /// Tier profile name (validated against the built-in list unless a tier file is given).
    pub tier: String,
    /// M2M tokens already used this month when the run starts.
    pub month_to_date_tokens: u64,
    /// Users seeded in the simulator's store.
    pub users: u32,
    /// Lifetime of tokens for APIs without their own `token_lifetime`.
    pub token_lifetime: Duration,
    /// Custom APIs to register (every audience used by an operation is registered too).
    pub apis: Vec<ApiPlan>,
    /// Faults the simulated tenant injects.
    pub faults: FaultPlan,
}

/// What the simulated tenant does wrong (all zero: nothing). Ratios are per request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultPlan {
    pub latency: Duration,
    pub latency_max: Duration,
    pub error_ratio: f64,
    pub drop_ratio: f64,
    pub stall_ratio: f64,
    pub stall: Duration,
    pub malformed_ratio: f64,
    pub garbage_headers_ratio: f64,
    pub token_exp_shortfall: Duration,
    /// Window from the run's start; `until = None` means to the end.
    pub from: Duration,
    pub until: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct ApiPlan {
    pub audience: String,
    pub token_lifetime: Duration,
}

#[derive(Debug, Clone)]
pub struct RealPlan {
    /// Base URL, e.g. `https://example.eu.auth0.com` (no trailing slash).
    pub base_url: String,
    /// Tenant domain, the host of `base_url` unless `domain` was given.
    pub domain: String,
    /// Management API audience, default `https://{domain}/api/v2/`.
    pub management_audience: String,
}

impl TargetPlan {
    pub fn is_real(&self) -> bool {
        matches!(self, TargetPlan::Real(_))
    }
}

/// An application (M2M client) whose credentials the run uses.
#[derive(Debug, Clone)]
pub struct ClientPlan {
    pub name: String,
    /// `None` on a simulated target: the simulator provisions an id from the name.
    pub client_id: Option<String>,
    /// `None` on a simulated target: the simulator provisions one.
    pub client_secret: Option<Secret>,
    /// Client-side self-throttle (requests per second) across all its operations.
    pub throttle_per_s: Option<f64>,
    /// Fine-grained token quota to provision on the simulated tenant.
    pub quota: Option<ClientQuotaPlan>,
    /// Audiences deliberately *not* granted on the simulated tenant (to test 403s).
    pub ungranted: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientQuotaPlan {
    pub per_hour: Option<u64>,
    pub per_day: Option<u64>,
    pub enforce: bool,
}

#[derive(Debug, Clone)]
pub struct TokenPlan {
    pub strategy: TokenStrategy,
    /// Body format of token requests.
    pub format: TokenFormat,
}

#[derive(Debug, Clone)]
pub enum TokenStrategy {
    /// Reuse one token per (client, audience, scope) until `exp - refresh_skew`; one refresh in flight.
    Cache { refresh_skew: Duration },
    /// A fresh token before every API call (the anti-pattern whose cost users need to see).
    PerRequest,
    /// A hand-made token from the environment, never refreshed; its `exp` ends the run.
    Static { token: Secret },
}

impl TokenStrategy {
    pub fn label(&self) -> &'static str {
        match self {
            TokenStrategy::Cache { .. } => "cache",
            TokenStrategy::PerRequest => "per-request",
            TokenStrategy::Static { .. } => "static",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenFormat {
    Form,
    Json,
}

/// One operation of the weighted mix.
#[derive(Debug, Clone)]
pub struct OperationPlan {
    pub name: String,
    pub kind: OperationKind,
    /// Relative weight in the mix (> 0 for at least one operation).
    pub weight: u32,
    /// Per-operation self-throttle (requests per second).
    pub throttle_per_s: Option<f64>,
}

#[derive(Debug, Clone)]
pub enum OperationKind {
    /// `POST /oauth/token` with client credentials for `audience`.
    /// `audience = None` means the Management API audience of the target.
    Token {
        client: usize,
        audience: Option<String>,
        scope: Option<String>,
        /// Extra request headers (never `Authorization` or `Content-Type`: the tool's).
        headers: Vec<(String, String)>,
    },
    /// A Management API call (`path` starts with `/api/v2/`), with a Management-audience token.
    Management {
        client: usize,
        method: String,
        path: String,
        /// Extra request headers (never `Authorization`: the bearer is the tool's).
        headers: Vec<(String, String)>,
        body: Option<String>,
    },
    /// Any request to an absolute or target-relative URL, optionally with a bearer token.
    Http {
        method: String,
        url: String,
        headers: Vec<(String, String)>,
        body: Option<String>,
        bearer: Option<BearerPlan>,
    },
}

impl OperationKind {
    pub fn label(&self) -> &'static str {
        match self {
            OperationKind::Token { .. } => "token",
            OperationKind::Management { .. } => "management",
            OperationKind::Http { .. } => "http",
        }
    }
}

#[derive(Debug, Clone)]
pub struct BearerPlan {
    pub client: usize,
    /// `None` means the Management API audience of the target.
    pub audience: Option<String>,
    pub scope: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RetryPlan {
    pub policy: RetryPolicy,
    pub max_retries: u32,
    /// Exponential: first delay.
    pub base: Duration,
    /// Exponential: largest delay.
    pub cap: Duration,
    /// Exponential: random fraction added (0.0..=1.0).
    pub jitter: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryPolicy {
    None,
    /// Wait `Retry-After`, else until `x-ratelimit-reset`.
    RetryAfter,
    Exponential,
    /// node-auth0's current Management client rules (src/engine/retry/sdk_node.rs).
    SdkNode,
    /// auth0-python's authentication client rules (src/engine/retry/sdk_python.rs).
    SdkPython,
}

impl RetryPolicy {
    pub fn label(self) -> &'static str {
        match self {
            RetryPolicy::None => "none",
            RetryPolicy::RetryAfter => "retry-after",
            RetryPolicy::Exponential => "exponential",
            RetryPolicy::SdkNode => "sdk-node",
            RetryPolicy::SdkPython => "sdk-python",
        }
    }
}

/// A phase of the arrival schedule. Arrival `i` (0-based) of a phase happens when the cumulative
/// count `N(t) = r0·t + (r1 − r0)·t² / (2·D)` reaches `i`; the phase has `ceil(N(D))` arrivals.
#[derive(Debug, Clone, PartialEq)]
pub struct PhasePlan {
    pub name: String,
    pub duration: Duration,
    /// Arrivals per second at the start of the phase (all operations together).
    pub rate_per_s: f64,
    /// Arrivals per second at the end; equal to `rate_per_s` without a ramp.
    pub ramp_to_per_s: f64,
    /// Arrivals beyond this many requests in flight are dropped and counted, never queued.
    /// A closed-loop phase has `max_in_flight` = its concurrency.
    pub max_in_flight: usize,
    /// Closed loop (`concurrency = N`): N requests back to back, none scheduled by rate;
    /// `rate_per_s` and `ramp_to_per_s` are then 0, so the phase has no paced arrivals.
    pub concurrency: Option<usize>,
    /// A rate on the calendar (`hourly = [...]`, a job's window): arrivals follow it, and
    /// `rate_per_s` = `ramp_to_per_s` is its mean rate (for the print only).
    pub cycle: Option<Cycle>,
}

impl PhasePlan {
    /// Expected arrivals by `t` into the phase (the integral of the rate).
    pub fn cumulative(&self, t: Duration) -> f64 {
        if let Some(c) = &self.cycle {
            return c.cumulative(t.min(self.duration));
        }
        let d = self.duration.as_secs_f64();
        let t = t.as_secs_f64().min(d);
        self.rate_per_s * t + (self.ramp_to_per_s - self.rate_per_s) * t * t / (2.0 * d)
    }

    /// Number of arrivals in the whole phase.
    pub fn arrival_count(&self) -> u64 {
        let n = self.cumulative(self.duration);
        // Guard against float noise turning an exact integer into n + 1.
        let rounded = n.round();
        if (n - rounded).abs() < 1e-9 {
            rounded as u64
        } else {
            n.ceil() as u64
        }
    }

    /// Intended offset of arrival `i` from the phase start, or `None` past the phase's end.
    pub fn arrival_at(&self, i: u64) -> Option<Duration> {
        if i >= self.arrival_count() {
            return None;
        }
        let d = self.duration.as_secs_f64();
        if let Some(c) = &self.cycle {
            return Some(Duration::from_secs_f64(c.time_of(i).clamp(0.0, d)));
        }
        let i = i as f64;
        let r0 = self.rate_per_s;
        let a = (self.ramp_to_per_s - r0) / d;
        let t = if a.abs() < 1e-12 {
            i / r0
        } else {
            // Solve r0·t + a·t²/2 = i for the root in [0, D].
            (-r0 + (r0 * r0 + 2.0 * a * i).max(0.0).sqrt()) / a
        };
        Some(Duration::from_secs_f64(t.clamp(0.0, d)))
    }

    /// The highest arrival rate in the phase.
    pub fn peak_rate_per_s(&self) -> f64 {
        if let Some(c) = &self.cycle {
            return c.peak_rate();
        }
        self.rate_per_s.max(self.ramp_to_per_s)
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StopPlan {
    pub max_duration: Option<Duration>,
    pub max_requests: Option<u64>,
    /// Quota guard: stop issuing token requests after this many.
    pub max_tokens: Option<u64>,
    /// Stop when a quota header says fewer than this many tokens remain.
    pub min_quota_remaining: Option<u64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EventPlan {
    pub at: Duration,
    pub action: EventAction,
    pub client: usize,
    /// For grant actions: the audience (`None` = the Management API).
    pub audience: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventAction {
    RotateSecret,
    DeleteGrant,
    RestoreGrant,
}

impl EventAction {
    pub fn label(self) -> &'static str {
        match self {
            EventAction::RotateSecret => "rotate-secret",
            EventAction::DeleteGrant => "delete-grant",
            EventAction::RestoreGrant => "restore-grant",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ThresholdPlan {
    /// Operation index, or `None` for all operations together (`"ALL"`).
    pub operation: Option<usize>,
    pub metric: ThresholdMetric,
    pub limit: f64,
    /// Stop the run early when breached.
    pub abort: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ThresholdMetric {
    /// Corrected p99 latency must be ≤ limit (ms).
    P99Ms,
    /// Corrected p50 latency must be ≤ limit (ms).
    P50Ms,
    /// 429s / sent must be ≤ limit.
    Max429Ratio,
    /// (everything not ok) / sent must be ≤ limit.
    MaxErrorRatio,
    /// achieved requests per second must be ≥ limit.
    MinAchievedRps,
    /// projected monthly quota use must be ≤ limit percent of the tier's quota.
    MaxQuotaPct,
    /// successful requests per second must be ≥ limit.
    MinOkRps,
    /// attempts on the wire per second (retries included) must be ≤ limit.
    MaxWireRps,
}

impl ThresholdMetric {
    pub const ALL: [ThresholdMetric; 8] = [
        ThresholdMetric::P99Ms,
        ThresholdMetric::P50Ms,
        ThresholdMetric::Max429Ratio,
        ThresholdMetric::MaxErrorRatio,
        ThresholdMetric::MinAchievedRps,
        ThresholdMetric::MaxQuotaPct,
        ThresholdMetric::MinOkRps,
        ThresholdMetric::MaxWireRps,
    ];

    /// The key used in scenario files and reports.
    pub fn key(self) -> &'static str {
        match self {
            ThresholdMetric::P99Ms => "p99_ms",
            ThresholdMetric::P50Ms => "p50_ms",
            ThresholdMetric::Max429Ratio => "max_429_ratio",
            ThresholdMetric::MaxErrorRatio => "max_error_ratio",
            ThresholdMetric::MinAchievedRps => "min_achieved_rps",
            ThresholdMetric::MaxQuotaPct => "max_quota_pct",
            ThresholdMetric::MinOkRps => "min_ok_rps",
            ThresholdMetric::MaxWireRps => "max_wire_rps",
        }
    }

    /// True when the measured value must stay at or above the limit (else at or below).
    pub fn is_minimum(self) -> bool {
        matches!(
            self,
            ThresholdMetric::MinAchievedRps | ThresholdMetric::MinOkRps
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct HttpPlan {
    /// Whole-request timeout.
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

impl RunPlan {
    /// Total planned arrivals over all phases (of this shard, when sharded).
    pub fn total_arrivals(&self) -> u64 {
        let all = self
            .phases
            .iter()
            .map(PhasePlan::arrival_count)
            .sum::<u64>()
            + self
                .jobs
                .iter()
                .map(|j| j.phase.arrival_count())
                .sum::<u64>();
        self.shard.as_ref().map_or(all, |s| s.shard.share(all))
    }

    /// Planned duration: the sum of the phases, cut by `stop.max_duration`.
    pub fn planned_duration(&self) -> Duration {
        let sum: Duration = self.phases.iter().map(|p| p.duration).sum();
        match self.stop.max_duration {
            Some(max) => sum.min(max),
            None => sum,
        }
    }

    /// Sum of operation and flow weights (> 0 after validation).
    pub fn total_weight(&self) -> u64 {
        let ops: u64 = self.operations.iter().map(|o| u64::from(o.weight)).sum();
        ops + self.flows.iter().map(|f| u64::from(f.weight)).sum::<u64>()
    }

    /// The weight that decides how often operation `op` is sent per arrival: its own, or for
    /// a flow's step the flow's (an upper bound: a flow that ends early skips its later steps).
    pub fn arrival_weight(&self, op: usize) -> u32 {
        let own = self.operations.get(op).map_or(0, |o| o.weight);
        let flows = self
            .flows
            .iter()
            .filter(|f| f.steps.iter().any(|s| s.op == op))
            .map(|f| f.weight)
            .sum::<u32>();
        own + flows
    }

    /// True when the plan places load at clock times (`start`, `hourly`, `[[jobs]]`): it needs
    /// the virtual calendar of `run --fast-forward`.
    pub fn uses_calendar(&self) -> bool {
        self.start.is_some()
            || !self.jobs.is_empty()
            || self.phases.iter().any(|p| p.cycle.is_some())
    }

    pub fn operation_index(&self, name: &str) -> Option<usize> {
        self.operations.iter().position(|o| o.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phase(secs: f64, r0: f64, r1: f64) -> PhasePlan {
        PhasePlan {
            name: "p".into(),
            duration: Duration::from_secs_f64(secs),
            rate_per_s: r0,
            ramp_to_per_s: r1,
            max_in_flight: 64,
            concurrency: None,
            cycle: None,
        }
    }

    #[test]
    fn arrival_counts() {
        // (duration s, rate, ramp_to, expected arrivals)
        let table = [
            (30.0, 5.0, 5.0, 150),
            (30.0, 5.0, 40.0, 675), // (5 + 40) / 2 * 30
            (1.0, 0.5, 0.5, 1),     // one arrival at t = 0
            (2.5, 2.0, 2.0, 5),
            (10.0, 0.0, 10.0, 50),
            (1.0, 3.0, 3.5, 4), // 3.25 → ceil
        ];
        for (d, r0, r1, want) in table {
            assert_eq!(
                phase(d, r0, r1).arrival_count(),
                want,
                "{d} s at {r0}->{r1}"
            );
        }
    }

    #[test]
    fn arrival_times_are_monotonic_and_inside_the_phase() {
        let p = phase(30.0, 5.0, 40.0);
        let mut last = Duration::ZERO;
        for i in 0..p.arrival_count() {
            let t = p.arrival_at(i).unwrap_or(Duration::MAX);
            assert!(t >= last && t <= p.duration, "arrival {i} at {t:?}");
            last = t;
        }
        assert_eq!(p.arrival_at(p.arrival_count()), None);
        assert_eq!(
            phase(2.0, 4.0, 4.0).arrival_at(3),
            Some(Duration::from_millis(750))
        );
    }

    #[test]
    fn ramp_from_zero_starts_at_zero() {
        let p = phase(10.0, 0.0, 10.0);
        assert_eq!(p.arrival_at(0), Some(Duration::ZERO));
        // N(t) = t²/2 → arrival 2 at t = 2 s.
        let t = p.arrival_at(2).map(|d| d.as_secs_f64()).unwrap_or(-1.0);
        assert!((t - 2.0).abs() < 1e-9, "{t}");
    }
}
