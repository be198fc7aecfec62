//! Time-boxed property testing for the fuzz targets: proptest cases in rounds, each round with a
//! seed derived from a fixed base, until a time budget or a case cap is reached — so CI runs
//! every target for a bounded time on every push, and a failure names the seed that reproduces it.
//!
//! `QUOTAPROBE_FUZZ_SECS` overrides every target's budget (e.g. `600` for a long local session),
//! `QUOTAPROBE_FUZZ_SEED` the base seed (explore new inputs; the default keeps CI repeatable).
//! Nothing is written to disk: proptest's failure persistence would write into the source tree.
#![allow(clippy::unwrap_used, dead_code)]

pub mod sim;

use std::fmt::Debug;
use std::time::{Duration, Instant};

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseResult, TestError, TestRng, TestRunner};

/// Cases per round: small enough that the budget is checked often.
const ROUND: u32 = 128;

/// The base seed: `QUOTAPROBE_FUZZ_SEED` or a fixed one.
pub fn base_seed() -> u64 {
    std::env::var("QUOTAPROBE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5155_4f54_4150_524f)
}

/// `QUOTAPROBE_FUZZ_SECS` when set, else `default_secs`.
pub fn budget(default_secs: f64) -> Duration {
    let secs = std::env::var("QUOTAPROBE_FUZZ_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s > 0.0)
        .unwrap_or(default_secs);
    Duration::from_secs_f64(secs)
}

/// What a time-boxed run did.
#[derive(Debug, Clone, Copy)]
pub struct Ran {
    pub cases: u64,
    pub elapsed: Duration,
}

/// Runs `test` on values of `strategy`, [`ROUND`] cases per round, round `i` seeded with
/// `base_seed() + i`, until `budget` has elapsed or `max_cases` have run. Panics with the round's
/// seed and the shrunk input when a case fails (or panics).
pub fn run<S>(
    name: &str,
    strategy: S,
    budget: Duration,
    max_cases: u64,
    test: impl Fn(S::Value) -> TestCaseResult,
) -> Ran
where
    S: Strategy,
    S::Value: Debug,
{
    run_shrinking(
        name,
        strategy,
        budget,
        max_cases,
        Config::default().max_shrink_iters,
        test,
    )
}

/// [`run`] with at most `max_shrink_iters` shrinking steps: cases that are whole runs of the
/// engine take a fraction of a second each, so a failure is reported after a few steps.
pub fn run_shrinking<S>(
    name: &str,
    strategy: S,
    budget: Duration,
    max_cases: u64,
    max_shrink_iters: u32,
    test: impl Fn(S::Value) -> TestCaseResult,
) -> Ran
where
    S: Strategy,
    S::Value: Debug,
{
    let start = Instant::now();
    let base = base_seed();
    let mut cases = 0u64;
    let mut round = 0u64;
    while cases < max_cases && (cases == 0 || start.elapsed() < budget) {
        let seed = base.wrapping_add(round);
        let n = u64::from(ROUND).min(max_cases - cases);
        let config = Config {
            cases: n as u32,
            failure_persistence: None,
            max_shrink_iters,
            ..Config::default()
        };
        let mut runner = TestRunner::new_with_rng(config, rng(seed));
        match runner.run(&strategy, &test) {
            Ok(()) => {}
            Err(TestError::Fail(why, input)) => panic!(
                "{name}: case failed in round {round} (seed {seed}; rerun with \
                 QUOTAPROBE_FUZZ_SEED={} to start there): {why}\nminimal input: {input:#?}",
                seed
            ),
            Err(TestError::Abort(why)) => panic!("{name}: aborted in round {round}: {why}"),
        }
        cases += n;
        round += 1;
    }
    let ran = Ran {
        cases,
        elapsed: start.elapsed(),
    };
    println!(
        "{name}: {} cases in {:.1} s (base seed {base})",
        ran.cases,
        ran.elapsed.as_secs_f64()
    );
    ran
}

fn rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    for (i, chunk) in bytes.chunks_mut(8).enumerate() {
        chunk.copy_from_slice(&seed.wrapping_mul(i as u64 + 1).to_le_bytes());
    }
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}
