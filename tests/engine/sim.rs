//! The engine against the simulated tenant (`quotaprobe::sim`), over HTTP like a real tenant:
//! cached Management tokens, a burst above the free tier's Management bucket, grant events.

#![allow(clippy::unwrap_used)]

use crate::support::common;

use std::time::Duration;

use common::*;
use quotaprobe::engine::{self, RunOptions, StopReason, Target};
use quotaprobe::scenario::*;
use quotaprobe::sim::{self, MANAGEMENT, RunningSim, SimApi, SimClient, SimConfig, SimGrant, tier};

const ID: &str = "backend-id";
const SIM_SECRET: &str = "backend-secret";
const ORDERS: &str = "https://orders.example.com/";

fn tenant(tier_name: &str) -> RunningSim {
    tenant_with_quota(tier_name, None)
}

fn tenant_with_quota(tier_name: &str, quota: Option<sim::ClientQuota>) -> RunningSim {
    let mut config = SimConfig::new(tier::builtin(tier_name).unwrap());
    config.users = 20;
    config.apis.push(SimApi::new(ORDERS));
    config.clients.push(SimClient {
        name: "backend".into(),
        client_id: ID.into(),
        client_secret: SIM_SECRET.into(),
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
        quota,
    });
    sim::start(config, "127.0.0.1:0").unwrap()
}

fn sim_target(s: &RunningSim) -> Target {
    Target {
        base_url: s.base_url(),
        management_audience: s.management_audience(),
        real: false,
    }
}

fn sim_options() -> RunOptions {
    RunOptions {
        client_credentials: vec![(ID.into(), Secret::new(SIM_SECRET))],
        ..RunOptions::default()
    }
}

fn sim_stats(s: &RunningSim) -> serde_json::Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        reqwest::get(format!("{}/__sim/stats", s.base_url()))
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    })
}

#[test]
fn a_20_second_cached_run_issues_exactly_one_management_token() {
    let s = tenant("free");
    let plan = plan(vec![users_op()], vec![phase(20.0, 1.5, 4)]);
    let out = engine::run(&plan, &sim_target(&s), sim_options()).unwrap();
    assert_conserved(&out);
    assert_eq!(out.stop_reason, StopReason::Completed);
    let users = row(&out.snapshot, "list-users");
    assert_eq!((users.sent, users.ok), (30, 30), "{users:?}");
    let mgmt = s.management_audience();
    let token = row(&out.snapshot, &format!("token:{mgmt}"));
    assert_eq!(token.ok, 1);
    let stats = sim_stats(&s);
    assert_eq!(stats["tokens_issued"][ID][&mgmt], 1, "{stats}");
    assert_eq!(stats["quota"]["used"], 0, "Management tokens never count");
    let aud = &out.snapshot.audiences[0];
    assert!(aud.internal && !aud.counts_toward_quota && aud.tokens_issued == 1);
}

/// Requests a continuous-refill bucket (`burst`, `rate`/s, full at 0) lets through, for
/// arrivals at `i / arrival_rate`.
fn bucket_allows(burst: f64, rate: f64, arrival_rate: f64, n: u32) -> u64 {
    let (mut tokens, mut last, mut allowed) = (burst, 0.0, 0);
    for i in 0..n {
        let t = f64::from(i) / arrival_rate;
        tokens = (tokens + (t - last) * rate).min(burst);
        last = t;
        if tokens >= 1.0 {
            tokens -= 1.0;
            allowed += 1;
        }
    }
    allowed
}

#[test]
fn a_burst_above_the_free_management_limit_gets_the_429s_bucket_theory_predicts() {
    let s = tenant("free");
    let plan = plan(vec![users_op()], vec![phase(5.0, 10.0, 16)]);
    let out = engine::run(&plan, &sim_target(&s), sim_options()).unwrap();
    assert_conserved(&out);
    let users = row(&out.snapshot, "list-users");
    assert_eq!(users.sent, 50);
    // free: burst 2, 2/s continuous.
    let expected_429 = 50 - bucket_allows(2.0, 2.0, 10.0, 50);
    assert!(
        users.status_429.abs_diff(expected_429) <= 2,
        "429s {} vs theory {expected_429}",
        users.status_429
    );
    assert_eq!(users.ok + users.status_429, 50);
    assert!(users.first_429_s.unwrap() < 0.5);
    let stats = sim_stats(&s);
    let sim_429: u64 = stats["rate_limited"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(
        sim_429, users.status_429,
        "the simulator counted the same 429s"
    );
    // Rate-limit headers reached the timeline.
    let t = out
        .snapshot
        .timeline
        .iter()
        .find(|t| t.operation == "list-users")
        .unwrap();
    assert_eq!(t.ratelimit_limit, Some(2));
    assert_eq!(t.ratelimit_remaining_min, Some(0));
    assert_eq!(run_value(&out.snapshot, "bad_headers"), "0");
}

#[test]
fn deleting_and_restoring_a_grant_mid_run_shows_in_the_outcomes() {
    let s = tenant("private-cloud-1500");
    let mut op = users_op();
    op.name = "orders-token".into();
    op.kind = OperationKind::Token {
        client: 0,
        audience: Some(ORDERS.into()),
        scope: None,
        headers: vec![],
    };
    let mut plan = plan(vec![op], vec![phase(3.0, 10.0, 4)]);
    plan.events = vec![
        EventPlan {
            at: Duration::from_millis(1000),
            action: EventAction::DeleteGrant,
            client: 0,
            audience: Some(ORDERS.into()),
        },
        EventPlan {
            at: Duration::from_millis(2000),
            action: EventAction::RestoreGrant,
            client: 0,
            audience: Some(ORDERS.into()),
        },
    ];
    let out = engine::run(&plan, &sim_target(&s), sim_options()).unwrap();
    assert_conserved(&out);
    let ev: Vec<_> = out
        .snapshot
        .events
        .iter()
        .map(|e| (e.action.as_str(), e.outcome.as_str()))
        .collect();
    assert_eq!(
        ev[..2],
        [("delete-grant", "ok"), ("restore-grant", "ok")],
        "{ev:?}"
    );
    let t: Vec<(u64, u64, u64)> = out
        .snapshot
        .timeline
        .iter()
        .filter(|t| t.operation == "orders-token")
        .map(|t| (t.second, t.ok, t.errors))
        .collect();
    // Second 0: all issued; second 1: refused (no grant); second 2: issued again.
    assert!(t[0].1 >= 9 && t[0].2 == 0, "{t:?}");
    assert!(t[1].2 >= 8, "{t:?}");
    assert!(t[2].1 >= 8, "{t:?}");
    let orders = out
        .snapshot
        .audiences
        .iter()
        .find(|a| a.audience == ORDERS)
        .unwrap();
    assert!(orders.counts_toward_quota && orders.denied_other >= 8);
}

#[test]
fn min_quota_remaining_stops_on_the_client_quota_header() {
    let s = tenant_with_quota(
        "private-cloud-1500",
        Some(sim::ClientQuota {
            per_hour: Some(10),
            per_day: None,
            enforce: true,
        }),
    );
    let mut op = users_op();
    op.name = "orders-token".into();
    op.kind = OperationKind::Token {
        client: 0,
        audience: Some(ORDERS.into()),
        scope: None,
        headers: vec![],
    };
    let mut plan = plan(vec![op], vec![phase(3.0, 10.0, 1)]);
    plan.stop.min_quota_remaining = Some(5);
    let out = engine::run(&plan, &sim_target(&s), sim_options()).unwrap();
    assert_conserved(&out);
    // The 6th token leaves r=4 < 5: the run stops there, before the quota's 429s.
    assert_eq!(
        out.stop_reason,
        StopReason::MinQuotaRemaining { remaining: 4 }
    );
    let r = row(&out.snapshot, "orders-token");
    assert_eq!((r.sent, r.ok, r.status_429), (6, 6, 0), "{r:?}");
    let stats = sim_stats(&s);
    assert_eq!(stats["tokens_issued"][ID][ORDERS], 6);
    assert_eq!(
        stats["quota"]["used"], 6,
        "custom-API tokens count toward the month"
    );
}
