//! The verdict's observed facts (run.csv `quota_*`, `work_finished_s`, written by the engine
//! from the answers it got: see `metrics::observed`): when the monthly quota really ran out and
//! what it refused, and, in a fast-forward run, when the work finished. What happened, beside
//! the projection's "runs out on day N".

use super::Finding;
use crate::report::numbers::thousands;
use crate::report::run_info::RunInfo;

/// The findings of `info`'s observed facts, in reading order (none for a folder without them).
pub(super) fn findings(info: &RunInfo) -> Vec<Finding> {
    let o = &info.observed;
    let mut out = Vec::new();
    if let Some((at_s, month)) = o.ran_out() {
        out.push(Finding::QuotaRanOut {
            at_s,
            at: o.quota_ran_out_at.clone().filter(|t| !t.is_empty()),
            month: month.map(str::to_string),
            refused: o.quota_refused_tokens.unwrap_or(0),
            failed: o.quota_failed.clone().unwrap_or_default(),
            virtual_clock: info.virtual_clock,
        });
    }
    if info.virtual_clock
        && let Some(at_s) = o.work_finished_s.flatten()
    {
        out.push(Finding::WorkFinished {
            at_s,
            duration_s: info.duration_s,
        });
    }
    out
}

/// The sentence of an observed finding; `None` for the others.
pub(super) fn sentence(f: &Finding) -> Option<String> {
    Some(match f {
        Finding::QuotaRanOut {
            at_s,
            at,
            month,
            refused,
            failed,
            virtual_clock,
        } => {
            let clock = if *virtual_clock { ", virtual time" } else { "" };
            let when = match (at, month) {
                (Some(at), Some(m)) => format!(" (at {at}{clock}; quota month {m})"),
                (Some(at), None) => format!(" (at {at}{clock})"),
                _ => String::new(),
            };
            let hit: Vec<String> = failed
                .iter()
                .map(|(op, n)| format!("{op} {}", thousands(*n)))
                .collect();
            let after = if hit.is_empty() {
                String::new()
            } else {
                format!(" Failed because of it: {}.", hit.join(", "))
            };
            format!(
                "Observed: the monthly M2M quota ran out {} into the run{when}: it refused {} token requests from then on.{after}",
                span(*at_s),
                thousands(*refused)
            )
        }
        Finding::WorkFinished { at_s, duration_s } => {
            let idle = duration_s - at_s;
            let rest = if idle >= 1.0 {
                format!(", {} before the run ended", span(idle))
            } else {
                String::new()
            };
            format!(
                "The last request finished {} into the run (virtual time){rest}.",
                span(*at_s)
            )
        }
        _ => return None,
    })
}

/// Seconds in the unit that reads best: "42.0 s", "12.5 min", "3.2 hours", "14.6 days".
pub fn span(s: f64) -> String {
    const HOUR: f64 = 3_600.0;
    if s < 120.0 {
        format!("{s:.1} s")
    } else if s < 2.0 * HOUR {
        format!("{:.1} min", s / 60.0)
    } else if s < 48.0 * HOUR {
        format!("{:.1} hours", s / HOUR)
    } else {
        format!("{:.1} days", s / (24.0 * HOUR))
    }
}

/// A run length of at least 2 hours in hours or days ("6.0 hours", "30.0 days"); `None` below.
pub(super) fn long_span(s: f64) -> Option<String> {
    (s >= 7_200.0).then(|| span(s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observed_sentences() {
        assert_eq!(
            [span(42.0), span(750.0), span(11_520.0), span(1_261_440.0)],
            ["42.0 s", "12.5 min", "3.2 hours", "14.6 days"]
        );
        assert_eq!(long_span(3_600.0), None);
        let ran_out = Finding::QuotaRanOut {
            at_s: 1_296_000.0,
            at: Some("2026-12-16T00:00:00Z".into()),
            month: Some("2026-12".into()),
            refused: 1_234,
            failed: vec![("orders-api".into(), 1_234)],
            virtual_clock: true,
        };
        assert_eq!(
            sentence(&ran_out).as_deref(),
            Some(
                "Observed: the monthly M2M quota ran out 15.0 days into the run (at 2026-12-16T00:00:00Z, virtual time; quota month 2026-12): it refused 1,234 token requests from then on. Failed because of it: orders-api 1,234."
            )
        );
        let done = Finding::WorkFinished {
            at_s: 7_200.0,
            duration_s: 86_400.0,
        };
        assert_eq!(
            sentence(&done).as_deref(),
            Some(
                "The last request finished 2.0 hours into the run (virtual time), 22.0 hours before the run ended."
            )
        );
        assert_eq!(sentence(&Finding::NoRateLimit), None);
    }
}
