//! Provisions the embedded simulated tenant from a scenario: every client it names, every custom
//! API it uses, and the grants between them — minus the audiences a client lists as `ungranted`,
//! to test a missing grant on purpose. Clients without credentials get generated ones.

use std::collections::BTreeSet;

use crate::scenario::{OperationKind, RunPlan, Secret, SimulatedPlan};
use crate::sim::{
    ClientQuota, Faults, MANAGEMENT, SimApi, SimClient, SimConfig, SimGrant, TierProfile,
};

/// The simulated tenant for `plan`, and each plan client's (client_id, secret), by index.
pub(super) fn sim_config(
    plan: &RunPlan,
    sp: &SimulatedPlan,
    tier: TierProfile,
) -> (SimConfig, Vec<(String, Secret)>) {
    let mut audiences: BTreeSet<String> = sp.apis.iter().map(|a| a.audience.clone()).collect();
    let mut scopes: BTreeSet<(String, String)> = BTreeSet::new();
    for op in &plan.operations {
        let (audience, scope) = match &op.kind {
            OperationKind::Token {
                audience, scope, ..
            } => (audience, scope),
            OperationKind::Http {
                bearer: Some(b), ..
            } => (&b.audience, &b.scope),
            _ => continue,
        };
        // An audience filled per request is not one API: the scenario lists the APIs it
        // may become in [[target.simulated.apis]].
        if let Some(a) = audience.as_ref().filter(|a| !a.contains("{{")) {
            audiences.insert(a.clone());
            for s in scope.iter().flat_map(|s| s.split_whitespace()) {
                scopes.insert((a.clone(), s.to_string()));
            }
        }
    }
    for c in &plan.clients {
        audiences.extend(
            c.ungranted
                .iter()
                .filter(|a| a.as_str() != MANAGEMENT)
                .cloned(),
        );
    }
    let mut config = SimConfig::new(tier);
    config.lazy_keys = !asks_the_tenant(plan);
    config.users = sp.users;
    config.month_to_date_tokens = sp.month_to_date_tokens;
    config.management_token_lifetime_s = sp.token_lifetime.as_secs().max(1);
    let f = &sp.faults;
    config.faults = Faults {
        latency: f.latency,
        latency_max: f.latency_max,
        error_ratio: f.error_ratio,
        drop_ratio: f.drop_ratio,
        stall_ratio: f.stall_ratio,
        stall: f.stall,
        malformed_ratio: f.malformed_ratio,
        garbage_headers_ratio: f.garbage_headers_ratio,
        token_exp_shortfall: f.token_exp_shortfall,
        from: f.from,
        until: f.until,
    };
    config.apis = audiences
        .iter()
        .map(|aud| {
            let lifetime = sp
                .apis
                .iter()
                .find(|a| &a.audience == aud)
                .map_or(sp.token_lifetime, |a| a.token_lifetime);
            SimApi {
                audience: aud.clone(),
                token_lifetime_s: lifetime.as_secs().max(1),
                scopes: scopes
                    .iter()
                    .filter(|(a, _)| a == aud)
                    .map(|(_, s)| s.clone())
                    .collect(),
            }
        })
        .collect();
    let mut credentials = Vec::new();
    for c in &plan.clients {
        let id = c
            .client_id
            .clone()
            .unwrap_or_else(|| format!("qp-{}", c.name));
        let secret = c
            .client_secret
            .clone()
            .unwrap_or_else(|| Secret::new(crate::sim::random_id("qp_", 32)));
        credentials.push((id.clone(), secret.clone()));
        let ungranted = |a: &str| c.ungranted.iter().any(|u| u == a);
        let mut grants = Vec::new();
        if !ungranted(MANAGEMENT) {
            grants.push(SimGrant {
                audience: MANAGEMENT.into(),
                scopes: Vec::new(),
            });
        }
        grants.extend(
            audiences
                .iter()
                .filter(|a| !ungranted(a))
                .map(|a| SimGrant {
                    audience: a.clone(),
                    scopes: Vec::new(),
                }),
        );
        config.clients.push(SimClient {
            name: c.name.clone(),
            client_id: id,
            client_secret: secret.expose().to_string(),
            grants,
            quota: c.quota.as_ref().map(|q| ClientQuota {
                per_hour: q.per_hour,
                per_day: q.per_day,
                enforce: q.enforce,
            }),
        });
    }
    (config, credentials)
}

/// Whether the run may send anything to the tenant: a token or Management operation, an `http`
/// one with a bearer token or a target-relative URL, or any mid-run event. Only a run that may
/// not has the tenant's signing key made on first use (`SimConfig::lazy_keys`): a benchmark
/// against another local server does not pay for a key it never uses.
fn asks_the_tenant(plan: &RunPlan) -> bool {
    !plan.events.is_empty()
        || plan.operations.iter().any(|op| match &op.kind {
            OperationKind::Http { url, bearer, .. } => {
                bearer.is_some() || !(url.starts_with("http://") || url.starts_with("https://"))
            }
            OperationKind::Token { .. } | OperationKind::Management { .. } => true,
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn plan(operations: &str, extra: &str) -> RunPlan {
        let text = format!(
            "name = \"t\"\n{operations}\n[[phases]]\nname = \"p\"\nduration = \"1s\"\nrate = 1\n{extra}\n"
        );
        crate::scenario::parse_for_test(&text, &|_| None).unwrap()
    }

    #[test]
    fn only_a_run_that_sends_nothing_to_the_tenant_makes_its_key_on_first_use() {
        let http = |url: &str, more: &str| {
            format!("[[operations]]\nname = \"h\"\nkind = \"http\"\nurl = \"{url}\"\n{more}")
        };
        // (operations, other tables, asks the tenant)
        let table = [
            (http("http://127.0.0.1:9/", ""), "", false),
            (http("https://api.example.com/x", ""), "", false),
            (http("/demo/data", ""), "", true),
            (
                http(
                    "http://127.0.0.1:9/",
                    "audience = \"https://api.example.com/\"",
                ),
                "",
                true,
            ),
            (
                "[[operations]]\nname = \"t\"\nkind = \"token\"".to_string(),
                "",
                true,
            ),
            (
                "[[operations]]\nname = \"m\"\nkind = \"management\"\nmethod = \"GET\"\npath = \"/api/v2/users\"".to_string(),
                "",
                true,
            ),
            (
                http("http://127.0.0.1:9/", ""),
                "[[clients]]\nname = \"backend\"\n[[events]]\nat = \"0.5s\"\naction = \"rotate-secret\"\nclient = \"backend\"",
                true,
            ),
        ];
        for (ops, extra, asks) in table {
            let p = plan(&ops, extra);
            assert_eq!(asks_the_tenant(&p), asks, "{ops} {extra}");
        }
    }
}
