//! Reports: a run's [`Snapshot`] written to a report folder (the CSVs, `histograms.hlog`,
//! `report.md`, `report.html` with its `charts/*.svg`, `report.json`, and `thresholds.csv` when
//! there are thresholds), read back from one, and summarised for the terminal.
//!
//! Owns file names, formats and layout; never measures anything (that is [`crate::metrics`]).
//! Every file is written whole (temp file + rename). The documents are rendered from the files'
//! content alone, so `quotaprobe report DIR` reproduces them from a finished folder.
//!
//! Usage by the `run` command:
//! ```text
//! report::check_writable(base)?;                       // before sending anything
//! let dir = report::create_run_dir(base, name, tier, now)?;   // or prepare_out_dir(--out)
//! let results = metrics::threshold::evaluate(...);
//! report::write_all(&dir, &snapshot, &results)?;
//! print!("{}", report::console::render(&snapshot, &dir, &results));
//! ```

pub mod charts;
pub mod ci_summary;
pub mod compare;
pub mod console;
mod doc_table;
pub mod document;
mod error;
mod fsio;
mod glossary;
pub mod hlog;
pub mod html;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod merge;
mod numbers;
pub mod reach;
pub mod run_info;
mod sections;
pub mod summary_json;
pub(crate) mod tables;
pub mod verdict;
pub mod verify;

use std::path::Path;

pub use error::ReportError;
pub use fsio::{check_writable, create_run_dir, prepare_out_dir, run_dir_name};

use crate::metrics::{
    AudienceRow, EventRow, FlowRow, LatencyRow, RunFacts, Snapshot, StatusRow, SummaryRow,
    ThresholdResult, TimelineRow,
};
use tables::RunTable;

/// Names of the files every report folder holds (besides `charts/` and `thresholds.csv`).
pub const FILES: [&str; 11] = [
    "summary.csv",
    "timeline.csv",
    "audiences.csv",
    "statuses.csv",
    "latency.csv",
    "run.csv",
    "events.csv",
    hlog::FILE,
    markdown::FILE,
    html::FILE,
    json::FILE,
];

/// Writes every file of a report folder without thresholds (see [`write_all`]).
pub fn write(dir: &Path, snapshot: &Snapshot) -> Result<(), ReportError> {
    write_all(dir, snapshot, &[])
}

/// Writes every file: the data files, `thresholds.csv` when `thresholds` is not empty, then the
/// documents (whose verdict includes the thresholds). `dir` must exist.
pub fn write_all(
    dir: &Path,
    snapshot: &Snapshot,
    thresholds: &[ThresholdResult],
) -> Result<(), ReportError> {
    write_data(dir, snapshot)?;
    if !thresholds.is_empty() {
        write_thresholds(dir, thresholds)?;
    }
    render(dir, snapshot, thresholds)
}

/// The CSVs and `histograms.hlog`.
fn write_data(dir: &Path, s: &Snapshot) -> Result<(), ReportError> {
    tables::write(dir, &s.summary)?;
    tables::write(dir, &s.timeline)?;
    tables::write(dir, &s.audiences)?;
    tables::write(dir, &s.statuses)?;
    tables::write(dir, &s.latency)?;
    tables::write(dir, &s.events)?;
    if !s.flows.is_empty() {
        tables::write(dir, &s.flows)?;
    }
    let run: Vec<RunTable> = s
        .run
        .to_pairs()
        .into_iter()
        .map(|(key, value)| RunTable { key, value })
        .collect();
    tables::write(dir, &run)?;
    let run_s = run_info::RunInfo::from_snapshot(s).duration_s;
    hlog::write(dir, &s.histograms, run_s)
}

/// Renders `report.md`, `report.html`, `charts/*.svg` and `report.json` from a snapshot.
pub fn render(
    dir: &Path,
    snapshot: &Snapshot,
    thresholds: &[ThresholdResult],
) -> Result<(), ReportError> {
    let doc = document::build(snapshot, thresholds);
    for chart in &doc.charts {
        fsio::write_atomic(dir, &chart.file(), chart.svg.as_bytes())?;
    }
    fsio::write_atomic(dir, markdown::FILE, markdown::render(&doc).as_bytes())?;
    fsio::write_atomic(dir, html::FILE, html::render(&doc).as_bytes())?;
    json::write(dir, &json::build(snapshot, thresholds, &doc))
}

/// Writes `thresholds.csv` (operation, metric, limit, measured, passed, abort).
pub fn write_thresholds(dir: &Path, results: &[ThresholdResult]) -> Result<(), ReportError> {
    tables::write(dir, results)
}

/// Reads `thresholds.csv`; `None` when the run had no thresholds (no file).
pub fn read_thresholds(dir: &Path) -> Result<Option<Vec<ThresholdResult>>, ReportError> {
    if !dir.join("thresholds.csv").is_file() {
        return Ok(None);
    }
    tables::read(dir).map(Some)
}

/// Reads a report folder back into a [`Snapshot`], histograms included. A missing folder or
/// file is an error naming it.
pub fn read(dir: &Path) -> Result<Snapshot, ReportError> {
    if !dir.is_dir() {
        return Err(ReportError::NoFolder {
            path: dir.to_path_buf(),
        });
    }
    let run: Vec<RunTable> = tables::read(dir)?;
    let run = RunFacts::from_pairs(run.into_iter().map(|r| (r.key, r.value)));
    let statuses = tables::read::<StatusRow>(dir)?;
    let mut summary = tables::read::<SummaryRow>(dir)?;
    // A folder written before ok_rps and wire_rps existed: computed as a run computes them.
    for r in summary
        .iter_mut()
        .filter(|r| r.ok_rps.is_nan() || r.wire_rps.is_nan())
    {
        r.set_rates(&statuses, run.duration_s.unwrap_or(0.0));
    }
    Ok(Snapshot {
        run,
        summary,
        timeline: tables::read::<TimelineRow>(dir)?,
        audiences: tables::read::<AudienceRow>(dir)?,
        statuses,
        latency: tables::read::<LatencyRow>(dir)?,
        // events.csv is ours, not the contract's: folders from other writers may lack it.
        events: if dir.join(<EventRow as tables::Table>::FILE).is_file() {
            tables::read::<EventRow>(dir)?
        } else {
            Vec::new()
        },
        histograms: hlog::read(dir)?,
        // Only a scenario with flows writes flows.csv.
        flows: if dir.join(<FlowRow as tables::Table>::FILE).is_file() {
            tables::read::<FlowRow>(dir)?
        } else {
            Vec::new()
        },
    })
}
