//! Several requests in flight: the drain that widens its window when one connection cannot
//! empty the bucket, and the timed phase's chase for a window wider than one.
//!
//! The drain starts on one request at a time (the sharpest bounds: each answer is known to
//! follow the last) and doubles its window every [`GROW_S`] without a 429, up to
//! `Settings::concurrency`: a small or slow bucket is emptied before the first doubling, a
//! 750/s one after a few. After the first 429 nothing more is sent and the requests in flight
//! are awaited. (Undoing a doubling that brought no faster answers was tried: on a loaded
//! machine the rates of 0.1 s intervals are too noisy, and a drain held at 8 took 3 s.)
//!
//! The chase: from the shot's instant, requests are kept in flight for every token the centre
//! estimate says will have come by the time they arrive (a round trip ahead), plus a margin that
//! doubles whenever all of them came back 2xx, until the first 429 says the bucket is empty.
//! (A margin doubling every round trip instead sent a whole window of 429s after each
//! catch-up: 200-250 of them in a probe over a 5 ms link.) That
//! 429 bounds the level from above within the requests in flight, the 2xx before it from below:
//! with the bucket kept empty, both sides are about `rate × round trip` tokens apart, where a
//! lone request at the token's instant would fall behind the bucket at once.

use tokio::time::{Duration, sleep};

use super::Target;
use super::fit::Fit;
use super::run::{Prober, Sent};

/// A drain that has seen no 429 for this long doubles its window, seconds: while it is too
/// narrow, the full bucket's refill is lost and every success costs budget, so the window
/// reaches 16 within 0.4 s; small buckets are emptied before (40 tokens at 400 answers a second).
pub const GROW_S: f64 = 0.1;
/// How often the chase looks again when no answer comes, seconds.
const TICK_S: f64 = 0.001;

impl<T: Target> Prober<'_, T> {
    /// Until the first 429, widening the window as it goes; true when one came.
    pub(super) async fn drain(&mut self) -> bool {
        let cap = self.settings.concurrency.max(1);
        let mut limited = false;
        let mut grow_at = GROW_S;
        loop {
            while !limited && self.pending() < self.window && self.launch() {}
            match self.next_answer().await {
                Sent::Stop => return limited,
                Sent::Limited => limited = true,
                Sent::Ok | Sent::Other => {}
            }
            let now = self.now();
            if limited || self.window >= cap || now < grow_at {
                continue;
            }
            if self.window == 1 {
                self.one_connection = Some(self.tally.spent as f64 / now.max(1e-9));
            }
            self.window = (self.window * 2).min(cap);
            grow_at = now + GROW_S;
            self.anchor = self.pending_index();
        }
    }

    /// The chase (see the module docs) on the estimate `f`, taking at least to `level`; ends at
    /// the first 429, at `end`, or when the probe must stop, with every answer awaited.
    pub(super) async fn chase(&mut self, f: &Fit, level: u64, end: f64) {
        let mut margin = 1.0;
        let round_trip = self.latency.max(TICK_S);
        loop {
            let now = self.now();
            let want = ((f.g0 + f.rate * (now + round_trip)).ceil() + margin).max(level as f64);
            let mut stopped = now >= end;
            while !stopped
                && self.pending() < self.window
                && ((self.taken + self.pending() as u64) as f64) < want
            {
                stopped = !self.launch();
            }
            if self.pending() == 0 {
                if stopped {
                    break;
                }
                // Everything sent came back 2xx, the margin included: the bucket holds more
                // than the estimate says, look further ahead.
                margin *= 2.0;
                continue;
            }
            tokio::select! {
                kind = self.next_answer() => if kind == Sent::Limited { break },
                () = sleep(Duration::from_secs_f64(TICK_S)) => {}
            }
        }
        self.settle().await;
    }
}
