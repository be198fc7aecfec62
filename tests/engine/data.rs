//! Per-request data end to end: `{{holes}}` filled from a data file and a generator, on the
//! engine against a recording target and against the simulated tenant. A `once` file sends
//! every row exactly once (counted by the server), then the run stops with `data_exhausted`,
//! and every count conserves.

#![allow(clippy::unwrap_used)]

use crate::support::common;

use std::collections::HashSet;
use std::path::Path;

use common::*;
use quotaprobe::data::{Format, Generator, Mode};
use quotaprobe::engine::{self, RunOptions, StopReason, Target};
use quotaprobe::scenario::*;
use quotaprobe::sim::{self, MANAGEMENT, SimClient, SimConfig, SimGrant, tier};

fn data_plan(path: &Path, rows: u64, mode: Mode) -> DataPlan {
    DataPlan {
        files: vec![DataFilePlan {
            name: "ids".into(),
            path: path.to_path_buf(),
            format: Format::Csv,
            mode,
            columns: vec!["id".into()],
            rows,
        }],
        vars: vec![VarPlan {
            name: "n".into(),
            generator: Generator::Sequence { start: 1, step: 1 },
        }],
    }
}

fn patch_op(url: &str) -> OperationPlan {
    OperationPlan {
        name: "patch-item".into(),
        kind: OperationKind::Http {
            method: "PATCH".into(),
            url: url.into(),
            headers: vec![("x-n".into(), "{{n}}".into())],
            body: Some(r#"{"id":"{{ids.id}}","n":{{n}}}"#.into()),
            bearer: None,
        },
        weight: 1,
        throttle_per_s: None,
    }
}

#[test]
fn a_once_file_reaches_the_server_exactly_once_under_64_in_flight_then_stops() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("ids.csv");
    let ids: Vec<String> = (0..600).map(|i| format!("auth0|{i:04} x")).collect();
    std::fs::write(&path, format!("id\n{}\n", ids.join("\n"))).unwrap();
    let server = start();
    let mut plan = plan(
        vec![patch_op("/items/{{ids.id}}")],
        vec![phase(10.0, 400.0, 64)],
    );
    plan.data = data_plan(&path, 600, Mode::Once);
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_eq!(out.stop_reason, StopReason::DataExhausted);
    assert_eq!(run_value(&out.snapshot, "stop_reason"), "data_exhausted");
    assert!(out.duration.as_secs_f64() < 5.0, "{:?}", out.duration);
    assert_conserved(&out);

    let items = server.stats.items.lock().unwrap().clone();
    assert_eq!(items.len(), 600, "every row sent once");
    let got: HashSet<&str> = items.iter().map(|(id, _, _)| id.as_str()).collect();
    assert_eq!(got.len(), 600, "no row twice");
    assert_eq!(
        got,
        ids.iter().map(String::as_str).collect(),
        "exactly the file's ids (encoded in the path, decoded by the server)"
    );
    let ns: HashSet<&str> = items.iter().map(|(_, n, _)| n.as_str()).collect();
    assert_eq!(ns.len(), 600, "the x-n header differs per request");
    for (id, n, body) in &items {
        assert_eq!(
            body,
            &format!(r#"{{"id":"{id}","n":{n}}}"#),
            "body filled with the same row and value as the path"
        );
    }
    let row = row(&out.snapshot, "patch-item");
    assert_eq!((row.sent, row.ok), (600, 600));
    assert!(
        row.dropped >= 1,
        "the arrival that found the data used up is dropped, not lost"
    );
}

#[test]
fn a_cycled_file_repeats_and_a_sequence_follows_the_arrival_number() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("ids.csv");
    std::fs::write(&path, "id\na\nb\nc\n").unwrap();
    let server = start();
    let mut plan = plan(
        vec![patch_op("/items/{{ids.id}}")],
        vec![phase(1.0, 30.0, 8)],
    );
    plan.data = data_plan(&path, 3, Mode::Cycle);
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_eq!(out.stop_reason, StopReason::Completed);
    assert_conserved(&out);
    let items = server.stats.items.lock().unwrap().clone();
    let sent = row(&out.snapshot, "patch-item").sent as usize;
    assert_eq!(items.len(), sent);
    for id in ["a", "b", "c"] {
        let k = items.iter().filter(|(i, _, _)| i == id).count();
        assert!(
            k * 3 >= sent - 2 && k * 3 <= sent + 2,
            "{id}: {k} of {sent}"
        );
    }
    let mut ns: Vec<u64> = items.iter().map(|(_, n, _)| n.parse().unwrap()).collect();
    ns.sort_unstable();
    ns.dedup();
    assert_eq!(ns.len(), sent, "one sequence value per arrival");
    assert!(ns.iter().all(|n| (1..=30).contains(n)), "{ns:?}");
}

/// The nightly-job shape against the simulated tenant: PATCH every exported user once.
#[test]
fn patching_every_seeded_user_once_on_the_simulator() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("users.csv");
    let rows: Vec<[String; 3]> = sim::seeded_rows(60).collect();
    let mut text = String::from("user_id,email,name\n");
    for [id, email, name] in &rows {
        text.push_str(&format!("{id},{email},{name}\n"));
    }
    std::fs::write(&path, text).unwrap();
    let mut config = SimConfig::new(tier::builtin("private-cloud-1500").unwrap());
    config.users = 60;
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
    let s = sim::start(config, "127.0.0.1:0").unwrap();
    let op = OperationPlan {
        name: "patch-user".into(),
        kind: OperationKind::Management {
            client: 0,
            method: "PATCH".into(),
            path: "/api/v2/users/{{users.user_id}}".into(),
            headers: vec![],
            body: Some(r#"{"app_metadata":{"job":"nightly-{{n}}"}}"#.into()),
        },
        weight: 1,
        throttle_per_s: None,
    };
    let mut plan = plan(vec![op], vec![phase(5.0, 50.0, 16)]);
    plan.data = data_plan(&path, 60, Mode::Once);
    plan.data.files[0].name = "users".into();
    plan.data.files[0].columns = vec!["user_id".into(), "email".into(), "name".into()];
    let target = Target {
        base_url: s.base_url(),
        management_audience: s.management_audience(),
        real: false,
    };
    let options = RunOptions {
        client_credentials: vec![("backend-id".into(), Secret::new("backend-secret"))],
        ..RunOptions::default()
    };
    let out = engine::run(&plan, &target, options).unwrap();
    assert_eq!(out.stop_reason, StopReason::DataExhausted);
    assert_conserved(&out);
    let r = row(&out.snapshot, "patch-user");
    assert_eq!((r.sent, r.ok, r.status_4xx), (60, 60, 0));

    // Server side: 60 PATCHes, and every user carries a distinct job mark.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let c = reqwest::Client::new();
        let stats = crate::support::sim::stats(&c, &s).await;
        let patches = stats["requests"]["PATCH /api/v2/users/{id}"].as_u64();
        assert_eq!(patches, Some(60), "{stats}");
        let token = crate::support::sim::token(
            &c,
            &s,
            "backend-id",
            "backend-secret",
            &s.management_audience(),
        )
        .await;
        let mut marks = HashSet::new();
        for [id, _, _] in &rows {
            let user: serde_json::Value = c
                .get(format!("{}/api/v2/users/{id}", s.base_url()))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            let mark = user["app_metadata"]["job"]
                .as_str()
                .unwrap_or("")
                .to_string();
            assert!(mark.starts_with("nightly-"), "{id}: {user}");
            marks.insert(mark);
        }
        assert_eq!(marks.len(), 60);
    });
}

/// A token operation's audience, scope and headers filled per request, in the form body and
/// in the JSON body: the server decodes exactly the values the generators gave (a space and a
/// `&` in them survive), and every request carries its own `x-n`.
#[test]
fn a_token_operations_audience_scope_and_headers_are_filled_per_request() {
    for format in [TokenFormat::Form, TokenFormat::Json] {
        let server = start();
        let op = OperationPlan {
            name: "tenant-token".into(),
            kind: OperationKind::Token {
                client: 0,
                audience: Some("https://api-{{t}}.example.com/?x=1&y".into()),
                scope: Some("read:{{t}} write:\"q\"".into()),
                headers: vec![("x-n".into(), "{{n}}".into())],
            },
            weight: 1,
            throttle_per_s: None,
        };
        let mut plan = plan(vec![op], vec![phase(1.0, 40.0, 8)]);
        plan.tokens.format = format;
        plan.data.vars = vec![
            VarPlan {
                name: "t".into(),
                generator: Generator::Choice(vec!["a".into(), "b c&d".into()]),
            },
            VarPlan {
                name: "n".into(),
                generator: Generator::Sequence { start: 1, step: 1 },
            },
        ];
        let out = engine::run(&plan, &target(&server), options()).unwrap();
        assert_conserved(&out);
        let r = row(&out.snapshot, "tenant-token");
        assert_eq!((r.sent, r.ok), (40, 40), "{format:?}: {r:?}");
        let fields = server.stats.token_fields.lock().unwrap().clone();
        assert_eq!(fields.len(), 40);
        let mut ns = HashSet::new();
        let mut tenants = HashSet::new();
        for (audience, scope, n) in &fields {
            let t = audience
                .strip_prefix("https://api-")
                .and_then(|a| a.strip_suffix(".example.com/?x=1&y"))
                .unwrap_or_else(|| panic!("{format:?}: audience {audience:?}"));
            assert!(["a", "b c&d"].contains(&t), "{format:?}: {audience:?}");
            assert_eq!(scope, &format!("read:{t} write:\"q\""), "{format:?}");
            tenants.insert(t.to_string());
            assert!(ns.insert(n.clone()), "{format:?}: x-n {n} twice");
        }
        assert_eq!(tenants.len(), 2, "{format:?}: both choices drawn");
        assert_eq!(ns.len(), 40);
    }
}
