//! The sums behind `merge`: counts add; latency percentiles come from the merged histograms of
//! `histograms.hlog` (exact, never averaged); audiences add and their projections are
//! recomputed from the merged counts and duration; timeline seconds are aligned by each shard's
//! start offset and re-bucketed to the widest shard's `timeline_resolution_s` (shards of one
//! run plan the same length, so they agree; a row lands in the bucket of its shifted start).
//!
//! Two per-second / extra figures have no histogram in the files and are bounds, not exact:
//! a merged timeline second's `p50_ms`/`p99_ms` is the highest of the shards' values in that
//! second (its `max_ms` is exact), and the summary's `lag_p99_ms` is the highest shard's.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use super::Part;
use crate::metrics::run_facts::ms_precision;
use crate::metrics::snapshot::{MONTH_DAYS, quota_runs_out_day};
use crate::metrics::timeline::new_histogram;
use crate::metrics::totals::Totals;
use crate::metrics::{
    AudienceRow, EventRow, FlowRow, OperationHistograms, RunFacts, ShardFolder, Snapshot,
    StatusRow, SummaryRow, TimelineRow,
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
    let statuses = statuses(parts);
    let mut summary = summary(parts, &histograms, run_s, warnings);
    for r in &mut summary {
        r.set_rates(&statuses, run_s);
    }
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
        statuses,
        latency,
        events: events(parts),
        histograms,
        flows: flows(parts),
    }
}

/// Per flow (in order of first appearance), every shard's counts added.
fn flows(parts: &[Part<'_>]) -> Vec<FlowRow> {
    let mut out: Vec<FlowRow> = Vec::new();
    for p in parts {
        for f in &p.snapshot.flows {
            match out.iter_mut().find(|o| o.flow == f.flow) {
                Some(o) => o.add(f),
                None => out.push(f.clone()),
            }
        }
    }
    out
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
            t.counts.add(&SummaryRow {
                first_429_s: r.first_429_s.map(|f| f + p.offset_s),
                ..r.clone()
            });
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

/// The merged timeline's bucket width: the widest shard's.
fn resolution(parts: &[Part<'_>]) -> u64 {
    parts
        .iter()
        .map(|p| p.snapshot.run.resolution())
        .max()
        .unwrap_or(1)
}

fn timeline(parts: &[Part<'_>]) -> Vec<TimelineRow> {
    let width = resolution(parts);
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
            let second = (r.second + shift) / width * width;
            let m = rows.entry((second, op)).or_insert_with(|| TimelineRow {
                second,
                operation: r.operation.clone(),
                ..TimelineRow::default()
            });
            m.add(r);
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
                Some(o) => o.add(r),
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
                Some(o) => o.add(r),
                None => out.push(r.clone()),
            }
        }
    }
    let month_to_date = parts
        .first()
        .and_then(|p| p.snapshot.run.month_to_date_tokens)
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

/// The first shard's facts, with the run-wide ones replaced where the first shard has them:
/// start, duration, sums of the counters, and the shards (`shards`, `shard:I/N` = folder and
/// start).
fn run_facts(parts: &[Part<'_>], run_s: f64) -> RunFacts {
    let Some(first) = parts.first() else {
        return RunFacts::default();
    };
    let f = &first.snapshot.run;
    let facts = || parts.iter().map(|p| &p.snapshot.run);
    let sum = |get: fn(&RunFacts) -> Option<u64>| get(f).map(|_| facts().filter_map(get).sum());
    let mut run = f.clone();
    run.shard = None;
    run.seed = f.seed.map(|seed| f.base_seed.unwrap_or(seed));
    let earliest = parts.iter().map(|p| p.start).min();
    if let (Some(_), Some(t)) = (&f.start, earliest) {
        run.start = Some(humantime::format_rfc3339_nanos(t).to_string());
    }
    run.duration_s = f.duration_s.map(|_| ms_precision(run_s));
    if facts().any(|r| r.timeline_resolution_s.is_some()) {
        run.timeline_resolution_s = Some(resolution(parts));
    }
    let reasons: Vec<&str> = facts().filter_map(|r| r.stop_reason.as_deref()).collect();
    if f.stop_reason.is_some() && reasons.iter().any(|r| Some(r) != reasons.first()) {
        run.stop_reason = Some(reasons.join(","));
    }
    run.planned_arrivals = sum(|r| r.planned_arrivals);
    run.dropped_busy = sum(|r| r.dropped_busy);
    run.dropped_late = sum(|r| r.dropped_late);
    run.dropped_stopping = sum(|r| r.dropped_stopping);
    run.bad_headers = sum(|r| r.bad_headers);
    run.token_requests_sent = sum(|r| r.token_requests_sent);
    run.reach.answered = sum(|r| r.reach.answered);
    run.reach.connection_errors = sum(|r| r.reach.connection_errors);
    run.reach.calls_without_token = sum(|r| r.reach.calls_without_token);
    run.reach.after_last_answer = sum(|r| r.reach.after_last_answer);
    // The target stopped answering for the whole run only if it did for every shard: the last
    // answer any shard got (on the merged clock), the shortest silence after it.
    run.reach.last_answer_s = f.reach.last_answer_s.map(|_| {
        parts
            .iter()
            .filter_map(|p| Some(p.snapshot.run.reach.last_answer_s.flatten()? + p.offset_s))
            .reduce(f64::max)
            .map(ms_precision)
    });
    run.reach.silent_for_s = f.reach.silent_for_s.map(|_| {
        let silent = facts().map(|r| r.reach.silent_for_s.unwrap_or(0.0));
        ms_precision(silent.reduce(f64::min).unwrap_or(0.0))
    });
    run.shards = Some(first.shard.count);
    run.shards_merged = Some(parts.iter().map(|p| p.shard).collect());
    run.shard_folders = parts
        .iter()
        .map(|p| ShardFolder {
            shard: p.shard,
            dir: p.dir.display().to_string(),
            start: p.snapshot.run.start.clone().unwrap_or_default(),
            offset_s: ms_precision(p.offset_s),
        })
        .collect();
    run
}
