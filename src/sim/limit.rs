//! One bucket's numbers as a tier profile states them: burst, refill rate and its unit, who
//! shares it, and the source of the numbers (turned into live `bucket::BucketSpec`s by the
//! limiter); and the two tier-wide choices about how limits show on the wire, each with its
//! evidence: what `x-ratelimit-reset` names (`ResetMode`) and how a rate-limited
//! Authentication API request is answered (`AuthLimitAnswer`).

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

/// What `x-ratelimit-reset` names: Auth0's SDK maintainers describe it as the time the bucket is
/// full again ("the `X-RateLimit-Reset` only tells when the `bucket` of available requests is
/// full - not when there might be a request available", https://github.com/auth0/node-auth0/pull/538),
/// which is why node-auth0 waited 60 s on every per-minute 429 before that PR; SDKs that sleep
/// until it (go-auth0, auth0-python 5.x, node-auth0 v5+) therefore wait for a full bucket.
/// `next_token` is the older reading of Auth0's rate-limit use-cases page ("when more requests
/// are added", https://auth0.com/docs/troubleshoot/customer-support/operational-policies/rate-limit-policy/rate-limit-use-cases).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResetMode {
    /// The epoch second (rounded up) at which the reported bucket is full again (default).
    #[default]
    Full,
    /// The epoch second (rounded up) at which the reported bucket gains its next whole token.
    NextToken,
}

impl ResetMode {
    pub fn label(self) -> &'static str {
        match self {
            ResetMode::Full => "bucket full again",
            ResetMode::NextToken => "next token",
        }
    }
    /// The tier-file value.
    pub fn key(self) -> &'static str {
        match self {
            ResetMode::Full => "full",
            ResetMode::NextToken => "next_token",
        }
    }
}

/// How a rate-limited Authentication API request (`/oauth/token`, JWKS, OpenID configuration)
/// is answered. Auth0's docs answer 429 `too_many_requests` ("Rate limiting" in
/// https://auth0.com/docs/api/authentication and
/// https://auth0.com/docs/authenticate/database-connections/auth-api-passwordless-db-connections);
/// a community report shows a 500 `access_denied` "Global limit has been reached" instead, kept
/// as `access_denied_500` for those who see it on their tenant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthLimitAnswer {
    /// 429 `{"error":"too_many_requests","error_description":"Global limit has been reached"}`.
    #[default]
    TooManyRequests,
    /// 500 `{"error":"access_denied","error_description":"Global limit has been reached"}`.
    #[serde(rename = "access_denied_500")]
    AccessDenied500,
}

impl AuthLimitAnswer {
    pub fn label(self) -> &'static str {
        match self {
            AuthLimitAnswer::TooManyRequests => "429 too_many_requests",
            AuthLimitAnswer::AccessDenied500 => "500 access_denied",
        }
    }
    /// The tier-file value.
    pub fn key(self) -> &'static str {
        match self {
            AuthLimitAnswer::TooManyRequests => "too_many_requests",
            AuthLimitAnswer::AccessDenied500 => "access_denied_500",
        }
    }
}

/// When a tenant's monthly M2M quota blocks (with `hard_block`). Tokens are counted "per calendar
/// month, per tenant" (https://community.auth0.com/t/clarification-on-calculation-for-m2m-auth-quota-utilization-when-an-action-is-used-to-deny-an-access-token/116301);
/// a free tenant past its quota is blocked "until the plan is upgraded or the month resets"
/// (https://community.auth0.com/t/what-happens-when-m2m-tokens-are-used-up/105079); and one was
/// blocked at 574 tokens because "Auth0 takes into account the usage of your last three months
/// and calculates an average" (https://community.auth0.com/t/free-plan-exceeded-your-plan-limit-but-only-on-574-calls/73228).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuotaTrigger {
    /// Blocked when this month's count reaches the quota, or when the average of this month and
    /// the two before does (which month the average takes in is **assumed**); with no history
    /// the two agree (default).
    #[default]
    MonthOrAverage,
    /// Blocked only when this calendar month's count reaches the quota.
    CalendarMonth,
}
