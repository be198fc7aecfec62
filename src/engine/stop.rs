//! Why and how a run ends: the cheap cross-thread [`StopSignal`] the CLI wires to Ctrl-C, the
//! [`StopReason`]s, and the run-internal [`Stopper`] (first reason wins; wakes retry sleeps).

use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// A handle that asks a run to end cleanly (drain in-flight, then report). Clone freely;
/// `stop()` may be called from any thread, e.g. a Ctrl-C handler.
#[derive(Clone, Debug, Default)]
pub struct StopSignal(Arc<AtomicBool>);

impl StopSignal {
    pub fn new() -> Self {
        StopSignal::default()
    }

    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Why the run ended.
#[derive(Debug, Clone, PartialEq)]
pub enum StopReason {
    /// Every phase ran to its end.
    Completed,
    MaxDuration,
    /// `stop.max_requests` arrivals were sent.
    MaxRequests,
    /// `stop.max_tokens` token requests were sent (quota guard).
    MaxTokens,
    /// `Auth0-Client-Quota-Limit` said fewer than `stop.min_quota_remaining` tokens remain.
    MinQuotaRemaining {
        remaining: u64,
    },
    /// An `abort = true` threshold was breached.
    Threshold(String),
    /// The `static` token reached its `exp`.
    StaticTokenExpired,
    /// [`StopSignal::stop`] (Ctrl-C).
    Signal,
    /// A token request was answered 401/403 on a real tenant: the credentials are wrong, so the
    /// run ends instead of hammering the tenant with requests bound to fail.
    CredentialsRejected {
        status: u16,
    },
    /// A `mode = "once"` data file is used up: every row went to a request.
    DataExhausted,
}

impl StopReason {
    /// Short key for `run.csv` and the stop event.
    pub fn label(&self) -> &'static str {
        match self {
            StopReason::Completed => "completed",
            StopReason::MaxDuration => "max_duration",
            StopReason::MaxRequests => "max_requests",
            StopReason::MaxTokens => "max_tokens",
            StopReason::MinQuotaRemaining { .. } => "min_quota_remaining",
            StopReason::Threshold(_) => "threshold",
            StopReason::StaticTokenExpired => "static_token_expired",
            StopReason::Signal => "signal",
            StopReason::CredentialsRejected { .. } => "credentials_rejected",
            StopReason::DataExhausted => "data_exhausted",
        }
    }

    /// A sentence for people.
    pub fn detail(&self) -> String {
        match self {
            StopReason::Completed => "all phases completed".into(),
            StopReason::MaxDuration => "stop.max_duration reached".into(),
            StopReason::MaxRequests => "stop.max_requests arrivals sent".into(),
            StopReason::MaxTokens => {
                "stop.max_tokens token requests sent (quota guard); no further token requests"
                    .into()
            }
            StopReason::MinQuotaRemaining { remaining } => format!(
                "Auth0-Client-Quota-Limit shows {remaining} tokens remaining, below stop.min_quota_remaining"
            ),
            StopReason::Threshold(t) => format!("abort threshold breached: {t}"),
            StopReason::StaticTokenExpired => {
                "the static token reached its exp; ended instead of sending requests bound to fail with 401".into()
            }
            StopReason::Signal => "stopped by the user (Ctrl-C)".into(),
            StopReason::CredentialsRejected { status } => format!(
                "a token request was answered {status}: the client credentials were rejected; stopped after the first one"
            ),
            StopReason::DataExhausted => {
                "every row of a mode = \"once\" data file went to a request".into()
            }
        }
    }
}

impl StopReason {
    /// Natural ends let in-flight requests finish their retries within the drain; the others
    /// (the user, a guard, a threshold, a dead token) cut retry waits at once.
    pub fn is_urgent(&self) -> bool {
        !matches!(
            self,
            StopReason::Completed
                | StopReason::MaxDuration
                | StopReason::MaxRequests
                | StopReason::DataExhausted
        )
    }
}

/// The run's own stop state (single-threaded). The first reason wins. Two levels: *stopping*
/// (no new arrivals) and *abandoned* (requests waiting to retry give up and keep their last
/// outcome).
#[derive(Default)]
pub struct Stopper {
    reason: Cell<Option<StopReason>>,
    notify: Notify,
    abandoned: Cell<bool>,
    abandon_notify: Notify,
}

impl Stopper {
    pub fn trigger(&self, reason: StopReason) {
        let current = self.reason.take();
        let first = current.is_none();
        let urgent = reason.is_urgent();
        self.reason.set(current.or(Some(reason)));
        if first {
            self.notify.notify_waiters();
        }
        if urgent {
            self.abandon();
        }
    }

    /// Retry waits end now (urgent stops, or the drain's deadline).
    pub fn abandon(&self) {
        if !self.abandoned.replace(true) {
            self.abandon_notify.notify_waiters();
        }
    }

    pub fn is_abandoned(&self) -> bool {
        self.abandoned.get()
    }

    /// Resolves once retry waits are abandoned.
    pub async fn abandoned(&self) {
        let notified = self.abandon_notify.notified();
        if self.is_abandoned() {
            return;
        }
        notified.await;
    }

    pub fn is_stopping(&self) -> bool {
        let r = self.reason.take();
        let stopping = r.is_some();
        self.reason.set(r);
        stopping
    }

    pub fn reason(&self) -> Option<StopReason> {
        let r = self.reason.take();
        self.reason.set(r.clone());
        r
    }

    /// Resolves once a stop is triggered (at once if it already was).
    pub async fn stopped(&self) {
        let notified = self.notify.notified();
        if self.is_stopping() {
            return;
        }
        notified.await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_reason_wins_and_signal_crosses_threads() {
        let s = Stopper::default();
        assert!(!s.is_stopping());
        s.trigger(StopReason::MaxTokens);
        s.trigger(StopReason::Signal);
        assert_eq!(s.reason(), Some(StopReason::MaxTokens));
        assert!(s.is_abandoned(), "an urgent stop cuts retry waits");
        let natural = Stopper::default();
        natural.trigger(StopReason::Completed);
        assert!(natural.is_stopping() && !natural.is_abandoned());
        let sig = StopSignal::new();
        let other = sig.clone();
        let _ = std::thread::spawn(move || other.stop()).join();
        assert!(sig.is_stopped());
    }
}
