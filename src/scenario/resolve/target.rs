//! Target, clients and token strategy: where requests go and with which credentials.

use std::time::Duration;

use super::Resolver;
use crate::scenario::env::is_pure_reference;
use crate::scenario::plan::*;
use crate::scenario::secret::Secret;
use crate::scenario::spec::{ClientSpec, SimulatedSpec, TargetSpec, TokensSpec};

/// Auth0's maximum access-token lifetime (30 days).
const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(2_592_000);
const DEFAULT_TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);

pub(super) fn target(r: &mut Resolver<'_>, spec: Option<&TargetSpec>) -> TargetPlan {
    let default_sim = SimulatedSpec::default();
    let Some(spec) = spec else {
        return simulated(r, &default_sim);
    };
    if spec.url.is_none() && spec.domain.is_none() {
        if spec.management_audience.is_some() {
            r.problem(
                &["target", "management_audience"],
                "only applies to a real tenant; the simulator derives its own",
            );
        }
        return simulated(r, spec.simulated.as_ref().unwrap_or(&default_sim));
    }
    if spec.simulated.is_some() {
        r.problem(
            &["target", "simulated"],
            "a target is either simulated or a real tenant (url/domain), not both; remove one",
        );
    }
    if r.ctx.overrides.tier.is_some() {
        r.problem(
            &["target", "url"],
            "--tier selects a simulated tier; this scenario targets a real tenant",
        );
    }
    let (base_url, domain) = match (&spec.url, &spec.domain) {
        (Some(_), Some(_)) => {
            r.problem(&["target", "domain"], "give either url or domain, not both");
            (String::new(), String::new())
        }
        (Some(url), _) => {
            let url = r.text(&["target", "url"], url).unwrap_or_default();
            let url = url.trim_end_matches('/').to_string();
            let host = url
                .strip_prefix("https://")
                .or_else(|| url.strip_prefix("http://"));
            match host {
                Some(host) if !host.is_empty() && !host.contains('/') => {
                    if url.starts_with("http://") && !is_loopback(host) {
                        r.problem(&["target", "url"], "a real tenant needs https://; plain http is only for loopback test servers");
                    }
                    (url.clone(), host.to_string())
                }
                _ => {
                    r.problem(&["target", "url"], format!("{url:?} is not a tenant base URL; write it like \"https://${{AUTH0_DOMAIN}}\" (no path)"));
                    (String::new(), String::new())
                }
            }
        }
        (None, domain) => {
            let domain = domain.as_deref().unwrap_or_default();
            let domain = r.text(&["target", "domain"], domain).unwrap_or_default();
            if domain.is_empty() || domain.contains('/') {
                r.problem(
                    &["target", "domain"],
                    "must be a host name like example.eu.auth0.com (no scheme, no path)",
                );
            }
            (format!("https://{domain}"), domain)
        }
    };
    let management_audience = match &spec.management_audience {
        Some(a) => r
            .text(&["target", "management_audience"], a)
            .unwrap_or_default(),
        None => format!("https://{domain}/api/v2/"),
    };
    TargetPlan::Real(RealPlan {
        base_url,
        domain,
        management_audience,
    })
}

fn is_loopback(host: &str) -> bool {
    let name = host.rsplit_once(':').map_or(host, |(h, _)| h);
    name == "localhost" || name.starts_with("127.") || name == "[::1]"
}

fn simulated(r: &mut Resolver<'_>, spec: &SimulatedSpec) -> TargetPlan {
    let tier = r
        .ctx
        .overrides
        .tier
        .clone()
        .or_else(|| spec.tier.clone())
        .unwrap_or_else(|| "free".to_string());
    if let Some(known) = r.ctx.known_tiers
        && !known.contains(&tier.as_str())
    {
        let key = if r.ctx.overrides.tier.is_some() {
            "--tier"
        } else {
            "tier"
        };
        r.problem(
            &["target", "simulated", "tier"],
            format!(
                "unknown tier {tier:?} (from {key}); choose one of: {}",
                known.join(", ")
            ),
        );
    }
    let token_lifetime = lifetime(
        r,
        &["target", "simulated", "token_lifetime"],
        spec.token_lifetime.as_deref(),
    )
    .unwrap_or(DEFAULT_TOKEN_LIFETIME);
    let mut apis = Vec::new();
    for (i, api) in spec.apis.iter().enumerate() {
        let idx = i.to_string();
        let audience = r
            .text(
                &["target", "simulated", "apis", &idx, "audience"],
                &api.audience,
            )
            .unwrap_or_default();
        let lt = lifetime(
            r,
            &["target", "simulated", "apis", &idx, "token_lifetime"],
            api.token_lifetime.as_deref(),
        )
        .unwrap_or(token_lifetime);
        apis.push(ApiPlan {
            audience,
            token_lifetime: lt,
        });
    }
    TargetPlan::Simulated(SimulatedPlan {
        tier,
        month_to_date_tokens: spec.month_to_date_tokens.unwrap_or(0),
        users: spec.users.unwrap_or(1_000),
        token_lifetime,
        apis,
        faults: super::faults::faults(r, spec.faults.as_ref()),
    })
}

fn lifetime(r: &mut Resolver<'_>, path: &[&str], value: Option<&str>) -> Option<Duration> {
    let d = r.duration(path, value?)?;
    if d < Duration::from_secs(1) || d > MAX_TOKEN_LIFETIME {
        r.problem(
            path,
            "must be between 1s and 30 days (Auth0's maximum, 2592000 s)",
        );
        return None;
    }
    Some(d)
}

pub(super) fn clients(r: &mut Resolver<'_>, specs: &[ClientSpec], real: bool) -> Vec<ClientPlan> {
    if specs.is_empty() {
        if real {
            r.problem(&["clients"], "a real tenant needs at least one [[clients]] entry with client_id and client_secret = \"${ENV_VAR}\"");
        }
        // The simulator's demo client.
        return vec![ClientPlan {
            name: "demo".into(),
            client_id: None,
            client_secret: None,
            throttle_per_s: None,
            quota: None,
            ungranted: Vec::new(),
        }];
    }
    let mut out: Vec<ClientPlan> = Vec::new();
    for (i, c) in specs.iter().enumerate() {
        let idx = i.to_string();
        if c.name.trim().is_empty() || out.iter().any(|o| o.name == c.name) {
            r.problem(
                &["clients", &idx, "name"],
                format!("client name {:?} must be non-empty and unique", c.name),
            );
        }
        let client_id = c
            .client_id
            .as_ref()
            .and_then(|v| r.text(&["clients", &idx, "client_id"], v));
        let client_secret = match &c.client_secret {
            Some(v) if real && !is_pure_reference(v) => {
                r.problem(
                    &["clients", &idx, "client_secret"],
                    "a literal secret in a scenario that targets a real tenant is refused; write client_secret = \"${AUTH0_CLIENT_SECRET}\" and export the variable",
                );
                None
            }
            Some(v) => r
                .text(&["clients", &idx, "client_secret"], v)
                .map(Secret::new),
            None => None,
        };
        if real && (c.client_id.is_none() || c.client_secret.is_none()) {
            r.problem(
                &["clients", &idx],
                "a real tenant needs client_id and client_secret (from ${ENV_VAR}s)",
            );
        }
        let throttle_per_s = positive(r, &["clients", &idx, "throttle"], c.throttle);
        let quota = c.quota.as_ref().map(|q| ClientQuotaPlan {
            per_hour: q.per_hour,
            per_day: q.per_day,
            enforce: q.enforce.unwrap_or(true),
        });
        if quota.is_some() && real {
            r.problem(&["clients", &idx, "quota"], "quota is provisioned on the simulated tenant only; set it in the Auth0 Dashboard for a real one");
        }
        let mut ungranted = Vec::new();
        for (j, a) in c.ungranted.iter().enumerate() {
            if let Some(a) = r.text(&["clients", &idx, "ungranted", &j.to_string()], a) {
                ungranted.push(a);
            }
        }
        out.push(ClientPlan {
            name: c.name.clone(),
            client_id,
            client_secret,
            throttle_per_s,
            quota,
            ungranted,
        });
    }
    out
}

pub(super) fn positive(r: &mut Resolver<'_>, path: &[&str], value: Option<f64>) -> Option<f64> {
    match value {
        Some(v) if v.is_finite() && v > 0.0 => Some(v),
        Some(v) => {
            r.problem(path, format!("must be a number > 0, got {v}"));
            None
        }
        None => None,
    }
}

pub(super) fn tokens(r: &mut Resolver<'_>, spec: Option<&TokensSpec>, real: bool) -> TokenPlan {
    let Some(spec) = spec else {
        return TokenPlan {
            strategy: TokenStrategy::Cache {
                refresh_skew: Duration::from_secs(60),
            },
            format: TokenFormat::Form,
        };
    };
    let format = match spec.format.as_deref() {
        None | Some("form") => TokenFormat::Form,
        Some("json") => TokenFormat::Json,
        Some(other) => {
            r.problem(
                &["tokens", "format"],
                format!("unknown format {other:?}; use \"form\" or \"json\""),
            );
            TokenFormat::Form
        }
    };
    let refresh_skew = match &spec.refresh_skew {
        Some(v) => match humantime::parse_duration(v.trim()) {
            Ok(d) => d,
            Err(_) => {
                r.problem(
                    &["tokens", "refresh_skew"],
                    format!("{v:?} is not a duration; write it like \"60s\""),
                );
                Duration::from_secs(60)
            }
        },
        None => Duration::from_secs(60),
    };
    let strategy = match spec.strategy.as_deref().unwrap_or("cache") {
        "cache" => TokenStrategy::Cache { refresh_skew },
        "per-request" => TokenStrategy::PerRequest,
        "static" => match &spec.token {
            Some(t) if !is_pure_reference(t) => {
                r.problem(
                    &["tokens", "token"],
                    "write the token as \"${ENV_VAR}\"; a literal token in a file is refused",
                );
                TokenStrategy::PerRequest
            }
            Some(t) => match r.text(&["tokens", "token"], t) {
                Some(t) => TokenStrategy::Static {
                    token: Secret::new(t),
                },
                None => TokenStrategy::PerRequest,
            },
            None => {
                r.problem(
                    &["tokens", "strategy"],
                    "strategy = \"static\" needs token = \"${ENV_VAR}\" in [tokens]",
                );
                TokenStrategy::PerRequest
            }
        },
        other => {
            r.problem(
                &["tokens", "strategy"],
                format!("unknown strategy {other:?}; use \"cache\", \"per-request\" or \"static\""),
            );
            TokenStrategy::PerRequest
        }
    };
    if spec.token.is_some()
        && !matches!(strategy, TokenStrategy::Static { .. })
        && spec.strategy.as_deref() != Some("static")
    {
        r.problem(
            &["tokens", "token"],
            "only used with strategy = \"static\"; remove it or set the strategy",
        );
    }
    if real
        && matches!(strategy, TokenStrategy::PerRequest)
        && spec.strategy.as_deref() == Some("per-request")
    {
        // Allowed, but each call then costs a token on a real tenant; the plan printout says so.
    }
    TokenPlan { strategy, format }
}
