//! Auth0's official Python SDK against the simulator: client credentials, a paged `users.list`
//! through 429s, and the SDK's own rate-limit errors (`RateLimitError.reset_at` equals the
//! `x-ratelimit-reset` header). Runs `tests/sdk/auth0_python_check.py` with `$QUOTAPROBE_PYTHON`
//! (else `python3`); skips with a message when `auth0` is not importable, fails instead if `CI`
//! is set. Install: `pip install -r tests/sdk/requirements.txt`.
#![allow(clippy::unwrap_used)]

use crate::support::sim as sim_support;

use std::process::Command;

use sim_support::*;

#[test]
fn auth0_python_sdk_works_against_the_simulator() {
    let python = std::env::var("QUOTAPROBE_PYTHON").unwrap_or_else(|_| "python3".into());
    let probe = Command::new(&python)
        .args(["-c", "import auth0.authentication, auth0.management"])
        .output();
    let importable = matches!(&probe, Ok(out) if out.status.success());
    if !importable {
        let why = match &probe {
            Ok(out) => String::from_utf8_lossy(&out.stderr).trim().to_string(),
            Err(e) => format!("cannot run {python}: {e}"),
        };
        assert!(
            std::env::var_os("CI").is_none(),
            "CI is set but the auth0 SDK is not importable with {python}: {why}\n(pip install -r tests/sdk/requirements.txt)"
        );
        eprintln!(
            "SKIP auth0_python_sdk_works_against_the_simulator: auth0-python not importable with {python} ({why}); pip install -r tests/sdk/requirements.txt"
        );
        return;
    }
    let mut config = demo("free");
    config.users = 120;
    let s = start(config);
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/sdk/auth0_python_check.py"
    );
    let out = Command::new(&python)
        .arg(script)
        .args([s.base_url().as_str(), s.domain(), ID, SECRET, "120"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "SDK check failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(stdout.contains("all SDK checks passed"), "{stdout}");
    s.shutdown();
}
