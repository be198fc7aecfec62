//! JUnit XML of a run's thresholds (`run --junit FILE`) and of `compare`'s `--fail-if` rules or
//! per-tier thresholds (`compare --junit FILE`): one `<testcase>` per threshold or rule, a
//! `<failure>` with the observed value and the limit when it broke. CI systems (GitHub,
//! GitLab, Jenkins) read this shape; docs/reports.md "JUnit XML" describes it.
//!
//! A small writer rather than a crate: five elements, attribute escaping, nothing else.

use crate::metrics::ThresholdResult;
use crate::report::compare::rule::RuleResult;

/// One test case: what was checked and, when it broke, why.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// e.g. `quotaprobe.thresholds.quickstart` or `quotaprobe.compare.reports/b`.
    pub classname: String,
    /// e.g. `list-users p99_ms <= 800`.
    pub name: String,
    /// `Some(message)` when it failed: the observed value and the limit.
    pub failure: Option<String>,
}

/// One case per threshold of a run of `scenario` (`prefix` tells runs of several tiers apart).
pub fn threshold_cases(prefix: &str, results: &[ThresholdResult]) -> Vec<Case> {
    results
        .iter()
        .map(|t| {
            let op = if t.metric.is_minimum() { ">=" } else { "<=" };
            let limit = trim_number(t.limit);
            let measured = t
                .measured
                .map_or("no data".to_string(), |m| format!("{m:.3}"));
            Case {
                classname: prefix.to_string(),
                name: format!("{} {} {op} {limit}", t.operation, t.metric.key()),
                failure: (!t.passed).then(|| {
                    format!(
                        "{} {}: observed {measured}, limit {op} {limit}",
                        t.operation,
                        t.metric.key()
                    )
                }),
            }
        })
        .collect()
}

/// One case per `--fail-if` rule × compared run.
pub fn rule_cases(results: &[RuleResult]) -> Vec<Case> {
    results
        .iter()
        .map(|r| {
            let worst = r.worst.as_ref().map(|w| {
                format!(
                    "{}: baseline {}, observed {}, change {} ({})",
                    w.operation,
                    opt3(w.baseline),
                    opt3(w.value),
                    opt3(w.delta),
                    w.delta_pct
                        .map_or("n/a".to_string(), |p| format!("{p:+.1}%"))
                )
            });
            Case {
                classname: format!("quotaprobe.compare.{}", r.run),
                name: format!("--fail-if {}", r.rule),
                failure: (!r.passed).then(|| {
                    format!(
                        "rule {} broken by {} operation(s); worst {}",
                        r.rule,
                        r.breaches,
                        worst.unwrap_or_else(|| "unknown".to_string())
                    )
                }),
            }
        })
        .collect()
}

/// The whole file: one `<testsuite>` named `suite` inside `<testsuites>`.
pub fn render(suite: &str, cases: &[Case]) -> String {
    let failures = cases.iter().filter(|c| c.failure.is_some()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"quotaprobe\" tests=\"{}\" failures=\"{failures}\">\n",
        cases.len()
    ));
    out.push_str(&format!(
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n",
        escape(suite),
        cases.len()
    ));
    for c in cases {
        let head = format!(
            "    <testcase classname=\"{}\" name=\"{}\"",
            escape(&c.classname),
            escape(&c.name)
        );
        match &c.failure {
            None => out.push_str(&format!("{head}/>\n")),
            Some(m) => out.push_str(&format!(
                "{head}>\n      <failure message=\"{}\" type=\"threshold\">{}</failure>\n    </testcase>\n",
                escape(m),
                escape(m)
            )),
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// XML text and attribute escaping; control characters XML 1.0 forbids become spaces.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

fn opt3(v: Option<f64>) -> String {
    v.map_or("n/a".to_string(), |v| format!("{v:.3}"))
}

/// `800` rather than `800.000`, `0.05` as is.
fn trim_number(v: f64) -> String {
    let s = format!("{v:.6}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_counts_failures() {
        let cases = [
            Case {
                classname: "c".into(),
                name: "a <b> & \"c\"".into(),
                failure: None,
            },
            Case {
                classname: "c".into(),
                name: "x".into(),
                failure: Some("observed 2 > 1".into()),
            },
        ];
        let xml = render("s", &cases);
        assert!(xml.contains("tests=\"2\" failures=\"1\""), "{xml}");
        assert!(
            xml.contains("name=\"a &lt;b&gt; &amp; &quot;c&quot;\"/>"),
            "{xml}"
        );
        assert!(xml.contains("message=\"observed 2 &gt; 1\""), "{xml}");
        assert_eq!(trim_number(800.0), "800");
        assert_eq!(trim_number(0.05), "0.05");
        assert_eq!(escape("a\u{1}b"), "a b");
    }
}
