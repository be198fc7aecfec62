//! The scenario file as written: serde types mirroring the TOML, with unknown keys refused.
//! Values are raw here (strings may hold `${VAR}`s, durations are humantime text); `resolve`
//! turns a [`ScenarioSpec`] into a [`super::RunPlan`].

use std::collections::BTreeMap;

use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioSpec {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub target: Option<TargetSpec>,
    #[serde(default)]
    pub clients: Vec<ClientSpec>,
    #[serde(default)]
    pub tokens: Option<TokensSpec>,
    #[serde(default)]
    pub operations: Vec<OperationSpec>,
    #[serde(default)]
    pub retry: Option<RetrySpec>,
    #[serde(default)]
    pub phases: Vec<PhaseSpec>,
    #[serde(default)]
    pub stop: Option<StopSpec>,
    #[serde(default)]
    pub events: Vec<EventSpec>,
    #[serde(default)]
    pub thresholds: BTreeMap<String, ThresholdSpec>,
    #[serde(default)]
    pub http: Option<HttpSpec>,
    /// `[pacing]`: how late an arrival may go out.
    #[serde(default)]
    pub pacing: Option<PacingSpec>,
    /// `[[data]]`: files whose rows fill `{{file.column}}` holes.
    #[serde(default)]
    pub data: Vec<DataSpec>,
    /// `[vars.NAME]`: generators that fill `{{NAME}}` holes.
    #[serde(default)]
    pub vars: BTreeMap<String, VarSpec>,
    /// `strict = true`: a "does not fit" verdict exits 3 (as `run --strict`).
    #[serde(default)]
    pub strict: bool,
    /// The calendar time a fast-forward run starts at, RFC 3339 (`2026-12-10T00:00:00Z`).
    #[serde(default)]
    pub start: Option<String>,
    /// `[[jobs]]`: load at a clock time every day, on top of the phases.
    #[serde(default)]
    pub jobs: Vec<JobSpec>,
}

/// `[[jobs]]`: `rate` arrivals per second of `operations` for `duration`, at `at` (UTC clock
/// time) and again every `every` (default one day).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSpec {
    pub name: String,
    pub at: String,
    #[serde(default)]
    pub every: Option<String>,
    pub duration: String,
    pub rate: f64,
    pub operations: Vec<String>,
    #[serde(default)]
    pub max_in_flight: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetSpec {
    #[serde(default)]
    pub simulated: Option<SimulatedSpec>,
    /// A real tenant's base URL, e.g. `https://${AUTH0_DOMAIN}`.
    #[serde(default)]
    pub url: Option<String>,
    /// A real tenant's domain (alternative to `url`).
    #[serde(default)]
    pub domain: Option<String>,
    #[serde(default)]
    pub management_audience: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulatedSpec {
    #[serde(default)]
    pub tier: Option<String>,
    #[serde(default)]
    pub month_to_date_tokens: Option<u64>,
    #[serde(default)]
    pub users: Option<u32>,
    #[serde(default)]
    pub token_lifetime: Option<String>,
    #[serde(default)]
    pub apis: Vec<ApiSpec>,
    #[serde(default)]
    pub faults: Option<FaultsSpec>,
}

/// `[target.simulated.faults]`: what the simulated tenant does wrong, optionally in a window.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultsSpec {
    #[serde(default)]
    pub latency: Option<String>,
    #[serde(default)]
    pub latency_max: Option<String>,
    #[serde(default)]
    pub error_ratio: Option<f64>,
    #[serde(default)]
    pub drop_ratio: Option<f64>,
    #[serde(default)]
    pub stall_ratio: Option<f64>,
    #[serde(default)]
    pub stall: Option<String>,
    #[serde(default)]
    pub malformed_ratio: Option<f64>,
    #[serde(default)]
    pub garbage_headers_ratio: Option<f64>,
    #[serde(default)]
    pub token_exp_shortfall: Option<String>,
    #[serde(default)]
    pub from: Option<String>,
    #[serde(default)]
    pub until: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSpec {
    pub audience: String,
    #[serde(default)]
    pub token_lifetime: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    pub name: String,
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<String>,
    #[serde(default)]
    pub throttle: Option<f64>,
    #[serde(default)]
    pub quota: Option<ClientQuotaSpec>,
    #[serde(default)]
    pub ungranted: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientQuotaSpec {
    #[serde(default)]
    pub per_hour: Option<u64>,
    #[serde(default)]
    pub per_day: Option<u64>,
    #[serde(default)]
    pub enforce: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokensSpec {
    #[serde(default)]
    pub strategy: Option<String>,
    #[serde(default)]
    pub refresh_skew: Option<String>,
    /// For `strategy = "static"`: the token, as `${ENV_VAR}`.
    #[serde(default)]
    pub token: Option<String>,
    /// `form` (default) or `json`.
    #[serde(default)]
    pub format: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperationSpec {
    pub name: String,
    pub kind: String,
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub client: Option<String>,
    #[serde(default)]
    pub audience: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub weight: Option<u32>,
    #[serde(default)]
    pub throttle: Option<f64>,
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    #[serde(default)]
    pub body: Option<String>,
    /// `kind = "flow"`: the steps, each an operation of its own (`[[operations.steps]]`).
    #[serde(default)]
    pub steps: Vec<OperationSpec>,
    /// A flow step: `NAME = "/json/pointer"` or `"header:NAME"`, for later steps' holes.
    #[serde(default)]
    pub capture: BTreeMap<String, String>,
    /// A flow step: the pause before it, `"500ms"` or `"1s..3s"`.
    #[serde(default)]
    pub think: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetrySpec {
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub max_retries: Option<u32>,
    #[serde(default)]
    pub base: Option<String>,
    #[serde(default)]
    pub cap: Option<String>,
    #[serde(default)]
    pub jitter: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhaseSpec {
    #[serde(default)]
    pub name: Option<String>,
    pub duration: String,
    /// Open model: arrivals per second. Exactly one of `rate` and `concurrency`.
    #[serde(default)]
    pub rate: Option<f64>,
    #[serde(default)]
    pub ramp_to: Option<f64>,
    /// A daily cycle: 24 arrival rates, one per UTC hour of day (instead of `rate`).
    #[serde(default)]
    pub hourly: Option<Vec<f64>>,
    /// Closed loop: this many requests back to back (see `engine::closed`).
    #[serde(default)]
    pub concurrency: Option<i64>,
    #[serde(default)]
    pub max_in_flight: Option<i64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StopSpec {
    #[serde(default)]
    pub max_duration: Option<String>,
    #[serde(default)]
    pub max_requests: Option<u64>,
    #[serde(default)]
    pub max_tokens: Option<u64>,
    #[serde(default)]
    pub min_quota_remaining: Option<u64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    pub at: String,
    pub action: String,
    pub client: String,
    #[serde(default)]
    pub audience: Option<String>,
    #[serde(default)]
    pub allow_on_real_tenant: bool,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThresholdSpec {
    #[serde(default)]
    pub p99_ms: Option<f64>,
    #[serde(default)]
    pub p50_ms: Option<f64>,
    #[serde(default)]
    pub max_429_ratio: Option<f64>,
    #[serde(default)]
    pub max_error_ratio: Option<f64>,
    #[serde(default)]
    pub min_achieved_rps: Option<f64>,
    #[serde(default)]
    pub max_quota_pct: Option<f64>,
    #[serde(default)]
    pub min_ok_rps: Option<f64>,
    #[serde(default)]
    pub max_wire_rps: Option<f64>,
    #[serde(default)]
    pub abort: bool,
}

impl ThresholdSpec {
    /// The limits set, by metric key.
    pub fn limits(&self) -> Vec<(&'static str, f64)> {
        [
            ("p99_ms", self.p99_ms),
            ("p50_ms", self.p50_ms),
            ("max_429_ratio", self.max_429_ratio),
            ("max_error_ratio", self.max_error_ratio),
            ("min_achieved_rps", self.min_achieved_rps),
            ("max_quota_pct", self.max_quota_pct),
            ("min_ok_rps", self.min_ok_rps),
            ("max_wire_rps", self.max_wire_rps),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpSpec {
    #[serde(default)]
    pub timeout: Option<String>,
    #[serde(default)]
    pub connect_timeout: Option<String>,
}

/// `[pacing]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PacingSpec {
    /// An arrival the scheduler reaches later than this after its intended time is dropped as
    /// late; earlier ones are sent late, their lag counted in the corrected latency.
    #[serde(default)]
    pub drop_late_after: Option<String>,
}

/// `[[data]]`: a CSV or JSON Lines file, path relative to the scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataSpec {
    pub name: String,
    pub file: String,
    /// `cycle` (default), `random` or `once`.
    #[serde(default)]
    pub mode: Option<String>,
    /// `csv` or `jsonl`; by default from the file's ending.
    #[serde(default)]
    pub format: Option<String>,
}

/// `[vars.NAME]`: one generator; which keys apply depends on `kind`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VarSpec {
    /// `sequence`, `random_int`, `uuid`, `choice` or `now`.
    pub kind: String,
    #[serde(default)]
    pub start: Option<i64>,
    #[serde(default)]
    pub step: Option<i64>,
    #[serde(default)]
    pub min: Option<i64>,
    #[serde(default)]
    pub max: Option<i64>,
    #[serde(default)]
    pub values: Option<Vec<String>>,
    /// For `now`: `rfc3339` (default), `unix` or `unix_ms`.
    #[serde(default)]
    pub format: Option<String>,
}
