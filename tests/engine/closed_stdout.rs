//! A closed stdout (`quotaprobe serve | head -1`, `quotaprobe run ... | head -3`): once the
//! reader is gone every print fails with EPIPE. `serve` must keep serving (it used to panic and
//! die), say once on stderr where it serves, and keep the credentials off stderr; `run` must
//! still write its report and exit with its own code (it used to panic with 101).
#![allow(clippy::unwrap_used)]

use crate::support::contract;

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

#[test]
fn run_writes_its_report_and_keeps_its_exit_code_when_stdout_is_closed() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("s.toml");
    std::fs::write(
        &scenario,
        "name = \"pipe\"\n[[operations]]\nname = \"tok\"\nkind = \"token\"\naudience = \"https://api.example.com/\"\n[[phases]]\nduration = \"1s\"\nrate = 5\n",
    )
    .unwrap();
    let out = tmp.path().join("out");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = Command::new(cargo_bin("quotaprobe"))
        .args(["run", "--quiet"])
        .arg(&scenario)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::from(writer))
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    // The free tier's quota runs out at this rate, but there are no thresholds: exit 0.
    assert_eq!(o.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    contract::check_report(&out);
    let rows = contract::csv_rows(&out.join("summary.csv"));
    let tok = rows.iter().find(|r| r["operation"] == "tok").unwrap();
    let n = |k: &str| tok[k].parse::<u64>().unwrap();
    assert_eq!(n("sent") + n("dropped"), 5, "{tok:?}");
    assert!(n("sent") >= 1 && n("ok") == n("sent"), "{tok:?}");
}

#[test]
fn every_printing_command_exits_with_its_own_code_when_stdout_is_closed() {
    // (args, expected exit): each used to panic with 101 on the first print to a closed pipe.
    let cases: [(&[&str], i32); 4] = [
        (&["tiers"], 0),
        (&["validate", "scenarios/quickstart.toml"], 0),
        (&["plan", "scenarios/quickstart.toml"], 0),
        (&["run", "scenarios/quickstart.toml", "--dry-run"], 0),
    ];
    for (args, code) in cases {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let out = Command::new(cargo_bin("quotaprobe"))
            .args(args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdin(Stdio::null())
            .stdout(writer)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}
