//! Recommendations with numbers: the rate each rate-limited endpoint can sustain on the tier
//! (its bucket's refill, run.csv's `limit:<bucket>`), the time a job of N requests takes at that
//! rate (N = the operation's scheduled arrivals: a `once` job's data rows, else the run's), and
//! what a token cache would save (tokens per month with and without, its assumptions named).

use super::causes::bucket_of;
use crate::metrics::threshold::ALL;
use crate::metrics::{AudienceRow, Snapshot};
use crate::report::numbers::{thousands, thousands_f};

/// Auth0's default access-token lifetime and the cache's default refresh skew: what a cache
/// would keep a token for when the run did not cache (named in the sentence as assumed).
const DEFAULT_LIFETIME_S: f64 = 86_400.0;
const DEFAULT_SKEW_S: f64 = 60.0;
const MONTH_S: f64 = 30.0 * 86_400.0;

/// One endpoint's sustainable rate and the job it would take.
#[derive(Debug, Clone, PartialEq)]
pub struct Sustain {
    pub operation: String,
    pub bucket: String,
    pub burst: u64,
    /// Refill per second.
    pub rate_per_s: f64,
    /// The rule as the tier writes it ("2 per s").
    pub refill: String,
    pub offered_rps: f64,
    /// Requests in the job (scheduled).
    pub job: u64,
}

/// A cache's saving for one audience fetched per request.
#[derive(Debug, Clone, PartialEq)]
pub struct CacheSaving {
    pub audience: String,
    pub without: f64,
    pub with: f64,
}

/// Every recommendation of a run.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Advice {
    pub tier: Option<String>,
    pub sustain: Vec<Sustain>,
    pub cache: Vec<CacheSaving>,
}

impl Advice {
    pub fn is_empty(&self) -> bool {
        self.sustain.is_empty() && self.cache.is_empty()
    }
}

/// `2 burst / 2 per s` → (2, 2.0 per second, "2 per s").
fn parse_rule(rule: &str) -> Option<(u64, f64, String)> {
    let (burst, refill) = rule.split_once(" burst / ")?;
    let refill = refill.trim_end_matches(" per source IP");
    let (n, unit) = refill.split_once(" per ")?;
    let secs = match unit {
        "s" => 1.0,
        "min" => 60.0,
        "h" => 3600.0,
        "day" => 86_400.0,
        _ => return None,
    };
    Some((
        burst.trim().parse().ok()?,
        n.trim().parse::<f64>().ok()? / secs,
        refill.to_string(),
    ))
}

/// The recommendations: endpoints that got 429s or were offered more than their bucket
/// refills, and counting audiences whose tokens were fetched per request.
pub fn advise(s: &Snapshot, tier: Option<String>) -> Advice {
    let mut sustain = Vec::new();
    for r in s
        .summary
        .iter()
        .filter(|r| r.operation != ALL && r.sent > 0)
    {
        let Some(bucket) = bucket_of(s, &r.operation) else {
            continue;
        };
        let Some((burst, rate_per_s, refill)) = bucket.rule.as_deref().and_then(parse_rule) else {
            continue;
        };
        if r.status_429 == 0 && r.achieved_rps <= rate_per_s {
            continue;
        }
        sustain.push(Sustain {
            operation: r.operation.clone(),
            bucket: bucket.name,
            burst,
            rate_per_s,
            refill,
            offered_rps: r.achieved_rps,
            job: r.scheduled,
        });
    }
    let cache = s
        .audiences
        .iter()
        .filter(|a| a.counts_toward_quota && per_request(a))
        .map(|a| CacheSaving {
            audience: a.audience.clone(),
            without: a.projected_month,
            with: (MONTH_S / (DEFAULT_LIFETIME_S - DEFAULT_SKEW_S)).ceil(),
        })
        .filter(|c| c.without > c.with)
        .collect();
    Advice {
        tier,
        sustain,
        cache,
    }
}

/// Tokens projected from the observed rate alone: fetched per request, not cached.
fn per_request(a: &AudienceRow) -> bool {
    a.tokens_issued > 1 && a.projection_basis == "observed rate"
}

/// 100 s → "1 min 40 s"; 90,000 s → "25.0 hours".
fn span(secs: f64) -> String {
    if secs < 60.0 {
        format!("{secs:.1} s")
    } else if secs < 3600.0 {
        format!("{} min {} s", (secs / 60.0).floor(), (secs % 60.0).round())
    } else {
        format!("{:.1} hours", secs / 3600.0)
    }
}

/// The recommendations as one sentence group.
pub fn sentence(a: &Advice) -> String {
    let on = a
        .tier
        .as_deref()
        .map(|t| format!(" on {t}"))
        .unwrap_or_default();
    let mut parts: Vec<String> = a
        .sustain
        .iter()
        .map(|x| {
            format!(
                "{} can sustain {:.1}/s{on} (its {} bucket refills {}, burst {}; this run offered {:.1}/s), so a job of {} requests takes {} at that rate",
                x.operation,
                x.rate_per_s,
                x.bucket,
                x.refill,
                x.burst,
                x.offered_rps,
                thousands(x.job),
                span(x.job as f64 / x.rate_per_s),
            )
        })
        .collect();
    parts.extend(a.cache.iter().map(|c| {
        format!(
            "a token cache would cut {}'s tokens from {} a month (one per request) to about {} (one per 23h 59m per client: Auth0's default 24 h lifetime refreshed 60 s early, assumed)",
            c.audience,
            thousands_f(c.without),
            thousands_f(c.with),
        )
    }));
    format!("Recommendations: {}.", parts.join("; "))
}
