//! Plain HTTP to loopback (the embedded simulator, a local service, the benchmark's nginx)
//! straight on hyper's HTTP/1 connections, without reqwest's layers or hyper-util's pool. Why:
//! reqwest wraps every request in its redirect layer even with redirects off, which re-parses the
//! URL (with IDNA) twice per request and clones the header map several times (17 % of the
//! generator's instructions per request), and hyper-util's legacy pool hashes its key with
//! SipHash on every checkout and return and spawns a task per request to hand the connection
//! back (≈ 20 % more) — callgrind profiles in BENCHMARKS.md. HTTPS and every non-loopback host
//! stay on reqwest, with its TLS roots and proxy handling.
//!
//! The pool: idle connections per `host:port`, last in first out, at most `pool` per host (the
//! worker count). A connection goes back only after its response body was read to the end; one
//! the server closed is dropped at checkout. Each connection is driven by the worker using it
//! ([`super::conn`]), not by a task of its own. Same contract as hyper-util's client, which this
//! replaces: whole-request timeout, connect timeout, `Host` from the URL (the template adds it),
//! origin-form request line, a request the server never got on a reused connection tried again
//! on the next one, errors sorted into the same transport kinds.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1;
use hyper::http::uri::{Authority, PathAndQuery};
use hyper::{HeaderMap, Method, Uri};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout, timeout_at};

use super::conn::Conn;
use super::ratelimit;
use super::reply::{Reply, body_kind, chain_kind, rate_of};
use crate::metrics::TransportKind;
use crate::scenario::HttpPlan;

struct Host {
    authority: Authority,
    /// Boxed: a connection (hyper's dispatcher and buffers' handles) is large, and it moves in
    /// and out of the pool and the request's future; a box moves as one pointer.
    #[allow(clippy::vec_box)]
    idle: Vec<Box<Conn>>,
}

/// Status, rate-limit headers, the headers when kept, and the body (or why it could not be read).
type Exchanged = (
    u16,
    ratelimit::RateInfo,
    Option<HeaderMap>,
    Result<Bytes, TransportKind>,
);

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
        let host = hosts.iter_mut().find(|h| h.authority == *authority)?;
        host.idle.pop()
    }

    fn put(&self, authority: &Authority, conn: Box<Conn>) {
        let mut hosts = self.hosts.borrow_mut();
        match hosts.iter_mut().find(|h| h.authority == *authority) {
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
            // Ready at once unless it is still finishing the previous response. One the server
            // closed meanwhile ends on the request's first poll, which hands the request back.
            if conn.ready().await {
                return Ok(Checkout { conn, reused: true });
            }
        }
        // Boxed: the connect future (resolve, connect, handshake) is large and rarely run, and
        // inline it would make every request's future, which is moved on each call, that large.
        let conn = Box::pin(self.connect(authority)).await?;
        Ok(Checkout {
            conn,
            reused: false,
        })
    }

    /// A new connection (TCP_NODELAY, the plan's connect timeout), driven by the worker that
    /// uses it.
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
        let (sender, driver) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| chain_kind(Some(&e)).unwrap_or(TransportKind::Connect))?;
        Ok(Box::new(Conn::new(sender, driver)))
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
        let exchange = self.exchange(method, uri, headers, body, keep_body, &head);
        match timeout_at(deadline, exchange).await {
            Err(_) => match head.get() {
                Some((status, rate)) => {
                    Reply::answered(status, rate, Err(TransportKind::Timeout), keep_body)
                }
                None => Reply::transport(TransportKind::Timeout),
            },
            Ok(Err(kind)) => Reply::transport(kind),
            Ok(Ok((status, rate, kept, body))) => {
                Reply::answered(status, rate, body, keep_body).with_headers(kept)
            }
        }
    }

    /// Status, rate-limit headers (also left in `head` once read), all the headers when
    /// `keep`, and the body (or why it could not be read).
    async fn exchange(
        &self,
        method: Method,
        uri: Uri,
        headers: HeaderMap,
        body: Option<Bytes>,
        keep: bool,
        head: &Cell<Option<(u16, ratelimit::RateInfo)>>,
    ) -> Result<Exchanged, TransportKind> {
        let Some(authority) = uri.authority().cloned() else {
            return Err(TransportKind::Other);
        };
        let path = uri
            .path_and_query()
            .cloned()
            .unwrap_or_else(|| PathAndQuery::from_static("/"));
        let mut r = hyper::Request::new(Full::new(body.unwrap_or_default()));
        *r.method_mut() = method;
        *r.uri_mut() = Uri::from(path);
        *r.headers_mut() = headers;
        let (response, mut conn) = loop {
            let Checkout { mut conn, reused } = self.checkout(&authority).await?;
            let sent = conn.sender.try_send_request(r);
            match conn.drive(sent).await {
                Ok(response) => break (response, conn),
                Err(mut e) => match e.take_message() {
                    // Never written: the server closed that idle connection; try the next.
                    Some(again) if reused => r = again,
                    _ => {
                        let e = e.into_error();
                        return Err(chain_kind(Some(&e)).unwrap_or(TransportKind::Other));
                    }
                },
            }
        };
        let status = response.status().as_u16();
        let rate = rate_of(response.headers());
        head.set(Some((status, rate)));
        let kept = keep.then(|| response.headers().clone());
        let body = match conn.drive(response.into_body().collect()).await {
            Err(e) => Err(body_kind(chain_kind(Some(&e)))),
            Ok(body) => Ok(body.to_bytes()),
        };
        if body.is_ok() && conn.is_open() {
            // The next checkout waits, if need be, for the connection to finish this exchange.
            self.put(&authority, conn);
        }
        Ok((status, rate, kept, body))
    }
}
