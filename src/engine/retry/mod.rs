//! Retry policies: whether a finished attempt is retried and after how long. One file per policy
//! behind the [`Retry`] enum. Token failures of an API call (`token_*`) are never retried here:
//! the call itself was not sent. Randomness comes from the caller's seeded RNG.

mod exponential;
mod retry_after;
mod sdk_node;
mod sdk_python;

use std::time::Duration;

use rand_chacha::ChaCha8Rng;

use crate::metrics::{Outcome, TransportKind};
use crate::ops::RateInfo;
use crate::scenario::{RetryPlan, RetryPolicy};

pub use exponential::Exponential;
pub use retry_after::RetryAfter;
pub use sdk_node::SdkNode;
pub use sdk_python::SdkPython;

/// What a policy may look at: the attempt's outcome, its headers and the wall clock.
#[derive(Debug, Clone, Copy)]
pub struct View {
    pub outcome: Outcome,
    pub rate: RateInfo,
    /// Wall-clock UNIX time of the response, seconds (for `x-ratelimit-reset`).
    pub now_epoch_s: f64,
}

impl View {
    /// `x-ratelimit-reset − now` when the reset is in the future.
    pub fn reset_wait(&self) -> Option<Duration> {
        let reset = self.rate.reset_epoch_s? as f64;
        let wait = reset - self.now_epoch_s;
        (wait > 0.0 && wait.is_finite()).then(|| Duration::from_secs_f64(wait.min(1e9)))
    }

    pub fn code(&self) -> Option<u16> {
        match self.outcome {
            Outcome::Http(c) => Some(c),
            _ => None,
        }
    }

    /// A transport error a request can be retried after (not a drain cancellation).
    pub fn is_transport(&self) -> bool {
        matches!(self.outcome, Outcome::Transport(k) if k != TransportKind::Cancelled)
    }
}

/// The run's retry policy.
#[derive(Debug, Clone)]
pub enum Retry {
    None,
    RetryAfter(RetryAfter),
    Exponential(Exponential),
    SdkNode(SdkNode),
    SdkPython(SdkPython),
}

impl Retry {
    /// `plan.max_retries` is used for every policy; the scenario loader fills it with the
    /// preset's documented default (sdk-node 2, sdk-python 3) when the file does not set it.
    pub fn from_plan(plan: &RetryPlan) -> Self {
        match plan.policy {
            RetryPolicy::None => Retry::None,
            RetryPolicy::RetryAfter => Retry::RetryAfter(RetryAfter {
                max_retries: plan.max_retries,
                base: plan.base,
            }),
            RetryPolicy::Exponential => Retry::Exponential(Exponential {
                max_retries: plan.max_retries,
                base: plan.base,
                cap: plan.cap,
                jitter: plan.jitter.clamp(0.0, 1.0),
            }),
            RetryPolicy::SdkNode => Retry::SdkNode(SdkNode {
                max_retries: plan.max_retries,
            }),
            RetryPolicy::SdkPython => Retry::SdkPython(SdkPython {
                max_retries: plan.max_retries,
            }),
        }
    }

    /// Delay before retry number `n` (1-based) of a request whose last attempt is `view`;
    /// `None` when the request is finished (not retryable, or out of retries).
    pub fn delay(&self, n: u32, view: &View, rng: &mut ChaCha8Rng) -> Option<Duration> {
        if matches!(view.outcome, Outcome::Token(_)) || view.outcome.is_ok() {
            return None;
        }
        let (max, wait) = match self {
            Retry::None => return None,
            Retry::RetryAfter(p) => (p.max_retries, p.wait(view)),
            Retry::Exponential(p) => (p.max_retries, p.wait(n, view, rng)),
            Retry::SdkNode(p) => (p.max_retries, p.wait(n, view, rng)),
            Retry::SdkPython(p) => (p.max_retries, p.wait(n, view, rng)),
        };
        if n > max {
            return None;
        }
        wait
    }
}

/// A uniform draw in [0, 1).
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    use rand::RngExt;
    rng.random::<f64>()
}

/// `base · 2^(n−1)`, saturating.
fn doubled(base: Duration, n: u32) -> Duration {
    let factor = 2u32.saturating_pow(n.saturating_sub(1).min(30));
    base.saturating_mul(factor)
}

#[cfg(test)]
mod tests;
