//! The machine-readable outputs through the binary, on real runs against the simulator:
//! `run --format json` prints only JSON on stdout and its counts equal summary.csv (as do
//! report.json's); `--junit` parses (python3's xml.etree) with one testcase per threshold and a
//! failure naming the observed value and the limit; `--summary-md` and `$GITHUB_STEP_SUMMARY`
//! get the Markdown summary; a non-terminal stderr gets a progress line each `--progress-every`;
//! `verify` catches a report.json that disagrees with summary.csv; `compare`, `validate` and
//! `plan` speak JSON too.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::Path;

use assert_cmd::Command;

/// 3 s at 10/s on free: Management reads past the 2/s bucket (429s), so `max_429_ratio`
/// fails and the generous p99 holds.
const SCENARIO: &str = r#"
name = "machine"
seed = 5

[target]
simulated = { tier = "free" }

[[operations]]
name = "list-users"
kind = "management"
method = "GET"
path = "/api/v2/users?per_page=5"

[[phases]]
name = "steady"
duration = "3s"
rate = 10

[thresholds]
list-users = { p99_ms = 60000, max_429_ratio = 0.01 }
"#;

fn bin() -> Command {
    let mut c = Command::cargo_bin("quotaprobe").unwrap();
    c.env_remove("GITHUB_STEP_SUMMARY");
    c
}

fn summary_csv(dir: &Path) -> Vec<(String, u64, u64, u64, u64)> {
    let mut r = csv::Reader::from_path(dir.join("summary.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|c| c == n).unwrap();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            let n = |c: &str| rec[col(c)].parse::<u64>().unwrap();
            (
                rec[col("operation")].to_string(),
                n("sent"),
                n("ok"),
                n("status_429"),
                n("dropped"),
            )
        })
        .collect()
}

fn json_counts(v: &serde_json::Value) -> Vec<(String, u64, u64, u64, u64)> {
    v["summary"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |c: &str| r[c].as_u64().unwrap();
            (
                r["operation"].as_str().unwrap().to_string(),
                n("sent"),
                n("ok"),
                n("status_429"),
                n("dropped"),
            )
        })
        .collect()
}

#[test]
fn run_json_junit_summary_and_progress_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("machine.toml");
    fs::write(&scenario, SCENARIO).unwrap();
    let out = tmp.path().join("r");
    let junit = tmp.path().join("junit.xml");
    let md = tmp.path().join("summary.md");
    let step = tmp.path().join("step.md");
    fs::write(&step, "before\n").unwrap();
    let done = bin()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .args(["--format", "json", "--progress-every", "1s", "--junit"])
        .arg(&junit)
        .arg("--summary-md")
        .arg(&md)
        .env("GITHUB_STEP_SUMMARY", &step)
        .output()
        .unwrap();
    assert_eq!(done.status.code(), Some(3), "429s break max_429_ratio");
    let stdout = String::from_utf8(done.stdout).unwrap();
    let stderr = String::from_utf8(done.stderr).unwrap();

    // Only JSON on stdout; the human summary went to stderr.
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["schema"], "quotaprobe.report/1");
    assert_eq!(v["report_dir"], out.display().to_string());
    assert!(stderr.contains("verdict: "), "{stderr}");
    let csv = summary_csv(&out);
    assert_eq!(json_counts(&v), csv);
    let total = csv.iter().find(|r| r.0 == "ALL").unwrap();
    assert!(total.1 >= 25 && total.3 > 0, "{total:?}");
    assert_eq!(v["thresholds_passed"], false);
    assert_eq!(v["verdict"]["fits"], false);
    assert_eq!(v["thresholds"].as_array().unwrap().len(), 2);
    assert_eq!(v["thresholds"][1]["metric"], "max_429_ratio");
    assert_eq!(v["thresholds"][1]["passed"], false);
    assert_eq!(v["thresholds"][1]["comparison"], "<=");

    // report.json in the folder: same document without report_dir, listing the files there.
    let file: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json_counts(&file), csv);
    assert!(file.get("report_dir").is_none());
    for f in file["files"].as_array().unwrap() {
        assert!(out.join(f.as_str().unwrap()).is_file(), "{f}");
    }
    assert!(
        file["files"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "thresholds.csv")
    );

    // Progress lines at the interval, with every figure.
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("progress: "))
        .collect();
    assert!(lines.len() >= 2 && lines.len() <= 4, "{stderr}");
    for (i, l) in lines.iter().enumerate() {
        let secs: f64 = l["progress: ".len()..]
            .split('s')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(secs >= (i + 1) as f64 && secs < (i + 1) as f64 + 0.6, "{l}");
        for word in [
            " sent, ",
            " ok, ",
            " 429, ",
            " errors, ",
            " dropped, ",
            " rps",
        ] {
            assert!(l.contains(word), "{l}");
        }
    }

    // JUnit: one testcase per threshold, the failure with observed value and limit.
    let py = r#"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
for case in root.iter('testcase'):
    f = case.find('failure')
    print(case.get('name'), '|', '' if f is None else f.get('message'))
"#;
    let parsed = std::process::Command::new("python3")
        .args(["-c", py])
        .arg(&junit)
        .output()
        .unwrap();
    assert!(parsed.status.success(), "{parsed:?}");
    let cases = String::from_utf8(parsed.stdout).unwrap();
    let cases: Vec<&str> = cases.lines().collect();
    assert_eq!(cases.len(), 2, "{cases:?}");
    assert_eq!(cases[0], "list-users p99_ms <= 60000 | ");
    assert!(
        cases[1].starts_with(
            "list-users max_429_ratio <= 0.01 | list-users max_429_ratio: observed 0."
        ) && cases[1].ends_with(", limit <= 0.01"),
        "{}",
        cases[1]
    );

    // Markdown summary, written and appended.
    let md = fs::read_to_string(&md).unwrap();
    assert!(
        md.starts_with("### quotaprobe: machine on tier free\n"),
        "{md}"
    );
    assert!(md.contains("| list-users max_429_ratio "), "{md}");
    assert!(md.contains(" | FAIL |"), "{md}");
    assert_eq!(fs::read_to_string(&step).unwrap(), format!("before\n{md}"));

    // verify: clean, then a report.json that disagrees with summary.csv.
    bin().arg("verify").arg(&out).assert().code(0);
    let text = fs::read_to_string(out.join("report.json")).unwrap();
    let sent = format!("\"sent\": {}", csv[0].1);
    let bad = text.replacen(&sent, &format!("\"sent\": {}", csv[0].1 + 1), 1);
    fs::write(out.join("report.json"), bad).unwrap();
    let v = bin().arg("verify").arg(&out).output().unwrap();
    assert_eq!(v.status.code(), Some(1));
    let msg = String::from_utf8(v.stdout).unwrap();
    assert!(
        msg.contains(&format!(
            "report.json: list-users sent is {}, summary.csv line 2 says {}",
            csv[0].1 + 1,
            csv[0].1
        )),
        "{msg}"
    );
}

#[test]
fn progress_every_zero_prints_no_lines_and_bad_values_name_the_flag() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("machine.toml");
    fs::write(&scenario, SCENARIO.replace("\"3s\"", "\"1500ms\"")).unwrap();
    let done = bin()
        .arg("run")
        .arg(&scenario)
        .arg("--out")
        .arg(tmp.path().join("r"))
        .args(["--progress-every", "0"])
        .output()
        .unwrap();
    let stderr = String::from_utf8(done.stderr).unwrap();
    assert!(!stderr.contains("progress: "), "{stderr}");
    let stdout = String::from_utf8(done.stdout).unwrap();
    assert!(
        stdout.contains("verdict: "),
        "text stays the default: {stdout}"
    );
    let bad = bin()
        .arg("run")
        .arg(&scenario)
        .args(["--progress-every", "soon"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    let err = String::from_utf8(bad.stderr).unwrap();
    assert!(
        err.contains("--progress-every") && err.contains("e.g. 10s"),
        "{err}"
    );
}

#[test]
fn validate_plan_and_compare_speak_json() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("machine.toml");
    fs::write(&scenario, SCENARIO.replace("\"3s\"", "\"1s\"")).unwrap();
    let v = bin()
        .arg("validate")
        .arg(&scenario)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(v.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&v.stdout).unwrap();
    assert_eq!(doc["schema"], "quotaprobe.validate/1");
    assert_eq!(doc["total_arrivals"], 10);
    assert_eq!(doc["operations"][0]["name"], "list-users");

    let p = bin()
        .arg("plan")
        .arg(&scenario)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(p.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&p.stdout).unwrap();
    assert_eq!(doc["schema"], "quotaprobe.plan/1");
    assert_eq!(doc["total_requests"], 10);

    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    for d in [&a, &b] {
        bin()
            .arg("run")
            .arg(&scenario)
            .arg("--out")
            .arg(d)
            .arg("-q")
            .output()
            .unwrap();
    }
    let junit = tmp.path().join("c.xml");
    let c = bin()
        .arg("compare")
        .arg(&a)
        .arg(&b)
        .args([
            "--fail-if",
            "p99_ms>+100000%",
            "--format",
            "json",
            "--junit",
        ])
        .arg(&junit)
        .output()
        .unwrap();
    assert_eq!(c.status.code(), Some(0), "{c:?}");
    let doc: serde_json::Value = serde_json::from_slice(&c.stdout).unwrap();
    assert_eq!(doc["schema"], "quotaprobe.compare/1");
    assert_eq!(doc["mode"], "runs");
    assert_eq!(doc["rules"].as_array().unwrap().len(), 1);
    assert_eq!(doc["rules"][0]["passed"], true);
    let xml = fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 1, "{xml}");
    assert!(
        xml.contains("name=\"--fail-if p99_ms&gt;+100000%\"/>"),
        "{xml}"
    );
}
