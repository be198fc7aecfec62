//! The engine end to end: pacing, closed loops, retries, throttle, tokens, stops, drains,
//! faults, a target that is down, the ledger under concurrency, the report it hands over, soak.
//!
//! One test binary per area (tests/<area>/main.rs): each file below is a module of it, and
//! tests/support/ holds the helpers they share.

#[path = "../support/mod.rs"]
mod support;

mod cancelled_retries;
mod closed_loop;
mod closed_stdout;
mod data;
mod fast_forward;
mod fault_latency;
mod faults_run;
mod flows;
mod idle_close;
mod ledger_concurrency;
mod month_shape;
mod month_to_date;
mod pacing;
mod report;
mod retry;
mod sim;
mod soak;
mod stall;
mod stops;
mod target_down;
mod throttle;
mod tokens;
