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

/// A request that cannot be built (here a header name with a space, which the scenario's
/// shape allows) is refused when the engine starts, naming the operation and the header, before
/// any request — not even the token operation's, which would go to this target — is sent.
#[test]
fn a_request_that_cannot_be_built_is_exit_2_naming_the_operation_and_nothing_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = target.local_addr().unwrap().to_string();
    let path = scenario(
        tmp.path(),
        &addr,
        "[[operations]]\nname = \"orders\"\nkind = \"http\"\nurl = \"/orders\"\nheaders = { \"x bad\" = \"secret-never-shown\" }\n[[phases]]\nduration = \"2s\"\nrate = 5\n",
    );
    let (code, stderr) = refused(&target, &path, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("operations[1] (`orders`)")
            && stderr.contains("header name \"x bad\"")
            && stderr.contains("fix it in the scenario"),
        "{stderr}"
    );
}

/// The same on the embedded simulated tenant: a URL that does not parse (a space in the path)
/// pointed at this listener is exit 2 before anything is sent, and the listener sees nothing.
#[test]
fn a_url_that_does_not_parse_is_exit_2_on_the_simulated_tenant_and_nothing_sent() {
    let tmp = tempfile::tempdir().unwrap();
    let target = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = target.local_addr().unwrap().to_string();
    let path = tmp.path().join("bad-url.toml");
    std::fs::write(
        &path,
        format!(
            "name = \"bad-url\"\n[[operations]]\nname = \"ok\"\nkind = \"http\"\nurl = \"http://{addr}/fine\"\n[[operations]]\nname = \"spaced\"\nkind = \"http\"\nurl = \"http://{addr}/a b\"\n[[phases]]\nduration = \"2s\"\nrate = 5\n"
        ),
    )
    .unwrap();
    let (code, stderr) = refused(&target, &path, &[]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("operations[1] (`spaced`)")
            && stderr.contains(&format!("url \"http://{addr}/a b\" is not a valid URL")),
        "{stderr}"
    );
}
