//! The engine's [`Fetcher`]: sends a client-credentials request for a [`TokenKey`] and records it
//! as a request of the synthetic operation `token:<audience>` (so every token request shows in
//! summary, statuses and audiences), after asking the quota guard.

use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

use tokio::time::Instant;

use super::{FetchError, FetchFuture, Fetcher, Fresh, TokenKey};
use crate::engine::guard::Guard;
use crate::engine::sink::{Msg, Sink};
use crate::metrics::{Outcome, Sample, TokenFailure, TransportKind};
use crate::ops::{Base, Template, Transport, token};
use crate::scenario::{Secret, TokenFormat};

/// Name of the synthetic operation that records token fetches for `audience`.
pub fn synthetic_name(audience: &str) -> String {
    format!("token:{audience}")
}

pub struct RecordingFetcher<T> {
    pub transport: Rc<T>,
    /// The token request of every key the run may fetch, built at start.
    pub templates: Rc<HashMap<TokenKey, Template>>,
    /// For a key not built at start (never, when the plan is the run's): built on demand.
    pub base: Base,
    /// (client_id, secret) per plan client. The engine keeps the secret it started with: after a
    /// rotate-secret event the fleet still holds the old one, as in real life.
    pub credentials: Rc<Vec<(String, Secret)>>,
    pub format: TokenFormat,
    /// audience → synthetic operation index.
    pub ops: Rc<HashMap<String, usize>>,
    pub sink: Sink,
    pub guard: Rc<Guard>,
    pub t0: Instant,
    /// `Some(refresh_skew)` when the fetched tokens go into the cache (tells the recorder the
    /// steady-state refresh interval for the quota projection).
    pub cache_skew: Option<Duration>,
}

pub fn failure_of(outcome: Outcome) -> TokenFailure {
    match outcome {
        Outcome::Http(code) => TokenFailure::Http(code),
        Outcome::Transport(kind) => TokenFailure::Transport(kind),
        Outcome::Token(f) => f,
    }
}

impl<T> Clone for RecordingFetcher<T> {
    fn clone(&self) -> Self {
        RecordingFetcher {
            transport: self.transport.clone(),
            templates: self.templates.clone(),
            base: self.base.clone(),
            credentials: self.credentials.clone(),
            format: self.format,
            ops: self.ops.clone(),
            sink: self.sink.clone(),
            guard: self.guard.clone(),
            t0: self.t0,
            cache_skew: self.cache_skew,
        }
    }
}

impl<T: Transport> RecordingFetcher<T> {
    async fn run(self, key: TokenKey) -> Result<Fresh, FetchError> {
        let RecordingFetcher {
            transport,
            templates,
            base,
            credentials,
            format,
            ops,
            sink,
            guard,
            t0,
            cache_skew,
        } = self;
        let op = ops.get(&key.audience).copied();
        let Some((client_id, secret)) = credentials.get(key.client) else {
            return Err(FetchError::Failed(TokenFailure::Transport(
                TransportKind::Other,
            )));
        };
        let built;
        let template = match templates.get(&key) {
            Some(t) => t,
            None => {
                let req = token::TokenRequest {
                    client_id,
                    client_secret: secret,
                    audience: &key.audience,
                    scope: key.scope.as_deref(),
                    format,
                };
                built = token::template(&base, &req);
                match &built {
                    Ok(t) => t,
                    Err(_) => {
                        return Err(FetchError::Failed(TokenFailure::Transport(
                            TransportKind::Other,
                        )));
                    }
                }
            }
        };
        if !guard.take_token() {
            return Err(FetchError::Refused);
        }
        let start = Instant::now();
        let intended = start.saturating_duration_since(t0);
        if let Some(op) = op {
            sink.dispatched(op, intended);
        }
        let (reply, issued) = token::fetch(&*transport, template, None).await;
        let took = start.elapsed();
        guard.saw(&reply.rate);
        let outcome = reply.outcome;
        guard.token_outcome(outcome);
        if let (Some(op), true) = (op, reply.quota_refused) {
            sink.send(Msg::QuotaRefused {
                op,
                at: intended + took,
            });
        }
        if let Some(op) = op {
            sink.send(Msg::Done(Sample {
                op,
                intended,
                lag: Duration::ZERO,
                corrected: took,
                service: took,
                outcome,
                retries: 0,
                rate: reply.rate.seen(crate::clock::now()),
                bad_headers: reply.rate.bad,
            }));
        }
        if let (Some(skew), Some(i)) = (cache_skew, &issued) {
            sink.send(Msg::CachedToken {
                audience: key.audience.clone(),
                key: format!("{}|{}", key.client, key.scope.as_deref().unwrap_or("")),
                refresh_every: i
                    .expires_in
                    .saturating_sub(skew)
                    .max(Duration::from_secs(1)),
            });
        }
        match issued {
            Some(i) => Ok(Fresh {
                token: i.token,
                expires_in: i.expires_in,
            }),
            None => Err(FetchError::Failed(failure_of(outcome))),
        }
    }
}

impl<T: Transport + 'static> Fetcher for RecordingFetcher<T> {
    fn fetch(&self, key: &TokenKey) -> FetchFuture {
        Box::pin(self.clone().run(key.clone()))
    }
}
