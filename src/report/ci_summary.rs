//! The short Markdown a CI job summary shows (`--summary-md FILE`, and appended to the file
//! `$GITHUB_STEP_SUMMARY` names when it is set): verdict, one row per operation, the thresholds
//! or `--fail-if` rules, and where the full report is. report.md is the long form.

use std::path::Path;

use super::compare::rule::RuleResult;
use super::compare::tiers::{TierRun, fit};
use super::run_info::RunInfo;
use super::verdict;
use crate::metrics::{Snapshot, ThresholdResult};

/// A finished run's summary; `dir` is its report folder.
pub fn run(s: &Snapshot, thresholds: &[ThresholdResult], dir: &Path) -> String {
    let info = RunInfo::from_snapshot(s);
    let v = verdict::judge(s, &info, thresholds);
    let mut out = format!("### quotaprobe: {}\n\n", esc(&info.title()));
    out.push_str(&format!("**Verdict: {}**", v.label));
    if !v.reasons.is_empty() {
        out.push_str(&format!(" ({})", v.reasons.join(", ")));
    }
    out.push_str(
        "\n\n| operation | sent | ok | 429 | errors | dropped | rps | ok/s | wire/s | p99 ms |\n",
    );
    out.push_str("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for r in &s.summary {
        let err = r.status_4xx + r.status_5xx + r.transport_errors;
        out.push_str(&format!(
            "| {} | {} | {} | {} | {err} | {} | {:.1} | {:.1} | {:.1} | {:.1} |\n",
            esc(&r.operation),
            r.sent,
            r.ok,
            r.status_429,
            r.dropped,
            r.achieved_rps,
            r.ok_rps,
            r.wire_rps,
            r.p99_ms
        ));
    }
    if !thresholds.is_empty() {
        out.push_str("\n| threshold | result |\n|---|---|\n");
        for t in thresholds {
            let text = t.to_string();
            let (word, rest) = text.split_once(' ').unwrap_or(("", text.as_str()));
            out.push_str(&format!("| {} | {word} |\n", esc(rest)));
        }
    }
    out.push_str(&format!(
        "\nFull report: `{}`\n\n",
        dir.join("report.html").display()
    ));
    out
}

/// `compare DIR DIR...`: one row per rule × compared run.
pub fn rules(results: &[RuleResult]) -> String {
    let passed = results.iter().all(|r| r.passed);
    let mut out = format!(
        "### quotaprobe compare\n\n**{}**\n\n| run | rule | result | worst change |\n|---|---|---|---|\n",
        if passed {
            "Every --fail-if rule holds"
        } else {
            "A --fail-if rule is broken"
        }
    );
    for r in results {
        let worst = r.worst.as_ref().map_or("n/a".to_string(), |w| {
            let pct = w
                .delta_pct
                .map_or(String::new(), |p| format!(" ({p:+.1}%)"));
            format!("{} {:+.3}{pct}", w.operation, w.delta.unwrap_or(0.0))
        });
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            esc(&r.run),
            esc(&r.rule),
            if r.passed { "PASS" } else { "FAIL" },
            esc(&worst)
        ));
    }
    out.push('\n');
    out
}

/// `compare SCENARIO --tiers ...`: one row per tier, whether it fits and why not.
pub fn tiers(runs: &[TierRun], dir: &Path) -> String {
    let mut out = String::from(
        "### quotaprobe compare --tiers\n\n| tier | fits | why not |\n|---|---|---|\n",
    );
    for r in runs {
        let f = fit(r);
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            esc(&r.tier),
            if f.fits { "yes" } else { "no" },
            esc(&f.why_not.join("; "))
        ));
    }
    out.push_str(&format!("\nComparison: `{}`\n\n", dir.display()));
    out
}

/// Table-cell text: pipes escaped, line breaks flattened.
fn esc(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}
