//! The seam between the operations and whatever carries their requests: a [`Transport`] sends a
//! [`Prepared`] request and answers a [`Reply`], never an error. HTTP over sockets is one
//! implementation ([`super::Http`]); another (an in-process router on a virtual clock) plugs in
//! here without the operations or the engine knowing its types.

use std::future::Future;

use super::reply::Reply;
use super::template::{Fill, Prepared, Template};
use crate::metrics::TransportKind;

/// Sends one request. Single-threaded (the engine's current-thread runtime): the future need
/// not be `Send`, and the engine is generic over the transport, so no per-request box.
pub trait Transport {
    /// Sends `request`, reads the whole response (so the connection is reused), sorts the
    /// outcome and reads the rate-limit headers; the body is kept when `keep_body`.
    fn send(&self, request: Prepared, keep_body: bool) -> impl Future<Output = Reply>;
}

/// Fills `template` and sends it. A bearer token that is no valid header value is a transport
/// error (`other`), not sent.
pub async fn send<T: Transport>(
    transport: &T,
    template: &Template,
    fill: Fill<'_>,
    keep_body: bool,
) -> Reply {
    match template.prepare(fill) {
        Some(request) => transport.send(request, keep_body).await,
        None => Reply::transport(TransportKind::Other),
    }
}
