//! [`RunFacts`]: the facts of one run that `run.csv` holds (docs/reports.md "run.csv"), one
//! typed field per key. The engine fills the run's own facts, the CLI the tier's and the
//! target's, `merge` the shards'; the report reads them back. Every field is optional, because a
//! folder from an older or another writer may lack any key; a key this version does not know,
//! or a value that does not parse, is kept verbatim in [`RunFacts::extra`], so nothing read is
//! lost. The text form (keys, their order, number formats) is in [`pairs`]; writing the CSV
//! file is the report's.

mod pairs;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

/// Everything `run.csv` says about a run. Equal when their `run.csv` text is equal.
#[derive(Debug, Clone, Default)]
pub struct RunFacts {
    pub scenario: Option<String>,
    /// One line from the scenario file.
    pub description: Option<String>,
    pub seed: Option<u64>,
    /// The base URL (never credentials), or `simulated`.
    pub target: Option<String>,
    /// RFC 3339 UTC time of the first arrival, as written (the engine and `merge` write
    /// sub-seconds differently, so the text is kept).
    pub start: Option<String>,
    /// Active time, seconds, to the millisecond (see [`ms_precision`]).
    pub duration_s: Option<f64>,
    /// Time spent waiting for requests in flight at the end, seconds, to the millisecond.
    pub drain_s: Option<f64>,
    /// `real`, or `virtual` for a fast-forward run (`run --fast-forward`), whose times are on
    /// the simulator's virtual clock.
    pub clock: Option<RunClock>,
    /// Wall-clock seconds the run took (for a fast-forward run, far less than `duration_s`).
    pub wall_s: Option<f64>,
    /// `forecast = true`: written by `quotaprobe forecast` (a fast-forward run reported as a
    /// forecast); absent otherwise.
    pub forecast: Option<bool>,
    /// Seconds each `timeline.csv` row covers (1 for runs up to an hour; see
    /// [`super::timeline::resolution_for`]). A folder without it is per second.
    pub timeline_resolution_s: Option<u64>,
    /// `completed`, `max_duration`, `signal`, ...; `merge` joins differing ones with commas.
    pub stop_reason: Option<String>,
    /// The stop reason for people.
    pub stop_detail: Option<String>,
    /// quotaprobe's version.
    pub version: Option<String>,
    pub token_strategy: Option<String>,
    pub retry_policy: Option<String>,
    pub max_retries: Option<u32>,
    /// Arrivals the schedule holds.
    pub planned_arrivals: Option<u64>,
    /// Arrivals dropped because the in-flight cap was full.
    pub dropped_busy: Option<u64>,
    /// Arrivals dropped because the generator fell behind schedule.
    pub dropped_late: Option<u64>,
    /// Arrivals dropped because the run was stopping.
    pub dropped_stopping: Option<u64>,
    /// `[pacing] drop_late_after`, seconds: how late an arrival could be and still be sent.
    pub drop_late_after_s: Option<f64>,
    /// Responses whose `x-ratelimit-*` / `retry-after` values did not parse.
    pub bad_headers: Option<u64>,
    /// Token requests sent, for the `--max-tokens` cap.
    pub token_requests_sent: Option<u64>,
    /// Only in a shard's folder (`run --shard I/N`).
    pub shard: Option<Shard>,
    /// A shard's scenario seed before derivation.
    pub base_seed: Option<u64>,
    /// A shard's scenario file hash.
    pub scenario_sha256: Option<String>,
    /// With `tokens.strategy = "static"`: the token's expiry (RFC 3339) or `unknown`.
    pub static_token_exp: Option<String>,
    /// Whether and until when the target answered (see [`super::reach`]).
    pub reach: ReachFacts,
    /// When the quota ran out and what it refused, when the work finished (see
    /// [`super::observed`]).
    pub observed: ObservedFacts,
    /// A real tenant's domain.
    pub tenant_domain: Option<String>,
    /// The (simulated or ceiling) tier's name; empty for a real tenant without `--tier`.
    pub tier: Option<String>,
    /// The key was written (outer) and the tier's M2M quota per month, empty when unknown (inner).
    pub tier_monthly_quota: Option<Option<u64>>,
    pub tier_quota_hard_block: Option<bool>,
    /// Where the tier's quota figure comes from.
    pub tier_quota_source: Option<String>,
    /// Quota already used when the run started.
    pub month_to_date_tokens: Option<u64>,
    /// A real run's `--max-duration` cap, whole seconds.
    pub cap_max_duration_s: Option<u64>,
    /// A real run's token-request cap.
    pub cap_max_tokens: Option<u64>,
    /// `limit:<bucket>`: each rate limit the scenario's endpoints meet.
    pub limits: Vec<Limit>,
    /// `bucket:<operation>`: (operation, the tier's bucket names it draws from, ` + `-joined).
    pub buckets: Vec<(String, String)>,
    /// A merged run: N, the shard count.
    pub shards: Option<u64>,
    /// A merged run: the shards merged, in shard order.
    pub shards_merged: Option<Vec<Shard>>,
    /// A merged run: `shard:I/N`, each shard's folder and start.
    pub shard_folders: Vec<ShardFolder>,
    /// Keys this version does not know, and values that did not parse, verbatim.
    pub extra: Vec<(String, String)>,
    /// The order the keys were read in (see [`Layout`]).
    pub layout: Layout,
}

/// The keys in the order [`RunFacts::from_pairs`] read them; empty for facts built in code,
/// which are written in the order of docs/reports.md. Lets a folder read back (even one from an
/// older writer, whose order may differ) write the same `run.csv`. Opaque: only reading sets it.
#[derive(Debug, Clone, Default)]
pub struct Layout(Vec<String>);

impl PartialEq for RunFacts {
    fn eq(&self, other: &Self) -> bool {
        self.to_pairs() == other.to_pairs()
    }
}

impl RunFacts {
    /// Seconds per `timeline.csv` row: the key's value, 1 when absent or 0.
    pub fn resolution(&self) -> u64 {
        self.timeline_resolution_s.unwrap_or(1).max(1)
    }

    /// The verbatim value of `key` when it was kept in [`RunFacts::extra`] (unknown, or did not
    /// parse), so an error can quote what the file said.
    pub fn extra_value(&self, key: &str) -> Option<&str> {
        self.extra
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// The `run.csv` facts [`super::Reach`] writes (its keys are in [`super::reach`]), as read
/// back: each `None` when a folder lacks it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReachFacts {
    /// `answered`.
    pub answered: Option<u64>,
    /// `connection_errors`.
    pub connection_errors: Option<u64>,
    /// `calls_without_token`.
    pub calls_without_token: Option<u64>,
    /// `last_answer_s`: the key was written (outer), empty when nothing answered (inner).
    pub last_answer_s: Option<Option<f64>>,
    /// `connection_errors_after_last_answer`.
    pub after_last_answer: Option<u64>,
    /// `silent_for_s`.
    pub silent_for_s: Option<f64>,
}

/// The `run.csv` facts [`super::observed::Observed`] gives, as read back: each `None` when a
/// folder lacks the key. Times are seconds since the start on the run's clock.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObservedFacts {
    /// `quota_ran_out_s`: the key was written (outer), empty when the quota refused nothing.
    pub quota_ran_out_s: Option<Option<f64>>,
    /// `quota_ran_out_at`: that instant, RFC 3339 UTC (empty when it never ran out).
    pub quota_ran_out_at: Option<String>,
    /// `quota_month`: the calendar UTC month it ran out in, `YYYY-MM` (empty when it did not).
    pub quota_month: Option<String>,
    /// `quota_refused_tokens`: token requests the monthly quota refused (every attempt).
    pub quota_refused_tokens: Option<u64>,
    /// `quota_failed_operations`: `name count; ...`, the operations that failed because of the
    /// block (their token requests refused, their calls left without a token).
    pub quota_failed: Option<Vec<(String, u64)>>,
    /// `work_finished_s`: when the last request finished; empty when none did.
    pub work_finished_s: Option<Option<f64>>,
}

impl ObservedFacts {
    /// `quota_failed_operations`' text.
    pub fn failed_text(list: &[(String, u64)]) -> String {
        let parts: Vec<String> = list.iter().map(|(op, n)| format!("{op} {n}")).collect();
        parts.join("; ")
    }

    /// Parses `quota_failed_operations`; `None` when a part is not `name count`.
    pub fn parse_failed(v: &str) -> Option<Vec<(String, u64)>> {
        v.split("; ")
            .filter(|p| !p.trim().is_empty())
            .map(|p| {
                let (op, n) = p.rsplit_once(' ')?;
                Some((op.to_string(), n.parse().ok()?))
            })
            .collect()
    }

    /// The quota ran out in this run: (seconds since start, the month).
    pub fn ran_out(&self) -> Option<(f64, Option<&str>)> {
        let at = self.quota_ran_out_s.flatten()?;
        Some((at, self.quota_month.as_deref().filter(|m| !m.is_empty())))
    }
}

/// Which clock a run's times are on (`run.csv` key `clock`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunClock {
    /// The system's: the run took as long as it says.
    Real,
    /// A fast-forward run's virtual clock (docs/reports.md "run.csv").
    Virtual,
}

impl RunClock {
    pub fn label(self) -> &'static str {
        match self {
            RunClock::Real => "real",
            RunClock::Virtual => "virtual",
        }
    }
}

impl FromStr for RunClock {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "real" => Ok(RunClock::Real),
            "virtual" => Ok(RunClock::Virtual),
            _ => Err("expected real or virtual".into()),
        }
    }
}

/// Shard `index` of `count`, as `run.csv` writes it (`I/N`). Parsed here rather than with
/// `scenario::Shard`, so reading a report does not depend on the scenario module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (i, n) = s.split_once('/').ok_or("expected I/N")?;
        let index = i.parse::<u64>().map_err(|e| format!("I: {e}"))?;
        let count = n.parse::<u64>().map_err(|e| format!("N: {e}"))?;
        if index >= count {
            return Err("I must be below N".into());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// One `limit:<bucket>` fact: `<rule> (<source>)`.
#[derive(Debug, Clone, PartialEq)]
pub struct Limit {
    pub bucket: String,
    /// `burst / rate`, as the tier describes it.
    pub rule: String,
    /// Where the figure comes from (a URL).
    pub source: String,
}

/// One `shard:I/N` fact of a merged run: `<dir> (start <start>, offset <offset_s> s)`.
#[derive(Debug, Clone, PartialEq)]
pub struct ShardFolder {
    pub shard: Shard,
    pub dir: String,
    /// The shard's own `start`, as it wrote it.
    pub start: String,
    /// Seconds after the earliest shard's start, to the millisecond.
    pub offset_s: f64,
}

/// `s` rounded as `run.csv` writes seconds (`{:.3}`), so the facts of a run in memory equal
/// those read back from its folder and every reader sees the same value.
pub fn ms_precision(s: f64) -> f64 {
    format!("{s:.3}").parse().unwrap_or(s)
}
