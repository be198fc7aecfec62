//! Report folders: files and columns, the documents against golden files, HTML, `report`,
//! `compare` (runs and tiers) and sharded runs merged.
//!
//! One test binary per area (tests/<area>/main.rs): each file below is a module of it, and
//! tests/support/ holds the helpers they share.

#[path = "../support/mod.rs"]
mod support;

mod cli;
mod compare_runs;
mod compare_tiers;
mod compare_verdict;
mod dirs;
mod docs;
mod files;
mod flows_json;
mod html;
mod rates;
mod shard_merge;
mod verdict_causes;
