//! Stops: max_requests, max_duration, the StopSignal from another thread (Ctrl-C), and the drain
//! that counts what was still in flight.

#![allow(clippy::unwrap_used)]

use crate::support::common;

use std::time::{Duration, Instant};

use common::*;
use quotaprobe::engine::{self, StopReason, StopSignal};

#[test]
fn max_requests_stops_after_that_many_arrivals() {
    let server = start();
    let mut plan = plan(vec![http_op("fast", "/fast")], vec![phase(5.0, 100.0, 8)]);
    plan.stop.max_requests = Some(50);
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    assert_eq!(out.stop_reason, StopReason::MaxRequests);
    let r = row(&out.snapshot, "fast");
    assert_eq!(r.sent, 50);
    assert_eq!(server.stats.hits("/fast").len(), 50);
    assert!(
        out.duration < Duration::from_millis(700),
        "{:?}",
        out.duration
    );
    let stop = out
        .snapshot
        .events
        .iter()
        .find(|e| e.action == "stop")
        .unwrap();
    assert_eq!(stop.detail, "max_requests");
}

#[test]
fn max_duration_cuts_the_phases() {
    let server = start();
    let mut plan = plan(vec![http_op("fast", "/fast")], vec![phase(10.0, 50.0, 8)]);
    plan.stop.max_duration = Some(Duration::from_secs(1));
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    assert_eq!(out.stop_reason, StopReason::MaxDuration);
    let r = row(&out.snapshot, "fast");
    assert!((49..=51).contains(&r.scheduled), "{}", r.scheduled);
}

#[test]
fn stop_signal_ends_the_run_and_drains_in_flight() {
    let server = start();
    let plan = plan(vec![http_op("slow", "/slow")], vec![phase(30.0, 20.0, 8)]);
    let stop = StopSignal::new();
    let mut opts = options();
    opts.stop = stop.clone();
    let started = Instant::now();
    let t = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(1500));
        stop.stop();
    });
    let out = engine::run(&plan, &target(&server), opts).unwrap();
    t.join().unwrap();
    assert_conserved(&out);
    assert_eq!(out.stop_reason, StopReason::Signal);
    assert!(started.elapsed() < Duration::from_secs(3));
    let r = row(&out.snapshot, "slow");
    // Requests in flight at the stop finished (200 ms each) and were counted as ok.
    assert_eq!(r.ok, r.sent);
    assert_eq!(server.stats.hits("/slow").len() as u64, r.sent);
    assert!((28..=32).contains(&r.scheduled), "{}", r.scheduled);
}

#[test]
fn an_abort_threshold_stops_the_run_early() {
    use quotaprobe::scenario::{ThresholdMetric, ThresholdPlan};
    let server = start();
    // Every other response is a 429: a 10 % limit is breached within the first second.
    let mut plan = plan(
        vec![http_op("limited", "/limited")],
        vec![phase(10.0, 20.0, 8)],
    );
    plan.thresholds = vec![
        ThresholdPlan {
            operation: Some(0),
            metric: ThresholdMetric::Max429Ratio,
            limit: 0.1,
            abort: true,
        },
        ThresholdPlan {
            operation: None,
            metric: ThresholdMetric::MinAchievedRps,
            limit: 1000.0,
            abort: true,
        },
    ];
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    match &out.stop_reason {
        StopReason::Threshold(what) => assert!(what.starts_with("limited.max_429_ratio"), "{what}"),
        other => panic!("stopped by {other:?}"),
    }
    assert!(
        out.duration < Duration::from_millis(2500),
        "{:?}",
        out.duration
    );
}
