//! One HTTP/1 connection of [`super::direct`]: a socket, the bytes read from it and not yet used,
//! and the request being written. The worker that sends on it drives it (no task of its own):
//! write the request (one `write` for line, headers and body), read until the head parses
//! ([`super::h1`]), read the body by its framing, and say whether the connection can carry the
//! next request.
//!
//! Syscalls: a response that arrives in one segment is one `read` that returns less than the
//! buffer holds, which also tells the runtime the socket is drained (tokio clears its readiness
//! on a short read), so the next request does not first read for nothing. A connection the
//! server closed while it sat idle is noticed at checkout ([`Conn::idle_ok`]) from the readiness
//! the runtime's I/O driver recorded meanwhile: only then does it cost a `read`, and the request
//! goes on another connection, unsent, as before. A dropped connection closes its socket at once.

use std::cell::Cell;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use hyper::{HeaderMap, Method, Uri};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::h1::{self, Chunked, Framing};
use super::ratelimit::RateInfo;
use super::reply::{body_kind, chain_kind};
use crate::metrics::TransportKind;

/// The read buffer's first size: an answer's head and a small body in one `read`.
const BUF: usize = 16 * 1024;

pub(super) struct Conn {
    stream: TcpStream,
    /// Bytes read; `buf[start..end]` is not used yet.
    buf: Vec<u8>,
    start: usize,
    end: usize,
    /// The request being written (kept for its allocation).
    out: Vec<u8>,
}

/// A request that did not come back as an answer.
pub(super) enum Failed {
    /// The request could not be written: on a reused connection the server never got it.
    Unsent(TransportKind),
    /// Written, but no whole head came back.
    Lost(TransportKind),
}

/// An answer: status, rate-limit headers, every header when kept, the body (or why it could not
/// be read), and whether the connection can carry another request.
pub(super) struct Answer {
    pub status: u16,
    pub rate: RateInfo,
    pub headers: Option<HeaderMap>,
    pub body: Result<Bytes, TransportKind>,
    pub reusable: bool,
}

/// The request, as the direct path sends it.
#[derive(Clone, Copy)]
pub(super) struct Request<'a> {
    pub method: &'a Method,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    pub body: &'a [u8],
}

impl Conn {
    pub(super) fn new(stream: TcpStream) -> Self {
        Conn {
            stream,
            buf: vec![0; BUF],
            start: 0,
            end: 0,
            out: Vec::with_capacity(512),
        }
    }

    /// Whether an idle connection can take a request: false once the server closed it (or sent
    /// something nobody asked for). No syscall unless the runtime saw the socket turn readable.
    pub(super) fn idle_ok(&mut self) -> bool {
        if self.start != self.end {
            return false;
        }
        let mut cx = Context::from_waker(Waker::noop());
        match self.stream.poll_read_ready(&mut cx) {
            Poll::Pending => true,
            Poll::Ready(Err(_)) => false,
            Poll::Ready(Ok(())) => {
                let mut one = [0u8; 1];
                matches!(self.stream.try_read(&mut one),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
            }
        }
    }

    /// Sends `req` and reads its answer. `head` gets the status and rate-limit headers as soon
    /// as they are read (a timeout during the body still reports them).
    pub(super) async fn exchange(
        &mut self,
        req: Request<'_>,
        keep: bool,
        head: &Cell<Option<(u16, RateInfo)>>,
    ) -> Result<Answer, Failed> {
        h1::encode(&mut self.out, req.method, req.uri, req.headers, req.body);
        if let Err(e) = self.stream.write_all(&self.out).await {
            return Err(Failed::Unsent(io_kind(&e)));
        }
        let parsed = loop {
            // Nothing to parse before the first read (the buffer is empty after a whole answer).
            if self.start != self.end {
                let now = crate::clock::now();
                match h1::parse_final(&self.buf[self.start..self.end], req.method, keep, now) {
                    Ok(Some(h)) => break h,
                    Ok(None) if self.end - self.start >= h1::MAX_HEAD => {
                        return Err(Failed::Lost(TransportKind::Other));
                    }
                    Ok(None) => {}
                    Err(h1::Bad::Parse) => return Err(Failed::Lost(TransportKind::Other)),
                }
            }
            match self.fill().await {
                Ok(0) => return Err(Failed::Lost(TransportKind::Reset)),
                Ok(_) => {}
                Err(kind) => return Err(Failed::Lost(kind)),
            }
        };
        self.start += parsed.len;
        head.set(Some((parsed.status, parsed.rate)));
        let body = self.body(parsed.framing, keep).await;
        let reusable = parsed.keep_alive && body.is_ok() && self.start == self.end;
        Ok(Answer {
            status: parsed.status,
            rate: parsed.rate,
            headers: parsed.headers,
            body,
            reusable,
        })
    }

    /// Reads the body to its end; its bytes only when `keep`.
    async fn body(&mut self, framing: Framing, keep: bool) -> Result<Bytes, TransportKind> {
        let mut kept = keep.then(Vec::new);
        match framing {
            Framing::Length(mut left) => loop {
                let take = left.min((self.end - self.start) as u64) as usize;
                if let Some(k) = kept.as_mut() {
                    k.extend_from_slice(&self.buf[self.start..self.start + take]);
                }
                self.start += take;
                left -= take as u64;
                if left == 0 {
                    break;
                }
                self.fill_body().await?;
            },
            Framing::Chunked => {
                let mut state = Chunked::Size;
                loop {
                    let used =
                        h1::dechunk(&mut state, &self.buf[self.start..self.end], kept.as_mut())
                            .map_err(|_| TransportKind::Body)?;
                    self.start += used;
                    if state == Chunked::Done {
                        break;
                    }
                    self.fill_body().await?;
                }
            }
            Framing::Close => loop {
                if let Some(k) = kept.as_mut() {
                    k.extend_from_slice(&self.buf[self.start..self.end]);
                }
                self.start = self.end;
                match self.fill().await {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(kind) => return Err(body_kind(Some(kind))),
                }
            },
        }
        Ok(kept.map(Bytes::from).unwrap_or_default())
    }

    /// [`Self::fill`] for a body that must go on: its end of stream is a reset.
    async fn fill_body(&mut self) -> Result<(), TransportKind> {
        match self.fill().await {
            Ok(0) => Err(TransportKind::Reset),
            Ok(_) => Ok(()),
            Err(kind) => Err(body_kind(Some(kind))),
        }
    }

    /// Reads what the socket has into the free end of the buffer (made room for first): the
    /// bytes read, 0 at the end of stream.
    async fn fill(&mut self) -> Result<usize, TransportKind> {
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        } else if self.end == self.buf.len() && self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            // A head longer than the buffer: grow it (parse_final bounds it at MAX_HEAD).
            self.buf.resize(self.buf.len() * 2, 0);
        }
        match self.stream.read(&mut self.buf[self.end..]).await {
            Ok(n) => {
                self.end += n;
                Ok(n)
            }
            Err(e) => Err(io_kind(&e)),
        }
    }
}

/// An I/O error's transport kind (a reset, a timeout...), `other` for the rest.
fn io_kind(e: &std::io::Error) -> TransportKind {
    chain_kind(Some(e)).unwrap_or(TransportKind::Other)
}
