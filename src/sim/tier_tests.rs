#![allow(clippy::unwrap_used, clippy::type_complexity)]
use super::*;
use crate::sim::bucket::Refill;

#[test]
fn every_builtin_parses_and_is_named_after_its_key() {
    for name in builtin_names() {
        let tier = builtin(name).unwrap_or_else(|| panic!("{name} does not parse"));
        assert_eq!(&tier.name, name);
    }
    assert!(builtin("gold").is_none());
}

#[test]
fn limits_per_tier_and_endpoint() {
    let cases: &[(&str, &str, &str, Option<(u64, f64)>)] = &[
        ("free", "GET", "/api/v2/users", Some((2, 2.0))),
        (
            "essentials",
            "GET",
            "/api/v2/users?per_page=50",
            Some((40, 500.0 / 60.0)),
        ),
        (
            "essentials",
            "GET",
            "/api/v2/users/auth0|1",
            Some((40, 500.0 / 60.0)),
        ),
        (
            "essentials",
            "PATCH",
            "/api/v2/users/auth0|1",
            Some((20, 200.0 / 60.0)),
        ),
        (
            "essentials",
            "GET",
            "/api/v2/logs",
            Some((10, 100.0 / 60.0)),
        ),
        (
            "essentials",
            "GET",
            "/api/v2/stats/daily",
            Some((10, 150.0 / 60.0)),
        ),
        ("enterprise", "GET", "/api/v2/users", Some((50, 16.0))),
        (
            "enterprise",
            "GET",
            "/api/v2/organizations",
            Some((10, 100.0 / 60.0)),
        ),
        (
            "private-cloud-500",
            "GET",
            "/api/v2/users",
            Some((250, 250.0)),
        ),
    ];
    for (tier, method, path, want) in cases {
        let got = builtin(tier).unwrap().management_limit_for(method, path);
        assert_eq!(got, *want, "{tier} {method} {path}");
    }
    let token: &[(&str, (u64, f64))] = &[
        ("free", (300, 5.0)),
        ("essentials", (25, 25.0)),
        ("enterprise", (100, 100.0)),
        ("private-cloud-1500", (1500, 1500.0)),
    ];
    for (tier, want) in token {
        assert_eq!(
            builtin(tier).unwrap().token_endpoint_limit(),
            Some(*want),
            "{tier}"
        );
    }
}

#[test]
fn quotas() {
    let free = builtin("free").unwrap();
    assert_eq!(
        (free.monthly_m2m_quota, free.quota_hard_block),
        (Some(1000), true)
    );
    let ess = builtin("essentials").unwrap();
    assert_eq!(
        (ess.monthly_m2m_quota, ess.quota_hard_block),
        (Some(1000), false)
    );
    assert!(ess.quota_source.contains("assumed"));
    assert_eq!(builtin("enterprise").unwrap().monthly_m2m_quota, None);
}

#[test]
fn bad_files_name_the_problem() {
    let missing_source = r#"
name = "x"
[management.tenant]
burst = 1
rate = 1
per = "second"
source = ""
[quota]
source = "assumed"
"#;
    let err = parse(missing_source, "x.toml").unwrap_err().to_string();
    assert!(
        err.starts_with("x.toml: management.tenant: source"),
        "{err}"
    );
    let unknown_key = "name = \"x\"\nburst = 3\n[quota]\nsource = \"a\"\n";
    let err = parse(unknown_key, "y.toml").unwrap_err().to_string();
    assert!(err.contains("y.toml") && err.contains("burst"), "{err}");
    let bad_route = r#"
name = "x"
[[management.groups]]
name = "g"
routes = ["/api/v2/users"]
burst = 1
rate = 1
per = "second"
source = "assumed"
[quota]
source = "a"
"#;
    let err = parse(bad_route, "z.toml").unwrap_err().to_string();
    assert!(err.contains("group \"g\""), "{err}");
}

#[test]
fn window_refill_is_a_tier_option() {
    let text = "name = \"w\"\nrefill = \"window\"\n[quota]\nsource = \"assumed\"\n";
    let tier = parse(text, "w.toml").unwrap();
    assert_eq!(tier.refill, Refill::Window);
    assert_eq!(tier.management_limit_for("GET", "/api/v2/users"), None);
    assert_eq!(tier.token_endpoint_limit(), None);
}

#[test]
fn reset_answer_well_known_and_unknown_quota_are_tier_data() {
    let free = builtin("free").unwrap();
    assert_eq!(free.reset, ResetMode::Full);
    assert_eq!(free.auth_limit_answer, AuthLimitAnswer::TooManyRequests);
    assert_eq!(
        (
            free.jwks.len(),
            free.jwks[0].limit.burst,
            free.jwks[0].limit.rate
        ),
        (1, 20, 20)
    );
    assert!(free.openid_configuration.is_empty());
    assert!(!free.quota_unknown, "free's 1,000 is published");
    assert_eq!(free.quota_trigger, QuotaTrigger::MonthOrAverage);
    for name in ["essentials", "professional"] {
        let t = builtin(name).unwrap();
        assert!(t.quota_unknown, "{name}");
        assert_eq!(t.monthly_m2m_quota, Some(1000), "{name}: stand-in kept");
    }
    for name in ["enterprise", "private-cloud-500"] {
        let t = builtin(name).unwrap();
        assert!(t.quota_unknown && t.monthly_m2m_quota.is_none(), "{name}");
    }
    let t = parse(
        "name = \"x\"\nreset = \"next_token\"\nauth_limit_answer = \"access_denied_500\"\n[quota]\nsource = \"assumed: t\"\n",
        "x.toml",
    )
    .unwrap();
    assert_eq!(
        (t.reset, t.auth_limit_answer),
        (ResetMode::NextToken, AuthLimitAnswer::AccessDenied500)
    );
    let err = parse(
        "name = \"x\"\nreset = \"soon\"\n[quota]\nsource = \"assumed: t\"\n",
        "x.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("x.toml") && err.contains("next_token"),
        "{err}"
    );
    let err = parse(
        "name = \"x\"\n[[jwks]]\nname = \"j\"\nburst = 0\nrate = 1\nper = \"second\"\nsource = \"assumed: t\"\n[quota]\nsource = \"assumed: t\"\n",
        "x.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("jwks \"j\""), "{err}");
}
