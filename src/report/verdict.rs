//! The verdict: did the scenario fit the tier? One paragraph, plain text, shared by
//! `report.md`, `report.html` and the terminal summary so they never disagree.
//!
//! It fits when nothing got a 429, nothing failed, every threshold held, and the projected M2M
//! token use lasts the month. Dropped arrivals are reported but do not decide the verdict (they
//! measure the generator's in-flight cap, not the tier).

use super::numbers::{count, pct, percent_of, thousands, thousands_f};
use super::run_info::RunInfo;
use crate::metrics::snapshot::quota_runs_out_day;
use crate::metrics::threshold::ALL;
use crate::metrics::{Snapshot, SummaryRow, ThresholdResult};

/// The verdict of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub fits: bool,
    /// "fits" / "does not fit" / "nothing was sent".
    pub label: &'static str,
    /// Why it does not fit, short: "429s", "other failures", "quota runs out", "thresholds broke".
    pub reasons: Vec<&'static str>,
    /// Plain-text sentences, in reading order.
    pub sentences: Vec<String>,
}

impl Verdict {
    /// The paragraph: sentences joined by spaces.
    pub fn paragraph(&self) -> String {
        self.sentences.join(" ")
    }
}

/// Quota facts the verdict and the charts both use.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaView {
    /// Tokens issued for audiences that count toward the quota.
    pub counted_tokens: u64,
    /// Tokens issued for Auth0's own APIs (not counted).
    pub internal_tokens: u64,
    /// Counted tokens a 30-day month would issue at the observed rate.
    pub projected_month: f64,
    pub quota: Option<u64>,
    /// `projected_month` as a percentage of `quota`.
    pub projected_pct: Option<f64>,
    /// Day of the month the quota runs out (with month-to-date use), if it does.
    pub runs_out_day: Option<f64>,
}

/// Sums the audiences that count toward the M2M quota and projects them onto the month.
pub fn quota_view(s: &Snapshot, info: &RunInfo) -> QuotaView {
    let counting = s.audiences.iter().filter(|a| a.counts_toward_quota);
    let per_hour: f64 = counting.clone().map(|a| a.tokens_per_hour).sum();
    let projected_month: f64 = counting.clone().map(|a| a.projected_month).sum();
    let quota = info.tier_monthly_quota;
    let runs_out = counting
        .clone()
        .filter_map(|a| a.quota_runs_out_day)
        .reduce(f64::min)
        .or_else(|| quota_runs_out_day(quota, info.month_to_date_tokens, per_hour));
    QuotaView {
        counted_tokens: counting.map(|a| a.tokens_issued).sum(),
        internal_tokens: s
            .audiences
            .iter()
            .filter(|a| !a.counts_toward_quota)
            .map(|a| a.tokens_issued)
            .sum(),
        projected_month,
        quota,
        projected_pct: quota
            .filter(|q| *q > 0)
            .map(|q| projected_month * 100.0 / q as f64),
        runs_out_day: runs_out,
    }
}

/// The `ALL` row, or the sum of the operations' rows when a snapshot lacks one.
pub fn total_row(s: &Snapshot) -> SummaryRow {
    if let Some(all) = s.summary.iter().find(|r| r.operation == ALL) {
        return all.clone();
    }
    let mut t = SummaryRow {
        operation: ALL.to_string(),
        kind: "all".to_string(),
        ..SummaryRow::default()
    };
    for r in &s.summary {
        t.add(r);
    }
    t
}

/// The verdict of a snapshot, reading the tier and quota from its `run.csv` keys (what
/// `compare` needs per run).
pub fn of(s: &Snapshot, thresholds: &[ThresholdResult]) -> Verdict {
    judge(s, &RunInfo::from_snapshot(s), thresholds)
}

/// Judges one run: fits only with no 429, no other failure, every threshold held and a
/// quota that lasts the month.
pub fn judge(s: &Snapshot, info: &RunInfo, thresholds: &[ThresholdResult]) -> Verdict {
    let all = total_row(s);
    let errors = all.status_4xx + all.status_5xx + all.transport_errors;
    let quota = quota_view(s, info);
    let broken: Vec<&ThresholdResult> = thresholds.iter().filter(|t| !t.passed).collect();
    let reasons: Vec<&'static str> = [
        (all.status_429 > 0, "429s"),
        (errors > 0, "other failures"),
        (quota.runs_out_day.is_some(), "M2M quota runs out"),
        (!broken.is_empty(), "thresholds broke"),
    ]
    .into_iter()
    .filter_map(|(hit, why)| hit.then_some(why))
    .collect();
    let fits = all.sent > 0 && reasons.is_empty();
    let label = match (all.sent, fits) {
        (0, _) => "nothing was sent",
        (_, true) => "fits",
        (_, false) => "does not fit",
    };
    let mut out = Vec::new();
    let stop = info
        .stop_detail
        .as_deref()
        .or(info.stop_reason.as_deref())
        .map(|r| format!(" (stop: {r})"))
        .unwrap_or_default();
    let why = if reasons.is_empty() {
        String::new()
    } else {
        format!(" ({})", reasons.join(", "))
    };
    out.push(format!(
        "Verdict: {label}{why}. {} ran {:.1} s{stop}: {} of {} scheduled requests were sent, {} succeeded.",
        info.title(),
        info.duration_s,
        thousands(all.sent),
        thousands(all.scheduled),
        thousands(all.ok),
    ));
    out.push(rate_limit_sentence(s, &all));
    if errors > 0 {
        let kinds: Vec<String> = [
            (all.status_4xx, "other 4xx"),
            (all.status_5xx, "5xx"),
            (all.transport_errors, "transport errors"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{} {what}", thousands(*n)))
        .collect();
        out.push(format!(
            "{} requests failed otherwise ({}).",
            thousands(errors),
            kinds.join(", ")
        ));
    }
    if let Some(m) = super::reach::message(s) {
        out.push(sentence(&m));
    }
    if all.dropped > 0 {
        out.push(dropped_sentence(all.dropped, info.dropped_by_cause));
    }
    out.push(quota_sentence(s, info, &quota));
    out.push(threshold_sentence(thresholds, &broken));
    Verdict {
        fits,
        label,
        reasons,
        sentences: out,
    }
}

/// A console line as a sentence: capital first letter, final stop.
fn sentence(line: &str) -> String {
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

fn rate_limit_sentence(s: &Snapshot, all: &SummaryRow) -> String {
    if all.status_429 == 0 {
        return "No request was rate-limited (no 429).".to_string();
    }
    let first = s
        .summary
        .iter()
        .filter(|r| r.operation != ALL)
        .filter_map(|r| r.first_429_s.map(|t| (t, r.operation.as_str())))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    let hit: Vec<String> = s
        .summary
        .iter()
        .filter(|r| r.operation != ALL && r.status_429 > 0)
        .map(|r| format!("{} {}", r.operation, thousands(r.status_429)))
        .collect();
    let when = match first {
        Some((t, op)) => format!(" The first 429 came {t:.1} s into the run, on {op}."),
        None => String::new(),
    };
    format!(
        "{} requests ({}) were rejected with 429 Too Many Requests ({}).{when}",
        thousands(all.status_429),
        percent_of(all.status_429, all.sent),
        hit.join(", ")
    )
}

fn quota_sentence(s: &Snapshot, info: &RunInfo, q: &QuotaView) -> String {
    let mut counting: Vec<_> = s
        .audiences
        .iter()
        .filter(|a| a.counts_toward_quota && a.tokens_issued > 0)
        .collect();
    counting.sort_by_key(|a| std::cmp::Reverse(a.tokens_issued));
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
        .map(|a| format!("{} ({})", a.audience, thousands(a.tokens_issued)))
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
    let used = if info.month_to_date_tokens > 0 {
        format!(
            " ({} already used this month)",
            thousands(info.month_to_date_tokens)
        )
    } else {
        String::new()
    };
    match q.runs_out_day {
        Some(day) => text.push_str(&format!("; the quota is used up {}{used}.", runs_out(day))),
        None if q.quota.is_some() => text.push_str(&format!("; the quota lasts the month{used}.")),
        None => text.push('.'),
    }
    text.push_str(&internal);
    text
}

fn threshold_sentence(all: &[ThresholdResult], broken: &[&ThresholdResult]) -> String {
    if all.is_empty() {
        return "No thresholds were set.".to_string();
    }
    if broken.is_empty() {
        return format!("All {} thresholds held.", all.len());
    }
    let list: Vec<String> = broken.iter().map(|t| t.to_string()).collect();
    format!(
        "{} of {} thresholds broke: {}.",
        broken.len(),
        all.len(),
        list.join("; ")
    )
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
