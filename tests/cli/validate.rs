//! `quotaprobe validate` and scenario errors through the real binary: every validation rule
//! names file:line:column, the key and the fix, and exits 2 before anything is sent.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("quotaprobe").unwrap();
    cmd.env_remove("QP_TEST_SECRET");
    cmd
}

const BASE: &str = r#"name = "t"

[[clients]]
name = "backend"

[[operations]]
name = "list-users"
kind = "management"
path = "/api/v2/users"
client = "backend"

[[phases]]
duration = "2s"
rate = 5
"#;

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("scenario.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// Runs validate on `text` and expects exit 2 with every `needles` in stderr.
fn rejects(text: &str, needles: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), text);
    let assert = bin().arg("validate").arg(&path).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).to_string();
    let file = path.display().to_string();
    assert!(
        stderr.contains(&file),
        "stderr lacks the file name: {stderr}"
    );
    for needle in needles {
        assert!(
            stderr.contains(needle),
            "stderr lacks {needle:?}:\n{stderr}"
        );
    }
}

#[test]
fn unknown_key_names_its_line_and_the_fix() {
    rejects(
        &BASE.replace("rate = 5", "rate = 5\nrat = 3"),
        &[":15:1:", "unknown field `rat`", "remove the key"],
    );
}

#[test]
fn wrong_type_names_its_line() {
    rejects(
        &BASE.replace("rate = 5", "rate = \"fast\""),
        // The key and what it takes, no serde wording or Rust type (src/scenario/plain.rs).
        &[
            ":14:8:",
            "phases[0].rate: expected a number, got string \"fast\"",
        ],
    );
}

#[test]
fn non_positive_rate() {
    rejects(
        &BASE.replace("rate = 5", "rate = 0"),
        &[":14:8: phases[0].rate: must be > 0"],
    );
    rejects(
        &BASE.replace("rate = 5", "rate = 5\nramp_to = -1"),
        &["phases[0].ramp_to: must be > 0"],
    );
}

#[test]
fn non_positive_duration() {
    rejects(
        &BASE.replace("\"2s\"", "\"0s\""),
        &[":13:12: phases[0].duration: must be longer than zero"],
    );
    rejects(
        &BASE.replace("\"2s\"", "\"soon\""),
        &["phases[0].duration", "write it like \"30s\""],
    );
}

#[test]
fn weights_summing_to_zero() {
    rejects(
        &BASE.replace("client = \"backend\"", "client = \"backend\"\nweight = 0"),
        &["operations[0].weight", "weights sum to zero"],
    );
}

#[test]
fn operation_naming_a_missing_client() {
    rejects(
        &BASE.replace("client = \"backend\"", "client = \"frontend\""),
        &[
            ":10:10: operations[0].client",
            "no client named \"frontend\"",
            "backend",
        ],
    );
}

#[test]
fn threshold_naming_a_missing_operation() {
    rejects(
        &format!("{BASE}\n[thresholds]\n\"get-user\".p99_ms = 100\n"),
        &[
            ":17:1:",
            "thresholds.\"get-user\"",
            "no operation named \"get-user\"",
            "list-users",
        ],
    );
}

#[test]
fn unset_environment_variable() {
    rejects(
        &BASE.replace(
            "name = \"backend\"",
            "name = \"backend\"\nclient_id = \"${QP_TEST_UNSET_VAR}\"",
        ),
        &[
            ":5:13: clients[0].client_id",
            "QP_TEST_UNSET_VAR is not set",
            "export",
        ],
    );
}

#[test]
fn literal_secret_with_a_real_target() {
    let text = BASE.replace(
        "name = \"backend\"",
        "name = \"backend\"\nclient_id = \"abc\"\nclient_secret = \"literal-secret-value\"",
    );
    let text = text.replace(
        "[[clients]]",
        "[target]\nurl = \"https://example.eu.auth0.com\"\n\n[[clients]]",
    );
    rejects(
        &text,
        &[
            "clients[0].client_secret",
            "literal secret",
            "${AUTH0_CLIENT_SECRET}",
        ],
    );
    // The literal never reaches the output.
    let dir = tempfile::tempdir().unwrap();
    let out = bin()
        .arg("validate")
        .arg(write(dir.path(), &text))
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("literal-secret-value"));
}

#[test]
fn several_problems_are_reported_together() {
    let text = BASE
        .replace("rate = 5", "rate = -1")
        .replace("client = \"backend\"", "client = \"nobody\"");
    rejects(&text, &["phases[0].rate", "operations[0].client"]);
}

#[test]
fn unknown_tier_lists_the_known_ones() {
    rejects(
        &format!("[target]\nsimulated = {{ tier = \"gold\" }}\n{BASE}")
            .replace("name = \"t\"\n", "")
            .replace("[target]", "name = \"t\"\n[target]"),
        &[
            "target.simulated.tier",
            "unknown tier \"gold\"",
            "enterprise",
        ],
    );
}

#[test]
fn missing_file_is_a_usage_error() {
    bin()
        .args(["validate", "no/such/file.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/file.toml"));
}

#[test]
fn validate_prints_a_checkable_forecast() {
    let dir = tempfile::tempdir().unwrap();
    let text = BASE.replace("rate = 5", "rate = 5\nramp_to = 15")
        + "\n[[operations]]\nname = \"orders\"\nkind = \"token\"\naudience = \"https://orders.example.com\"\nweight = 3\n";
    let path = write(dir.path(), &text);
    let out = bin()
        .arg("validate")
        .arg(&path)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    // 2 s ramping 5 → 15/s: (5 + 15) / 2 × 2 = 20 arrivals; orders gets 3/4 = 15, list-users 5.
    assert!(out.contains("20\n"), "{out}");
    assert!(
        out.lines().any(|l| l.contains("orders")
            && l.contains("75.0%")
            && l.contains("15.0")
            && l.contains("11.25")),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.contains("https://orders.example.com")
            && l.contains("yes")
            && l.contains("15.0")),
        "{out}"
    );
    // One cached Management token for the whole run.
    assert!(
        out.lines()
            .any(|l| l.contains("management-api") && l.contains(" no ") && l.contains("1.0")),
        "{out}"
    );
    assert!(
        out.contains("15.0 tokens count toward the monthly M2M quota (1.5% of 1000)"),
        "{out}"
    );
}

#[test]
fn every_example_scenario_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let text = std::fs::read_to_string(&path).unwrap();
            assert!(
                text.starts_with('#'),
                "{} needs a comment header saying what it answers",
                path.display()
            );
            bin()
                .arg("validate")
                .arg(&path)
                .assert()
                .code(0)
                .stdout(predicate::str::contains("is valid; nothing was sent"));
            n += 1;
        }
    }
    assert!(
        n >= 4,
        "expected at least four example scenarios, found {n}"
    );
}

#[test]
fn every_subcommand_has_help() {
    for sub in [
        "run", "compare", "serve", "validate", "tiers", "report", "plan", "merge",
    ] {
        bin()
            .args([sub, "--help"])
            .assert()
            .code(0)
            .stdout(predicate::str::contains("Usage: quotaprobe"));
    }
    bin()
        .arg("--help")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit codes"));
}

#[test]
fn merge_without_out_or_with_a_missing_folder_exits_2() {
    bin().args(["merge", "x"]).assert().code(2);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("merged");
    bin()
        .args(["merge", "no-such-report-folder", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no-such-report-folder: not a readable report folder",
        ));
    assert!(!out.exists());
}

#[test]
fn real_target_from_the_environment_validates_without_printing_secrets() {
    let text = BASE
        .replace(
            "name = \"backend\"",
            "name = \"backend\"\nclient_id = \"${QP_ID}\"\nclient_secret = \"${QP_SECRET}\"",
        )
        .replace(
            "[[clients]]",
            "[target]\ndomain = \"${QP_DOMAIN}\"\n\n[[clients]]",
        );
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), &text);
    let out = bin()
        .env("QP_ID", "client-abc")
        .env("QP_SECRET", "very-secret-value")
        .env("QP_DOMAIN", "acme.eu.auth0.com")
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{all}");
    assert!(
        all.contains("REAL tenant https://acme.eu.auth0.com"),
        "{all}"
    );
    assert!(!all.contains("very-secret-value"), "{all}");
}

#[test]
fn plain_http_is_refused_for_a_non_loopback_tenant() {
    let text = BASE
        .replace(
            "name = \"backend\"",
            "name = \"backend\"\nclient_id = \"x\"\nclient_secret = \"${QP_SECRET}\"",
        )
        .replace(
            "[[clients]]",
            "[target]\nurl = \"http://acme.eu.auth0.com\"\n\n[[clients]]",
        );
    let dir = tempfile::tempdir().unwrap();
    bin()
        .env("QP_SECRET", "s")
        .arg("validate")
        .arg(write(dir.path(), &text))
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "target.url: a real tenant needs https://",
        ));
}

#[test]
fn fault_ratios_must_leave_room() {
    let text = format!(
        "{BASE}\n[target.simulated.faults]\nerror_ratio = 0.7\ndrop_ratio = 0.6\nstall_ratio = 0.1\n"
    )
    .replace("name = \"t\"\n", "name = \"t\"\n[target]\nsimulated = { tier = \"free\" }\n");
    // Inline table plus a sub-table is not valid TOML; write the target as a table instead.
    let text = text.replace("[target]\nsimulated = { tier = \"free\" }\n", "");
    rejects(
        &text,
        &[
            "target.simulated.faults: the ratios add up to 1.4",
            "target.simulated.faults.stall: stall_ratio needs stall",
        ],
    );
}

#[test]
fn a_run_counting_no_tokens_forecasts_zero_not_minus_zero() {
    // Only the Management API's own (internal) token: nothing counts toward the quota, and an
    // empty f64 sum is -0.0, which printed as "-0.0 tokens".
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), BASE);
    let out = bin()
        .arg("validate")
        .arg(&path)
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(!out.contains("-0.0"), "{out}");
    assert!(
        out.contains("0.0 tokens count toward the monthly M2M quota (0.0% of 1000)"),
        "{out}"
    );
}
