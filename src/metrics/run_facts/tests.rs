//! Rendering and parsing `run.csv`'s facts: every key round-trips to the same text, in the same
//! order; what this version does not know is kept verbatim.

use super::*;

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Every field set, as a simulated shard run with a static token would have them (plus the
/// merge's and a real run's facts, which no single run has together).
fn full() -> RunFacts {
    RunFacts {
        scenario: Some("mix".into()),
        description: Some("a, \"quoted\" line".into()),
        seed: Some(42),
        target: Some("http://127.0.0.1:4000".into()),
        start: Some("2026-11-23T19:00:00.123456Z".into()),
        duration_s: Some(ms_precision(20.000_4)),
        drain_s: Some(ms_precision(0.0126)),
        clock: Some(RunClock::Virtual),
        wall_s: Some(ms_precision(1.2345)),
        forecast: Some(true),
        timeline_resolution_s: Some(3600),
        stop_reason: Some("completed".into()),
        stop_detail: Some("all phases completed".into()),
        version: Some("0.1.0".into()),
        token_strategy: Some("static".into()),
        retry_policy: Some("auth0-sdk".into()),
        max_retries: Some(3),
        planned_arrivals: Some(210),
        dropped_busy: Some(2),
        dropped_late: Some(0),
        dropped_stopping: Some(1),
        drop_late_after_s: Some(0.02),
        bad_headers: Some(0),
        token_requests_sent: Some(13),
        shard: Some(Shard { index: 1, count: 3 }),
        base_seed: Some(7),
        scenario_sha256: Some("ab12".into()),
        static_token_exp: Some("unknown".into()),
        reach: ReachFacts {
            answered: Some(205),
            connection_errors: Some(3),
            calls_without_token: Some(0),
            last_answer_s: Some(None),
            after_last_answer: Some(3),
            silent_for_s: Some(1.5),
        },
        observed: ObservedFacts {
            quota_ran_out_s: Some(Some(1_296_000.25)),
            quota_ran_out_at: Some("2026-12-16T00:00:00Z".into()),
            quota_month: Some("2026-12".into()),
            quota_refused_tokens: Some(420),
            quota_failed: Some(vec![("orders api".into(), 420), ("token:x".into(), 420)]),
            work_finished_s: Some(None),
        },
        tenant_domain: Some("example.eu.auth0.com".into()),
        tier: Some("free".into()),
        tier_monthly_quota: Some(None),
        tier_quota_hard_block: Some(false),
        tier_quota_source: Some("https://auth0.com/pricing".into()),
        month_to_date_tokens: Some(0),
        cap_max_duration_s: Some(7200),
        cap_max_tokens: Some(100),
        buckets: vec![],
        limits: vec![Limit {
            bucket: "mgmt-users".into(),
            rule: "10 burst / 2 per second".into(),
            source: "https://auth0.com/docs (rate limits)".into(),
        }],
        shards: Some(3),
        shards_merged: Some(vec![
            Shard { index: 0, count: 3 },
            Shard { index: 2, count: 3 },
        ]),
        shard_folders: vec![ShardFolder {
            shard: Shard { index: 2, count: 3 },
            dir: "out/s2 (copy)".into(),
            start: "2026-11-23T19:00:02.6Z".into(),
            offset_s: ms_precision(2.6),
        }],
        extra: pairs(&[("from_a_newer_version", "x")]),
        layout: Layout::default(),
    }
}

#[test]
fn every_key_renders_in_the_documented_order_with_the_contracts_formats() {
    let got = full().to_pairs();
    let want = pairs(&[
        ("scenario", "mix"),
        ("seed", "42"),
        ("target", "http://127.0.0.1:4000"),
        ("start", "2026-11-23T19:00:00.123456Z"),
        ("duration_s", "20.000"),
        ("drain_s", "0.013"),
        ("clock", "virtual"),
        ("wall_s", "1.234"),
        ("forecast", "true"),
        ("timeline_resolution_s", "3600"),
        ("stop_reason", "completed"),
        ("stop_detail", "all phases completed"),
        ("version", "0.1.0"),
        ("token_strategy", "static"),
        ("retry_policy", "auth0-sdk"),
        ("max_retries", "3"),
        ("planned_arrivals", "210"),
        ("dropped_busy", "2"),
        ("dropped_late", "0"),
        ("dropped_stopping", "1"),
        ("drop_late_after_s", "0.020"),
        ("bad_headers", "0"),
        ("token_requests_sent", "13"),
        ("shard", "1/3"),
        ("base_seed", "7"),
        ("scenario_sha256", "ab12"),
        ("static_token_exp", "unknown"),
        ("answered", "205"),
        ("connection_errors", "3"),
        ("calls_without_token", "0"),
        ("last_answer_s", ""),
        ("connection_errors_after_last_answer", "3"),
        ("silent_for_s", "1.500"),
        ("quota_ran_out_s", "1296000.250"),
        ("quota_ran_out_at", "2026-12-16T00:00:00Z"),
        ("quota_month", "2026-12"),
        ("quota_refused_tokens", "420"),
        ("quota_failed_operations", "orders api 420; token:x 420"),
        ("work_finished_s", ""),
        ("description", "a, \"quoted\" line"),
        ("tenant_domain", "example.eu.auth0.com"),
        ("tier", "free"),
        ("tier_monthly_quota", ""),
        ("tier_quota_hard_block", "false"),
        ("tier_quota_source", "https://auth0.com/pricing"),
        ("month_to_date_tokens", "0"),
        ("cap_max_duration_s", "7200"),
        ("cap_max_tokens", "100"),
        (
            "limit:mgmt-users",
            "10 burst / 2 per second (https://auth0.com/docs (rate limits))",
        ),
        ("shards", "3"),
        ("shards_merged", "0/3 2/3"),
        (
            "shard:2/3",
            "out/s2 (copy) (start 2026-11-23T19:00:02.6Z, offset 2.600 s)",
        ),
        ("from_a_newer_version", "x"),
    ]);
    assert_eq!(got, want);
    // Unset facts write no key at all.
    assert!(RunFacts::default().to_pairs().is_empty());
}

#[test]
fn parse_of_render_is_identity_field_for_field() {
    let facts = full();
    let back = RunFacts::from_pairs(facts.to_pairs());
    // Every key this version writes is known to its parser: only the real extra stays extra.
    assert_eq!(back.extra, pairs(&[("from_a_newer_version", "x")]));
    assert_eq!(back.to_pairs(), facts.to_pairs());
    assert_eq!(back, facts);
    assert_eq!(back.reach, facts.reach);
    assert_eq!(back.observed, facts.observed);
    assert_eq!(back.limits, facts.limits);
    assert_eq!(back.shard_folders, facts.shard_folders);
    assert_eq!(back.shards_merged, facts.shards_merged);
    assert_eq!(
        (back.clock, back.wall_s),
        (Some(RunClock::Virtual), Some(1.234))
    );
    assert_eq!(
        (back.duration_s, back.drain_s, back.tier_monthly_quota),
        (Some(20.0), Some(0.013), Some(None))
    );
    let known = RunFacts {
        tier_monthly_quota: Some(Some(1000)),
        reach: ReachFacts {
            last_answer_s: Some(Some(4.2)),
            ..ReachFacts::default()
        },
        ..RunFacts::default()
    };
    let back = RunFacts::from_pairs(known.to_pairs());
    assert_eq!(back.tier_monthly_quota, Some(Some(1000)));
    assert_eq!(back.reach.last_answer_s, Some(Some(4.2)));
}

#[test]
fn a_folder_read_back_keeps_its_order_unknown_keys_and_bad_values() {
    // An older writer's order, a key this version does not know, a value that does not parse,
    // a repeated key.
    let file = pairs(&[
        ("scenario", "x"),
        ("tier", "free"),
        ("legacy_key", "kept"),
        ("month_to_date_tokens", "junk"),
        ("duration_s", "12.000"),
        ("seed", "1"),
        ("seed", "2"),
        ("limit:odd", "no parenthesis"),
    ]);
    let facts = RunFacts::from_pairs(file.clone());
    assert_eq!(facts.to_pairs(), file);
    assert_eq!(facts.scenario.as_deref(), Some("x"));
    assert_eq!((facts.seed, facts.duration_s), (Some(1), Some(12.0)));
    assert_eq!(facts.month_to_date_tokens, None);
    assert_eq!(facts.extra_value("month_to_date_tokens"), Some("junk"));
    assert_eq!(facts.extra_value("legacy_key"), Some("kept"));
    assert_eq!(facts.extra_value("seed"), Some("2"));
    assert!(facts.limits.is_empty());
    // Set after reading: written after what was read, a cleared fact not at all.
    let mut changed = facts.clone();
    changed.shards = Some(2);
    changed.scenario = None;
    let keys: Vec<String> = changed.to_pairs().into_iter().map(|(k, _)| k).collect();
    assert_eq!(keys.first().map(String::as_str), Some("tier"));
    assert_eq!(keys.last().map(String::as_str), Some("shards"));
    assert_ne!(changed, facts);
}

#[test]
fn seconds_are_kept_as_written() {
    for (s, text) in [(20.000_4, "20.000"), (0.0126, "0.013"), (1.0, "1.000")] {
        assert_eq!(format!("{:.3}", ms_precision(s)), text);
        assert_eq!(ms_precision(s), text.parse::<f64>().unwrap_or(f64::NAN));
    }
}
