//! The narrow tables: `statuses.csv`, `latency.csv`, `events.csv`, `run.csv` (key/value) and
//! `thresholds.csv`.

use super::{Record, Table, fixed3};
use crate::metrics::threshold::metric_from_key;
use crate::metrics::{EventRow, FlowRow, LatencyRow, StatusRow, ThresholdResult};

impl Table for StatusRow {
    const FILE: &'static str = "statuses.csv";
    const COLUMNS: &'static [&'static str] = &["operation", "status", "count", "attempts"];

    fn to_record(&self) -> Vec<String> {
        vec![
            self.operation.clone(),
            self.status.clone(),
            self.count.to_string(),
            self.attempts.to_string(),
        ]
    }

    fn from_record(r: &Record) -> Result<Self, String> {
        Ok(StatusRow {
            operation: r.text("operation")?,
            status: r.text("status")?,
            count: r.u64("count")?,
            attempts: r.u64("attempts")?,
        })
    }
}

impl Table for LatencyRow {
    const FILE: &'static str = "latency.csv";
    const COLUMNS: &'static [&'static str] =
        &["operation", "percentile", "corrected_ms", "service_ms"];

    fn to_record(&self) -> Vec<String> {
        vec![
            self.operation.clone(),
            // A percentile is a label (50, 99.9), not a measurement: shortest exact form.
            self.percentile.to_string(),
            fixed3(self.corrected_ms),
            fixed3(self.service_ms),
        ]
    }

    fn from_record(r: &Record) -> Result<Self, String> {
        Ok(LatencyRow {
            operation: r.text("operation")?,
            percentile: r.f64("percentile")?,
            corrected_ms: r.f64("corrected_ms")?,
            service_ms: r.f64("service_ms")?,
        })
    }
}

impl Table for EventRow {
    const FILE: &'static str = "events.csv";
    const COLUMNS: &'static [&'static str] = &["at_s", "action", "detail", "outcome"];

    fn to_record(&self) -> Vec<String> {
        vec![
            fixed3(self.at_s),
            self.action.clone(),
            self.detail.clone(),
            self.outcome.clone(),
        ]
    }

    fn from_record(r: &Record) -> Result<Self, String> {
        Ok(EventRow {
            at_s: r.f64("at_s")?,
            action: r.text("action")?,
            detail: r.text("detail")?,
            outcome: r.text("outcome")?,
        })
    }
}

impl Table for FlowRow {
    const FILE: &'static str = "flows.csv";
    const COLUMNS: &'static [&'static str] = &[
        "flow",
        "steps",
        "scheduled",
        "dropped",
        "completed",
        "failed",
        "capture_failed",
        "stopped",
        "mean_ms",
    ];

    fn to_record(&self) -> Vec<String> {
        vec![
            self.flow.clone(),
            self.steps.to_string(),
            self.scheduled.to_string(),
            self.dropped.to_string(),
            self.completed.to_string(),
            self.failed.to_string(),
            self.capture_failed.to_string(),
            self.stopped.to_string(),
            fixed3(self.mean_ms),
        ]
    }

    fn from_record(r: &Record) -> Result<Self, String> {
        Ok(FlowRow {
            flow: r.text("flow")?,
            steps: r.u64("steps")?,
            scheduled: r.u64("scheduled")?,
            dropped: r.u64("dropped")?,
            completed: r.u64("completed")?,
            failed: r.u64("failed")?,
            capture_failed: r.u64("capture_failed")?,
            stopped: r.u64("stopped")?,
            mean_ms: r.f64("mean_ms")?,
        })
    }
}

/// One `run.csv` line.
#[derive(Debug, Clone, PartialEq)]
pub struct RunTable {
    pub key: String,
    pub value: String,
}

impl Table for RunTable {
    const FILE: &'static str = "run.csv";
    const COLUMNS: &'static [&'static str] = &["key", "value"];

    fn to_record(&self) -> Vec<String> {
        vec![self.key.clone(), self.value.clone()]
    }

    fn from_record(r: &Record) -> Result<Self, String> {
        Ok(RunTable {
            key: r.text("key")?,
            value: r.text("value")?,
        })
    }
}

/// `thresholds.csv`: one [`ThresholdResult`] per line.
impl Table for ThresholdResult {
    const FILE: &'static str = "thresholds.csv";
    const COLUMNS: &'static [&'static str] = &[
        "operation",
        "metric",
        "limit",
        "measured",
        "passed",
        "abort",
    ];

    fn to_record(&self) -> Vec<String> {
        vec![
            self.operation.clone(),
            self.metric.key().to_string(),
            // Limits and ratios keep every digit the scenario gave (0.005 stays 0.005).
            self.limit.to_string(),
            self.measured.map(|v| v.to_string()).unwrap_or_default(),
            self.passed.to_string(),
            self.abort.to_string(),
        ]
    }

    fn from_record(r: &Record) -> Result<Self, String> {
        let key = r.text("metric")?;
        let metric = metric_from_key(&key).ok_or_else(|| format!("metric {key:?} is unknown"))?;
        let abort = r.text_or_empty("abort") == "true";
        Ok(ThresholdResult {
            operation: r.text("operation")?,
            metric,
            limit: r.f64("limit")?,
            measured: r.opt_f64("measured")?,
            passed: r.bool("passed")?,
            abort,
        })
    }
}
