//! Abuse the token endpoint and the Management API with bodies a client should never send:
//! oversized bodies get 413, garbage gets Auth0's 400, nothing crashes the tenant.
#![allow(clippy::unwrap_used)]

use crate::support::sim as sim_support;

use sim_support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

#[tokio::test]
async fn oversized_and_garbage_bodies_are_refused_and_the_tenant_keeps_serving() {
    let s = start(demo("enterprise"));
    let c = http();
    let url = format!("{}/oauth/token", s.base_url());
    // Declare a 3 MiB body and send only the headers: the tenant must answer 413 before
    // reading any of it (over a raw socket, so no client races the early answer).
    let mgmt = mgmt_token(&c, &s).await;
    for (path, auth) in [
        ("/oauth/token", String::new()),
        ("/api/v2/users", format!("authorization: Bearer {mgmt}\r\n")),
    ] {
        let mut sock = tokio::net::TcpStream::connect(s.addr()).await.unwrap();
        let head = format!(
            "POST {path} HTTP/1.1\r\nhost: {}\r\n{auth}content-type: application/json\r\ncontent-length: {}\r\n\r\n",
            s.addr(),
            3 * 1024 * 1024
        );
        sock.write_all(head.as_bytes()).await.unwrap();
        let mut buf = vec![0u8; 512];
        let n = tokio::time::timeout(std::time::Duration::from_secs(5), sock.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        let reply = String::from_utf8_lossy(&buf[..n]).to_string();
        assert!(reply.starts_with("HTTP/1.1 413"), "{path}: {reply}");
    }
    for (ctype, body) in [
        ("application/json", "{\"grant_type\":"),
        ("application/json", "[1,2,3]"),
        ("application/x-www-form-urlencoded", "%%%&&&==="),
        ("text/plain", "\u{0}\u{1}binary"),
    ] {
        let r = c
            .post(&url)
            .header("content-type", ctype)
            .body(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        assert!(
            status == 400 || status == 401 || status == 403,
            "{ctype} {body:?}: {status}"
        );
    }
    // Still serving.
    let token = mgmt_token(&c, &s).await;
    assert!(!token.is_empty());
}
