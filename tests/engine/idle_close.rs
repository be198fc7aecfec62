//! The direct loopback path's connections (src/ops/direct.rs, driven by their worker:
//! src/ops/conn.rs) against a raw HTTP/1 server that counts connections and requests: a kept
//! connection carries every request; one the server closed while it sat idle in the pool is
//! noticed and replaced, and one answered with `Connection: close` is not reused — neither costs
//! a request an error. In process (`engine::run`), one worker (`max_in_flight` 1), arrivals
//! 200 ms apart.
#![allow(clippy::unwrap_used)]

use crate::support::common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{assert_conserved, http_op, options, phase, plan, row};
use quotaprobe::engine::{self, Target};

#[derive(Clone, Copy, PartialEq)]
enum Close {
    /// Keep-alive: the connection stays open.
    Never,
    /// 10 ms after each answer the server closes the connection (the client's is idle then).
    WhenIdle,
    /// Each answer says `Connection: close`, and the server closes after it.
    Header,
}

#[derive(Default)]
struct Seen {
    connections: AtomicUsize,
    requests: AtomicUsize,
}

/// Reads one request head (no body: GETs only); false at end of stream.
fn read_head(s: &mut TcpStream) -> bool {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match s.read(&mut byte) {
            Ok(1) => head.push(byte[0]),
            _ => return false,
        }
    }
    true
}

fn serve(mut s: TcpStream, close: Close, seen: &Seen) {
    while read_head(&mut s) {
        seen.requests.fetch_add(1, Ordering::SeqCst);
        let connection = if close == Close::Header {
            "close"
        } else {
            "keep-alive"
        };
        let answer =
            format!("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: {connection}\r\n\r\n{{}}");
        if s.write_all(answer.as_bytes()).is_err() {
            return;
        }
        if close != Close::Never {
            std::thread::sleep(Duration::from_millis(10));
            return; // dropped: closed
        }
    }
}

fn start(close: Close) -> (String, Arc<Seen>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Seen::default());
    let counts = seen.clone();
    std::thread::spawn(move || {
        for s in listener.incoming() {
            let Ok(s) = s else { return };
            counts.connections.fetch_add(1, Ordering::SeqCst);
            let counts = counts.clone();
            std::thread::spawn(move || serve(s, close, &counts));
        }
    });
    (url, seen)
}

/// Ten GETs, 200 ms apart, on one worker: (ok, transport errors, connections, requests seen).
fn run(close: Close) -> (u64, u64, usize, usize) {
    let (url, seen) = start(close);
    let target = Target {
        base_url: url.clone(),
        management_audience: common::MGMT.into(),
        real: false,
    };
    let p = plan(
        vec![http_op("get", &format!("{url}/x"))],
        vec![phase(2.0, 5.0, 1)],
    );
    let out = engine::run(&p, &target, options()).unwrap();
    assert_conserved(&out);
    let r = row(&out.snapshot, "get");
    assert_eq!((r.scheduled, r.sent, r.dropped), (10, 10, 0));
    (
        r.ok,
        r.transport_errors,
        seen.connections.load(Ordering::SeqCst),
        seen.requests.load(Ordering::SeqCst),
    )
}

#[test]
fn a_kept_connection_carries_every_request() {
    assert_eq!(run(Close::Never), (10, 0, 1, 10));
}

#[test]
fn a_connection_closed_while_idle_is_replaced_without_an_error() {
    assert_eq!(run(Close::WhenIdle), (10, 0, 10, 10));
}

#[test]
fn a_connection_close_answer_is_not_reused() {
    assert_eq!(run(Close::Header), (10, 0, 10, 10));
}
