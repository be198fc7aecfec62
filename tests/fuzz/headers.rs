//! Fuzz target: the rate-limit and quota header parsers (`ops::ratelimit`) and the retry policies
//! that act on what they parsed. Every response of a load test goes through them, so any header a
//! misbehaving tenant or proxy can send must give a value or a counted `bad`, never a panic, and
//! no policy may turn a parsed value into a panic or an unbounded preset wait.
//!
//! Time-boxed (see `fuzz_support`): ~10 s per target in CI, `QUOTAPROBE_FUZZ_SECS` for longer.
#![allow(clippy::unwrap_used)]

use crate::support::fuzz as fuzz_support;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use proptest::prelude::*;
use quotaprobe::engine::retry::{Retry, View};
use quotaprobe::metrics::{Outcome, TransportKind};
use quotaprobe::ops::ratelimit::{self, RateInfo};
use quotaprobe::scenario::{RetryPlan, RetryPolicy};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

const NAMES: [&str; 5] = [
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "retry-after",
    "auth0-client-quota-limit",
];

/// Latest date `httpdate` renders (year 9999).
const MAX_DATE_S: u64 = 253_402_300_799;

/// A header value as bytes: numbers in every shape, dates in the three HTTP forms, quota lists,
/// and raw bytes (invalid UTF-8 and control characters included).
fn value() -> impl Strategy<Value = Vec<u8>> {
    let pad = || prop::sample::select(vec!["", " ", "\t", "  "]);
    prop_oneof![
        (pad(), any::<u64>(), pad()).prop_map(|(a, n, b)| format!("{a}{n}{b}").into_bytes()),
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        any::<f64>().prop_map(|f| f.to_string().into_bytes()),
        "[0-9]{19,40}".prop_map(String::into_bytes),
        "[+-]?[0-9]{0,4}[.eE_,xX]?[0-9]{0,4}".prop_map(String::into_bytes),
        (0..=MAX_DATE_S).prop_map(
            |s| httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(s)).into_bytes()
        ),
        // RFC 850 and asctime forms, and near-dates with a field out of range.
        (1u32..=31, 0u32..=30, 0u32..=99, 0u32..=25, 0u32..=61).prop_map(|(d, m, y, h, s)| {
            let mon = [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ];
            let mon = mon.get(m as usize).copied().unwrap_or("Foo");
            format!("Sunday, {d:02}-{mon}-{y:02} {h:02}:00:{s:02} GMT").into_bytes()
        }),
        (1u32..=31, 0u32..=23)
            .prop_map(|(d, h)| format!("Sun Nov {d:2} {h:02}:49:37 1994").into_bytes()),
        quota_text(),
        prop::collection::vec(any::<u8>(), 0..48),
        "\\PC{0,24}".prop_map(String::into_bytes),
    ]
}

/// `Auth0-Client-Quota-Limit`-like text: buckets of `k=v` pairs, keys in any case, spacing and
/// order shuffled, `r` sometimes missing or not a number.
fn quota_text() -> impl Strategy<Value = Vec<u8>> {
    let pair = prop_oneof![
        "[bB] ?= ?per_(hour|day)",
        "[qQ] ?= ?[0-9]{1,6}",
        "[rR] ?= ?[0-9]{1,20}",
        "[rR]=-?[a-z0-9]{0,3}",
        "[tT] ?= ?[0-9]{1,6}",
        "[a-z]{0,3}=?[^,;]{0,4}",
    ];
    let bucket = prop::collection::vec(pair, 0..5).prop_map(|p| p.join(";"));
    prop::collection::vec(bucket, 0..4).prop_map(|b| b.join(" , ").into_bytes())
}

/// Up to one or two values for each header, names in random case.
fn headers() -> impl Strategy<Value = Vec<(String, Vec<u8>)>> {
    let one = (0..NAMES.len(), any::<bool>(), value()).prop_map(|(i, upper, v)| {
        let name = if upper {
            NAMES[i].to_ascii_uppercase()
        } else {
            NAMES[i].to_string()
        };
        (name, v)
    });
    prop::collection::vec(one, 0..8)
}

fn header_map(pairs: &[(String, Vec<u8>)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        // Bytes `http` itself refuses (CR, LF, NUL...) never reach a parser: no server can send them.
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(k.as_bytes()),
            HeaderValue::from_bytes(v),
        ) {
            h.append(k, v);
        }
    }
    h
}

/// A non-negative integer, the spec of every `x-ratelimit-*` value.
fn model_count(v: &HeaderValue) -> Option<u64> {
    v.to_str().ok()?.trim().parse().ok()
}

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_675_452_000)
}

fn check_parse(pairs: Vec<(String, Vec<u8>)>) -> Result<RateInfo, TestCaseError> {
    let h = header_map(&pairs);
    let info = ratelimit::parse(&h, now());
    // The first value of each header counts; the rest are ignored.
    let first = |name: &str| h.get(name);
    prop_assert_eq!(info.limit, first(NAMES[0]).and_then(model_count));
    prop_assert_eq!(info.remaining, first(NAMES[1]).and_then(model_count));
    prop_assert_eq!(info.reset_epoch_s, first(NAMES[2]).and_then(model_count));
    if let Some(n) = first(NAMES[3]).and_then(model_count) {
        prop_assert_eq!(info.retry_after, Some(Duration::from_secs(n)));
    }
    // Every header present either parsed or was counted bad: never both, never neither.
    let present = NAMES.iter().filter(|n| h.contains_key(**n)).count() as u32;
    let parsed = [
        info.limit.is_some(),
        info.remaining.is_some(),
        info.reset_epoch_s.is_some(),
        info.retry_after.is_some(),
        info.quota_remaining.is_some(),
    ]
    .iter()
    .filter(|p| **p)
    .count() as u32;
    prop_assert_eq!(info.bad, present - parsed, "{:?}", info);
    // What the timeline stores from it is finite.
    let seen = info.seen(now());
    prop_assert!(seen.reset_in_s.is_none_or(f64::is_finite));
    Ok(info)
}

#[test]
fn rate_limit_headers_parse_or_count_bad() {
    let ran = fuzz_support::run(
        "rate_limit_headers",
        headers(),
        fuzz_support::budget(10.0),
        2_000_000,
        |pairs| check_parse(pairs).map(|_| ()),
    );
    assert!(ran.cases >= 1_000, "only {} cases", ran.cases);
}

#[test]
fn retry_after_dates_give_the_time_until_them() {
    // Date form: a whole second in [0, year 9999], against `now`; a past date means "now".
    let ran = fuzz_support::run(
        "retry_after_dates",
        (0..=MAX_DATE_S, any::<bool>()),
        fuzz_support::budget(3.0),
        200_000,
        |(s, asctime)| {
            let when = UNIX_EPOCH + Duration::from_secs(s);
            let text = if asctime {
                // asctime is day-padded, not zero-padded: rebuild from the IMF form.
                let imf = httpdate::fmt_http_date(when);
                let p: Vec<&str> = imf.split(' ').collect();
                format!(
                    "{} {} {:>2} {} {}",
                    &p[0][..3],
                    p[2],
                    p[1].trim_start_matches('0'),
                    p[4],
                    p[3]
                )
            } else {
                httpdate::fmt_http_date(when)
            };
            let want = when.duration_since(now()).unwrap_or(Duration::ZERO);
            prop_assert_eq!(ratelimit::retry_after(&text, now()), Some(want), "{}", text);
            Ok(())
        },
    );
    assert!(ran.cases >= 1_000);
}

#[test]
fn client_quota_is_the_lowest_remaining_or_bad() {
    // Well-formed lists: the lowest `r`; any bucket without a numeric `r` makes the value bad.
    let bucket = (
        prop::option::of(any::<u64>()),
        any::<u32>(),
        any::<bool>(),
        prop::sample::select(vec!["per_hour", "per_day"]),
    );
    let ran = fuzz_support::run(
        "client_quota",
        prop::collection::vec(bucket, 1..5),
        fuzz_support::budget(3.0),
        200_000,
        |buckets| {
            let text: Vec<String> = buckets
                .iter()
                .map(|(r, q, upper, b)| {
                    let r = r.map(|r| format!(";{}={r}", if *upper { "R" } else { "r" }));
                    format!("b={b};q={q}{} ;t=60", r.unwrap_or_default())
                })
                .collect();
            let text = text.join(", ");
            let want = buckets
                .iter()
                .map(|(r, ..)| *r)
                .collect::<Option<Vec<u64>>>()
                .and_then(|rs| rs.into_iter().min());
            prop_assert_eq!(ratelimit::client_quota_remaining(&text), want, "{}", text);
            Ok(())
        },
    );
    assert!(ran.cases >= 1_000);
}

fn outcome() -> impl Strategy<Value = Outcome> {
    prop_oneof![
        (100u16..=599).prop_map(Outcome::Http),
        prop::sample::select(vec![
            TransportKind::Timeout,
            TransportKind::Connect,
            TransportKind::Reset,
            TransportKind::Body,
            TransportKind::Other,
            TransportKind::Cancelled,
        ])
        .prop_map(Outcome::Transport),
    ]
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        (0u64..120_000).prop_map(Duration::from_millis),
        any::<u64>().prop_map(Duration::from_secs),
        Just(Duration::MAX),
    ]
}

fn retry_plan() -> impl Strategy<Value = RetryPlan> {
    let policy = prop::sample::select(vec![
        RetryPolicy::None,
        RetryPolicy::RetryAfter,
        RetryPolicy::Exponential,
        RetryPolicy::SdkNode,
        RetryPolicy::SdkPython,
    ]);
    (policy, 0u32..=10, duration(), duration(), 0.0f64..=1.0).prop_map(
        |(policy, max_retries, base, cap, jitter)| RetryPlan {
            policy,
            max_retries,
            base,
            cap,
            jitter,
        },
    )
}

#[test]
fn retry_policies_turn_any_header_into_a_bounded_wait() {
    let case = (
        headers(),
        outcome(),
        retry_plan(),
        1u32..=12,
        0.0f64..4e11,
        any::<u64>(),
    );
    let ran = fuzz_support::run(
        "retry_policies",
        case,
        fuzz_support::budget(10.0),
        2_000_000,
        |(pairs, outcome, plan, n, now_epoch_s, seed)| {
            let rate = check_parse(pairs)?;
            let view = View {
                outcome,
                rate,
                now_epoch_s,
            };
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let delay = Retry::from_plan(&plan).delay(n, &view, &mut rng);
            let Some(d) = delay else { return Ok(()) };
            prop_assert!(n <= plan.max_retries, "retry {n} of {}", plan.max_retries);
            prop_assert!(!outcome.is_ok());
            match plan.policy {
                RetryPolicy::None => prop_assert!(false, "policy none retried"),
                RetryPolicy::SdkNode => prop_assert!(d <= Duration::from_secs(60), "{d:?}"),
                RetryPolicy::SdkPython => prop_assert!(
                    (Duration::from_millis(100)..=Duration::from_secs(1)).contains(&d),
                    "{d:?}"
                ),
                RetryPolicy::RetryAfter => {
                    if let Some(ra) = rate.retry_after {
                        prop_assert_eq!(d, ra);
                    }
                }
                RetryPolicy::Exponential => {
                    // At most cap · (1 + jitter), saturating at Duration::MAX.
                    let bound = plan.cap.as_secs_f64() * (1.0 + plan.jitter);
                    prop_assert!(d.as_secs_f64() <= bound * (1.0 + 1e-9) + 1e-9, "{d:?}");
                }
            }
            Ok(())
        },
    );
    assert!(ran.cases >= 1_000);
}

/// Regression (found by `retry_policies_turn_any_header_into_a_bounded_wait`): a scenario's
/// `[retry] base`/`cap` near `Duration::MAX` made the exponential policy's jitter multiply
/// overflow and panic the worker at the first retryable failure. It now saturates.
#[test]
fn exponential_retry_with_a_near_max_base_saturates_instead_of_panicking() {
    use quotaprobe::scenario::{Context, Overrides, parse};
    let text = r#"name = "huge-retry"
[[operations]]
name = "users"
kind = "management"
path = "/api/v2/users"
[retry]
policy = "exponential"
max_retries = 3
base = "584542046090years"
cap = "584542046090years"
jitter = 1.0
[[phases]]
duration = "1s"
rate = 1
"#;
    let ctx = Context {
        env: &|_| None,
        known_tiers: None,
        overrides: Overrides::default(),
    };
    let plan = parse(std::path::Path::new("huge-retry.toml"), text, &ctx).unwrap();
    assert!(
        plan.retry.base > Duration::from_secs(u64::MAX / 2),
        "{:?}",
        plan.retry
    );
    let view = View {
        outcome: Outcome::Http(503),
        rate: RateInfo::default(),
        now_epoch_s: 1e9,
    };
    let retry = Retry::from_plan(&plan.retry);
    for seed in 0..64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let d = retry.delay(1, &view, &mut rng).unwrap();
        assert!(d >= plan.retry.base, "{d:?}");
    }
}
