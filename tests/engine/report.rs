//! A mixed run against the simulator (Management calls with sdk-node retries on the free tier's
//! 2/s bucket, custom-API tokens, custom-API calls with a cached bearer), written with
//! `report::write` and checked by `quotaprobe verify`'s checks: the snapshot the engine hands over
//! satisfies the report contract.

#![allow(clippy::unwrap_used)]

use crate::support::contract;
use contract::check_report;

use crate::support::common;

use common::*;
use quotaprobe::engine::{self, RunOptions, Target};
use quotaprobe::scenario::*;
use quotaprobe::sim::{self, MANAGEMENT, SimApi, SimClient, SimConfig, SimGrant, tier};

const ORDERS: &str = "https://orders.example.com/";

#[test]
fn a_mixed_run_makes_a_report_that_passes_check_report() {
    let mut config = SimConfig::new(tier::builtin("free").unwrap());
    config.users = 20;
    config.apis.push(SimApi::new(ORDERS));
    config.clients.push(SimClient {
        name: "backend".into(),
        client_id: "backend-id".into(),
        client_secret: "backend-secret".into(),
        grants: vec![
            SimGrant {
                audience: MANAGEMENT.into(),
                scopes: vec![],
            },
            SimGrant {
                audience: ORDERS.into(),
                scopes: vec![],
            },
        ],
        quota: None,
    });
    let s = sim::start(config, "127.0.0.1:0").unwrap();

    let mut users = users_op();
    users.weight = 3;
    let orders_token = OperationPlan {
        name: "orders-token".into(),
        kind: OperationKind::Token {
            client: 0,
            audience: Some(ORDERS.into()),
            scope: None,
            headers: vec![],
        },
        weight: 1,
        throttle_per_s: None,
    };
    let mut orders_call = http_op("orders-call", "/demo-api/orders");
    orders_call.weight = 2;
    if let OperationKind::Http { bearer, .. } = &mut orders_call.kind {
        *bearer = Some(BearerPlan {
            client: 0,
            audience: Some(ORDERS.into()),
            scope: None,
        });
    }
    let mut plan = plan(
        vec![users, orders_token, orders_call],
        vec![phase(3.0, 8.0, 16)],
    );
    plan.retry.policy = RetryPolicy::SdkNode;
    plan.retry.max_retries = 2;
    let target = Target {
        base_url: s.base_url(),
        management_audience: s.management_audience(),
        real: false,
    };
    let options = RunOptions {
        client_credentials: vec![("backend-id".into(), Secret::new("backend-secret"))],
        monthly_quota: Some(1000),
        month_to_date_tokens: 990,
        ..RunOptions::default()
    };
    let out = engine::run(&plan, &target, options).unwrap();
    assert_conserved(&out);
    let snap = &out.snapshot;
    let names: Vec<&str> = snap.summary.iter().map(|r| r.operation.as_str()).collect();
    let mgmt_token = format!("token:{}", s.management_audience());
    let orders_synth = format!("token:{ORDERS}");
    assert_eq!(
        names,
        [
            "list-users",
            "orders-token",
            "orders-call",
            &mgmt_token,
            &orders_synth,
            "ALL"
        ]
    );
    assert_eq!(row(snap, &mgmt_token).sent, 1);
    assert_eq!(row(snap, &orders_synth).sent, 1);
    let call = row(snap, "orders-call");
    assert_eq!(call.ok, call.sent);
    let users = row(snap, "list-users");
    assert!(
        users.retries > 0,
        "sdk-node retried the free tier's 429s: {users:?}"
    );
    let orders = snap
        .audiences
        .iter()
        .find(|a| a.audience == ORDERS)
        .unwrap();
    assert_eq!(orders.tier_monthly_quota, Some(1000));
    assert_eq!(orders.token_requests, row(snap, "orders-token").sent + 1);
    assert!(
        orders.quota_runs_out_day.is_some_and(|d| d < 2.0),
        "{orders:?}"
    );
    assert_eq!(run_value(snap, "retry_policy"), "sdk-node");

    let dir = tempfile::tempdir().unwrap();
    quotaprobe::report::write(dir.path(), snap).unwrap();
    check_report(dir.path());
}
