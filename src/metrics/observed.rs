//! What the run saw happen, as opposed to what the quota projection predicts: when the tenant's
//! monthly M2M quota refused a token (the first token request answered with the quota's
//! refusal, [`crate::ops::token`] reads its body), how many token requests it refused after,
//! which operations failed because of it (their token requests refused, or their API calls
//! left without a token), and when the run's last request finished. Observed by the engine
//! from the answers it got, so it is the same against the in-process simulator, a simulator
//! over HTTP or a real tenant; the times are on the run's clock (virtual in fast-forward).
//!
//! Written into `run.csv` by the engine ([`super::run_facts::ObservedFacts`]).

use std::collections::BTreeMap;
use std::time::Duration;

use super::sample::{Outcome, Sample, TokenFailure};

/// The counts as the recorder keeps them; operations by index.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    /// Seconds since the start of the first quota refusal's answer.
    first_refusal_s: Option<f64>,
    refused: u64,
    /// op → token requests of it the quota refused (every attempt).
    refused_by_op: BTreeMap<usize, u64>,
    /// op → requests that ended without a token (`token_429` / `token_403`) after the block.
    failed_by_op: BTreeMap<usize, u64>,
    /// Seconds since the start when the last finished request ended.
    last_done_s: Option<f64>,
}

impl Observed {
    /// A token request of `op` was refused by the monthly quota, answered at `at` since start.
    pub fn quota_refused(&mut self, op: usize, at: Duration) {
        let at = at.as_secs_f64();
        self.first_refusal_s = Some(self.first_refusal_s.map_or(at, |f| f.min(at)));
        self.refused += 1;
        *self.refused_by_op.entry(op).or_default() += 1;
    }

    /// A finished request (after its retries).
    pub fn record(&mut self, sample: &Sample) {
        let end = (sample.intended + sample.corrected).as_secs_f64();
        self.last_done_s = Some(self.last_done_s.map_or(end, |l| l.max(end)));
        let no_token = matches!(
            sample.outcome,
            Outcome::Token(TokenFailure::Http(429 | 403))
        );
        if no_token && self.first_refusal_s.is_some_and(|f| end >= f) {
            *self.failed_by_op.entry(sample.op).or_default() += 1;
        }
    }

    /// The facts, operations named by `names` (the recorder's operation order), each
    /// operation once: its refused token requests plus its calls left without a token.
    pub fn facts(&self, names: &[String]) -> Facts {
        let mut failed: BTreeMap<usize, u64> = self.refused_by_op.clone();
        for (op, n) in &self.failed_by_op {
            *failed.entry(*op).or_default() += n;
        }
        Facts {
            quota_ran_out_s: self.first_refusal_s,
            quota_refused_tokens: self.refused,
            failed: failed
                .into_iter()
                .filter_map(|(op, n)| Some((names.get(op)?.clone(), n)))
                .collect(),
            work_finished_s: self.last_done_s,
        }
    }
}

/// [`Observed`] read out, for `run.csv`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub quota_ran_out_s: Option<f64>,
    pub quota_refused_tokens: u64,
    /// (operation, requests that failed because of the block), in operation order.
    pub failed: Vec<(String, u64)>,
    pub work_finished_s: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::sample::RateSeen;

    fn done(op: usize, at_s: u64, outcome: Outcome) -> Sample {
        Sample {
            op,
            intended: Duration::from_secs(at_s),
            lag: Duration::ZERO,
            corrected: Duration::from_millis(5),
            service: Duration::from_millis(5),
            outcome,
            retries: 0,
            rate: RateSeen::default(),
            bad_headers: 0,
        }
    }

    #[test]
    fn the_first_refusal_and_what_failed_after_it() {
        let mut o = Observed::default();
        let no_token = Outcome::Token(TokenFailure::Http(429));
        // A token 429 before any quota refusal is a rate limit, not the block.
        o.record(&done(0, 5, no_token));
        o.quota_refused(1, Duration::from_secs(100));
        o.record(&done(1, 100, Outcome::Http(429)));
        o.record(&done(0, 100, no_token));
        o.quota_refused(1, Duration::from_secs(160));
        o.record(&done(0, 160, no_token));
        o.record(&done(0, 200, Outcome::Http(200)));
        let names = ["orders-api".to_string(), "token:orders".to_string()];
        let f = o.facts(&names);
        assert_eq!(f.quota_ran_out_s, Some(100.0));
        assert_eq!(f.quota_refused_tokens, 2);
        assert_eq!(
            f.failed,
            [
                ("orders-api".to_string(), 2),
                ("token:orders".to_string(), 2)
            ]
        );
        assert_eq!(f.work_finished_s, Some(200.005));
        assert_eq!(Observed::default().facts(&names), Facts::default());
    }
}
