//! One bucket's numbers as a tier profile states them: burst, refill rate and its unit, and the
//! source of the numbers. Turned into live `bucket::BucketSpec`s by the limiter.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::bucket::{BucketSpec, Refill};

/// The unit of a sustained rate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Per {
    Second,
    Minute,
    Hour,
    Day,
}

impl Per {
    pub fn window(self) -> Duration {
        Duration::from_secs(match self {
            Per::Second => 1,
            Per::Minute => 60,
            Per::Hour => 3_600,
            Per::Day => 86_400,
        })
    }
    pub fn label(self) -> &'static str {
        match self {
            Per::Second => "s",
            Per::Minute => "min",
            Per::Hour => "h",
            Per::Day => "day",
        }
    }
}

/// Who shares a bucket. Auth0 keys most limits per tenant, some per source IP (its rate-limit policy:
/// "rows are keyed by source IP, target user ID, or IP+email"), which is why its load-testing
/// policy tells testers to spread traffic over several addresses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LimitKey {
    /// One bucket for the whole tenant.
    #[default]
    Tenant,
    /// One bucket per source IP address of the request.
    Ip,
}

impl LimitKey {
    pub fn is_tenant(&self) -> bool {
        *self == LimitKey::Tenant
    }
}

/// One bucket's numbers and where they come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitSpec {
    pub burst: u64,
    /// Tokens added per `per`.
    pub rate: u64,
    pub per: Per,
    /// A URL, or "assumed: why".
    pub source: String,
    /// `key = "ip"`: a bucket per source IP instead of one per tenant.
    #[serde(default, skip_serializing_if = "LimitKey::is_tenant")]
    pub key: LimitKey,
}

impl LimitSpec {
    pub fn rate_per_s(&self) -> f64 {
        self.rate as f64 / self.per.window().as_secs_f64()
    }
    pub fn bucket(&self, refill: Refill) -> BucketSpec {
        BucketSpec {
            burst: self.burst,
            rate: self.rate,
            window: self.per.window(),
            refill,
        }
    }
    /// "40 burst / 500 per min", with " per source IP" for IP-keyed buckets.
    pub fn describe(&self) -> String {
        format!(
            "{} burst / {} per {}{}",
            self.burst,
            self.rate,
            self.per.label(),
            if self.key.is_tenant() {
                ""
            } else {
                " per source IP"
            }
        )
    }
}
