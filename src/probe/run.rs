//! The probe's loop: the drain, then the timed queries of `schedule.rs`, every answer turned
//! into bounds for `fit.rs`. The request budget is checked before every send, so the probe never
//! sends more; a quota header near zero, a run of answers that are neither 2xx nor 429, or the
//! budget end it early, and the findings say why.

use tokio::time::{Duration, Instant, sleep_until};

use super::fit::{self, Bound, Fit};
use super::result::{Findings, Headers, StopWhy, Tally};
use super::schedule;
use super::{Answer, Settings, Target};

/// Answers in a row that are neither 2xx nor 429 before the probe gives up.
const MAX_OTHER_IN_A_ROW: u32 = 5;

/// What one send came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sent {
    Ok,
    Limited,
    Other,
    /// Not sent, or the probe must stop now (`Prober::stop` says why).
    Stop,
}

struct Prober<'a, T: Target> {
    target: &'a mut T,
    settings: Settings,
    start: Instant,
    /// Bounds from 2xx/429 alone, and with the `x-ratelimit-remaining` ones.
    plain: Vec<Bound>,
    headed: Vec<Bound>,
    /// False once the headers contradict the 429s (another bucket, or not a token bucket).
    headers_fit: bool,
    taken: u64,
    tally: Tally,
    headers: Headers,
    other_in_a_row: u32,
    stop: Option<StopWhy>,
    /// When the first answer came (the first take lies between 0 and this).
    first_recv: Option<f64>,
}

impl<T: Target> Prober<'_, T> {
    fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    async fn at(&self, t: f64) {
        sleep_until(self.start + Duration::from_secs_f64(t.max(0.0))).await;
    }

    async fn send(&mut self) -> Sent {
        if self.stop.is_some() {
            return Sent::Stop;
        }
        if self.tally.spent >= self.settings.budget {
            self.stop = Some(StopWhy::Budget);
            return Sent::Stop;
        }
        let sent = self.now();
        let answer = self.target.send().await;
        let recv = self.now();
        self.tally.spent += 1;
        self.tally.last_s = recv;
        self.first_recv.get_or_insert(recv);
        let kind = self.record(sent, recv, &answer);
        if let Some(q) = answer.quota_remaining
            && q < self.settings.min_quota_remaining
        {
            self.stop = Some(StopWhy::Quota(q));
        }
        kind
    }

    fn record(&mut self, sent: f64, recv: f64, a: &Answer) -> Sent {
        match a.status {
            Some(s) if (200..300).contains(&s) => {
                self.other_in_a_row = 0;
                self.tally.ok += 1;
                self.plain.push(Bound::success(recv, self.taken));
                self.headed.push(Bound::success(recv, self.taken));
                if let Some(r) = a.remaining {
                    self.headers.remaining_seen = true;
                    self.headed
                        .extend(Bound::remaining(sent, recv, self.taken, r));
                }
                if a.limit.is_some() {
                    self.headers.limit = a.limit;
                }
                self.taken += 1;
                Sent::Ok
            }
            Some(429) => {
                self.other_in_a_row = 0;
                self.tally.limited += 1;
                self.plain.push(Bound::limited(sent, self.taken));
                self.headed.push(Bound::limited(sent, self.taken));
                Sent::Limited
            }
            other => {
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

    fn fit(&mut self) -> Option<Fit> {
        let first_recv = self.first_recv.unwrap_or(0.0);
        if self.headers_fit && self.headers.remaining_seen {
            match fit::fit_full(&self.headed, first_recv) {
                Some(f) if f.slack == 0.0 => return Some(f),
                _ => {
                    self.headers_fit = false;
                    self.headers.contradicted = true;
                }
            }
        }
        fit::fit_full(&self.plain, first_recv)
    }

    /// Back to back until the first 429.
    async fn drain(&mut self) -> bool {
        loop {
            match self.send().await {
                Sent::Ok | Sent::Other => continue,
                Sent::Limited => return true,
                Sent::Stop => return false,
            }
        }
    }

    /// One query after `t_q`: tokens up to the level the centre estimate reaches first after
    /// it, taken at the instant it does; a 429 on the way ends it.
    async fn query(&mut self, t_q: f64, end: f64) {
        let Some(f) = self.fit() else {
            // No 2xx yet since the start (an empty bucket): one request at t_q.
            self.at(t_q).await;
            self.send().await;
            return;
        };
        let left = self.settings.budget.saturating_sub(self.tally.spent);
        let (level, at) = schedule::shot(&f, self.taken, self.now(), t_q, end, left);
        self.at(at).await;
        while self.taken < level {
            if self.send().await != Sent::Ok {
                return;
            }
        }
    }
}

/// Probe `target` within `settings`; see the module docs.
pub async fn probe<T: Target>(target: &mut T, settings: Settings) -> Findings {
    let mut p = Prober {
        target,
        settings,
        start: Instant::now(),
        plain: Vec::new(),
        headed: Vec::new(),
        headers_fit: true,
        taken: 0,
        tally: Tally::default(),
        headers: Headers::default(),
        other_in_a_row: 0,
        stop: None,
        first_recv: None,
    };
    let drained = p.drain().await;
    let drain_end = p.now();
    if drained {
        let end = drain_end + settings.measure_s;
        loop {
            let now = p.now();
            if now >= end - 1e-6 || p.stop.is_some() {
                break;
            }
            if let Some(f) = p.fit()
                && (f.rate_spread() <= schedule::DONE_SPREAD
                    || p.tally.spent as f64 >= schedule::allowance(&f))
            {
                break;
            }
            if p.tally.spent >= settings.budget {
                p.stop = Some(StopWhy::Budget);
                break;
            }
            p.query(schedule::next_query(now, drain_end, end), end)
                .await;
        }
    }
    let fit = p.fit();
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
