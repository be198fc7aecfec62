//! Flows end to end on the simulated tenant: create a user, read it back, report it to a
//! recording server, delete it — each step's holes filled from the captures of the steps before
//! it, under 64 flows in flight. And a flow's endings: a step that fails ends it (no later step
//! is sent), a capture missing from a 2xx response ends it, the run's end stops it; every count
//! conserves per step and per flow, and the report folder verifies.

#![allow(clippy::unwrap_used)]

use crate::support::common;

use std::collections::HashSet;
use std::time::Duration;

use common::*;
use quotaprobe::data::Generator;
use quotaprobe::engine::{self, RunOptions, RunOutcome, Target};
use quotaprobe::metrics::FlowRow;
use quotaprobe::scenario::*;
use quotaprobe::sim::{self, MANAGEMENT, RunningSim, SimClient, SimConfig, SimGrant, tier};

fn simulator(tier_name: &str) -> RunningSim {
    let mut config = SimConfig::new(tier::builtin(tier_name).unwrap());
    config.users = 0;
    config.clients.push(SimClient {
        name: "backend".into(),
        client_id: "backend-id".into(),
        client_secret: "backend-secret".into(),
        grants: vec![SimGrant {
            audience: MANAGEMENT.into(),
            scopes: vec![],
        }],
        quota: None,
    });
    sim::start(config, "127.0.0.1:0").unwrap()
}

fn mgmt(name: &str, method: &str, path: &str, body: Option<&str>) -> OperationPlan {
    OperationPlan {
        name: name.into(),
        kind: OperationKind::Management {
            client: 0,
            method: method.into(),
            path: path.into(),
            headers: vec![],
            body: body.map(str::to_string),
        },
        weight: 0,
        throttle_per_s: None,
    }
}

fn step(op: usize, think: (u64, u64), captures: &[(&str, CaptureFrom)]) -> StepPlan {
    StepPlan {
        op,
        think: Think {
            min: Duration::from_millis(think.0),
            max: Duration::from_millis(think.1),
        },
        captures: captures
            .iter()
            .map(|(name, from)| Capture {
                name: (*name).into(),
                from: from.clone(),
            })
            .collect(),
    }
}

fn json(p: &str) -> CaptureFrom {
    CaptureFrom::Json(p.into())
}

const CREATE: &str =
    r#"{"email":"load-{{n}}@example.com","connection":"Username-Password-Authentication"}"#;

/// A plan whose one flow has `steps` over `ops` (every operation a step).
fn flow_plan(ops: Vec<OperationPlan>, steps: Vec<StepPlan>, phases: Vec<PhasePlan>) -> RunPlan {
    let mut p = plan(ops, phases);
    p.flows = vec![FlowPlan {
        name: "life".into(),
        weight: 1,
        steps,
    }];
    p.data.vars = vec![VarPlan {
        name: "n".into(),
        generator: Generator::Sequence { start: 0, step: 1 },
    }];
    p
}

fn run_on(s: &RunningSim, plan: &RunPlan) -> RunOutcome {
    let target = Target {
        base_url: s.base_url(),
        management_audience: s.management_audience(),
        real: false,
    };
    let options = RunOptions {
        client_credentials: vec![("backend-id".into(), Secret::new("backend-secret"))],
        ..RunOptions::default()
    };
    engine::run(plan, &target, options).unwrap()
}

fn flow_row(out: &RunOutcome) -> &FlowRow {
    out.snapshot.flows.first().unwrap()
}

/// Writes the report folder and checks it against docs/reports.md (flows.csv included).
fn verified(out: &RunOutcome) {
    let tmp = tempfile::tempdir().unwrap();
    quotaprobe::report::write(tmp.path(), &out.snapshot).unwrap();
    assert!(tmp.path().join("flows.csv").is_file());
    crate::support::contract::check_report(tmp.path());
}

#[test]
fn captures_chain_correctly_under_64_flows_in_flight() {
    let s = simulator("private-cloud-1500");
    let recorder = start();
    let ops = vec![
        mgmt("life/create", "POST", "/api/v2/users", Some(CREATE)),
        mgmt("life/get", "GET", "/api/v2/users/{{id}}", None),
        OperationPlan {
            name: "life/report".into(),
            kind: OperationKind::Http {
                method: "PUT".into(),
                url: format!("{}/items/{{{{id}}}}", recorder.url),
                headers: vec![("x-n".into(), "{{n}}".into())],
                body: Some(r#"{{email}}|{{etag}}"#.into()),
                bearer: None,
            },
            weight: 0,
            throttle_per_s: None,
        },
        mgmt("life/delete", "DELETE", "/api/v2/users/{{id}}", None),
    ];
    let steps = vec![
        step(0, (0, 0), &[("id", json("/user_id"))]),
        // A think long enough that 64 flows are in flight at 300 flows a second.
        step(
            1,
            (200, 400),
            &[
                ("email", json("/email")),
                ("etag", CaptureFrom::Header("content-type".into())),
            ],
        ),
        step(2, (0, 0), &[]),
        step(3, (0, 50), &[]),
    ];
    let plan = flow_plan(ops, steps, vec![phase(2.0, 300.0, 64)]);
    let out = run_on(&s, &plan);
    assert_conserved(&out);
    verified(&out);
    let f = flow_row(&out);
    let create = row(&out.snapshot, "life/create");
    assert_eq!(f.scheduled, 600);
    assert_eq!((f.scheduled, f.dropped), (create.scheduled, create.dropped));
    assert!(
        create.dropped > 0 && create.sent >= 64,
        "64 flows in flight fill the pool: {create:?}"
    );
    assert_eq!((f.failed, f.capture_failed, f.stopped), (0, 0, 0), "{f:?}");
    assert_eq!(f.completed, create.sent);
    for name in ["life/create", "life/get", "life/report", "life/delete"] {
        let r = row(&out.snapshot, name);
        assert_eq!((r.sent, r.ok), (f.completed, f.completed), "{name}: {r:?}");
    }

    // Every flow's report reached the recorder with its own user: the id captured from its
    // create, the email the read of *that* id returned, which is the one its create sent.
    let items = recorder.stats.items.lock().unwrap().clone();
    assert_eq!(items.len() as u64, f.completed);
    let mut ids = HashSet::new();
    for (id, n, body) in &items {
        assert!(id.starts_with("auth0|"), "{id}");
        assert!(ids.insert(id.clone()), "{id} reported twice");
        assert_eq!(
            body,
            &format!("load-{n}@example.com|application/json"),
            "flow {n} read back another flow's user"
        );
    }

    // Every created user was deleted by its own flow: the store is empty again.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let stats = crate::support::sim::stats(&c, &s).await;
        let count = |route: &str| stats["requests"][route].as_u64().unwrap_or(0);
        assert_eq!(count("POST /api/v2/users"), f.completed, "{stats}");
        assert_eq!(count("GET /api/v2/users/{id}"), f.completed, "{stats}");
        assert_eq!(count("DELETE /api/v2/users/{id}"), f.completed, "{stats}");
        let token = crate::support::sim::token(
            &c,
            &s,
            "backend-id",
            "backend-secret",
            &s.management_audience(),
        )
        .await;
        let users: serde_json::Value = c
            .get(format!("{}/api/v2/users", s.base_url()))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(users.as_array().map(Vec::len), Some(0), "{users}");
    });
}

/// On Essentials the create bucket (20, then 3.33/s) runs dry at 10 flows a second: those flows
/// end at their first step with a 429, and their later steps are never sent.
#[test]
fn a_failed_step_ends_its_flow_and_later_steps_are_not_sent() {
    let s = simulator("essentials");
    let ops = vec![
        mgmt("life/create", "POST", "/api/v2/users", Some(CREATE)),
        mgmt("life/delete", "DELETE", "/api/v2/users/{{id}}", None),
    ];
    let steps = vec![
        step(0, (0, 0), &[("id", json("/user_id"))]),
        step(1, (0, 0), &[]),
    ];
    let plan = flow_plan(ops, steps, vec![phase(4.0, 10.0, 16)]);
    let out = run_on(&s, &plan);
    assert_conserved(&out);
    verified(&out);
    let f = flow_row(&out);
    let create = row(&out.snapshot, "life/create");
    let delete = row(&out.snapshot, "life/delete");
    assert_eq!((f.scheduled, create.scheduled), (40, 40));
    assert!(create.status_429 >= 5, "{create:?}");
    assert_eq!(f.failed, create.status_429 + delete.status_429, "{f:?}");
    assert_eq!(delete.scheduled, create.ok, "one delete per created user");
    assert_eq!(f.completed, delete.ok);
    assert_eq!(f.ended(), f.scheduled);
}

/// A pointer that is not in the response ends the flow as capture_failed; the step itself was
/// fine (2xx), and no later step goes out.
#[test]
fn a_missing_capture_ends_the_flow_without_sending_the_next_step() {
    let s = simulator("private-cloud-1500");
    let ops = vec![
        mgmt("life/create", "POST", "/api/v2/users", Some(CREATE)),
        mgmt("life/delete", "DELETE", "/api/v2/users/{{id}}", None),
    ];
    let steps = vec![
        step(0, (0, 0), &[("id", json("/no_such_field"))]),
        step(1, (0, 0), &[]),
    ];
    let plan = flow_plan(ops, steps, vec![phase(1.0, 20.0, 8)]);
    let out = run_on(&s, &plan);
    assert_conserved(&out);
    verified(&out);
    let f = flow_row(&out);
    assert_eq!((f.scheduled, f.capture_failed, f.completed), (20, 20, 0));
    assert_eq!(row(&out.snapshot, "life/create").ok, 20);
    assert_eq!(row(&out.snapshot, "life/delete").scheduled, 0);
}

/// A think time longer than the drain: the run's end stops the flows before their second step
/// (counted `stopped`, the step never scheduled), and the run still ends within the drain.
#[test]
fn the_runs_end_stops_flows_waiting_to_think() {
    let s = simulator("private-cloud-1500");
    let ops = vec![
        mgmt("life/create", "POST", "/api/v2/users", Some(CREATE)),
        mgmt("life/get", "GET", "/api/v2/users/{{id}}", None),
    ];
    let steps = vec![
        step(0, (0, 0), &[("id", json("/user_id"))]),
        step(1, (60_000, 60_000), &[]),
    ];
    let mut plan = flow_plan(ops, steps, vec![phase(1.0, 10.0, 16)]);
    plan.http.timeout = Duration::from_secs(1);
    let started = std::time::Instant::now();
    let out = run_on(&s, &plan);
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert_conserved(&out);
    verified(&out);
    let f = flow_row(&out);
    assert_eq!((f.scheduled, f.stopped, f.completed), (10, 10, 0), "{f:?}");
    assert_eq!(row(&out.snapshot, "life/get").scheduled, 0);
}
