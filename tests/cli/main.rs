//! The binary from the outside: `run` end to end, bad input, `validate`, `plan`, a full disk,
//! real-tenant guard rails and end to end, three shards on three hosts, `verify`, and
//! docs/scenarios.md against the scenario file format.
//!
//! One test binary per area (tests/<area>/main.rs): each file below is a module of it, and
//! tests/support/ holds the helpers they share.

#[path = "../support/mod.rs"]
mod support;

mod bad_input_run;
mod compare_tier_file;
mod data_validate;
mod fast_forward;
mod flows;
mod forecast;
mod machine_output;
mod out_dir_full;
mod plan;
mod plan_budget;
mod probe;
mod quota_block_month;
mod real_e2e;
mod real_guards;
mod run_e2e;
mod scenario_docs;
mod shard_netns;
mod strict;
mod validate;
mod verify;
mod walk_users;
