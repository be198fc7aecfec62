//! Did the target answer at all, and did it stop answering? [`Reach`] watches every finished
//! request's outcome (in the order they finish) and writes a few `run.csv` facts;
//! [`Reachability`] reads them back, so a finished run and `quotaprobe report` agree on whether
//! the target was down from the start or died mid-run. Owns those `run.csv` keys; knows nothing
//! of how the message is worded (that is the report's console) or of exit codes (the CLI).

use std::time::Duration;

use super::run_facts::{ReachFacts, ms_precision};
use super::sample::{Outcome, TokenFailure, TransportKind};

/// `run.csv`: requests the target answered with any HTTP status (token endpoint included).
pub const ANSWERED: &str = "answered";
/// `run.csv`: requests sent that got no answer: connection refused, reset or timed out.
pub const CONNECTION_ERRORS: &str = "connection_errors";
/// `run.csv`: API calls never sent because their token request got no answer.
pub const TOKENLESS: &str = "calls_without_token";
/// `run.csv`: seconds from the run's start to the end of the last answered request.
pub const LAST_ANSWER_S: &str = "last_answer_s";
/// `run.csv`: connection errors that finished after the last answer.
pub const AFTER_LAST_ANSWER: &str = "connection_errors_after_last_answer";
/// `run.csv`: seconds from the last answer to the last connection error after it.
pub const SILENT_FOR_S: &str = "silent_for_s";

/// A target that dies leaves at least this many unanswered requests behind it, spread over at
/// least [`MIN_SILENCE`]; a few random resets at the very end of a healthy run do not.
const MIN_ERRORS_AFTER: u64 = 3;
const MIN_SILENCE: Duration = Duration::from_secs(1);

/// Whether an outcome is an answer from the target, a request that got none, or neither.
enum Seen {
    Answer,
    NoAnswer,
    TokenNoAnswer,
    Neither,
}

fn no_answer(kind: TransportKind) -> bool {
    matches!(
        kind,
        TransportKind::Connect | TransportKind::Reset | TransportKind::Timeout
    )
}

fn seen(outcome: Outcome) -> Seen {
    match outcome {
        Outcome::Http(_) | Outcome::Token(TokenFailure::Http(_)) => Seen::Answer,
        Outcome::Transport(k) if no_answer(k) => Seen::NoAnswer,
        Outcome::Token(TokenFailure::Transport(k)) if no_answer(k) => Seen::TokenNoAnswer,
        // Bad bodies came from a target that answered; cancelled requests were cut by the drain.
        _ => Seen::Neither,
    }
}

/// The running tally. Samples arrive as requests finish, so "after the last answer" is simply
/// "since the last answer arrived".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reach {
    answered: u64,
    connection_errors: u64,
    tokenless: u64,
    last_answer: Option<Duration>,
    after_last: u64,
    last_error_after: Option<Duration>,
}

impl Reach {
    /// One finished request that ended at `end` (intended start + corrected latency).
    pub fn record(&mut self, outcome: Outcome, end: Duration) {
        match seen(outcome) {
            Seen::Answer => {
                self.answered += 1;
                self.last_answer = Some(self.last_answer.map_or(end, |t| t.max(end)));
                self.after_last = 0;
                self.last_error_after = None;
            }
            Seen::NoAnswer => {
                self.connection_errors += 1;
                self.after_last += 1;
                self.last_error_after = Some(self.last_error_after.map_or(end, |t| t.max(end)));
            }
            Seen::TokenNoAnswer => self.tokenless += 1,
            Seen::Neither => {}
        }
    }

    /// The `run.csv` facts.
    pub fn facts(&self) -> ReachFacts {
        let silent = match (self.last_answer, self.last_error_after) {
            (Some(a), Some(e)) => e.saturating_sub(a).as_secs_f64(),
            _ => 0.0,
        };
        ReachFacts {
            answered: Some(self.answered),
            connection_errors: Some(self.connection_errors),
            calls_without_token: Some(self.tokenless),
            last_answer_s: Some(self.last_answer.map(|t| ms_precision(t.as_secs_f64()))),
            after_last_answer: Some(self.after_last),
            silent_for_s: Some(ms_precision(silent)),
        }
    }
}

/// What the run's facts say about the target.
#[derive(Debug, Clone, PartialEq)]
pub enum Reachability {
    /// It answered (or the facts are missing, as in folders from older runs).
    Answered,
    /// Nothing answered: every request that went out failed to connect, was reset or timed out.
    Unreachable {
        connection_errors: u64,
        calls_without_token: u64,
    },
    /// It answered until `last_answer_s`, then only connection errors.
    StoppedAnswering {
        last_answer_s: f64,
        connection_errors_after: u64,
    },
}

impl Reachability {
    /// Reads the facts [`Reach::facts`] wrote.
    pub fn from_facts(r: &ReachFacts) -> Reachability {
        let (Some(answered), Some(errors)) = (r.answered, r.connection_errors) else {
            return Reachability::Answered;
        };
        let tokenless = r.calls_without_token.unwrap_or(0);
        if answered == 0 && errors + tokenless > 0 {
            return Reachability::Unreachable {
                connection_errors: errors,
                calls_without_token: tokenless,
            };
        }
        let after = r.after_last_answer.unwrap_or(0);
        let silent = r.silent_for_s.unwrap_or(0.0);
        match r.last_answer_s.flatten() {
            Some(at) if after >= MIN_ERRORS_AFTER && silent >= MIN_SILENCE.as_secs_f64() => {
                Reachability::StoppedAnswering {
                    last_answer_s: at,
                    connection_errors_after: after,
                }
            }
            _ => Reachability::Answered,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(ms: u64) -> Duration {
        Duration::from_millis(ms)
    }

    fn judge(outcomes: &[(Outcome, u64)]) -> Reachability {
        let mut r = Reach::default();
        for (o, end_ms) in outcomes {
            r.record(*o, s(*end_ms));
        }
        Reachability::from_facts(&r.facts())
    }

    const CONNECT: Outcome = Outcome::Transport(TransportKind::Connect);
    const RESET: Outcome = Outcome::Transport(TransportKind::Reset);
    const TOKEN_CONNECT: Outcome = Outcome::Token(TokenFailure::Transport(TransportKind::Connect));

    #[test]
    fn verdicts() {
        let down: Vec<_> = (0..10).map(|i| (CONNECT, i * 100)).collect();
        assert_eq!(
            judge(&down),
            Reachability::Unreachable {
                connection_errors: 10,
                calls_without_token: 0
            }
        );
        // Per-request tokens against a dead target: the fetches fail, the calls are never sent.
        assert_eq!(
            judge(&[(CONNECT, 10), (TOKEN_CONNECT, 10), (CONNECT, 20)]),
            Reachability::Unreachable {
                connection_errors: 2,
                calls_without_token: 1
            }
        );
        // A token endpoint's 401 is an answer: reachable, just refusing.
        assert_eq!(
            judge(&[(Outcome::Token(TokenFailure::Http(401)), 5), (CONNECT, 9)]),
            Reachability::Answered
        );
        let mut died = vec![(Outcome::Http(200), 1000), (Outcome::Http(503), 4200)];
        died.extend((0..5).map(|i| (RESET, 4300 + i * 400)));
        assert_eq!(
            judge(&died),
            Reachability::StoppedAnswering {
                last_answer_s: 4.2,
                connection_errors_after: 5
            }
        );
        // A few resets right at the end of a healthy run, or resets between answers: answered.
        assert_eq!(
            judge(&[
                (Outcome::Http(200), 1000),
                (RESET, 1100),
                (RESET, 1200),
                (RESET, 1300)
            ]),
            Reachability::Answered
        );
        assert_eq!(
            judge(&[(RESET, 100), (Outcome::Http(200), 3000), (RESET, 3100)]),
            Reachability::Answered
        );
        // Nothing sent (all dropped) says nothing about the target; neither do older folders.
        assert_eq!(judge(&[]), Reachability::Answered);
        assert_eq!(
            Reachability::from_facts(&ReachFacts::default()),
            Reachability::Answered
        );
    }
}
