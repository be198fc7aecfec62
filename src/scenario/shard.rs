//! Sharded runs: one scenario spread over N processes (pods, hosts), each running shard `I/N`.
//!
//! The split is a pure transformation of a resolved [`RunPlan`], so the engine only asks
//! [`ShardPlan::owns`] per arrival and never knows how the plan was cut:
//!
//! - **Arrivals**: shard I takes the global arrivals `g` (counted over all phases) with
//!   `g % N == I`, so the N schedules interleave and their union is exactly the single run's.
//! - **Operation picks** stay on the scenario seed's stream (every shard draws once per global
//!   arrival and keeps its own), so the union also has the single run's operation for every
//!   arrival. Everything else random (retry jitter) uses the shard's own seed, derived from the
//!   scenario seed and I ([`derive_seed`]), so shards do not jitter in lockstep.
//! - **Budgets** (`stop.max_requests`, `stop.max_tokens`, every phase's `max_in_flight`) are
//!   split exactly: `floor(B / N)`, plus one for the first `B mod N` shards, so the shards' budgets
//!   add up to the single run's. A budget smaller than N would leave a shard with 0: refused.
//! - **Events** (`[[events]]`) run on shard 0 only: the tenant is shared, a secret rotates once.
//! - **Thresholds** that grow with the rate are divided by N ([`scales_with_rate`]).
//!
//! Owns no flags (`--shard` is the CLI's) and no report keys (the engine writes them).

use std::fmt;
use std::str::FromStr;

use super::plan::{RunPlan, ThresholdMetric};

/// Which share of a run this process takes: shard `index` of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

/// Largest shard count accepted (a sanity bound, far above any real fleet of load pods).
pub const MAX_SHARDS: u64 = 10_000;

impl FromStr for Shard {
    type Err = String;

    /// Parses `I/N` with `0 <= I < N`, e.g. `0/3`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| format!("{why}; expected I/N with 0 <= I < N, e.g. 0/3, got {s:?}");
        let (i, n) = s.trim().split_once('/').ok_or_else(|| bad("no '/'"))?;
        let index: u64 = i.trim().parse().map_err(|_| bad("I is not a number"))?;
        let count: u64 = n.trim().parse().map_err(|_| bad("N is not a number"))?;
        if count == 0 || count > MAX_SHARDS {
            return Err(bad(&format!("N must be 1 to {MAX_SHARDS}")));
        }
        if index >= count {
            return Err(bad("I must be below N (shards count from 0)"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// This shard's part of a budget of `total`: `floor(total / N)`, plus one for the first
    /// `total mod N` shards. The parts of all shards add up to `total`.
    pub fn share(&self, total: u64) -> u64 {
        total / self.count + u64::from(self.index < total % self.count)
    }

    /// True when global arrival `g` belongs to this shard.
    pub fn owns(&self, g: u64) -> bool {
        g % self.count == self.index
    }
}

/// A plan's shard: which one, and the scenario seed operation picks follow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardPlan {
    pub shard: Shard,
    /// The scenario's seed (before derivation): the operation-pick stream all shards share.
    pub base_seed: u64,
    /// SHA-256 (hex) of the scenario file, so `merge` can refuse shards of different files.
    pub scenario_sha256: String,
}

impl ShardPlan {
    pub fn owns(&self, g: u64) -> bool {
        self.shard.owns(g)
    }
}

/// The seed of shard `index` (splitmix64 of the scenario seed and the index): distinct per
/// shard, the same on every run of the same shard.
pub fn derive_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Thresholds on quantities that grow with the arrival rate (`min_achieved_rps`,
/// `max_quota_pct`): a shard carries 1/N of the rate, so its limit is divided by N, and `merge`
/// multiplies it back. Latencies and ratios do not scale.
pub fn scales_with_rate(metric: ThresholdMetric) -> bool {
    matches!(
        metric,
        ThresholdMetric::MinAchievedRps | ThresholdMetric::MaxQuotaPct
    )
}

/// Why a plan cannot be split.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{key} = {value} cannot be split over {count} shards (each needs at least 1); raise it to at least {count} or use fewer shards"
)]
pub struct ShardError {
    pub key: String,
    pub value: u64,
    pub count: u64,
}

impl RunPlan {
    /// This plan cut down to `shard` (see the module docs). `scenario_sha256` identifies the
    /// scenario file for `merge`.
    pub fn into_shard(mut self, shard: Shard, scenario_sha256: String) -> Result<Self, ShardError> {
        // Refused on every shard alike (not only the ones left with 0), so a fleet never
        // starts half its shards.
        let split = |key: String, value: u64| {
            let part = shard.share(value);
            if value < shard.count {
                Err(ShardError {
                    key,
                    value,
                    count: shard.count,
                })
            } else {
                Ok(part)
            }
        };
        if let Some(m) = self.stop.max_requests {
            self.stop.max_requests = Some(split("stop.max_requests".into(), m)?);
        }
        if let Some(m) = self.stop.max_tokens {
            self.stop.max_tokens = Some(split("stop.max_tokens".into(), m)?);
        }
        for (i, phase) in self.phases.iter_mut().enumerate() {
            let key = format!("phases[{i}].max_in_flight");
            let part = split(key, phase.max_in_flight as u64)?;
            phase.max_in_flight = usize::try_from(part).unwrap_or(usize::MAX);
        }
        if shard.index != 0 {
            self.events.clear();
        }
        for t in &mut self.thresholds {
            if scales_with_rate(t.metric) {
                t.limit /= shard.count as f64;
            }
        }
        let base_seed = self.seed;
        self.seed = derive_seed(base_seed, shard.index);
        self.shard = Some(ShardPlan {
            shard,
            base_seed,
            scenario_sha256,
        });
        Ok(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_refuses() {
        assert_eq!("0/3".parse(), Ok(Shard { index: 0, count: 3 }));
        assert_eq!(" 2 / 3 ".parse(), Ok(Shard { index: 2, count: 3 }));
        for bad in ["3/3", "1/0", "a/3", "1", "-1/3", "1/3/4", "", "0/10001"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad:?} accepted");
        }
        let e = "3/3".parse::<Shard>().err().unwrap_or_default();
        assert!(
            e.contains("I must be below N") && e.contains("\"3/3\""),
            "{e}"
        );
    }

    #[test]
    fn shares_add_up_and_arrivals_partition() {
        for count in 1..=7u64 {
            for total in [0u64, 1, 6, 7, 100, 101] {
                let shards = (0..count).map(|index| Shard { index, count });
                let parts: Vec<u64> = shards.clone().map(|s| s.share(total)).collect();
                assert_eq!(parts.iter().sum::<u64>(), total, "{total} over {count}");
                assert!(parts.windows(2).all(|w| w[0] >= w[1] && w[0] - w[1] <= 1));
                // Arrivals: every g belongs to exactly one shard, and shard I owns share(total).
                for s in shards {
                    let owned = (0..total).filter(|&g| s.owns(g)).count() as u64;
                    assert_eq!(owned, s.share(total));
                }
            }
        }
    }

    #[test]
    fn seeds_differ_per_shard_and_repeat() {
        let seeds: Vec<u64> = (0..5).map(|i| derive_seed(42, i)).collect();
        let mut unique = seeds.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), 5);
        assert_eq!(derive_seed(42, 3), seeds[3]);
        assert_ne!(derive_seed(43, 0), seeds[0]);
    }
}
