//! Token strategies: how an API call gets its bearer token. One file per strategy behind
//! [`Tokens`]: [`cache`] (shared, single-flight refresh ahead of expiry), per-request (a fresh
//! token every call, straight from the [`Fetcher`]) and [`static_token`] (hand-made, ends the run
//! at `exp`). Every token request goes through a [`Fetcher`], which the engine implements so
//! each one is measured and counted per audience ([`fetch`]).

pub mod cache;
pub mod fetch;
pub mod static_token;

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use crate::metrics::TokenFailure;
use crate::scenario::Secret;

pub use cache::Cache;
pub use static_token::StaticToken;

/// What a cached token is shared by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    /// Index into `plan.clients`.
    pub client: usize,
    pub audience: String,
    pub scope: Option<String>,
}

/// A token just issued.
#[derive(Debug, Clone)]
pub struct Fresh {
    pub token: Secret,
    pub expires_in: Duration,
}

/// Why no token came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FetchError {
    /// The token request was sent and failed.
    Failed(TokenFailure),
    /// Not sent: the `stop.max_tokens` guard is exhausted (the run is ending).
    Refused,
}

pub type FetchFuture = Pin<Box<dyn Future<Output = Result<Fresh, FetchError>>>>;

/// Performs one token request.
pub trait Fetcher {
    fn fetch(&self, key: &TokenKey) -> FetchFuture;
}

/// The run's token strategy.
pub enum Tokens {
    Cache(Rc<Cache>),
    PerRequest(Rc<dyn Fetcher>),
    Static(StaticToken),
}

impl Tokens {
    /// A bearer token for `key`.
    pub async fn bearer(&self, key: &TokenKey) -> Result<Rc<Secret>, FetchError> {
        match self {
            Tokens::Cache(c) => c.get(key).await,
            Tokens::PerRequest(f) => f.fetch(key).await.map(|f| Rc::new(f.token)),
            Tokens::Static(s) => s.bearer(),
        }
    }

    /// A token already held for `key`, without fetching (events borrow the fleet's token).
    pub fn peek(&self, key: &TokenKey) -> Option<Rc<Secret>> {
        match self {
            Tokens::Cache(c) => c.peek(key),
            Tokens::PerRequest(_) => None,
            Tokens::Static(s) => s.bearer().ok(),
        }
    }

    /// The target answered 401 to a call made with `token` (see [`Cache::reject`]).
    pub fn reject(&self, key: &TokenKey, token: &Rc<Secret>) {
        if let Tokens::Cache(c) = self {
            c.reject(key, token);
        }
    }

    /// Background refreshes still running (the drain waits for them).
    pub fn background(&self) -> usize {
        match self {
            Tokens::Cache(c) => c.background(),
            _ => 0,
        }
    }
}
