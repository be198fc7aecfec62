//! The recorder's operation table: the plan's operations (by plan index, so thresholds and
//! reports can name them), then one synthetic `token:<audience>` operation per audience whose
//! tokens the engine may fetch behind API calls (Management calls, `http` bearers, events).
//! And the operations' requests, built once at start ([`requests`]): a request that cannot be
//! built is an [`EngineError::Template`] naming the operation, before anything is sent.

use std::collections::{BTreeSet, HashMap};

use super::EngineError;
use super::ctx::token_key;
use super::tokens::TokenKey;
use super::tokens::fetch::synthetic_name;
use crate::metrics::OpMeta;
use crate::ops::{self, Base, Template};
use crate::scenario::{OperationKind, RunPlan, Secret};

/// Every request template of a run.
pub struct Requests {
    /// One per plan operation, by index.
    pub ops: Vec<Template>,
    /// The token each plan operation needs, by index.
    pub keys: Vec<Option<TokenKey>>,
    /// The token request of every key an API call or an event may fetch.
    pub tokens: HashMap<TokenKey, Template>,
}

/// Builds and checks every request of `plan` (`credentials` by plan client index).
pub fn requests(
    plan: &RunPlan,
    base: &Base,
    mgmt: &str,
    credentials: &[(String, Secret)],
) -> Result<Requests, EngineError> {
    let creds = |client: usize| {
        credentials
            .get(client)
            .ok_or_else(|| EngineError::MissingCredentials {
                index: client,
                name: plan
                    .clients
                    .get(client)
                    .map_or_else(String::new, |c| c.name.clone()),
            })
    };
    let token =
        |client: usize, audience: &str, scope: Option<&str>, headers: &[(String, String)]| {
            let (client_id, secret) = creds(client)?;
            let req = ops::token::TokenRequest {
                client_id,
                client_secret: secret,
                audience,
                scope,
                format: plan.tokens.format,
            };
            Ok::<_, EngineError>(ops::token::template_with(base, &req, headers))
        };
    let mut out = Requests {
        ops: Vec::with_capacity(plan.operations.len()),
        keys: Vec::with_capacity(plan.operations.len()),
        tokens: HashMap::new(),
    };
    for (index, o) in plan.operations.iter().enumerate() {
        let built = match &o.kind {
            OperationKind::Token {
                client,
                audience,
                scope,
                headers,
            } => token(
                *client,
                audience.as_deref().unwrap_or(mgmt),
                scope.as_deref(),
                headers,
            )?,
            OperationKind::Management {
                method,
                path,
                headers,
                body,
                ..
            } => ops::management::template(base, method, path, headers, body.as_deref()),
            OperationKind::Http {
                method,
                url,
                headers,
                body,
                bearer,
            } => ops::http::template(
                base,
                method,
                url,
                headers,
                body.as_deref(),
                bearer.is_some(),
            ),
        };
        let template = built.map_err(|source| EngineError::Template {
            what: format!("operations[{index}] (`{}`)", o.name),
            source,
        })?;
        out.ops.push(template);
        out.keys.push(token_key(&o.kind, mgmt));
    }
    let events = plan.events.iter().map(|e| TokenKey {
        client: e.client,
        audience: mgmt.to_string(),
        scope: None,
    });
    let keys: Vec<TokenKey> = out.keys.iter().flatten().cloned().chain(events).collect();
    for key in keys {
        if out.tokens.contains_key(&key) {
            continue;
        }
        let template =
            token(key.client, &key.audience, key.scope.as_deref(), &[])?.map_err(|source| {
                EngineError::Template {
                    what: format!(
                        "the token request of clients[{}] for {}",
                        key.client, key.audience
                    ),
                    source,
                }
            })?;
        out.tokens.insert(key, template);
    }
    Ok(out)
}

/// Plan operations, then the synthetic token operations (audience → index).
pub fn table(plan: &RunPlan, mgmt: &str) -> (Vec<OpMeta>, HashMap<String, usize>) {
    let mut ops: Vec<OpMeta> = plan
        .operations
        .iter()
        .map(|o| OpMeta {
            name: o.name.clone(),
            kind: o.kind.label().to_string(),
            audience: match &o.kind {
                OperationKind::Token { audience, .. } => {
                    Some(audience.clone().unwrap_or_else(|| mgmt.to_string()))
                }
                _ => None,
            },
            synthetic: false,
        })
        .collect();
    let mut audiences = BTreeSet::new();
    for o in &plan.operations {
        match &o.kind {
            OperationKind::Management { .. } => {
                audiences.insert(mgmt.to_string());
            }
            OperationKind::Http {
                bearer: Some(b), ..
            } => {
                audiences.insert(b.audience.clone().unwrap_or_else(|| mgmt.to_string()));
            }
            _ => {}
        }
    }
    if !plan.events.is_empty() {
        audiences.insert(mgmt.to_string());
    }
    let mut index = HashMap::new();
    for a in audiences {
        index.insert(a.clone(), ops.len());
        ops.push(OpMeta {
            name: synthetic_name(&a),
            kind: "token".into(),
            audience: Some(a),
            synthetic: true,
        });
    }
    (ops, index)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::scenario::*;

    fn op(name: &str, kind: OperationKind) -> OperationPlan {
        OperationPlan {
            name: name.into(),
            kind,
            weight: 1,
            throttle_per_s: None,
        }
    }

    fn plan(ops: Vec<OperationPlan>) -> RunPlan {
        RunPlan {
            name: "n".into(),
            description: String::new(),
            seed: 1,
            target: TargetPlan::Simulated(SimulatedPlan {
                tier: "free".into(),
                month_to_date_tokens: 0,
                users: 0,
                token_lifetime: Duration::from_secs(60),
                apis: vec![],
                faults: Default::default(),
            }),
            clients: vec![],
            tokens: TokenPlan {
                strategy: TokenStrategy::PerRequest,
                format: TokenFormat::Form,
            },
            operations: ops,
            retry: RetryPlan {
                policy: RetryPolicy::None,
                max_retries: 0,
                base: Duration::ZERO,
                cap: Duration::ZERO,
                jitter: 0.0,
            },
            phases: vec![],
            stop: StopPlan::default(),
            events: vec![],
            thresholds: vec![],
            http: HttpPlan {
                timeout: Duration::from_secs(1),
                connect_timeout: Duration::from_secs(1),
            },
            shard: None,
            data: Default::default(),
            flows: vec![],
            start: None,
            jobs: vec![],
            strict: false,
            pacing: Default::default(),
        }
    }

    #[test]
    fn synthetic_token_operations_follow_the_plan_ones() {
        let ops = vec![
            op(
                "t",
                OperationKind::Token {
                    client: 0,
                    audience: None,
                    scope: None,
                    headers: vec![],
                },
            ),
            op(
                "m",
                OperationKind::Management {
                    client: 0,
                    method: "GET".into(),
                    path: "/api/v2/users".into(),
                    headers: vec![],
                    body: None,
                },
            ),
            op(
                "h",
                OperationKind::Http {
                    method: "GET".into(),
                    url: "/x".into(),
                    headers: vec![],
                    body: None,
                    bearer: Some(BearerPlan {
                        client: 0,
                        audience: Some("https://orders/".into()),
                        scope: None,
                    }),
                },
            ),
        ];
        let plan = plan(ops);
        let (table, index) = table(&plan, "https://t/api/v2/");
        let names: Vec<&str> = table.iter().map(|o| o.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "t",
                "m",
                "h",
                "token:https://orders/",
                "token:https://t/api/v2/"
            ]
        );
        assert_eq!(table[0].audience.as_deref(), Some("https://t/api/v2/"));
        assert_eq!(table[1].audience, None);
        assert!(table[3].synthetic && !table[0].synthetic);
        assert_eq!(index.get("https://orders/"), Some(&3));
        assert_eq!(index.get("https://t/api/v2/"), Some(&4));
    }

    /// Every request is built at start; one that cannot be is an error naming the operation
    /// and what is wrong, and a good plan gets one template per operation and one token
    /// request per key.
    #[test]
    fn requests_are_built_once_and_a_bad_one_is_refused() {
        let http = |url: &str, headers: Vec<(String, String)>| OperationKind::Http {
            method: "GET".into(),
            url: url.into(),
            headers,
            body: None,
            bearer: Some(BearerPlan {
                client: 0,
                audience: None,
                scope: None,
            }),
        };
        let base = Base::new("http://127.0.0.1:4000");
        let creds = vec![("id".to_string(), Secret::new("s"))];
        let good = plan(vec![
            op("a", http("/x", vec![])),
            op("b", http("/y", vec![])),
        ]);
        let built =
            requests(&good, &base, "https://t/api/v2/", &creds).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(built.ops.len(), 2);
        assert_eq!(built.keys.iter().flatten().count(), 2);
        assert_eq!(
            built.tokens.len(),
            1,
            "both share one (client, audience, scope)"
        );
        let bad = plan(vec![
            op("a", http("/x", vec![])),
            op("b", http("/y", vec![("x-k".into(), "v\u{1}".into())])),
        ]);
        let err = requests(&bad, &base, "https://t/api/v2/", &creds)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "operations[1] (`b`): the value of header \"x-k\" is not a valid HTTP header value (control characters?); fix it in the scenario"
            )
        );
        let no_creds = requests(&good, &base, "https://t/api/v2/", &[]);
        assert!(matches!(
            no_creds,
            Err(EngineError::MissingCredentials { index: 0, .. })
        ));
    }
}
