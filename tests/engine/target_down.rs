//! A target that is down from the start, one that dies mid-run (`quotaprobe serve` killed under
//! load) and one that accepts connections but never answers: each run ends on time with a
//! complete report that follows the contract, counts every request under its no-answer status,
//! says on the console what happened, and exits as documented (1 when nothing ever answered;
//! thresholds decide otherwise).
#![allow(clippy::unwrap_used)]

use crate::support::contract;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin;

const ID: &str = "qp-down-client";
const SECRET: &str = "qp-down-secret-77c1";

/// A scenario against the plain-HTTP loopback target `addr` (what `quotaprobe serve` is): user
/// reads with a cached Management API token plus custom-API token requests, 3:1.
fn scenario(dir: &Path, addr: &str, secs: u32, rate: u32, extra: &str) -> PathBuf {
    let text = format!(
        r#"name = "down"
[target]
url = "http://{addr}"
[[clients]]
name = "backend"
client_id = "${{QP_ID}}"
client_secret = "${{QP_SECRET}}"
[[operations]]
name = "list-users"
kind = "management"
method = "GET"
path = "/api/v2/users?per_page=5"
weight = 3
[[operations]]
name = "tok"
kind = "token"
audience = "https://api.example.com/"
weight = 1
[[phases]]
duration = "{secs}s"
rate = {rate}
{extra}"#
    );
    let path = dir.join("down.toml");
    std::fs::write(&path, text).unwrap();
    path
}

/// `quotaprobe run --yes --quiet` as a child (it is a real-tenant run: plain HTTP on loopback).
fn spawn_run(scenario: &Path, out: &Path) -> Child {
    Command::new(cargo_bin("quotaprobe"))
        .args(["run", "--yes", "--quiet", "--max-tokens", "100000"])
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .env("QP_ID", ID)
        .env("QP_SECRET", SECRET)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits for the run, at most `limit`: a run that hangs fails the test instead of stalling CI.
fn finish(mut child: Child, limit: Duration) -> Output {
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("the run did not end within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}--- stderr\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn summary(out: &Path) -> HashMap<String, HashMap<String, u64>> {
    contract::csv_rows(&out.join("summary.csv"))
        .into_iter()
        .map(|r| {
            let nums = r
                .iter()
                .filter_map(|(k, v)| v.parse().ok().map(|n| (k.clone(), n)))
                .collect();
            (r["operation"].clone(), nums)
        })
        .collect()
}

/// statuses.csv as (operation, status) → final count.
fn statuses(out: &Path) -> HashMap<(String, String), u64> {
    contract::csv_rows(&out.join("statuses.csv"))
        .into_iter()
        .map(|r| {
            (
                (r["operation"].clone(), r["status"].clone()),
                r["count"].parse().unwrap(),
            )
        })
        .collect()
}

fn run_fact(out: &Path, key: &str) -> String {
    contract::csv_rows(&out.join("run.csv"))
        .into_iter()
        .find(|r| r["key"] == key)
        .map(|r| r["value"].clone())
        .unwrap_or_else(|| panic!("run.csv has no {key}"))
}

/// The Management API token's synthetic operation for `addr`.
fn mgmt_token_op(addr: &str) -> String {
    format!("token:https://{addr}/api/v2/")
}

/// A loopback port with nothing listening (bound, then closed).
fn closed_port() -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    drop(l);
    addr
}

#[test]
fn a_target_down_from_the_start_is_reported_unreachable_with_exit_1() {
    let tmp = tempfile::tempdir().unwrap();
    let addr = closed_port();
    let out = tmp.path().join("out");
    let started = Instant::now();
    let o = finish(
        spawn_run(&scenario(tmp.path(), &addr, 3, 40, ""), &out),
        Duration::from_secs(30),
    );
    let took = started.elapsed();
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    // Refused connections fail at once: the 3 s run plus a short drain, not timeouts.
    assert!(took < Duration::from_secs(10), "took {took:?}\n{all}");
    contract::check_report(&out);

    let sum = summary(&out);
    let (users, tok) = (&sum["list-users"], &sum["tok"]);
    assert_eq!(users["scheduled"] + tok["scheduled"], 120);
    let fetch = &sum[&mgmt_token_op(&addr)];
    for row in [users, tok, fetch] {
        assert_eq!(row["sent"] + row["dropped"], row["scheduled"]);
        assert_eq!(
            row["ok"] + row["status_4xx"] + row["status_429"],
            0,
            "{row:?}"
        );
        assert_eq!(row["status_5xx"], 0);
        assert_eq!(row["transport_errors"], row["sent"], "{row:?}");
    }
    assert!(
        users["sent"] >= 80 && tok["sent"] >= 20,
        "{users:?} {tok:?}"
    );
    // Each call's token fetch was refused (so the call was never sent); token requests of
    // their own were refused too; nothing else appears.
    let st = statuses(&out);
    assert_eq!(
        st[&("list-users".into(), "token_connect".into())],
        users["sent"]
    );
    assert_eq!(st[&("tok".into(), "connect".into())], tok["sent"]);
    assert_eq!(st[&(mgmt_token_op(&addr), "connect".into())], fetch["sent"]);
    assert_eq!(st.len(), 3, "{st:?}");
    let refused = tok["sent"] + fetch["sent"];
    assert_eq!(run_fact(&out, "answered"), "0");
    assert_eq!(run_fact(&out, "connection_errors"), refused.to_string());

    // The console says what happened, on stdout (the summary) and stderr (the error).
    let want = format!(
        "target unreachable: all {refused} requests failed to connect to http://{addr} ({} API calls not sent for want of a token); is it running?",
        users["sent"]
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stdout.contains(&format!("target:  {want}")), "{all}");
    assert!(stderr.contains(&format!("error: {want}")), "{all}");
    assert!(stderr.contains(&out.display().to_string()), "{all}");
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(md.contains("Target unreachable: all"), "report.md lacks it");
    assert!(!all.contains(SECRET));
}

/// `quotaprobe serve` over plain HTTP as a child; killed on drop.
struct Served {
    child: Child,
    addr: String,
}

impl Served {
    fn start() -> Served {
        let mut child = Command::new(cargo_bin("quotaprobe"))
            .args(["serve", "--tier", "enterprise", "--addr", "127.0.0.1:0"])
            .args(["--client-id", ID, "--client-secret", SECRET])
            .args(["--api", "https://api.example.com/"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut addr = None;
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            if let Some(a) = line.strip_prefix("listening on http://") {
                addr = Some(a.to_string());
            }
            if line.starts_with("Ctrl-C") {
                break;
            }
        }
        Served {
            child,
            addr: addr.expect("serve printed no address"),
        }
    }

    /// Requests the tenant has served so far, from `GET /__sim/stats` over a plain socket
    /// (0 when it cannot be asked).
    fn served(&self) -> u64 {
        let ask = || -> std::io::Result<String> {
            let mut conn = std::net::TcpStream::connect(&self.addr)?;
            conn.set_read_timeout(Some(Duration::from_secs(5)))?;
            write!(
                conn,
                "GET /__sim/stats HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                self.addr
            )?;
            let mut reply = String::new();
            conn.read_to_string(&mut reply)?;
            Ok(reply)
        };
        let Ok(reply) = ask() else { return 0 };
        let body = reply.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        let stats: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
        stats["requests"]
            .as_object()
            .map_or(0, |m| m.values().filter_map(|v| v.as_u64()).sum())
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn a_target_that_dies_mid_run_is_named_and_thresholds_decide_the_exit() {
    let tmp = tempfile::tempdir().unwrap();
    let mut served = Served::start();
    let addr = served.addr.clone();
    let out = tmp.path().join("out");
    let path = scenario(
        tmp.path(),
        &addr,
        6,
        40,
        "[thresholds]\n\"list-users\".max_error_ratio = 0.05\n",
    );
    let started = Instant::now();
    let run = spawn_run(&path, &out);
    // Kill the tenant once it has answered a good share of the run (~1.5 s of it).
    while served.served() < 60 {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the tenant never got 60 requests"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    served.child.kill().unwrap();
    let killed = std::time::SystemTime::now();
    served.child.wait().unwrap();
    let o = finish(run, Duration::from_secs(40));
    let all = text(&o);
    // It answered for a while, so this is no run-time failure: the error-ratio threshold
    // breaks, exit 3.
    assert_eq!(o.status.code(), Some(3), "{all}");
    contract::check_report(&out);

    let sum = summary(&out);
    let users = &sum["list-users"];
    assert_eq!(users["sent"] + users["dropped"], users["scheduled"]);
    assert!(users["ok"] >= 30, "{users:?}");
    assert!(users["transport_errors"] >= 60, "{users:?}");
    let st = statuses(&out);
    let refused = st
        .get(&("list-users".into(), "connect".into()))
        .copied()
        .unwrap_or(0);
    assert!(refused >= 50, "calls after the kill are refused: {st:?}");
    let errors_after: u64 = run_fact(&out, "connection_errors_after_last_answer")
        .parse()
        .unwrap();
    assert!(errors_after >= refused, "{errors_after} < {refused}");

    // The console names the moment the tenant was killed, counted from the run's start (an
    // answer already on its way may be read a little after the kill on a loaded machine).
    let last_answer: f64 = run_fact(&out, "last_answer_s").parse().unwrap();
    let killed_s = seconds_of_day(killed) - rfc3339_seconds_of_day(&run_fact(&out, "start"));
    let killed_s = killed_s.rem_euclid(86_400.0);
    assert!(
        last_answer <= killed_s + 0.5 && last_answer >= killed_s - 0.75,
        "last answer at {last_answer} s, killed at {killed_s:.3} s\n{all}"
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    let line = stdout
        .lines()
        .find_map(|l| l.strip_prefix("target:  the target stopped answering at "))
        .unwrap_or_else(|| panic!("no stopped-answering line\n{all}"));
    assert!(
        line.starts_with(&format!("{last_answer:.1} s: ")),
        "{line} (last answer {last_answer})"
    );
    let at = last_answer;
    assert!(
        line.contains(&format!(": {errors_after} connection errors after that")),
        "{line}"
    );
    assert!(stdout.contains("FAIL list-users max_error_ratio"), "{all}");

    // Timeline: answers before the kill; from the second after it, only errors.
    let after = at.ceil() as u64 + 1;
    let rows = contract::csv_rows(&out.join("timeline.csv"));
    let mut late = 0;
    for r in rows.iter().filter(|r| r["operation"] == "list-users") {
        let (second, ok, sent): (u64, u64, u64) = (
            r["second"].parse().unwrap(),
            r["ok"].parse().unwrap(),
            r["sent"].parse().unwrap(),
        );
        if second == 0 {
            assert!(ok > 0, "no answer in second 0: {r:?}");
        }
        if second >= after {
            assert_eq!(ok, 0, "an answer after the kill: {r:?}");
            assert_eq!(r["errors"].parse::<u64>().unwrap(), sent, "{r:?}");
            late += sent;
        }
    }
    assert!(late > 0, "no timeline rows after the kill");
}

#[test]
fn a_target_that_never_answers_times_out_and_the_run_still_ends() {
    let tmp = tempfile::tempdir().unwrap();
    // Listening but never accepting: the kernel completes connections into the backlog, and
    // no request ever gets a byte back.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let out = tmp.path().join("out");
    let path = scenario(
        tmp.path(),
        &addr,
        2,
        20,
        "[http]\ntimeout = \"1s\"\nconnect_timeout = \"1s\"\n",
    );
    let started = Instant::now();
    let o = finish(spawn_run(&path, &out), Duration::from_secs(30));
    let took = started.elapsed();
    let all = text(&o);
    assert_eq!(o.status.code(), Some(1), "{all}");
    // 2 s of arrivals, then at most the 1 s timeout to drain (plus start-up): nothing waits
    // on a dead token fetch or a stuck connection.
    assert!(took < Duration::from_secs(8), "took {took:?}\n{all}");
    contract::check_report(&out);
    let sum = summary(&out);
    let st = statuses(&out);
    for (op, status) in [
        ("tok", "timeout"),
        ("list-users", "token_timeout"),
        (mgmt_token_op(&addr).as_str(), "timeout"),
    ] {
        let row = &sum[op];
        assert_eq!(row["ok"], 0, "{op}: {row:?}");
        // Cut by the drain (cancelled) at most for the last second's requests.
        let timed_out = st.get(&(op.to_string(), status.to_string())).copied();
        assert!(timed_out.unwrap_or(0) > 0, "{op}: {st:?}");
    }
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("target:  target unreachable: all "),
        "{all}"
    );
    assert!(
        stdout.contains(&format!("to http://{addr} got no answer (timeout ")),
        "{all}"
    );
    drop(silent);
}

/// Ctrl-C while every request hangs on a silent target: the first asks for a clean stop (the
/// drain may wait up to the 10 s request timeout), the second exits at once with 130.
#[test]
fn a_second_ctrl_c_exits_at_once_while_draining_a_silent_target() {
    let tmp = tempfile::tempdir().unwrap();
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let out = tmp.path().join("out");
    let path = scenario(tmp.path(), &addr, 30, 10, "[http]\ntimeout = \"10s\"\n");
    let child = spawn_run(&path, &out);
    let int = |pid: u32| {
        let ok = Command::new("kill")
            .args(["-INT", &pid.to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -INT failed");
    };
    std::thread::sleep(Duration::from_secs(2));
    int(child.id());
    // Let the first stop start its drain (in-flight requests wait for their 10 s timeout).
    std::thread::sleep(Duration::from_millis(500));
    let second = Instant::now();
    int(child.id());
    let o = finish(child, Duration::from_secs(20));
    let took = second.elapsed();
    let all = text(&o);
    assert_eq!(o.status.code(), Some(130), "{all}");
    assert!(
        took < Duration::from_secs(3),
        "took {took:?} after the second Ctrl-C"
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("Ctrl-C again exits at once"),
        "{all}"
    );
    drop(silent);
}

/// Seconds since midnight UTC of `t`.
fn seconds_of_day(t: std::time::SystemTime) -> f64 {
    let since = t.duration_since(std::time::UNIX_EPOCH).unwrap();
    (since.as_secs() % 86_400) as f64 + f64::from(since.subsec_nanos()) / 1e9
}

/// Seconds since midnight of an RFC 3339 UTC time such as `2026-11-28T09:34:35.165199791Z`.
fn rfc3339_seconds_of_day(text: &str) -> f64 {
    let time = text.split_once('T').unwrap().1.trim_end_matches('Z');
    let mut parts = time.split(':');
    let h: f64 = parts.next().unwrap().parse().unwrap();
    let m: f64 = parts.next().unwrap().parse().unwrap();
    let s: f64 = parts.next().unwrap().parse().unwrap();
    h * 3600.0 + m * 60.0 + s
}

/// Two shards of a run against a closed port, merged: the merged facts add up (not the first
/// shard's alone), so the merged report says the target was unreachable with the whole count.
#[test]
fn merged_shards_of_an_unreachable_target_say_so_with_the_whole_count() {
    let tmp = tempfile::tempdir().unwrap();
    let addr = closed_port();
    let path = scenario(tmp.path(), &addr, 2, 20, "");
    let mut dirs = Vec::new();
    let mut refused = 0u64;
    for shard in ["0/2", "1/2"] {
        let out = tmp.path().join(format!("shard{}", &shard[..1]));
        let child = Command::new(cargo_bin("quotaprobe"))
            .args(["run", "--yes", "--quiet", "--max-tokens", "100000"])
            .args(["--shard", shard])
            .arg(&path)
            .arg("--out")
            .arg(&out)
            .env("QP_ID", ID)
            .env("QP_SECRET", SECRET)
            .env_remove("QUOTAPROBE_SHARD")
            .env_remove("QUOTAPROBE_START_AT")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let o = finish(child, Duration::from_secs(30));
        assert_eq!(o.status.code(), Some(1), "{}", text(&o));
        let n: u64 = run_fact(&out, "connection_errors").parse().unwrap();
        assert!(n > 0);
        refused += n;
        dirs.push(out);
    }
    let merged = tmp.path().join("merged");
    let o = Command::new(cargo_bin("quotaprobe"))
        .arg("merge")
        .args(&dirs)
        .arg("--out")
        .arg(&merged)
        .output()
        .unwrap();
    assert!(o.status.code().is_some(), "{}", text(&o));
    contract::check_report(&merged);
    assert_eq!(run_fact(&merged, "answered"), "0");
    assert_eq!(run_fact(&merged, "connection_errors"), refused.to_string());
    let want =
        format!("target unreachable: all {refused} requests failed to connect to http://{addr}");
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains(&want), "{}", text(&o));
    let md = std::fs::read_to_string(merged.join("report.md")).unwrap();
    assert!(
        md.contains(&format!("T{}", &want[1..])),
        "report.md lacks {want}"
    );
}
