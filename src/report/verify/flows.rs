//! flows.csv (only a scenario with flows writes it): every scheduled flow ended one way, and a
//! flow's arrivals are its first step's (`FLOW/STEP`, the first such row of summary.csv): the
//! same number scheduled, the same number dropped.

use super::counts::Ops;
use super::problem::Problems;
use super::table::{Cell, Row, Spec};

pub(super) const FLOWS: Spec = Spec {
    file: "flows.csv",
    columns: &[
        ("flow", Cell::Text),
        ("steps", Cell::Count),
        ("scheduled", Cell::Count),
        ("dropped", Cell::Count),
        ("completed", Cell::Count),
        ("failed", Cell::Count),
        ("capture_failed", Cell::Count),
        ("stopped", Cell::Count),
        ("mean_ms", Cell::Number),
    ],
};

const ENDS: [&str; 5] = [
    "dropped",
    "completed",
    "failed",
    "capture_failed",
    "stopped",
];

pub(super) fn check(ops: &Ops, rows: &[Row], p: &mut Problems) {
    let file = FLOWS.file;
    for r in rows {
        let flow = r.text("flow");
        let ended: Option<u64> = ENDS.iter().map(|c| r.count(c)).sum();
        if let (Some(s), Some(e)) = (r.count("scheduled"), ended)
            && s != e
        {
            p.add(
                file,
                Some(r.line),
                format!("{flow}: scheduled {s} != dropped + completed + failed + capture_failed + stopped {e}"),
            );
        }
        let prefix = format!("{flow}/");
        let steps: Vec<&Row> = ops
            .list
            .iter()
            .copied()
            .filter(|o| o.text("operation").starts_with(&prefix))
            .collect();
        if r.count("steps").is_some_and(|n| n != steps.len() as u64) {
            p.add(
                file,
                Some(r.line),
                format!(
                    "{flow}: {} steps, but summary.csv has {} {prefix}* rows",
                    r.text("steps"),
                    steps.len()
                ),
            );
            continue;
        }
        let Some(first) = steps.first() else {
            continue;
        };
        for column in ["scheduled", "dropped"] {
            if let (Some(f), Some(s)) = (r.count(column), first.count(column))
                && f != s
            {
                p.add(
                    file,
                    Some(r.line),
                    format!(
                        "{flow}: {column} {f} != {column} {s} of its first step {}",
                        first.text("operation")
                    ),
                );
            }
        }
    }
}
