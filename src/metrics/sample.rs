//! What one request reports to the recorder: its outcome class and status, its three timestamps
//! (as durations) and the rate-limit headers it saw. Owns the status vocabulary of
//! `statuses.csv`; does not aggregate anything (that is [`super::recorder`]).

use std::fmt;
use std::time::Duration;

/// Why a request had no usable HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TransportKind {
    Timeout,
    Connect,
    /// The connection was reset or closed before a full response.
    Reset,
    /// The response body could not be read (or a token body could not be parsed).
    Body,
    Other,
    /// Still in flight when the run's bounded drain ran out; counted so nothing is lost.
    Cancelled,
}

impl TransportKind {
    pub fn label(self) -> &'static str {
        match self {
            TransportKind::Timeout => "timeout",
            TransportKind::Connect => "connect",
            TransportKind::Reset => "reset",
            TransportKind::Body => "body",
            TransportKind::Other => "other",
            TransportKind::Cancelled => "cancelled",
        }
    }
}

/// Why the bearer token an API call needed could not be had. The call itself was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenFailure {
    /// The token endpoint answered with this (non-2xx) status.
    Http(u16),
    Transport(TransportKind),
    /// A `static` token past its `exp`.
    Expired,
}

/// The final (or one attempt's) outcome of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    Http(u16),
    Transport(TransportKind),
    /// An API call that failed because its token request failed: `token_401`, `token_timeout`...
    Token(TokenFailure),
}

/// The summary column an outcome counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Ok,
    Status4xx,
    Status429,
    Status5xx,
    Transport,
}

fn class_of_code(code: u16) -> Class {
    match code {
        429 => Class::Status429,
        0..=399 => Class::Ok,
        400..=499 => Class::Status4xx,
        _ => Class::Status5xx,
    }
}

impl Outcome {
    /// A token failure counts in the column of the token endpoint's answer (a 401 on the token
    /// endpoint is a 4xx of the API call it was for); an expired static token is a 4xx too.
    /// Except a token 429: `status_429` counts 429s the operation's own endpoint answered, the
    /// `429` rows of statuses.csv (the report contract checks they match), so a call refused
    /// for want of a token is a 4xx (`token_429`); the 429 itself is in `token:<audience>`.
    pub fn class(self) -> Class {
        match self {
            Outcome::Token(TokenFailure::Http(429)) => Class::Status4xx,
            Outcome::Http(code) | Outcome::Token(TokenFailure::Http(code)) => class_of_code(code),
            Outcome::Transport(_) | Outcome::Token(TokenFailure::Transport(_)) => Class::Transport,
            Outcome::Token(TokenFailure::Expired) => Class::Status4xx,
        }
    }

    pub fn is_ok(self) -> bool {
        self.class() == Class::Ok
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Http(code) => write!(f, "{code}"),
            Outcome::Transport(kind) => f.write_str(kind.label()),
            Outcome::Token(TokenFailure::Http(code)) => write!(f, "token_{code}"),
            Outcome::Token(TokenFailure::Transport(kind)) => write!(f, "token_{}", kind.label()),
            Outcome::Token(TokenFailure::Expired) => f.write_str("token_expired"),
        }
    }
}

/// Rate-limit facts read from one response's headers (see `ops::ratelimit`).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RateSeen {
    pub limit: Option<u64>,
    pub remaining: Option<u64>,
    /// `x-ratelimit-reset` minus the response's wall-clock time, seconds (may be negative).
    pub reset_in_s: Option<f64>,
}

/// Why an arrival was not sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// No worker free: the phase's `max_in_flight` requests were already in flight.
    Busy,
    /// The scheduler picked the arrival up too late (it fell behind); never fired in a burst.
    Late,
    /// The run was stopping when a worker got to it (or the token guard refused it).
    Stopping,
}

/// One finished request (after all its retries).
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Index into the recorder's operation table.
    pub op: usize,
    /// Intended start, since run start; decides the timeline second.
    pub intended: Duration,
    /// Intended → first actual send (schedule lag, throttle wait included).
    pub lag: Duration,
    /// Intended → end (corrected latency; spans every attempt and retry delay).
    pub corrected: Duration,
    /// First actual send → end (service time).
    pub service: Duration,
    pub outcome: Outcome,
    /// Attempts beyond the first.
    pub retries: u32,
    /// Rate-limit headers of the last response.
    pub rate: RateSeen,
    /// Headers of the last response that could not be parsed.
    pub bad_headers: u32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_classes() {
        let table = [
            (Outcome::Http(200), "200", Class::Ok),
            (Outcome::Http(302), "302", Class::Ok),
            (Outcome::Http(404), "404", Class::Status4xx),
            (Outcome::Http(429), "429", Class::Status429),
            (Outcome::Http(503), "503", Class::Status5xx),
            (
                Outcome::Transport(TransportKind::Timeout),
                "timeout",
                Class::Transport,
            ),
            (
                Outcome::Token(TokenFailure::Http(401)),
                "token_401",
                Class::Status4xx,
            ),
            (
                Outcome::Token(TokenFailure::Http(429)),
                "token_429",
                Class::Status4xx,
            ),
            (
                Outcome::Token(TokenFailure::Transport(TransportKind::Connect)),
                "token_connect",
                Class::Transport,
            ),
            (
                Outcome::Token(TokenFailure::Expired),
                "token_expired",
                Class::Status4xx,
            ),
        ];
        for (outcome, label, class) in table {
            assert_eq!(outcome.to_string(), label);
            assert_eq!(outcome.class(), class, "{label}");
        }
    }
}
