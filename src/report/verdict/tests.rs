//! Deciding a run's findings, and wording them.

use super::*;
use crate::metrics::RunFacts;

fn run(rows: Vec<SummaryRow>) -> Snapshot {
    Snapshot {
        summary: rows,
        run: RunFacts {
            scenario: Some("s".into()),
            duration_s: Some(10.0),
            stop_reason: Some("completed".into()),
            dropped_busy: Some(1),
            ..RunFacts::default()
        },
        ..Snapshot::default()
    }
}

#[test]
fn decides_findings_then_words_them() {
    let list = SummaryRow {
        operation: "list".into(),
        scheduled: 11,
        sent: 10,
        dropped: 1,
        ok: 7,
        status_429: 2,
        transport_errors: 1,
        first_429_s: Some(3.25),
        ..SummaryRow::default()
    };
    // No ALL row: the verdict adds the operations' rows.
    let s = run(vec![list]);
    let info = RunInfo::from_snapshot(&s);
    let j = decide(&s, &info, &[]);
    assert_eq!(j.outcome, Outcome::DoesNotFit);
    assert_eq!(j.reasons, vec![Reason::RateLimited, Reason::OtherFailures]);
    assert_eq!(
        j.findings.get(1),
        Some(&Finding::RateLimited {
            status_429: 2,
            sent: 10,
            per_operation: vec![("list".into(), 2)],
            first: Some((3.25, "list".into())),
            bucket: None,
        })
    );
    assert!(j.findings.contains(&Finding::Dropped {
        dropped: 1,
        causes: Some((1, 0, 0)),
    }));
    assert_eq!(
        j.findings.last(),
        Some(&Finding::Thresholds {
            total: 0,
            broken: vec![]
        })
    );
    let v = judge(&s, &info, &[]);
    assert_eq!((v.fits, v.label), (false, "does not fit"));
    assert_eq!(v.reasons, vec!["429s", "other failures"]);
    assert_eq!(v.sentences.len(), j.findings.len());
    assert_eq!(
        v.sentences.first().map(String::as_str),
        Some(
            "Verdict: does not fit (429s, other failures). s ran 10.0 s (stop: completed): 10 of 11 scheduled requests were sent, 7 succeeded."
        )
    );
    assert!(
        v.sentences
            .contains(&"1 requests failed otherwise (1 transport errors).".into())
    );
    assert!(v.sentences.contains(&"No thresholds were set.".into()));

    let quiet = run(vec![]);
    let j = decide(&quiet, &RunInfo::from_snapshot(&quiet), &[]);
    assert_eq!((j.outcome, j.reasons.len()), (Outcome::NothingSent, 0));
    assert_eq!(j.findings.get(1), Some(&Finding::NoRateLimit));
    assert_eq!(
        wording::sentence(&Finding::NoRateLimit),
        "No request was rate-limited (no 429)."
    );
}
