//! Fuzz and property tests: header parsers, the scenario parser, the simulator's token,
//! bearer and HTTP handling, and conservation under 240 fault mixes.
//!
//! One test binary per area (tests/<area>/main.rs): each file below is a module of it, and
//! tests/support/ holds the helpers they share.

#[path = "../support/mod.rs"]
mod support;

mod conservation_faults;
mod headers;
mod scenario;
mod sim_bearer;
mod sim_http;
mod sim_token;
