//! `report.html` and the charts: self-contained (no fetches, no scripts), well-formed, one
//! `<svg>` per chart with units and captions, hostile names escaped, long runs bucketed.

#![allow(clippy::unwrap_used)]

use crate::support::report as report_common;

use std::fs;

use quotaprobe::report;
use report_common::{snapshot, threshold_results};

fn written() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let s = snapshot();
    report::write_all(tmp.path(), &s, &threshold_results(&s)).unwrap();
    tmp
}

fn tags(html: &str) -> Vec<(bool, String)> {
    // (closing, name) for every tag; void and self-closing tags are skipped.
    const VOID: [&str; 6] = ["meta", "br", "img", "hr", "input", "link"];
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        let end = rest.find('>').expect("unclosed tag");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        if tag.starts_with('!') || tag.ends_with('/') {
            continue;
        }
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        if !VOID.contains(&name.as_str()) {
            out.push((closing, name));
        }
    }
    out
}

#[test]
fn html_is_self_contained_and_well_formed() {
    let tmp = written();
    let html = fs::read_to_string(tmp.path().join("report.html")).unwrap();
    let lower = html.to_lowercase();
    for forbidden in [
        "src=", "href=", "url(", "@import", "<script", "<link", "<img", "<iframe",
    ] {
        assert!(
            !lower.contains(forbidden),
            "report.html contains {forbidden}"
        );
    }
    assert_eq!(html.matches("<svg").count(), 4, "one <svg> per chart");
    assert_eq!(html.matches("</svg>").count(), 4);
    let mut stack: Vec<String> = Vec::new();
    for (closing, name) in tags(&html) {
        if closing {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.as_str()),
                "unbalanced </{name}>"
            );
        } else {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    // Units on every axis, an explanation under every chart, a glossary.
    for label in [
        "requests per second",
        "latency, milliseconds",
        "requests left in the bucket",
        "M2M tokens per 30-day month",
    ] {
        assert!(html.contains(label), "axis label {label}");
    }
    assert_eq!(html.matches("<figcaption>").count(), 4);
    assert!(html.contains("<h2>Glossary</h2>") && html.contains("<dt>dropped</dt>"));
    // Event markers on the three time charts.
    assert_eq!(html.matches("5 s: rotate-secret backend").count(), 3);
    assert!(html.contains("class=\"verdict nofit\""));
    assert!(html.contains("<tr class=\"fail\">"));
}

#[test]
fn long_runs_are_grouped_into_at_most_600_bars() {
    let mut s = quotaprobe::metrics::Snapshot::default();
    for second in 0..7200 {
        s.timeline.push(quotaprobe::metrics::TimelineRow {
            second,
            operation: "list-users".into(),
            scheduled: 10,
            sent: 10,
            ok: 10,
            p50_ms: 20.0,
            p99_ms: 50.0 + (second % 12) as f64,
            ratelimit_remaining_min: Some(40 - second % 12),
            ..Default::default()
        });
    }
    let doc = report::document::build(&s, &[]);
    let requests = &doc.charts[0];
    // 7,200 s → 12-second buckets → 600 bars (plus the background and legend rects).
    assert!(
        requests.svg.matches("<rect").count() <= 601,
        "{}",
        requests.svg.matches("<rect").count()
    );
    assert!(
        requests
            .explain
            .contains("each bar or point covers 12 seconds")
    );
    // Averaged rate: 10 requests per second, not 120 per bucket (y ticks are end-anchored).
    assert!(
        requests.svg.contains("text-anchor=\"end\">10</text>")
            && !requests.svg.contains("text-anchor=\"end\">120</text>")
    );
    // A two-hour run's time axis is in minutes: 0 to 120.
    assert!(requests.svg.contains("minutes since the run started"));
    assert!(requests.svg.contains("text-anchor=\"middle\">120</text>"));
    let latency = &doc.charts[1].svg;
    assert!(
        latency.contains(">60</text>"),
        "worst second of each bucket sets the axis"
    );
}

#[test]
fn hostile_names_are_escaped_and_round_trip() {
    let mut s = snapshot();
    let evil = "<img src=x onerror=alert(1)>, \"quoted\" op:service";
    for r in s.summary.iter_mut().filter(|r| r.operation == "get-user") {
        r.operation = evil.into();
    }
    for r in s.timeline.iter_mut().filter(|r| r.operation == "get-user") {
        r.operation = evil.into();
    }
    for h in s
        .histograms
        .iter_mut()
        .filter(|h| h.operation == "get-user")
    {
        h.operation = evil.into();
    }
    let tmp = tempfile::tempdir().unwrap();
    report::write(tmp.path(), &s).unwrap();
    let html = fs::read_to_string(tmp.path().join("report.html")).unwrap();
    assert!(!html.contains("<img") && html.contains("&lt;img src=x"));
    let md = fs::read_to_string(tmp.path().join("report.md")).unwrap();
    // Every `<img` is escaped as `\<img`, so Markdown renderers show it as text.
    assert!(md.contains("\\<img"));
    assert_eq!(md.matches("<img").count(), md.matches("\\<img").count());
    let back = report::read(tmp.path()).unwrap();
    assert_eq!(back.summary, s.summary);
    assert_eq!(back.timeline, s.timeline);
    let names: Vec<&str> = back
        .histograms
        .iter()
        .map(|h| h.operation.as_str())
        .collect();
    assert_eq!(names, ["list-users", "orders-token", evil]);
    assert!(back.histograms[2].service_us == s.histograms[2].service_us);
}
