//! Fuzz target: the simulated tenant over real HTTP on 127.0.0.1:0, one raw request per
//! connection, as a broken client or proxy would send it — any method on any route or a random
//! path, odd query strings, any content type, Authorization with a valid, forged or garbage
//! token, random or almost-valid bodies (form, JSON), chunked bodies, headers up to 100 KB.
//! Every request must get a complete HTTP answer that is not a 5xx (never a dropped
//! connection), and the tenant must keep serving: after the storm a real token request still
//! gets a token and `/__sim/stats` still answers. A second target sends protocol garbage.
//!
//! Time-boxed (see `fuzz_support`): ~10 s in CI, `QUOTAPROBE_FUZZ_SECS` for longer.
#![allow(clippy::unwrap_used)]

use crate::support::fuzz as fuzz_support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use fuzz_support::sim::{self as fs, CUSTOM};
use proptest::prelude::*;
use quotaprobe::sim::{self, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET};

/// Writes `request` on a fresh connection and reads until the server closes it; `half_close`
/// ends the sending side first, so a server waiting for the rest of a broken request sees EOF.
fn exchange(addr: SocketAddr, request: &[u8]) -> std::io::Result<Vec<u8>> {
    send(addr, request, false)
}

fn send(addr: SocketAddr, request: &[u8], half_close: bool) -> std::io::Result<Vec<u8>> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(20)))?;
    s.write_all(request)?;
    if half_close {
        s.shutdown(std::net::Shutdown::Write)?;
    }
    let mut out = Vec::new();
    match s.read_to_end(&mut out) {
        Ok(_) => Ok(out),
        // A reset after a complete answer (the server closed with our bytes unread) is fine.
        Err(_) if !out.is_empty() => Ok(out),
        Err(e) => Err(e),
    }
}

/// The status code of a raw HTTP/1.1 answer.
fn status(answer: &[u8]) -> Option<u16> {
    let line = answer.split(|b| *b == b'\n').next()?;
    let text = std::str::from_utf8(line).ok()?;
    let mut parts = text.split(' ');
    (parts.next()? == "HTTP/1.1").then_some(())?;
    parts.next()?.parse().ok()
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        s.append_pair(k, v);
    }
    s.finish()
}

#[derive(Debug, Clone)]
struct Raw {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    chunked: bool,
}

fn raw(valid_token: String) -> impl Strategy<Value = Raw> {
    let method = prop_oneof![
        6 => prop::sample::select(vec!["GET", "POST", "PATCH", "DELETE"]).prop_map(String::from),
        1 => prop::sample::select(vec!["PUT", "HEAD", "OPTIONS", "TRACE"]).prop_map(String::from),
        1 => "[A-Z]{1,12}",
    ];
    let route = prop::sample::select(vec![
        "/oauth/token",
        "/api/v2/users",
        "/api/v2/users/",
        "/api/v2/users-by-email",
        "/api/v2/clients",
        "/api/v2/client-grants",
        "/api/v2/resource-servers",
        "/api/v2/organizations",
        "/api/v2/logs",
        "/api/v2/stats/daily",
        "/demo-api/",
        "/.well-known/jwks.json",
        "/__sim/manual-token",
    ]);
    let path = prop_oneof![
        6 => (route, "[a-zA-Z0-9%|@._~-]{0,30}", "(\\?[a-z_]{1,10}=[a-zA-Z0-9%+@.-]{0,20}(&[a-z_]{1,10}=[0-9a-z%-]{0,12}){0,3})?")
            .prop_map(|(r, tail, q)| {
                let tail = if r.ends_with('/') { tail } else { String::new() };
                format!("{r}{tail}{q}")
            }),
        1 => "/[!-~]{0,60}",
    ];
    let ct = prop_oneof![
        Just("application/json".to_string()),
        Just("application/x-www-form-urlencoded".to_string()),
        Just("text/plain".to_string()),
        "[ -~]{0,30}",
    ];
    let auth = prop_oneof![
        2 => Just(None),
        3 => Just(Some(format!("Bearer {valid_token}"))),
        1 => Just(Some(format!("Bearer {}x", &valid_token[..valid_token.len() - 1]))),
        1 => Just(Some(format!("Basic {}", base64_pair()))),
        1 => "[ -~]{0,60}".prop_map(Some),
    ];
    let body = prop_oneof![
        2 => Just(Vec::new()),
        2 => prop::collection::vec(any::<u8>(), 0..4096),
        2 => Just(form(&[("grant_type", "client_credentials"), ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET), ("audience", CUSTOM)]).into_bytes()),
        2 => "\\{(\"[a-z_]{1,12}\":(\"[^\"\\\\]{0,16}\"|-?[0-9]{1,25}|null|true|\\[\\]|\\{\\}),?){0,6}\\}?"
            .prop_map(String::into_bytes),
    ];
    let extra = prop_oneof![
        6 => Just(Vec::new()),
        2 => prop::collection::vec(("x-[a-z-]{1,16}", "[ -~]{0,40}"), 1..6),
        1 => (1usize..100_000).prop_map(|n| vec![("x-huge".to_string(), "a".repeat(n))]),
    ];
    (
        method,
        path,
        ct,
        auth,
        body,
        extra,
        prop::bool::weighted(0.2),
    )
        .prop_map(|(method, path, ct, auth, body, extra, chunked)| {
            let mut headers = vec![("content-type".to_string(), ct)];
            if let Some(a) = auth {
                headers.push(("authorization".to_string(), a));
            }
            headers.extend(extra);
            Raw {
                method,
                path,
                headers,
                body,
                chunked,
            }
        })
}

fn base64_pair() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .encode(format!("{DEMO_CLIENT_ID}:{DEMO_CLIENT_SECRET}"))
}

fn encode(r: &Raw, host: &str) -> Vec<u8> {
    let mut out = format!(
        "{} {} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n",
        r.method, r.path
    );
    for (k, v) in &r.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    let mut bytes;
    if r.chunked {
        out.push_str("transfer-encoding: chunked\r\n\r\n");
        bytes = out.into_bytes();
        for chunk in r.body.chunks(700) {
            bytes.extend_from_slice(format!("{:x}\r\n", chunk.len()).as_bytes());
            bytes.extend_from_slice(chunk);
            bytes.extend_from_slice(b"\r\n");
        }
        bytes.extend_from_slice(b"0\r\n\r\n");
    } else {
        out.push_str(&format!("content-length: {}\r\n\r\n", r.body.len()));
        bytes = out.into_bytes();
        bytes.extend_from_slice(&r.body);
    }
    bytes
}

/// A Management API token with every scope, as the demo client gets it.
fn token(addr: SocketAddr) -> String {
    let body = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
        ("audience", &fs::management_audience()),
    ]);
    let req = format!(
        "POST /oauth/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let answer = exchange(addr, req.as_bytes()).unwrap();
    assert_eq!(
        status(&answer),
        Some(200),
        "{}",
        String::from_utf8_lossy(&answer)
    );
    let text = String::from_utf8_lossy(&answer);
    let json = &text[text.find("\r\n\r\n").unwrap() + 4..];
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    v["access_token"].as_str().unwrap().to_string()
}

#[test]
fn every_raw_request_gets_a_complete_answer_that_is_not_a_5xx() {
    let s = sim::start(fs::config(), "127.0.0.1:0").unwrap();
    let addr = s.addr();
    let valid = token(addr);
    let seen = std::cell::RefCell::new(std::collections::BTreeMap::<u16, u64>::new());
    let ran = fuzz_support::run(
        "sim_http",
        raw(valid),
        fuzz_support::budget(10.0),
        1_000_000,
        |r| {
            let answer = exchange(addr, &encode(&r, &addr.to_string()))
                .map_err(|e| TestCaseError::fail(format!("no answer: {e}")))?;
            let code = status(&answer).ok_or_else(|| {
                TestCaseError::fail(format!(
                    "not an HTTP answer: {:?}",
                    String::from_utf8_lossy(&answer[..answer.len().min(200)])
                ))
            })?;
            prop_assert!(
                code < 500,
                "{code}: {}",
                String::from_utf8_lossy(&answer[..answer.len().min(400)])
            );
            *seen.borrow_mut().entry(code).or_default() += 1;
            Ok(())
        },
    );
    let seen = seen.into_inner();
    println!("statuses: {seen:?}");
    assert!(ran.cases >= 200, "only {} cases", ran.cases);
    // The storm reached handlers (200s, 400s, 401s, 403s, 404s, 405s), not only the HTTP layer.
    for code in [200, 400, 401, 404] {
        assert!(seen.contains_key(&code), "no {code}: {seen:?}");
    }
    // And the tenant still serves.
    assert!(!token(addr).is_empty());
    let stats = exchange(
        addr,
        b"GET /__sim/stats HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n",
    )
    .unwrap();
    assert_eq!(status(&stats), Some(200));
}

#[test]
fn protocol_garbage_never_gets_a_5xx_and_the_tenant_keeps_serving() {
    let s = sim::start(fs::config(), "127.0.0.1:0").unwrap();
    let addr = s.addr();
    let garbage = prop_oneof![
        prop::collection::vec(any::<u8>(), 1..2048),
        "[A-Z]{1,8} [!-~]{0,40} HTTP/[0-9.]{1,4}\r\n([!-~]{0,20}: ?[ -~]{0,30}\r\n){0,4}\r\n"
            .prop_map(String::into_bytes),
        // Bad chunked framing and lying lengths on the token endpoint.
        ("[0-9a-fA-FxZ;-]{1,10}", "[ -~]{0,64}").prop_map(|(size, data)| format!(
            "POST /oauth/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n{size}\r\n{data}\r\n0\r\n\r\n"
        ).into_bytes()),
        (0u64..u64::MAX).prop_map(|n| format!(
            "POST /oauth/token HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: {n}\r\ncontent-length: 3\r\n\r\nabc"
        ).into_bytes()),
    ];
    fuzz_support::run(
        "sim_http_garbage",
        garbage,
        fuzz_support::budget(5.0),
        1_000_000,
        |bytes| {
            // The server may answer 400 or just close: a client that is not speaking HTTP gets no
            // promise but this one — never a server error.
            if let Some(code) = send(addr, &bytes, true).ok().and_then(|a| status(&a)) {
                prop_assert!(code < 500, "{code}");
            }
            Ok(())
        },
    );
    assert!(!token(addr).is_empty(), "the tenant stopped serving");
}
