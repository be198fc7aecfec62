//! `plan` names the guard that would stop the test and the step it stops in: a real tenant's
//! default `--max-tokens 100`, `--max-tokens N`, `stop.max_requests`, and with `--tier` the
//! tier's monthly M2M quota; each is a finding (exit 3). The CSV form has every item the
//! Markdown form has.
#![allow(clippy::unwrap_used)]

use assert_cmd::Command;

fn plan(text: &str, args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.toml");
    std::fs::write(&path, text).unwrap();
    let out = Command::cargo_bin("quotaprobe")
        .unwrap()
        .env_remove("QP_BUDGET_UNSET_SECRET")
        .arg("plan")
        .arg(&path)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// A real tenant's fleet fetching a custom-API token per arrival: 30 s at 1/s, then 1 min at
/// 5/s: 330 token requests.
const REAL: &str = "name = \"lt\"\n[target]\nurl = \"https://example.auth0.com\"\n\
[[clients]]\nname = \"backend\"\nclient_id = \"abc\"\nclient_secret = \"${QP_BUDGET_UNSET_SECRET}\"\n\
[[operations]]\nname = \"tok\"\nkind = \"token\"\naudience = \"https://orders\"\nclient = \"backend\"\n\
[[phases]]\nname = \"warm\"\nduration = \"30s\"\nrate = 1\n\
[[phases]]\nname = \"full\"\nduration = \"1m\"\nrate = 5\n";

#[test]
fn the_default_max_tokens_of_a_real_tenant_is_named_with_its_step() {
    let (code, out) = plan(REAL, &[]);
    assert_eq!(code, 3, "{out}");
    // The 100th token request is arrival 100: 30 in warm, 70 more at 5/s = 14 s into full.
    assert!(
        out.contains("- --max-tokens (default 100 against a real tenant) would stop the test in step \"full\", about 44 s in: the plan forecasts 330 token requests and the budget is 100"),
        "{out}"
    );
    let (code, out) = plan(REAL, &["--max-tokens", "500"]);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("would stop the test"), "{out}");
    let (code, out) = plan(REAL, &["--max-tokens", "50", "--format", "csv"]);
    assert_eq!(code, 3, "{out}");
    assert!(
        out.contains("finding,budget,\"--max-tokens 50 would stop the test in step \"\"full\"\", about 34 s in"),
        "{out}"
    );
}

#[test]
fn max_requests_and_the_tiers_quota_are_named_and_the_csv_is_complete() {
    // Simulated: no token guard unless asked. 10 tokens/s for 2 min = 1,200 counted tokens
    // against free's 1,000; stop.max_requests 600 stops at 60 s.
    let text = "name = \"storm\"\n[[operations]]\nname = \"tok\"\nkind = \"token\"\naudience = \"https://orders\"\n\
[[phases]]\nname = \"steady\"\nduration = \"2m\"\nrate = 10\n[stop]\nmax_requests = 600\n";
    let (code, out) = plan(text, &["--tier", "free", "--format", "csv"]);
    assert_eq!(code, 3, "{out}");
    let rows: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("finding,budget,"))
        .collect();
    assert_eq!(rows.len(), 2, "{out}");
    assert_eq!(
        rows[0],
        "finding,budget,\"stop.max_requests 600 would stop the test in step \"\"steady\"\", about 60 s in: the plan forecasts 1200 requests and the budget is 600\""
    );
    assert_eq!(
        rows[1],
        "finding,budget,\"free's monthly M2M quota 1000 would stop the test in step \"\"steady\"\", about 100 s in: the plan forecasts 1200 counted tokens and the budget is 1000\""
    );
    // Every item of the Markdown form.
    for item in [
        "request,tenant,",
        "request,duration_s,120\n",
        "request,policy_max_duration_s,7200\n",
        "request,total_requests,1200\n",
        "request,proposed_window_utc,\"fill in:",
        "request,source_of_traffic,\"fill in:",
        "request,tool,\"quotaprobe ",
        "step,\"steady\",120 s 10->10 rps\n",
        "tokens,\"https://orders\",1200\n",
        "ramp,toml,\"",
    ] {
        assert!(out.contains(item), "{item:?} in {out}");
    }
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    for r in reader.records() {
        assert_eq!(r.unwrap().len(), 3, "every row has section,item,value");
    }
}
