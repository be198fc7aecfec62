//! Fast-forward: a run of the engine against the embedded simulated tenant on one virtual clock.
//! Glue between [`crate::engine`], [`crate::ops`] and [`crate::sim`], so ops never names a sim
//! type and the simulator knows nothing of the engine.
//!
//! How: one current-thread tokio runtime started paused (`start_paused`), whose clock jumps to
//! the next timer whenever every task is idle — a discrete-event clock, since no real I/O is
//! involved: requests go to the simulator's router in process ([`transport::InProcess`]), and the
//! run's calendar time ([`crate::clock`]) is the epoch at the start plus that clock's elapsed
//! time, for the engine and the tenant alike. What a real-time run measures as latency is the
//! simulator's modelled service time (its faults latency), zero without one.
//!
//! Owns nothing of the report: the engine writes `clock = virtual` and `wall_s` into the run's
//! facts (docs/reports.md "run.csv").

pub mod transport;

use std::net::SocketAddr;
use std::time::SystemTime;

use tokio::task::LocalSet;

use crate::engine::{self, EngineError, RunOptions, RunOutcome, Target};
use crate::scenario::RunPlan;
use crate::sim::{self, SimConfig, SimError};

pub use transport::InProcess;

/// The address the in-process tenant believes it is bound at (its issuer, the Management
/// audience and the run's `target` follow from it). Nothing listens there.
pub const SIM_ADDR: &str = "127.0.0.1:4000";
/// The source address the tenant sees for every in-process request (per-IP buckets).
const PEER: &str = "127.0.0.1:40000";

/// Why a fast-forward run could not start.
#[derive(Debug, thiserror::Error)]
pub enum FastForwardError {
    #[error("cannot start the simulated tenant in process: {0}")]
    Sim(#[from] SimError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("cannot start the fast-forward runtime: {0}")]
    Runtime(#[from] std::io::Error),
}

/// Runs `plan` against a fresh in-process tenant built from `config`, on a virtual clock that
/// starts at the plan's `start`, by default 00:00 UTC on the 1st of the current month (the
/// quota month's start: `hourly` and `[[jobs]]` clock times count from midnight). Blocks until the run has ended and drained (in wall time,
/// however long the virtual run).
pub fn run(
    plan: &RunPlan,
    config: &SimConfig,
    options: RunOptions,
) -> Result<RunOutcome, FastForwardError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()?;
    let local = LocalSet::new();
    local.block_on(&rt, async {
        let start = plan
            .start
            .unwrap_or_else(|| crate::clock::month_start(SystemTime::now()));
        let _clock = crate::clock::Virtual::start(start);
        let (target, transport) = tenant(config, plan)?;
        Ok(engine::run::run_on(plan.clone(), target, options, transport).await?)
    })
}

/// The tenant's router behind the transport, and the target the engine addresses. Built inside
/// the paused runtime, after the virtual clock started, so the tenant's clock is the run's.
fn tenant(config: &SimConfig, plan: &RunPlan) -> Result<(Target, InProcess), FastForwardError> {
    let (addr, peer): (SocketAddr, SocketAddr) = match (SIM_ADDR.parse(), PEER.parse()) {
        (Ok(a), Ok(p)) => (a, p),
        _ => return Err(SimError::BadAddr(SIM_ADDR.to_string()).into()),
    };
    let router = sim::router_from(config, addr, peer)?;
    let domain = config.domain.clone().unwrap_or_else(|| addr.to_string());
    let base_url = format!("http://{addr}");
    let transport = InProcess::new(router, &base_url, plan.http.timeout);
    Ok((
        Target {
            base_url,
            management_audience: format!("https://{domain}/api/v2/"),
            real: false,
        },
        transport,
    ))
}
