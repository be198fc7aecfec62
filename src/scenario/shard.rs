//! Which share of a sharded run a process takes: shard `I/N` ([`Shard`]), its seed
//! ([`derive_seed`]) and the plan's record of it ([`ShardPlan`]). How a resolved plan is cut down
//! to one shard is [`super::split`]; this file is the leaf both the plan and the split use.
//!
//! - **Arrivals**: shard I takes the global arrivals `g` (counted over all phases) with
//!   `g % N == I`, so the N schedules interleave and their union is exactly the single run's.
//! - **Operation picks** stay on the scenario seed's stream (every shard draws once per global
//!   arrival and keeps its own), so the union also has the single run's operation for every
//!   arrival. Everything else random (retry jitter) uses the shard's own seed, derived from the
//!   scenario seed and I ([`derive_seed`]), so shards do not jitter in lockstep.
//!
//! Owns no flags (`--shard` is the CLI's) and no report keys (the engine writes them).

use std::fmt;
use std::str::FromStr;

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
