//! Single-flight behaviour of the token cache, on paused tokio time.

#![allow(clippy::unwrap_used)]

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use super::*;
use crate::engine::tokens::{FetchFuture, TokenKey};
use crate::metrics::TokenFailure;

/// Counts fetches; each takes 100 ms and issues a token living `lifetime`, or fails.
struct Fake {
    calls: Rc<Cell<u32>>,
    lifetime: Duration,
    fail: Rc<Cell<bool>>,
}

impl Fetcher for Fake {
    fn fetch(&self, _key: &TokenKey) -> FetchFuture {
        let calls = self.calls.clone();
        let fail = self.fail.get();
        let lifetime = self.lifetime;
        Box::pin(async move {
            calls.set(calls.get() + 1);
            let n = calls.get();
            tokio::time::sleep(Duration::from_millis(100)).await;
            if fail {
                Err(FetchError::Failed(TokenFailure::Http(401)))
            } else {
                Ok(Fresh {
                    token: Secret::new(format!("t{n}")),
                    expires_in: lifetime,
                })
            }
        })
    }
}

fn key() -> TokenKey {
    TokenKey {
        client: 0,
        audience: "https://api/".into(),
        scope: None,
    }
}

fn setup(lifetime: Duration, skew: Duration) -> (Rc<Cache>, Rc<Cell<u32>>, Rc<Cell<bool>>) {
    let calls = Rc::new(Cell::new(0));
    let fail = Rc::new(Cell::new(false));
    let fake = Fake {
        calls: calls.clone(),
        lifetime,
        fail: fail.clone(),
    };
    (Rc::new(Cache::new(Rc::new(fake), skew)), calls, fail)
}

async fn many(cache: &Rc<Cache>, n: usize) -> Vec<Result<String, FetchError>> {
    let handles: Vec<_> = (0..n)
        .map(|_| {
            let c = cache.clone();
            tokio::task::spawn_local(
                async move { c.get(&key()).await.map(|t| t.expose().to_string()) },
            )
        })
        .collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test(start_paused = true)]
async fn concurrent_callers_share_one_fetch() {
    LocalSet::new()
        .run_until(async {
            let (cache, calls, _) = setup(Duration::from_secs(60), Duration::from_secs(10));
            let got = many(&cache, 50).await;
            assert_eq!(calls.get(), 1);
            assert!(got.iter().all(|r| r.as_deref() == Ok("t1")));
            // Still valid later: no new fetch.
            tokio::time::sleep(Duration::from_secs(30)).await;
            assert_eq!(many(&cache, 5).await[0].as_deref(), Ok("t1"));
            assert_eq!(calls.get(), 1);
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn refresh_ahead_of_expiry_happens_once_in_background() {
    LocalSet::new()
        .run_until(async {
            let (cache, calls, _) = setup(Duration::from_secs(60), Duration::from_secs(10));
            many(&cache, 1).await;
            // 55 s after issue: inside the skew window, still valid.
            tokio::time::sleep(Duration::from_secs(55)).await;
            let got = many(&cache, 20).await;
            // Everyone got the old, valid token at once; exactly one refresh started.
            assert!(got.iter().all(|r| r.as_deref() == Ok("t1")));
            assert_eq!(calls.get(), 2);
            assert_eq!(cache.background(), 1);
            tokio::time::sleep(Duration::from_millis(150)).await;
            assert_eq!(cache.background(), 0);
            assert_eq!(many(&cache, 3).await[0].as_deref(), Ok("t2"));
            assert_eq!(calls.get(), 2);
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn a_failed_flight_fails_its_waiters_without_a_storm() {
    LocalSet::new()
        .run_until(async {
            let (cache, calls, fail) = setup(Duration::from_secs(60), Duration::from_secs(10));
            fail.set(true);
            let got = many(&cache, 30).await;
            assert_eq!(calls.get(), 1, "one request for 30 callers");
            assert!(
                got.iter()
                    .all(|r| *r == Err(FetchError::Failed(TokenFailure::Http(401))))
            );
            // The next caller tries again (once).
            fail.set(false);
            assert_eq!(many(&cache, 4).await[0].as_deref(), Ok("t2"));
            assert_eq!(calls.get(), 2);
        })
        .await;
}

#[tokio::test(start_paused = true)]
async fn an_expired_token_is_never_handed_out() {
    LocalSet::new()
        .run_until(async {
            let (cache, calls, _) = setup(Duration::from_secs(5), Duration::ZERO);
            many(&cache, 1).await;
            tokio::time::sleep(Duration::from_secs(6)).await;
            assert!(cache.peek(&key()).is_none());
            assert_eq!(many(&cache, 3).await[0].as_deref(), Ok("t2"));
            assert_eq!(calls.get(), 2);
        })
        .await;
}
