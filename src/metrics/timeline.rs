//! The timeline: counts, latency percentiles and rate-limit headers per time bucket ×
//! operation, by intended start. A bucket is one second for short runs and wider for long ones
//! ([`resolution_for`]: the width is `run.csv`'s `timeline_resolution_s`); a row's `second` is
//! the first second of its bucket. Only buckets that may still receive samples stay open (with a
//! small histogram per operation); a bucket closes into [`TimelineRow`]s once the scheduler has
//! passed it and none of its requests are still in flight, and the closed rows number at most
//! a few thousand per operation whatever the run's length, so memory stays flat.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use super::sample::{Class, DropReason, Outcome, Sample};
use super::snapshot::TimelineRow;

pub(crate) fn new_histogram() -> Histogram<u64> {
    // Auto-resizing, 3 significant figures; cannot fail for sigfig 3.
    Histogram::new(3).unwrap_or_else(|_| unreachable_histogram())
}

#[allow(clippy::unwrap_used)]
fn unreachable_histogram() -> Histogram<u64> {
    // `Histogram::new(3)` only fails for sigfig > 5; this path is never taken.
    Histogram::new_with_bounds(1, 2, 0).unwrap()
}

/// Records a value, growing the (auto-resizing) histogram as needed; `saturating_record` would
/// clamp to the current range instead of growing.
pub(crate) fn record(h: &mut Histogram<u64>, value: u64) {
    if h.record(value).is_err() {
        h.saturating_record(value);
    }
}

pub(crate) fn us(d: std::time::Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

pub(crate) fn ms(value_us: u64) -> f64 {
    value_us as f64 / 1000.0
}

/// Timeline bucket width in seconds for a run planned to last `planned`: 1 s up to an hour,
/// 1 min up to two days, 1 h beyond (docs/reports.md "timeline.csv"). At most 3,600 rows
/// (1 h per second), 2,880 (2 days per minute) or 24 a day per operation.
pub fn resolution_for(planned: std::time::Duration) -> u64 {
    const HOUR: u64 = 3_600;
    match planned.as_secs() {
        s if s <= HOUR => 1,
        s if s <= 48 * HOUR => 60,
        _ => HOUR,
    }
}

#[derive(Default)]
struct OpSecond {
    in_flight: u64,
    sent: u64,
    dropped: u64,
    ok: u64,
    status_429: u64,
    errors: u64,
    hist: Option<Histogram<u64>>,
    max_us: u64,
    limit: Option<u64>,
    remaining_min: Option<u64>,
    reset_in_s: Option<f64>,
}

impl OpSecond {
    fn touched(&self) -> bool {
        self.sent + self.dropped + self.in_flight > 0
    }

    fn count(&mut self, outcome: Outcome) {
        self.sent += 1;
        match outcome.class() {
            Class::Ok => self.ok += 1,
            Class::Status429 => self.status_429 += 1,
            _ => self.errors += 1,
        }
    }
}

/// Open buckets and the rows of closed ones. Buckets are keyed by their first second; every
/// `second` the methods take is a second of the run, mapped to its bucket here.
pub struct Timeline {
    names: Vec<String>,
    /// Bucket width, seconds (1 unless [`Timeline::with_resolution`] said otherwise).
    width: u64,
    open: BTreeMap<u64, Vec<OpSecond>>,
    rows: Vec<TimelineRow>,
    /// (second, op) → index in `rows`, for the rare sample that completes after its second closed.
    closed: BTreeMap<(u64, usize), usize>,
    /// Seconds below this are fully scheduled.
    watermark: u64,
    /// Seconds below this are closed.
    closed_before: u64,
}

impl Timeline {
    pub fn new(names: Vec<String>) -> Self {
        Timeline {
            names,
            width: 1,
            open: BTreeMap::new(),
            rows: Vec::new(),
            closed: BTreeMap::new(),
            watermark: 0,
            closed_before: 0,
        }
    }

    /// Buckets `width_s` seconds wide (at least 1).
    pub fn with_resolution(mut self, width_s: u64) -> Self {
        self.width = width_s.max(1);
        self
    }

    pub fn resolution(&self) -> u64 {
        self.width
    }

    /// The first second of the bucket holding `second`.
    fn bucket(&self, second: u64) -> u64 {
        second - second % self.width
    }

    fn slot(&mut self, second: u64, op: usize) -> Option<&mut OpSecond> {
        let second = self.bucket(second);
        // Buckets close in order, so everything below `closed_before` is closed.
        if second < self.closed_before {
            return None;
        }
        let n = self.names.len();
        let ops = self
            .open
            .entry(second)
            .or_insert_with(|| (0..n).map(|_| OpSecond::default()).collect());
        ops.get_mut(op)
    }

    pub fn dispatched(&mut self, op: usize, second: u64) {
        if let Some(s) = self.slot(second, op) {
            s.in_flight += 1;
        }
    }

    pub fn dropped(&mut self, op: usize, second: u64, _reason: DropReason, was_dispatched: bool) {
        match self.slot(second, op) {
            Some(s) => {
                s.dropped += 1;
                if was_dispatched {
                    s.in_flight = s.in_flight.saturating_sub(1);
                }
            }
            None => self.patch_closed(second, op, |r| {
                r.scheduled += 1;
                r.dropped += 1;
            }),
        }
        self.close_ready();
    }

    /// `dispatched`: the request was announced with [`Timeline::dispatched`] first.
    pub fn record(&mut self, sample: &Sample, second: u64, was_dispatched: bool) {
        let value = us(sample.corrected);
        match self.slot(second, sample.op) {
            Some(s) => {
                if was_dispatched {
                    s.in_flight = s.in_flight.saturating_sub(1);
                }
                s.count(sample.outcome);
                record(s.hist.get_or_insert_with(new_histogram), value);
                s.max_us = s.max_us.max(value);
                if let Some(l) = sample.rate.limit {
                    s.limit = Some(l);
                }
                if let Some(r) = sample.rate.remaining {
                    s.remaining_min = Some(s.remaining_min.map_or(r, |m| m.min(r)));
                }
                if let Some(r) = sample.rate.reset_in_s {
                    s.reset_in_s = Some(r);
                }
            }
            None => {
                let outcome = sample.outcome;
                self.patch_closed(second, sample.op, |r| {
                    r.scheduled += 1;
                    r.sent += 1;
                    match outcome.class() {
                        Class::Ok => r.ok += 1,
                        Class::Status429 => r.status_429 += 1,
                        _ => r.errors += 1,
                    }
                    r.max_ms = r.max_ms.max(ms(value));
                });
            }
        }
        self.close_ready();
    }

    fn patch_closed(&mut self, second: u64, op: usize, f: impl FnOnce(&mut TimelineRow)) {
        let second = self.bucket(second);
        if let Some(&i) = self.closed.get(&(second, op))
            && let Some(row) = self.rows.get_mut(i)
        {
            f(row);
            return;
        }
        let mut row = TimelineRow {
            second,
            operation: self.names.get(op).cloned().unwrap_or_default(),
            ..TimelineRow::default()
        };
        f(&mut row);
        self.closed.insert((second, op), self.rows.len());
        self.rows.push(row);
    }

    /// The scheduler has handled every arrival before `second` (so buckets ending at or
    /// before it are complete).
    pub fn advance(&mut self, second: u64) {
        self.watermark = self.watermark.max(second);
        self.close_ready();
    }

    fn close_ready(&mut self) {
        while let Some((&second, ops)) = self.open.first_key_value() {
            let busy = ops.iter().any(|o| o.in_flight > 0);
            if second + self.width > self.watermark || busy {
                break;
            }
            self.close_first();
        }
    }

    fn close_first(&mut self) {
        let Some((second, ops)) = self.open.pop_first() else {
            return;
        };
        self.closed_before = self.closed_before.max(second + self.width);
        for (op, s) in ops.into_iter().enumerate() {
            if !s.touched() {
                continue;
            }
            let (p50, p99) = s.hist.as_ref().map_or((0.0, 0.0), |h| {
                (ms(h.value_at_quantile(0.5)), ms(h.value_at_quantile(0.99)))
            });
            self.closed.insert((second, op), self.rows.len());
            self.rows.push(TimelineRow {
                second,
                operation: self.names.get(op).cloned().unwrap_or_default(),
                scheduled: s.sent + s.dropped,
                sent: s.sent,
                dropped: s.dropped,
                ok: s.ok,
                status_429: s.status_429,
                errors: s.errors,
                p50_ms: p50,
                p99_ms: p99,
                max_ms: ms(s.max_us),
                ratelimit_limit: s.limit,
                ratelimit_remaining_min: s.remaining_min,
                ratelimit_reset_in_s: s.reset_in_s,
            });
        }
    }

    /// Requests still in flight, per (second, op): the caller counts them as cancelled.
    pub fn unfinished(&self) -> Vec<(u64, usize, u64)> {
        let mut out = Vec::new();
        for (&second, ops) in &self.open {
            for (op, s) in ops.iter().enumerate() {
                if s.in_flight > 0 {
                    out.push((second, op, s.in_flight));
                }
            }
        }
        out
    }

    /// Closes every second and returns all rows, ordered by second then operation.
    pub fn finish(mut self) -> Vec<TimelineRow> {
        while !self.open.is_empty() {
            self.close_first();
        }
        let mut rows = self.rows;
        let order: std::collections::HashMap<&str, usize> = self
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.as_str(), i))
            .collect();
        rows.sort_by_key(|r| (r.second, order.get(r.operation.as_str()).copied()));
        rows
    }

    /// Number of buckets currently open (for the memory-stays-flat test).
    pub fn open_seconds(&self) -> usize {
        self.open.len()
    }
}
