//! The run's wall clock: what "now" is for every part that needs a calendar time (JWT `iat`/`exp`,
//! `x-ratelimit-reset`, `Retry-After` dates, the quota month, `now` generators, a static token's
//! expiry). In a real-time run it is the system's clock. In a fast-forward run
//! (`src/fastforward/`) it is virtual: the epoch at the start plus tokio's (paused, auto-advancing)
//! elapsed time, so calendar time and tokio time move together and a month passes in minutes.
//!
//! Why a thread-local and not a parameter: a fast-forward run drives the engine and the
//! simulator on one current-thread runtime, so one thread holds one run's clock; a real-time run
//! never sets it and reads [`SystemTime::now`] exactly as before (reports stay byte-identical).
//! A leaf: imports nothing of the crate, so ops, engine and sim may all read it.

use std::cell::Cell;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

thread_local! {
    /// The virtual clock of the run on this thread: (epoch at start, tokio instant at start).
    static VIRTUAL: Cell<Option<(SystemTime, Instant)>> = const { Cell::new(None) };
}

/// Now, on the run's clock: the system's, or the virtual one when this thread runs a
/// fast-forward run.
pub fn now() -> SystemTime {
    match VIRTUAL.with(Cell::get) {
        Some((epoch, start)) => epoch + Instant::now().saturating_duration_since(start),
        None => SystemTime::now(),
    }
}

/// True while this thread runs on a virtual clock.
pub fn is_virtual() -> bool {
    VIRTUAL.with(Cell::get).is_some()
}

/// Whole and fractional seconds since the UNIX epoch of `t` (0 before it).
pub fn epoch(t: SystemTime) -> Duration {
    t.duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or(Duration::ZERO)
}

/// 00:00 UTC on the 1st of `t`'s month: where a fast-forward run's calendar starts by default
/// (the quota month's start).
pub fn month_start(t: SystemTime) -> SystemTime {
    let secs = epoch(t).as_secs();
    let day = time::OffsetDateTime::from_unix_timestamp(i64::try_from(secs).unwrap_or(0))
        .map_or(1, |d| u64::from(d.day()));
    SystemTime::UNIX_EPOCH + Duration::from_secs(secs - secs % 86_400 - (day - 1) * 86_400)
}

/// The virtual clock of this thread while it lives: [`now`] is `epoch` plus the tokio time
/// elapsed since [`Virtual::start`] (call it inside the paused runtime, before the run starts).
/// Dropping it puts the thread back on the system's clock.
#[derive(Debug)]
pub struct Virtual {
    _not_send: std::marker::PhantomData<*const ()>,
}

impl Virtual {
    pub fn start(epoch: SystemTime) -> Self {
        VIRTUAL.with(|v| v.set(Some((epoch, Instant::now()))));
        Virtual {
            _not_send: std::marker::PhantomData,
        }
    }
}

impl Drop for Virtual {
    fn drop(&mut self) {
        VIRTUAL.with(|v| v.set(None));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn virtual_time_moves_with_tokio_time_and_ends_with_the_guard() {
        let epoch = SystemTime::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        assert!(!is_virtual());
        {
            let _clock = Virtual::start(epoch);
            assert!(is_virtual());
            assert_eq!(now(), epoch);
            tokio::time::sleep(Duration::from_secs(86_400 * 31)).await;
            assert_eq!(now(), epoch + Duration::from_secs(86_400 * 31));
        }
        assert!(!is_virtual());
        // 2027-01-14T10:20:30Z → 2027-01-01T00:00:00Z.
        let mid = SystemTime::UNIX_EPOCH + Duration::from_secs(1_799_922_030);
        assert_eq!(super::epoch(month_start(mid)).as_secs(), 1_798_761_600);
        assert_eq!(
            super::epoch(SystemTime::UNIX_EPOCH + Duration::from_millis(1_500)).as_millis(),
            1_500
        );
    }
}
