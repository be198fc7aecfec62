//! A realistic synthetic run for the report tests: three operations over 20 seconds, a 429
//! burst on the tenant bucket (seconds 8–11), two dropped arrivals, a 404 and a timeout, one
//! internal and one custom audience, events, and histograms filled with known values. Every
//! table is consistent with the others (docs/reports.md's invariants hold).

#![allow(dead_code, clippy::unwrap_used)]

use hdrhistogram::Histogram;
use quotaprobe::metrics::snapshot::{project_month, quota_runs_out_day};
use quotaprobe::metrics::*;
use quotaprobe::scenario::{ThresholdMetric, ThresholdPlan};

pub const SECONDS: u64 = 20;
pub const QUOTA: u64 = 1000;
pub const OPS: [&str; 3] = ["list-users", "orders-token", "get-user"];

/// Rounds to 3 decimals, as the CSVs store reals (so round trips compare exactly).
pub fn r3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// One second of one operation: (scheduled, sent, ok, 429, 4xx, 5xx, transport).
fn second(op: usize, s: u64) -> (u64, u64, u64, u64, u64, u64, u64) {
    match op {
        0 => {
            let dropped = u64::from(s == 9 || s == 10);
            let n429 = if (8..12).contains(&s) { 5 } else { 0 };
            (8, 8 - dropped, 8 - dropped - n429, n429, 0, 0, 0)
        }
        1 => {
            let n = u64::from(s.is_multiple_of(2));
            (n, n, n, 0, 0, 0, 0)
        }
        _ => {
            let n429 = u64::from((8..12).contains(&s));
            let n4xx = u64::from(s == 15);
            let tx = u64::from(s == 16);
            (2, 2, 2 - n429 - n4xx - tx, n429, n4xx, 0, tx)
        }
    }
}

fn histograms(op: usize, sent: u64) -> OperationHistograms {
    let mut corrected = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
    let mut service = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
    let base = [40_000, 90_000, 25_000][op];
    for i in 0..sent {
        let v = base + (i * 7_919) % 60_000 + if i % 50 == 0 { 350_000 } else { 0 };
        corrected.record(v).unwrap();
        service.record(v * 3 / 4).unwrap();
    }
    OperationHistograms {
        operation: OPS[op].to_string(),
        corrected_us: corrected,
        service_us: service,
    }
}

pub fn snapshot() -> Snapshot {
    let mut s = Snapshot {
        // As run.csv lists them, in this order (the report's Run table keeps it).
        run: RunFacts::from_pairs(
            [
                ("scenario", "m2m-token-caching"),
                (
                    "description",
                    "Token per call vs cached token, on the same Management API traffic",
                ),
                ("tier", "free"),
                ("target", "simulated"),
                ("tier_monthly_quota", "1000"),
                ("month_to_date_tokens", "0"),
                ("duration_s", "20.000"),
                ("stop_reason", "completed"),
                ("stop_detail", "all phases completed"),
                ("dropped_busy", "2"),
                ("dropped_late", "0"),
                ("dropped_stopping", "0"),
                ("start", "2026-11-23T19:00:00Z"),
                ("seed", "42"),
                ("version", "0.1.0"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        ),
        ..Snapshot::default()
    };
    let mut all = SummaryRow {
        operation: "ALL".into(),
        kind: "all".into(),
        ..SummaryRow::default()
    };
    let mut merged = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).unwrap();
    let mut merged_service = merged.clone();
    for (op, name) in OPS.iter().enumerate() {
        let mut row = SummaryRow {
            operation: name.to_string(),
            kind: if op == 1 { "token" } else { "management" }.into(),
            ..SummaryRow::default()
        };
        for sec in 0..SECONDS {
            let (sch, sent, ok, n429, n4xx, n5xx, tx) = second(op, sec);
            row.scheduled += sch;
            row.sent += sent;
            row.dropped += sch - sent;
            row.ok += ok;
            row.status_429 += n429;
            row.status_4xx += n4xx;
            row.status_5xx += n5xx;
            row.transport_errors += tx;
            if n429 > 0 && row.first_429_s.is_none() {
                row.first_429_s = Some(sec as f64 + [0.125, 0.0, 0.25][op]);
            }
            if sch == 0 {
                continue;
            }
            let limited = op != 1;
            let remaining = match sec {
                0..=7 => 50 - sec * 6,
                8..=11 => 0,
                _ => (sec - 11) * 5,
            };
            s.timeline.push(TimelineRow {
                second: sec,
                operation: name.to_string(),
                scheduled: sch,
                sent,
                dropped: sch - sent,
                ok,
                status_429: n429,
                errors: n4xx + n5xx + tx,
                p50_ms: r3(30.0 + op as f64 * 20.0 + if n429 > 0 { 4.5 } else { 0.0 }),
                p99_ms: r3(80.0
                    + op as f64 * 30.0
                    + if (8..12).contains(&sec) { 250.25 } else { 0.0 }),
                max_ms: r3(120.0
                    + op as f64 * 30.0
                    + if (8..12).contains(&sec) { 300.0 } else { 0.0 }),
                ratelimit_limit: limited.then_some(50),
                ratelimit_remaining_min: limited.then_some(remaining + op as u64),
                ratelimit_reset_in_s: limited
                    .then_some(r3(1.0 + (50 - remaining.min(50)) as f64 / 10.0)),
            });
        }
        row.retries = if op == 0 { 4 } else { 0 };
        row.achieved_rps = r3(row.sent as f64 / SECONDS as f64);
        let h = histograms(op, row.sent);
        let q = |p: f64| ms(h.corrected_us.value_at_quantile(p));
        (row.p50_ms, row.p90_ms, row.p99_ms, row.p999_ms) = (q(0.5), q(0.9), q(0.99), q(0.999));
        row.max_ms = ms(h.corrected_us.max());
        row.service_p99_ms = ms(h.service_us.value_at_quantile(0.99));
        row.service_p50_ms = ms(h.service_us.value_at_quantile(0.5));
        row.lag_p99_ms = 1.25;
        for p in [50.0, 90.0, 99.0, 99.9, 100.0] {
            s.latency.push(LatencyRow {
                operation: name.to_string(),
                percentile: p,
                corrected_ms: ms(h.corrected_us.value_at_percentile(p)),
                service_ms: ms(h.service_us.value_at_percentile(p)),
            });
        }
        for (status, count, attempts) in [
            ("200", row.ok, row.ok),
            ("429", row.status_429, row.status_429 + row.retries),
            ("404", row.status_4xx, row.status_4xx),
            ("timeout", row.transport_errors, row.transport_errors),
        ] {
            if count > 0 {
                s.statuses.push(StatusRow {
                    operation: name.to_string(),
                    status: status.into(),
                    count,
                    attempts,
                });
            }
        }
        merged.add(&h.corrected_us).unwrap();
        merged_service.add(&h.service_us).unwrap();
        all.scheduled += row.scheduled;
        all.sent += row.sent;
        all.dropped += row.dropped;
        all.ok += row.ok;
        all.status_429 += row.status_429;
        all.status_4xx += row.status_4xx;
        all.status_5xx += row.status_5xx;
        all.transport_errors += row.transport_errors;
        all.retries += row.retries;
        all.first_429_s = match (all.first_429_s, row.first_429_s) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        s.summary.push(row);
        s.histograms.push(h);
    }
    all.achieved_rps = r3(all.sent as f64 / SECONDS as f64);
    let q = |p: f64| ms(merged.value_at_quantile(p));
    (all.p50_ms, all.p90_ms, all.p99_ms, all.p999_ms) = (q(0.5), q(0.9), q(0.99), q(0.999));
    all.max_ms = ms(merged.max());
    all.service_p99_ms = ms(merged_service.value_at_quantile(0.99));
    all.service_p50_ms = ms(merged_service.value_at_quantile(0.5));
    all.lag_p99_ms = 1.25;
    s.summary.push(all);
    for r in &mut s.summary {
        r.set_rates(&s.statuses, SECONDS as f64);
        (r.ok_rps, r.wire_rps) = (r3(r.ok_rps), r3(r.wire_rps));
    }
    s.audiences = audiences();
    s.events = vec![
        EventRow {
            at_s: 5.0,
            action: "rotate-secret".into(),
            detail: "backend".into(),
            outcome: "ok".into(),
        },
        EventRow {
            at_s: 14.5,
            action: "delete-grant".into(),
            detail: "backend https://orders.example.com".into(),
            outcome: "ok".into(),
        },
    ];
    s
}

fn audiences() -> Vec<AudienceRow> {
    let run_s = SECONDS as f64;
    let custom_issued = 10;
    let (per_hour, month, pct) = project_month(custom_issued, run_s, Some(QUOTA));
    let (mgmt_hour, mgmt_month, _) = project_month(2, run_s, Some(QUOTA));
    vec![
        AudienceRow {
            audience: "https://orders.example.com".into(),
            internal: false,
            counts_toward_quota: true,
            token_requests: custom_issued,
            tokens_issued: custom_issued,
            tokens_per_hour: r3(per_hour),
            projected_month: r3(month),
            tier_monthly_quota: Some(QUOTA),
            projected_pct_of_quota: pct.map(r3),
            quota_runs_out_day: quota_runs_out_day(Some(QUOTA), 0, per_hour).map(r3),
            projection_basis: "observed rate".into(),
            ..AudienceRow::default()
        },
        AudienceRow {
            audience: "https://quotaprobe-sim.local/api/v2/".into(),
            internal: true,
            counts_toward_quota: false,
            token_requests: 3,
            tokens_issued: 2,
            denied_429: 1,
            tokens_per_hour: r3(mgmt_hour),
            projected_month: r3(mgmt_month),
            tier_monthly_quota: Some(QUOTA),
            ..AudienceRow::default()
        },
    ]
}

/// The scenario's thresholds: one holds, two break.
pub fn threshold_plans() -> Vec<ThresholdPlan> {
    vec![
        ThresholdPlan {
            operation: Some(0),
            metric: ThresholdMetric::P99Ms,
            limit: 800.0,
            abort: false,
        },
        ThresholdPlan {
            operation: Some(0),
            metric: ThresholdMetric::Max429Ratio,
            limit: 0.05,
            abort: false,
        },
        ThresholdPlan {
            operation: None,
            metric: ThresholdMetric::MaxQuotaPct,
            limit: 100.0,
            abort: true,
        },
    ]
}

pub fn op_names() -> Vec<String> {
    OPS.iter().map(|s| s.to_string()).collect()
}

pub fn threshold_results(s: &Snapshot) -> Vec<ThresholdResult> {
    threshold::evaluate(&threshold_plans(), &op_names(), &s.summary, &s.audiences)
}
