use super::*;

/// text, operation, metric, direction, limit, relative
type Case = (
    &'static str,
    Option<&'static str>,
    Metric,
    Direction,
    f64,
    bool,
);

#[test]
fn valid_rules() {
    let cases: &[Case] = &[
        (
            "p99_ms>+10%",
            None,
            Metric::P99Ms,
            Direction::Above,
            10.0,
            true,
        ),
        (
            "p99_ms>10%",
            None,
            Metric::P99Ms,
            Direction::Above,
            10.0,
            true,
        ),
        (
            "achieved_rps<-5%",
            None,
            Metric::AchievedRps,
            Direction::Below,
            -5.0,
            true,
        ),
        (
            "p50_ms>+50",
            None,
            Metric::P50Ms,
            Direction::Above,
            50.0,
            false,
        ),
        (
            "ratio_429>+0.01",
            None,
            Metric::Ratio429,
            Direction::Above,
            0.01,
            false,
        ),
        (
            " error_ratio > +0.5 % ",
            None,
            Metric::ErrorRatio,
            Direction::Above,
            0.5,
            true,
        ),
        (
            "quota_pct>+.5%",
            None,
            Metric::QuotaPct,
            Direction::Above,
            0.5,
            true,
        ),
        (
            "list-users:p99_ms>+10%",
            Some("list-users"),
            Metric::P99Ms,
            Direction::Above,
            10.0,
            true,
        ),
        (
            "token:Management API:p99_ms>+20",
            Some("token:Management API"),
            Metric::P99Ms,
            Direction::Above,
            20.0,
            false,
        ),
        (
            "quota:https://api.example.com/:quota_pct>+1%",
            Some("quota:https://api.example.com/"),
            Metric::QuotaPct,
            Direction::Above,
            1.0,
            true,
        ),
    ];
    for (text, op, metric, direction, limit, relative) in cases {
        let rule = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(rule.operation.as_deref(), *op, "{text}");
        assert_eq!(
            (rule.metric, rule.direction, rule.limit, rule.relative),
            (*metric, *direction, *limit, *relative),
            "{text}"
        );
    }
}

#[test]
fn malformed_rules_name_the_problem() {
    let cases = [
        ("p99_ms", "no comparison"),
        ("p99_ms=+10%", "no comparison"),
        ("p98_ms>+10%", "unknown metric \"p98_ms\""),
        (">+10%", "unknown metric \"\""),
        ("p99_ms>", "no change"),
        ("p99_ms>%", "no change"),
        ("p99_ms>+ten%", "not a number"),
        ("p99_ms>+10%%", "not a number"),
        ("p99_ms>inf", "not a number"),
        ("p99_ms>1e999", "not a finite number"),
        (":p99_ms>+10%", "operation before ':' is empty"),
    ];
    for (text, want) in cases {
        let err = parse(text).err().unwrap_or_else(|| panic!("{text} parsed"));
        let msg = err.to_string();
        assert!(msg.contains(want), "{text}: {msg}");
        assert!(msg.starts_with("--fail-if "), "{msg}");
        assert!(msg.contains("[OPERATION:]METRIC(>|<)CHANGE"), "{msg}");
    }
}

fn row(op: &str, metric: Metric, baseline: f64, value: f64) -> DeltaRow {
    DeltaRow {
        baseline_run: "a".into(),
        run: "b".into(),
        operation: op.into(),
        metric,
        baseline: Some(baseline),
        value: Some(value),
        delta: Some(value - baseline),
        delta_pct: Some(super::super::runs::relative(baseline, value)),
    }
}

#[test]
fn judging_picks_the_worst_change() {
    let rows = vec![
        row("list-users", Metric::P99Ms, 100.0, 130.0),
        row("get-user", Metric::P99Ms, 100.0, 105.0),
        row("list-users", Metric::AchievedRps, 10.0, 9.0),
    ];
    let judge = |text: &str| parse(text).map(|r| r.judge("b", &rows)).ok();
    let r = judge("p99_ms>+10%").unwrap_or_else(|| panic!("parse"));
    assert!(!r.passed);
    assert_eq!(r.breaches, 1);
    assert_eq!(r.worst.map(|w| w.operation), Some("list-users".to_string()));
    assert!(judge("p99_ms>+50%").is_some_and(|r| r.passed));
    assert!(judge("p99_ms>+29").is_some_and(|r| !r.passed));
    assert!(judge("get-user:p99_ms>+10%").is_some_and(|r| r.passed));
    assert!(judge("achieved_rps<-5%").is_some_and(|r| !r.passed)); // -10 %
    assert!(judge("achieved_rps<-20%").is_some_and(|r| r.passed));
    // Nothing to judge: passes with no worst row.
    let none = judge("quota_pct>+1%").unwrap_or_else(|| panic!("parse"));
    assert!(none.passed && none.worst.is_none());
}
