//! Fast-forward tells the truth: the same scenario, same seed, run in real time (simulator on
//! its own thread over loopback HTTP) and fast-forward (simulator in process, one virtual
//! clock) agree — per operation ok / 429 / 4xx within 2 % or ±2, tokens issued exact for the
//! deterministic token strategies — and both folders conserve and pass `verify`. Driven in
//! process through `quotaprobe::cli::dispatch`, as the binary would. Also: Ctrl-C (the stop
//! signal) ends a long fast-forward run with a complete report.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use clap::Parser;
use quotaprobe::cli::{Cli, Exit, dispatch};
use quotaprobe::engine::StopSignal;

use crate::support::conservation::{check_files, n};
use crate::support::contract::{check_report, csv_rows};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `quotaprobe run SCENARIO --out OUT -q [--fast-forward]`, in process: 0 when it ran and every
/// threshold held, 3 when it ran and one was breached (anything else fails the test).
fn run(scenario: &Path, out: &Path, fast_forward: bool, stop: StopSignal) -> u8 {
    let mut args = vec![
        "quotaprobe".to_string(),
        "run".into(),
        scenario.display().to_string(),
        "--out".into(),
        out.display().to_string(),
        "-q".into(),
    ];
    if fast_forward {
        args.push("--fast-forward".into());
    }
    let cli = Cli::try_parse_from(args).unwrap();
    match dispatch(cli, stop) {
        Exit::Ok => 0,
        Exit::Breached => 3,
        e => panic!("{}: {e:?}", scenario.display()),
    }
}

/// The simulator's `127.0.0.1:PORT` differs between the runs: names compared without it.
fn norm(name: &str) -> String {
    match name.find("127.0.0.1:") {
        Some(i) => {
            let rest = &name[i + "127.0.0.1:".len()..];
            let port = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            format!("{}SIM{}", &name[..i], &rest[port..])
        }
        None => name.to_string(),
    }
}

/// summary.csv: operation → (ok, 429, 4xx, sent).
fn outcomes(dir: &Path) -> BTreeMap<String, [u64; 4]> {
    csv_rows(&dir.join("summary.csv"))
        .iter()
        .map(|r| {
            let k = ["ok", "status_429", "status_4xx", "sent"].map(|c| n(r, c));
            (norm(&r["operation"]), k)
        })
        .collect()
}

/// audiences.csv: audience → tokens issued.
fn issued(dir: &Path) -> BTreeMap<String, u64> {
    csv_rows(&dir.join("audiences.csv"))
        .iter()
        .map(|r| (norm(&r["audience"]), n(r, "tokens_issued")))
        .collect()
}

fn close(a: u64, b: u64) -> bool {
    let tolerance = (0.02 * a.max(b) as f64).max(2.0);
    (a as f64 - b as f64).abs() <= tolerance
}

fn facts(dir: &Path) -> BTreeMap<String, String> {
    csv_rows(&dir.join("run.csv"))
        .into_iter()
        .map(|r| (r["key"].clone(), r["value"].clone()))
        .collect()
}

/// Runs `scenario` both ways (the real-time run on a thread of its own, alongside) and
/// compares. Returns (real, fast-forward) folders.
fn both(scenario: &Path, tmp: &Path) -> (PathBuf, PathBuf) {
    let (rt, ff) = (tmp.join("real"), tmp.join("ff"));
    let real = {
        let (s, o) = (scenario.to_path_buf(), rt.clone());
        std::thread::spawn(move || run(&s, &o, false, StopSignal::new()))
    };
    let fast = run(scenario, &ff, true, StopSignal::new());
    assert_eq!(
        real.join().unwrap(),
        fast,
        "the same exit code (thresholds)"
    );
    for dir in [&rt, &ff] {
        check_report(dir);
        check_files(dir, &|op: &str| {
            op.strip_prefix("token:").map(str::to_string)
        });
    }
    assert_eq!(facts(&rt)["clock"], "real");
    assert_eq!(facts(&ff)["clock"], "virtual");
    let (a, b) = (outcomes(&rt), outcomes(&ff));
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same operations"
    );
    for (op, real) in &a {
        let fast = b[op];
        for (i, what) in ["ok", "429", "4xx", "sent"].iter().enumerate() {
            assert!(
                close(real[i], fast[i]),
                "{}: {op} {what}: real time {} vs fast-forward {}",
                scenario.display(),
                real[i],
                fast[i]
            );
        }
    }
    (rt, ff)
}

#[test]
fn mgmt_burst_agrees_in_real_time_and_fast_forward() {
    let tmp = tempfile::tempdir().unwrap();
    let (rt, ff) = both(&root().join("scenarios/mgmt-burst.toml"), tmp.path());
    // The burst meets the free tier's limit both ways; one cached Management token each.
    let (a, b) = (outcomes(&rt), outcomes(&ff));
    assert!(
        a["get-users"][1] > 10 && b["get-users"][1] > 10,
        "{a:?} {b:?}"
    );
    assert_eq!(issued(&rt), issued(&ff));
    assert_eq!(issued(&ff)["https://SIM/api/v2/"], 1);
}

#[test]
fn a_token_per_call_issues_exactly_the_same_tokens() {
    let tmp = tempfile::tempdir().unwrap();
    let (rt, ff) = both(
        &root().join("scenarios/m2m-token-per-call.toml"),
        tmp.path(),
    );
    let (a, b) = (issued(&rt), issued(&ff));
    assert_eq!(a, b, "tokens issued, per audience");
    // 15 s at 5/s: one token per call, 75 calls.
    assert_eq!(b["https://api.example.com/"], 75);
    assert_eq!(outcomes(&ff)["orders-api"], [75, 0, 0, 75]);
}

#[test]
fn capacity_with_retries_agrees_in_real_time_and_fast_forward() {
    let tmp = tempfile::tempdir().unwrap();
    // mgmt-burst's shape with the Retry-After policy: 429s are waited out and retried.
    let text = std::fs::read_to_string(root().join("scenarios/mgmt-burst.toml")).unwrap();
    let text = text.replace(
        "[retry]\npolicy = \"none\"",
        "[retry]\npolicy = \"retry-after\"\nmax_retries = 2",
    );
    assert!(text.contains("retry-after"));
    let scenario = tmp.path().join("mgmt-burst-retries.toml");
    std::fs::write(&scenario, text).unwrap();
    let (rt, ff) = both(&scenario, tmp.path());
    let retries = |dir: &Path| {
        csv_rows(&dir.join("summary.csv"))
            .iter()
            .find(|r| r["operation"] == "get-users")
            .map(|r| n(r, "retries"))
            .unwrap()
    };
    let (a, b) = (retries(&rt), retries(&ff));
    assert!(a > 0 && b > 0, "retries made: {a} {b}");
    // Retries are no final outcome (the 2 % rule is for those, checked above): a retry lands
    // near a bucket's refill instant, where real time's jitter decides whether it is 429'd
    // again. Seen: real time 64 (quiet machine) to 75 (the whole suite running) against
    // fast-forward's 61; so within 30 % (the final outcomes agree within 2 %, above).
    let within = (a as f64 - b as f64).abs() <= (0.3 * a.max(b) as f64).max(2.0);
    assert!(within, "retries: real time {a} vs fast-forward {b}");
    assert_eq!(issued(&rt), issued(&ff));
}

#[test]
fn a_stop_signal_ends_a_long_fast_forward_run_with_a_complete_report() {
    let tmp = tempfile::tempdir().unwrap();
    // 30 virtual days at 1/s: far more than the test waits for.
    let text = std::fs::read_to_string(root().join("scenarios/mgmt-burst.toml")).unwrap();
    let long = text
        .replace(
            "duration = \"6s\"\nrate = 1",
            "duration = \"30d\"\nrate = 1",
        )
        .replace("name = \"mgmt-burst\"", "name = \"long\"");
    assert!(long.contains("30d"));
    let scenario = tmp.path().join("long.toml");
    std::fs::write(&scenario, long).unwrap();
    let stop = StopSignal::new();
    let stopper = stop.clone();
    std::thread::spawn(move || {
        // Long enough for the tenant's key generation (debug build, a loaded machine) and then
        // some virtual minutes.
        std::thread::sleep(Duration::from_secs(3));
        stopper.stop();
    });
    let out = tmp.path().join("ff");
    run(&scenario, &out, true, stop);
    check_report(&out);
    let f = facts(&out);
    assert_eq!(f["stop_reason"], "signal");
    assert_eq!(f["clock"], "virtual");
    let duration: f64 = f["duration_s"].parse().unwrap();
    let wall: f64 = f["wall_s"].parse().unwrap();
    assert!(
        duration > wall,
        "virtual {duration} s in {wall} s of wall time"
    );
}

#[test]
fn the_simulators_latency_is_virtual_service_time() {
    // 10 minutes at 5/s with 1.5 s added to every answer (enterprise: no 429): every request's
    // latency is the simulator's 1.5 s on the virtual clock, and the run takes far less wall time.
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("slow.toml");
    std::fs::write(
        &scenario,
        "name = \"slow\"\n\n[target.simulated]\ntier = \"enterprise\"\n\n\
         [target.simulated.faults]\nlatency = \"1500ms\"\n\n\
         [[operations]]\nname = \"get-users\"\nkind = \"management\"\nmethod = \"GET\"\n\
         path = \"/api/v2/users?per_page=5\"\n\n\
         [[phases]]\nduration = \"10m\"\nrate = 5\nmax_in_flight = 32\n",
    )
    .unwrap();
    let out = tmp.path().join("ff");
    assert_eq!(run(&scenario, &out, true, StopSignal::new()), 0);
    check_report(&out);
    let rows = csv_rows(&out.join("summary.csv"));
    let users = rows.iter().find(|r| r["operation"] == "get-users").unwrap();
    assert_eq!((n(users, "sent"), n(users, "ok")), (3_000, 3_000));
    for col in ["p50_ms", "p99_ms"] {
        let ms: f64 = users[col].parse().unwrap();
        assert!((1_500.0..1_520.0).contains(&ms), "{col} = {ms} ms");
    }
    let f = facts(&out);
    let (duration, wall): (f64, f64) = (
        f["duration_s"].parse().unwrap(),
        f["wall_s"].parse().unwrap(),
    );
    assert!((600.0..605.0).contains(&duration), "virtual {duration} s");
    assert!(
        wall < duration / 5.0,
        "{wall} s of wall time for {duration} virtual"
    );
}
