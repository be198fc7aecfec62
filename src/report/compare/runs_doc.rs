//! The runs comparison as a [`Document`]: verdict (rules), rules and deltas tables, and the
//! same side-by-side charts as the tier comparison, one series per run.

use crate::report::document::Document;
use crate::report::verdict::Verdict;

use super::charts;
use super::document::{GLOSSARY, opt3, table};
use super::rule::RuleResult;
use super::runs::{DeltaRow, LabelledRun, signed, signed_pct};

/// The runs comparison's document.
pub fn runs_document(
    series: &[LabelledRun],
    deltas: &[DeltaRow],
    rules: &[RuleResult],
    warnings: &[String],
) -> Document {
    let failed = rules.iter().filter(|r| !r.passed).count();
    let base = series.first().map(|s| s.label.clone()).unwrap_or_default();
    let mut sentences = vec![if rules.is_empty() {
        format!(
            "Compared {} runs against the baseline {base}; no --fail-if rules were given.",
            series.len().saturating_sub(1)
        )
    } else if failed == 0 {
        format!(
            "All {} rule checks passed against the baseline {base}.",
            rules.len()
        )
    } else {
        format!(
            "{failed} of {} rule checks failed against the baseline {base}.",
            rules.len()
        )
    }];
    sentences.extend(warnings.iter().cloned());
    let delta_rows = deltas
        .iter()
        .map(|d| {
            vec![
                d.run.clone(),
                d.operation.clone(),
                d.metric.key().to_string(),
                opt3(d.baseline),
                opt3(d.value),
                signed(d.delta),
                signed_pct(d.delta_pct),
            ]
        })
        .collect();
    let rule_rows: Vec<Vec<String>> = rules
        .iter()
        .map(|r| {
            let w = r.worst.as_ref();
            vec![
                if r.passed { "PASS" } else { "FAIL" }.to_string(),
                r.rule.clone(),
                r.run.clone(),
                w.map(|w| w.operation.clone())
                    .unwrap_or_else(|| "(no data)".into()),
                opt3(w.and_then(|w| w.baseline)),
                opt3(w.and_then(|w| w.value)),
                signed(w.and_then(|w| w.delta)),
                signed_pct(w.and_then(|w| w.delta_pct)),
            ]
        })
        .collect();
    let mut tables = Vec::new();
    if !rule_rows.is_empty() {
        tables.push(table(
            "Rules",
            "Each --fail-if rule on each compared run, with the operation whose change was worst.",
            vec![
                "result",
                "rule",
                "run",
                "operation",
                "baseline",
                "value",
                "delta",
                "delta %",
            ],
            vec![false, false, false, false, true, true, true, true],
            rule_rows,
        ));
    }
    tables.push(table(
        "Deltas",
        "Every operation and metric against the baseline (the first folder).",
        vec![
            "run",
            "operation",
            "metric",
            "baseline",
            "value",
            "delta",
            "delta %",
        ],
        vec![false, false, false, true, true, true, true],
        delta_rows,
    ));
    Document {
        title: format!("quotaprobe run comparison against {base}"),
        subtitle: None,
        verdict: Verdict {
            fits: failed == 0,
            label: if failed == 0 {
                "no regression"
            } else {
                "regression"
            },
            reasons: Vec::new(),
            sentences,
        },
        charts: charts::all(series, "run"),
        tables,
        glossary: GLOSSARY,
    }
}
