//! Delay tables for every policy, with a seeded RNG.

use std::time::Duration;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use super::*;

fn plan(policy: RetryPolicy, max_retries: u32) -> RetryPlan {
    RetryPlan {
        policy,
        max_retries,
        base: Duration::from_millis(200),
        cap: Duration::from_secs(2),
        jitter: 0.5,
    }
}

fn view(code: u16, retry_after: Option<u64>, reset_in: Option<u64>) -> View {
    View {
        outcome: Outcome::Http(code),
        rate: RateInfo {
            retry_after: retry_after.map(Duration::from_secs),
            reset_epoch_s: reset_in.map(|r| 1_000_000 + r),
            ..RateInfo::default()
        },
        now_epoch_s: 1_000_000.0,
    }
}

fn ms(d: Option<Duration>) -> Option<u128> {
    d.map(|d| d.as_millis())
}

#[test]
fn none_and_ok_and_token_failures_never_retry() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let p = Retry::from_plan(&plan(RetryPolicy::None, 5));
    assert_eq!(p.delay(1, &view(429, Some(1), None), &mut rng), None);
    let p = Retry::from_plan(&plan(RetryPolicy::Exponential, 5));
    assert_eq!(p.delay(1, &view(200, None, None), &mut rng), None);
    let token = View {
        outcome: Outcome::Token(crate::metrics::TokenFailure::Http(429)),
        ..view(429, None, None)
    };
    assert_eq!(p.delay(1, &token, &mut rng), None);
}

#[test]
fn retry_after_table() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let p = Retry::from_plan(&plan(RetryPolicy::RetryAfter, 2));
    // (attempt n, view, expected ms)
    let table = [
        (1, view(429, Some(3), Some(9)), Some(3000)),
        (1, view(429, None, Some(9)), Some(9000)),
        (1, view(429, None, None), Some(200)),
        (2, view(429, Some(0), None), Some(0)),
        (3, view(429, Some(1), None), None), // out of retries
        (1, view(503, Some(1), None), None), // 429 only
    ];
    for (n, v, want) in table {
        assert_eq!(ms(p.delay(n, &v, &mut rng)), want, "n={n} {v:?}");
    }
}

#[test]
fn exponential_table_is_bounded_by_base_cap_and_jitter() {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let p = Retry::from_plan(&plan(RetryPolicy::Exponential, 6));
    // (n, lowest ms, highest ms): base 200 ms doubling, cap 2 s, +0..50 %.
    for (n, lo, hi) in [
        (1, 200, 300),
        (2, 400, 600),
        (4, 1600, 2400),
        (6, 2000, 3000),
    ] {
        let d = ms(p.delay(n, &view(500, Some(99), None), &mut rng)).unwrap_or(0);
        assert!((lo..hi).contains(&d), "n={n}: {d} ms");
    }
    assert_eq!(p.delay(7, &view(500, None, None), &mut rng), None);
    assert_eq!(p.delay(1, &view(404, None, None), &mut rng), None);
    let timeout = View {
        outcome: Outcome::Transport(TransportKind::Timeout),
        ..view(0, None, None)
    };
    assert!(p.delay(1, &timeout, &mut rng).is_some());
}

#[test]
fn sdk_node_table() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let p = Retry::from_plan(&plan(RetryPolicy::SdkNode, 2));
    // (n, view, lowest ms, highest ms)
    let table = [
        (1, view(429, Some(5), Some(30)), 5000, 5000),
        (1, view(429, Some(600), None), 60_000, 60_000),
        (1, view(429, None, Some(10)), 10_000, 12_000),
        (1, view(429, None, Some(100)), 60_000, 60_000),
        (1, view(503, None, None), 900, 1100),
        (2, view(408, None, None), 1800, 2200),
    ];
    for (n, v, lo, hi) in table {
        let d = ms(p.delay(n, &v, &mut rng)).unwrap_or(0);
        assert!((lo..=hi).contains(&d), "n={n} {v:?}: {d} ms");
    }
    assert_eq!(p.delay(3, &view(429, None, None), &mut rng), None);
    assert_eq!(p.delay(1, &view(401, None, None), &mut rng), None);
}

#[test]
fn sdk_python_table() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let p = Retry::from_plan(&plan(RetryPolicy::SdkPython, 3));
    for (n, lo, hi) in [(1, 101, 200), (2, 201, 300), (3, 401, 500)] {
        let d = ms(p.delay(n, &view(429, Some(30), None), &mut rng)).unwrap_or(0);
        assert!((lo..=hi).contains(&d), "n={n}: {d} ms");
    }
    assert_eq!(p.delay(4, &view(429, None, None), &mut rng), None);
    assert_eq!(p.delay(1, &view(503, None, None), &mut rng), None);
    // Clamped at 1 s when a larger max_retries is set.
    let p = Retry::from_plan(&plan(RetryPolicy::SdkPython, 9));
    assert_eq!(ms(p.delay(8, &view(429, None, None), &mut rng)), Some(1000));
}

#[test]
fn same_seed_same_delays() {
    let p = Retry::from_plan(&plan(RetryPolicy::SdkNode, 2));
    let run = |seed| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (1..=2)
            .map(|n| p.delay(n, &view(500, None, None), &mut rng))
            .collect::<Vec<_>>()
    };
    assert_eq!(run(11), run(11));
}
