//! The verdict's words: each [`Finding`] as its sentence, the outcome and reasons as labels.
//! Decides nothing: what to say is in [`super::decide`].

use super::{Finding, Outcome, QuotaView, Reason, causes};
use crate::report::numbers::{count, pct, percent_of, thousands, thousands_f};

impl Outcome {
    /// "fits" / "does not fit" / "nothing was sent".
    pub fn label(self) -> &'static str {
        match self {
            Outcome::NothingSent => "nothing was sent",
            Outcome::Fits => "fits",
            Outcome::DoesNotFit => "does not fit",
        }
    }
}

impl Reason {
    /// Short: "429s", "other failures", "M2M quota runs out", "thresholds broke".
    pub fn label(self) -> &'static str {
        match self {
            Reason::RateLimited => "429s",
            Reason::OtherFailures => "other failures",
            Reason::QuotaRunsOut => "M2M quota runs out",
            Reason::ThresholdsBroke => "thresholds broke",
        }
    }
}

/// The sentence of one finding.
pub(super) fn sentence(f: &Finding) -> String {
    match f {
        Finding::Run {
            outcome,
            reasons,
            title,
            duration_s,
            stop,
            sent,
            scheduled,
            ok,
        } => {
            let stop = stop
                .as_deref()
                .map(|r| format!(" (stop: {r})"))
                .unwrap_or_default();
            let why = if reasons.is_empty() {
                String::new()
            } else {
                let labels: Vec<&str> = reasons.iter().map(|r| r.label()).collect();
                format!(" ({})", labels.join(", "))
            };
            let long = super::observed::long_span(*duration_s)
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            format!(
                "Verdict: {}{why}. {title} ran {duration_s:.1} s{long}{stop}: {} of {} scheduled requests were sent, {} succeeded.",
                outcome.label(),
                thousands(*sent),
                thousands(*scheduled),
                thousands(*ok),
            )
        }
        Finding::NoRateLimit => "No request was rate-limited (no 429).".to_string(),
        Finding::RateLimited {
            status_429,
            sent,
            per_operation,
            first,
            bucket,
        } => {
            let hit: Vec<String> = per_operation
                .iter()
                .map(|(op, n)| format!("{op} {}", thousands(*n)))
                .collect();
            let whose = match bucket {
                Some(causes::Bucket {
                    name,
                    rule: Some(rule),
                }) => format!(", whose bucket is {name} ({rule})"),
                Some(causes::Bucket { name, rule: None }) => format!(" (its bucket: {name})"),
                None => String::new(),
            };
            let when = match first {
                Some((t, op)) => {
                    format!(" The first 429 came {t:.1} s into the run, on {op}{whose}.")
                }
                None => String::new(),
            };
            format!(
                "{} requests ({}) were rejected with 429 Too Many Requests ({}).{when}",
                thousands(*status_429),
                percent_of(*status_429, *sent),
                hit.join(", ")
            )
        }
        Finding::OtherFailures {
            status_4xx,
            status_5xx,
            transport_errors,
        } => {
            let kinds: Vec<String> = [
                (*status_4xx, "other 4xx"),
                (*status_5xx, "5xx"),
                (*transport_errors, "transport errors"),
            ]
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{} {what}", thousands(*n)))
            .collect();
            format!(
                "{} requests failed otherwise ({}).",
                thousands(status_4xx + status_5xx + transport_errors),
                kinds.join(", ")
            )
        }
        Finding::TargetDown(line) => as_sentence(line),
        Finding::Amplified(list) => causes::amplified_sentence(list),
        Finding::AfterEvent(a) => causes::after_event_sentence(a),
        Finding::Advice(a) => super::advice::sentence(a),
        Finding::Dropped { dropped, causes } => dropped_sentence(*dropped, *causes),
        Finding::Quota {
            counting,
            view,
            month_to_date_tokens,
            ran_out_seen,
        } => quota_sentence(counting, view, *month_to_date_tokens, *ran_out_seen),
        Finding::QuotaRanOut { .. } | Finding::WorkFinished { .. } => {
            super::observed::sentence(f).unwrap_or_default()
        }
        Finding::Thresholds { total, broken } => {
            if *total == 0 {
                return "No thresholds were set.".to_string();
            }
            if broken.is_empty() {
                return format!("All {total} thresholds held.");
            }
            let list: Vec<String> = broken.iter().map(|t| t.to_string()).collect();
            format!(
                "{} of {total} thresholds broke: {}.",
                broken.len(),
                list.join("; ")
            )
        }
    }
}

/// A console line as a sentence: capital first letter, final stop.
fn as_sentence(line: &str) -> String {
    let mut c = line.chars();
    let mut s: String = c
        .next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default();
    if !s.ends_with(['.', '?', '!']) {
        s.push('.');
    }
    s
}

fn dropped_sentence(dropped: u64, causes: Option<(u64, u64, u64)>) -> String {
    let Some((busy, late, stopping)) = causes else {
        return format!(
            "{} arrivals were dropped, never sent (see the glossary).",
            thousands(dropped)
        );
    };
    let why: Vec<String> = [
        (busy, "the in-flight cap was full"),
        (late, "the generator fell behind schedule"),
        (stopping, "the run was stopping"),
    ]
    .iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, why)| format!("{} because {why}", thousands(*n)))
    .collect();
    format!(
        "{} arrivals were dropped, never sent ({}).",
        thousands(dropped),
        why.join(", ")
    )
}

fn quota_sentence(
    counting: &[(String, u64)],
    q: &QuotaView,
    month_to_date: u64,
    ran_out_seen: bool,
) -> String {
    let internal = if q.internal_tokens > 0 {
        format!(
            " {} for Auth0's own APIs (Management API) {} not count.",
            count(q.internal_tokens, "token"),
            if q.internal_tokens == 1 { "does" } else { "do" }
        )
    } else {
        String::new()
    };
    if counting.is_empty() {
        return format!("No token counted toward the monthly M2M token quota.{internal}");
    }
    let who: Vec<String> = counting
        .iter()
        .map(|(audience, issued)| format!("{audience} ({})", thousands(*issued)))
        .collect();
    let mut text = format!(
        "{} counted toward the monthly M2M token quota: {}. At this rate a 30-day month issues {} tokens",
        count(q.counted_tokens, "token"),
        who.join(", "),
        thousands_f(q.projected_month)
    );
    match (q.quota, q.projected_pct) {
        (Some(quota), Some(p)) => {
            text.push_str(&format!(
                ", {} of the tier's {} quota",
                pct(p),
                thousands(quota)
            ));
        }
        _ => text.push_str("; the tier's monthly quota is unknown"),
    }
    let used = if month_to_date > 0 {
        format!(" ({} already used this month)", thousands(month_to_date))
    } else {
        String::new()
    };
    match q.runs_out_day {
        Some(day) => text.push_str(&format!("; the quota is used up {}{used}.", runs_out(day))),
        // The projection counts issued tokens only: refused ones are not in it.
        None if ran_out_seen => text.push_str(&format!(
            "; the issued tokens alone would fit{used}, but the run saw the quota run out (below)."
        )),
        None if q.quota.is_some() => text.push_str(&format!("; the quota lasts the month{used}.")),
        None => text.push('.'),
    }
    text.push_str(&internal);
    text
}

/// Day 1.023 → "after 0.6 hours (day 1 of a 30-day month)".
pub fn runs_out(day: f64) -> String {
    let elapsed_days = (day - 1.0).max(0.0);
    let after = if elapsed_days < 1.0 {
        format!("after {:.1} hours", elapsed_days * 24.0)
    } else {
        format!("after {elapsed_days:.1} days")
    };
    format!("{after} (day {} of a 30-day month)", day.floor() as u64)
}
