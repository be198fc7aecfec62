//! The verdict: did the scenario fit the tier? One paragraph, plain text, shared by
//! `report.md`, `report.html` and the terminal summary so they never disagree.
//!
//! It fits when nothing got a 429, nothing failed, every threshold held, and the projected M2M
//! token use lasts the month. Dropped arrivals are reported but do not decide the verdict (they
//! measure the generator's in-flight cap, not the tier).
//!
//! Deciding and wording are apart: [`decide`] reads the snapshot into a [`Judgement`] (the
//! outcome, the reasons, one [`Finding`] per sentence); [`wording`] turns those into text.

pub mod advice;
pub mod causes;
mod observed;
mod wording;

pub use observed::span;
pub use wording::runs_out;

/// The observed facts' sentences (quota ran out, work finished) for the terminal summary.
pub fn observed_lines(info: &RunInfo) -> Vec<String> {
    observed::findings(info)
        .iter()
        .filter_map(observed::sentence)
        .collect()
}

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

/// How the run came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    NothingSent,
    Fits,
    DoesNotFit,
}

/// Why a run does not fit, in the order the verdict names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    RateLimited,
    OtherFailures,
    QuotaRunsOut,
    ThresholdsBroke,
}

/// One sentence's worth of what the run showed, in reading order.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The headline: outcome and reasons, what ran for how long, why it stopped, the counts.
    Run {
        outcome: Outcome,
        reasons: Vec<Reason>,
        title: String,
        duration_s: f64,
        /// The stop detail, else the stop reason.
        stop: Option<String>,
        sent: u64,
        scheduled: u64,
        ok: u64,
    },
    /// Nothing got a 429.
    NoRateLimit,
    /// Some requests got 429s: per operation (those with any), and the first one.
    RateLimited {
        status_429: u64,
        sent: u64,
        per_operation: Vec<(String, u64)>,
        /// (seconds into the run, operation).
        first: Option<(f64, String)>,
        /// The first 429's bucket on the tier, when known.
        bucket: Option<causes::Bucket>,
    },
    /// Retries put at least 1.2× the offered rate on the wire.
    Amplified(Vec<causes::Amplified>),
    /// Failures that began right after a mid-run event.
    AfterEvent(causes::AfterEvent),
    /// Recommendations with numbers.
    Advice(advice::Advice),
    /// Failures other than 429s.
    OtherFailures {
        status_4xx: u64,
        status_5xx: u64,
        transport_errors: u64,
    },
    /// The target was down from the start or died mid-run: the sentence of
    /// [`super::reach::message`], which the terminal summary shares.
    TargetDown(String),
    /// Arrivals never sent, by cause (in-flight cap full, behind schedule, stopping) when known.
    Dropped {
        dropped: u64,
        causes: Option<(u64, u64, u64)>,
    },
    /// The M2M quota: who counted (most tokens first), the projection, tokens already used.
    Quota {
        counting: Vec<(String, u64)>,
        view: QuotaView,
        month_to_date_tokens: u64,
        /// The run saw the quota refuse a token (the projection alone may say it lasts).
        ran_out_seen: bool,
    },
    /// Observed, not projected: the monthly quota refused a token `at_s` into the run.
    QuotaRanOut {
        at_s: f64,
        /// RFC 3339 of that instant and its quota month, when known.
        at: Option<String>,
        month: Option<String>,
        /// Token requests the quota refused.
        refused: u64,
        /// Operations that failed because of it, with counts.
        failed: Vec<(String, u64)>,
        virtual_clock: bool,
    },
    /// A fast-forward run: when its last request finished (a `once` job's end).
    WorkFinished { at_s: f64, duration_s: f64 },
    /// The thresholds: how many, and those that broke.
    Thresholds {
        total: usize,
        broken: Vec<ThresholdResult>,
    },
}

/// What [`decide`] found.
#[derive(Debug, Clone, PartialEq)]
pub struct Judgement {
    pub outcome: Outcome,
    pub reasons: Vec<Reason>,
    pub findings: Vec<Finding>,
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
    let j = decide(s, info, thresholds);
    Verdict {
        fits: j.outcome == Outcome::Fits,
        label: j.outcome.label(),
        reasons: j.reasons.iter().map(|r| r.label()).collect(),
        sentences: j.findings.iter().map(wording::sentence).collect(),
    }
}

/// Reads the run into its outcome, reasons and findings (see the module docs).
pub fn decide(s: &Snapshot, info: &RunInfo, thresholds: &[ThresholdResult]) -> Judgement {
    let all = total_row(s);
    let errors = all.status_4xx + all.status_5xx + all.transport_errors;
    let quota = quota_view(s, info);
    let broken: Vec<ThresholdResult> = thresholds.iter().filter(|t| !t.passed).cloned().collect();
    let reasons: Vec<Reason> = [
        (all.status_429 > 0, Reason::RateLimited),
        (errors > 0, Reason::OtherFailures),
        (
            quota.runs_out_day.is_some() || info.observed.ran_out().is_some(),
            Reason::QuotaRunsOut,
        ),
        (!broken.is_empty(), Reason::ThresholdsBroke),
    ]
    .into_iter()
    .filter_map(|(hit, why)| hit.then_some(why))
    .collect();
    let outcome = match (all.sent, reasons.is_empty()) {
        (0, _) => Outcome::NothingSent,
        (_, true) => Outcome::Fits,
        (_, false) => Outcome::DoesNotFit,
    };
    let mut findings = vec![
        Finding::Run {
            outcome,
            reasons: reasons.clone(),
            title: info.title(),
            duration_s: info.duration_s,
            stop: info.stop_detail.clone().or(info.stop_reason.clone()),
            sent: all.sent,
            scheduled: all.scheduled,
            ok: all.ok,
        },
        rate_limits(s, &all),
    ];
    let amplified = causes::amplified(s);
    if !amplified.is_empty() {
        findings.push(Finding::Amplified(amplified));
    }
    if errors > 0 {
        findings.push(Finding::OtherFailures {
            status_4xx: all.status_4xx,
            status_5xx: all.status_5xx,
            transport_errors: all.transport_errors,
        });
        findings.extend(causes::after_events(s).into_iter().map(Finding::AfterEvent));
    }
    if let Some(m) = super::reach::message(s) {
        findings.push(Finding::TargetDown(m));
    }
    if all.dropped > 0 {
        findings.push(Finding::Dropped {
            dropped: all.dropped,
            causes: info.dropped_by_cause,
        });
    }
    let mut counting: Vec<_> = s
        .audiences
        .iter()
        .filter(|a| a.counts_toward_quota && a.tokens_issued > 0)
        .collect();
    counting.sort_by_key(|a| std::cmp::Reverse(a.tokens_issued));
    findings.push(Finding::Quota {
        counting: counting
            .iter()
            .map(|a| (a.audience.clone(), a.tokens_issued))
            .collect(),
        view: quota,
        month_to_date_tokens: info.month_to_date_tokens,
        ran_out_seen: info.observed.ran_out().is_some(),
    });
    findings.extend(observed::findings(info));
    findings.push(Finding::Thresholds {
        total: thresholds.len(),
        broken,
    });
    let advice = advice::advise(s, info.tier.clone());
    if !advice.is_empty() {
        findings.push(Finding::Advice(advice));
    }
    Judgement {
        outcome,
        reasons,
        findings,
    }
}

fn rate_limits(s: &Snapshot, all: &SummaryRow) -> Finding {
    if all.status_429 == 0 {
        return Finding::NoRateLimit;
    }
    let ops = || s.summary.iter().filter(|r| r.operation != ALL);
    let first = ops()
        .filter_map(|r| r.first_429_s.map(|t| (t, r.operation.as_str())))
        .min_by(|a, b| a.0.total_cmp(&b.0));
    Finding::RateLimited {
        status_429: all.status_429,
        sent: all.sent,
        per_operation: ops()
            .filter(|r| r.status_429 > 0)
            .map(|r| (r.operation.clone(), r.status_429))
            .collect(),
        bucket: first.and_then(|(_, op)| causes::bucket_of(s, op)),
        first: first.map(|(t, op)| (t, op.to_string())),
    }
}

#[cfg(test)]
mod tests;
