//! Retry policies against a limited endpoint: the waits the headers ask for, measured at the
//! server, and retries counted apart from first attempts.

#![allow(clippy::unwrap_used)]

use crate::support::common;

use std::time::Duration;

use common::*;
use quotaprobe::engine;
use quotaprobe::scenario::RetryPolicy;

#[test]
fn retry_after_waits_what_the_header_says() {
    let server = start();
    // Arrivals at 0, 333 and 666 ms; the server answers odd hits 429 + `Retry-After: 1`, so:
    // A 429 → (1 s) → 200; B 200; C 429 → (1 s) → 429 → (1 s) → 200.
    let mut plan = plan(
        vec![http_op("limited", "/limited")],
        vec![phase(1.0, 3.0, 4)],
    );
    plan.retry.policy = RetryPolicy::RetryAfter;
    plan.retry.max_retries = 2;
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    let r = row(&out.snapshot, "limited");
    assert_eq!((r.sent, r.ok, r.retries), (3, 3, 3), "{r:?}");
    let hits = server.stats.hits("/limited");
    assert_eq!(hits.len(), 6);
    // Measured at the server: each retry came no sooner than the 1 s the 429 asked for.
    let gap = |a: usize, b: usize| hits[b] - hits[a];
    assert!(
        gap(0, 3) >= Duration::from_millis(1000),
        "A waited {:?}",
        gap(0, 3)
    );
    assert!(
        gap(2, 4) >= Duration::from_millis(1000),
        "C waited {:?}",
        gap(2, 4)
    );
    assert!(
        gap(4, 5) >= Duration::from_millis(1000),
        "C waited {:?}",
        gap(4, 5)
    );
    assert!(
        gap(0, 3) < Duration::from_millis(1200),
        "and not much longer"
    );
    let s = &out.snapshot.statuses;
    let get = |code: &str| {
        s.iter()
            .find(|x| x.status == code)
            .map(|x| (x.count, x.attempts))
    };
    assert_eq!(get("429"), Some((0, 3)), "429s only as retried attempts");
    assert_eq!(get("200"), Some((3, 3)));
    // Corrected latency spans every attempt and wait: A ≈ 1 s, C ≈ 2 s.
    assert!(
        r.max_ms >= 2000.0 && r.max_ms < 2300.0,
        "max {} ms",
        r.max_ms
    );
    assert!(r.p50_ms >= 1000.0, "p50 {} ms", r.p50_ms);
}

#[test]
fn retry_after_falls_back_to_ratelimit_reset() {
    let server = start();
    let mut plan = plan(
        vec![http_op("reset", "/limited-reset")],
        vec![phase(1.0, 1.0, 1)],
    );
    plan.retry.policy = RetryPolicy::RetryAfter;
    plan.retry.max_retries = 1;
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    let r = row(&out.snapshot, "reset");
    assert_eq!((r.sent, r.ok, r.retries), (1, 1, 1));
    let resets = server.stats.resets.lock().unwrap().clone();
    assert_eq!(resets.len(), 2);
    let (t429, reset) = resets[0];
    let (t200, _) = resets[1];
    let asked = reset.unwrap() as f64 - t429;
    // `x-ratelimit-reset` is absolute: the retry must come at or after it (10 ms for clocks).
    assert!(
        t200 >= reset.unwrap() as f64 - 0.01,
        "asked {asked:.3} s, waited {:.3} s",
        t200 - t429
    );
    // The garbage x-ratelimit-limit header was counted, not fatal.
    assert_eq!(run_value(&out.snapshot, "bad_headers"), "1");
    let t = out
        .snapshot
        .timeline
        .iter()
        .find(|t| t.operation == "reset")
        .unwrap();
    assert_eq!(
        t.ratelimit_remaining_min, None,
        "the final response had no headers"
    );
}

#[test]
fn no_retry_policy_keeps_the_first_429() {
    let server = start();
    let mut plan = plan(
        vec![http_op("limited", "/limited")],
        vec![phase(1.0, 1.0, 1)],
    );
    plan.retry.policy = RetryPolicy::None;
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    let r = row(&out.snapshot, "limited");
    assert_eq!((r.sent, r.status_429, r.retries), (1, 1, 0));
    assert_eq!(r.first_429_s, Some(0.0));
    assert!(r.max_ms < 500.0);
}
