//! Token accounting per audience: every token request the run sent (explicit `token` operations
//! and the token fetches behind API calls), what came of it, and the monthly-quota projection.

use std::collections::BTreeMap;

use super::sample::{Class, Outcome};
use super::snapshot::{AudienceRow, project_month, quota_runs_out_day};

#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    issued: u64,
    denied_429: u64,
    denied_other: u64,
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
            .map(|(_, c)| project_month(c.issued, q.run_s, None).0)
            .sum();
        let runs_out =
            quota_runs_out_day(q.monthly_quota, q.month_to_date_tokens, counted_per_hour);
        self.by_audience
            .iter()
            .map(|(audience, c)| {
                let internal = *audience == self.management;
                let (per_hour, month, pct) = project_month(c.issued, q.run_s, q.monthly_quota);
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
}
