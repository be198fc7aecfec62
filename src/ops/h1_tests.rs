//! The direct path's wire format, as tables: what a request looks like on the wire, how a head
//! is framed and kept alive, chunked bodies split at every byte.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Method, Uri};

use super::*;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_675_452_000)
}

fn head(raw: &str, method: Method) -> Result<Option<Head>, Bad> {
    parse_final(raw.as_bytes(), &method, true, now())
}

#[test]
fn a_request_is_its_line_headers_length_and_body() {
    let mut h = HeaderMap::new();
    h.insert("host", HeaderValue::from_static("127.0.0.1:4000"));
    h.insert("accept", HeaderValue::from_static("application/json"));
    let uri: Uri = "http://127.0.0.1:4000/api/v2/users?q=a%20b"
        .parse()
        .unwrap();
    let mut out = b"left over".to_vec();
    encode(&mut out, &Method::POST, &uri, &h, b"{\"a\":1}");
    assert_eq!(
        String::from_utf8(out.clone()).unwrap(),
        "POST /api/v2/users?q=a%20b HTTP/1.1\r\nhost: 127.0.0.1:4000\r\naccept: application/json\r\n\
         content-length: 7\r\n\r\n{\"a\":1}"
    );
    // No body: no length (as hyper sends an empty body); a bare authority asks for "/".
    let uri: Uri = "http://127.0.0.1:4000".parse().unwrap();
    encode(&mut out, &Method::GET, &uri, &HeaderMap::new(), b"");
    assert_eq!(out, b"GET / HTTP/1.1\r\n\r\n");
    // A length the headers already give is not repeated.
    let mut h = HeaderMap::new();
    h.insert("content-length", HeaderValue::from_static("2"));
    encode(&mut out, &Method::PUT, &uri, &h, b"{}");
    assert_eq!(out, b"PUT / HTTP/1.1\r\ncontent-length: 2\r\n\r\n{}");
}

#[test]
fn heads_are_framed_and_kept_alive_by_their_headers() {
    use Framing::*;
    // (head, method, status, framing, keep-alive)
    let table: &[(&str, Method, u16, Framing, bool)] = &[
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n",
            Method::GET,
            200,
            Length(11),
            true,
        ),
        (
            "HTTP/1.1 200 OK\r\ncontent-length:  0 \r\n\r\n",
            Method::GET,
            200,
            Length(0),
            true,
        ),
        (
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            Method::GET,
            200,
            Chunked,
            true,
        ),
        // Transfer-Encoding wins over a length; its last coding decides.
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
            Method::GET,
            200,
            Chunked,
            true,
        ),
        (
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
            Method::GET,
            200,
            Close,
            false,
        ),
        ("HTTP/1.1 200 OK\r\n\r\n", Method::GET, 200, Close, false),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n",
            Method::GET,
            200,
            Length(5),
            false,
        ),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: Keep-Alive, Close\r\n\r\n",
            Method::GET,
            200,
            Length(5),
            false,
        ),
        (
            "HTTP/1.0 200 OK\r\nContent-Length: 5\r\n\r\n",
            Method::GET,
            200,
            Length(5),
            false,
        ),
        (
            "HTTP/1.0 200 OK\r\nContent-Length: 5\r\nConnection: keep-alive\r\n\r\n",
            Method::GET,
            200,
            Length(5),
            true,
        ),
        // No body whatever the headers say.
        (
            "HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\n",
            Method::DELETE,
            204,
            Length(0),
            true,
        ),
        (
            "HTTP/1.1 304 Not Modified\r\n\r\n",
            Method::GET,
            304,
            Length(0),
            true,
        ),
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n",
            Method::HEAD,
            200,
            Length(0),
            true,
        ),
        // Informational heads are skipped.
        (
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nContent-Length: 2\r\n\r\n",
            Method::POST,
            429,
            Length(2),
            true,
        ),
        (
            "HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n",
            Method::GET,
            101,
            Length(0),
            false,
        ),
        // The same length twice is one length.
        (
            "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\n",
            Method::GET,
            200,
            Length(4),
            true,
        ),
    ];
    for (raw, method, status, framing, keep_alive) in table {
        let h = head(raw, method.clone())
            .unwrap()
            .unwrap_or_else(|| panic!("partial: {raw:?}"));
        assert_eq!(
            (h.status, h.framing, h.keep_alive),
            (*status, *framing, *keep_alive),
            "{raw:?}"
        );
        assert_eq!(h.len, raw.len(), "{raw:?}");
    }
}

#[test]
fn a_head_is_partial_until_its_empty_line_and_garbage_is_bad() {
    let raw = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n{\"ok\":true}";
    for cut in 0..raw.find("\r\n\r\n").unwrap() + 3 {
        assert!(
            head(&raw[..cut], Method::GET).unwrap().is_none(),
            "cut at {cut}"
        );
    }
    let h = head(raw, Method::GET).unwrap().unwrap();
    assert_eq!(h.len, raw.len() - 11, "the body is not the head's");
    for garbage in [
        "garbage\r\n\r\n",
        "HTTP/1.1 abc OK\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\n",
        "HTTP/1.1 200 OK\r\nbad header\r\n\r\n",
    ] {
        assert_eq!(
            head(garbage, Method::GET).unwrap_err(),
            Bad::Parse,
            "{garbage:?}"
        );
    }
    let many: String = (0..MAX_HEADERS + 1)
        .map(|i| format!("x-{i}: 1\r\n"))
        .collect();
    let raw = format!("HTTP/1.1 200 OK\r\n{many}\r\n");
    assert_eq!(
        head(&raw, Method::GET).unwrap_err(),
        Bad::Parse,
        "too many headers"
    );
}

#[test]
fn the_rate_limit_headers_and_kept_headers_come_with_the_head() {
    let raw: &[u8] = b"HTTP/1.1 429 Too Many Requests\r\nX-RateLimit-Limit: 50\r\nx-ratelimit-remaining: 0\r\n\
               X-RateLimit-Reset: 1675452007\r\nRetry-After: 7\r\nX-Trace: \xff\r\nContent-Length: 0\r\n\r\n";
    let h = parse_final(raw, &Method::GET, true, now())
        .unwrap()
        .unwrap();
    assert_eq!(h.rate.limit, Some(50));
    assert_eq!(h.rate.remaining, Some(0));
    assert_eq!(h.rate.reset_epoch_s, Some(1_675_452_007));
    assert_eq!(h.rate.retry_after, Some(Duration::from_secs(7)));
    assert_eq!(h.rate.bad, 0);
    let kept = h.headers.unwrap();
    assert_eq!(kept.get("x-ratelimit-limit").unwrap(), "50");
    assert_eq!(kept.get("retry-after").unwrap(), "7");
    assert_eq!(kept.len(), 6);
    let h = parse_final(raw, &Method::GET, false, now())
        .unwrap()
        .unwrap();
    assert!(h.headers.is_none(), "headers only when kept");
    let bad = "HTTP/1.1 200 OK\r\nx-ratelimit-limit: lots\r\nretry-after: \x01\r\nContent-Length: 0\r\n\r\n";
    let h = parse_final(bad.as_bytes(), &Method::GET, false, now());
    // httparse refuses control characters in values; a value that parses but is no count is bad.
    match h {
        Ok(Some(h)) => assert!(h.rate.bad >= 1),
        Err(e) => assert_eq!(e, Bad::Parse),
        Ok(None) => panic!("partial"),
    }
    let bad = "HTTP/1.1 200 OK\r\nx-ratelimit-limit: lots\r\nContent-Length: 0\r\n\r\n";
    let h = parse_final(bad.as_bytes(), &Method::GET, false, now())
        .unwrap()
        .unwrap();
    assert_eq!((h.rate.limit, h.rate.bad), (None, 1));
}

/// Decodes `wire` fed in pieces of `step` bytes, as reads would bring it.
fn dechunk_in_steps(wire: &[u8], step: usize) -> Result<(Vec<u8>, usize), Bad> {
    let mut state = Chunked::Size;
    let mut body = Vec::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut fed = 0;
    while state != Chunked::Done {
        if fed == wire.len() {
            panic!("ran out of bytes in {state:?}");
        }
        let next = (fed + step).min(wire.len());
        pending.extend_from_slice(&wire[fed..next]);
        fed = next;
        let used = dechunk(&mut state, &pending, Some(&mut body))?;
        pending.drain(..used);
    }
    Ok((body, pending.len() + wire.len() - fed))
}

#[test]
fn chunked_bodies_decode_whatever_the_reads_split() {
    let wire = b"5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nx-trailer: 1\r\n\r\nNEXT";
    for step in 1..wire.len() {
        let (body, left) = dechunk_in_steps(wire, step).unwrap();
        assert_eq!(body, b"hello, world", "step {step}");
        assert_eq!(left, 4, "the next response's bytes stay: step {step}");
    }
    let (body, left) = dechunk_in_steps(b"0\r\n\r\n", 1).unwrap();
    assert_eq!((body.len(), left), (0, 0));
    for bad in [&b"zz\r\n"[..], b"3\r\nabcXY", b"3\r\nabc\n0\r\n\r\n"] {
        let mut state = Chunked::Size;
        assert_eq!(dechunk(&mut state, bad, None), Err(Bad::Parse), "{bad:?}");
    }
    // Not kept: decoded all the same, nothing collected.
    let mut state = Chunked::Size;
    assert_eq!(dechunk(&mut state, b"2\r\nok\r\n0\r\n\r\n", None), Ok(12));
    assert_eq!(state, Chunked::Done);
}
