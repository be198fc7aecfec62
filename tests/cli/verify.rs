//! `quotaprobe verify DIR...` on a real run's folder: clean, it exits 0; each kind of damage —
//! a missing file, a missing column, a summary row or a timeline that does not add up, a cell
//! that is not a number — is one exact line naming the file (and line) and exit 1; a folder that
//! does not exist is exit 2, naming it.
#![allow(clippy::unwrap_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

use crate::support::contract;

/// 2 s at 10/s on the free tier: Management reads past the 2/s bucket (429s), custom-API tokens.
const SCENARIO: &str = r#"
name = "verify"
seed = 3

[target]
simulated = { tier = "free" }

[[operations]]
name = "list-users"
kind = "management"
method = "GET"
path = "/api/v2/users?per_page=5"
weight = 2

[[operations]]
name = "orders-token"
kind = "token"
audience = "https://api.example.com/"
weight = 1

[[phases]]
name = "steady"
duration = "2s"
rate = 10
"#;

/// A finished run's report folder (inside `tmp`).
fn run_folder(tmp: &Path) -> PathBuf {
    let scenario = tmp.join("verify.toml");
    fs::write(&scenario, SCENARIO).unwrap();
    let out = tmp.join("run");
    let status = Command::cargo_bin("quotaprobe")
        .unwrap()
        .arg("run")
        .arg(&scenario)
        .args(["--quiet", "--out"])
        .arg(&out)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap()
        .status;
    assert_eq!(status.code(), Some(0));
    out
}

/// `quotaprobe verify ARGS...`: (exit code, stdout, stderr).
fn verify(dirs: &[&Path]) -> (Option<i32>, String, String) {
    let out = Command::cargo_bin("quotaprobe")
        .unwrap()
        .arg("verify")
        .args(dirs)
        .timeout(Duration::from_secs(30))
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The lines `verify` prints for one broken folder, then its tally.
fn broken(lines: &[String]) -> String {
    let mut s: String = lines.iter().map(|l| format!("{l}\n")).collect();
    s.push_str("1 of 1 report folder(s) do not follow docs/reports.md\n");
    s
}

/// A CSV of the folder as rows of cells (header first).
fn read(dir: &Path, file: &str) -> Vec<Vec<String>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(dir.join(file))
        .unwrap();
    r.records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect()
}

fn write(dir: &Path, file: &str, rows: &[Vec<String>]) {
    let mut w = csv::Writer::from_path(dir.join(file)).unwrap();
    for row in rows {
        w.write_record(row).unwrap();
    }
    w.flush().unwrap();
}

fn col(rows: &[Vec<String>], name: &str) -> usize {
    rows[0].iter().position(|h| h == name).unwrap()
}

/// Index of the first data row whose `operation` is `op`.
fn row_of(rows: &[Vec<String>], op: &str) -> usize {
    let c = col(rows, "operation");
    rows.iter().position(|r| r[c] == op).unwrap()
}

fn num(rows: &[Vec<String>], row: usize, column: &str) -> u64 {
    rows[row][col(rows, column)].parse().unwrap()
}

fn path(dir: &Path, file: &str) -> String {
    dir.join(file).display().to_string()
}

#[test]
fn a_clean_run_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_folder(tmp.path());
    // The run met the bucket, so every outcome column is exercised.
    let summary = read(&out, "summary.csv");
    assert!(num(&summary, row_of(&summary, "list-users"), "status_429") > 0);
    assert_eq!(contract::problems(&out), Vec::<String>::new());
    let (code, stdout, stderr) = verify(&[&out, &out]);
    assert_eq!(code, Some(0), "{stdout}{stderr}");
    assert_eq!(stdout, "ok: 2 report folder(s) follow docs/reports.md\n");
    assert_eq!(stderr, "");
}

#[test]
fn a_missing_file_is_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_folder(tmp.path());
    fs::remove_file(out.join("timeline.csv")).unwrap();
    fs::remove_file(out.join("histograms.hlog")).unwrap();
    let (code, stdout, _) = verify(&[&out]);
    assert_eq!(code, Some(1));
    assert_eq!(
        stdout,
        broken(&[
            format!("{}: missing", path(&out, "timeline.csv")),
            format!("{}: missing", path(&out, "histograms.hlog")),
        ])
    );
}

#[test]
fn a_missing_column_is_named_on_the_header_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_folder(tmp.path());
    let mut rows = read(&out, "summary.csv");
    let c = col(&rows, "status_5xx");
    for r in &mut rows {
        r.remove(c);
    }
    write(&out, "summary.csv", &rows);
    let (code, stdout, _) = verify(&[&out]);
    assert_eq!(code, Some(1));
    assert_eq!(
        stdout,
        broken(&[format!(
            "{}:1: lacks columns status_5xx",
            path(&out, "summary.csv")
        )])
    );
}

#[test]
fn a_summary_row_that_does_not_conserve_is_named_with_its_counts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_folder(tmp.path());
    let mut rows = read(&out, "summary.csv");
    let (users, all) = (row_of(&rows, "list-users"), row_of(&rows, "ALL"));
    let (sent, scheduled) = (num(&rows, users, "sent"), num(&rows, users, "scheduled"));
    // One more sent and scheduled on list-users and on ALL: both conserve scheduled, neither
    // has the outcome to go with it.
    for (row, column) in [
        (users, "sent"),
        (users, "scheduled"),
        (all, "sent"),
        (all, "scheduled"),
    ] {
        let c = col(&rows, column);
        rows[row][c] = (num(&rows, row, column) + 1).to_string();
    }
    write(&out, "summary.csv", &rows);
    let all_sent = num(&rows, all, "sent");
    let (code, stdout, _) = verify(&[&out]);
    assert_eq!(code, Some(1));
    let summary = path(&out, "summary.csv");
    let timeline = path(&out, "timeline.csv");
    let json = path(&out, "report.json");
    assert_eq!(
        stdout,
        broken(&[
            // report.json still has the counts the run wrote.
            format!(
                "{json}: list-users sent is {sent}, summary.csv line {} says {}",
                users + 1,
                sent + 1
            ),
            format!(
                "{json}: ALL sent is {}, summary.csv line {} says {all_sent}",
                all_sent - 1,
                all + 1
            ),
            format!(
                "{summary}: list-users: sent {} != outcomes {sent}",
                sent + 1
            ),
            format!(
                "{summary}: ALL: sent {all_sent} != outcomes {}",
                all_sent - 1
            ),
            format!(
                "{timeline}: list-users: scheduled sums to {scheduled}, summary.csv says {}",
                scheduled + 1
            ),
            format!(
                "{timeline}: list-users: sent sums to {sent}, summary.csv says {}",
                sent + 1
            ),
            format!(
                "{}: list-users: counts add up to {sent}, summary.csv sent says {}",
                path(&out, "statuses.csv"),
                sent + 1
            ),
        ])
    );
}

#[test]
fn a_timeline_that_does_not_sum_is_named_per_row_and_per_operation() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_folder(tmp.path());
    let mut rows = read(&out, "timeline.csv");
    let r = row_of(&rows, "orders-token");
    let second = rows[r][col(&rows, "second")].clone();
    let [sent, ok, n429, errors] = ["sent", "ok", "status_429", "errors"].map(|c| num(&rows, r, c));
    let c = col(&rows, "ok");
    rows[r][c] = (ok + 1).to_string();
    write(&out, "timeline.csv", &rows);
    let total_ok: u64 = (1..rows.len())
        .filter(|&i| rows[i][col(&rows, "operation")] == "orders-token")
        .map(|i| num(&rows, i, "ok"))
        .sum();
    let (code, stdout, _) = verify(&[&out]);
    assert_eq!(code, Some(1));
    let timeline = path(&out, "timeline.csv");
    assert_eq!(
        stdout,
        broken(&[
            format!(
                "{timeline}:{}: orders-token second {second}: sent {sent} != ok {} + status_429 {n429} + errors {errors}",
                r + 1,
                ok + 1
            ),
            format!(
                "{timeline}: orders-token: ok sums to {total_ok}, summary.csv says {}",
                total_ok - 1
            ),
        ])
    );
}

#[test]
fn a_cell_that_is_not_a_number_is_named_with_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_folder(tmp.path());
    let mut rows = read(&out, "summary.csv");
    let r = row_of(&rows, "list-users");
    let c = col(&rows, "sent");
    rows[r][c] = "ten".into();
    write(&out, "summary.csv", &rows);
    let (code, stdout, _) = verify(&[&out]);
    assert_eq!(code, Some(1));
    assert_eq!(
        stdout,
        broken(&[format!(
            "{}:{}: sent: \"ten\" is not a whole number",
            path(&out, "summary.csv"),
            r + 1
        )])
    );
}

#[test]
fn a_folder_that_does_not_exist_is_bad_usage() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_folder(tmp.path());
    let nowhere = tmp.path().join("nowhere");
    let (code, stdout, stderr) = verify(&[&out, &nowhere]);
    assert_eq!(code, Some(2));
    assert_eq!(stdout, "");
    assert_eq!(
        stderr,
        format!(
            "error: {}: no such report folder; pass a folder that `quotaprobe run` wrote (reports/<scenario>-<time>/)\n",
            nowhere.display()
        )
    );
    let (code, _, stderr) = verify(&[]);
    assert_eq!(code, Some(2), "{stderr}");
}

#[test]
fn a_run_clock_that_is_neither_real_nor_virtual_is_named_with_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_folder(tmp.path());
    let mut rows = read(&out, "run.csv");
    let value = |rows: &[Vec<String>], key: &str| rows.iter().position(|r| r[0] == key).unwrap();
    let clock = value(&rows, "clock");
    assert_eq!(rows[clock][1], "real", "a real-time run says so");
    let wall = value(&rows, "wall_s");
    assert!(rows[wall][1].parse::<f64>().unwrap() > 0.0);
    rows[clock][1] = "warp".into();
    rows[wall][1] = "fast".into();
    write(&out, "run.csv", &rows);
    let (code, stdout, _) = verify(&[&out]);
    assert_eq!(code, Some(1));
    let file = path(&out, "run.csv");
    assert_eq!(
        stdout,
        broken(&[
            format!("{file}:{}: wall_s: \"fast\" is not a number", wall + 1),
            format!(
                "{file}:{}: clock: \"warp\" is not one of real, virtual",
                clock + 1
            ),
        ])
    );
    // A folder from before these keys: clean without them.
    rows.retain(|r| r[0] != "clock" && r[0] != "wall_s");
    write(&out, "run.csv", &rows);
    let (code, stdout, _) = verify(&[&out]);
    assert_eq!(code, Some(0), "{stdout}");
}

#[test]
fn a_timeline_off_its_resolution_and_observed_facts_that_disagree_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_folder(tmp.path());
    let mut rows = read(&out, "run.csv");
    let at = |rows: &[Vec<String>], key: &str| rows.iter().position(|r| r[0] == key).unwrap();
    assert_eq!(rows[at(&rows, "timeline_resolution_s")][1], "1");
    assert_eq!(rows[at(&rows, "quota_refused_tokens")][1], "0");
    assert_eq!(rows[at(&rows, "quota_ran_out_s")][1], "");
    let res = at(&rows, "timeline_resolution_s");
    let refused = at(&rows, "quota_refused_tokens");
    let failed = at(&rows, "quota_failed_operations");
    let finished = at(&rows, "work_finished_s");
    rows[res][1] = "7".into();
    rows[refused][1] = "3".into();
    rows[failed][1] = "no-such-op 3".into();
    rows[finished][1] = "99999".into();
    write(&out, "run.csv", &rows);
    let (code, stdout, _) = verify(&[&out]);
    assert_eq!(code, Some(1));
    let run = path(&out, "run.csv");
    for want in [
        format!(
            "{run}:{}: quota_refused_tokens is 3 but quota_ran_out_s is empty",
            refused + 1
        ),
        format!(
            "{run}:{}: quota_failed_operations: \"no-such-op\" is not an operation of summary.csv",
            failed + 1
        ),
        format!("{run}:{}: work_finished_s: 99999 is after the run ended", finished + 1),
        "second 1 does not start a row: run.csv timeline_resolution_s = 7, so every second is a multiple of 7".to_string(),
    ] {
        assert!(stdout.contains(&want), "want {want:?} in:\n{stdout}");
    }
    rows[res][1] = "0".into();
    write(&out, "run.csv", &rows);
    let (_, stdout, _) = verify(&[&out]);
    assert!(
        stdout.contains("timeline_resolution_s: \"0\" is not a whole number of seconds above 0"),
        "{stdout}"
    );
}
