//! The one owner of a run's aggregates. The engine feeds it announcements (dispatched, dropped),
//! intermediate attempts and finished [`Sample`]s in order over a channel; it keeps counters and
//! histograms per operation, the per-second timeline and the per-audience token counts, and turns
//! them into a [`Snapshot`]. No locks: nothing else touches these aggregates.

use std::time::Duration;

use super::audience::{Audiences, QuotaContext};
use super::flows::{FlowEnd, Flows};
use super::observed::{self, Observed};
use super::reach::Reach;
use super::sample::{DropReason, Outcome, Sample, TransportKind};
use super::snapshot::{AudienceRow, Snapshot, SummaryRow};
use super::timeline::{Timeline, ms};
use super::totals::Totals;

/// An operation as the recorder knows it.
#[derive(Debug, Clone, PartialEq)]
pub struct OpMeta {
    pub name: String,
    /// token | management | http
    pub kind: String,
    /// For token requests: the audience they count under in `audiences.csv`.
    pub audience: Option<String>,
    /// Added by the engine (token fetches behind API calls): shown only when used.
    pub synthetic: bool,
}

/// Drops by reason, for `run.csv`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DropCounts {
    pub busy: u64,
    pub late: u64,
    pub stopping: u64,
}

/// Live figures for the progress bar.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct LiveStats {
    pub sent: u64,
    pub ok: u64,
    pub status_429: u64,
    /// Final outcomes neither ok nor 429 (other 4xx, 5xx, transport errors).
    pub errors: u64,
    pub dropped: u64,
    pub p99_ms: f64,
}

pub struct Recorder {
    ops: Vec<OpMeta>,
    totals: Vec<Totals>,
    timeline: Timeline,
    audiences: Audiences,
    drops: DropCounts,
    bad_headers: u64,
    reach: Reach,
    flows: Flows,
    observed: Observed,
}

fn second_of(intended: Duration) -> u64 {
    intended.as_secs()
}

impl Recorder {
    pub fn new(ops: Vec<OpMeta>, management_audience: &str) -> Self {
        let names = ops.iter().map(|o| o.name.clone()).collect();
        Recorder {
            totals: ops.iter().map(|_| Totals::default()).collect(),
            ops,
            timeline: Timeline::new(names),
            audiences: Audiences::new(management_audience),
            drops: DropCounts::default(),
            bad_headers: 0,
            reach: Reach::default(),
            flows: Flows::default(),
            observed: Observed::default(),
        }
    }

    /// Timeline buckets `width_s` seconds wide (see [`super::timeline::resolution_for`]).
    pub fn with_resolution(mut self, width_s: u64) -> Self {
        self.timeline = self.timeline.with_resolution(width_s);
        self
    }

    /// The timeline's bucket width, seconds (`run.csv` `timeline_resolution_s`).
    pub fn resolution(&self) -> u64 {
        self.timeline.resolution()
    }

    /// The scenario's flows: (name, number of steps), by plan flow index.
    pub fn with_flows(mut self, flows: Vec<(String, u64)>) -> Self {
        self.flows = Flows::new(flows);
        self
    }

    pub fn flow_scheduled(&mut self, flow: usize) {
        self.flows.scheduled(flow);
    }

    pub fn flow_ended(&mut self, flow: usize, end: FlowEnd, took: Duration) {
        self.flows.ended(flow, end, took);
    }

    pub fn ops(&self) -> &[OpMeta] {
        &self.ops
    }

    /// A request is on its way; its second stays open until it completes.
    pub fn dispatched(&mut self, op: usize, intended: Duration) {
        self.timeline.dispatched(op, second_of(intended));
    }

    pub fn dropped(
        &mut self,
        op: usize,
        intended: Duration,
        reason: DropReason,
        was_dispatched: bool,
    ) {
        let Some(t) = self.totals.get_mut(op) else {
            return;
        };
        t.drop_one();
        match reason {
            DropReason::Busy => self.drops.busy += 1,
            DropReason::Late => self.drops.late += 1,
            DropReason::Stopping => self.drops.stopping += 1,
        }
        self.timeline
            .dropped(op, second_of(intended), reason, was_dispatched);
    }

    /// A response (or error) that was retried: counted in `attempts` only.
    pub fn attempt(&mut self, op: usize, outcome: Outcome, bad_headers: u32) {
        self.bad_headers += u64::from(bad_headers);
        if let Some(t) = self.totals.get_mut(op) {
            t.attempt(outcome);
        }
    }

    /// A finished request (after all retries).
    /// A token the cache will reuse, refreshed every `refresh_every` (see [`Audiences::cached`]).
    pub fn cached_token(&mut self, audience: &str, key: &str, refresh_every: Duration) {
        self.audiences.cached(audience, key, refresh_every);
    }

    pub fn record(&mut self, sample: &Sample, was_dispatched: bool) {
        let Some(t) = self.totals.get_mut(sample.op) else {
            return;
        };
        self.bad_headers += u64::from(sample.bad_headers);
        t.record(sample);
        self.reach
            .record(sample.outcome, sample.intended + sample.corrected);
        if let Some(aud) = self.ops.get(sample.op).and_then(|o| o.audience.as_deref()) {
            // A token request that was never sent (token_* outcomes do not apply to token ops).
            self.audiences.record(aud, sample.outcome);
        }
        self.observed.record(sample);
        self.timeline
            .record(sample, second_of(sample.intended), was_dispatched);
    }

    /// A token request of `op` was refused by the monthly quota (see [`Observed`]).
    pub fn quota_refused(&mut self, op: usize, at: Duration) {
        self.observed.quota_refused(op, at);
    }

    /// What the run saw of the quota and when its work finished.
    pub fn observed(&self) -> observed::Facts {
        let names: Vec<String> = self.ops.iter().map(|o| o.name.clone()).collect();
        self.observed.facts(&names)
    }

    /// The scheduler has handled every arrival intended before `second`.
    pub fn advance(&mut self, second: u64) {
        self.timeline.advance(second);
    }

    pub fn drops(&self) -> DropCounts {
        self.drops
    }

    pub fn bad_headers(&self) -> u64 {
        self.bad_headers
    }

    /// Whether the target answered, as `run.csv` facts (see [`super::reach`]).
    pub fn reach(&self) -> &Reach {
        &self.reach
    }

    pub fn open_seconds(&self) -> usize {
        self.timeline.open_seconds()
    }

    pub fn live(&self) -> LiveStats {
        let mut all = LiveStats::default();
        let mut p99 = 0u64;
        for t in &self.totals {
            all.sent += t.sent();
            all.ok += t.counts.ok;
            all.status_429 += t.counts.status_429;
            all.errors += t.counts.status_4xx + t.counts.status_5xx + t.counts.transport_errors;
            all.dropped += t.counts.dropped;
            if !t.corrected.is_empty() {
                p99 = p99.max(t.corrected.value_at_quantile(0.99));
            }
        }
        all.p99_ms = ms(p99);
        all
    }

    fn shown(&self, op: usize) -> bool {
        let used = self
            .totals
            .get(op)
            .is_some_and(|t| t.sent() + t.counts.dropped > 0);
        self.ops.get(op).is_some_and(|o| !o.synthetic || used)
    }

    fn all(&self) -> Totals {
        let mut all = Totals::default();
        for t in &self.totals {
            all.absorb(t);
        }
        all
    }

    /// Summary rows (operations, then `ALL`) as of now.
    pub fn summary(&self, duration_s: f64) -> Vec<SummaryRow> {
        let mut rows: Vec<SummaryRow> = (0..self.ops.len())
            .filter(|&i| self.shown(i))
            .filter_map(|i| {
                let (o, t) = (self.ops.get(i)?, self.totals.get(i)?);
                Some(t.summary_row(&o.name, &o.kind, duration_s))
            })
            .collect();
        rows.push(self.all().summary_row("ALL", "all", duration_s));
        rows
    }

    pub fn audience_rows(&self, q: QuotaContext) -> Vec<AudienceRow> {
        self.audiences.rows(q)
    }

    /// Counts whatever is still in flight as `cancelled` and builds the snapshot
    /// (`run` is left empty for the engine to fill).
    pub fn finish(mut self, duration: Duration, quota: QuotaContext) -> Snapshot {
        for (second, op, n) in self.timeline.unfinished() {
            for _ in 0..n {
                let sample = Sample {
                    op,
                    intended: Duration::from_secs(second),
                    lag: Duration::ZERO,
                    corrected: Duration::ZERO,
                    service: Duration::ZERO,
                    outcome: Outcome::Transport(TransportKind::Cancelled),
                    retries: 0,
                    rate: Default::default(),
                    bad_headers: 0,
                };
                // Counted, but kept out of the latency histograms: their latency is unknown.
                if let Some(t) = self.totals.get_mut(op) {
                    t.count(sample.outcome, second as f64);
                }
                if let Some(aud) = self.ops.get(op).and_then(|o| o.audience.as_deref()) {
                    self.audiences.record(aud, sample.outcome);
                }
                self.timeline.record(&sample, second, true);
            }
        }
        for t in &mut self.totals {
            t.settle_cancelled();
        }
        let duration_s = duration.as_secs_f64();
        let summary = self.summary(duration_s);
        let audiences = self.audience_rows(QuotaContext {
            run_s: duration_s,
            ..quota
        });
        let mut statuses = Vec::new();
        let mut latency = Vec::new();
        let mut histograms = Vec::new();
        for i in (0..self.ops.len()).filter(|&i| self.shown(i)) {
            if let (Some(o), Some(t)) = (self.ops.get(i), self.totals.get(i)) {
                statuses.extend(t.status_rows(&o.name));
                latency.extend(t.latency_rows(&o.name));
                histograms.push(t.histograms(&o.name));
            }
        }
        latency.extend(self.all().latency_rows("ALL"));
        Snapshot {
            run: Default::default(),
            summary,
            timeline: self.timeline.finish(),
            audiences,
            statuses,
            latency,
            events: Vec::new(),
            histograms,
            flows: self.flows.finish(),
        }
    }
}

#[cfg(test)]
#[path = "recorder_tests.rs"]
mod tests;
