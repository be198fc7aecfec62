//! The report's charts as standalone SVG documents, built from a [`Snapshot`] alone: requests
//! per second by outcome, corrected latency, rate-limit headroom (all three with event
//! markers) and M2M tokens per audience against the quota. `report.html` inlines them;
//! `report.md` links the same files under `charts/`.

pub(crate) mod axis;
mod quota;
pub(crate) mod svg;
mod time;

pub use svg::esc;

use super::run_info::RunInfo;
use crate::metrics::Snapshot;
use crate::metrics::threshold::ALL;

/// One chart: where it is saved, what it shows, how to read it.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// File stem under `charts/` and HTML anchor.
    pub id: &'static str,
    pub title: String,
    /// One line under the chart: how to read it.
    pub explain: String,
    /// A complete `<svg>` element.
    pub svg: String,
}

impl Chart {
    /// Path of the chart's file inside the report folder.
    pub fn file(&self) -> String {
        format!("charts/{}.svg", self.id)
    }
}

/// Every chart, in reading order.
pub fn all(s: &Snapshot, info: &RunInfo) -> Vec<Chart> {
    let view = TimeView::new(s, info);
    vec![
        time::requests(s, &view),
        time::latency(s, &view),
        time::ratelimit(s, &view),
        quota::tokens(s, info),
    ]
}

/// Outcome colours, shared by the charts and the HTML tables.
pub const OK: &str = "#2e7d32";
pub const RATE_LIMITED: &str = "#ef6c00";
pub const ERROR: &str = "#c62828";
pub const DROPPED: &str = "#9e9e9e";
const PALETTE: [&str; 8] = [
    "#1565c0", "#00897b", "#8e24aa", "#6d4c41", "#d81b60", "#3949ab", "#7cb342", "#f9a825",
];

/// A colour per operation, stable across charts.
pub fn op_color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// Most bars or points a time chart draws; longer runs are grouped into buckets of several
/// seconds (a whole number of timeline rows), so a two-hour run's page stays small.
const MAX_BUCKETS: u64 = 600;

/// What the time charts share: the run's length, bucketing, operation order and event markers.
pub struct TimeView {
    pub seconds: u64,
    /// Seconds per bar or point: 1 unless the run is longer than `MAX_BUCKETS` seconds, and
    /// always a multiple of the timeline's resolution (`run.csv` `timeline_resolution_s`).
    pub bucket_s: u64,
    /// The x axis's unit: (seconds per unit, plural name), from [`axis::time_unit`].
    pub unit: (u64, &'static str),
    pub operations: Vec<String>,
    pub events: Vec<(f64, String)>,
}

impl TimeView {
    fn new(s: &Snapshot, info: &RunInfo) -> TimeView {
        let resolution = s.run.resolution();
        let last = s
            .timeline
            .iter()
            .map(|r| r.second + resolution)
            .max()
            .unwrap_or(0);
        // 15.001 s is a 15-second run plus timer noise, not 16 seconds of chart.
        let seconds = last.max((info.duration_s - 0.01).ceil() as u64).max(1);
        let mut operations: Vec<String> = s
            .summary
            .iter()
            .filter(|r| r.operation != ALL)
            .map(|r| r.operation.clone())
            .collect();
        for r in &s.timeline {
            if !operations.contains(&r.operation) {
                operations.push(r.operation.clone());
            }
        }
        let events = s
            .events
            .iter()
            .map(|e| {
                let detail = if e.detail.is_empty() {
                    String::new()
                } else {
                    format!(" {}", e.detail)
                };
                (
                    e.at_s,
                    format!("{} s: {}{detail}", short_seconds(e.at_s), e.action),
                )
            })
            .collect();
        TimeView {
            seconds,
            bucket_s: seconds.div_ceil(MAX_BUCKETS).div_ceil(resolution).max(1) * resolution,
            unit: axis::time_unit(seconds),
            operations,
            events,
        }
    }

    /// Number of buckets covering the run.
    pub fn buckets(&self) -> usize {
        self.seconds.div_ceil(self.bucket_s) as usize
    }

    /// The sentence appended to a chart's explanation when seconds are grouped.
    pub fn bucket_note(&self, how: &str) -> String {
        if self.bucket_s == 1 {
            String::new()
        } else {
            format!(
                " This run is long: each bar or point covers {} ({how}).",
                axis::span(self.bucket_s)
            )
        }
    }

    /// The x axis's label, in its unit.
    pub fn x_label(&self) -> String {
        format!(
            "{} since the run started (by intended start of each request)",
            self.unit.1
        )
    }
}

/// 5 → "5", 14.5 → "14.5".
fn short_seconds(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}
