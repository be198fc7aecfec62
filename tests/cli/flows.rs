//! Flows through the binary: every mistake in a flow is exit 2 at its file:line:column before
//! anything is sent, and a flow scenario run against the embedded simulator writes flows.csv and
//! a report section, and the folder verifies.

use assert_cmd::Command;

const BAD: &str = r#"name = "t"

[[clients]]
name = "backend"

[[operations]]
name = "life"
kind = "flow"
path = "/x"

  [[operations.steps]]
  name = "create"
  kind = "management"
  method = "POST"
  path = "/api/v2/users/{{later}}"
  think = "1s"
  capture = { id = "user_id" }

  [[operations.steps]]
  name = "get"
  kind = "management"
  path = "/api/v2/users/{{id}}"
  weight = 3
  think = "soon"
  capture = { later = "/x" }

  [[operations.steps]]
  name = "tok"
  kind = "token"
  capture = { t = "/access_token" }

  [[operations.steps]]
  name = "nested"
  kind = "flow"

[[phases]]
duration = "2s"
rate = 5
"#;

const GOOD: &str = r#"name = "life"

[target]
simulated = { tier = "private-cloud-1500" }

[vars.n]
kind = "sequence"

[[operations]]
name = "life"
kind = "flow"

  [[operations.steps]]
  name = "create"
  kind = "management"
  method = "POST"
  path = "/api/v2/users"
  body = '{"email": "f-{{n}}@example.com", "connection": "Username-Password-Authentication"}'
  capture = { id = "/user_id" }

  [[operations.steps]]
  name = "delete"
  kind = "management"
  method = "DELETE"
  path = "/api/v2/users/{{id}}"
  think = "10ms..20ms"

[[phases]]
duration = "2s"
rate = 10
"#;

fn quotaprobe() -> Command {
    Command::cargo_bin("quotaprobe").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_flow_mistake_is_exit_2_at_its_key() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("scenario.toml");
    std::fs::write(&path, BAD).unwrap_or_else(|e| panic!("{e}"));
    let o = quotaprobe()
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    for want in [
        "scenario.toml:9:8: operations[0].path: is not used by kind = \"flow\"; remove it",
        "scenario.toml:16:11: operations[0].steps[0].think: the first step starts at the flow's arrival",
        "scenario.toml:17:20: operations[0].steps[0].capture.id: \"user_id\" is neither a JSON pointer",
        "scenario.toml:23:12: operations[0].steps[1].weight: a step runs once per flow",
        "scenario.toml:24:11: operations[0].steps[1].think: \"soon\" is not a think time",
        "scenario.toml:30:19: operations[0].steps[2].capture.t: a token step's response is the tool's",
        "scenario.toml:34:10: operations[0].steps[3].kind: a flow's step is one request",
        "scenario.toml:15:10: operations[0].steps[0].path: `{{later}}` is captured by this step or a later one",
        "scenario.toml:22:10: operations[0].steps[1].path: `{{id}}` has no source",
        "or capture it in an earlier step",
    ] {
        assert!(stderr.contains(want), "missing {want:?} in:\n{stderr}");
    }
    assert!(o.stdout.is_empty(), "nothing validated, nothing sent");
}

#[test]
fn a_flow_scenario_writes_flows_csv_and_its_report_section() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("life.toml");
    std::fs::write(&path, GOOD).unwrap_or_else(|e| panic!("{e}"));
    let v = quotaprobe()
        .arg("validate")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    let stdout = String::from_utf8_lossy(&v.stdout);
    assert_eq!(v.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("1. life/create  captures id from body \"/user_id\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("2. life/delete  after 10ms..20ms"),
        "{stdout}"
    );
    assert!(
        stdout.contains("life/delete         DELETE /api/v2/users/<id>"),
        "{stdout}"
    );

    let out = dir.path().join("report");
    let o = quotaprobe()
        .arg("run")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let flows = std::fs::read_to_string(out.join("flows.csv")).unwrap_or_default();
    let mut lines = flows.lines();
    assert_eq!(
        lines.next(),
        Some("flow,steps,scheduled,dropped,completed,failed,capture_failed,stopped,mean_ms")
    );
    let row: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    assert_eq!(
        &row[..8],
        ["life", "2", "20", "0", "20", "0", "0", "0"],
        "{flows}"
    );
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap_or_default();
    assert!(
        summary.contains("\nlife/create,management,20,20,0,20,"),
        "{summary}"
    );
    assert!(
        summary.contains("\nlife/delete,management,20,20,0,20,"),
        "{summary}"
    );
    let md = std::fs::read_to_string(out.join("report.md")).unwrap_or_default();
    assert!(md.contains("## Flows"), "{md}");
    let verify = quotaprobe()
        .arg("verify")
        .arg(&out)
        .output()
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        verify.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}
