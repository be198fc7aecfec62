//! The tenant's live buckets, keyed by bucket name (one tenant per simulator, so the name is the
//! whole key) — plus the request's source IP for buckets keyed by IP (`key = "ip"`), so each
//! address gets its own. Checks a request against every bucket that applies and takes a token
//! from each only if all have one. Which buckets apply is the tier's business (`tier.rs`).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Duration;

use super::bucket::{Bucket, Refill, Snapshot};
use super::limit::LimitKey;
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

    /// Check `wanted` buckets at `now` for a request from `source`; `None` when no bucket
    /// applies (unlimited). The verdict names the bucket as the tier does (without the IP).
    pub fn check(
        &self,
        wanted: &[(String, &LimitSpec)],
        now: Duration,
        source: IpAddr,
    ) -> Option<Verdict> {
        if wanted.is_empty() {
            return None;
        }
        let keys: Vec<String> = wanted
            .iter()
            .map(|(name, spec)| match spec.key {
                LimitKey::Tenant => name.clone(),
                LimitKey::Ip => format!("{name}@{source}"),
            })
            .collect();
        let mut map = match self.buckets.lock() {
            Ok(map) => map,
            Err(poisoned) => poisoned.into_inner(),
        };
        let mut denied: Option<(&str, &str)> = None;
        for ((name, spec), key) in wanted.iter().zip(&keys) {
            let bucket = map
                .entry(key.clone())
                .or_insert_with(|| Bucket::new(spec.bucket(self.refill), now));
            if !bucket.has_token(now) && denied.is_none() {
                denied = Some((name, key));
            }
        }
        if let Some((name, key)) = denied {
            let snapshot = map.get_mut(key)?.snapshot(now);
            return Some(Verdict {
                allowed: false,
                bucket: name.to_string(),
                snapshot,
            });
        }
        let mut best: Option<Verdict> = None;
        for ((name, _), key) in wanted.iter().zip(&keys) {
            let bucket = map.get_mut(key)?;
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
            key: LimitKey::Tenant,
        }
    }

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 201, 0, 11));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 201, 0, 12));

    #[test]
    fn both_buckets_must_have_a_token_and_only_then_both_pay() {
        let limiter = Limiter::new(Refill::Continuous);
        let (wide, narrow) = (limit(3, 1), limit(1, 1));
        let both = [
            ("tenant".to_string(), &wide),
            ("group".to_string(), &narrow),
        ];
        let first = limiter.check(&both, Duration::ZERO, A).unwrap();
        assert!(first.allowed);
        assert_eq!(
            (first.bucket.as_str(), first.snapshot.remaining),
            ("group", 0)
        );
        let second = limiter.check(&both, Duration::ZERO, A).unwrap();
        assert!(!second.allowed);
        assert_eq!(second.bucket, "group");
        // The denied request took nothing from the tenant bucket: 2 tokens are still there.
        let only_tenant = [("tenant".to_string(), &wide)];
        let v = limiter.check(&only_tenant, Duration::ZERO, B).unwrap();
        assert_eq!((v.allowed, v.snapshot.remaining), (true, 1));
        assert!(limiter.check(&[], Duration::ZERO, A).is_none());
    }

    #[test]
    fn ip_keyed_buckets_are_one_per_source_and_tenant_buckets_are_shared() {
        let limiter = Limiter::new(Refill::Continuous);
        let per_ip = LimitSpec {
            key: LimitKey::Ip,
            ..limit(2, 1)
        };
        let wide = limit(5, 1);
        let both = [("ip".to_string(), &per_ip), ("tenant".to_string(), &wide)];
        let t = Duration::ZERO;
        let allowed = |ip| limiter.check(&both, t, ip).map(|v| (v.allowed, v.bucket));
        // A's bucket of 2 empties; B still has its own 2; the tenant's 5 is shared by both.
        assert_eq!(allowed(A), Some((true, "ip".into())));
        assert_eq!(allowed(A), Some((true, "ip".into())));
        assert_eq!(allowed(A), Some((false, "ip".into())));
        assert_eq!(allowed(B), Some((true, "ip".into())));
        assert_eq!(allowed(B), Some((true, "ip".into())));
        let third = IpAddr::V4(std::net::Ipv4Addr::new(10, 201, 0, 13));
        // 4 taken from the tenant: the fifth goes, the sixth is the tenant's 429.
        assert_eq!(allowed(third), Some((true, "tenant".into())));
        assert_eq!(allowed(third), Some((false, "tenant".into())));
        // One second later A has refilled one token of its own.
        let later = limiter.check(&[("ip".to_string(), &per_ip)], Duration::from_secs(1), A);
        assert_eq!(
            later.map(|v| (v.allowed, v.snapshot.remaining)),
            Some((true, 0))
        );
    }
}
