//! Comparisons for the terminal: the tiers side by side with the verdict, or the deltas against
//! the baseline with each rule's PASS/FAIL. Plain text, fixed-width columns.

use std::fmt::Write as _;
use std::path::Path;

use super::rule::RuleResult;
use super::runs::{DeltaRow, signed, signed_pct};
use super::tiers::{self, TierRun};
use crate::metrics::threshold::ALL;

fn opt3(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.3}")).unwrap_or_else(|| "-".into())
}

fn opt1(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}")).unwrap_or_else(|| "-".into())
}

/// Tier × operation table, then the verdict and where the files are.
pub fn tiers(runs: &[TierRun], dir: &Path) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<20} {:<36} {:>6} {:>6} {:>6} {:>7} {:>9} {:>8} {:>8} {:>8} {:>8}  fit",
        "tier",
        "operation",
        "sent",
        "ok",
        "429",
        "dropped",
        "ratio_429",
        "ok/s",
        "wire/s",
        "p50 ms",
        "p99 ms"
    );
    for r in runs {
        let fit = tiers::fit(r);
        for row in tiers::rows(r).iter().filter(|x| x.kind != "quota") {
            let mark = if row.operation == ALL {
                if fit.fits {
                    "fits"
                } else if fit.unknown {
                    "unknown"
                } else {
                    "FAIL"
                }
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{:<20} {:<36} {:>6} {:>6} {:>6} {:>7} {:>9} {:>8} {:>8} {:>8} {:>8}  {mark}",
                r.tier,
                row.operation,
                row.sent.unwrap_or(0),
                row.ok.unwrap_or(0),
                row.status_429.unwrap_or(0),
                row.dropped.unwrap_or(0),
                opt3(row.ratio_429),
                opt1(row.ok_rps),
                opt1(row.wire_rps),
                opt3(row.p50_ms),
                opt3(row.p99_ms),
            );
        }
    }
    out.push('\n');
    for s in super::tier_verdict(runs).sentences {
        let _ = writeln!(out, "{s}");
    }
    let _ = writeln!(out, "comparison: {}", dir.join(super::HTML).display());
    out
}

/// The deltas of the given rows (one compared run after another), then the rules.
pub fn runs(deltas: &[DeltaRow], rules: &[RuleResult]) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<28} {:<36} {:<13} {:>12} {:>12} {:>12} {:>10}",
        "run", "operation", "metric", "baseline", "value", "delta", "delta %"
    );
    for d in deltas {
        let _ = writeln!(
            out,
            "{:<28} {:<36} {:<13} {:>12} {:>12} {:>12} {:>10}",
            d.run,
            d.operation,
            d.metric.key(),
            opt3(d.baseline),
            opt3(d.value),
            signed(d.delta),
            signed_pct(d.delta_pct)
        );
    }
    if !rules.is_empty() {
        out.push('\n');
    }
    for r in rules {
        let verdict = if r.passed { "PASS" } else { "FAIL" };
        let measured = match &r.worst {
            Some(w) => format!(
                "{}: {} → {} ({}, {})",
                w.operation,
                opt3(w.baseline),
                opt3(w.value),
                signed(w.delta),
                signed_pct(w.delta_pct)
            ),
            None => "no operation has this metric in both runs".to_string(),
        };
        let more = if r.breaches > 1 {
            format!(" [{} operations breach it]", r.breaches)
        } else {
            String::new()
        };
        let _ = writeln!(out, "{verdict} {} on {}: {measured}{more}", r.rule, r.run);
    }
    out
}
