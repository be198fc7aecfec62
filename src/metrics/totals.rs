//! Whole-run aggregates of one operation: outcome counters, statuses, and corrected / service /
//! lag histograms (µs, 3 significant figures). Turns into summary, latency and status rows.

use std::collections::BTreeMap;

use hdrhistogram::Histogram;

use super::sample::{Class, Outcome, Sample};
use super::snapshot::{LatencyRow, OperationHistograms, StatusRow, SummaryRow, per_second};
use super::threshold::ALL;
use super::timeline::{ms, new_histogram, record, us};

/// Percentiles written to `latency.csv`.
pub const PERCENTILES: [f64; 7] = [50.0, 75.0, 90.0, 95.0, 99.0, 99.9, 100.0];

/// Aggregates of one operation (or of `ALL`).
#[derive(Clone)]
pub struct Totals {
    /// The counts of the summary row (scheduled … retries, `first_429_s`); its latency fields
    /// stay empty until [`Totals::summary_row`] fills them from the histograms.
    pub counts: SummaryRow,
    /// Retried attempts reported by [`Totals::attempt`]; finished requests' `retries` match
    /// them, requests cancelled at the drain do not (see [`Totals::settle_cancelled`]).
    pub reported_attempts: u64,
    /// status → (final outcomes, attempts)
    pub statuses: BTreeMap<Outcome, (u64, u64)>,
    pub corrected: Histogram<u64>,
    pub service: Histogram<u64>,
    pub lag: Histogram<u64>,
}

impl Default for Totals {
    fn default() -> Self {
        Totals {
            counts: SummaryRow::default(),
            reported_attempts: 0,
            statuses: BTreeMap::new(),
            corrected: new_histogram(),
            service: new_histogram(),
            lag: new_histogram(),
        }
    }
}

impl SummaryRow {
    /// Attempts that went on the wire: `sent + retries` less the attempts whose outcome is a
    /// token failure (`token_*` in statuses.csv: the call itself was never sent). `ALL` counts
    /// every operation's, its `token:<audience>` rows' requests included.
    pub fn wire_attempts(&self, statuses: &[StatusRow]) -> u64 {
        let never_left: u64 = statuses
            .iter()
            .filter(|s| self.operation == ALL || s.operation == self.operation)
            .filter(|s| s.status.starts_with("token_"))
            .map(|s| s.attempts)
            .sum();
        (self.sent + self.retries).saturating_sub(never_left)
    }

    /// Sets `ok_rps` and `wire_rps` from the counts, `statuses` and the run's duration.
    pub fn set_rates(&mut self, statuses: &[StatusRow], duration_s: f64) {
        self.ok_rps = per_second(self.ok, duration_s);
        self.wire_rps = per_second(self.wire_attempts(statuses), duration_s);
    }
}

impl Totals {
    /// Final outcomes counted: ok + 4xx + 429 + 5xx + transport errors.
    pub fn sent(&self) -> u64 {
        let c = &self.counts;
        c.ok + c.status_4xx + c.status_429 + c.status_5xx + c.transport_errors
    }

    /// An arrival that was never sent.
    pub fn drop_one(&mut self) {
        self.counts.dropped += 1;
        self.counts.scheduled += 1;
    }

    /// Counts a final outcome (no latency: used for cancelled requests too).
    pub fn count(&mut self, outcome: Outcome, intended_s: f64) {
        let c = &mut self.counts;
        c.scheduled += 1;
        c.sent += 1;
        match outcome.class() {
            Class::Ok => c.ok += 1,
            Class::Status4xx => c.status_4xx += 1,
            Class::Status429 => {
                c.status_429 += 1;
                if c.first_429_s.is_none_or(|f| intended_s < f) {
                    c.first_429_s = Some(intended_s);
                }
            }
            Class::Status5xx => c.status_5xx += 1,
            Class::Transport => c.transport_errors += 1,
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
        let retries = &mut self.counts.retries;
        *retries += self.reported_attempts.saturating_sub(*retries);
    }

    pub fn record(&mut self, s: &Sample) {
        self.count(s.outcome, s.intended.as_secs_f64());
        self.counts.retries += u64::from(s.retries);
        record(&mut self.corrected, us(s.corrected));
        record(&mut self.service, us(s.service));
        record(&mut self.lag, us(s.lag));
    }

    /// Adds another operation's totals (for `ALL`).
    pub fn absorb(&mut self, o: &Totals) {
        self.counts.add(&o.counts);
        self.reported_attempts += o.reported_attempts;
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

    /// The row: the counts, with sent and scheduled following from the outcomes and drops (so
    /// the row conserves whatever was added), the rate over `duration_s` and the latencies.
    pub fn summary_row(&self, operation: &str, kind: &str, duration_s: f64) -> SummaryRow {
        let q = |h: &Histogram<u64>, p: f64| {
            if h.is_empty() {
                0.0
            } else {
                ms(h.value_at_quantile(p))
            }
        };
        let sent = self.sent();
        let never_left: u64 = (self.statuses.iter())
            .filter(|(o, _)| matches!(o, Outcome::Token(_)))
            .map(|(_, (_, attempts))| attempts)
            .sum();
        let wire = (sent + self.counts.retries).saturating_sub(never_left);
        SummaryRow {
            operation: operation.to_string(),
            kind: kind.to_string(),
            scheduled: sent + self.counts.dropped,
            sent,
            achieved_rps: per_second(sent, duration_s),
            ok_rps: per_second(self.counts.ok, duration_s),
            wire_rps: per_second(wire, duration_s),
            p50_ms: q(&self.corrected, 0.5),
            p90_ms: q(&self.corrected, 0.9),
            p99_ms: q(&self.corrected, 0.99),
            p999_ms: q(&self.corrected, 0.999),
            max_ms: ms(self.corrected.max()),
            service_p99_ms: q(&self.service, 0.99),
            service_p50_ms: q(&self.service, 0.5),
            lag_p99_ms: q(&self.lag, 0.99),
            ..self.counts.clone()
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
