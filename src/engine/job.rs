//! One arrival handed to a worker: which operation (or flow), its number, its intended start.

use std::time::Duration;

/// One arrival handed to a worker.
#[derive(Debug, Clone, Copy)]
pub struct Job {
    /// The operation; for a flow, its first step's.
    pub op: usize,
    /// The flow this arrival runs, if it is one.
    pub flow: Option<usize>,
    /// The arrival's number (global, over all phases; closed loops count their own): what a
    /// `sequence` generator follows.
    pub n: u64,
    /// Intended start, since run start.
    pub at: Duration,
}
