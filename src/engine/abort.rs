//! Abort thresholds (`abort = true`), checked about once a second on a live partial summary
//! through [`threshold::evaluate`] — the same evaluation the report uses at the end.
//! `min_achieved_rps` and `min_ok_rps` are whole-run figures (a ramp from 0 would "breach" it in its first
//! second), so they are judged only at the end, never live.

use crate::metrics::threshold;
use crate::metrics::{AudienceRow, SummaryRow};
use crate::scenario::ThresholdPlan;

/// The first breached abort threshold, described for the stop reason. A threshold with nothing
/// measured yet (no data) does not abort.
pub fn breached(
    thresholds: &[ThresholdPlan],
    op_names: &[String],
    summary: &[SummaryRow],
    audiences: &[AudienceRow],
) -> Option<String> {
    let abort_only: Vec<ThresholdPlan> = thresholds
        .iter()
        .filter(|t| t.abort && !t.metric.is_minimum())
        .cloned()
        .collect();
    if abort_only.is_empty() {
        return None;
    }
    threshold::evaluate(&abort_only, op_names, summary, audiences)
        .into_iter()
        .find(|r| !r.passed && r.measured.is_some())
        .map(|r| {
            format!(
                "{}.{} = {} (limit {})",
                r.operation,
                r.metric.key(),
                r.measured.map_or_else(|| "-".into(), |m| format!("{m:.3}")),
                r.limit
            )
        })
}

/// True when there is anything to check (saves building live rows every second).
pub fn any(thresholds: &[ThresholdPlan]) -> bool {
    thresholds.iter().any(|t| t.abort)
}
