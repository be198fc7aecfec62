//! The run engine: executes a validated [`RunPlan`] against a target URL and returns a
//! [`Snapshot`]. Open model — a 1 ms scheduler hands due arrivals to a fixed worker pool through a
//! bounded queue, dropping (never queueing or bursting) what cannot go — on one current-thread
//! runtime. Knows no flags, files or report formats; reaches the simulator through an
//! `ops::Transport` like any real tenant (HTTP, or in process on a virtual clock for
//! `src/fastforward/`, through [`run::run_on`]).
//!
//! Seams: [`pacer`] (arrival clock), [`closed`] (closed-loop phases, `concurrency = N`), [`retry`] (one file per policy), [`tokens`] (one file per
//! strategy), [`throttle`], [`events`], [`stop`]; the run itself is in [`run`](mod@run).
//!
//! How the snapshot accounts for things (the choices the report relies on):
//! - Token requests behind API calls (cache refreshes, per-request fetches, an event's token)
//!   are requests of a synthetic operation `token:<audience>` (kind `token`), listed after the
//!   plan's operations and only when used. `audiences.csv` counts every token request, explicit
//!   or synthetic, once.
//! - An API call whose token request failed was not sent to the API; its final outcome is the
//!   token failure, status `token_<status>` (`token_401`, `token_429`, `token_timeout`,
//!   `token_expired`), counted in the summary column of that status (a token 401 is a 4xx of
//!   the call) — but a token 429 is a 4xx of the call too, so `status_429` stays equal to the
//!   `429` rows of statuses.csv; the 429 shows in `token:<audience>`. It is never retried: the
//!   call itself never went out.
//! - Dropped arrivals by reason are in `run.csv` (`dropped_busy`, `dropped_late`,
//!   `dropped_stopping`), unparseable rate-limit headers as `bad_headers`, token requests sent as
//!   `token_requests_sent`. Requests still running when the bounded drain ends are final outcome
//!   `cancelled` (a transport error), so `scheduled = sent + dropped` always holds.
//! - `RunOutcome::duration` and `duration_s` run from the start to the stop; `achieved_rps` uses
//!   it. The drain after it is `drain_s`.

pub mod abort;
pub mod closed;
pub mod ctx;
pub mod data;
pub mod events;
pub mod flow;
pub mod guard;
pub mod job;
pub mod lanes;
pub mod operations;
pub mod pacer;
pub mod pick;
pub mod progress;
pub mod queue;
pub mod recording;
pub mod request;
pub mod retry;
pub mod run;
pub mod scheduler;
pub mod sink;
pub mod stop;
pub mod throttle;
pub mod ticker;
pub mod tokens;
pub mod worker;

use std::time::{Duration, SystemTime};

use crate::metrics::Snapshot;
use crate::scenario::Secret;

pub use run::run;
pub use stop::{StopReason, StopSignal};

/// Where requests go (from the CLI: the simulator's loopback URL or a real tenant).
#[derive(Debug, Clone)]
pub struct Target {
    /// e.g. `http://127.0.0.1:4000` or `https://example.eu.auth0.com` (no trailing slash needed).
    pub base_url: String,
    /// Audience of the Management API (`https://{domain}/api/v2/`).
    pub management_audience: String,
    /// A real tenant: mid-run events are not sent, and the first token request answered
    /// 401/403 stops the run.
    pub real: bool,
}

/// How to run, beyond the plan.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Show progress: indicatif bars when stderr is a terminal, else a plain line every
    /// `progress_every` (see [`progress`]).
    pub progress: bool,
    /// How often a plain progress line goes to a non-terminal stderr; zero: never.
    pub progress_every: Duration,
    pub stop: StopSignal,
    /// The tier's monthly M2M token quota, for the audience projections.
    pub monthly_quota: Option<u64>,
    pub month_to_date_tokens: u64,
    /// (client_id, secret) per `plan.clients` index.
    pub client_credentials: Vec<(String, Secret)>,
    /// Extra trusted root certificates (PEM, one or more) for HTTPS targets with a private CA;
    /// added to the system's roots.
    pub ca_pem: Option<Vec<u8>>,
    /// Fault injection for the generator itself: `(at, for)` blocks the engine's thread `at`
    /// after the start for `for`, as a loaded machine or a paused VM does (reliability tests).
    pub stall: Option<(Duration, Duration)>,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    pub snapshot: Snapshot,
    pub stop_reason: StopReason,
    pub started_at: SystemTime,
    /// From the start to the stop (the bounded drain after it is in `run.csv` as `drain_s`).
    pub duration: Duration,
}

/// The run could not start. Never carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot start the engine's runtime: {0}")]
    Runtime(#[from] std::io::Error),
    #[error(transparent)]
    Client(#[from] crate::ops::OpError),
    #[error("clients[{index}] (`{name}`) has no credentials: pass a (client_id, secret) for it")]
    MissingCredentials { index: usize, name: String },
    /// A request that cannot be built (bad method, URL or header): nothing was sent.
    #[error("{what}: {source}; fix it in the scenario")]
    Template {
        what: String,
        source: crate::ops::TemplateError,
    },
    #[error("the plan has no {0}")]
    Empty(&'static str),
    /// A data file that no longer reads as it did when the scenario was checked.
    #[error("{0}")]
    Data(crate::data::DataError),
    #[error("operations `{operation}`: `{{{{{hole}}}}}` has no source in the plan's data")]
    Hole { operation: String, hole: String },
}
