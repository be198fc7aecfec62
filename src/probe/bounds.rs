//! The probe's answers as bounds for `fit.rs`, honest when several requests overlap.
//!
//! With one request at a time, the server took the probe's `k`-th token on its `k`-th success.
//! With several in flight, the order the server handled them in is unknown, so each bound uses
//! only what causality says (`S(t)`: the probe's tokens the server had taken by `t`):
//! - a 2xx handled at some instant in `[sent, recv]`: every success the probe had seen by its
//!   `recv` was handled by then, so `g0 + r·recv >= (successes seen by recv)`;
//! - a 429 handled in `[sent, recv]`: the server cannot have handled a request the probe had not
//!   yet sent, so `S` then was at most the successes among the requests sent before its answer
//!   came, and `g0 + r·sent < that + 1`;
//! - `x-ratelimit-remaining: R` on a 2xx: after its take the bucket held `[R, R + 1)` tokens, and
//!   `S` was at least the successes seen before it was sent plus itself, at most the successes
//!   sent before its answer came.
//!
//! Counts come from the order of the probe's own events (a send, the handling of an answer), so
//! ties on a paused clock cannot make a bound claim more than causality gives. With one request
//! in flight these are exactly the sequential bounds (`Bound::success`, `Bound::limited`,
//! `Bound::remaining`).

use super::fit::{Bound, Fit};

/// How an answer counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// Not answered yet.
    Pending,
    Ok,
    Limited,
    /// Neither 2xx nor 429 (transport errors included): took no token, bounds nothing.
    Other,
}

/// One request the probe sent, in send order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    /// Seconds since the probe started.
    pub sent: f64,
    pub recv: f64,
    pub class: Class,
    /// `x-ratelimit-remaining` of a 2xx.
    pub remaining: Option<u64>,
    /// Successes the probe had handled when it sent this request.
    pub ok_before_send: u64,
    /// Successes the probe had handled when it handled this answer (itself included).
    pub ok_at_recv: u64,
    /// Requests the probe had sent when it handled this answer (itself included).
    pub sent_at_recv: usize,
}

impl Record {
    pub fn new(sent: f64, ok_before_send: u64) -> Self {
        Record {
            sent,
            recv: f64::NAN,
            class: Class::Pending,
            remaining: None,
            ok_before_send,
            ok_at_recv: 0,
            sent_at_recv: 0,
        }
    }
}

/// The bounds of `records[from..]` (the counts still take every earlier success into account):
/// (from 2xx/429 alone, with the `x-ratelimit-remaining` ones too). A request still in flight
/// counts as a possible success (so upper bounds stay upper bounds).
pub fn of(records: &[Record], from: usize) -> (Vec<Bound>, Vec<Bound>) {
    // oks_before[i]: successes (or possible ones) among the first i requests sent.
    let mut oks_before = Vec::with_capacity(records.len() + 1);
    oks_before.push(0u64);
    for r in records {
        let ok = matches!(r.class, Class::Ok | Class::Pending);
        oks_before.push(oks_before.last().copied().unwrap_or(0) + u64::from(ok));
    }
    let sent_oks = |n: usize| oks_before[n.min(records.len())] as f64;
    let mut plain = Vec::new();
    let mut headed = Vec::new();
    for r in records.iter().skip(from) {
        match r.class {
            Class::Ok => {
                let b = Bound {
                    t: r.recv,
                    lo: r.ok_at_recv as f64,
                    hi: f64::INFINITY,
                };
                plain.push(b);
                headed.push(b);
                if let Some(rem) = r.remaining {
                    let rem = rem as f64;
                    headed.push(Bound {
                        t: r.recv,
                        lo: (r.ok_before_send + 1) as f64 + rem,
                        hi: f64::INFINITY,
                    });
                    headed.push(Bound {
                        t: r.sent,
                        lo: f64::NEG_INFINITY,
                        hi: sent_oks(r.sent_at_recv) + rem + 1.0,
                    });
                }
            }
            Class::Limited => {
                let b = Bound {
                    t: r.sent,
                    lo: f64::NEG_INFINITY,
                    hi: sent_oks(r.sent_at_recv) + 1.0,
                };
                plain.push(b);
                headed.push(b);
            }
            Class::Pending | Class::Other => {}
        }
    }
    (plain, headed)
}

/// The bucket's size when the model holds only from `records[from]` on (the drain's window was
/// widened there: before it the bucket may have stayed full, its refill lost to the cap). The
/// fitted line `g0 + r·t` counts every token the bucket would have had since then; the level it
/// implies, `g0 + r·t - S(t)`, is the true level after the bucket last was full and below the
/// size before, so the size is its highest value up to `records[from]`'s send. `S(t)` lies
/// between the successes answered by `t` and those sent before `t`: (lowest, highest) size.
pub fn size_before(records: &[Record], from: usize, fit: &Fit) -> (f64, f64) {
    let Some(anchor) = records.get(from) else {
        return (fit.size_lo, fit.size_hi);
    };
    let until = anchor.sent;
    // Only requests sent by then can have taken a token by then.
    let early: Vec<&Record> = records.iter().filter(|r| r.sent <= until).collect();
    let mut times: Vec<f64> = vec![0.0, until];
    for r in &early {
        times.push(r.sent);
        if r.recv <= until {
            times.push(r.recv);
        }
    }
    let (mut lo, mut hi) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for t in times {
        let answered = early
            .iter()
            .filter(|r| r.class == Class::Ok && r.recv <= t)
            .count() as f64;
        // Just before `t` (the line is continuous): a request sent at `t` has not been handled.
        let sent = early
            .iter()
            .filter(|r| matches!(r.class, Class::Ok | Class::Pending) && r.sent < t)
            .count() as f64;
        lo = lo.max(fit.g0_lo + fit.rate * t - sent);
        hi = hi.max(fit.g0_hi + fit.rate * t - answered);
    }
    (lo, hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(
        sent: f64,
        recv: f64,
        class: Class,
        ok_before: u64,
        ok_at: u64,
        n: usize,
    ) -> Record {
        Record {
            sent,
            recv,
            class,
            remaining: None,
            ok_before_send: ok_before,
            ok_at_recv: ok_at,
            sent_at_recv: n,
        }
    }

    #[test]
    fn one_at_a_time_gives_the_sequential_bounds() {
        // 2xx, 2xx, 429, each answered before the next is sent.
        let mut r = vec![
            answered(0.0, 0.1, Class::Ok, 0, 1, 1),
            answered(0.1, 0.2, Class::Ok, 1, 2, 2),
            answered(0.2, 0.3, Class::Limited, 2, 2, 3),
        ];
        r[1].remaining = Some(4);
        let (plain, headed) = of(&r, 0);
        assert_eq!(
            plain,
            vec![
                Bound::success(0.1, 0),
                Bound::success(0.2, 1),
                Bound::limited(0.2, 2)
            ]
        );
        let [lo, hi] = Bound::remaining(0.1, 0.2, 1, 4);
        assert!(headed.contains(&lo) && headed.contains(&hi), "{headed:?}");
    }

    #[test]
    fn overlapping_requests_count_what_causality_allows() {
        // Three sent at once; a 429 answered first, then two 2xx. The 429 may have come after
        // both successes (all three were sent before its answer): fewer than 3 tokens at 0.
        let r = [
            answered(0.0, 0.2, Class::Ok, 0, 1, 3),
            answered(0.0, 0.1, Class::Limited, 0, 0, 3),
            answered(0.0, 0.3, Class::Ok, 0, 2, 3),
        ];
        let (plain, _) = of(&r, 0);
        assert!(plain.contains(&Bound {
            t: 0.0,
            lo: f64::NEG_INFINITY,
            hi: 3.0
        }));
        // A request still in flight is a possible success.
        let mut r2 = r.to_vec();
        r2.push(Record::new(0.0, 0));
        r2[1].sent_at_recv = 4;
        let (plain, _) = of(&r2, 0);
        assert!(plain.iter().any(|b| b.hi == 4.0), "{plain:?}");
        assert!(plain.iter().any(|b| b.lo == 2.0 && b.t == 0.3));
    }
}
