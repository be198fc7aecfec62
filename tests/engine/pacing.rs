//! Pacing against a local target: the achieved arrival rate, dropped arrivals when the target is
//! slow, and no catch-up bursts.

#![allow(clippy::unwrap_used)]

use crate::support::common;

use common::*;
use quotaprobe::engine::{self, StopReason};

#[test]
fn holds_200_per_second_for_5_seconds() {
    let server = start();
    let plan = plan(vec![http_op("fast", "/fast")], vec![phase(5.0, 200.0, 64)]);
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    assert_eq!(out.stop_reason, StopReason::Completed);
    let r = row(&out.snapshot, "fast");
    assert_eq!(r.scheduled, 1000, "every planned arrival was scheduled");
    // Within 2 % of the target rate, measured both by the engine and by the server.
    let served = server.stats.hits("/fast").len() as u64;
    assert_eq!(served, r.sent);
    assert!(
        r.sent >= 980,
        "sent {} of 1000 (dropped {}) {:?} {:?}",
        r.sent,
        r.dropped,
        out.snapshot.run,
        out.snapshot.timeline
    );
    assert!(
        (r.achieved_rps - 200.0).abs() <= 4.0,
        "achieved {:.1}/s",
        r.achieved_rps
    );
    assert_eq!(r.ok, r.sent);
    let seconds: Vec<u64> = out
        .snapshot
        .timeline
        .iter()
        .filter(|t| t.operation == "fast")
        .map(|t| t.second)
        .collect();
    assert_eq!(seconds, vec![0, 1, 2, 3, 4], "one timeline row per second");
    assert!(out.snapshot.timeline.iter().all(|t| t.scheduled == 200));
    let burst = server.stats.max_per_sliding_second("/fast");
    assert!(
        burst <= 204,
        "{burst} in one second; late {}",
        run_value(&out.snapshot, "dropped_late")
    );
    // Latency is measured and recorded for the one operation.
    assert!(r.p99_ms > 0.0 && r.p99_ms >= r.p50_ms && r.max_ms >= r.p99_ms);
    assert_eq!(out.snapshot.histograms.len(), 1);
    assert_eq!(out.snapshot.histograms[0].corrected_us.len(), r.sent);
}

#[test]
fn slow_target_drops_arrivals_and_never_bursts() {
    let server = start();
    // 100/s against a 200 ms endpoint with 4 in flight: capacity ≈ 20/s, the rest is dropped.
    let plan = plan(vec![http_op("slow", "/slow")], vec![phase(3.0, 100.0, 4)]);
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    let r = row(&out.snapshot, "slow");
    assert_eq!(r.scheduled, 300);
    assert!(r.dropped >= 200, "dropped {}", r.dropped);
    assert!(r.sent >= 40 && r.sent <= 70, "sent {}", r.sent);
    assert_eq!(
        run_value(&out.snapshot, "dropped_busy")
            .parse::<u64>()
            .unwrap()
            + run_value(&out.snapshot, "dropped_late")
                .parse::<u64>()
                .unwrap()
            + run_value(&out.snapshot, "dropped_stopping")
                .parse::<u64>()
                .unwrap(),
        r.dropped
    );
    // Never more in flight than allowed, so never more than ~4 per 200 ms at the server.
    let per_second = server.stats.max_per_sliding_second("/slow");
    assert!(per_second <= 24, "{per_second} requests in one second");
    assert_eq!(server.stats.hits("/slow").len() as u64, r.sent);
    // Dropped arrivals are spread over the run, not bunched at the end.
    let dropped: Vec<u64> = out.snapshot.timeline.iter().map(|t| t.dropped).collect();
    assert!(dropped.iter().all(|&d| d >= 60), "{dropped:?}");
}

#[test]
fn same_seed_same_mix() {
    let server = start();
    let mut ops = vec![http_op("a", "/fast"), http_op("b", "/fast")];
    ops[0].weight = 3;
    let plan = plan(ops, vec![phase(1.0, 200.0, 32)]);
    let counts = |p: &quotaprobe::scenario::RunPlan| {
        let out = engine::run(p, &target(&server), options()).unwrap();
        assert_conserved(&out);
        (
            row(&out.snapshot, "a").scheduled,
            row(&out.snapshot, "b").scheduled,
        )
    };
    let first = counts(&plan);
    assert_eq!(first, counts(&plan));
    assert_eq!(first.0 + first.1, 200);
    assert!(first.0 > 120 && first.0 < 180, "{first:?}");
}

#[test]
fn a_ramp_follows_the_plan_and_the_forecast() {
    let server = start();
    // Ramp 0 → 100/s over 2 s: N(t) = 25 t², so 25 arrivals in second 0 and 75 in second 1.
    let mut ramp = phase(2.0, 0.0, 64);
    ramp.ramp_to_per_s = 100.0;
    // Then 1 s steady at 20/s.
    let steady = phase(1.0, 20.0, 64);
    let plan = plan(vec![http_op("fast", "/fast")], vec![ramp, steady]);
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    let per_second: Vec<u64> = out
        .snapshot
        .timeline
        .iter()
        .filter(|t| t.operation == "fast")
        .map(|t| t.scheduled)
        .collect();
    assert_eq!(per_second, [25, 75, 20]);
    assert_eq!(
        out.snapshot
            .summary
            .iter()
            .find(|r| r.operation == "ALL")
            .unwrap()
            .scheduled,
        120
    );
    assert_eq!(plan.total_arrivals(), 120, "the run and the forecast agree");
}

#[test]
fn a_later_phase_with_a_lower_cap_drops_more() {
    let server = start();
    let wide = phase(1.0, 20.0, 8);
    let narrow = phase(1.0, 20.0, 2);
    let plan = plan(vec![http_op("slow", "/slow")], vec![wide, narrow]);
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    let t: Vec<(u64, u64)> = out
        .snapshot
        .timeline
        .iter()
        .map(|t| (t.sent, t.dropped))
        .collect();
    // 8 in flight × 5/s per slot ≥ 20/s: all sent; 2 in flight ≈ 10/s: about half dropped.
    assert_eq!(t[0], (20, 0), "{t:?}");
    assert!((8..=12).contains(&t[1].0), "{t:?}");
}
