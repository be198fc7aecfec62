//! `quotaprobe serve | head -1`: once the reader of its stdout is gone, printing the banner
//! fails with EPIPE. The tenant must keep serving (it used to panic and die), say once on
//! stderr where it serves, and keep the credentials off stderr.
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::Duration;

use assert_cmd::cargo::cargo_bin;

/// `GET path` over a plain socket; the status line and body.
fn get(addr: &str, path: &str) -> (String, String) {
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        conn,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut reply = String::new();
    conn.read_to_string(&mut reply).unwrap();
    let status = reply.lines().next().unwrap_or_default().to_string();
    let body = reply
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_string();
    (status, body)
}

#[test]
fn serve_keeps_serving_when_its_stdout_is_closed() {
    // A pipe whose reading end is closed before serve writes a byte: every write is EPIPE.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(cargo_bin("quotaprobe"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .args(["--client-secret", "qp-pipe-secret-0a1b"])
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .trim_end()
        .rsplit_once("still serving on http://")
        .map(|(_, a)| a.to_string());
    let alive = child.try_wait().unwrap().is_none();
    let answers = addr
        .as_deref()
        .map(|a| (get(a, "/.well-known/jwks.json"), get(a, "/__sim/stats")));
    let still_alive = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();

    assert!(
        line.starts_with("quotaprobe serve: cannot print to stdout (Broken pipe"),
        "stderr: {line:?}"
    );
    assert!(
        !line.contains("qp-pipe-secret"),
        "the secret went to stderr"
    );
    assert!(alive && still_alive, "serve died: stderr {line:?}");
    let ((jwks_status, jwks), (stats_status, _)) = answers.unwrap();
    assert!(jwks_status.ends_with("200 OK"), "{jwks_status}");
    assert!(jwks.contains("\"keys\""), "{jwks}");
    assert!(stats_status.ends_with("200 OK"), "{stats_status}");
}
