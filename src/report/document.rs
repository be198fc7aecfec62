//! The human-readable report as data: title, verdict, charts, tables and glossary, built from a
//! [`Snapshot`] (and threshold results) alone. The formats (`markdown`, `html`) only lay it out,
//! so both documents always say the same thing.

use super::charts::{self, Chart};
use super::glossary::GLOSSARY;
use super::run_info::RunInfo;
use super::sections;
use super::verdict::{self, Verdict};
use crate::metrics::{Snapshot, ThresholdResult};

pub use super::doc_table::DocTable;

/// Everything a report document shows, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    pub title: String,
    pub subtitle: Option<String>,
    pub verdict: Verdict,
    pub charts: Vec<Chart>,
    pub tables: Vec<DocTable>,
    pub glossary: &'static [(&'static str, &'static str)],
}

/// Builds the document of one run; `thresholds` may be empty ("No thresholds were set").
pub fn build(s: &Snapshot, thresholds: &[ThresholdResult]) -> Document {
    let info = RunInfo::from_snapshot(s);
    let verdict = verdict::judge(s, &info, thresholds);
    let mut tables = vec![sections::operations(s)];
    if !s.flows.is_empty() {
        tables.push(sections::flows(s));
    }
    tables.push(sections::audiences(s));
    if !thresholds.is_empty() {
        tables.push(sections::thresholds(thresholds));
    }
    tables.extend([
        sections::statuses(s),
        sections::latency(s),
        sections::events(s),
        sections::run(s),
    ]);
    Document {
        title: if info.forecast {
            format!("quotaprobe forecast: {}", info.title())
        } else {
            format!("quotaprobe report: {}", info.title())
        },
        subtitle: info.description.clone(),
        charts: charts::all(s, &info),
        verdict,
        tables,
        glossary: GLOSSARY,
    }
}
