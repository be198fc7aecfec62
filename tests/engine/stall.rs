//! No arrival lost to a stall: with the engine's thread blocked for 50 ms mid-run (as a loaded
//! machine does to it), every arrival is still sent — late, its lag in the corrected latency —
//! and the catch-up releases only what the stall held back. Past `[pacing] drop_late_after`
//! arrivals are dropped as late, counted, and the bound is in run.csv.

#![allow(clippy::unwrap_used)]

use crate::support::common;

use std::time::Duration;

use common::*;
use quotaprobe::engine;

fn stalled(drop_late_after: Duration) -> (quotaprobe::engine::RunOutcome, Server) {
    let server = start();
    let mut plan = plan(vec![http_op("fast", "/fast")], vec![phase(3.0, 200.0, 64)]);
    plan.pacing.drop_late_after = drop_late_after;
    let mut options = options();
    options.stall = Some((Duration::from_millis(1200), Duration::from_millis(50)));
    let out = engine::run(&plan, &target(&server), options).unwrap();
    assert_conserved(&out);
    (out, server)
}

#[test]
fn a_50_ms_stall_at_200_per_s_loses_nothing_and_bursts_no_more_than_it_held() {
    let (out, server) = stalled(Duration::from_secs(1));
    let r = row(&out.snapshot, "fast");
    assert_eq!((r.scheduled, r.sent, r.dropped), (600, 600, 0));
    assert_eq!(run_value(&out.snapshot, "dropped_late"), "0");
    assert_eq!(run_value(&out.snapshot, "drop_late_after_s"), "1.000");
    // The stall shows in the corrected latency: the arrivals it held went out ~50 ms late.
    assert!(r.max_ms >= 40.0, "max {} ms", r.max_ms);
    // The catch-up is the ~10 arrivals the stall held, not a second's worth.
    let hits = server.stats.hits("/fast");
    assert_eq!(hits.len(), 600);
    let most_in_20ms = (0..hits.len())
        .map(|i| {
            hits[i..]
                .iter()
                .take_while(|t| **t < hits[i] + Duration::from_millis(20))
                .count()
        })
        .max()
        .unwrap();
    assert!(most_in_20ms <= 20, "{most_in_20ms} requests within 20 ms");
}

#[test]
fn past_the_bound_a_stall_drops_late_arrivals_and_counts_them() {
    let (out, _server) = stalled(Duration::from_millis(10));
    let r = row(&out.snapshot, "fast");
    let late: u64 = run_value(&out.snapshot, "dropped_late").parse().unwrap();
    assert!(
        (5..=12).contains(&late),
        "{late} late drops for a 50 ms stall at 200/s"
    );
    assert_eq!(r.dropped, late);
    assert_eq!(r.sent + late, 600);
    assert_eq!(run_value(&out.snapshot, "drop_late_after_s"), "0.010");
}
