//! No lost updates under heavy concurrency: thousands of token requests — a fresh token before
//! every call, 64 in flight, four audiences (the Management API and three custom APIs) plus an
//! explicit token operation — against a token endpoint whose bucket refuses part of them. What
//! the simulator counted (`/__sim/stats`: tokens issued per audience, 429s per bucket, token
//! requests received, monthly quota used) must equal what the client wrote in its report
//! (audiences.csv, and the token operations' rows in summary.csv), exactly — for the tenant
//! embedded in a run (its own current-thread runtime) and as `quotaprobe serve` runs it (a
//! multi-thread runtime, where handlers update the counters in parallel).
#![allow(clippy::unwrap_used)]

use crate::support::common;
use crate::support::contract;

use std::collections::BTreeMap;
use std::time::Duration;

use common::{assert_conserved, http_op, phase, plan, users_op};
use quotaprobe::engine::{self, RunOptions, Target};
use quotaprobe::scenario::*;
use quotaprobe::sim::{self, MANAGEMENT, SimApi, SimClient, SimConfig, SimGrant, tier};
use serde_json::Value;

const ID: &str = "backend-id";
const SECRET: &str = "backend-secret";
const APIS: [&str; 3] = [
    "https://orders.example.com/",
    "https://billing.example.com/",
    "https://search.example.com/",
];

fn config() -> SimConfig {
    let mut t = tier::builtin("essentials").unwrap();
    // One token-endpoint bucket below the offered rate, so issued and refused both race; no
    // Management limits (those 429s are not token accounting); overage counted, never refused.
    t.management = Default::default();
    t.token_endpoint.truncate(1);
    t.token_endpoint[0].limit.burst = 300;
    t.token_endpoint[0].limit.rate = 300;
    t.token_endpoint[0].limit.per = tier::Per::Second;
    t.quota_hard_block = false;
    let mut c = SimConfig::new(t);
    c.users = 5;
    let mut grants = vec![SimGrant {
        audience: MANAGEMENT.into(),
        scopes: vec![],
    }];
    for a in APIS {
        c.apis.push(SimApi::new(a));
        grants.push(SimGrant {
            audience: a.into(),
            scopes: vec![],
        });
    }
    c.clients.push(SimClient {
        name: "backend".into(),
        client_id: ID.into(),
        client_secret: SECRET.into(),
        grants,
        quota: None,
    });
    c
}

/// The tenant as `quotaprobe serve` runs it: a multi-thread runtime (4 workers, so handlers
/// really run in parallel even on 2 cores), stopped when the returned sender is dropped.
fn serve_multi_thread() -> (String, tokio::sync::oneshot::Sender<()>) {
    let (addr_tx, addr_rx) = std::sync::mpsc::channel();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(4)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            addr_tx.send(listener.local_addr().unwrap()).unwrap();
            let stop = async move {
                let _ = stop_rx.await;
            };
            sim::serve(listener, config(), stop).await.unwrap();
        });
    });
    (format!("{}", addr_rx.recv().unwrap()), stop_tx)
}

fn operations() -> Vec<OperationPlan> {
    let mut ops = vec![users_op()];
    for (i, a) in APIS.iter().enumerate() {
        let mut call = http_op(&format!("call-{i}"), &format!("/demo-api/{i}"));
        if let OperationKind::Http { bearer, .. } = &mut call.kind {
            *bearer = Some(BearerPlan {
                client: 0,
                audience: Some(a.to_string()),
                scope: None,
            });
        }
        ops.push(call);
    }
    ops.push(OperationPlan {
        name: "explicit-token".into(),
        kind: OperationKind::Token {
            client: 0,
            audience: Some(APIS[0].into()),
            scope: None,
            headers: vec![],
        },
        weight: 1,
        throttle_per_s: None,
    });
    ops
}

fn stats(base_url: &str) -> Value {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let url = format!("{base_url}/__sim/stats");
        reqwest::get(url).await.unwrap().json().await.unwrap()
    })
}

#[test]
fn the_embedded_simulators_ledger_equals_the_clients_count_under_heavy_concurrency() {
    let s = sim::start(config(), "127.0.0.1:0").unwrap();
    check_ledger(&s.base_url(), &s.management_audience());
}

#[test]
fn the_multi_thread_simulators_ledger_equals_the_clients_count_under_heavy_concurrency() {
    let (addr, _stop) = serve_multi_thread();
    check_ledger(
        &format!("http://{addr}"),
        &format!("https://{addr}/api/v2/"),
    );
}

/// Runs the heavy per-request-token load against the tenant at `base_url` and compares its
/// `/__sim/stats` with the report the client wrote.
fn check_ledger(base_url: &str, management_audience: &str) {
    let mut p = plan(operations(), vec![phase(4.0, 700.0, 64)]);
    p.tokens.strategy = TokenStrategy::PerRequest;
    p.http.timeout = Duration::from_secs(10);
    let target = Target {
        base_url: base_url.to_string(),
        management_audience: management_audience.to_string(),
        real: false,
    };
    let options = RunOptions {
        client_credentials: vec![(ID.into(), Secret::new(SECRET))],
        ..RunOptions::default()
    };
    let out = engine::run(&p, &target, options).unwrap();
    assert_conserved(&out);
    let tmp = tempfile::tempdir().unwrap();
    quotaprobe::report::write(tmp.path(), &out.snapshot).unwrap();
    contract::check_report(tmp.path());
    let st = stats(base_url);

    // No request was lost on the way: every outcome is an HTTP status (no timeouts, resets or
    // drain cancellations that would leave a server-side issuance the client never saw).
    let summary = contract::csv_rows(&tmp.path().join("summary.csv"));
    let num =
        |r: &std::collections::HashMap<String, String>, k: &str| -> u64 { r[k].parse().unwrap() };
    let all = summary.iter().find(|r| r["operation"] == "ALL").unwrap();
    assert_eq!(num(all, "transport_errors"), 0, "{all:?}");

    // audiences.csv = the token operations' rows = the simulator's ledger, per audience.
    let audiences = contract::csv_rows(&tmp.path().join("audiences.csv"));
    let mut by_ops: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    for r in summary.iter().filter(|r| r["kind"] == "token") {
        let aud = match r["operation"].as_str() {
            "explicit-token" => APIS[0].to_string(),
            op => op.strip_prefix("token:").unwrap().to_string(),
        };
        let e = by_ops.entry(aud).or_default();
        *e = (
            e.0 + num(r, "sent"),
            e.1 + num(r, "ok"),
            e.2 + num(r, "status_429"),
        );
    }
    let mut requests = 0;
    let mut denied = 0;
    let mut custom_issued = 0;
    assert_eq!(audiences.len(), 4, "{audiences:?}");
    for a in &audiences {
        let aud = a["audience"].as_str();
        let client = (
            num(a, "token_requests"),
            num(a, "tokens_issued"),
            num(a, "denied_429"),
        );
        assert_eq!(
            client, by_ops[aud],
            "audiences.csv vs summary.csv for {aud}"
        );
        let server = st["tokens_issued"][ID][aud].as_u64().unwrap_or(0);
        assert_eq!(
            server, client.1,
            "tokens issued for {aud}: server vs client"
        );
        assert!(client.1 >= 50, "{aud}: {client:?}");
        requests += client.0;
        denied += client.2;
        if a["counts_toward_quota"] == "true" {
            custom_issued += client.1;
        }
    }
    // ~2,800 alone on 2 cores; the bound leaves room for a slower machine.
    assert!(
        requests >= 1_500 && denied >= 1,
        "{requests} token requests, {denied} refused"
    );
    assert_eq!(
        st["requests"]["POST /oauth/token"], requests,
        "{}",
        st["requests"]
    );
    let limited: u64 = st["rate_limited"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(limited, denied, "429s: server {limited} vs client {denied}");
    assert_eq!(st["quota"]["used"], custom_issued, "{}", st["quota"]);
    println!("{requests} token requests, {denied} refused, {custom_issued} custom tokens");
}
