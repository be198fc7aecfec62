//! Tier profiles: the rate limits and M2M quota a simulated tenant enforces, as data.
//!
//! Profiles are TOML (built in via `include_str!` from `tiers/*.toml`, or loaded with
//! `--tier-file`); every number carries its source, a URL or "assumed: why". This module owns the
//! file model and the questions the rest of the crate asks ("which buckets apply to this call?");
//! it keeps no bucket state (`limiter.rs` does).
//!
//! What a tier's buckets produce on the wire: lower-case `x-ratelimit-limit` (size of the tightest
//! bucket), `x-ratelimit-remaining` and `x-ratelimit-reset` (epoch second, rounded up, when that
//! bucket is full again — `reset = "next_token"`: when it next gains a whole token; the current
//! second when it is full; why in `limit.rs` `ResetMode`) on every limited response. A
//! Management 429 has Auth0's body `{"statusCode":429,"error":"Too Many Requests","message":
//! "Global limit has been reached","errorCode":"too_many_requests"}`
//! (https://github.com/auth0-extensions/auth0-reset-tenant/issues/31); an Authentication API one
//! (token endpoint, JWKS, OpenID configuration) `{"error":"too_many_requests","error_description":
//! "Global limit has been reached"}`, whose description is **assumed** (Auth0's docs pin only
//! `error`), or with `auth_limit_answer = "access_denied_500"` a 500 `access_denied` (`limit.rs`
//! `AuthLimitAnswer`). `refill = "window"` switches every bucket of the tier to fixed-window
//! top-ups (see `bucket.rs`).

use serde::{Deserialize, Serialize};
use std::path::Path;

use super::SimError;
use super::bucket::Refill;
pub use super::limit::{AuthLimitAnswer, LimitSpec, Per, QuotaTrigger, ResetMode};
use super::route;

/// An endpoint group of the Management API with its own bucket.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    pub name: String,
    /// "METHOD /api/v2/path/{param}" patterns.
    pub routes: Vec<String>,
    #[serde(flatten)]
    pub limit: LimitSpec,
}

/// Management API limits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct ManagementLimits {
    /// The API-wide (tenant) bucket every call draws from, if the tier has one.
    pub tenant: Option<LimitSpec>,
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
    /// The bucket for calls in no group ("All other endpoints combined"), if any.
    pub other: Option<LimitSpec>,
}

/// A named bucket on `POST /oauth/token`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedLimit {
    pub name: String,
    #[serde(flatten)]
    pub limit: LimitSpec,
}

/// Monthly M2M token quota.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct QuotaSpec {
    pub monthly_m2m: Option<u64>,
    #[serde(default)]
    pub hard_block: bool,
    /// `true`: Auth0 publishes no allotment for this plan, so `monthly_m2m` (if any) is a
    /// stand-in and the quota is unknown, not unlimited.
    #[serde(default)]
    pub unknown: bool,
    /// When `hard_block` blocks (`limit.rs` `QuotaTrigger`).
    #[serde(default)]
    pub trigger: QuotaTrigger,
    pub source: String,
}

/// The on-disk shape of a tier file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TierFile {
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    refill: Refill,
    #[serde(default)]
    management: ManagementLimits,
    #[serde(default)]
    token_endpoint: Vec<NamedLimit>,
    #[serde(default)]
    jwks: Vec<NamedLimit>,
    #[serde(default)]
    openid_configuration: Vec<NamedLimit>,
    #[serde(default)]
    reset: ResetMode,
    #[serde(default)]
    auth_limit_answer: AuthLimitAnswer,
    quota: QuotaSpec,
}

/// A validated tier profile.
#[derive(Debug, Clone, PartialEq)]
pub struct TierProfile {
    pub name: String,
    pub description: String,
    pub refill: Refill,
    pub management: ManagementLimits,
    /// Buckets on `POST /oauth/token`; a request needs a token from each.
    pub token_endpoint: Vec<NamedLimit>,
    /// Buckets on `GET /.well-known/jwks.json` (none: unlimited). A bucket named like a
    /// `token_endpoint` one is the same bucket (one tenant, one bucket per name).
    pub jwks: Vec<NamedLimit>,
    /// Buckets on `GET /.well-known/openid-configuration`, as `jwks`.
    pub openid_configuration: Vec<NamedLimit>,
    /// What `x-ratelimit-reset` names (`reset = "full"` by default, or `"next_token"`).
    pub reset: ResetMode,
    /// How a rate-limited Authentication API request is answered.
    pub auth_limit_answer: AuthLimitAnswer,
    pub monthly_m2m_quota: Option<u64>,
    /// Auth0 publishes no allotment for the plan: `monthly_m2m_quota` is a stand-in (or none).
    pub quota_unknown: bool,
    /// When the hard block applies: this month's count, or also the 3-month average.
    pub quota_trigger: QuotaTrigger,
    /// Past the monthly quota: true = refuse new custom-audience tokens, false = count overage.
    pub quota_hard_block: bool,
    pub quota_source: String,
}

const BUILTIN: &[(&str, &str)] = &[
    ("free", include_str!("tiers/free.toml")),
    ("essentials", include_str!("tiers/essentials.toml")),
    ("professional", include_str!("tiers/professional.toml")),
    ("enterprise", include_str!("tiers/enterprise.toml")),
    (
        "enterprise-nonprod",
        include_str!("tiers/enterprise-nonprod.toml"),
    ),
    (
        "private-cloud-100",
        include_str!("tiers/private-cloud-100.toml"),
    ),
    (
        "private-cloud-500",
        include_str!("tiers/private-cloud-500.toml"),
    ),
    (
        "private-cloud-1500",
        include_str!("tiers/private-cloud-1500.toml"),
    ),
];

const NAMES: &[&str] = &[
    "free",
    "essentials",
    "professional",
    "enterprise",
    "enterprise-nonprod",
    "private-cloud-100",
    "private-cloud-500",
    "private-cloud-1500",
];

/// Names of the built-in profiles, in display order.
pub fn builtin_names() -> &'static [&'static str] {
    NAMES
}

/// A built-in profile by name.
pub fn builtin(name: &str) -> Option<TierProfile> {
    let (_, text) = BUILTIN.iter().find(|(n, _)| *n == name)?;
    parse(text, &format!("built-in tier {name}")).ok()
}

/// A built-in profile, or `SimError::UnknownTier` listing the names.
pub fn builtin_or_err(name: &str) -> Result<TierProfile, SimError> {
    builtin(name).ok_or_else(|| SimError::UnknownTier {
        name: name.to_string(),
        known: NAMES.join(", "),
    })
}

/// Load a profile from a TOML file.
pub fn load_file(path: &Path) -> Result<TierProfile, SimError> {
    let text = std::fs::read_to_string(path).map_err(|source| SimError::TierRead {
        path: path.to_path_buf(),
        source,
    })?;
    parse(&text, &path.display().to_string())
}

/// Parse and validate a profile; `origin` names the file in errors.
pub fn parse(text: &str, origin: &str) -> Result<TierProfile, SimError> {
    let invalid = |message: String| SimError::TierInvalid {
        origin: origin.to_string(),
        message,
    };
    let file: TierFile = toml::from_str(text).map_err(|e| invalid(e.to_string()))?;
    let mut limits: Vec<(String, &LimitSpec)> = Vec::new();
    if let Some(t) = &file.management.tenant {
        limits.push(("management.tenant".into(), t));
    }
    if let Some(o) = &file.management.other {
        limits.push(("management.other".into(), o));
    }
    for g in &file.management.groups {
        limits.push((format!("management.groups {:?}", g.name), &g.limit));
        for r in &g.routes {
            route::Pattern::parse(r).map_err(|m| invalid(format!("group {:?}: {m}", g.name)))?;
        }
    }
    for (table, list) in [
        ("token_endpoint", &file.token_endpoint),
        ("jwks", &file.jwks),
        ("openid_configuration", &file.openid_configuration),
    ] {
        for t in list {
            limits.push((format!("{table} {:?}", t.name), &t.limit));
        }
    }
    for (key, l) in limits {
        if l.burst == 0 || l.rate == 0 {
            return Err(invalid(format!("{key}: burst and rate must be > 0")));
        }
        if l.source.trim().is_empty() {
            return Err(invalid(format!(
                "{key}: source must name a URL or say \"assumed: ...\""
            )));
        }
    }
    Ok(TierProfile {
        name: file.name,
        description: file.description,
        refill: file.refill,
        management: file.management,
        token_endpoint: file.token_endpoint,
        jwks: file.jwks,
        openid_configuration: file.openid_configuration,
        reset: file.reset,
        auth_limit_answer: file.auth_limit_answer,
        monthly_m2m_quota: file.quota.monthly_m2m,
        quota_unknown: file.quota.unknown,
        quota_trigger: file.quota.trigger,
        quota_hard_block: file.quota.hard_block,
        quota_source: file.quota.source,
    })
}

impl TierProfile {
    /// The buckets a Management API call draws from, as (bucket name, limit): the tenant bucket
    /// (if any), then its group's bucket, else the "other" bucket (if any). `path` may carry a query.
    pub fn management_buckets(&self, method: &str, path: &str) -> Vec<(String, &LimitSpec)> {
        let path = path.split('?').next().unwrap_or(path);
        let mut out = Vec::with_capacity(2);
        if let Some(t) = &self.management.tenant {
            out.push(("management".to_string(), t));
        }
        let group = self.management.groups.iter().find(|g| {
            g.routes.iter().any(|r| {
                route::Pattern::parse(r)
                    .map(|p| p.matches(method, path))
                    .unwrap_or(false)
            })
        });
        match (group, &self.management.other) {
            (Some(g), _) => out.push((format!("management:{}", g.name), &g.limit)),
            (None, Some(o)) => out.push(("management:other".to_string(), o)),
            (None, None) => {}
        }
        out
    }

    /// The tightest bucket (lowest sustained rate, then smallest burst) for a Management API
    /// call, as (burst, sustained per second); `None` if the tier does not limit it.
    pub fn management_limit_for(&self, method: &str, path: &str) -> Option<(u64, f64)> {
        tightest(
            self.management_buckets(method, path)
                .into_iter()
                .map(|(_, l)| l),
        )
    }

    /// The buckets of an Authentication API list (`token_endpoint`, `jwks`, ...) for the limiter.
    pub fn auth_buckets(list: &[NamedLimit]) -> Vec<(String, &LimitSpec)> {
        list.iter().map(|b| (b.name.clone(), &b.limit)).collect()
    }

    /// The tightest bucket on `POST /oauth/token`, as (burst, sustained per second).
    pub fn token_endpoint_limit(&self) -> Option<(u64, f64)> {
        tightest(self.token_endpoint.iter().map(|t| &t.limit))
    }
}

fn tightest<'a>(limits: impl Iterator<Item = &'a LimitSpec>) -> Option<(u64, f64)> {
    limits
        .map(|l| (l.burst, l.rate_per_s()))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
}

#[cfg(test)]
#[path = "tier_tests.rs"]
mod tests;
