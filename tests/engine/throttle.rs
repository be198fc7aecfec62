//! Client-side self-throttle: the worker waits for the governor limiter (never the scheduler),
//! the server sees at most the throttled rate, and the wait shows in corrected latency.

#![allow(clippy::unwrap_used)]

use crate::support::common;

use common::*;
use quotaprobe::engine;

#[test]
fn throttled_operation_waits_in_the_worker_and_the_wait_is_latency() {
    let server = start();
    let mut op = http_op("throttled", "/fast");
    op.throttle_per_s = Some(5.0);
    // 10 arrivals/s for 2 s, throttled to 5/s: requests queue in workers (64 allowed in flight).
    let plan = plan(vec![op], vec![phase(2.0, 10.0, 64)]);
    let out = engine::run(&plan, &target(&server), options()).unwrap();
    assert_conserved(&out);
    let r = row(&out.snapshot, "throttled");
    assert_eq!(r.scheduled, 20);
    assert_eq!(r.dropped, 0, "the scheduler never waited on the throttle");
    // By the stop at 2 s only ~10 had passed the throttle; the rest passed during the drain.
    let served = server.stats.hits("/fast");
    assert_eq!(served.len() as u64, r.sent);
    let per_second = server.stats.max_per_sliding_second("/fast");
    assert!(
        per_second <= 6,
        "{per_second} in one second at a 5/s throttle"
    );
    // Waiting for the throttle is part of corrected latency and schedule lag, not service time.
    assert!(r.max_ms > 1000.0, "max {} ms", r.max_ms);
    assert!(r.lag_p99_ms > 1000.0, "lag p99 {} ms", r.lag_p99_ms);
    assert!(r.service_p99_ms < 100.0);
}
