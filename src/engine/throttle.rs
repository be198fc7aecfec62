//! Client-side self-throttle (`throttle_per_s` per operation and per client): governor limiters
//! with burst 1, checked with non-blocking `check()`. When not ready the *worker* sleeps until
//! the limiter's earliest time — the scheduler never waits, and the wait is part of the request's
//! corrected latency (it is a real client's queueing). The limiters read tokio's clock
//! ([`TokioClock`]), so they keep time with the rest of the engine, a fast-forward run's virtual
//! clock included (`src/clock.rs`).

use std::num::NonZeroU32;
use std::time::Duration;

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

use crate::scenario::{OperationKind, RunPlan};

/// The longest period between two throttled requests: no run lasts a year, so a rate below
/// one a year (a scenario may say `throttle = 1e-300`, whose 1/rate overflows `Duration` and
/// used to panic the run before it started) means one request, then none for the run.
const LONGEST_PERIOD: Duration = Duration::from_secs(365 * 24 * 3600);

/// Governor's clock on tokio time (paused and auto-advanced in a fast-forward run).
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    type Instant = std::time::Instant;

    fn now(&self) -> Self::Instant {
        tokio::time::Instant::now().into_std()
    }
}

type Limiter = RateLimiter<NotKeyed, InMemoryState, TokioClock, NoOpMiddleware<std::time::Instant>>;

fn limiter(rate_per_s: Option<f64>) -> Option<Limiter> {
    let rate = rate_per_s.filter(|r| r.is_finite() && *r > 0.0)?;
    let period =
        Duration::try_from_secs_f64(1.0 / rate).map_or(LONGEST_PERIOD, |p| p.min(LONGEST_PERIOD));
    let quota = Quota::with_period(period)?.allow_burst(NonZeroU32::MIN);
    Some(RateLimiter::direct_with_clock(quota, TokioClock))
}

/// Limiters per operation and per client.
pub struct Throttles {
    ops: Vec<Option<Limiter>>,
    clients: Vec<Option<Limiter>>,
    clock: TokioClock,
}

/// The client an operation acts as, if any.
pub fn client_of(kind: &OperationKind) -> Option<usize> {
    match kind {
        OperationKind::Token { client, .. } | OperationKind::Management { client, .. } => {
            Some(*client)
        }
        OperationKind::Http { bearer, .. } => bearer.as_ref().map(|b| b.client),
    }
}

impl Throttles {
    pub fn new(plan: &RunPlan) -> Self {
        Throttles {
            ops: plan
                .operations
                .iter()
                .map(|o| limiter(o.throttle_per_s))
                .collect(),
            clients: plan
                .clients
                .iter()
                .map(|c| limiter(c.throttle_per_s))
                .collect(),
            clock: TokioClock,
        }
    }

    async fn pass(&self, lim: Option<&Limiter>) {
        let Some(lim) = lim else { return };
        while let Err(not_until) = lim.check() {
            let wait = not_until.wait_time_from(self.clock.now());
            tokio::time::sleep(wait.max(Duration::from_micros(100))).await;
        }
    }

    /// Waits until both the operation's and its client's limiter allow one request.
    pub async fn wait(&self, op: usize, client: Option<usize>) {
        self.pass(self.ops.get(op).and_then(Option::as_ref)).await;
        if let Some(c) = client {
            self.pass(self.clients.get(c).and_then(Option::as_ref))
                .await;
        }
    }
}
