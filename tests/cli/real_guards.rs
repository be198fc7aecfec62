//! The guard rails of a real-tenant run, each through the binary against `serve --tls`: no
//! `--yes` (exit 2, nothing sent), `--dry-run` (exit 0, nothing sent), the duration cap, the
//! token cap (a complete report that stopped at `max_tokens`), the tier's rate ceilings.
#![allow(clippy::unwrap_used)]

use crate::support::real as real_support;

use real_support::*;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn without_yes_and_without_a_terminal_nothing_is_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let served = Served::start();
    let path = scenario(tmp.path(), "no-yes", false, &burst(2, 2));
    let ca = served.cert.display().to_string();
    let o = run(
        Some(&served),
        SECRET,
        &path,
        &["--ca-file", &ca, "--out", "out"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    for part in [
        "duration: 2s",
        "total requests (arrivals): 4",
        "GET /api/v2/users: 2.00/s",
    ] {
        assert!(stdout.contains(part), "the plan shows {part:?}: {stdout}");
    }
    assert!(stderr(&o).contains("--yes") && stderr(&o).contains("nothing was sent"));
    assert_eq!(served.total_requests(), 0);
    assert!(!tmp.path().join("out").exists(), "no report folder");
    assert_no_secrets(&o, None, SECRET);
}

#[test]
fn dry_run_prints_the_plan_and_sends_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let served = Served::start();
    let path = scenario(tmp.path(), "dry", false, &burst(2, 2));
    let o = run(
        Some(&served),
        SECRET,
        &path,
        &["--dry-run", "--yes", "--out", "out"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("token requests forecast") && stdout.contains("nothing was sent"));
    assert_eq!(served.total_requests(), 0);
    assert!(!tmp.path().join("out").exists());

    // The simulated target takes --dry-run too.
    let sim = scenario(tmp.path(), "dry-sim", true, &burst(2, 2));
    let o = run(None, SECRET, &sim, &["--dry-run", "--out", "out"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("the embedded simulator, tier free"));
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn plans_longer_than_the_duration_cap_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let served = Served::start();
    let long = scenario(
        tmp.path(),
        "long",
        false,
        "[[operations]]\nname = \"u\"\nkind = \"management\"\npath = \"/api/v2/users\"\n[[phases]]\nduration = \"3h\"\nrate = 0.01\n",
    );
    let short = scenario(tmp.path(), "short", false, &burst(1, 5));
    let cases: [(&std::path::Path, &[&str], &str); 3] = [
        (&long, &["--yes"], "--max-duration"),
        (
            &short,
            &["--yes", "--max-duration", "2s"],
            "longer than the cap of 2s",
        ),
        (
            &short,
            &["--yes", "--max-duration", "3h"],
            "policy's maximum",
        ),
    ];
    for (path, args, part) in cases {
        let o = run(Some(&served), SECRET, path, args);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(stderr(&o).contains(part), "{part}: {}", text(&o));
    }
    assert_eq!(served.total_requests(), 0);
}

#[test]
fn the_token_cap_ends_the_run_with_a_complete_report() {
    let tmp = tempfile::tempdir().unwrap();
    let served = Served::start();
    let body = "[[operations]]\nname = \"orders-token\"\nkind = \"token\"\naudience = \"https://api.example.com/\"\n\n[[phases]]\nname = \"p\"\nduration = \"4s\"\nrate = 5\n";
    let path = scenario(tmp.path(), "tokens", false, body);
    let ca = served.cert.display().to_string();
    let args = [
        "--quiet",
        "--yes",
        "--ca-file",
        &ca,
        "--max-tokens",
        "5",
        "--out",
        "out",
    ];
    let o = run(Some(&served), SECRET, &path, &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let out = tmp.path().join("out");
    let facts = run_facts(&out);
    assert_eq!(facts["stop_reason"], "max_tokens", "{facts:?}");
    assert_eq!(facts["token_requests_sent"], "5");
    assert_eq!(facts["cap_max_tokens"], "5");
    check_report(&out);
    assert_eq!(served.requests("POST /oauth/token"), 5);
    assert_no_secrets(&o, Some(&out), SECRET);
}

#[test]
fn a_plan_above_the_tiers_published_limits_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let served = Served::start();
    let path = scenario(tmp.path(), "fast", false, &burst(10, 2));
    let o = run(Some(&served), SECRET, &path, &["--yes", "--tier", "free"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let err = stderr(&o);
    for part in [
        "GET /api/v2/users",
        "planned peak 10.00/s",
        "limit of 2/s",
        "nothing was sent",
    ] {
        assert!(err.contains(part), "{part}: {err}");
    }
    assert_eq!(served.total_requests(), 0);
    // Within the limits the same tier lets the run go.
    let slow = scenario(tmp.path(), "slow", false, &burst(1, 1));
    let ca = served.cert.display().to_string();
    let args = [
        "--quiet",
        "--yes",
        "--tier",
        "free",
        "--ca-file",
        &ca,
        "--out",
        "ok",
    ];
    let o = run(Some(&served), SECRET, &slow, &args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert_eq!(run_facts(&tmp.path().join("ok"))["tier"], "free");
}

#[test]
fn a_ca_file_that_is_not_pem_is_refused_before_sending() {
    let tmp = tempfile::tempdir().unwrap();
    let served = Served::start();
    let path = scenario(tmp.path(), "bad-ca", false, &burst(1, 1));
    std::fs::write(tmp.path().join("junk.pem"), "not a certificate\n").unwrap();
    for file in ["junk.pem", "missing.pem"] {
        let o = run(Some(&served), SECRET, &path, &["--yes", "--ca-file", file]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(stderr(&o).contains("--ca-file") && stderr(&o).contains("nothing was sent"));
    }
    assert_eq!(served.total_requests(), 0);
}

/// Runs the binary at a pseudo-terminal (util-linux `script`), typing `answer` at the prompt.
fn at_terminal(served: &Served, scenario: &std::path::Path, answer: &str) -> Option<String> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let bin = assert_cmd::cargo::cargo_bin("quotaprobe");
    let inner = format!(
        "{} run {} --quiet --ca-file {} --out typed",
        bin.display(),
        scenario.display(),
        served.cert.display()
    );
    let line = format!("(sleep 1; echo {answer}) | {script} -qec '{inner}' /dev/null");
    let o = std::process::Command::new("sh")
        .args(["-c", &line])
        .env("QP_ID", ID)
        .env("QP_SECRET", SECRET)
        .env("QP_DOMAIN", &served.addr)
        .current_dir(scenario.parent().unwrap())
        .output()
        .unwrap();
    Some(String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn at_a_terminal_only_typed_yes_confirms() {
    let tmp = tempfile::tempdir().unwrap();
    let served = Served::start();
    let path = scenario(tmp.path(), "typed", false, &burst(2, 1));
    let Some(out) = at_terminal(&served, &path, "no") else {
        eprintln!("skipped: no `script` to make a terminal");
        return;
    };
    assert!(
        out.contains("Type yes to continue") && out.contains("nothing was sent"),
        "{out}"
    );
    assert_eq!(served.total_requests(), 0);
    let out = at_terminal(&served, &path, "yes").unwrap();
    assert!(out.contains("report:"), "{out}");
    assert!(served.total_requests() > 0);
    assert!(tmp.path().join("typed/summary.csv").exists());
}
