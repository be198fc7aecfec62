//! Run-wide guards checked on the request path: the `stop.max_tokens` quota guard (token
//! requests sent), `stop.min_quota_remaining` (from `Auth0-Client-Quota-Limit`) and, on a real
//! tenant, rejected credentials (a 401/403 on a token request). Tripping one asks the run to
//! stop; it never blocks.

use std::cell::Cell;
use std::rc::Rc;

use super::stop::{StopReason, Stopper};
use crate::metrics::Outcome;
use crate::ops::RateInfo;

pub struct Guard {
    stopper: Rc<Stopper>,
    tokens_sent: Cell<u64>,
    max_tokens: Option<u64>,
    min_quota_remaining: Option<u64>,
    stop_on_rejected: bool,
}

impl Guard {
    pub fn new(
        stopper: Rc<Stopper>,
        max_tokens: Option<u64>,
        min_quota_remaining: Option<u64>,
    ) -> Self {
        Guard {
            stopper,
            tokens_sent: Cell::new(0),
            max_tokens,
            min_quota_remaining,
            stop_on_rejected: false,
        }
    }

    /// Stop the run at the first token request answered 401 or 403 (set for real tenants).
    pub fn stop_on_rejected_credentials(mut self, on: bool) -> Self {
        self.stop_on_rejected = on;
        self
    }

    /// Looks at every token request's outcome: a 401/403 means the credentials are wrong.
    pub fn token_outcome(&self, outcome: Outcome) {
        if let Outcome::Http(status @ (401 | 403)) = outcome
            && self.stop_on_rejected
        {
            self.stopper
                .trigger(StopReason::CredentialsRejected { status });
        }
    }

    /// May one more token request be sent? Counts it if so; the last allowed one stops the run.
    pub fn take_token(&self) -> bool {
        let sent = self.tokens_sent.get();
        if let Some(max) = self.max_tokens {
            if sent >= max {
                self.stopper.trigger(StopReason::MaxTokens);
                return false;
            }
            if sent + 1 >= max {
                self.stopper.trigger(StopReason::MaxTokens);
            }
        }
        self.tokens_sent.set(sent + 1);
        true
    }

    pub fn tokens_sent(&self) -> u64 {
        self.tokens_sent.get()
    }

    /// Looks at every response's quota header.
    pub fn saw(&self, rate: &RateInfo) {
        if let (Some(min), Some(remaining)) = (self.min_quota_remaining, rate.quota_remaining)
            && remaining < min
        {
            self.stopper
                .trigger(StopReason::MinQuotaRemaining { remaining });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::TransportKind;

    #[test]
    fn rejected_credentials_stop_only_when_asked() {
        let cases = [
            (
                true,
                Outcome::Http(401),
                Some(StopReason::CredentialsRejected { status: 401 }),
            ),
            (
                true,
                Outcome::Http(403),
                Some(StopReason::CredentialsRejected { status: 403 }),
            ),
            (true, Outcome::Http(429), None),
            (true, Outcome::Http(200), None),
            (true, Outcome::Transport(TransportKind::Other), None),
            (false, Outcome::Http(401), None),
        ];
        for (on, outcome, want) in cases {
            let stopper = Rc::new(Stopper::default());
            let g = Guard::new(stopper.clone(), None, None).stop_on_rejected_credentials(on);
            g.token_outcome(outcome);
            assert_eq!(stopper.reason(), want, "{on} {outcome:?}");
        }
    }

    #[test]
    fn token_guard_allows_exactly_max_then_stops() {
        let stopper = Rc::new(Stopper::default());
        let g = Guard::new(stopper.clone(), Some(3), Some(5));
        assert!(g.take_token() && g.take_token());
        assert!(!stopper.is_stopping());
        assert!(g.take_token());
        assert_eq!(stopper.reason(), Some(StopReason::MaxTokens));
        assert!(!g.take_token());
        assert_eq!(g.tokens_sent(), 3);

        let stopper = Rc::new(Stopper::default());
        let g = Guard::new(stopper.clone(), None, Some(5));
        g.saw(&RateInfo {
            quota_remaining: Some(5),
            ..RateInfo::default()
        });
        assert!(!stopper.is_stopping());
        g.saw(&RateInfo {
            quota_remaining: Some(4),
            ..RateInfo::default()
        });
        assert_eq!(
            stopper.reason(),
            Some(StopReason::MinQuotaRemaining { remaining: 4 })
        );
    }
}
