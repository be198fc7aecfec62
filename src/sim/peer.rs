//! A request's source address as the tenant's servers record it (axum `ConnectInfo`): set by
//! `server.rs` for every connection, read by the routes for per-IP buckets and counters.

use std::net::SocketAddr;

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::net::TcpListener;

/// A request's source address (axum `ConnectInfo`), for per-IP buckets and per-source counters.
/// Our own type, because axum provides `SocketAddr` only for its plain `TcpListener`.
#[derive(Debug, Clone, Copy)]
pub struct Peer(pub SocketAddr);

impl Connected<IncomingStream<'_, TcpListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, TcpListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}

impl Connected<IncomingStream<'_, super::tls::TlsListener>> for Peer {
    fn connect_info(stream: IncomingStream<'_, super::tls::TlsListener>) -> Self {
        Peer(*stream.remote_addr())
    }
}
