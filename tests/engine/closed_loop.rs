//! Closed-loop phases (`concurrency = N`) through the real binary: the loop keeps exactly N
//! requests in flight against a local server that counts them, every request is accounted for
//! (scheduled = sent = ok, nothing dropped, lag ≈ 0), the report passes `quotaprobe verify`; and the
//! scenario rules: `concurrency` xor `rate`, no `ramp_to`/`max_in_flight` beside it, refused
//! against a real tenant, `validate` says the count depends on the target; bench/*.toml are valid.
#![allow(clippy::unwrap_used)]

use crate::support::contract;
use contract::{check_report, csv_rows};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use assert_cmd::Command;

/// Requests now in flight, the most ever at once, and the total served.
#[derive(Default)]
struct Seen {
    now: AtomicUsize,
    max: AtomicUsize,
    total: AtomicUsize,
}

/// A loopback server that holds each request `hold`, counting concurrency; returns its URL.
fn start_server(seen: Arc<Seen>, hold: Duration) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = axum::Router::new().route(
                "/",
                axum::routing::get(move || {
                    let seen = seen.clone();
                    async move {
                        let now = seen.now.fetch_add(1, Ordering::SeqCst) + 1;
                        seen.max.fetch_max(now, Ordering::SeqCst);
                        tokio::time::sleep(hold).await;
                        seen.now.fetch_sub(1, Ordering::SeqCst);
                        seen.total.fetch_add(1, Ordering::SeqCst);
                        "{\"ok\":true}"
                    }
                }),
            );
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    format!("http://{addr}/")
}

fn scenario(phases: &str, target: &str) -> String {
    format!(
        r#"name = "closed"
{target}
[[operations]]
name = "get"
kind = "http"
url = "URL"

{phases}"#
    )
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("closed.toml");
    std::fs::write(&path, text).unwrap();
    path
}

fn bin() -> Command {
    Command::cargo_bin("quotaprobe").unwrap()
}

#[test]
fn closed_loop_keeps_n_in_flight_and_accounts_for_every_request() {
    let seen = Arc::new(Seen::default());
    let url = start_server(seen.clone(), Duration::from_millis(5));
    let tmp = tempfile::tempdir().unwrap();
    let text = scenario(
        "[[phases]]\nname = \"flat-out\"\nduration = \"2s\"\nconcurrency = 4\n",
        "",
    )
    .replace("URL", &url);
    let out = tmp.path().join("report");
    let output = bin()
        .args(["run", "--quiet", "--out"])
        .arg(&out)
        .arg(write(tmp.path(), &text))
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    check_report(&out);
    // Never more than N at once, and the loop really used all N.
    assert_eq!(seen.max.load(Ordering::SeqCst), 4);
    let served = seen.total.load(Ordering::SeqCst) as f64;
    let all = csv_rows(&out.join("summary.csv"))
        .into_iter()
        .find(|r| r["operation"] == "ALL")
        .unwrap();
    let num = |k: &str| all[k].parse::<f64>().unwrap();
    // Each request is scheduled and sent at once: nothing dropped, no lag.
    assert!(num("sent") > 0.0);
    assert_eq!(num("scheduled"), num("sent"));
    assert_eq!(num("dropped"), 0.0);
    assert_eq!(num("ok"), num("sent"));
    assert_eq!(
        num("sent"),
        served,
        "the client counted what the server served"
    );
    assert!(num("lag_p99_ms") < 1.0, "lag {}", all["lag_p99_ms"]);
    // Closed: throughput is bounded by N / latency (4 / 5 ms over ~2 s = at most ~1,600).
    assert!(served <= 4.0 * 2.2 / 0.005, "served {served}");
}

/// Runs validate on `text` and returns (exit code, stdout + stderr).
fn validate(text: &str, env: &[(&str, &str)]) -> (Option<i32>, String) {
    let tmp = tempfile::tempdir().unwrap();
    let mut cmd = bin();
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd
        .arg("validate")
        .arg(write(tmp.path(), text))
        .output()
        .unwrap();
    let all =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    (out.status.code(), all)
}

#[test]
fn closed_loop_scenario_rules() {
    let sim = |phases: &str| scenario(phases, "").replace("URL", "http://127.0.0.1:9/");
    let (code, all) = validate(
        &sim("[[phases]]\nname = \"flat-out\"\nduration = \"5s\"\nconcurrency = 8\n"),
        &[],
    );
    assert_eq!(code, Some(0), "{all}");
    assert!(
        all.contains("closed") && all.contains("depends on the target"),
        "{all}"
    );
    for (phases, needle) in [
        (
            "[[phases]]\nduration = \"5s\"\nrate = 5\nconcurrency = 8\n",
            "phases[0].concurrency: cannot be combined with rate",
        ),
        (
            "[[phases]]\nduration = \"5s\"\n",
            "needs rate = N (open model: arrivals per second) or concurrency = N",
        ),
        (
            "[[phases]]\nduration = \"5s\"\nconcurrency = 8\nmax_in_flight = 3\n",
            "phases[0].max_in_flight: does not apply to a closed loop",
        ),
        (
            "[[phases]]\nduration = \"5s\"\nconcurrency = 0\n",
            "phases[0].concurrency: must be between 1 and 100000",
        ),
    ] {
        let (code, all) = validate(&sim(phases), &[]);
        assert_eq!(code, Some(2), "{phases}: {all}");
        assert!(all.contains(needle), "{phases}: lacks {needle:?}:\n{all}");
    }
    // Against a real tenant a closed loop has no rate to cap: refused before anything is sent.
    let real = scenario(
        "[[phases]]\nduration = \"5s\"\nconcurrency = 8\n",
        "[target]\ndomain = \"${QP_DOMAIN}\"\n",
    )
    .replace("URL", "https://acme.eu.auth0.com/health");
    let (code, all) = validate(&real, &[("QP_DOMAIN", "acme.eu.auth0.com")]);
    assert_eq!(code, Some(2), "{all}");
    assert!(
        all.contains("phases[0].concurrency: a closed loop has no rate cap and is refused against a real tenant"),
        "{all}"
    );
}

#[test]
fn bench_scenarios_validate() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    for (file, needle) in [
        ("bench/closed.toml", "closed"),
        ("bench/rate.toml", "50000"),
    ] {
        let out = bin()
            .env("BENCH_URL", "http://127.0.0.1:9/")
            .arg("validate")
            .arg(root.join(file))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{file}: {stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains(needle), "{file}: {stdout}");
    }
}
