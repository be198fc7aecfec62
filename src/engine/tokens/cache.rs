//! The `cache` strategy: one token per (client, audience, scope). While a token is valid every
//! caller gets it at once; from `exp − refresh_skew` the first caller starts one background
//! refresh (others keep using the valid token). With no valid token, one caller fetches and the
//! rest wait for that single flight and share its result, success or failure — no storms.
//! Single-threaded (current-thread runtime): `Rc`/`RefCell`, never held across an await.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;
use std::time::Duration;

#[cfg(test)]
use tokio::task::LocalSet;

use tokio::sync::Notify;
use tokio::time::Instant;

use super::{FetchError, Fetcher, Fresh, TokenKey};
use crate::scenario::Secret;

struct Held {
    token: Rc<Secret>,
    expires: Instant,
    refresh_at: Instant,
}

#[derive(Default)]
struct State {
    held: Option<Held>,
    refreshing: bool,
    /// Bumped by every finished flight, so waiters know theirs ended.
    generation: u64,
    failure: Option<FetchError>,
}

#[derive(Default)]
struct Slot {
    state: RefCell<State>,
    notify: Notify,
}

/// The shared token cache.
pub struct Cache {
    fetcher: Rc<dyn Fetcher>,
    skew: Duration,
    slots: RefCell<HashMap<TokenKey, Rc<Slot>>>,
    background: Rc<Cell<usize>>,
}

/// Ends a flight even if its future is dropped mid-way (a worker aborted at the drain).
struct Flight {
    slot: Rc<Slot>,
    skew: Duration,
    done: bool,
}

impl Flight {
    fn finish(mut self, result: &Result<Fresh, FetchError>) {
        self.done = true;
        let now = Instant::now();
        let mut st = self.slot.state.borrow_mut();
        st.refreshing = false;
        st.generation += 1;
        match result {
            Ok(fresh) => {
                st.held = Some(Held {
                    token: Rc::new(fresh.token.clone()),
                    expires: now + fresh.expires_in,
                    refresh_at: now + fresh.expires_in.saturating_sub(self.skew),
                });
                st.failure = None;
            }
            Err(e) => st.failure = Some(*e),
        }
        drop(st);
        self.slot.notify.notify_waiters();
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        if !self.done {
            let mut st = self.slot.state.borrow_mut();
            st.refreshing = false;
            st.generation += 1;
            st.failure = Some(FetchError::Refused);
            drop(st);
            self.slot.notify.notify_waiters();
        }
    }
}

impl Cache {
    pub fn new(fetcher: Rc<dyn Fetcher>, refresh_skew: Duration) -> Self {
        Cache {
            fetcher,
            skew: refresh_skew,
            slots: RefCell::new(HashMap::new()),
            background: Rc::new(Cell::new(0)),
        }
    }

    fn slot(&self, key: &TokenKey) -> Rc<Slot> {
        self.slots
            .borrow_mut()
            .entry(key.clone())
            .or_default()
            .clone()
    }

    pub fn background(&self) -> usize {
        self.background.get()
    }

    pub fn peek(&self, key: &TokenKey) -> Option<Rc<Secret>> {
        let slot = self.slots.borrow().get(key)?.clone();
        let st = slot.state.borrow();
        let held = st.held.as_ref()?;
        (Instant::now() < held.expires).then(|| held.token.clone())
    }

    /// The target refused `token` (a 401 on an API call): forget it if it is still the one held,
    /// so the next caller fetches a fresh one — once, shared — instead of every call failing
    /// until the planned refresh. A token already replaced, or a fetch under way, is left alone.
    pub fn reject(&self, key: &TokenKey, token: &Rc<Secret>) {
        let Some(slot) = self.slots.borrow().get(key).cloned() else {
            return;
        };
        let mut st = slot.state.borrow_mut();
        if st
            .held
            .as_ref()
            .is_some_and(|h| Rc::ptr_eq(&h.token, token))
        {
            st.held = None;
        }
    }

    fn spawn_refresh(&self, key: &TokenKey, slot: Rc<Slot>) {
        let fetch = self.fetcher.fetch(key);
        let flight = Flight {
            slot,
            skew: self.skew,
            done: false,
        };
        let background = self.background.clone();
        background.set(background.get() + 1);
        tokio::task::spawn_local(async move {
            let result = fetch.await;
            flight.finish(&result);
            background.set(background.get().saturating_sub(1));
        });
    }

    /// A valid token for `key`, fetching it (once, shared) if there is none.
    pub async fn get(&self, key: &TokenKey) -> Result<Rc<Secret>, FetchError> {
        let slot = self.slot(key);
        let mut seen_generation = None;
        loop {
            let notified = slot.notify.notified();
            match self.step(key, &slot, &mut seen_generation) {
                Step::Have(result) => return result,
                Step::Wait => notified.await,
                Step::Fetch => {
                    let flight = Flight {
                        slot: slot.clone(),
                        skew: self.skew,
                        done: false,
                    };
                    let result = self.fetcher.fetch(key).await;
                    flight.finish(&result);
                    return result.map(|f| Rc::new(f.token));
                }
            }
        }
    }

    /// Decides, without awaiting, what a caller does next.
    fn step(&self, key: &TokenKey, slot: &Rc<Slot>, seen: &mut Option<u64>) -> Step {
        let now = Instant::now();
        let mut st = slot.state.borrow_mut();
        if let Some(held) = st.held.as_ref().filter(|h| now < h.expires) {
            let token = held.token.clone();
            if now >= held.refresh_at && !st.refreshing {
                st.refreshing = true;
                drop(st);
                self.spawn_refresh(key, slot.clone());
            }
            return Step::Have(Ok(token));
        }
        if seen.is_some_and(|g| st.generation != g) && !st.refreshing {
            // Our flight ended without a valid token: share its failure.
            return Step::Have(Err(st.failure.unwrap_or(FetchError::Refused)));
        }
        if st.refreshing {
            *seen = Some(st.generation);
            Step::Wait
        } else {
            st.refreshing = true;
            Step::Fetch
        }
    }
}

enum Step {
    Have(Result<Rc<Secret>, FetchError>),
    Wait,
    Fetch,
}

#[cfg(test)]
mod tests;
