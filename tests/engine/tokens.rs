//! Token strategies against a local token endpoint: cached tokens, a token per call, a failing
//! token request, a rotated secret mid-run, an expired static token, the max_tokens guard.

#![allow(clippy::unwrap_used)]

use crate::support::common;

use std::time::Duration;

use common::*;
use quotaprobe::engine::{self, StopReason};
use quotaprobe::scenario::*;

#[test]
fn cached_token_means_one_token_request_for_the_whole_run() {
    let server = start();
    let plan = plan(vec![users_op()], vec![phase(2.0, 50.0, 16)]);
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    let users = row(&out.snapshot, "list-users");
    assert!(users.sent >= 98, "sent {}", users.sent);
    assert_eq!(users.ok, users.sent);
    assert_eq!(
        server.stats.tokens_for(MGMT),
        1,
        "server saw one token request"
    );
    let token = row(&out.snapshot, &format!("token:{MGMT}"));
    assert_eq!((token.sent, token.ok, token.kind.as_str()), (1, 1, "token"));
    let aud = &out.snapshot.audiences;
    assert_eq!(aud.len(), 1);
    assert!(aud[0].internal && !aud[0].counts_toward_quota);
    assert_eq!((aud[0].token_requests, aud[0].tokens_issued), (1, 1));
    assert_eq!(run_value(&out.snapshot, "token_requests_sent"), "1");
}

#[test]
fn per_request_strategy_fetches_a_token_for_every_call() {
    let server = start();
    let mut plan = plan(vec![users_op()], vec![phase(2.0, 25.0, 16)]);
    plan.tokens.strategy = TokenStrategy::PerRequest;
    plan.tokens.format = TokenFormat::Json;
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    let users = row(&out.snapshot, "list-users");
    assert_eq!(users.ok, users.sent);
    assert_eq!(server.stats.tokens_for(MGMT), users.sent);
    assert_eq!(row(&out.snapshot, &format!("token:{MGMT}")).ok, users.sent);
    assert_eq!(out.snapshot.audiences[0].tokens_issued, users.sent);
}

#[test]
fn failed_token_request_is_an_error_of_the_api_call() {
    let server = start();
    let plan = plan(vec![users_op()], vec![phase(1.0, 20.0, 4)]);
    let mut opts = options();
    opts.client_credentials = vec![("backend-id".into(), Secret::new("wrong"))];
    let out = engine::run(&plan, &target(&server), opts).unwrap();
    assert_conserved(&out);
    let users = row(&out.snapshot, "list-users");
    assert_eq!(users.status_4xx, users.sent);
    assert!(
        server.stats.hits("/api/v2/users").is_empty(),
        "no call went out"
    );
    let status = out
        .snapshot
        .statuses
        .iter()
        .find(|s| s.operation == "list-users")
        .unwrap();
    assert_eq!(
        (status.status.as_str(), status.count),
        ("token_401", users.sent)
    );
    // Failed fetches are retried by later calls, but concurrent callers share one flight.
    let tokens = server.stats.tokens_for(MGMT);
    assert!(
        tokens >= 1 && tokens <= users.sent,
        "{tokens} token requests"
    );
    assert_eq!(out.snapshot.audiences[0].denied_other, tokens);
}

#[test]
fn rotated_secret_breaks_new_tokens_but_not_cached_ones() {
    let server = start();
    let mut cached = plan(vec![users_op()], vec![phase(2.0, 20.0, 4)]);
    cached.events = vec![EventPlan {
        at: Duration::from_millis(500),
        action: EventAction::RotateSecret,
        client: 0,
        audience: None,
    }];
    let out = engine::run(&cached, &target(&server), options()).unwrap();
    assert_conserved(&out);
    let ev = out
        .snapshot
        .events
        .iter()
        .find(|e| e.action == "rotate-secret")
        .unwrap();
    assert_eq!(ev.outcome, "ok");
    assert!((ev.at_s - 0.5).abs() < 0.1, "{}", ev.at_s);
    let users = row(&out.snapshot, "list-users");
    assert_eq!(users.ok, users.sent, "the cached token keeps working");

    // A token per call: every call after the rotation fails with token_401.
    let server = start();
    let mut fresh = cached.clone();
    fresh.tokens.strategy = TokenStrategy::PerRequest;
    let out = engine::run(&fresh, &target(&server), options()).unwrap();
    assert_conserved(&out);
    let users = row(&out.snapshot, "list-users");
    assert!(users.ok >= 8 && users.ok <= 12, "ok {}", users.ok);
    assert_eq!(users.status_4xx, users.sent - users.ok);
}

#[test]
fn expired_static_token_ends_the_run() {
    use base64::Engine as _;
    let b = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 2;
    let jwt = format!(
        "{}.{}.x",
        b.encode("{}"),
        b.encode(format!(r#"{{"exp":{exp}}}"#))
    );
    let server = start();
    let mut plan = plan(vec![users_op()], vec![phase(10.0, 10.0, 4)]);
    plan.tokens.strategy = TokenStrategy::Static {
        token: Secret::new(jwt.replace("tok", "")),
    };
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    assert_eq!(out.stop_reason, StopReason::StaticTokenExpired);
    assert!(out.duration < Duration::from_secs(3), "{:?}", out.duration);
    assert_eq!(server.stats.tokens_for(MGMT), 0, "static never fetches");
    assert!(!run_value(&out.snapshot, "static_token_exp").is_empty());
}

#[test]
fn max_tokens_guard_stops_the_run() {
    let server = start();
    let mut token_op = users_op();
    token_op.name = "orders-token".into();
    token_op.kind = OperationKind::Token {
        client: 0,
        audience: Some("https://orders".into()),
        scope: None,
        headers: vec![],
    };
    let mut plan = plan(vec![token_op], vec![phase(5.0, 20.0, 4)]);
    plan.stop.max_tokens = Some(10);
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    assert_eq!(out.stop_reason, StopReason::MaxTokens);
    assert_eq!(server.stats.tokens_for("https://orders"), 10);
    assert_eq!(row(&out.snapshot, "orders-token").sent, 10);
    let aud = &out.snapshot.audiences[0];
    assert!(aud.counts_toward_quota && !aud.internal);
    assert_eq!(aud.tokens_issued, 10);
}

#[test]
fn events_are_never_sent_to_a_real_tenant() {
    let server = start();
    let mut plan = plan(vec![users_op()], vec![phase(1.0, 10.0, 4)]);
    plan.tokens.strategy = TokenStrategy::PerRequest;
    plan.events = vec![EventPlan {
        at: Duration::from_millis(200),
        action: EventAction::RotateSecret,
        client: 0,
        audience: None,
    }];
    let mut real = target(&server);
    real.real = true;
    let out = engine::run(&plan, &real, options()).unwrap();
    assert_conserved(&out);
    let ev = out
        .snapshot
        .events
        .iter()
        .find(|e| e.action == "rotate-secret")
        .unwrap();
    assert!(ev.outcome.starts_with("skipped"), "{ev:?}");
    // The secret was not rotated: every call got its token.
    let users = row(&out.snapshot, "list-users");
    assert_eq!(users.ok, users.sent);
}
