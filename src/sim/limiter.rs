//! The tenant's live buckets, keyed by bucket name (one tenant per simulator, so the name is the
//! whole key). Checks a request against every bucket that applies and takes a token from each only
//! if all have one. Which buckets apply is the tier's business (`tier.rs`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use super::bucket::{Bucket, Refill, Snapshot};
use super::tier::LimitSpec;

/// The outcome of one check: allowed or not, and the bucket the headers describe.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    pub allowed: bool,
    /// On a 429, the (first) bucket that had no token; else the tightest bucket after the take.
    pub bucket: String,
    pub snapshot: Snapshot,
}

/// All buckets of one tenant.
#[derive(Debug, Default)]
pub struct Limiter {
    refill: Refill,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Limiter {
    pub fn new(refill: Refill) -> Self {
        Limiter {
            refill,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Check `wanted` buckets at `now`; `None` when no bucket applies (unlimited).
    pub fn check(&self, wanted: &[(String, &LimitSpec)], now: Duration) -> Option<Verdict> {
        if wanted.is_empty() {
            return None;
        }
        let mut map = match self.buckets.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut denied: Option<&str> = None;
        for (name, spec) in wanted {
            let bucket = map
                .entry(name.clone())
                .or_insert_with(|| Bucket::new(spec.bucket(self.refill), now));
            if !bucket.has_token(now) && denied.is_none() {
                denied = Some(name);
            }
        }
        if let Some(name) = denied {
            let snapshot = map.get_mut(name)?.snapshot(now);
            return Some(Verdict {
                allowed: false,
                bucket: name.to_string(),
                snapshot,
            });
        }
        let mut best: Option<Verdict> = None;
        for (name, _) in wanted {
            let bucket = map.get_mut(name)?;
            bucket.take();
            let snapshot = bucket.snapshot(now);
            let tighter = match &best {
                None => true,
                Some(b) => {
                    (snapshot.remaining, snapshot.limit) < (b.snapshot.remaining, b.snapshot.limit)
                }
            };
            if tighter {
                best = Some(Verdict {
                    allowed: true,
                    bucket: name.clone(),
                    snapshot,
                });
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::sim::tier::Per;

    fn limit(burst: u64, rate: u64) -> LimitSpec {
        LimitSpec {
            burst,
            rate,
            per: Per::Second,
            source: "test".into(),
        }
    }

    #[test]
    fn both_buckets_must_have_a_token_and_only_then_both_pay() {
        let limiter = Limiter::new(Refill::Continuous);
        let (wide, narrow) = (limit(3, 1), limit(1, 1));
        let both = [
            ("tenant".to_string(), &wide),
            ("group".to_string(), &narrow),
        ];
        let first = limiter.check(&both, Duration::ZERO).unwrap();
        assert!(first.allowed);
        assert_eq!(
            (first.bucket.as_str(), first.snapshot.remaining),
            ("group", 0)
        );
        let second = limiter.check(&both, Duration::ZERO).unwrap();
        assert!(!second.allowed);
        assert_eq!(second.bucket, "group");
        // The denied request took nothing from the tenant bucket: 2 tokens are still there.
        let only_tenant = [("tenant".to_string(), &wide)];
        let v = limiter.check(&only_tenant, Duration::ZERO).unwrap();
        assert_eq!((v.allowed, v.snapshot.remaining), (true, 1));
        assert!(limiter.check(&[], Duration::ZERO).is_none());
    }
}
