//! The HTTP operations (token, management, http): how each request is built once as a
//! [`Template`] ([`token`], [`management`], [`http`], on [`template`]), the [`Transport`] seam
//! that sends a prepared request and answers a [`Reply`] ([`transport`], [`reply`]), its HTTP
//! implementation over sockets ([`send`]: reqwest, or HTTP/1 connections of our own for plain
//! HTTP to loopback in [`direct`], each driven by its worker: `conn`, the wire format in `h1`) and how rate-limit headers are
//! read ([`ratelimit`]). Knows nothing of pacing,
//! retries or tokens' lifetimes (that is the engine); a failed request is an
//! [`crate::metrics::Outcome`], not an error.

mod conn;
pub mod dest;
pub mod direct;
mod h1;
pub mod holes;
pub mod http;
pub mod management;
pub mod ratelimit;
pub mod reply;
pub mod send;
pub mod template;
pub mod token;
pub mod transport;

pub use ratelimit::RateInfo;
pub use reply::Reply;
pub use send::Http;
pub use template::{Base, Fill, Prepared, Template, TemplateError};
pub use transport::Transport;

/// Building the client failed (bad TLS setup, bad base URL...): the run cannot start.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}
