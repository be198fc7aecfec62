//! What every task of a run shares (single-threaded, behind `Rc`): the plan, the transport and
//! the operations' request templates (built once at start), credentials, token strategy, retry
//! policy, throttles, guards, the stop state and the sink. Counters are `Cell`s: one thread, no
//! locks.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use tokio::time::Instant;

use super::data::RunData;
use super::guard::Guard;
use super::retry::Retry;
use super::sink::Sink;
use super::stop::Stopper;
use super::throttle::Throttles;
use super::tokens::{TokenKey, Tokens};
use crate::ops::{Base, Template};
use crate::scenario::{OperationKind, RunPlan, Secret};

pub struct Ctx<T> {
    pub plan: RunPlan,
    pub transport: Rc<T>,
    /// The target's base URL (events build their requests at their time).
    pub base: Base,
    /// One request template per plan operation, by index.
    pub templates: Vec<Template>,
    /// The token each plan operation needs, by index.
    pub keys: Vec<Option<TokenKey>>,
    pub credentials: Rc<Vec<(String, Secret)>>,
    pub management_audience: String,
    pub tokens: Tokens,
    pub retry: Retry,
    pub throttles: Throttles,
    pub guard: Rc<Guard>,
    pub stopper: Rc<Stopper>,
    pub sink: Sink,
    pub t0: Instant,
    /// Arrivals handed to workers and not finished (queued or running).
    pub in_flight: Cell<usize>,
    /// The run's data files and generators, when an operation has holes.
    pub data: Option<RunData>,
    /// Scopes of grants deleted by events, to restore them later: (client, audience) → scopes.
    pub deleted_grants: RefCell<HashMap<(usize, String), serde_json::Value>>,
}

/// The token an operation needs, if any (`mgmt`: the Management API audience).
pub fn token_key(kind: &OperationKind, mgmt: &str) -> Option<TokenKey> {
    match kind {
        OperationKind::Management { client, .. } => Some(TokenKey {
            client: *client,
            audience: mgmt.to_string(),
            scope: None,
        }),
        OperationKind::Http {
            bearer: Some(b), ..
        } => Some(TokenKey {
            client: b.client,
            audience: b.audience.clone().unwrap_or_else(|| mgmt.to_string()),
            scope: b.scope.clone(),
        }),
        _ => None,
    }
}

impl<T> Ctx<T> {
    pub fn finish_one(&self) {
        self.in_flight.set(self.in_flight.get().saturating_sub(1));
    }
}
