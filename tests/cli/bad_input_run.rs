//! Bad input to `quotaprobe run` is refused before anything is sent: exit 2, an error naming
//! the file, key or flag, and not one connection to the target (a listener that sees none).
#![allow(clippy::unwrap_used)]

use std::io::ErrorKind;
use std::net::TcpListener;
use std::path::Path;

use assert_cmd::Command;

/// A scenario on the loopback target `addr` with `phases` appended.
fn scenario(dir: &Path, addr: &str, phases: &str) -> std::path::PathBuf {
    let path = dir.join("bad.toml");
    std::fs::write(
        &path,
        format!(
            "name = \"bad\"\n[target]\nurl = \"http://{addr}\"\n[[clients]]\nname = \"c\"\nclient_id = \"${{QP_ID}}\"\nclient_secret = \"${{QP_SECRET}}\"\n[[operations]]\nname = \"tok\"\nkind = \"token\"\naudience = \"https://api.example.com/\"\n{phases}"
        ),
    )
    .unwrap();
    path
}

/// Runs `run --yes` with `args` and returns (exit code, stderr); asserts `target` saw nothing.
fn refused(target: &TcpListener, scenario: &Path, args: &[&str]) -> (Option<i32>, String) {
    let o = Command::cargo_bin("quotaprobe")
        .unwrap()
        .args(["run", "--yes", "--quiet"])
        .arg(scenario)
        .args(args)
        .env("QP_ID", "id")
        .env("QP_SECRET", "secret-never-shown")
        .timeout(std::time::Duration::from_secs(30))
        .output()
        .unwrap();
    target.set_nonblocking(true).unwrap();
    match target.accept() {
        Err(e) if e.kind() == ErrorKind::WouldBlock => {}
        other => panic!("the target was contacted: {other:?}"),
    }
    let stderr = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(!stderr.contains("secret-never-shown"), "{stderr}");
    (o.status.code(), stderr)
}

#[test]
fn a_bad_scenario_is_exit_2_with_file_line_and_key_and_nothing_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = target.local_addr().unwrap().to_string();
    let path = scenario(
        tmp.path(),
        &addr,
        "[[phases]]\nduration = \"2s\"\nrate = 0\n",
    );
    let (code, stderr) = refused(&target, &path, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("bad.toml:14:8:")
            && stderr.contains("phases[0].rate")
            && stderr.contains("must be > 0"),
        "{stderr}"
    );
}

#[test]
fn an_out_folder_that_cannot_be_made_is_exit_2_and_nothing_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = target.local_addr().unwrap().to_string();
    let path = scenario(
        tmp.path(),
        &addr,
        "[[phases]]\nduration = \"2s\"\nrate = 5\n",
    );
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = file.join("out");
    let (code, stderr) = refused(&target, &path, &["--out", out.to_str().unwrap()]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(&out.display().to_string()), "{stderr}");
}
