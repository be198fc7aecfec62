//! Abort thresholds (`abort = true`), checked about once a second on a live partial summary.
//!
//! SEAM: the evaluation itself belongs to `crate::metrics::threshold::evaluate` (another
//! engineer's file). Until it is merged into this branch, no threshold aborts a run — see
//! `breached`. Wire it as:
//! `threshold::evaluate(&abort_only, &op_names, summary, audiences).iter().find(|r| !r.passed)`.

use crate::metrics::{AudienceRow, SummaryRow};
use crate::scenario::ThresholdPlan;

/// The first breached abort threshold, described for the stop reason.
pub fn breached(
    thresholds: &[ThresholdPlan],
    _op_names: &[String],
    _summary: &[SummaryRow],
    _audiences: &[AudienceRow],
) -> Option<String> {
    let abort_only: Vec<&ThresholdPlan> = thresholds.iter().filter(|t| t.abort).collect();
    if abort_only.is_empty() {
        return None;
    }
    // TODO(threshold.rs): call metrics::threshold::evaluate here once it is in main.
    None
}

/// True when there is anything to check (saves building live rows every second).
pub fn any(thresholds: &[ThresholdPlan]) -> bool {
    thresholds.iter().any(|t| t.abort)
}
