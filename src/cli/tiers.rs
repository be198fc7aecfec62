//! `quotaprobe tiers`: the built-in tier profiles (or one `--tier-file`) as a summary table, then
//! every bucket with its routes and source.

use std::fmt::Write as _;

use super::{CliError, CliResult, Exit, TiersArgs};
use crate::sim::tier::{self, LimitSpec, QuotaTrigger, TierProfile};

pub(super) fn tiers(args: TiersArgs) -> CliResult {
    let profiles: Vec<TierProfile> = match &args.tier_file {
        Some(path) => vec![tier::load_file(path).map_err(CliError::usage)?],
        None => tier::builtin_names()
            .iter()
            .map(|n| tier::builtin_or_err(n))
            .collect::<Result<_, _>>()
            .map_err(CliError::failed)?,
    };
    super::print_out(&render(&profiles));
    Ok(Exit::Ok)
}

fn short(l: &LimitSpec) -> String {
    format!("{}/{} per {}", l.burst, l.rate, l.per.label())
}

fn management_summary(t: &TierProfile) -> String {
    let m = &t.management;
    let mut parts = Vec::new();
    if let Some(l) = &m.tenant {
        parts.push(format!("tenant {}", short(l)));
    }
    if !m.groups.is_empty() {
        parts.push(format!("{} groups", m.groups.len()));
    }
    if let Some(l) = &m.other {
        parts.push(format!("other {}", short(l)));
    }
    if parts.is_empty() {
        "unlimited".into()
    } else {
        parts.join(" + ")
    }
}

fn token_summary(t: &TierProfile) -> String {
    let parts: Vec<String> = t
        .token_endpoint
        .iter()
        .map(|b| format!("{} {}", b.name, short(&b.limit)))
        .collect();
    if parts.is_empty() {
        "unlimited".into()
    } else {
        parts.join(" + ")
    }
}

/// The whole listing: summary table (limits as burst/refill), then details with sources.
pub fn render(profiles: &[TierProfile]) -> String {
    let mut out = String::new();
    let rows: Vec<[String; 5]> = profiles
        .iter()
        .map(|t| {
            [
                t.name.clone(),
                management_summary(t),
                token_summary(t),
                match (t.monthly_m2m_quota, t.quota_unknown) {
                    (Some(q), true) => format!("unknown ({q} assumed)"),
                    (None, true) => "unknown".into(),
                    (Some(q), false) => q.to_string(),
                    (None, false) => "none".into(),
                },
                match (t.monthly_m2m_quota, t.quota_hard_block) {
                    (None, _) => "-".into(),
                    (Some(_), true) => "blocks".into(),
                    (Some(_), false) => "counts overage".into(),
                },
            ]
        })
        .collect();
    let header = [
        "TIER",
        "MANAGEMENT API (burst/refill)",
        "POST /oauth/token (burst/refill)",
        "M2M/MONTH",
        "PAST QUOTA",
    ];
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in &rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.len());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    out.push_str(&line(&header.map(String::from)));
    for r in &rows {
        out.push_str(&line(r));
    }
    out.push_str("\nBuckets are per tenant. A Management call draws from the tenant bucket (if any) and its group's\nbucket (else \"other\"); a token request from every /oauth/token bucket. Sources below; \"assumed\" marks guesses.\n");
    out.push_str("x-ratelimit-reset is the epoch second the reported bucket is full again (Auth0's SDK maintainers:\nhttps://github.com/auth0/node-auth0/pull/538); a tier file's reset = \"next_token\" makes it the next token's second.\nA rate-limited token, JWKS or OpenID request gets 429 too_many_requests (Auth0's docs); a tier file's\nauth_limit_answer = \"access_denied_500\" gives the 500 access_denied a community report shows instead.\nM2M/MONTH \"unknown\": Auth0 publishes no allotment for the plan (a stand-in number is used if shown).\n");
    for t in profiles {
        let refill = format!("{:?}", t.refill).to_lowercase();
        let _ = writeln!(out, "\n{} - {} (refill: {refill})", t.name, t.description);
        let m = &t.management;
        if let Some(l) = &m.tenant {
            let _ = writeln!(
                out,
                "  management tenant      {}  [{}]",
                l.describe(),
                l.source
            );
        }
        for g in &m.groups {
            let _ = writeln!(
                out,
                "  management {} {}  [{}]\n      routes: {}",
                g.name,
                g.limit.describe(),
                g.limit.source,
                g.routes.join(", ")
            );
        }
        if let Some(l) = &m.other {
            let _ = writeln!(
                out,
                "  management other       {}  [{}]",
                l.describe(),
                l.source
            );
        }
        for b in &t.token_endpoint {
            let _ = writeln!(
                out,
                "  /oauth/token {:<10} {}  [{}]",
                b.name,
                b.limit.describe(),
                b.limit.source
            );
        }
        for (what, list) in [
            ("jwks        ", &t.jwks),
            ("openid-config", &t.openid_configuration),
        ] {
            for b in list {
                let _ = writeln!(
                    out,
                    "  {what} {:<8} {}  [{}]",
                    b.name,
                    b.limit.describe(),
                    b.limit.source
                );
            }
        }
        let _ = writeln!(
            out,
            "  x-ratelimit-reset      {} (reset = {:?})",
            t.reset.label(),
            t.reset.key()
        );
        let _ = writeln!(
            out,
            "  Auth API limited       {} (auth_limit_answer = {:?})",
            t.auth_limit_answer.label(),
            t.auth_limit_answer.key()
        );
        let quota = match t.monthly_m2m_quota {
            Some(q) if t.quota_hard_block => match t.quota_trigger {
                QuotaTrigger::MonthOrAverage => format!(
                    "{q} M2M tokens/month, blocks new tokens past it or once the 3-month average reaches it (trigger = \"month_or_average\")"
                ),
                QuotaTrigger::CalendarMonth => format!(
                    "{q} M2M tokens/month, blocks new tokens past it (trigger = \"calendar_month\")"
                ),
            },
            Some(q) => format!("{q} M2M tokens/month, keeps issuing and counts overage"),
            None => "no monthly M2M quota".into(),
        };
        let quota = if t.quota_unknown {
            format!("unknown allotment: {quota}")
        } else {
            quota
        };
        let _ = writeln!(
            out,
            "  quota                  {quota}  [{}]",
            t.quota_source
        );
    }
    out
}
