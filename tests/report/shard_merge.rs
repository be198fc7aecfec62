//! Sharded runs and `merge` through the real binary on the embedded simulator: three shards
//! (given by --shard, by --shard-count + --shard-index-env, and by QUOTAPROBE_SHARD) started
//! together with --start-at (within 2 s on a loaded machine) schedule exactly the single run's arrivals, operation for
//! operation; the merged report adds up, passes `quotaprobe verify`, and refuses foreign shards.
#![allow(clippy::unwrap_used)]

use crate::support::contract;
use contract::{check_report, csv_rows};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command as StdCommand, Output, Stdio};
use std::time::{Duration, SystemTime};

use assert_cmd::cargo::cargo_bin;

const SCENARIO: &str = r#"name = "shard-mix"
seed = 11

[target]
simulated = { tier = "essentials" }

[[clients]]
name = "backend"

[[clients]]
name = "other"

[[operations]]
name = "list-users"
kind = "management"
method = "GET"
path = "/api/v2/users?per_page=5"
client = "backend"
weight = 2

[[operations]]
name = "orders-token"
kind = "token"
client = "backend"
audience = "https://orders.example.com/"
weight = 1

[[phases]]
name = "steady"
duration = "2s"
rate = 9

[[phases]]
name = "ramp"
duration = "1s"
rate = 3
ramp_to = 9

[stop]
max_tokens = 60

[[events]]
at = "1s"
action = "rotate-secret"
client = "other"

[thresholds]
ALL.min_achieved_rps = 4.5
"list-users".max_429_ratio = 1.0
"#;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn cmd(args: &[&str], env: &[(&str, &str)]) -> StdCommand {
    let mut c = StdCommand::new(cargo_bin("quotaprobe"));
    c.args(args)
        .env_remove("QUOTAPROBE_SHARD")
        .env_remove("QUOTAPROBE_START_AT")
        .stdin(Stdio::null());
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn facts(dir: &Path) -> HashMap<String, String> {
    csv_rows(&dir.join("run.csv"))
        .into_iter()
        .map(|r| (r["key"].clone(), r["value"].clone()))
        .collect()
}

/// operation → column → value, from summary.csv.
fn summary(dir: &Path) -> HashMap<String, HashMap<String, String>> {
    csv_rows(&dir.join("summary.csv"))
        .into_iter()
        .map(|r| (r["operation"].clone(), r))
        .collect()
}

fn n(row: &HashMap<String, String>, key: &str) -> u64 {
    row[key].parse().unwrap()
}

fn rfc3339_in(secs: u64) -> String {
    humantime::format_rfc3339_seconds(SystemTime::now() + Duration::from_secs(secs)).to_string()
}

#[test]
fn three_shards_schedule_the_single_run_and_merge_into_its_report() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "mix.toml", SCENARIO);
    let s = scenario.to_str().unwrap();
    let out = |name: &str| tmp.path().join(name);

    // Three shards at once, each told its index a different way.
    let at = rfc3339_in(3);
    let base = ["run", s, "--quiet", "--start-at", &at, "--out"];
    let spawn = |dir: &str, extra: &[&str], env: &[(&str, &str)]| {
        let mut args: Vec<&str> = base.to_vec();
        let dir = out(dir);
        args.push(dir.to_str().unwrap());
        args.extend_from_slice(extra);
        cmd(&args, env)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let children = [
        spawn("s0", &["--shard", "0/3"], &[]),
        spawn(
            "s1",
            &[
                "--shard-count",
                "3",
                "--shard-index-env",
                "JOB_COMPLETION_INDEX",
            ],
            &[("JOB_COMPLETION_INDEX", "1")],
        ),
        spawn("s2", &[], &[("QUOTAPROBE_SHARD", "2/3")]),
    ];
    for child in children {
        let o = child.wait_with_output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    }
    let single = cmd(
        &[
            "run",
            s,
            "--quiet",
            "--out",
            out("single").to_str().unwrap(),
        ],
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(single.status.code(), Some(0), "{}", text(&single));

    // Tags: shard, scenario hash, seed stream; starts within a second of each other.
    let sha = {
        let d = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, SCENARIO.as_bytes());
        d.as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let shard_facts: Vec<_> = ["s0", "s1", "s2"].iter().map(|d| facts(&out(d))).collect();
    let starts: Vec<SystemTime> = shard_facts
        .iter()
        .map(|f| humantime::parse_rfc3339_weak(&f["start"]).unwrap())
        .collect();
    for (i, f) in shard_facts.iter().enumerate() {
        assert_eq!(f["shard"], format!("{i}/3"));
        assert_eq!(f["scenario_sha256"], sha);
        assert_eq!(f["base_seed"], "11");
        assert_ne!(f["seed"], "11", "shard {i} runs on a derived seed");
        // 18 + 6 arrivals split 8/8/8.
        assert_eq!(f["planned_arrivals"], "8");
        let skew = starts[i]
            .duration_since(starts[0])
            .or_else(|e| Ok::<_, ()>(e.duration()))
            .unwrap();
        assert!(
            skew < Duration::from_secs(2),
            "shard {i} started {skew:?} off"
        );
    }
    // Events run on shard 0 only.
    let rotations = |d: &str| {
        csv_rows(&out(d).join("events.csv"))
            .iter()
            .filter(|r| r["action"] == "rotate-secret")
            .count()
    };
    assert_eq!(
        (rotations("s0"), rotations("s1"), rotations("s2")),
        (1, 0, 0)
    );

    // The union of the shards is the single run's schedule, operation for operation.
    let single_sum = summary(&out("single"));
    let shard_sums: Vec<_> = ["s0", "s1", "s2"]
        .iter()
        .map(|d| summary(&out(d)))
        .collect();
    for op in ["list-users", "orders-token"] {
        let total: u64 = shard_sums.iter().map(|s| n(&s[op], "scheduled")).sum();
        assert_eq!(total, n(&single_sum[op], "scheduled"), "{op}");
    }
    let planned = |s: &HashMap<String, HashMap<String, String>>| {
        n(&s["list-users"], "scheduled") + n(&s["orders-token"], "scheduled")
    };
    assert_eq!(planned(&single_sum), 24);
    for s in &shard_sums {
        assert_eq!(planned(s), 8);
    }
    // Besides: each shard process fills its own Management token cache (one fetch each).
    let mgmt = |s: &HashMap<String, HashMap<String, String>>| {
        s.iter()
            .filter(|(op, _)| op.starts_with("token:") && op.ends_with("/api/v2/"))
            .map(|(_, r)| n(r, "scheduled"))
            .sum::<u64>()
    };
    assert_eq!(mgmt(&single_sum), 1);
    assert!(shard_sums.iter().all(|s| mgmt(s) == 1));

    // Merge: counts add, conservation holds, the shards are listed.
    let merged = out("merged");
    let o = cmd(
        &[
            "merge",
            out("s0").to_str().unwrap(),
            out("s1").to_str().unwrap(),
            out("s2").to_str().unwrap(),
            "--out",
            merged.to_str().unwrap(),
        ],
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    check_report(&merged);
    for f in ["report.md", "report.html", "histograms.hlog"] {
        assert!(merged.join(f).is_file(), "{f}");
    }
    let m = summary(&merged);
    for op in ["list-users", "orders-token", "ALL"] {
        for key in [
            "scheduled",
            "sent",
            "dropped",
            "ok",
            "status_429",
            "status_4xx",
        ] {
            let total: u64 = shard_sums.iter().map(|s| n(&s[op], key)).sum();
            assert_eq!(n(&m[op], key), total, "{op} {key}");
        }
    }
    assert_eq!(planned(&m), planned(&single_sum));
    // The merged maximum latency is the largest shard maximum (from the merged histograms).
    let max = |s: &HashMap<String, HashMap<String, String>>| -> f64 {
        s["ALL"]["max_ms"].parse().unwrap()
    };
    let shard_max = shard_sums.iter().map(max).fold(0.0, f64::max);
    assert!(
        (max(&m) - shard_max).abs() <= shard_max * 0.001 + 0.001,
        "{} vs {shard_max}",
        max(&m)
    );
    // Thresholds: a shard judges a rate threshold at 1/N of it; the merged run at the whole.
    let limit = |dir: &Path| {
        csv_rows(&dir.join("thresholds.csv"))
            .into_iter()
            .find(|r| r["metric"] == "min_achieved_rps")
            .map(|r| (r["limit"].clone(), r["passed"].clone()))
            .unwrap()
    };
    assert_eq!(limit(&out("s1")), ("1.5".to_string(), "true".to_string()));
    assert_eq!(limit(&merged), ("4.5".to_string(), "true".to_string()));
    let mf = facts(&merged);
    // Every folder this version wrote reads back into typed facts, every key known, and writes
    // the same run.csv byte for byte.
    for dir in [out("s0"), out("s1"), out("s2"), merged.clone()] {
        let back = quotaprobe::report::read(&dir).unwrap();
        assert!(
            back.run.extra.is_empty(),
            "{}: {:?}",
            dir.display(),
            back.run.extra
        );
        let again = tempfile::tempdir().unwrap();
        quotaprobe::report::write(again.path(), &back).unwrap();
        let bytes = |d: &Path| std::fs::read(d.join("run.csv")).unwrap();
        assert_eq!(bytes(again.path()), bytes(&dir), "{}", dir.display());
    }
    assert_eq!(mf["shards_merged"], "0/3 1/3 2/3");
    assert_eq!(mf["planned_arrivals"], "24");
    assert_eq!(mf["seed"], "11");
    assert!(!mf.contains_key("shard"));
    let tokens: u64 = shard_facts
        .iter()
        .map(|f| f["token_requests_sent"].parse::<u64>().unwrap())
        .sum();
    assert_eq!(mf["token_requests_sent"], tokens.to_string());

    // A missing shard is merged with a warning; a duplicate or a foreign shard is refused
    // before anything is written.
    let partial = out("partial");
    let o = cmd(
        &[
            "merge",
            out("s0").to_str().unwrap(),
            out("s2").to_str().unwrap(),
            "--out",
            partial.to_str().unwrap(),
        ],
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("missing shard(s) 1/3"), "{}", text(&o));
    assert_eq!(planned(&summary(&partial)), 16);

    let dup = cmd(
        &[
            "merge",
            out("s0").to_str().unwrap(),
            out("s0").to_str().unwrap(),
            "--out",
            out("dup").to_str().unwrap(),
        ],
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(dup.status.code(), Some(2), "{}", text(&dup));
    assert!(text(&dup).contains("both shard 0/3"), "{}", text(&dup));
    assert!(!out("dup").exists());

    let other = write(
        tmp.path(),
        "other.toml",
        &SCENARIO.replace("rate = 9\n\n[[phases]]", "rate = 6\n\n[[phases]]"),
    );
    let o = cmd(
        &[
            "run",
            other.to_str().unwrap(),
            "--quiet",
            "--shard",
            "1/3",
            "--out",
            out("foreign").to_str().unwrap(),
        ],
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let o = cmd(
        &[
            "merge",
            out("s0").to_str().unwrap(),
            out("foreign").to_str().unwrap(),
            "--out",
            out("mixed").to_str().unwrap(),
        ],
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("scenario_sha256"), "{}", text(&o));
    assert!(!out("mixed").exists());
    let o = cmd(
        &[
            "merge",
            out("single").to_str().unwrap(),
            "--out",
            out("plain").to_str().unwrap(),
        ],
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no `shard` key"), "{}", text(&o));
}

#[test]
fn bad_shard_and_start_values_exit_2_before_sending() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "mix.toml", SCENARIO);
    let s = scenario.to_str().unwrap();
    let past =
        humantime::format_rfc3339_seconds(SystemTime::now() - Duration::from_secs(120)).to_string();
    let far = rfc3339_in(3 * 24 * 3600);
    let tiny = write(
        tmp.path(),
        "tiny.toml",
        &SCENARIO.replace("max_tokens = 60", "max_tokens = 2"),
    );
    // (flags, environment, what the error says)
    type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, &'a str);
    let cases: Vec<Case<'_>> = vec![
        (vec!["--shard", "3/3"], vec![], "--shard"),
        (vec!["--shard", "x"], vec![], "--shard"),
        (
            vec![],
            vec![("QUOTAPROBE_SHARD", "5/2")],
            "I must be below N",
        ),
        (
            vec!["--shard-count", "3", "--shard-index-env", "QP_NO_SUCH_VAR"],
            vec![],
            "--shard-index-env QP_NO_SUCH_VAR",
        ),
        (
            vec!["--shard-count", "3", "--shard-index-env", "IDX"],
            vec![("IDX", "7")],
            "I must be below N",
        ),
        (vec!["--start-at", &past], vec![], "--start-at"),
        (vec!["--start-at", &far], vec![], "24 h ahead"),
        (vec!["--start-at", "soon"], vec![], "--start-at"),
    ];
    for (extra, env, says) in cases {
        let out = tmp.path().join("never");
        let mut args = vec!["run", s, "--quiet", "--out", out.to_str().unwrap()];
        args.extend(extra.iter().copied());
        let o = cmd(&args, &env).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{extra:?} {env:?}: {}", text(&o));
        assert!(text(&o).contains(says), "{extra:?}: {}", text(&o));
        assert!(!out.exists(), "{extra:?} created the report folder");
    }
    let never = tmp.path().join("never");
    let o = cmd(
        &[
            "run",
            tiny.to_str().unwrap(),
            "--quiet",
            "--shard",
            "0/3",
            "--out",
            never.to_str().unwrap(),
        ],
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("stop.max_tokens = 2 cannot be split over 3 shards"),
        "{}",
        text(&o)
    );
    assert!(!never.exists());
}

#[test]
fn ctrl_c_while_waiting_for_start_at_exits_without_sending() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "mix.toml", SCENARIO);
    let out = tmp.path().join("waited");
    let at = rfc3339_in(60);
    let mut child = cmd(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--shard",
            "0/2",
            "--start-at",
            &at,
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    )
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    std::thread::sleep(Duration::from_millis(800));
    let kill = StdCommand::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let started = std::time::Instant::now();
    let o = loop {
        if let Some(_status) = child.try_wait().unwrap() {
            break child.wait_with_output().unwrap();
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still waiting after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        text(&o).contains("interrupted while waiting for --start-at; nothing was sent"),
        "{}",
        text(&o)
    );
    assert!(!out.join("summary.csv").exists());
}

#[test]
fn a_shards_dry_run_says_its_share_of_the_whole_plan() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "mix.toml", SCENARIO);
    let out = tmp.path().join("never");
    let o = cmd(
        &[
            "run",
            scenario.to_str().unwrap(),
            "--shard",
            "1/3",
            "--dry-run",
            "--out",
            out.to_str().unwrap(),
        ],
        &[],
    )
    .output()
    .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let t = text(&o);
    // 2 s at 9/s, then 1 s ramping 3 → 9/s: 18 + 6 arrivals; shard 1 takes g = 1, 4, ..., 22.
    assert!(t.contains("total requests (arrivals): 24"), "{t}");
    assert!(
        t.contains("shard 1/3: this process sends 8 of them (one arrival in 3)"),
        "{t}"
    );
    assert!(!out.exists(), "a dry run created the report folder");
}
