//! The projection arithmetic and each row's `add`.

use super::*;

#[test]
fn projection_arithmetic() {
    // 10 tokens in 60 s → 600/h → 432,000 per 30-day month; 1,000 quota → 43,200 %.
    let (h, m, p) = project_month(10, 60.0, Some(1000));
    assert!((h - 600.0).abs() < 1e-9 && (m - 432_000.0).abs() < 1e-6);
    assert!((p.unwrap_or(0.0) - 43_200.0).abs() < 1e-6);
    assert_eq!(project_month(5, 10.0, None).2, None);
}

#[test]
fn runs_out_day() {
    // 1,000 quota, 280 used, 1/h → 720 h left = 30 days → day 31 (the last instant): runs out.
    assert_eq!(quota_runs_out_day(Some(1000), 280, 1.0), Some(31.0));
    assert_eq!(quota_runs_out_day(Some(1000), 0, 1.0), None); // 1,000 h > 30 days
    assert_eq!(
        quota_runs_out_day(Some(1000), 0, 100.0),
        Some(1.0 + 1000.0 / 2400.0)
    );
    assert_eq!(quota_runs_out_day(Some(1000), 1200, 0.0), Some(1.0));
    assert_eq!(quota_runs_out_day(None, 0, 100.0), None);
}

#[test]
fn summary_rows_add_counts_and_keep_the_first_429() {
    let mut a = SummaryRow {
        operation: "list".into(),
        scheduled: 10,
        sent: 9,
        dropped: 1,
        ok: 5,
        status_4xx: 1,
        status_429: 2,
        status_5xx: 0,
        transport_errors: 1,
        retries: 3,
        first_429_s: Some(4.0),
        p99_ms: 80.0,
        achieved_rps: 0.9,
        ..SummaryRow::default()
    };
    let b = SummaryRow {
        operation: "other".into(),
        scheduled: 5,
        sent: 5,
        ok: 3,
        status_429: 1,
        status_5xx: 1,
        retries: 1,
        first_429_s: Some(2.5),
        p99_ms: 900.0,
        ..SummaryRow::default()
    };
    a.add(&b);
    let counts = (
        a.scheduled,
        a.sent,
        a.dropped,
        a.ok,
        a.status_4xx,
        a.status_429,
        a.status_5xx,
        a.transport_errors,
        a.retries,
    );
    assert_eq!(counts, (15, 14, 1, 8, 1, 3, 1, 1, 4));
    assert_eq!(a.first_429_s, Some(2.5));
    // Not sums: they stay for the caller to recompute.
    assert_eq!(
        (a.operation.as_str(), a.p99_ms, a.achieved_rps),
        ("list", 80.0, 0.9)
    );
    let mut none = SummaryRow::default();
    none.add(&SummaryRow::default());
    assert_eq!(none.first_429_s, None);
    none.add(&a);
    assert_eq!(none.first_429_s, Some(2.5));
}

#[test]
fn timeline_rows_add_counts_and_bound_latency() {
    let mut a = TimelineRow {
        second: 3,
        operation: "list".into(),
        scheduled: 4,
        sent: 3,
        dropped: 1,
        ok: 2,
        status_429: 1,
        errors: 0,
        p50_ms: 10.0,
        p99_ms: 50.0,
        max_ms: 60.0,
        ratelimit_limit: None,
        ratelimit_remaining_min: Some(4),
        ratelimit_reset_in_s: Some(1.0),
    };
    let b = TimelineRow {
        second: 3,
        operation: "list".into(),
        scheduled: 2,
        sent: 2,
        ok: 1,
        errors: 1,
        p50_ms: 20.0,
        p99_ms: 30.0,
        max_ms: 90.0,
        ratelimit_limit: Some(10),
        ratelimit_remaining_min: Some(2),
        ratelimit_reset_in_s: Some(5.0),
        ..TimelineRow::default()
    };
    a.add(&b);
    assert_eq!(
        (a.scheduled, a.sent, a.dropped, a.ok, a.status_429, a.errors),
        (6, 5, 1, 3, 1, 1)
    );
    assert_eq!((a.p50_ms, a.p99_ms, a.max_ms), (20.0, 50.0, 90.0));
    assert_eq!(a.ratelimit_limit, Some(10));
    assert_eq!(a.ratelimit_remaining_min, Some(2));
    assert_eq!(a.ratelimit_reset_in_s, Some(1.0));
    assert_eq!((a.second, a.operation.as_str()), (3, "list"));
}

#[test]
fn audience_and_status_rows_add_counts() {
    let mut a = AudienceRow {
        audience: "https://api".into(),
        counts_toward_quota: true,
        token_requests: 5,
        tokens_issued: 4,
        denied_429: 1,
        tokens_per_hour: 7.0,
        ..AudienceRow::default()
    };
    a.add(&AudienceRow {
        token_requests: 3,
        tokens_issued: 1,
        denied_429: 1,
        denied_other: 1,
        tokens_per_hour: 100.0,
        ..a.clone()
    });
    assert_eq!(
        (
            a.token_requests,
            a.tokens_issued,
            a.denied_429,
            a.denied_other
        ),
        (8, 5, 2, 1)
    );
    assert_eq!(
        a.token_requests,
        a.tokens_issued + a.denied_429 + a.denied_other
    );
    assert_eq!(a.tokens_per_hour, 7.0, "projections are the caller's");
    let mut s = StatusRow {
        operation: "list".into(),
        status: "429".into(),
        count: 2,
        attempts: 5,
    };
    s.add(&s.clone());
    assert_eq!((s.count, s.attempts), (4, 10));
}
