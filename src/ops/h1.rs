//! The HTTP/1.1 wire format of the direct path ([`super::direct`]): a request written into a
//! byte buffer, a response head parsed from one (`httparse`, the parser hyper itself uses), and
//! how its body is framed. Only what a client of a loopback service needs: no upgrades, no
//! pipelining, no request bodies of unknown length. Pure functions over bytes, no I/O: the
//! connection (`conn.rs`) reads and writes.
//!
//! Why not hyper's client: for every response it builds a `HeaderMap` (each name parsed and
//! hashed, each value copied) and runs a general dispatcher; the generator reads a status, the
//! framing headers and five rate-limit headers. Those were 55 % of the generator's user-space
//! instructions per request (the callgrind profile in BENCHMARKS.md).

use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, Uri};
use std::io::Write as _;
use std::mem::MaybeUninit;

use super::ratelimit::{self, RateInfo};

/// Most headers a response head may carry (hyper's default too).
const MAX_HEADERS: usize = 100;
/// Longest response head read (hyper's default buffer limit, 8 KiB + 100 × 4 KiB).
pub const MAX_HEAD: usize = 8192 + 4096 * 100;

/// Writes the request line, the headers and the body into `out` (cleared first). The body's
/// length goes in `content-length` unless the headers already have one; no body, no header
/// (as hyper sends an empty body).
pub fn encode(out: &mut Vec<u8>, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) {
    out.clear();
    out.extend_from_slice(method.as_str().as_bytes());
    out.push(b' ');
    let path = uri.path_and_query().map_or("/", |p| p.as_str());
    out.extend_from_slice(if path.is_empty() {
        b"/"
    } else {
        path.as_bytes()
    });
    out.extend_from_slice(b" HTTP/1.1\r\n");
    for (name, value) in headers {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !body.is_empty() && !headers.contains_key(hyper::header::CONTENT_LENGTH) {
        // Writing into a Vec cannot fail.
        let _ = write!(out, "content-length: {}\r\n", body.len());
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
}

/// How a response's body ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Exactly this many bytes (0: none, as for `HEAD`, 204 and 304).
    Length(u64),
    Chunked,
    /// Until the server closes the connection.
    Close,
}

/// A parsed response head.
#[derive(Debug)]
pub struct Head {
    pub status: u16,
    /// Bytes of the buffer the head took.
    pub len: usize,
    pub framing: Framing,
    /// The connection may carry another request after this response.
    pub keep_alive: bool,
    pub rate: RateInfo,
    /// Every header, only when asked for.
    pub headers: Option<HeaderMap>,
}

/// Why a response cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bad {
    /// Not HTTP/1 (garbage, too many headers, a bad `content-length`).
    Parse,
}

/// Parses one response head from the start of `buf` (`Ok(None)`: more bytes are needed);
/// [`parse_final`] skips the informational ones.
fn parse_one(
    buf: &[u8],
    method: &Method,
    keep: bool,
    now: std::time::SystemTime,
) -> Result<Option<Head>, Bad> {
    // Uninitialised: zeroing 100 headers per response cost more than parsing nginx's five.
    let mut headers = [const { MaybeUninit::<httparse::Header<'_>>::uninit() }; MAX_HEADERS];
    let mut r = httparse::Response::new(&mut []);
    let len = match httparse::ParserConfig::default().parse_response_with_uninit_headers(
        &mut r,
        buf,
        &mut headers,
    ) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(Bad::Parse),
    };
    let status = r.code.ok_or(Bad::Parse)?;
    let http11 = r.version == Some(1);
    let mut length: Option<u64> = None;
    let mut chunked = false;
    let mut encoded = false;
    let mut close = false;
    let mut keep_alive_token = false;
    for h in r.headers.iter() {
        // By length first: most names are none of the three.
        match h.name.len() {
            14 if h.name.eq_ignore_ascii_case("content-length") => {
                let n = std::str::from_utf8(h.value)
                    .ok()
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .ok_or(Bad::Parse)?;
                if length.is_some_and(|l| l != n) {
                    return Err(Bad::Parse);
                }
                length = Some(n);
            }
            17 if h.name.eq_ignore_ascii_case("transfer-encoding") => {
                encoded = true;
                // The last coding decides: chunked or close-delimited.
                chunked = h
                    .value
                    .rsplit(|&b| b == b',')
                    .next()
                    .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
            }
            10 if h.name.eq_ignore_ascii_case("connection") => {
                for token in h.value.split(|&b| b == b',') {
                    let token = token.trim_ascii();
                    close |= token.eq_ignore_ascii_case(b"close");
                    keep_alive_token |= token.eq_ignore_ascii_case(b"keep-alive");
                }
            }
            _ => {}
        }
    }
    let framing = if *method == Method::HEAD || status == 204 || status == 304 || status < 200 {
        Framing::Length(0)
    } else if encoded {
        if chunked {
            Framing::Chunked
        } else {
            Framing::Close
        }
    } else {
        length.map_or(Framing::Close, Framing::Length)
    };
    let keep_alive = !close && (http11 || keep_alive_token) && framing != Framing::Close;
    let pairs = r.headers.iter().map(|h| (h.name, h.value));
    let rate = ratelimit::parse_pairs(pairs, now);
    let headers = keep.then(|| {
        let mut map = HeaderMap::with_capacity(r.headers.len());
        for h in r.headers.iter() {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(h.name.as_bytes()),
                HeaderValue::from_bytes(h.value),
            ) {
                map.append(n, v);
            }
        }
        map
    });
    Ok(Some(Head {
        status,
        len,
        framing,
        keep_alive,
        rate,
        headers,
    }))
}

/// The final response head at the start of `buf`, after any informational (1xx) heads, which
/// are skipped: `Ok(None)` when more bytes are needed. `len` counts the skipped heads too. A
/// `101 Switching Protocols` is final, and ends the connection (nothing here speaks what it
/// switches to).
pub fn parse_final(
    buf: &[u8],
    method: &Method,
    keep: bool,
    now: std::time::SystemTime,
) -> Result<Option<Head>, Bad> {
    let mut at = 0;
    loop {
        let Some(mut head) = parse_one(&buf[at..], method, keep, now)? else {
            return Ok(None);
        };
        if (100..200).contains(&head.status) && head.status != 101 {
            at += head.len;
            continue;
        }
        if head.status == 101 {
            head.keep_alive = false;
        }
        head.len += at;
        return Ok(Some(head));
    }
}

/// Where a chunked body's decoder is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chunked {
    /// Before a chunk's size line.
    Size,
    /// Inside a chunk: this many data bytes left, then its CRLF.
    Data(u64),
    /// After a chunk's data: its CRLF.
    DataEnd,
    /// After the last (empty) chunk: trailer lines until an empty one.
    Trailer,
    Done,
}

/// Decodes as much of a chunked body as `buf` holds, appending the data to `body` when kept:
/// returns the bytes consumed (the caller drops them and reads more unless [`Chunked::Done`]).
pub fn dechunk(
    state: &mut Chunked,
    buf: &[u8],
    mut body: Option<&mut Vec<u8>>,
) -> Result<usize, Bad> {
    let mut at = 0;
    loop {
        let rest = &buf[at..];
        match *state {
            Chunked::Done => return Ok(at),
            Chunked::Size => match httparse::parse_chunk_size(rest) {
                Ok(httparse::Status::Complete((n, 0))) => {
                    at += n;
                    *state = Chunked::Trailer;
                }
                Ok(httparse::Status::Complete((n, size))) => {
                    at += n;
                    *state = Chunked::Data(size);
                }
                Ok(httparse::Status::Partial) => return Ok(at),
                Err(_) => return Err(Bad::Parse),
            },
            Chunked::Data(left) => {
                if rest.is_empty() {
                    return Ok(at);
                }
                let take = (left.min(rest.len() as u64)) as usize;
                if let Some(b) = body.as_deref_mut() {
                    b.extend_from_slice(&rest[..take]);
                }
                at += take;
                let left = left - take as u64;
                *state = if left == 0 {
                    Chunked::DataEnd
                } else {
                    Chunked::Data(left)
                };
            }
            Chunked::DataEnd => {
                if rest.len() < 2 {
                    return Ok(at);
                }
                if &rest[..2] != b"\r\n" {
                    return Err(Bad::Parse);
                }
                at += 2;
                *state = Chunked::Size;
            }
            Chunked::Trailer => {
                let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") else {
                    return Ok(at);
                };
                at += eol + 2;
                if eol == 0 {
                    *state = Chunked::Done;
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "h1_tests.rs"]
mod tests;
