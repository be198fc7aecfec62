//! Plain HTTP to loopback (the embedded simulator, a local service, the benchmark's nginx)
//! straight on HTTP/1 connections of our own ([`super::conn`], the wire format in
//! [`super::h1`]), without reqwest's layers, hyper-util's pool or hyper's dispatcher. Why:
//! reqwest wraps every request in its redirect layer even with redirects off, which re-parses the
//! URL (with IDNA) twice per request and clones the header map several times (17 % of the
//! generator's instructions per request), and hyper-util's legacy pool hashes its key with
//! SipHash on every checkout and return and spawns a task per request to hand the connection
//! back (≈ 20 % more), and hyper's dispatcher built a `HeaderMap` of every response head (more
//! than half of what was left) — callgrind profiles in BENCHMARKS.md. HTTPS and every non-loopback host
//! stay on reqwest, with its TLS roots and proxy handling.
//!
//! The pool: idle connections per `host:port`, last in first out, at most `pool` per host (the
//! worker count). A connection goes back only after its response body was read to the end and
//! the answer let it stay open; one the server closed is dropped at checkout. Each connection is
//! driven by the worker using it, not by a task of its own. Same contract as hyper-util's
//! client, which this replaced: whole-request timeout, connect timeout, `Host` from the URL (the
//! template adds it), origin-form request line, `content-length` of a body, a request the server
//! never got on a reused connection tried again on the next one, errors sorted into the same
//! transport kinds (end of stream before a whole head or body: `reset`; garbage: `other`; a bad
//! chunk: `body`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use hyper::http::uri::Authority;
use hyper::{HeaderMap, Method, Uri};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};

use super::conn::{Answer, Conn, Failed, Request};
use super::ratelimit;
use super::reply::{Reply, chain_kind};
use crate::metrics::TransportKind;
use crate::scenario::HttpPlan;

struct Host {
    authority: Authority,
    /// Boxed: a connection moves in and out of the pool and the request's future; a box moves
    /// as one pointer.
    #[allow(clippy::vec_box)]
    idle: Vec<Box<Conn>>,
}

/// The same `host:port`, as written (`Authority`'s own `==` ignores case byte by byte, a cost on
/// every checkout and return; the URLs of one run spell a host alike).
fn same(a: &Authority, b: &Authority) -> bool {
    a.as_str() == b.as_str()
}

#[derive(Clone)]
pub struct Direct {
    hosts: Rc<RefCell<Vec<Host>>>,
    max_idle: usize,
    connect_timeout: Duration,
    timeout: Duration,
}

/// The connection a request goes on: `reused` when it came from the pool.
struct Checkout {
    conn: Box<Conn>,
    reused: bool,
}

impl Direct {
    pub fn new(plan: &HttpPlan, pool: usize) -> Self {
        Direct {
            hosts: Rc::new(RefCell::new(Vec::new())),
            max_idle: pool.max(1),
            connect_timeout: plan.connect_timeout,
            timeout: plan.timeout,
        }
    }

    /// The idle connection to `authority` used last, if any.
    fn idle(&self, authority: &Authority) -> Option<Box<Conn>> {
        let mut hosts = self.hosts.borrow_mut();
        let host = hosts.iter_mut().find(|h| same(&h.authority, authority))?;
        host.idle.pop()
    }

    fn put(&self, authority: &Authority, conn: Box<Conn>) {
        let mut hosts = self.hosts.borrow_mut();
        match hosts.iter_mut().find(|h| same(&h.authority, authority)) {
            Some(host) if host.idle.len() < self.max_idle => host.idle.push(conn),
            Some(_) => {}
            None => hosts.push(Host {
                authority: authority.clone(),
                idle: vec![conn],
            }),
        }
    }

    async fn checkout(&self, authority: &Authority) -> Result<Checkout, TransportKind> {
        while let Some(mut conn) = self.idle(authority) {
            // One the server closed while it sat idle is dropped here, the request unsent.
            if conn.idle_ok() {
                return Ok(Checkout { conn, reused: true });
            }
        }
        // Boxed: the connect future (resolve, connect) is large and rarely run, and inline it
        // would make every request's future, which is moved on each call, that large.
        let conn = Box::pin(self.connect(authority)).await?;
        Ok(Checkout {
            conn,
            reused: false,
        })
    }

    /// A new connection (TCP_NODELAY, the plan's connect timeout).
    async fn connect(&self, authority: &Authority) -> Result<Box<Conn>, TransportKind> {
        let host = authority.host();
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        let port = authority.port_u16().unwrap_or(80);
        let connect = async {
            let mut last = None;
            for addr in tokio::net::lookup_host((host, port)).await? {
                match TcpStream::connect(addr).await {
                    Ok(s) => return Ok(s),
                    Err(e) => last = Some(e),
                }
            }
            Err(last.unwrap_or_else(|| std::io::Error::other("no address")))
        };
        let stream = match timeout(self.connect_timeout, connect).await {
            Err(_) => return Err(TransportKind::Timeout),
            Ok(Err(e)) => return Err(chain_kind(Some(&e)).unwrap_or(TransportKind::Connect)),
            Ok(Ok(s)) => s,
        };
        let _ = stream.set_nodelay(true);
        Ok(Box::new(Conn::new(stream)))
    }

    /// `headers` already hold everything sent (the template added `accept` and `host`).
    pub async fn send(
        &self,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Option<Bytes>,
        keep_body: bool,
    ) -> Reply {
        // One timer for the whole exchange. A timeout after the head came still reports the
        // head's rate-limit headers, as a body read that timed out.
        let head = Cell::new(None);
        let deadline = Instant::now() + self.timeout;
        let body = body.unwrap_or_default();
        let req = Request {
            method: &method,
            uri: &uri,
            headers: &headers,
            body: &body,
        };
        match timeout_at(deadline, self.exchange(req, keep_body, &head)).await {
            Err(_) => match head.get() {
                Some((status, rate)) => {
                    Reply::answered(status, rate, Err(TransportKind::Timeout), keep_body)
                }
                None => Reply::transport(TransportKind::Timeout),
            },
            Ok(Err(kind)) => Reply::transport(kind),
            Ok(Ok(a)) => {
                Reply::answered(a.status, a.rate, a.body, keep_body).with_headers(a.headers)
            }
        }
    }

    /// The answer (status and rate-limit headers also left in `head` once read).
    async fn exchange(
        &self,
        req: Request<'_>,
        keep: bool,
        head: &Cell<Option<(u16, ratelimit::RateInfo)>>,
    ) -> Result<Answer, TransportKind> {
        let Some(authority) = req.uri.authority() else {
            return Err(TransportKind::Other);
        };
        loop {
            let Checkout { mut conn, reused } = self.checkout(authority).await?;
            match conn.exchange(req, keep, head).await {
                Ok(answer) => {
                    if answer.reusable {
                        self.put(authority, conn);
                    }
                    return Ok(answer);
                }
                // Never written: the server closed that idle connection; try the next.
                Err(Failed::Unsent(_)) if reused => continue,
                Err(Failed::Unsent(kind) | Failed::Lost(kind)) => return Err(kind),
            }
        }
    }
}
