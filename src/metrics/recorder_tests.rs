//! The recorder's conservation and memory rules, fed by hand.

use std::time::Duration;

use super::*;
use crate::metrics::sample::{RateSeen, TokenFailure};

fn ops() -> Vec<OpMeta> {
    vec![
        OpMeta {
            name: "users".into(),
            kind: "management".into(),
            audience: None,
            synthetic: false,
        },
        OpMeta {
            name: "token:mgmt".into(),
            kind: "token".into(),
            audience: Some("mgmt".into()),
            synthetic: true,
        },
        OpMeta {
            name: "token:unused".into(),
            kind: "token".into(),
            audience: Some("unused".into()),
            synthetic: true,
        },
    ]
}

fn sample(op: usize, at_ms: u64, took_ms: u64, outcome: Outcome) -> Sample {
    Sample {
        op,
        intended: Duration::from_millis(at_ms),
        lag: Duration::from_micros(300),
        corrected: Duration::from_millis(took_ms),
        service: Duration::from_millis(took_ms),
        outcome,
        retries: 0,
        rate: RateSeen {
            limit: Some(10),
            remaining: Some(at_ms % 7),
            reset_in_s: Some(1.0),
        },
        bad_headers: 0,
    }
}

fn quota() -> QuotaContext {
    QuotaContext::default()
}

#[test]
fn every_table_conserves() {
    let mut r = Recorder::new(ops(), "mgmt");
    let outcomes = [
        Outcome::Http(200),
        Outcome::Http(429),
        Outcome::Http(404),
        Outcome::Http(503),
        Outcome::Transport(TransportKind::Timeout),
        Outcome::Token(TokenFailure::Http(401)),
    ];
    for i in 0..600u64 {
        let at = i * 10; // 100 per second for 6 s
        if i % 9 == 0 {
            r.dropped(0, Duration::from_millis(at), DropReason::Busy, false);
            continue;
        }
        r.dispatched(0, Duration::from_millis(at));
        if i % 5 == 0 {
            r.attempt(0, Outcome::Http(429), 1);
            let mut s = sample(0, at, 40, outcomes[(i % 6) as usize]);
            s.retries = 1;
            r.record(&s, true);
        } else {
            r.record(&sample(0, at, 5 + i % 30, outcomes[(i % 6) as usize]), true);
        }
        if i % 100 == 0 {
            r.dispatched(1, Duration::from_millis(at));
            r.record(&sample(1, at, 20, Outcome::Http(200)), true);
        }
        r.advance(at / 1000);
    }
    let snap = r.finish(Duration::from_secs(6), quota());
    // Synthetic operations appear only when used.
    let names: Vec<&str> = snap.summary.iter().map(|s| s.operation.as_str()).collect();
    assert_eq!(names, ["users", "token:mgmt", "ALL"]);
    let users = &snap.summary[0];
    assert_eq!(users.scheduled, 600);
    assert_eq!(users.dropped, 67);
    assert_eq!(users.scheduled, users.sent + users.dropped);
    assert_eq!(
        users.sent,
        users.ok + users.status_4xx + users.status_429 + users.status_5xx + users.transport_errors
    );
    assert_eq!(users.retries, 120 - 14); // multiples of 5 that are not multiples of 9... and 45s
    let all = &snap.summary[2];
    assert_eq!(all.sent, users.sent + 5); // i = 100, 200, ... 500 (0 was dropped)
    for op in ["users", "token:mgmt"] {
        let row = snap
            .summary
            .iter()
            .find(|s| s.operation == op)
            .map(|s| (s.scheduled, s.ok, s.status_429));
        let tl = snap.timeline.iter().filter(|t| t.operation == op);
        let sums = tl.fold((0, 0, 0), |a, t| {
            (a.0 + t.scheduled, a.1 + t.ok, a.2 + t.status_429)
        });
        assert_eq!(Some(sums), row, "{op}");
        let st: u64 = snap
            .statuses
            .iter()
            .filter(|s| s.operation == op)
            .map(|s| s.count)
            .sum();
        assert_eq!(
            Some(st),
            snap.summary
                .iter()
                .find(|s| s.operation == op)
                .map(|s| s.sent)
        );
    }
    let seconds: Vec<u64> = snap
        .timeline
        .iter()
        .filter(|t| t.operation == "users")
        .map(|t| t.second)
        .collect();
    assert_eq!(seconds, [0, 1, 2, 3, 4, 5]);
    assert!(snap.timeline.iter().all(|t| t.ratelimit_limit == Some(10)));
    let token_401 = snap
        .statuses
        .iter()
        .find(|s| s.status == "token_401")
        .map(|s| s.count);
    assert_eq!(
        token_401,
        Some(
            users.status_4xx
                - snap
                    .statuses
                    .iter()
                    .find(|s| s.status == "404")
                    .map_or(0, |s| s.count)
        )
    );
    let a429 = snap
        .statuses
        .iter()
        .find(|s| s.operation == "users" && s.status == "429");
    assert!(a429.is_some_and(|s| s.attempts == s.count + users.retries));
    assert_eq!(snap.audiences.len(), 1);
    assert_eq!(snap.audiences[0].token_requests, 5);
    assert_eq!(snap.histograms.len(), 2);
}

#[test]
fn seconds_close_as_they_finish_so_memory_stays_flat() {
    let mut r = Recorder::new(ops(), "mgmt");
    let mut most_open = 0;
    // An hour at 20/s, each request finishing 1.5 s after its intended start.
    let mut in_flight = std::collections::VecDeque::new();
    for i in 0..72_000u64 {
        let at = i * 50;
        r.dispatched(0, Duration::from_millis(at));
        in_flight.push_back(at);
        while in_flight.front().is_some_and(|&a| a + 1500 <= at) {
            let a = in_flight.pop_front().unwrap_or(0);
            r.record(&sample(0, a, 1500, Outcome::Http(200)), true);
        }
        r.advance(at / 1000);
        most_open = most_open.max(r.open_seconds());
    }
    assert!(most_open <= 3, "{most_open} seconds open at once");
    let snap = r.finish(Duration::from_secs(3600), quota());
    assert_eq!(snap.timeline.len(), 3600);
    assert_eq!(snap.summary[0].sent, 72_000);
    assert!((snap.summary[0].p99_ms - 1500.0).abs() < 2.0);
}

#[test]
fn unfinished_requests_become_cancelled_and_late_samples_still_count() {
    let mut r = Recorder::new(ops(), "mgmt");
    r.dispatched(0, Duration::from_millis(100));
    r.record(&sample(0, 100, 10, Outcome::Http(200)), true);
    r.advance(5);
    assert_eq!(r.open_seconds(), 0);
    // A sample for a second that already closed: patched into its row, not lost.
    r.record(&sample(0, 500, 10, Outcome::Http(429)), false);
    // Still in flight when the run ends.
    r.dispatched(0, Duration::from_millis(5200));
    r.dispatched(1, Duration::from_millis(5300));
    let snap = r.finish(Duration::from_secs(6), quota());
    let users = &snap.summary[0];
    assert_eq!(
        (
            users.sent,
            users.ok,
            users.status_429,
            users.transport_errors
        ),
        (3, 1, 1, 1)
    );
    let cancelled = snap
        .statuses
        .iter()
        .find(|s| s.status == "cancelled" && s.operation == "users");
    assert_eq!(cancelled.map(|s| s.count), Some(1));
    // The cancelled token request counts as denied_other for its audience.
    assert_eq!(snap.audiences[0].denied_other, 1);
    let tl: Vec<(u64, u64, u64)> = snap
        .timeline
        .iter()
        .filter(|t| t.operation == "users")
        .map(|t| (t.second, t.sent, t.status_429))
        .collect();
    assert_eq!(tl, [(0, 2, 1), (5, 1, 0)]);
}

#[test]
fn wide_buckets_hold_their_span_and_close_once_the_span_is_scheduled() {
    assert_eq!(
        [
            crate::metrics::timeline::resolution_for(Duration::from_secs(3_600)),
            crate::metrics::timeline::resolution_for(Duration::from_secs(3_601)),
            crate::metrics::timeline::resolution_for(Duration::from_secs(48 * 3_600)),
            crate::metrics::timeline::resolution_for(Duration::from_secs(30 * 86_400)),
        ],
        [1, 60, 60, 3_600]
    );
    let mut r = Recorder::new(ops(), "mgmt").with_resolution(60);
    assert_eq!(r.resolution(), 60);
    // 3 minutes at 2/s, answered at once; a 429 every 10th.
    for i in 0..360u64 {
        let at = i * 500;
        r.dispatched(0, Duration::from_millis(at));
        let outcome = if i % 10 == 9 {
            Outcome::Http(429)
        } else {
            Outcome::Http(200)
        };
        r.record(&sample(0, at, 5, outcome), true);
        r.advance(at / 1000);
        // Only the current minute is open: the last one closed once its 60 s were scheduled.
        assert!(
            r.open_seconds() <= 1,
            "{} open at {at} ms",
            r.open_seconds()
        );
    }
    // A late sample for the first minute (already closed) patches its row.
    r.record(&sample(0, 30_000, 5, Outcome::Http(503)), false);
    r.dropped(0, Duration::from_millis(61_000), DropReason::Busy, false);
    let snap = r.finish(Duration::from_secs(180), quota());
    let tl: Vec<(u64, u64, u64, u64, u64)> = snap
        .timeline
        .iter()
        .filter(|t| t.operation == "users")
        .map(|t| (t.second, t.scheduled, t.sent, t.status_429, t.errors))
        .collect();
    assert_eq!(
        tl,
        [
            (0, 121, 121, 12, 1),
            (60, 121, 120, 12, 0),
            (120, 120, 120, 12, 0)
        ]
    );
    let row = &snap.timeline[0];
    assert_eq!(row.ratelimit_limit, Some(10));
    assert_eq!(row.ratelimit_remaining_min, Some(0));
}
