//! `quotaprobe plan`: the load-test request, checked against Auth0's policy rules.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;

fn plan(text: &str, format: &str) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::cargo_bin("quotaprobe")
        .unwrap()
        .args(["plan", path.to_str().unwrap(), "--format", format])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

const OPS: &str = "name = \"lt\"\n[[operations]]\nname = \"users\"\nkind = \"management\"\npath = \"/api/v2/users\"\nweight = 3\n[[operations]]\nname = \"tok\"\nkind = \"token\"\naudience = \"https://orders\"\nweight = 1\n";

#[test]
fn policy_ramp_has_no_findings_and_lists_peak_rates() {
    let phases = "[[phases]]\nduration = \"5m\"\nrate = 25\n[[phases]]\nduration = \"5m\"\nrate = 50\n[[phases]]\nduration = \"5m\"\nrate = 75\n[[phases]]\nduration = \"10m\"\nrate = 100\n";
    let (code, out) = plan(&format!("{OPS}{phases}"), "md");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("| `GET /api/v2/users` | 75.00 |"), "{out}");
    assert!(out.contains("| `POST /oauth/token` | 25.00 |"), "{out}");
    // 300·25 + 300·50 + 300·75 + 600·100 = 105,000 arrivals; 1/4 are custom-API tokens.
    assert!(out.contains("| total requests | 105000 |"), "{out}");
    assert!(out.contains("| https://orders | 26250 | yes |"), "{out}");
    assert!(out.contains("follows the policy"), "{out}");
}

#[test]
fn too_long_and_unramped_plans_get_findings() {
    let (code, out) = plan(
        &format!("{OPS}[[phases]]\nduration = \"3h\"\nrate = 10\n"),
        "md",
    );
    assert_eq!(code, 0);
    assert!(out.contains("at most 2 hours"), "{out}");
    assert!(out.contains("do not ramp 25/50/75 %"), "{out}");
    assert!(
        out.contains("rate = 2.5\n"),
        "template at 25 % of 10 rps: {out}"
    );
}

#[test]
fn csv_format_and_bad_format() {
    let (code, out) = plan(
        &format!("{OPS}[[phases]]\nduration = \"10s\"\nrate = 4\n"),
        "csv",
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("section,item,value\n"), "{out}");
    assert!(out.contains("request,total_requests,40\n"), "{out}");
    assert!(
        out.contains("peak_rps,\"GET /api/v2/users\",3.000\n"),
        "{out}"
    );
    let (code, out) = plan(
        &format!("{OPS}[[phases]]\nduration = \"10s\"\nrate = 4\n"),
        "pdf",
    );
    assert_eq!(code, 2);
    assert!(out.contains("--format \"pdf\""), "{out}");
}

#[test]
fn plan_tier_with_a_too_fast_phase_exits_3_naming_the_endpoint() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    // 10/s, 3/4 user reads: 7.5/s on GET /api/v2/users, above free's 2/s Management bucket.
    std::fs::write(
        &path,
        format!("{OPS}[[phases]]\nduration = \"1m\"\nrate = 10\n"),
    )
    .unwrap();
    for (format, lead) in [("md", "- on free: "), ("csv", "tier_finding,on free: ")] {
        let out = Command::cargo_bin("quotaprobe")
            .unwrap()
            .env_remove("QP_TEST_SECRET")
            .args([
                "plan",
                path.to_str().unwrap(),
                "--format",
                format,
                "--tier",
                "free",
            ])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout).to_string()
            + &String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{text}");
        assert!(
            text.lines().any(|l| l.starts_with(lead)
                && l.contains("GET /api/v2/users")
                && l.contains("planned peak 7.50/s")),
            "{text}"
        );
    }
    // The same plan on enterprise (16/s tenant bucket) has no finding: exit 0.
    let out = Command::cargo_bin("quotaprobe")
        .unwrap()
        .args(["plan", path.to_str().unwrap(), "--tier", "enterprise"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("within enterprise's published limits"),
        "{text}"
    );
}

#[test]
fn plan_of_a_real_tenant_needs_no_secret() {
    // Nothing is sent, so an unset client secret is no error; the tier check still runs.
    let text = "name = \"lt\"\n[target]\nurl = \"https://example.auth0.com\"\n[[clients]]\nname = \"backend\"\nclient_id = \"abc\"\nclient_secret = \"${QP_PLAN_UNSET_SECRET}\"\n[[operations]]\nname = \"users\"\nkind = \"management\"\npath = \"/api/v2/users\"\nclient = \"backend\"\n[[phases]]\nduration = \"1m\"\nrate = 10\n";
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::cargo_bin("quotaprobe")
        .unwrap()
        .env_remove("QP_PLAN_UNSET_SECRET")
        .args(["plan", path.to_str().unwrap(), "--tier", "free"])
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{text}");
    assert!(
        text.contains("- on free: GET /api/v2/users: planned peak 10.00/s"),
        "{text}"
    );
    assert!(!text.contains("is not set"), "{text}");
}
