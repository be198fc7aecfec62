//! The recorder's operation table: the plan's operations (by plan index, so thresholds and
//! reports can name them), then one synthetic `token:<audience>` operation per audience whose
//! tokens the engine may fetch behind API calls (Management calls, `http` bearers, events).

use std::collections::{BTreeSet, HashMap};

use super::tokens::fetch::synthetic_name;
use crate::metrics::OpMeta;
use crate::scenario::{OperationKind, RunPlan};

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

    #[test]
    fn synthetic_token_operations_follow_the_plan_ones() {
        let ops = vec![
            op(
                "t",
                OperationKind::Token {
                    client: 0,
                    audience: None,
                    scope: None,
                },
            ),
            op(
                "m",
                OperationKind::Management {
                    client: 0,
                    method: "GET".into(),
                    path: "/api/v2/users".into(),
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
        let plan = RunPlan {
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
        };
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
}
