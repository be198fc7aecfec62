//! `--fail-if` rules: "this metric must not move this far from the baseline".
//!
//! Grammar: `[OPERATION:]METRIC(>|<)CHANGE`, e.g. `p99_ms>+10%`, `list-users:p99_ms>+50`,
//! `achieved_rps<-5%`, `ratio_429>+0.01`.
//! - METRIC: one of [`Metric`]'s keys (p50_ms, p99_ms, ratio_429, error_ratio, achieved_rps,
//!   ok_rps, wire_rps, quota_pct).
//! - `>`: breached when the change is greater than CHANGE; `<`: when it is smaller.
//! - CHANGE: a signed number (the sign may be omitted: `+`), with `%` a relative change in
//!   percent of the baseline, without it an absolute change in the metric's unit.
//! - OPERATION (optional; the part before the last `:`): only that operation (normalised name,
//!   e.g. `token:Management API`, or `quota:<audience>`); default every operation that has the
//!   metric in both runs.

use super::metric::Metric;
use super::runs::DeltaRow;

/// Shown with every malformed rule.
pub const GRAMMAR: &str = "[OPERATION:]METRIC(>|<)CHANGE, METRIC one of p50_ms, p99_ms, ratio_429, error_ratio, achieved_rps, ok_rps, wire_rps, quota_pct; CHANGE a relative +10% / -5% or an absolute +50 change vs the baseline; e.g. \"p99_ms>+10%\", \"list-users:ratio_429>+0.01\"";

/// Why a rule could not be parsed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("--fail-if {rule:?}: {problem}; expected {GRAMMAR}")]
pub struct RuleError {
    pub rule: String,
    pub problem: String,
}

/// Breached when the change goes above (`>`) or below (`<`) the limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Above,
    Below,
}

/// A parsed rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// As written (trimmed), for messages.
    pub text: String,
    pub operation: Option<String>,
    pub metric: Metric,
    pub direction: Direction,
    /// The allowed change: percent when `relative`, else the metric's unit.
    pub limit: f64,
    pub relative: bool,
}

/// Parses one `--fail-if` value.
pub fn parse(text: &str) -> Result<Rule, RuleError> {
    let text = text.trim();
    let fail = |problem: &str| RuleError {
        rule: text.to_string(),
        problem: problem.to_string(),
    };
    let at = text
        .rfind(['>', '<'])
        .ok_or_else(|| fail("no comparison (> or <)"))?;
    let direction = if text[at..].starts_with('>') {
        Direction::Above
    } else {
        Direction::Below
    };
    let (left, change) = (text[..at].trim(), text[at + 1..].trim());
    let (operation, metric_key) = match left.rsplit_once(':') {
        Some((op, m)) => (Some(op.trim()), m.trim()),
        None => (None, left),
    };
    if operation.is_some_and(str::is_empty) {
        return Err(fail("the operation before ':' is empty"));
    }
    let metric = Metric::from_key(metric_key)
        .ok_or_else(|| fail(&format!("unknown metric {metric_key:?}")))?;
    let (number, relative) = match change.strip_suffix('%') {
        Some(n) => (n.trim(), true),
        None => (change, false),
    };
    if number.is_empty() {
        return Err(fail("no change after the comparison"));
    }
    let digits = number.strip_prefix(['+', '-']).unwrap_or(number);
    if !digits.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        return Err(fail(&format!("{change:?} is not a number")));
    }
    let limit: f64 = number
        .parse()
        .map_err(|_| fail(&format!("{change:?} is not a number")))?;
    if !limit.is_finite() {
        return Err(fail(&format!("{change:?} is not a finite number")));
    }
    Ok(Rule {
        text: text.to_string(),
        operation: operation.map(str::to_string),
        metric,
        direction,
        limit,
        relative,
    })
}

/// One rule judged on one compared run: the worst matching change.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleResult {
    pub rule: String,
    pub run: String,
    pub passed: bool,
    /// The operation with the worst change (highest for `>`, lowest for `<`); `None` when no
    /// operation had the metric in both runs (the rule then passes, with nothing to judge).
    pub worst: Option<DeltaRow>,
    /// How many operations breached it.
    pub breaches: usize,
}

impl Rule {
    /// The change this rule looks at in a row (percent or absolute).
    fn change(&self, row: &DeltaRow) -> Option<f64> {
        if self.relative {
            row.delta_pct
        } else {
            row.delta
        }
    }

    fn breached(&self, change: f64) -> bool {
        match self.direction {
            Direction::Above => change > self.limit,
            Direction::Below => change < self.limit,
        }
    }

    /// True when some row of `rows` is about this rule's operation (or the rule has none).
    pub fn names_known_operation(&self, rows: &[DeltaRow]) -> bool {
        match &self.operation {
            None => true,
            Some(op) => rows.iter().any(|r| &r.operation == op),
        }
    }

    /// Judges the rule on the rows of one compared run.
    pub fn judge(&self, run: &str, rows: &[DeltaRow]) -> RuleResult {
        let matching = rows.iter().filter(|r| {
            r.run == run
                && r.metric == self.metric
                && self.operation.as_ref().is_none_or(|op| *op == r.operation)
        });
        let mut worst: Option<(f64, &DeltaRow)> = None;
        let mut breaches = 0;
        for row in matching {
            let Some(change) = self.change(row) else {
                continue;
            };
            breaches += usize::from(self.breached(change));
            let worse = match (worst, self.direction) {
                (None, _) => true,
                (Some((w, _)), Direction::Above) => change > w,
                (Some((w, _)), Direction::Below) => change < w,
            };
            if worse {
                worst = Some((change, row));
            }
        }
        RuleResult {
            rule: self.text.clone(),
            run: run.to_string(),
            passed: breaches == 0,
            worst: worst.map(|(_, r)| r.clone()),
            breaches,
        }
    }
}

#[cfg(test)]
#[path = "rule_tests.rs"]
mod tests;
