//! The probe against synthetic buckets on tokio's paused clock: token buckets of every shape the
//! tiers have, nginx's leaky bucket, the headers, the budget and the quota stop.
#![allow(clippy::unwrap_used)]

use std::cell::Cell;

use tokio::time::{Duration, Instant, sleep};

use super::{Answer, Confidence, OVERHEAD, Settings, StopWhy, Target, probe};

/// A continuously refilled token bucket on the tokio clock.
pub(super) struct Bucket {
    burst: f64,
    per_s: f64,
    tokens: Cell<f64>,
    at: Cell<Instant>,
    /// Half the round trip, before and after the bucket is consulted.
    pub(super) half_trip: Duration,
    pub(super) headers: bool,
    /// `Auth0-Client-Quota-Limit` remaining, counting down per 2xx.
    pub(super) quota: Cell<Option<u64>>,
    pub(super) sent: Cell<u64>,
}

impl Bucket {
    pub(super) fn new(burst: u64, per_s: f64) -> Self {
        Bucket {
            burst: burst as f64,
            per_s,
            tokens: Cell::new(burst as f64),
            at: Cell::new(Instant::now()),
            half_trip: Duration::ZERO,
            headers: false,
            quota: Cell::new(None),
            sent: Cell::new(0),
        }
    }

    /// Takes a token now if there is one: the answer as the server would send it.
    pub(super) fn take(&self) -> Answer {
        let now = Instant::now();
        let gained = (now - self.at.get()).as_secs_f64() * self.per_s;
        let mut tokens = (self.tokens.get() + gained).min(self.burst);
        self.at.set(now);
        let ok = tokens >= 1.0;
        if ok {
            tokens -= 1.0;
            self.quota
                .set(self.quota.get().map(|q| q.saturating_sub(1)));
        }
        self.tokens.set(tokens);
        Answer {
            status: Some(if ok { 200 } else { 429 }),
            limit: self.headers.then_some(self.burst as u64),
            remaining: self.headers.then_some(tokens.floor() as u64),
            quota_remaining: self.quota.get(),
        }
    }
}

impl Target for Bucket {
    async fn send(&self) -> Answer {
        self.sent.set(self.sent.get() + 1);
        if !self.half_trip.is_zero() {
            sleep(self.half_trip).await;
        }
        let answer = self.take();
        if !self.half_trip.is_zero() {
            sleep(self.half_trip).await;
        }
        answer
    }
}

/// nginx `limit_req ... burst=N nodelay` with integer milliseconds, as ngx_http_limit_req_module
/// computes it: `excess` in thousandths, drained at `rate` per ms, a request refused when the
/// new excess would pass `burst`; an idle key starts at 0 (so N + 1 requests pass at once).
struct Nginx {
    /// Requests per second × 1000.
    rate: i64,
    burst: i64,
    excess: Cell<i64>,
    last_ms: Cell<Option<i64>>,
    start: Instant,
}

impl Target for Nginx {
    async fn send(&self) -> Answer {
        let now = (Instant::now() - self.start).as_millis() as i64;
        let ok = match self.last_ms.get() {
            None => {
                self.last_ms.set(Some(now));
                self.excess.set(0);
                true
            }
            Some(last) => {
                let ms = now - last;
                let excess = (self.excess.get() - self.rate * ms / 1000 + 1000).max(0);
                if excess > self.burst * 1000 {
                    false
                } else {
                    self.excess.set(excess);
                    if ms > 0 {
                        self.last_ms.set(Some(now));
                    }
                    true
                }
            }
        };
        // nginx's clock is whole milliseconds: let the next request come a little later.
        sleep(Duration::from_millis(1)).await;
        Answer {
            status: Some(if ok { 200 } else { 429 }),
            ..Answer::default()
        }
    }
}

pub(super) fn settings() -> Settings {
    Settings {
        budget: 100_000,
        ..Settings::default()
    }
}

pub(super) fn assert_close(burst: u64, per_s: f64, got: &super::Findings) {
    let (rate, _, _) = got.rate.unwrap_or_else(|| panic!("no rate: {got:?}"));
    assert!(
        got.burst.abs_diff(burst) <= 1,
        "burst {} vs {burst}: {got:?}",
        got.burst
    );
    assert!(
        (rate - per_s).abs() <= 0.02 * per_s,
        "rate {rate} vs {per_s}: {got:?}"
    );
    let cap = burst + (3.0 * per_s).ceil() as u64 + OVERHEAD;
    assert!(
        got.tally.spent <= cap,
        "spent {} > {cap}: {got:?}",
        got.tally.spent
    );
}

#[tokio::test(start_paused = true)]
async fn every_tier_shape_within_one_token_and_two_percent() {
    // (burst, per second): the tiers' Management and token buckets, slow to fast.
    let shapes = [
        (2, 2.0),
        (10, 2.0),
        (5, 50.0 / 60.0),
        (10, 100.0 / 60.0),
        (40, 500.0 / 60.0),
        (50, 16.0),
        (30, 30.0),
        (25, 25.0),
        (100, 100.0),
        (250, 250.0),
    ];
    for (burst, per_s) in shapes {
        // A 2 ms round trip drains at 500/s: too slow to empty a 250/s bucket in good time
        // (over loopback a request takes a fraction of that).
        let trips: &[u64] = if per_s > 100.0 { &[0] } else { &[0, 1] };
        for &half_trip_ms in trips {
            let mut b = Bucket::new(burst, per_s);
            b.half_trip = Duration::from_millis(half_trip_ms);
            let got = probe(&b, settings()).await;
            assert_close(burst, per_s, &got);
            assert_eq!(got.tally.spent, b.sent.get(), "the tally counts every send");
            assert!(got.confidence >= Confidence::Medium, "{got:?}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn headers_are_used_and_give_the_exact_limit() {
    let mut b = Bucket::new(40, 500.0 / 60.0);
    b.headers = true;
    b.half_trip = Duration::from_millis(1);
    let got = probe(&b, settings()).await;
    assert!(got.headers_used, "{got:?}");
    assert_eq!(got.burst, 40);
    assert_close(40, 500.0 / 60.0, &got);
}

#[tokio::test(start_paused = true)]
async fn nginx_leaky_bucket_is_burst_plus_one_tokens() {
    for (rate_per_s, burst) in [(10, 5), (40, 20)] {
        let n = Nginx {
            rate: rate_per_s * 1000,
            burst,
            excess: Cell::new(0),
            last_ms: Cell::new(None),
            start: Instant::now(),
        };
        let got = probe(&n, settings()).await;
        assert_close(burst as u64 + 1, rate_per_s as f64, &got);
    }
}

#[tokio::test(start_paused = true)]
async fn never_more_than_the_budget() {
    for budget in [1, 5, 41, 60] {
        let b = Bucket::new(40, 8.0);
        let got = probe(
            &b,
            Settings {
                budget,
                ..Settings::default()
            },
        )
        .await;
        let sent = b.sent.get();
        assert!(sent <= budget, "{budget}: sent {sent}");
        assert_eq!(got.tally.spent, sent);
        if budget <= 40 {
            assert!(!got.drained);
            assert_eq!(got.burst, sent, "a lower bound: the successes");
            assert_eq!(got.confidence, Confidence::None);
        }
        if budget <= 41 {
            assert_eq!(got.stop, Some(StopWhy::Budget), "{budget}");
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_quota_header_near_zero_stops_at_once() {
    let b = Bucket::new(40, 8.0);
    b.quota.set(Some(25));
    let got = probe(&b, settings()).await;
    assert_eq!(got.stop, Some(StopWhy::Quota(9)));
    assert_eq!(
        b.sent.get(),
        16,
        "25 -> 9 left after 16 tokens: the 16th answer stops it"
    );
}

#[tokio::test(start_paused = true)]
async fn answers_that_are_neither_2xx_nor_429_stop_the_probe_after_five() {
    struct Down(Cell<u64>);
    impl Target for Down {
        async fn send(&self) -> Answer {
            self.0.set(self.0.get() + 1);
            Answer {
                status: Some(503),
                ..Answer::default()
            }
        }
    }
    let d = Down(Cell::new(0));
    let got = probe(&d, settings()).await;
    assert_eq!(d.0.get(), 5);
    assert_eq!(got.stop, Some(StopWhy::Errors(Some(503))));
    assert_eq!(got.confidence, Confidence::None);
}
