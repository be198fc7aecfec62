//! The scheduler's clock: wakes at chosen points of the 1 ms grid counted from run start
//! ([`TICK`]), every tick while arrivals are due, straight to the next due arrival (or the next
//! phase, the end, a stop) when none is. Owns only the waiting; what is due is the
//! [`Pacer`](super::pacer::Pacer)'s.
//!
//! Two tokio timers take turns. Re-arming a timer that has fired to a deadline earlier than every
//! other pending timer makes tokio wake its I/O driver through an eventfd (a `write` and an extra
//! `epoll_wait` return) even though the driver is about to be polled anyway; with one interval
//! ticking every 1 ms that was one `write` and one extra `epoll_wait` per tick (BENCHMARKS.md,
//! "fewer wake-ups"). While ticking, the spare timer is always pending one tick ahead, so the
//! timer re-armed behind it is never the earliest and the driver is left alone.

use std::pin::Pin;
use std::time::Duration;

use tokio::time::{Instant, Sleep, sleep_until};

use super::stop::Stopper;

/// The scheduler's tick: the grid its wake-ups fall on.
pub const TICK: Duration = Duration::from_millis(1);

pub struct Ticker {
    t0: Instant,
    /// The timer the next [`wait`](Ticker::wait) sleeps on.
    current: Pin<Box<Sleep>>,
    /// Pending one tick after `current` while ticking.
    spare: Pin<Box<Sleep>>,
}

impl Ticker {
    pub fn new(t0: Instant) -> Self {
        Ticker {
            t0,
            current: Box::pin(sleep_until(t0)),
            spare: Box::pin(sleep_until(t0 + TICK)),
        }
    }

    /// The first grid point at or after `t` (run start if `t` is before it).
    pub fn at_or_after(&self, t: Instant) -> Instant {
        let since = t.saturating_duration_since(self.t0).as_nanos();
        let tick = TICK.as_nanos();
        let k = since.div_ceil(tick);
        self.t0 + Duration::from_nanos(u64::try_from(k * tick).unwrap_or(u64::MAX))
    }

    /// The first grid point strictly after `t`: where a tick that ran at `t` is next due (late
    /// ticks are skipped, never bunched).
    pub fn after(&self, t: Instant) -> Instant {
        self.at_or_after(t + Duration::from_nanos(1))
    }

    /// Sleeps until `wake`. A wait of more than one tick also ends when the run is told to stop,
    /// so sleeping through an idle stretch never delays a stop.
    pub async fn wait(&mut self, wake: Instant, stopper: &Stopper) {
        if self.spare.deadline() == wake {
            std::mem::swap(&mut self.current, &mut self.spare);
        } else {
            self.current.as_mut().reset(wake);
        }
        let next = wake + TICK;
        if self.spare.deadline() != next {
            self.spare.as_mut().reset(next);
        }
        if wake <= Instant::now() + TICK {
            self.current.as_mut().await;
        } else {
            tokio::select! {
                () = self.current.as_mut() => {}
                () = stopper.stopped() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn grid_points_and_waits() {
        let t0 = Instant::now();
        let mut ticker = Ticker::new(t0);
        let us = Duration::from_micros;
        assert_eq!(ticker.at_or_after(t0), t0);
        assert_eq!(ticker.at_or_after(t0 + us(1)), t0 + TICK);
        assert_eq!(ticker.at_or_after(t0 + us(1000)), t0 + TICK);
        assert_eq!(ticker.after(t0 + us(1000)), t0 + 2 * TICK);
        assert_eq!(ticker.after(t0 + us(2300)), t0 + 3 * TICK);
        // Before run start (never asked, but must not underflow): run start.
        assert_eq!(ticker.after(t0), t0 + TICK);
        let stopper = Stopper::default();
        // Tick by tick (the timers take turns), then a long sleep, then a tick again.
        for k in 1..=5u32 {
            ticker.wait(t0 + k * TICK, &stopper).await;
            assert_eq!(Instant::now(), t0 + k * TICK);
        }
        ticker.wait(t0 + 40 * TICK, &stopper).await;
        assert_eq!(Instant::now(), t0 + 40 * TICK);
        ticker.wait(t0 + 41 * TICK, &stopper).await;
        assert_eq!(Instant::now(), t0 + 41 * TICK);
    }

    #[tokio::test(start_paused = true)]
    async fn a_stop_ends_a_long_wait() {
        let t0 = Instant::now();
        let mut ticker = Ticker::new(t0);
        let stopper = std::rc::Rc::new(Stopper::default());
        let s = stopper.clone();
        let local = tokio::task::LocalSet::new();
        local
            .run_until(async move {
                tokio::task::spawn_local(async move {
                    tokio::time::sleep(Duration::from_millis(7)).await;
                    s.trigger(crate::engine::stop::StopReason::Signal);
                });
                ticker.wait(t0 + Duration::from_secs(5), &stopper).await;
                assert_eq!(Instant::now(), t0 + Duration::from_millis(7));
            })
            .await;
    }
}
