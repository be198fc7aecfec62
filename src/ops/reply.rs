//! What a sent request came back as ([`Reply`]: outcome, rate-limit headers, the body when
//! asked), and the sorting of transport errors into the `statuses.csv` error kinds. A leaf: every
//! transport ([`super::direct`], [`super::send`], any later one) builds its replies here, so
//! they classify alike and import nothing of each other.

use std::error::Error as _;

use bytes::Bytes;
use hyper::HeaderMap;

use super::ratelimit::{self, RateInfo};
use crate::metrics::{Outcome, TransportKind};

/// What came back.
#[derive(Debug, Clone)]
pub struct Reply {
    pub outcome: Outcome,
    pub rate: RateInfo,
    /// Only when asked for (token responses, events, flow steps that capture); other bodies
    /// are read and dropped.
    pub body: Option<Bytes>,
    /// The response headers, kept with the body (a flow step may capture one).
    pub headers: Option<HeaderMap>,
    /// A token request the tenant's monthly M2M quota refused (set by [`super::token::fetch`]
    /// from the answer's body; false for every other reply).
    pub quota_refused: bool,
}

impl Reply {
    /// A request that failed before any response: no status, no headers.
    pub fn transport(kind: TransportKind) -> Self {
        Reply {
            outcome: Outcome::Transport(kind),
            rate: RateInfo::default(),
            body: None,
            headers: None,
            quota_refused: false,
        }
    }

    /// A response whose status and headers came, with its body read (or failed to read).
    pub fn answered(
        status: u16,
        rate: RateInfo,
        body: Result<Bytes, TransportKind>,
        keep_body: bool,
    ) -> Self {
        match body {
            Ok(body) => Reply {
                outcome: Outcome::Http(status),
                rate,
                body: keep_body.then_some(body),
                headers: None,
                quota_refused: false,
            },
            Err(kind) => Reply {
                outcome: Outcome::Transport(kind),
                rate,
                body: None,
                headers: None,
                quota_refused: false,
            },
        }
    }
}

impl Reply {
    /// Keeps `headers` with a kept body (nothing when the body was not kept).
    pub fn with_headers(mut self, headers: Option<HeaderMap>) -> Self {
        if self.body.is_some() {
            self.headers = headers;
        }
        self
    }
}

/// The rate-limit headers of a response head, read on the run's clock (`src/clock.rs`), so
/// `x-ratelimit-reset` and `Retry-After` dates are measured against the same "now" in a
/// real-time and a fast-forward run. Every transport reads its heads here.
pub fn rate_of(headers: &HeaderMap) -> RateInfo {
    ratelimit::parse(headers, crate::clock::now())
}

/// Sorts a reqwest error into the `statuses.csv` error kinds.
pub fn kind_of(e: &reqwest::Error) -> TransportKind {
    if e.is_timeout() {
        return TransportKind::Timeout;
    }
    if let Some(kind) = chain_kind(e.source()) {
        return kind;
    }
    if e.is_connect() {
        TransportKind::Connect
    } else if e.is_body() || e.is_decode() {
        TransportKind::Body
    } else {
        TransportKind::Other
    }
}

/// A body read that failed after the status came: a timeout or a reset as such, anything else
/// a `body` error.
pub fn body_kind(kind: Option<TransportKind>) -> TransportKind {
    match kind {
        Some(k @ (TransportKind::Timeout | TransportKind::Reset)) => k,
        _ => TransportKind::Body,
    }
}

/// The transport kind an error chain shows (an I/O error or hyper's own), if any; shared by the
/// reqwest and the direct path so both sort errors alike.
pub fn chain_kind(mut source: Option<&(dyn std::error::Error + 'static)>) -> Option<TransportKind> {
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            match io.kind() {
                TimedOut => return Some(TransportKind::Timeout),
                ConnectionRefused | AddrNotAvailable | HostUnreachable | NetworkUnreachable => {
                    return Some(TransportKind::Connect);
                }
                ConnectionReset | ConnectionAborted | BrokenPipe | UnexpectedEof => {
                    return Some(TransportKind::Reset);
                }
                _ => {}
            }
        }
        if let Some(h) = s.downcast_ref::<hyper::Error>() {
            if h.is_incomplete_message() || h.is_closed() || h.is_canceled() {
                return Some(TransportKind::Reset);
            }
            if h.is_timeout() {
                return Some(TransportKind::Timeout);
            }
        }
        source = s.source();
    }
    None
}
