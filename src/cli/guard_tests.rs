//! Table-driven tests of the real-tenant caps and rate ceilings.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use super::*;

const ID: &str = "id-from-env";
const SECRET: &str = "secret-from-env";

/// A real-tenant plan with one Management read at `rate` for `secs`, plus a `[stop]` table
/// (or any other tables).
fn plan(rate: f64, secs: u64, stop: &str) -> RunPlan {
    let text = format!(
        r#"
name = "t"
[target]
url = "https://${{D}}"
[[clients]]
name = "backend"
client_id = "${{ID}}"
client_secret = "${{SECRET}}"
[[operations]]
name = "list-users"
kind = "management"
method = "GET"
path = "/api/v2/users?per_page=5"
[[phases]]
name = "p"
duration = "{secs}s"
rate = {rate}
{stop}
"#
    );
    let env = |k: &str| match k {
        "D" => Some("tenant.example.com".to_string()),
        "ID" => Some(ID.to_string()),
        "SECRET" => Some(SECRET.to_string()),
        _ => None,
    };
    crate::scenario::parse_for_test(&text, &env).unwrap()
}

#[test]
fn caps_from_flags() {
    let h = |s: u64| Duration::from_secs(s);
    type Want = Result<(Duration, u64), &'static str>;
    let cases: [(Option<&str>, Option<u64>, Want); 7] = [
        (None, None, Ok((h(7200), 100))),
        (Some("30m"), None, Ok((h(1800), 100))),
        (Some("2h"), Some(500), Ok((h(7200), 500))),
        (
            Some("3h"),
            None,
            Err("above the load-testing policy's maximum"),
        ),
        (Some("0s"), None, Err("more than zero")),
        (Some("soon"), None, Err("--max-duration \"soon\"")),
        (None, Some(0), Err("--max-tokens 0")),
    ];
    for (d, t, want) in cases {
        let got = caps(d, t);
        match want {
            Ok((max_duration, max_tokens)) => assert_eq!(
                got,
                Ok(Caps {
                    max_duration,
                    max_tokens
                }),
                "{d:?} {t:?}"
            ),
            Err(part) => {
                let e = got.unwrap_err();
                assert!(e.contains(part), "{d:?} {t:?}: {e}");
            }
        }
    }
}

#[test]
fn apply_refuses_long_plans_and_tightens_stop() {
    // (phase seconds, scenario [stop], cap seconds, cap tokens) → Ok((max_duration s, max_tokens,
    // min_quota_remaining)) or Err(part of the message).
    type Want = Result<(u64, u64, u64), &'static str>;
    let cases: [(u64, &str, u64, u64, Want); 6] = [
        (60, "", 7200, 100, Ok((7200, 100, 10))),
        (60, "[stop]\nmax_tokens = 5", 7200, 100, Ok((7200, 5, 10))),
        (
            60,
            "[stop]\nmax_tokens = 5000",
            7200,
            100,
            Ok((7200, 100, 10)),
        ),
        (
            60,
            "[stop]\nmin_quota_remaining = 50",
            7200,
            100,
            Ok((7200, 100, 50)),
        ),
        (7300, "", 7200, 100, Err("--max-duration")),
        // A scenario stop inside the cap makes a long phase list acceptable.
        (
            7300,
            "[stop]\nmax_duration = \"1h\"",
            7200,
            100,
            Ok((3600, 100, 10)),
        ),
    ];
    for (secs, stop, cap_s, cap_t, want) in cases {
        let mut p = plan(1.0, secs, stop);
        let caps = Caps {
            max_duration: Duration::from_secs(cap_s),
            max_tokens: cap_t,
        };
        match (apply(&mut p, &caps), want) {
            (Ok(()), Ok((d, t, q))) => {
                assert_eq!(p.stop.max_duration, Some(Duration::from_secs(d)), "{stop}");
                assert_eq!(p.stop.max_tokens, Some(t), "{stop}");
                assert_eq!(p.stop.min_quota_remaining, Some(q), "{stop}");
            }
            (Err(e), Err(part)) => assert!(e.contains(part), "{e}"),
            (got, want) => panic!("{secs} {stop}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn ceilings_list_endpoints_above_the_tier_limits() {
    let tier = |n: &str| crate::sim::tier::builtin(n).unwrap();
    let cases: [(&str, &str, f64, bool); 7] = [
        ("free", "GET /api/v2/users", 1.0, false),
        ("free", "GET /api/v2/users", 2.0, false),
        ("free", "GET /api/v2/users", 10.0, true),
        // The tightest token-endpoint bucket on free is 300/min (5/s).
        ("free", "POST /oauth/token", 4.0, false),
        ("free", "POST /oauth/token", 6.0, true),
        ("free", "GET https://api.example.com/orders", 1000.0, false),
        ("enterprise", "GET /api/v2/users", 10.0, false),
    ];
    for (t, endpoint, peak, breached) in cases {
        let found = ceilings(&[(endpoint.to_string(), peak)], &tier(t));
        assert_eq!(!found.is_empty(), breached, "{t} {endpoint} {peak}");
        if let Some(b) = found.first() {
            let text = b.to_string();
            assert!(text.contains(endpoint) && text.contains("limit"), "{text}");
        }
    }
}

#[test]
fn the_forecast_of_a_fast_plan_breaches_the_free_tier() {
    let p = plan(10.0, 5, "");
    let f = crate::scenario::forecast::forecast(&p);
    let found = ceilings(&f.endpoints, &crate::sim::tier::builtin("free").unwrap());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].endpoint, "GET /api/v2/users");
    assert_eq!(found[0].limit_per_s, 2.0);
}

#[test]
fn per_request_tokens_count_at_the_token_endpoint() {
    let f = |p: &RunPlan| crate::scenario::forecast::forecast(p);
    let cached = plan(4.0, 5, "");
    assert_eq!(
        endpoint_peaks(&cached, &f(&cached)),
        [("GET /api/v2/users".to_string(), 4.0)]
    );
    let per_request = plan(4.0, 5, "[tokens]\nstrategy = \"per-request\"");
    let peaks = endpoint_peaks(&per_request, &f(&per_request));
    assert!(
        peaks.contains(&("POST /oauth/token".to_string(), 4.0)),
        "{peaks:?}"
    );
    let free = crate::sim::tier::builtin("free").unwrap();
    let found = ceilings(&peaks, &free);
    // 4/s on the users bucket (2/s) and on the token endpoint's 300/min (5/s): only the first.
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].endpoint, "GET /api/v2/users");
}
