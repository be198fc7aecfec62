//! The finished facts of a run, one struct per report table. The engine's recorder produces a
//! [`Snapshot`]; the report module writes it to files and reads it back (`quotaprobe report`),
//! so these types are the seam between measuring and reporting. Field names are the CSV column
//! names of docs/reports.md "Files"; fields after the contract's columns are appended extras.

use hdrhistogram::Histogram;

use super::run_facts::RunFacts;

/// Everything a report needs.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// `run.csv`: the run's facts (scenario, tier, target without secrets, start, duration,
    /// seed, version, stop reason, tier sources...).
    pub run: RunFacts,
    /// `summary.csv`: one row per operation, then the `ALL` row.
    pub summary: Vec<SummaryRow>,
    /// `timeline.csv`: one row per second × operation (seconds since run start, by intended start).
    pub timeline: Vec<TimelineRow>,
    /// `audiences.csv`.
    pub audiences: Vec<AudienceRow>,
    /// `statuses.csv`.
    pub statuses: Vec<StatusRow>,
    /// `latency.csv`.
    pub latency: Vec<LatencyRow>,
    /// `events.csv`: mid-run tenant changes and stops, to mark on the timeline.
    pub events: Vec<EventRow>,
    /// `histograms.hlog`: per operation, latency in microseconds.
    pub histograms: Vec<OperationHistograms>,
    /// `flows.csv` (only when the scenario has flows): how each flow's arrivals ended.
    pub flows: Vec<super::flows::FlowRow>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SummaryRow {
    pub operation: String,
    /// token | management | http | all
    pub kind: String,
    pub scheduled: u64,
    pub sent: u64,
    pub dropped: u64,
    /// Final outcome 2xx/3xx.
    pub ok: u64,
    /// Final outcome 4xx other than 429.
    pub status_4xx: u64,
    pub status_429: u64,
    pub status_5xx: u64,
    /// Timeouts, resets, refused connections, bad bodies: no usable HTTP status.
    pub transport_errors: u64,
    /// Attempts beyond the first (not part of `sent`).
    pub retries: u64,
    /// Completed requests per second over the run's duration.
    pub achieved_rps: f64,
    /// Corrected latency (from intended start), milliseconds.
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
    /// Service time (from actual send) p99, milliseconds.
    pub service_p99_ms: f64,
    /// Seconds from run start to the first 429 (intended start of the request), if any.
    pub first_429_s: Option<f64>,
    // --- extras, appended after the contract's columns ---
    pub service_p50_ms: f64,
    /// Schedule lag (intended → actual send) p99, milliseconds.
    pub lag_p99_ms: f64,
    /// Successful requests (`ok`) per second over the run's duration.
    pub ok_rps: f64,
    /// Attempts on the wire per second: every request sent and every retry, less the calls
    /// that never left because their token request failed (see [`SummaryRow::wire_attempts`]).
    pub wire_rps: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct TimelineRow {
    pub second: u64,
    pub operation: String,
    pub scheduled: u64,
    pub sent: u64,
    pub dropped: u64,
    pub ok: u64,
    pub status_429: u64,
    /// Final outcomes that are neither ok nor 429 (4xx, 5xx, transport errors).
    pub errors: u64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Last `x-ratelimit-limit` seen in this second.
    pub ratelimit_limit: Option<u64>,
    /// Lowest `x-ratelimit-remaining` seen in this second.
    pub ratelimit_remaining_min: Option<u64>,
    /// `x-ratelimit-reset` minus the response's wall-clock time, seconds (last seen).
    pub ratelimit_reset_in_s: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct AudienceRow {
    pub audience: String,
    /// One of Auth0's own APIs (the Management API): never counts toward the M2M quota.
    pub internal: bool,
    pub counts_toward_quota: bool,
    pub token_requests: u64,
    pub tokens_issued: u64,
    pub denied_429: u64,
    pub denied_other: u64,
    pub tokens_per_hour: f64,
    /// Tokens a 30-day month at the observed rate would issue.
    pub projected_month: f64,
    pub tier_monthly_quota: Option<u64>,
    pub projected_pct_of_quota: Option<f64>,
    // --- extras ---
    /// Day of a 30-day month on which the tenant's quota runs out at the combined observed rate
    /// of all counted audiences (plus tokens already used this month); `None` if it never does
    /// or the tier has no quota, or this audience does not count.
    pub quota_runs_out_day: Option<f64>,
    /// How `tokens_per_hour` was reached: `observed rate`, or for cached tokens the steady state
    /// (`cache: 1 per 23h59m × 1 key`), because a short run's single cache fill is no rate.
    pub projection_basis: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatusRow {
    pub operation: String,
    /// An HTTP status code, or an error kind: timeout, connect, reset, body, ...
    pub status: String,
    /// Final outcomes (after retries), as in summary.csv.
    pub count: u64,
    /// Every response or error seen, retried attempts included.
    pub attempts: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LatencyRow {
    pub operation: String,
    /// e.g. 50, 90, 99, 99.9, 100.
    pub percentile: f64,
    pub corrected_ms: f64,
    pub service_ms: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventRow {
    /// Seconds since run start.
    pub at_s: f64,
    /// rotate-secret | delete-grant | restore-grant | stop | ...
    pub action: String,
    /// Client name, audience or stop reason.
    pub detail: String,
    /// What happened: ok, or the error.
    pub outcome: String,
}

/// Latency histograms of one operation, in microseconds, for `histograms.hlog`.
#[derive(Debug, Clone)]
pub struct OperationHistograms {
    pub operation: String,
    /// From intended start to end.
    pub corrected_us: Histogram<u64>,
    /// From actual send to end.
    pub service_us: Histogram<u64>,
}

/// Days in the month the quota projection uses.
pub const MONTH_DAYS: f64 = 30.0;

/// Projects observed token issuance onto a 30-day month.
///
/// `issued` tokens over `run_s` seconds → (tokens per hour, projected month, percent of quota).
pub fn project_month(
    issued: u64,
    run_s: f64,
    monthly_quota: Option<u64>,
) -> (f64, f64, Option<f64>) {
    if run_s <= 0.0 {
        return (0.0, 0.0, monthly_quota.map(|_| 0.0));
    }
    let per_hour = issued as f64 * 3600.0 / run_s;
    let month = per_hour * 24.0 * MONTH_DAYS;
    let pct = monthly_quota
        .filter(|q| *q > 0)
        .map(|q| month * 100.0 / q as f64);
    (per_hour, month, pct)
}

/// Day of the month (1-based, fractional) on which `quota` runs out, given `used_at_start`
/// tokens already spent and `per_hour` counted tokens per hour. `None` if it never runs out.
pub fn quota_runs_out_day(quota: Option<u64>, used_at_start: u64, per_hour: f64) -> Option<f64> {
    let quota = quota? as f64;
    let left = quota - used_at_start as f64;
    if left <= 0.0 {
        return Some(1.0);
    }
    if per_hour <= 0.0 {
        return None;
    }
    let day = 1.0 + left / (per_hour * 24.0);
    (day <= MONTH_DAYS + 1.0).then_some(day)
}

/// The earlier of two optional times.
fn earlier(a: Option<f64>, b: Option<f64>) -> Option<f64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl SummaryRow {
    /// Adds `o`'s counts to this row: scheduled … retries add, `first_429_s` is the earlier.
    /// Latencies and `achieved_rps` are no sums and stay as they are: whoever adds rows
    /// recomputes them from the histograms and the duration.
    pub fn add(&mut self, o: &SummaryRow) {
        self.scheduled += o.scheduled;
        self.sent += o.sent;
        self.dropped += o.dropped;
        self.ok += o.ok;
        self.status_4xx += o.status_4xx;
        self.status_429 += o.status_429;
        self.status_5xx += o.status_5xx;
        self.transport_errors += o.transport_errors;
        self.retries += o.retries;
        self.first_429_s = earlier(self.first_429_s, o.first_429_s);
    }
}

/// `n` over `duration_s` seconds; 0 for an empty run.
pub fn per_second(n: u64, duration_s: f64) -> f64 {
    if duration_s > 0.0 {
        n as f64 / duration_s
    } else {
        0.0
    }
}

impl TimelineRow {
    /// Adds another row of the same second and operation: counts add; `p50_ms`/`p99_ms` become
    /// the higher (a bound: per-second histograms are not kept) and `max_ms` the higher (exact);
    /// the lowest `ratelimit_remaining_min`, this row's limit and reset unless it has none.
    pub fn add(&mut self, o: &TimelineRow) {
        self.scheduled += o.scheduled;
        self.sent += o.sent;
        self.dropped += o.dropped;
        self.ok += o.ok;
        self.status_429 += o.status_429;
        self.errors += o.errors;
        self.p50_ms = self.p50_ms.max(o.p50_ms);
        self.p99_ms = self.p99_ms.max(o.p99_ms);
        self.max_ms = self.max_ms.max(o.max_ms);
        self.ratelimit_limit = self.ratelimit_limit.or(o.ratelimit_limit);
        self.ratelimit_remaining_min =
            match (self.ratelimit_remaining_min, o.ratelimit_remaining_min) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
        self.ratelimit_reset_in_s = self.ratelimit_reset_in_s.or(o.ratelimit_reset_in_s);
    }
}

impl AudienceRow {
    /// Adds another row of the same audience: the token counts add. The projections are no
    /// sums and stay as they are: whoever adds rows recomputes them from the counts.
    pub fn add(&mut self, o: &AudienceRow) {
        self.token_requests += o.token_requests;
        self.tokens_issued += o.tokens_issued;
        self.denied_429 += o.denied_429;
        self.denied_other += o.denied_other;
    }
}

impl StatusRow {
    /// Adds another row of the same operation and status.
    pub fn add(&mut self, o: &StatusRow) {
        self.count += o.count;
        self.attempts += o.attempts;
    }
}

#[cfg(test)]
#[path = "snapshot_tests.rs"]
mod tests;
