//! The simulator's own counters for `GET /__sim/stats`: tokens issued per client and audience,
//! 429s per bucket, requests per route pattern, requests and 429s per source IP. Tests compare these with what a client counted.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::Mutex;

use serde::Serialize;

#[derive(Debug, Default, Clone, Serialize)]
pub struct Counters {
    /// client_id -> audience -> tokens issued by client credentials.
    pub tokens_issued: BTreeMap<String, BTreeMap<String, u64>>,
    /// Tokens from `/__sim/manual-token` (never counted toward the quota).
    pub manual_tokens: u64,
    /// Bucket name -> 429 responses it caused.
    pub rate_limited: BTreeMap<String, u64>,
    /// "METHOD /path/{pattern}" -> requests received.
    pub requests: BTreeMap<String, u64>,
    /// Fault kind (see `faults::KINDS`) -> requests it was injected into.
    pub faults: BTreeMap<String, u64>,
    /// Source IP -> requests received from it and 429s answered to it (counted routes only).
    pub sources: BTreeMap<String, SourceCounts>,
}

/// What one source address sent and how many of its requests got a 429 (any bucket or quota).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SourceCounts {
    pub requests: u64,
    pub status_429: u64,
}

#[derive(Debug, Default)]
pub struct Stats {
    inner: Mutex<Counters>,
}

impl Stats {
    fn with<R>(&self, f: impl FnOnce(&mut Counters) -> R) -> R {
        let mut guard = match self.inner.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        f(&mut guard)
    }

    pub fn token_issued(&self, client_id: &str, audience: &str) {
        self.with(|c| {
            *c.tokens_issued
                .entry(client_id.to_string())
                .or_default()
                .entry(audience.to_string())
                .or_default() += 1;
        });
    }

    pub fn manual_token(&self) {
        self.with(|c| c.manual_tokens += 1);
    }

    pub fn fault(&self, kind: &str) {
        self.with(|c| *c.faults.entry(kind.to_string()).or_default() += 1);
    }

    pub fn rate_limited(&self, bucket: &str) {
        self.with(|c| *c.rate_limited.entry(bucket.to_string()).or_default() += 1);
    }

    pub fn request(&self, method: &str, pattern: &str) {
        self.with(|c| {
            let key = format!("{method} {pattern}");
            match c.requests.get_mut(&key) {
                Some(n) => *n += 1,
                None => {
                    c.requests.insert(key, 1);
                }
            }
        });
    }

    /// One request from `ip` answered; `limited` when the answer was a 429.
    pub fn source(&self, ip: IpAddr, limited: bool) {
        self.with(|c| {
            let e = c.sources.entry(ip.to_string()).or_default();
            e.requests += 1;
            e.status_429 += u64::from(limited);
        });
    }

    pub fn snapshot(&self) -> Counters {
        self.with(|c| c.clone())
    }
}
