//! quotaprobe: a quota and rate-limit load tester for Auth0-style tenants.
//!
//! Crate map (who uses whom, never the other way):
//! - [`cli`]: clap types and dispatch; the only place that knows flags. Uses everything below.
//! - [`scenario`]: the TOML file model, validation, and the resolved [`scenario::RunPlan`].
//! - [`engine`]: pacer, scheduler, workers, token cache, retries, stops. Sees only a `RunPlan`
//!   and a target URL; reaches the simulator over HTTP like any real tenant.
//! - [`ops`]: the HTTP operations (token, management, http).
//! - [`metrics`]: samples, histograms, counters, timeline, audiences.
//! - [`report`]: CSV, Markdown, HTML/SVG, console, compare. Reads metrics, never the engine.
//! - [`data`]: per-request data for `{{name}}` holes (templates, data files, generators).
//! - [`sim`]: the simulated Auth0 tenant (routes, buckets, quota ledger, tiers, JWT, store).
//! - [`fastforward`]: `run --fast-forward`, glue of engine, ops and sim: the simulator's router
//!   in process behind the ops transport, on one paused tokio clock.
//! - [`probe`]: `quotaprobe probe`, the inference of an endpoint's bucket from its answers
//!   (uses `ops` headers parsing and `sim` tier types for the tier file it writes).
//! - [`clock`]: the run's calendar clock (the system's, or a fast-forward run's virtual one), a
//!   leaf every module may read.

pub mod cli;
pub mod clock;
pub mod data;
pub mod engine;
pub mod fastforward;
pub mod metrics;
pub mod ops;
pub mod probe;
pub mod report;
pub mod scenario;
pub mod sim;
