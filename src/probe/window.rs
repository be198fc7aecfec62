//! Several requests in flight: the drain that widens its window when one connection cannot
//! empty the bucket, and the timed phase's chase for a window wider than one.
//!
//! The drain starts on one request at a time (the sharpest bounds: each answer is known to
//! follow the last) and doubles its window every [`GROW_S`] without a 429, up to
//! `Settings::concurrency`: a small or slow bucket is emptied before the first doubling, a
//! 750/s one after a few. After the first 429 nothing more is sent and the requests in flight
//! are awaited.
//!
//! The chase: from the shot's instant, requests are kept in flight for every token the centre
//! estimate says will have come by the time they arrive (a round trip ahead), plus a margin that
//! doubles every round trip without a 429, until the first 429 says the bucket is empty. That
//! 429 bounds the level from above within the requests in flight, the 2xx before it from below:
//! with the bucket kept empty, both sides are about `rate × round trip` tokens apart, where a
//! lone request at the token's instant would fall behind the bucket at once.

use tokio::time::{Duration, sleep};

use super::Target;
use super::fit::Fit;
use super::run::{Prober, Sent};

/// A drain that has seen no 429 for this long doubles its window, seconds.
pub const GROW_S: f64 = 0.2;
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
            if !limited && self.window < cap && self.now() >= grow_at {
                self.window = (self.window * 2).min(cap);
                self.anchor = self.pending_index();
                grow_at = self.now() + GROW_S;
            }
        }
    }

    /// The chase (see the module docs) on the estimate `f`, taking at least to `level`; ends at
    /// the first 429, at `end`, or when the probe must stop, with every answer awaited.
    pub(super) async fn chase(&mut self, f: &Fit, level: u64, end: f64) {
        let mut margin = 1.0;
        let round_trip = self.latency.max(TICK_S);
        let mut next_doubling = self.now() + round_trip;
        loop {
            let now = self.now();
            if now >= next_doubling {
                margin *= 2.0;
                next_doubling = now + round_trip;
            }
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
                // Nothing due yet: the estimate's next token is still to come.
                sleep(Duration::from_secs_f64(TICK_S)).await;
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
