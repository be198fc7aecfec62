//! `quotaprobe serve` and `quotaprobe tiers` through the real binary.
#![allow(clippy::unwrap_used)]

use crate::support::sim as sim_support;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use assert_cmd::cargo::cargo_bin;
use predicates::prelude::*;
use serde_json::Value;
use sim_support::form_encode;

#[tokio::test]
async fn serve_prints_where_and_who_then_issues_tokens() {
    let mut child = Command::new(cargo_bin("quotaprobe"))
        .args([
            "serve",
            "--tier",
            "free",
            "--addr",
            "127.0.0.1:0",
            "--client-id",
            "cli-id",
            "--client-secret",
            "cli-secret",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line.starts_with("Ctrl-C");
        lines.push(line);
        if done {
            break;
        }
    }
    let text = lines.join("\n");
    let addr = text
        .lines()
        .find_map(|l| l.strip_prefix("listening on http://"))
        .unwrap()
        .to_string();
    assert!(!addr.ends_with(":0"), "{text}");
    assert!(text.contains(&format!("domain: {addr}")), "{text}");
    assert!(
        text.contains(&format!("management audience: https://{addr}/api/v2/")),
        "{text}"
    );
    assert!(
        text.contains("client_id: cli-id") && text.contains("client_secret: cli-secret"),
        "{text}"
    );

    let body = form_encode(&[
        ("grant_type", "client_credentials"),
        ("client_id", "cli-id"),
        ("client_secret", "cli-secret"),
        ("audience", &format!("https://{addr}/api/v2/")),
    ]);
    let r = reqwest::Client::new()
        .post(format!("http://{addr}/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap();
    // Ctrl-C (SIGINT) shuts down gracefully: exit code 0.
    let interrupted = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let exit = match interrupted {
        Ok(st) if st.success() => child.wait().unwrap(),
        _ => {
            child.kill().unwrap();
            child.wait().unwrap()
        }
    };
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["token_type"], "Bearer");
    if interrupted.is_ok_and(|s| s.success()) {
        assert!(exit.success(), "serve after Ctrl-C: {exit:?}");
    }
}

#[test]
fn serve_refuses_non_loopback_with_exit_2() {
    for addr in ["0.0.0.0:4000", "192.168.1.10:4000"] {
        assert_cmd::Command::new(cargo_bin("quotaprobe"))
            .args(["serve", "--addr", addr])
            .assert()
            .code(2)
            .stderr(predicate::str::contains("only listens on loopback"));
    }
    assert_cmd::Command::new(cargo_bin("quotaprobe"))
        .args(["serve", "--tier", "gold", "--addr", "127.0.0.1:0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown tier \"gold\""));
}

#[test]
fn tiers_lists_the_free_tier_numbers() {
    let out = assert_cmd::Command::new(cargo_bin("quotaprobe"))
        .arg("tiers")
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let free = text.lines().find(|l| l.starts_with("free ")).unwrap();
    for want in [
        "tenant 2/2 per s",
        "auth_api 300/300 per min",
        "oauth_token 30/30 per s",
        "1000",
        "blocks",
    ] {
        assert!(free.contains(want), "{want:?} not in {free:?}");
    }
    for name in quotaprobe::sim::tier::builtin_names() {
        assert!(
            text.lines().any(|l| l.starts_with(&format!("{name} "))),
            "{name} missing"
        );
    }
    assert!(text.contains("rate-limit-configurations/free-public"));
}

#[test]
fn tiers_prints_a_tier_file_and_names_a_bad_one() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("huge.toml");
    std::fs::write(&good, "name = \"huge\"\n[management.tenant]\nburst = 100000\nrate = 100000\nper = \"second\"\nsource = \"assumed: benchmark\"\n[quota]\nsource = \"assumed\"\n").unwrap();
    assert_cmd::Command::new(cargo_bin("quotaprobe"))
        .args(["tiers", "--tier-file"])
        .arg(&good)
        .assert()
        .success()
        .stdout(predicate::str::contains("tenant 100000/100000 per s"));
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "name = 3\n").unwrap();
    assert_cmd::Command::new(cargo_bin("quotaprobe"))
        .args(["tiers", "--tier-file"])
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.toml"));
}

#[tokio::test]
async fn serve_injects_the_faults_its_flags_name() {
    let mut child = Command::new(cargo_bin("quotaprobe"))
        .args(["serve", "--addr", "127.0.0.1:0", "--fault-error-ratio", "1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read up to the last banner line and keep the pipe open: serve prints after "listening".
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut addr = String::new();
    for line in lines.by_ref().map_while(Result::ok) {
        if let Some(a) = line.strip_prefix("listening on http://") {
            addr = a.to_string();
        }
        if line.starts_with("Ctrl-C") {
            break;
        }
    }
    let c = reqwest::Client::new();
    let r = c
        .get(format!("http://{addr}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    let stats: Value = c
        .get(format!("http://{addr}/__sim/stats"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    drop(lines);
    assert!([500, 502, 503].contains(&status), "{status}");
    assert_eq!(stats["faults"]["error"], 1, "{stats}");
}

#[test]
fn serve_refuses_fault_ratios_over_one_with_exit_2() {
    let out = Command::new(cargo_bin("quotaprobe"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--fault-error-ratio",
            "0.8",
            "--fault-drop-ratio",
            "0.5",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("add up to 1.3"));
}
