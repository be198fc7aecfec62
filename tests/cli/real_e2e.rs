//! The real-tenant path end to end: `quotaprobe run` with `--yes --ca-file` against
//! `quotaprobe serve --tls` (a child process standing in for a real tenant) counts the same as
//! the same scenario on the embedded simulator, the served tenant saw exactly the token requests
//! the client counted, and no secret or token reaches any output.
#![allow(clippy::unwrap_used)]

use crate::support::real as real_support;

use real_support::*;

#[test]
fn a_burst_over_https_counts_as_on_the_embedded_simulator() {
    let tmp = tempfile::tempdir().unwrap();
    let served = Served::start();
    // 10/s for 3 s on the free tier's tenant-wide 2/s bucket (burst 2): about 2 + 2 × 3 pass.
    let sim = scenario(tmp.path(), "burst-sim", true, &burst(10, 3));
    let real = scenario(tmp.path(), "burst-real", false, &burst(10, 3));
    let sim_out = tmp.path().join("sim");
    let real_out = tmp.path().join("real");

    let o = run(None, SECRET, &sim, &["--quiet", "--out", "sim"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let ca = served.cert.display().to_string();
    let o = run(
        Some(&served),
        SECRET,
        &real,
        &["--quiet", "--yes", "--ca-file", &ca, "--out", "real"],
    );
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("REAL tenant https://"), "{stdout}");
    check_report(&real_out);
    assert_no_secrets(&o, Some(&real_out), SECRET);

    let (s, r) = (
        summary(&sim_out, "list-users"),
        summary(&real_out, "list-users"),
    );
    assert_eq!(r["scheduled"], 30.0);
    assert_eq!(s["scheduled"], 30.0);
    // On a loaded machine an arrival may be dropped (late); each one is a 429 less at most.
    let dropped = (s["sent"] - r["sent"]).abs();
    assert!(
        (s["status_429"] - r["status_429"]).abs() <= 1.0 + dropped
            && (s["ok"] - r["ok"]).abs() <= 1.0,
        "simulator ok/429 {}/{}, served over TLS {}/{}",
        s["ok"],
        s["status_429"],
        r["ok"],
        r["status_429"]
    );
    assert!(
        (6.0..=10.0).contains(&r["ok"]),
        "theory: 2 + 2/s × 3 s; got {}",
        r["ok"]
    );

    // The served tenant saw what the client counted: one cached Management token, every read.
    let facts = run_facts(&real_out);
    assert_eq!(facts["stop_reason"], "completed");
    let sent: u64 = facts["token_requests_sent"].parse().unwrap();
    assert_eq!(sent, 1);
    assert_eq!(served.requests("POST /oauth/token"), sent);
    let stats = served.stats();
    let issued = &stats["tokens_issued"][ID];
    let mgmt = format!("https://{}/api/v2/", served.addr);
    assert_eq!(issued[&mgmt].as_u64(), Some(1), "{stats}");
    assert_eq!(served.requests("GET /api/v2/users") as f64, r["sent"]);
    assert_eq!(
        stats["rate_limited"]["management"].as_u64().unwrap_or(0) as f64,
        r["status_429"]
    );
}

#[test]
fn rejected_credentials_stop_the_run_after_the_first_token_request() {
    let tmp = tempfile::tempdir().unwrap();
    let served = Served::start();
    let wrong = "wrong-secret-77aa01";
    let path = scenario(tmp.path(), "bad-creds", false, &burst(10, 3));
    let ca = served.cert.display().to_string();
    let o = run(
        Some(&served),
        wrong,
        &path,
        &["--quiet", "--yes", "--ca-file", &ca, "--out", "out"],
    );
    let out = tmp.path().join("out");
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("rejected the client credentials"),
        "{}",
        text(&o)
    );
    assert_eq!(run_facts(&out)["stop_reason"], "credentials_rejected");
    check_report(&out);
    // One token request, or at most the few already in flight when the 401 came back.
    let tokens = served.requests("POST /oauth/token");
    assert!((1..=3).contains(&tokens), "{tokens} token requests");
    assert_eq!(served.requests("GET /api/v2/users"), 0);
    assert_no_secrets(&o, Some(&out), wrong);
}

#[test]
fn an_untrusted_certificate_fails_without_the_ca_file() {
    let tmp = tempfile::tempdir().unwrap();
    let served = Served::start();
    let path = scenario(tmp.path(), "no-ca", false, &burst(2, 1));
    let o = run(
        Some(&served),
        SECRET,
        &path,
        &["--quiet", "--yes", "--out", "out"],
    );
    // The run goes ahead but every token request is a transport error: nothing got through.
    assert_eq!(served.total_requests(), 0, "{}", text(&o));
    assert_no_secrets(&o, Some(&tmp.path().join("out")), SECRET);
}

#[test]
fn the_token_scan_finds_jwts_and_ignores_plain_base64() {
    assert!(has_jwt(
        "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4eHh4eCJ9.c2lnbmF0dXJl end"
    ));
    assert!(!has_jwt("HISTv2 eyJ0aGlzIGlzIGJhc2U2NA==, eyJ"));
}

#[test]
fn a_non_loopback_tenant_is_reached_through_the_proxy_from_the_environment() {
    use std::io::{Read, Write};
    let tmp = tempfile::tempdir().unwrap();
    // A "proxy" that records the first request line, answers 502 and hangs up.
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in proxy.incoming().take(1) {
            let mut stream = stream.unwrap();
            let mut buf = [0u8; 512];
            let n = stream.read(&mut buf).unwrap_or(0);
            let _ = tx.send(String::from_utf8_lossy(&buf[..n]).into_owned());
            let _ = stream.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let path = scenario(tmp.path(), "proxied", false, &burst(1, 1));
    let env = [
        ("QP_DOMAIN", "tenant.example.test"),
        ("HTTPS_PROXY", proxy_url.as_str()),
        ("https_proxy", proxy_url.as_str()),
        ("NO_PROXY", ""),
        ("no_proxy", ""),
    ];
    let o = run_env(
        None,
        SECRET,
        &path,
        &["--quiet", "--yes", "--out", "out"],
        &env,
    );
    let first = rx
        .recv_timeout(std::time::Duration::from_secs(30))
        .unwrap_or_else(|_| panic!("the proxy saw nothing\n{}", text(&o)));
    assert!(
        first.starts_with("CONNECT tenant.example.test:443 "),
        "{first}"
    );
    assert_no_secrets(&o, Some(&tmp.path().join("out")), SECRET);
}
