//! The simulated tenant over real HTTP on 127.0.0.1:0: token endpoint, Management API, limits,
//! quotas, lifetimes, IP-keyed buckets, bad bodies, the CLI (`serve`, `tiers`) and Auth0's Python SDK.
//!
//! One test binary per area (tests/<area>/main.rs): each file below is a module of it, and
//! tests/support/ holds the helpers they share.

#[path = "../support/mod.rs"]
mod support;

mod bodies;
mod cli;
mod demo_api;
mod export_users;
mod fidelity;
mod in_process;
mod lifecycle;
mod limited_token_run;
mod limits;
mod mgmt;
mod probe_tiers;
mod quota;
mod sdk;
mod signing;
mod source_ip;
mod token;
