//! The `run.csv` facts the documents read, from [`crate::metrics::RunFacts`]. Every key is
//! optional: a missing, empty or unparsable value degrades to "unknown" (or to a value derived
//! from the other tables), never to an error, so `quotaprobe report` renders folders written by
//! older or partial runs.
//!
//! Keys read (the engine/CLI should write them; others are shown verbatim in the run table):
//! - `scenario`: scenario name.
//! - `description`: one line from the scenario file.
//! - `tier`: tier profile name (simulated target), e.g. `free`.
//! - `target`: `simulated` or the real tenant's base URL (never a secret).
//! - `tier_monthly_quota`: the tier's M2M token quota per month (whole number); falls back to
//!   `audiences.csv`'s `tier_monthly_quota`.
//! - `month_to_date_tokens`: quota already used when the run started (whole number, default 0).
//! - `duration_s`: the run's measured length in seconds; falls back to the timeline's length.
//! - `stop_reason`: why the run ended (`completed`, `max_tokens`, `threshold`, `signal`, ...).
//! - `stop_detail`: the same for people ("all phases completed"); preferred when present.
//! - `dropped_busy`, `dropped_late`, `dropped_stopping`: why arrivals were dropped (in-flight
//!   cap full, generator behind schedule, run stopping); without them the verdict only counts.
//! - `start`: start time as text (RFC 3339, UTC), shown as is.
//! - `seed`, `version`: shown in the run table.

use crate::metrics::Snapshot;

/// What the documents need from `run.csv` (and fallbacks from the other tables).
#[derive(Debug, Clone, PartialEq)]
pub struct RunInfo {
    pub scenario: Option<String>,
    pub description: Option<String>,
    pub tier: Option<String>,
    pub target: Option<String>,
    pub tier_monthly_quota: Option<u64>,
    pub month_to_date_tokens: u64,
    /// Run length in seconds (from `duration_s`, else the timeline).
    pub duration_s: f64,
    pub stop_reason: Option<String>,
    pub stop_detail: Option<String>,
    /// Dropped arrivals by cause: (in-flight cap full, behind schedule, stopping), when known.
    pub dropped_by_cause: Option<(u64, u64, u64)>,
    pub start: Option<String>,
    /// `clock = virtual`: a fast-forward run, its times simulated.
    pub virtual_clock: bool,
    /// `forecast = true`: written by `quotaprobe forecast`.
    pub forecast: bool,
    /// What the run observed of the quota and its work (`quota_*`, `work_finished_s`).
    pub observed: crate::metrics::ObservedFacts,
}

impl RunInfo {
    pub fn from_snapshot(s: &Snapshot) -> RunInfo {
        let f = &s.run;
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let resolution = f.resolution();
        let timeline_s = s
            .timeline
            .iter()
            .map(|r| r.second + resolution)
            .max()
            .unwrap_or(0) as f64;
        let quota = f
            .tier_monthly_quota
            .flatten()
            .or_else(|| s.audiences.iter().find_map(|a| a.tier_monthly_quota));
        RunInfo {
            scenario: text(&f.scenario),
            description: text(&f.description),
            tier: text(&f.tier),
            target: text(&f.target),
            tier_monthly_quota: quota,
            month_to_date_tokens: f.month_to_date_tokens.unwrap_or(0),
            duration_s: f
                .duration_s
                .filter(|v| v.is_finite() && *v >= 0.0)
                .unwrap_or(timeline_s),
            stop_reason: text(&f.stop_reason),
            stop_detail: text(&f.stop_detail),
            dropped_by_cause: match (f.dropped_busy, f.dropped_late, f.dropped_stopping) {
                (None, None, None) => None,
                (b, l, st) => Some((b.unwrap_or(0), l.unwrap_or(0), st.unwrap_or(0))),
            },
            start: text(&f.start),
            virtual_clock: f.clock == Some(crate::metrics::RunClock::Virtual),
            forecast: f.forecast == Some(true),
            observed: f.observed.clone(),
        }
    }

    /// "scenario X on tier Y" with unknowns spelled out.
    pub fn title(&self) -> String {
        let scenario = self.scenario.as_deref().unwrap_or("(unnamed scenario)");
        match &self.tier {
            Some(t) => format!("{scenario} on tier {t}"),
            None => scenario.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::{AudienceRow, RunFacts, TimelineRow};

    #[test]
    fn missing_keys_degrade() {
        let mut s = Snapshot {
            timeline: vec![TimelineRow {
                second: 9,
                ..TimelineRow::default()
            }],
            audiences: vec![AudienceRow {
                tier_monthly_quota: Some(1000),
                ..AudienceRow::default()
            }],
            ..Snapshot::default()
        };
        let info = RunInfo::from_snapshot(&s);
        assert_eq!(info.duration_s, 10.0);
        assert_eq!(info.tier_monthly_quota, Some(1000));
        assert_eq!(info.title(), "(unnamed scenario)");
        s.run = RunFacts::from_pairs(
            [
                ("duration_s", "12.5"),
                ("tier", "free"),
                ("scenario", "x"),
                ("month_to_date_tokens", "junk"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let info = RunInfo::from_snapshot(&s);
        assert_eq!((info.duration_s, info.month_to_date_tokens), (12.5, 0));
        assert_eq!(info.title(), "x on tier free");
    }
}
