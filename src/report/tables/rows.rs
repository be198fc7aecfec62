//! `summary.csv`, `timeline.csv` and `audiences.csv`: the wide tables. Column lists follow the
//! struct field order of `metrics::snapshot` (contract columns first, extras after).

use super::{Record, Table, fixed3, opt_fixed3, opt_int};
use crate::metrics::{AudienceRow, SummaryRow, TimelineRow};

impl Table for SummaryRow {
    const FILE: &'static str = "summary.csv";
    const COLUMNS: &'static [&'static str] = &[
        "operation",
        "kind",
        "scheduled",
        "sent",
        "dropped",
        "ok",
        "status_4xx",
        "status_429",
        "status_5xx",
        "transport_errors",
        "retries",
        "achieved_rps",
        "p50_ms",
        "p90_ms",
        "p99_ms",
        "p999_ms",
        "max_ms",
        "service_p99_ms",
        "first_429_s",
        "service_p50_ms",
        "lag_p99_ms",
        "ok_rps",
        "wire_rps",
    ];

    fn to_record(&self) -> Vec<String> {
        vec![
            self.operation.clone(),
            self.kind.clone(),
            self.scheduled.to_string(),
            self.sent.to_string(),
            self.dropped.to_string(),
            self.ok.to_string(),
            self.status_4xx.to_string(),
            self.status_429.to_string(),
            self.status_5xx.to_string(),
            self.transport_errors.to_string(),
            self.retries.to_string(),
            fixed3(self.achieved_rps),
            fixed3(self.p50_ms),
            fixed3(self.p90_ms),
            fixed3(self.p99_ms),
            fixed3(self.p999_ms),
            fixed3(self.max_ms),
            fixed3(self.service_p99_ms),
            opt_fixed3(self.first_429_s),
            fixed3(self.service_p50_ms),
            fixed3(self.lag_p99_ms),
            fixed3(self.ok_rps),
            fixed3(self.wire_rps),
        ]
    }

    fn from_record(r: &Record) -> Result<Self, String> {
        Ok(SummaryRow {
            operation: r.text("operation")?,
            kind: r.text("kind")?,
            scheduled: r.u64("scheduled")?,
            sent: r.u64("sent")?,
            dropped: r.u64("dropped")?,
            ok: r.u64("ok")?,
            status_4xx: r.u64("status_4xx")?,
            status_429: r.u64("status_429")?,
            status_5xx: r.u64("status_5xx")?,
            transport_errors: r.u64("transport_errors")?,
            retries: r.u64("retries")?,
            achieved_rps: r.f64("achieved_rps")?,
            p50_ms: r.f64("p50_ms")?,
            p90_ms: r.f64("p90_ms")?,
            p99_ms: r.f64("p99_ms")?,
            p999_ms: r.f64("p999_ms")?,
            max_ms: r.f64("max_ms")?,
            service_p99_ms: r.f64("service_p99_ms")?,
            first_429_s: r.opt_f64("first_429_s")?,
            service_p50_ms: r.f64_or_zero("service_p50_ms")?,
            lag_p99_ms: r.f64_or_zero("lag_p99_ms")?,
            // Folders written before these columns: NaN until `report::read` computes them.
            ok_rps: r.opt_f64_extra("ok_rps")?.unwrap_or(f64::NAN),
            wire_rps: r.opt_f64_extra("wire_rps")?.unwrap_or(f64::NAN),
        })
    }
}

impl Table for TimelineRow {
    const FILE: &'static str = "timeline.csv";
    const COLUMNS: &'static [&'static str] = &[
        "second",
        "operation",
        "scheduled",
        "sent",
        "dropped",
        "ok",
        "status_429",
        "errors",
        "p50_ms",
        "p99_ms",
        "max_ms",
        "ratelimit_limit",
        "ratelimit_remaining_min",
        "ratelimit_reset_in_s",
    ];

    fn to_record(&self) -> Vec<String> {
        vec![
            self.second.to_string(),
            self.operation.clone(),
            self.scheduled.to_string(),
            self.sent.to_string(),
            self.dropped.to_string(),
            self.ok.to_string(),
            self.status_429.to_string(),
            self.errors.to_string(),
            fixed3(self.p50_ms),
            fixed3(self.p99_ms),
            fixed3(self.max_ms),
            opt_int(self.ratelimit_limit),
            opt_int(self.ratelimit_remaining_min),
            opt_fixed3(self.ratelimit_reset_in_s),
        ]
    }

    fn from_record(r: &Record) -> Result<Self, String> {
        Ok(TimelineRow {
            second: r.u64("second")?,
            operation: r.text("operation")?,
            scheduled: r.u64("scheduled")?,
            sent: r.u64("sent")?,
            dropped: r.u64("dropped")?,
            ok: r.u64("ok")?,
            status_429: r.u64("status_429")?,
            errors: r.u64("errors")?,
            p50_ms: r.f64("p50_ms")?,
            p99_ms: r.f64("p99_ms")?,
            max_ms: r.f64("max_ms")?,
            ratelimit_limit: r.opt_u64("ratelimit_limit")?,
            ratelimit_remaining_min: r.opt_u64("ratelimit_remaining_min")?,
            ratelimit_reset_in_s: r.opt_f64("ratelimit_reset_in_s")?,
        })
    }
}

impl Table for AudienceRow {
    const FILE: &'static str = "audiences.csv";
    const COLUMNS: &'static [&'static str] = &[
        "audience",
        "internal",
        "counts_toward_quota",
        "token_requests",
        "tokens_issued",
        "denied_429",
        "denied_other",
        "tokens_per_hour",
        "projected_month",
        "tier_monthly_quota",
        "projected_pct_of_quota",
        "quota_runs_out_day",
        "projection_basis",
    ];

    fn to_record(&self) -> Vec<String> {
        vec![
            self.audience.clone(),
            self.internal.to_string(),
            self.counts_toward_quota.to_string(),
            self.token_requests.to_string(),
            self.tokens_issued.to_string(),
            self.denied_429.to_string(),
            self.denied_other.to_string(),
            fixed3(self.tokens_per_hour),
            fixed3(self.projected_month),
            opt_int(self.tier_monthly_quota),
            opt_fixed3(self.projected_pct_of_quota),
            opt_fixed3(self.quota_runs_out_day),
            self.projection_basis.clone(),
        ]
    }

    fn from_record(r: &Record) -> Result<Self, String> {
        Ok(AudienceRow {
            audience: r.text("audience")?,
            internal: r.bool("internal")?,
            counts_toward_quota: r.bool("counts_toward_quota")?,
            token_requests: r.u64("token_requests")?,
            tokens_issued: r.u64("tokens_issued")?,
            denied_429: r.u64("denied_429")?,
            denied_other: r.u64("denied_other")?,
            tokens_per_hour: r.f64("tokens_per_hour")?,
            projected_month: r.f64("projected_month")?,
            tier_monthly_quota: r.opt_u64("tier_monthly_quota")?,
            projected_pct_of_quota: r.opt_f64("projected_pct_of_quota")?,
            quota_runs_out_day: r.opt_f64_extra("quota_runs_out_day")?,
            projection_basis: r.text_or_empty("projection_basis"),
        })
    }
}
