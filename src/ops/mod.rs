//! The HTTP operations (token, management, http) on one shared client (reqwest, or hyper-util
//! for plain HTTP to loopback): how each request
//! is built ([`token`], [`management`], [`http`]), how it is sent and classified ([`send`]) and
//! how rate-limit headers are read ([`ratelimit`]). Knows nothing of pacing, retries or tokens'
//! lifetimes (that is the engine); a failed request is an [`crate::metrics::Outcome`], not an error.

pub mod direct;
pub mod http;
pub mod management;
pub mod ratelimit;
pub mod request;
pub mod send;
pub mod token;

pub use ratelimit::RateInfo;
pub use request::Request;
pub use send::{Client, Reply};

/// Building the client failed (bad TLS setup, bad base URL...): the run cannot start.
#[derive(Debug, thiserror::Error)]
pub enum OpError {
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}
