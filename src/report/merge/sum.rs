//! The sums behind `merge`: counts add; latency percentiles come from the merged histograms of
//! `histograms.hlog` (exact, never averaged); audiences add and their projections are
//! recomputed from the merged counts and duration; timeline seconds are aligned by each shard's
//! start offset.
//!
//! Two per-second / extra figures have no histogram in the files and are bounds, not exact:
//! a merged timeline second's `p50_ms`/`p99_ms` is the highest of the shards' values in that
//! second (its `max_ms` is exact), and the summary's `lag_p99_ms` is the highest shard's.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use super::{Part, value};
use crate::metrics::reach;
use crate::metrics::snapshot::{MONTH_DAYS, quota_runs_out_day};
use crate::metrics::timeline::new_histogram;
use crate::metrics::totals::Totals;
use crate::metrics::{
    AudienceRow, EventRow, OperationHistograms, Snapshot, StatusRow, SummaryRow, TimelineRow,
};

/// The merged run's length: from the earliest start to the latest end.
fn duration_s(parts: &[Part<'_>]) -> f64 {
    parts
        .iter()
        .map(|p| p.offset_s + p.duration_s)
        .fold(0.0, f64::max)
}

pub(super) fn merge(parts: &[Part<'_>], warnings: &mut Vec<String>) -> Snapshot {
    let run_s = duration_s(parts);
    let histograms = histograms(parts, warnings);
    let summary = summary(parts, &histograms, run_s, warnings);
    let mut latency = Vec::new();
    for h in &histograms {
        latency.extend(totals_of(h).latency_rows(&h.operation));
    }
    let all = all_histograms(&histograms, warnings);
    latency.extend(totals_of(&all).latency_rows("ALL"));
    Snapshot {
        run: run_facts(parts, run_s),
        summary,
        timeline: timeline(parts),
        audiences: audiences(parts, run_s),
        statuses: statuses(parts),
        latency,
        events: events(parts),
        histograms,
    }
}

fn totals_of(h: &OperationHistograms) -> Totals {
    Totals {
        corrected: h.corrected_us.clone(),
        service: h.service_us.clone(),
        ..Totals::default()
    }
}

fn add(into: &mut Histogram<u64>, from: &Histogram<u64>, what: &str, warnings: &mut Vec<String>) {
    if let Err(e) = into.add(from) {
        warnings.push(format!("{what}: histogram not merged: {e:?}"));
    }
}

/// Per operation (in order of first appearance), the sum of every shard's histograms.
fn histograms(parts: &[Part<'_>], warnings: &mut Vec<String>) -> Vec<OperationHistograms> {
    let mut out: Vec<OperationHistograms> = Vec::new();
    for p in parts {
        for h in &p.snapshot.histograms {
            let i = match out.iter().position(|o| o.operation == h.operation) {
                Some(i) => i,
                None => {
                    out.push(OperationHistograms {
                        operation: h.operation.clone(),
                        corrected_us: new_histogram(),
                        service_us: new_histogram(),
                    });
                    out.len() - 1
                }
            };
            if let Some(o) = out.get_mut(i) {
                add(&mut o.corrected_us, &h.corrected_us, &h.operation, warnings);
                add(&mut o.service_us, &h.service_us, &h.operation, warnings);
            }
        }
    }
    out
}

/// `ALL`: every operation's histograms together.
fn all_histograms(ops: &[OperationHistograms], warnings: &mut Vec<String>) -> OperationHistograms {
    let mut all = OperationHistograms {
        operation: "ALL".into(),
        corrected_us: new_histogram(),
        service_us: new_histogram(),
    };
    for h in ops {
        add(&mut all.corrected_us, &h.corrected_us, "ALL", warnings);
        add(&mut all.service_us, &h.service_us, "ALL", warnings);
    }
    all
}

fn summary(
    parts: &[Part<'_>],
    hists: &[OperationHistograms],
    run_s: f64,
    warnings: &mut Vec<String>,
) -> Vec<SummaryRow> {
    let mut order: Vec<(String, String)> = Vec::new();
    let mut sums: BTreeMap<String, (Totals, f64)> = BTreeMap::new();
    for p in parts {
        for r in &p.snapshot.summary {
            if !order.iter().any(|(op, _)| *op == r.operation) {
                order.push((r.operation.clone(), r.kind.clone()));
            }
            let (t, lag) = sums.entry(r.operation.clone()).or_default();
            t.dropped += r.dropped;
            t.ok += r.ok;
            t.status_4xx += r.status_4xx;
            t.status_429 += r.status_429;
            t.status_5xx += r.status_5xx;
            t.transport_errors += r.transport_errors;
            t.retries += r.retries;
            if let Some(first) = r.first_429_s.map(|f| f + p.offset_s) {
                t.first_429_s = Some(t.first_429_s.map_or(first, |x| x.min(first)));
            }
            *lag = lag.max(r.lag_p99_ms);
        }
    }
    // ALL last, as in a single run's summary.
    order.sort_by_key(|(op, _)| op == "ALL");
    let all = all_histograms(hists, warnings);
    order
        .iter()
        .filter_map(|(op, kind)| {
            let (mut t, lag) = sums.remove(op)?;
            let h = if op == "ALL" {
                Some(&all)
            } else {
                hists.iter().find(|h| h.operation == *op)
            };
            if let Some(h) = h {
                t.corrected = h.corrected_us.clone();
                t.service = h.service_us.clone();
            }
            let mut row = t.summary_row(op, kind, run_s);
            row.lag_p99_ms = lag;
            Some(row)
        })
        .collect()
}

fn timeline(parts: &[Part<'_>]) -> Vec<TimelineRow> {
    let mut ops: Vec<String> = Vec::new();
    let mut rows: BTreeMap<(u64, usize), TimelineRow> = BTreeMap::new();
    for p in parts {
        let shift = p.offset_s.round() as u64;
        for r in &p.snapshot.timeline {
            let op = match ops.iter().position(|o| *o == r.operation) {
                Some(i) => i,
                None => {
                    ops.push(r.operation.clone());
                    ops.len() - 1
                }
            };
            let second = r.second + shift;
            let m = rows.entry((second, op)).or_insert_with(|| TimelineRow {
                second,
                operation: r.operation.clone(),
                ..TimelineRow::default()
            });
            m.scheduled += r.scheduled;
            m.sent += r.sent;
            m.dropped += r.dropped;
            m.ok += r.ok;
            m.status_429 += r.status_429;
            m.errors += r.errors;
            m.p50_ms = m.p50_ms.max(r.p50_ms);
            m.p99_ms = m.p99_ms.max(r.p99_ms);
            m.max_ms = m.max_ms.max(r.max_ms);
            m.ratelimit_limit = m.ratelimit_limit.or(r.ratelimit_limit);
            m.ratelimit_remaining_min = match (m.ratelimit_remaining_min, r.ratelimit_remaining_min)
            {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            m.ratelimit_reset_in_s = m.ratelimit_reset_in_s.or(r.ratelimit_reset_in_s);
        }
    }
    rows.into_values().collect()
}

fn statuses(parts: &[Part<'_>]) -> Vec<StatusRow> {
    let mut out: Vec<StatusRow> = Vec::new();
    for p in parts {
        for r in &p.snapshot.statuses {
            match out
                .iter_mut()
                .find(|o| o.operation == r.operation && o.status == r.status)
            {
                Some(o) => {
                    o.count += r.count;
                    o.attempts += r.attempts;
                }
                None => out.push(r.clone()),
            }
        }
    }
    out
}

/// Counts add. An observed-rate projection is recomputed from the merged counts and duration;
/// a cache steady state is the sum of the shards' (each shard process keeps its own cache).
fn audiences(parts: &[Part<'_>], run_s: f64) -> Vec<AudienceRow> {
    let mut out: Vec<AudienceRow> = Vec::new();
    let mut cached: BTreeMap<String, f64> = BTreeMap::new();
    for p in parts {
        for r in &p.snapshot.audiences {
            if r.projection_basis != "observed rate" {
                *cached.entry(r.audience.clone()).or_default() += r.tokens_per_hour;
            }
            match out.iter_mut().find(|o| o.audience == r.audience) {
                Some(o) => {
                    o.token_requests += r.token_requests;
                    o.tokens_issued += r.tokens_issued;
                    o.denied_429 += r.denied_429;
                    o.denied_other += r.denied_other;
                }
                None => out.push(r.clone()),
            }
        }
    }
    let month_to_date = parts
        .first()
        .and_then(|p| value(p.snapshot, "month_to_date_tokens"))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    for o in &mut out {
        o.tokens_per_hour = match cached.get(&o.audience) {
            Some(per_hour) => {
                o.projection_basis = format!("sum of the shards' caches ({})", o.projection_basis);
                *per_hour
            }
            None if run_s > 0.0 => o.tokens_issued as f64 * 3600.0 / run_s,
            None => 0.0,
        };
        o.projected_month = o.tokens_per_hour * 24.0 * MONTH_DAYS;
        o.projected_pct_of_quota = o
            .tier_monthly_quota
            .filter(|q| *q > 0 && !o.internal)
            .map(|q| o.projected_month * 100.0 / q as f64);
    }
    let counted: f64 = out
        .iter()
        .filter(|o| o.counts_toward_quota)
        .map(|o| o.tokens_per_hour)
        .sum();
    for o in out.iter_mut().filter(|o| o.counts_toward_quota) {
        o.quota_runs_out_day = quota_runs_out_day(o.tier_monthly_quota, month_to_date, counted);
    }
    out
}

fn events(parts: &[Part<'_>]) -> Vec<EventRow> {
    let mut out: Vec<EventRow> = parts
        .iter()
        .flat_map(|p| {
            p.snapshot.events.iter().map(|e| EventRow {
                at_s: e.at_s + p.offset_s,
                detail: format!("shard {}: {}", p.shard, e.detail),
                ..e.clone()
            })
        })
        .collect();
    out.sort_by(|a, b| a.at_s.total_cmp(&b.at_s));
    out
}

/// The first shard's facts, with the run-wide ones replaced: start, duration, sums of the
/// counters, and the shards (`shards`, `shard:I/N` = folder and start).
fn run_facts(parts: &[Part<'_>], run_s: f64) -> Vec<(String, String)> {
    let Some(first) = parts.first() else {
        return Vec::new();
    };
    let summed = [
        "planned_arrivals",
        "dropped_busy",
        "dropped_late",
        "dropped_stopping",
        "bad_headers",
        "token_requests_sent",
        reach::ANSWERED,
        reach::CONNECTION_ERRORS,
        reach::TOKENLESS,
        reach::AFTER_LAST_ANSWER,
    ];
    let float_of = |p: &Part<'_>, key: &str| value(p.snapshot, key)?.parse::<f64>().ok();
    // The target stopped answering for the whole run only if it did for every shard: the last
    // answer any shard got (on the merged clock), the shortest silence after it.
    let last_answer = parts
        .iter()
        .filter_map(|p| float_of(p, reach::LAST_ANSWER_S).map(|t| t + p.offset_s))
        .reduce(f64::max);
    let silent = parts
        .iter()
        .map(|p| float_of(p, reach::SILENT_FOR_S).unwrap_or(0.0))
        .reduce(f64::min);
    let sum_of = |key: &str| -> u64 {
        parts
            .iter()
            .filter_map(|p| value(p.snapshot, key)?.parse::<u64>().ok())
            .sum()
    };
    let earliest = parts.iter().map(|p| p.start).min();
    let reasons: Vec<&str> = parts
        .iter()
        .filter_map(|p| value(p.snapshot, "stop_reason"))
        .collect();
    let mut run: Vec<(String, String)> = Vec::new();
    for (key, v) in &first.snapshot.run {
        let v = match key.as_str() {
            "shard" => continue,
            "seed" => value(first.snapshot, "base_seed").unwrap_or(v).to_string(),
            "start" => earliest.map_or_else(
                || v.clone(),
                |t| humantime::format_rfc3339_nanos(t).to_string(),
            ),
            "duration_s" => format!("{run_s:.3}"),
            "stop_reason" if reasons.iter().any(|r| r != reasons.first().unwrap_or(r)) => {
                reasons.join(",")
            }
            k if summed.contains(&k) => sum_of(k).to_string(),
            reach::LAST_ANSWER_S => last_answer.map_or_else(String::new, |t| format!("{t:.3}")),
            reach::SILENT_FOR_S => format!("{:.3}", silent.unwrap_or(0.0)),
            _ => v.clone(),
        };
        run.push((key.clone(), v));
    }
    let count = first.shard.count;
    run.push(("shards".into(), count.to_string()));
    run.push((
        "shards_merged".into(),
        parts
            .iter()
            .map(|p| p.shard.to_string())
            .collect::<Vec<_>>()
            .join(" "),
    ));
    for p in parts {
        run.push((
            format!("shard:{}", p.shard),
            format!(
                "{} (start {}, offset {:.3} s)",
                p.dir.display(),
                value(p.snapshot, "start").unwrap_or_default(),
                p.offset_s
            ),
        ));
    }
    run
}
