//! The probe's loop: the drain, then the timed queries of `schedule.rs`, every answer recorded
//! (`bounds.rs` turns the records into bounds for `fit.rs`). Requests go out through
//! [`Prober::launch`], at most the window in flight (`window.rs` widens it and drives the
//! overlapping sends); the request budget is checked before every send, so the probe never
//! sends more; a quota header near zero, a run of answers that are neither 2xx nor 429, or the
//! budget end it early, and the findings say why. Whatever was sent is awaited before the probe
//! returns, so the tally counts every request the target saw.

use std::future::Future;
use std::pin::Pin;

use futures_util::StreamExt as _;
use futures_util::stream::FuturesUnordered;
use tokio::time::{Duration, Instant, sleep_until};

use super::bounds::{self, Class, Record};
use super::fit::{self, Fit};
use super::result::{Findings, Headers, StopWhy, Tally};
use super::schedule;
use super::{Answer, Settings, Target};

/// Answers in a row that are neither 2xx nor 429 before the probe gives up.
const MAX_OTHER_IN_A_ROW: u32 = 5;

/// What one answer came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Sent {
    Ok,
    Limited,
    Other,
    /// Not sent, or nothing in flight to wait for (`Prober::stop` says why, if anything).
    Stop,
}

type InFlight<'a> = Pin<Box<dyn Future<Output = (usize, Answer)> + 'a>>;

pub(super) struct Prober<'a, T: Target> {
    target: &'a T,
    pub(super) settings: Settings,
    start: Instant,
    /// Every request sent, in send order.
    records: Vec<Record>,
    in_flight: FuturesUnordered<InFlight<'a>>,
    /// False once the headers contradict the 429s (another bucket, or not a token bucket).
    headers_fit: bool,
    /// Successes handled so far (exact once nothing is in flight).
    pub(super) taken: u64,
    pub(super) tally: Tally,
    headers: Headers,
    other_in_a_row: u32,
    pub(super) stop: Option<StopWhy>,
    /// When the first answer came (the first take lies between 0 and this).
    first_recv: Option<f64>,
    /// Requests in flight at most (1 until the drain widens it).
    pub(super) window: usize,
    /// A smoothed round trip, seconds (how far ahead of its tokens the timed phase sends).
    pub(super) latency: f64,
    /// The first request sent at the drain's final window: before it the bucket may have stayed
    /// full (one connection taking less than it refills), so the fit starts there (0: the whole
    /// drain was at one width).
    pub(super) anchor: usize,
    /// Answers a second on one connection, measured before the drain first widened: a query
    /// on one connection catches up with the bucket at this less its refill, so once the rate
    /// is known below half of it, the timed phase goes one request at a time (sharper bounds).
    pub(super) one_connection: Option<f64>,
    /// The fewest tokens `Auth0-Client-Quota-Limit` showed left.
    quota_seen: Option<u64>,
}

impl<'a, T: Target> Prober<'a, T> {
    pub(super) fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    pub(super) async fn at(&self, t: f64) {
        sleep_until(self.start + Duration::from_secs_f64(t.max(0.0))).await;
    }

    pub(super) fn pending(&self) -> usize {
        self.in_flight.len()
    }

    /// The index the next request sent will have.
    pub(super) fn pending_index(&self) -> usize {
        self.records.len()
    }

    /// Sends one request without waiting for it; false (nothing sent) once the probe is
    /// stopping, the budget is spent, or the quota leaves no room for one more in flight.
    pub(super) fn launch(&mut self) -> bool {
        if self.stop.is_some() {
            return false;
        }
        if self.records.len() as u64 >= self.settings.budget {
            self.stop = Some(StopWhy::Budget);
            return false;
        }
        // Every request in flight may take a quota token: never more in flight than one
        // connection would take before its stop (the one answer that shows fewer than the
        // minimum left), so a wide window cannot run the quota down past it.
        if let Some(q) = self.quota_seen
            && self.in_flight.len() as u64
                >= (q + 1).saturating_sub(self.settings.min_quota_remaining)
        {
            return false;
        }
        let i = self.records.len();
        self.records.push(Record::new(self.now(), self.taken));
        let target: &'a T = self.target;
        self.in_flight
            .push(Box::pin(async move { (i, target.send().await) }));
        self.tally.window = self.tally.window.max(self.in_flight.len());
        true
    }

    /// Waits for the next answer in flight and records it; `Sent::Stop` when none is.
    pub(super) async fn next_answer(&mut self) -> Sent {
        let Some((i, answer)) = self.in_flight.next().await else {
            return Sent::Stop;
        };
        let recv = self.now();
        self.tally.spent += 1;
        self.tally.last_s = recv;
        self.first_recv.get_or_insert(recv);
        let kind = self.record(i, recv, &answer);
        if let Some(q) = answer.quota_remaining {
            // The lowest seen: answers overtaking each other may bring older counts.
            self.quota_seen = Some(self.quota_seen.map_or(q, |s| s.min(q)));
            if q < self.settings.min_quota_remaining {
                self.stop = Some(StopWhy::Quota(q));
            }
        }
        kind
    }

    /// Waits for every request in flight.
    pub(super) async fn settle(&mut self) {
        while self.next_answer().await != Sent::Stop {}
    }

    /// One request, alone on the wire: sent, then awaited.
    async fn send(&mut self) -> Sent {
        self.settle().await;
        if !self.launch() {
            return Sent::Stop;
        }
        self.next_answer().await
    }

    fn record(&mut self, i: usize, recv: f64, a: &Answer) -> Sent {
        let sent_at_recv = self.records.len();
        let Some(r) = self.records.get_mut(i) else {
            return Sent::Other;
        };
        r.recv = recv;
        r.sent_at_recv = sent_at_recv;
        let trip = recv - r.sent;
        self.latency = if self.latency > 0.0 {
            0.8 * self.latency + 0.2 * trip
        } else {
            trip
        };
        match a.status {
            Some(s) if (200..300).contains(&s) => {
                self.other_in_a_row = 0;
                self.tally.ok += 1;
                self.taken += 1;
                r.class = Class::Ok;
                r.ok_at_recv = self.taken;
                r.remaining = a.remaining;
                if a.remaining.is_some() {
                    self.headers.remaining_seen = true;
                }
                if a.limit.is_some() {
                    self.headers.limit = a.limit;
                }
                Sent::Ok
            }
            Some(429) => {
                self.other_in_a_row = 0;
                self.tally.limited += 1;
                r.class = Class::Limited;
                r.ok_at_recv = self.taken;
                Sent::Limited
            }
            other => {
                r.class = Class::Other;
                self.tally.other += 1;
                if let Some(s) = other {
                    self.tally.other_statuses.insert(s);
                }
                self.other_in_a_row += 1;
                if self.other_in_a_row >= MAX_OTHER_IN_A_ROW {
                    self.stop = Some(StopWhy::Errors(other));
                }
                Sent::Other
            }
        }
    }

    pub(super) fn fit(&mut self) -> Option<Fit> {
        let (plain, headed) = bounds::of(&self.records, self.anchor);
        // A full bucket of whole tokens at the first take pins the start (`fit_full`); after a
        // widened drain the model starts mid-drain, at a level no count pins.
        let first_recv = self.first_recv.unwrap_or(0.0);
        let fit_of = |b: &[fit::Bound]| {
            if self.anchor == 0 {
                fit::fit_full(b, first_recv)
            } else {
                fit::fit(b)
            }
        };
        if self.headers_fit && self.headers.remaining_seen {
            match fit_of(&headed) {
                Some(f) if f.slack == 0.0 => return Some(f),
                _ => {
                    self.headers_fit = false;
                    self.headers.contradicted = true;
                }
            }
        }
        fit_of(&plain)
    }

    /// The final fit, its size measured where the model starts (`bounds::size_before`).
    fn final_fit(&mut self) -> Option<Fit> {
        let mut f = self.fit()?;
        if self.anchor > 0 {
            (f.size_lo, f.size_hi) = bounds::size_before(&self.records, self.anchor, &f);
        }
        Some(f)
    }

    /// One query after `t_q`: tokens up to the level the centre estimate reaches first after
    /// it, taken at the instant it does; a 429 on the way ends it. With a window wider than one
    /// the tokens are chased instead (`window.rs`).
    async fn query(&mut self, t_q: f64, end: f64) {
        let Some(f) = self.fit() else {
            // No 2xx yet since the start (an empty bucket): one request at t_q.
            self.at(t_q).await;
            self.send().await;
            return;
        };
        let left = self
            .settings
            .budget
            .saturating_sub(self.records.len() as u64);
        let (level, at) = schedule::shot(&f, self.taken, self.now(), t_q, end, left);
        self.at(at).await;
        // Once the rate is known below half of one connection's, a query on one catches up.
        if self.window > 1 && self.one_connection.is_some_and(|one| f.rate_hi < one / 2.0) {
            self.window = 1;
        }
        if self.window > 1 {
            self.chase(&f, level, end).await;
            return;
        }
        while self.taken < level {
            if self.send().await != Sent::Ok {
                return;
            }
        }
    }
}

/// Probe `target` within `settings`; see the module docs.
pub async fn probe<T: Target>(target: &T, settings: Settings) -> Findings {
    let mut p = Prober {
        target,
        settings,
        start: Instant::now(),
        records: Vec::new(),
        in_flight: FuturesUnordered::new(),
        headers_fit: true,
        taken: 0,
        tally: Tally::default(),
        headers: Headers::default(),
        other_in_a_row: 0,
        stop: None,
        first_recv: None,
        window: 1,
        latency: 0.0,
        anchor: 0,
        one_connection: None,
        quota_seen: None,
    };
    let drained = p.drain().await;
    let drain_end = p.now();
    p.tally.drain_sent = p.records.len() as u64;
    p.tally.drain_s = drain_end;
    if drained {
        let end = drain_end + settings.measure_s;
        loop {
            let now = p.now();
            if now >= end - 1e-6 || p.stop.is_some() {
                break;
            }
            // A chase may end with a window of 429s in flight: keep room for them.
            let (room, done) = if p.window > 1 {
                (p.window as f64, schedule::CHASE_DONE_SPREAD)
            } else {
                (0.0, schedule::DONE_SPREAD)
            };
            if let Some(f) = p.fit()
                && (f.rate_spread() <= done
                    || p.tally.spent as f64 + room >= schedule::allowance(&f))
            {
                break;
            }
            if p.records.len() as u64 >= settings.budget {
                p.stop = Some(StopWhy::Budget);
                break;
            }
            p.query(schedule::next_query(now, drain_end, end), end)
                .await;
        }
    }
    p.settle().await;
    let fit = p.final_fit();
    Findings::new(
        fit,
        p.tally,
        p.headers,
        p.headers_fit,
        drained,
        p.stop,
        p.taken,
    )
}
