//! Merge on known data: percentiles equal those of the union of the samples, counts conserve,
//! seconds align by start offset, and shards of different runs are refused.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use super::*;
use crate::metrics::timeline::new_histogram;
use crate::metrics::{OperationHistograms, RunFacts, SummaryRow, TimelineRow};

/// A shard whose `list` operation saw `samples` (µs), `n429` of them 429s, all at `second`.
fn shard(i: u64, n: u64, start: &str, samples: &[u64], n429: u64, second: u64) -> Input {
    let mut corrected = new_histogram();
    for &v in samples {
        corrected.record(v).unwrap();
    }
    let sent = samples.len() as u64;
    let row = |op: &str| SummaryRow {
        operation: op.into(),
        kind: if op == "ALL" { "all" } else { "management" }.into(),
        scheduled: sent + 1,
        sent,
        dropped: 1,
        ok: sent - n429,
        status_429: n429,
        first_429_s: (n429 > 0).then_some(second as f64 + 0.5),
        ..SummaryRow::default()
    };
    let run = RunFacts {
        scenario: Some("s".into()),
        seed: Some(123),
        start: Some(start.into()),
        duration_s: Some(10.0),
        planned_arrivals: Some(9),
        tier: Some("free".into()),
        base_seed: Some(7),
        scenario_sha256: Some("abc".into()),
        shard: Some(Shard { index: i, count: n }),
        ..RunFacts::default()
    };
    Input {
        dir: PathBuf::from(format!("shard{i}")),
        snapshot: Snapshot {
            run,
            summary: vec![row("list"), row("ALL")],
            timeline: vec![TimelineRow {
                second,
                operation: "list".into(),
                scheduled: sent + 1,
                sent,
                dropped: 1,
                ok: sent - n429,
                status_429: n429,
                ..TimelineRow::default()
            }],
            histograms: vec![OperationHistograms {
                operation: "list".into(),
                service_us: corrected.clone(),
                corrected_us: corrected,
            }],
            ..Snapshot::default()
        },
    }
}

#[test]
fn percentiles_are_those_of_the_union_and_counts_conserve() {
    // Three shards with very different latency: averaging their p99s would be far off.
    let a: Vec<u64> = (1..=100).map(|v| v * 10).collect(); // 10 µs .. 1 ms
    let b: Vec<u64> = (1..=50).map(|v| v * 1_000).collect(); // 1 .. 50 ms
    let c: Vec<u64> = vec![200_000; 5]; // 200 ms
    let inputs = vec![
        shard(0, 3, "2026-11-28T10:00:00.000Z", &a, 0, 0),
        shard(1, 3, "2026-11-28T10:00:00.020Z", &b, 3, 1),
        shard(2, 3, "2026-11-28T10:00:02.600Z", &c, 2, 0),
    ];
    let merged = merge(&inputs).unwrap();
    assert!(merged.warnings.is_empty(), "{:?}", merged.warnings);
    let s = &merged.snapshot;

    let mut union = new_histogram();
    for v in a.iter().chain(&b).chain(&c) {
        union.record(*v).unwrap();
    }
    let ms = |us: u64| us as f64 / 1000.0;
    let list = s.summary.iter().find(|r| r.operation == "list").unwrap();
    assert_eq!(list.p50_ms, ms(union.value_at_quantile(0.5)));
    assert_eq!(list.p99_ms, ms(union.value_at_quantile(0.99)));
    assert_eq!(list.max_ms, ms(union.max()));
    // The union's p99 is one of shard 2's 200 ms samples; no shard's p99 average comes near.
    assert!((list.p99_ms - 200.0).abs() < 0.2, "{}", list.p99_ms);
    let all = s.summary.last().unwrap();
    assert_eq!(all.operation, "ALL");
    assert_eq!(all.p99_ms, list.p99_ms);
    let p99 = s
        .latency
        .iter()
        .find(|l| l.operation == "list" && l.percentile == 99.0)
        .unwrap();
    assert_eq!(p99.corrected_ms, ms(union.value_at_percentile(99.0)));

    // Counts add and conserve.
    assert_eq!((list.sent, list.dropped, list.scheduled), (155, 3, 158));
    assert_eq!((list.ok, list.status_429), (150, 5));
    assert_eq!(list.ok + list.status_429, list.sent);
    // Shard 2 started 2.6 s later: its first 429 (0.5 s into it) is at 3.1 s; shard 1's at 1.52.
    assert!((list.first_429_s.unwrap() - 1.52).abs() < 1e-9);
    // Duration: earliest start to latest end = 2.6 + 10.
    assert!((list.achieved_rps - 155.0 / 12.6).abs() < 1e-9);

    // Timeline: shard 2's second 0 lands on second 3 (offset 2.6 s rounds to 3).
    let seconds: Vec<(u64, u64)> = s.timeline.iter().map(|t| (t.second, t.sent)).collect();
    assert_eq!(seconds, vec![(0, 100), (1, 50), (3, 5)]);
    assert_eq!(s.timeline.iter().map(|t| t.scheduled).sum::<u64>(), 158);

    let pairs = s.run.to_pairs();
    let fact = |k: &str| {
        let found = pairs.iter().find(|(key, _)| key == k);
        found.map(|(_, v)| v.clone()).unwrap_or_default()
    };
    assert_eq!(fact("shards_merged"), "0/3 1/3 2/3");
    assert_eq!(fact("planned_arrivals"), "27");
    assert_eq!(fact("seed"), "7");
    assert_eq!(fact("duration_s"), "12.600");
    assert!(fact("shard:2/3").starts_with("shard2 (start 2026-11-28T10:00:02.600Z"));
    assert!(s.run.shard.is_none() && pairs.iter().all(|(k, _)| k != "shard"));
}

#[test]
fn refuses_shards_of_other_runs_and_duplicates_and_warns_about_gaps() {
    let t = "2026-11-28T10:00:00Z";
    let with = |change: fn(&mut RunFacts)| {
        let mut i = shard(1, 3, t, &[5], 0, 0);
        change(&mut i.snapshot.run);
        i
    };
    type Change = fn(&mut RunFacts);
    let cases: [(&str, Change, &str); 5] = [
        (
            "scenario_sha256",
            |r| r.scenario_sha256 = Some("other".into()),
            "`scenario_sha256`",
        ),
        (
            "scenario",
            |r| r.scenario = Some("other".into()),
            "`scenario`",
        ),
        ("base_seed", |r| r.base_seed = Some(8), "`base_seed`"),
        ("tier", |r| r.tier = Some("essentials".into()), "`tier`"),
        (
            "shard",
            |r| r.shard = Some(Shard { index: 1, count: 4 }),
            "`shard_count`",
        ),
    ];
    for (key, change, says) in cases {
        let e = merge(&[shard(0, 3, t, &[5], 0, 0), with(change)])
            .err()
            .unwrap();
        assert!(e.to_string().contains(says), "{key}: {e}");
    }
    let dup = merge(&[shard(0, 3, t, &[5], 0, 0), shard(0, 3, t, &[6], 0, 0)]).err();
    assert!(matches!(dup, Some(MergeError::Duplicate { .. })));
    let mut plain = shard(0, 3, t, &[5], 0, 0);
    plain.snapshot.run.shard = None;
    assert!(matches!(
        merge(&[plain]).err(),
        Some(MergeError::NotAShard { .. })
    ));
    let gap = merge(&[shard(0, 3, t, &[5], 0, 0), shard(2, 3, t, &[5], 0, 0)]).unwrap();
    assert!(
        gap.warnings
            .iter()
            .any(|w| w.contains("missing shard(s) 1/3")),
        "{:?}",
        gap.warnings
    );
}

#[test]
fn a_shard_value_that_does_not_parse_is_named() {
    let t = "2026-11-28T10:00:00Z";
    let mut bad_shard = shard(0, 3, t, &[5], 0, 0);
    let mut pairs = bad_shard.snapshot.run.to_pairs();
    for (k, v) in &mut pairs {
        if k == "shard" {
            *v = "3of3".into();
        }
    }
    bad_shard.snapshot.run = RunFacts::from_pairs(pairs);
    let e = merge(&[bad_shard]).err().unwrap().to_string();
    assert!(e.contains("`shard` = \"3of3\" is not valid"), "{e}");
    let mut no_duration = shard(0, 3, t, &[5], 0, 0);
    no_duration.snapshot.run.duration_s = None;
    let e = merge(&[no_duration]).err().unwrap().to_string();
    assert!(e.contains("`duration_s` = \"\" is not valid"), "{e}");
}

#[test]
fn wide_timeline_rows_are_re_bucketed_on_the_merged_clock() {
    // Per-minute shards; shard 1 started 75 s later, so its row of minute 0 starts at 75 s and
    // lands in the merged minute 60 (the bucket of its shifted start).
    let mut inputs = vec![
        shard(0, 2, "2026-11-28T10:00:00.000Z", &[10, 20], 0, 60),
        shard(1, 2, "2026-11-28T10:01:15.000Z", &[30], 1, 0),
    ];
    for i in &mut inputs {
        i.snapshot.run.timeline_resolution_s = Some(60);
    }
    let merged = merge(&inputs).unwrap();
    let s = &merged.snapshot;
    assert_eq!(s.run.timeline_resolution_s, Some(60));
    let rows: Vec<(u64, u64, u64)> = s
        .timeline
        .iter()
        .map(|t| (t.second, t.sent, t.status_429))
        .collect();
    assert_eq!(rows, vec![(60, 3, 1)]);
    assert!(s.timeline.iter().all(|t| t.second % 60 == 0));
}
