//! Whole-run aggregates of one operation: outcome counters, statuses, and corrected / service /
//! lag histograms (µs, 3 significant figures). Turns into summary, latency and status rows.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use super::sample::{Class, Outcome, Sample};
use super::snapshot::{LatencyRow, OperationHistograms, StatusRow, SummaryRow};
use super::timeline::{ms, new_histogram, record, us};

/// Percentiles written to `latency.csv`.
pub const PERCENTILES: [f64; 7] = [50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 100.0];

/// Aggregates of one operation (or of `ALL`).
#[derive(Clone)]
pub struct Totals {
    pub dropped: u64,
    pub ok: u64,
    pub status_4xx: u64,
    pub status_429: u64,
    pub status_5xx: u64,
    pub transport_errors: u64,
    pub retries: u64,
    /// Retried attempts reported by [`Totals::attempt`]; finished requests' `retries` match
    /// them, requests cancelled at the drain do not (see [`Totals::settle_cancelled`]).
    pub reported_attempts: u64,
    pub first_429_s: Option<f64>,
    /// status → (final outcomes, attempts)
    pub statuses: BTreeMap<Outcome, (u64, u64)>,
    pub corrected: Histogram<u64>,
    pub service: Histogram<u64>,
    pub lag: Histogram<u64>,
}

impl Default for Totals {
    fn default() -> Self {
        Totals {
            dropped: 0,
            ok: 0,
            status_4xx: 0,
            status_429: 0,
            status_5xx: 0,
            transport_errors: 0,
            retries: 0,
            reported_attempts: 0,
            first_429_s: None,
            statuses: BTreeMap::new(),
            corrected: new_histogram(),
            service: new_histogram(),
            lag: new_histogram(),
        }
    }
}

impl Totals {
    pub fn sent(&self) -> u64 {
        self.ok + self.status_4xx + self.status_429 + self.status_5xx + self.transport_errors
    }

    /// Counts a final outcome (no latency: used for cancelled requests too).
    pub fn count(&mut self, outcome: Outcome, intended_s: f64) {
        match outcome.class() {
            Class::Ok => self.ok += 1,
            Class::Status4xx => self.status_4xx += 1,
            Class::Status429 => {
                self.status_429 += 1;
                if self.first_429_s.is_none_or(|f| intended_s < f) {
                    self.first_429_s = Some(intended_s);
                }
            }
            Class::Status5xx => self.status_5xx += 1,
            Class::Transport => self.transport_errors += 1,
        }
        let e = self.statuses.entry(outcome).or_default();
        e.0 += 1;
        e.1 += 1;
    }

    /// An attempt that was retried: it shows in `attempts` only.
    pub fn attempt(&mut self, outcome: Outcome) {
        self.statuses.entry(outcome).or_default().1 += 1;
        self.reported_attempts += 1;
    }

    /// A request cancelled at the drain after k retried attempts had been reported counts those
    /// k as its retries (its sample, made by the recorder, cannot know them), so that attempts
    /// = sent + retries still holds. Called once, when the run is finished.
    pub fn settle_cancelled(&mut self) {
        self.retries += self.reported_attempts.saturating_sub(self.retries);
    }

    pub fn record(&mut self, s: &Sample) {
        self.count(s.outcome, s.intended.as_secs_f64());
        self.retries += u64::from(s.retries);
        record(&mut self.corrected, us(s.corrected));
        record(&mut self.service, us(s.service));
        record(&mut self.lag, us(s.lag));
    }

    /// Adds another operation's totals (for `ALL`).
    pub fn absorb(&mut self, o: &Totals) {
        self.dropped += o.dropped;
        self.ok += o.ok;
        self.status_4xx += o.status_4xx;
        self.status_429 += o.status_429;
        self.status_5xx += o.status_5xx;
        self.transport_errors += o.transport_errors;
        self.retries += o.retries;
        self.reported_attempts += o.reported_attempts;
        self.first_429_s = match (self.first_429_s, o.first_429_s) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        for (k, v) in &o.statuses {
            let e = self.statuses.entry(*k).or_default();
            e.0 += v.0;
            e.1 += v.1;
        }
        // Both auto-resize, so adding cannot fail on range.
        let _ = self.corrected.add(&o.corrected);
        let _ = self.service.add(&o.service);
        let _ = self.lag.add(&o.lag);
    }

    pub fn summary_row(&self, operation: &str, kind: &str, duration_s: f64) -> SummaryRow {
        let q = |h: &Histogram<u64>, p: f64| {
            if h.is_empty() {
                0.0
            } else {
                ms(h.value_at_quantile(p))
            }
        };
        let sent = self.sent();
        SummaryRow {
            operation: operation.to_string(),
            kind: kind.to_string(),
            scheduled: sent + self.dropped,
            sent,
            dropped: self.dropped,
            ok: self.ok,
            status_4xx: self.status_4xx,
            status_429: self.status_429,
            status_5xx: self.status_5xx,
            transport_errors: self.transport_errors,
            retries: self.retries,
            achieved_rps: if duration_s > 0.0 {
                sent as f64 / duration_s
            } else {
                0.0
            },
            p50_ms: q(&self.corrected, 0.5),
            p90_ms: q(&self.corrected, 0.9),
            p99_ms: q(&self.corrected, 0.99),
            p999_ms: q(&self.corrected, 0.999),
            max_ms: ms(self.corrected.max()),
            service_p99_ms: q(&self.service, 0.99),
            first_429_s: self.first_429_s,
            service_p50_ms: q(&self.service, 0.5),
            lag_p99_ms: q(&self.lag, 0.99),
        }
    }

    pub fn latency_rows(&self, operation: &str) -> Vec<LatencyRow> {
        PERCENTILES
            .iter()
            .map(|&p| {
                let at = |h: &Histogram<u64>| {
                    if h.is_empty() {
                        0.0
                    } else if p >= 100.0 {
                        ms(h.max())
                    } else {
                        ms(h.value_at_percentile(p))
                    }
                };
                LatencyRow {
                    operation: operation.to_string(),
                    percentile: p,
                    corrected_ms: at(&self.corrected),
                    service_ms: at(&self.service),
                }
            })
            .collect()
    }

    pub fn status_rows(&self, operation: &str) -> Vec<StatusRow> {
        self.statuses
            .iter()
            .map(|(outcome, &(count, attempts))| StatusRow {
                operation: operation.to_string(),
                status: outcome.to_string(),
                count,
                attempts,
            })
            .collect()
    }

    pub fn histograms(&self, operation: &str) -> OperationHistograms {
        OperationHistograms {
            operation: operation.to_string(),
            corrected_us: self.corrected.clone(),
            service_us: self.service.clone(),
        }
    }
}
