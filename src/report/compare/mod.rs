//! Comparisons: one scenario on several tiers, or finished runs against a baseline. Owns the
//! comparison files (`comparison.csv`, `comparison.md`, `comparison.html` with `charts/*.svg`),
//! the fit verdict across tiers, deltas and `--fail-if` rules. Runs nothing (the CLI runs the
//! tiers) and reads runs only as [`Snapshot`](crate::metrics::Snapshot)s.
//!
//! `comparison.csv`, tiers mode: one row per tier × operation, then per tier one row per
//! audience that counts toward the M2M quota (`quota:<audience>`) and `quota:ALL` (all of them).
//! Operation rows fill the request columns and leave the quota columns empty; quota rows the
//! other way round. Operation and audience names are normalised ([`normalize`]: every
//! `…/api/v2/` audience is "Management API").
//!
//! | column | meaning |
//! |---|---|
//! | tier | built-in tier name |
//! | operation | operation name, `ALL`, `quota:<audience>` or `quota:ALL` |
//! | kind | management, token, http, all (operation rows) or quota |
//! | scheduled, sent, dropped, ok, status_429 | counts, as in the tier's summary.csv |
//! | errors | status_4xx + status_5xx + transport_errors |
//! | achieved_rps | requests sent per second (failures included) |
//! | ratio_429 | status_429 / sent (empty when nothing was sent) |
//! | p50_ms, p99_ms | corrected latency, milliseconds |
//! | first_429_s | seconds from the start to the first 429 (empty: none) |
//! | tokens_issued | tokens issued for the audience(s) in the run |
//! | projected_month | those tokens projected onto a 30-day month |
//! | tier_monthly_quota | the tier's monthly M2M quota (empty: none) |
//! | projected_pct_of_quota | projected_month as a percentage of the quota |
//! | ok_rps, wire_rps | successful requests per second; attempts on the wire per second (retries included) |
//!
//! `comparison.csv`, runs mode: one row per compared run × operation × metric, the first run
//! being the baseline: `baseline_run, run, operation, metric, baseline, value, delta, delta_pct`
//! (metrics in [`metric`]; `delta_pct` is `inf`/`-inf` from a baseline of 0, see [`runs`]).

mod charts;
pub mod console;
pub mod cost;
mod document;
pub mod metric;
pub mod normalize;
pub mod rule;
pub mod runs;
mod runs_doc;
mod table;
pub mod tiers;

use std::path::Path;

pub use document::tier_verdict;
pub use table::FILE;

use super::{ReportError, fsio, html, markdown, tables};
use rule::RuleResult;
use runs::{DeltaRow, LabelledRun};
use tiers::TierRun;

/// Names of the comparison documents.
pub const MARKDOWN: &str = "comparison.md";
pub const HTML: &str = "comparison.html";

/// Writes a tier comparison into `dir` (which holds the tiers' folders): `comparison.csv`,
/// `comparison.md`, `comparison.html` and `charts/*.svg`.
pub fn write_tiers(
    dir: &Path,
    scenario: &str,
    description: Option<String>,
    runs: &[TierRun],
) -> Result<(), ReportError> {
    let rows: Vec<_> = runs.iter().flat_map(tiers::rows).collect();
    tables::write(dir, &rows)?;
    write_documents(dir, &document::tiers_document(scenario, description, runs))
}

/// Writes a runs comparison into `dir`: `comparison.csv`, `comparison.md`, `comparison.html`
/// and `charts/*.svg`.
pub fn write_runs(
    dir: &Path,
    series: &[LabelledRun],
    deltas: &[DeltaRow],
    rules: &[RuleResult],
    warnings: &[String],
) -> Result<(), ReportError> {
    tables::write(dir, deltas)?;
    write_documents(
        dir,
        &runs_doc::runs_document(series, deltas, rules, warnings),
    )
}

fn write_documents(dir: &Path, doc: &super::document::Document) -> Result<(), ReportError> {
    for chart in &doc.charts {
        fsio::write_atomic(dir, &chart.file(), chart.svg.as_bytes())?;
    }
    fsio::write_atomic(dir, MARKDOWN, markdown::render(doc).as_bytes())?;
    fsio::write_atomic(dir, HTML, html::render(doc).as_bytes())
}
