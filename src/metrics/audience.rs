//! Token accounting per audience: every token request the run sent (explicit `token` operations
//! and the token fetches behind API calls), what came of it, and the monthly-quota projection.
//!
//! The projection extrapolates the observed issuance rate — except for tokens the cache stores:
//! a cache fill is a one-off per key, not a rate, so those count at their steady state (one per
//! `expires_in − refresh_skew` per cache key). Otherwise a 15 s run with one cached token would
//! project 172,800 tokens a month instead of about 31.

use std::collections::BTreeMap;
use std::time::Duration;

use super::sample::{Class, Outcome};
use super::snapshot::{AudienceRow, MONTH_DAYS, quota_runs_out_day};

#[derive(Debug, Clone, Default)]
struct Counts {
    issued: u64,
    denied_429: u64,
    denied_other: u64,
    /// Of `issued`: tokens stored by the cache.
    cached: u64,
    /// Cache key → how often the cache refreshes it.
    refresh: BTreeMap<String, Duration>,
}

impl Counts {
    /// (tokens per hour, how that was reached).
    fn per_hour(&self, run_s: f64) -> (f64, String) {
        let observed = self.issued.saturating_sub(self.cached);
        let mut per_hour = if run_s > 0.0 {
            observed as f64 * 3600.0 / run_s
        } else {
            0.0
        };
        if self.refresh.is_empty() {
            return (per_hour, "observed rate".to_string());
        }
        per_hour += self
            .refresh
            .values()
            .map(|every| 3600.0 / every.as_secs_f64().max(1.0))
            .sum::<f64>();
        let shortest = self.refresh.values().min().copied().unwrap_or_default();
        let mut basis = format!(
            "cache: 1 per {} × {} key(s)",
            humantime::format_duration(Duration::from_secs(shortest.as_secs())),
            self.refresh.len()
        );
        if observed > 0 {
            basis.push_str(" + observed rate");
        }
        (per_hour, basis)
    }
}

/// Per-audience token counters.
#[derive(Debug, Clone, Default)]
pub struct Audiences {
    /// The Management API audience: internal, never counts toward the M2M quota.
    management: String,
    by_audience: BTreeMap<String, Counts>,
}

/// What the projection needs besides the counts.
#[derive(Debug, Clone, Copy, Default)]
pub struct QuotaContext {
    pub run_s: f64,
    pub monthly_quota: Option<u64>,
    pub month_to_date_tokens: u64,
}

impl Audiences {
    pub fn new(management_audience: &str) -> Self {
        Audiences {
            management: management_audience.to_string(),
            by_audience: BTreeMap::new(),
        }
    }

    /// The cache stored a token for `audience` under `key`, to be refreshed every `every`.
    /// Its issuance (recorded as usual) is projected at that steady state, not as a rate.
    pub fn cached(&mut self, audience: &str, key: &str, every: Duration) {
        let c = self.by_audience.entry(audience.to_string()).or_default();
        c.cached += 1;
        c.refresh.insert(key.to_string(), every);
    }

    /// One token request's final outcome. Transport errors count as `denied_other`.
    pub fn record(&mut self, audience: &str, outcome: Outcome) {
        let c = self.by_audience.entry(audience.to_string()).or_default();
        match outcome.class() {
            Class::Ok => c.issued += 1,
            Class::Status429 => c.denied_429 += 1,
            _ => c.denied_other += 1,
        }
    }

    pub fn rows(&self, q: QuotaContext) -> Vec<AudienceRow> {
        let counted_per_hour: f64 = self
            .by_audience
            .iter()
            .filter(|(a, _)| **a != self.management)
            .map(|(_, c)| c.per_hour(q.run_s).0)
            .sum();
        let runs_out =
            quota_runs_out_day(q.monthly_quota, q.month_to_date_tokens, counted_per_hour);
        self.by_audience
            .iter()
            .map(|(audience, c)| {
                let internal = *audience == self.management;
                let (per_hour, basis) = c.per_hour(q.run_s);
                let month = per_hour * 24.0 * MONTH_DAYS;
                let pct = q
                    .monthly_quota
                    .filter(|n| *n > 0)
                    .map(|n| month * 100.0 / n as f64);
                AudienceRow {
                    audience: audience.clone(),
                    internal,
                    counts_toward_quota: !internal,
                    token_requests: c.issued + c.denied_429 + c.denied_other,
                    tokens_issued: c.issued,
                    denied_429: c.denied_429,
                    denied_other: c.denied_other,
                    tokens_per_hour: per_hour,
                    projected_month: month,
                    tier_monthly_quota: if internal { None } else { q.monthly_quota },
                    projected_pct_of_quota: if internal { None } else { pct },
                    quota_runs_out_day: if internal { None } else { runs_out },
                    projection_basis: basis,
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::sample::TransportKind;

    #[test]
    fn management_is_internal_and_requests_conserve() {
        let mut a = Audiences::new("https://t/api/v2/");
        a.record("https://t/api/v2/", Outcome::Http(200));
        for o in [
            Outcome::Http(200),
            Outcome::Http(200),
            Outcome::Http(429),
            Outcome::Http(401),
            Outcome::Transport(TransportKind::Timeout),
        ] {
            a.record("https://orders", o);
        }
        assert_eq!(
            a.by_audience
                .get("https://orders")
                .map(|c| c.per_hour(3600.0).1),
            Some("observed rate".to_string())
        );
        let rows = a.rows(QuotaContext {
            run_s: 3600.0,
            monthly_quota: Some(1000),
            month_to_date_tokens: 0,
        });
        let mgmt = rows.iter().find(|r| r.internal).cloned();
        let orders = rows.iter().find(|r| !r.internal).cloned();
        let (mgmt, orders) = (mgmt.unwrap_or_default(), orders.unwrap_or_default());
        assert!(!mgmt.counts_toward_quota && mgmt.tier_monthly_quota.is_none());
        assert_eq!(mgmt.token_requests, 1);
        assert_eq!(orders.token_requests, 5);
        assert_eq!(
            orders.token_requests,
            orders.tokens_issued + orders.denied_429 + orders.denied_other
        );
        assert_eq!((orders.denied_429, orders.denied_other), (1, 2));
        // 2 per hour → 1,440 per month → 144 % of 1,000; runs out on day 1 + 1000/48.
        assert!((orders.projected_month - 1440.0).abs() < 1e-9);
        assert!((orders.projected_pct_of_quota.unwrap_or(0.0) - 144.0).abs() < 1e-9);
        let day = orders.quota_runs_out_day.unwrap_or(0.0);
        assert!((day - (1.0 + 1000.0 / 48.0)).abs() < 1e-9, "{day}");
    }

    #[test]
    fn cached_tokens_project_at_their_steady_state() {
        let mut a = Audiences::new("https://t/api/v2/");
        // One cache fill (lifetime 24 h, refreshed 60 s early) plus 2 explicit token requests,
        // in a 60 s run.
        a.record("https://orders", Outcome::Http(200));
        a.cached("https://orders", "0|", Duration::from_secs(86_340));
        a.record("https://orders", Outcome::Http(200));
        a.record("https://orders", Outcome::Http(200));
        let rows = a.rows(QuotaContext {
            run_s: 60.0,
            monthly_quota: Some(1000),
            month_to_date_tokens: 0,
        });
        let orders = rows.into_iter().next().unwrap_or_default();
        // 2 observed in 60 s = 120/h, plus 3600/86340 per hour from the cache.
        let want = 120.0 + 3600.0 / 86_340.0;
        assert!(
            (orders.tokens_per_hour - want).abs() < 1e-9,
            "{}",
            orders.tokens_per_hour
        );
        assert!((orders.projected_month - want * 720.0).abs() < 1e-6);
        assert_eq!(orders.tokens_issued, 3);
        assert_eq!(
            orders.projection_basis,
            "cache: 1 per 23h 59m × 1 key(s) + observed rate"
        );
    }
}
