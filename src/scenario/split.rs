//! Sharded runs: one scenario spread over N processes (pods, hosts), each running shard `I/N`
//! ([`super::shard`]). The split is a pure transformation of a resolved [`RunPlan`], so the
//! engine only asks [`super::ShardPlan::owns`] per arrival and never knows how the plan was cut:
//!
//! - **Budgets** (`stop.max_requests`, `stop.max_tokens`, every phase's `max_in_flight`) are
//!   split exactly: `floor(B / N)`, plus one for the first `B mod N` shards, so the shards' budgets
//!   add up to the single run's. A budget smaller than N would leave a shard with 0: refused.
//! - **Events** (`[[events]]`) run on shard 0 only: the tenant is shared, a secret rotates once.
//! - **Thresholds** that grow with the rate are divided by N ([`scales_with_rate`]).
//! - **Seeds**: the plan's seed becomes the shard's own ([`super::shard::derive_seed`]); the
//!   scenario seed is kept as `base_seed` for operation picks.

use super::plan::{RunPlan, ThresholdMetric};
use super::shard::{Shard, ShardPlan, derive_seed};

/// Thresholds on quantities that grow with the arrival rate (`min_achieved_rps`,
/// `max_quota_pct`, `min_ok_rps`, `max_wire_rps`): a shard carries 1/N of the rate, so its limit is divided by N, and `merge`
/// multiplies it back. Latencies and ratios do not scale.
pub fn scales_with_rate(metric: ThresholdMetric) -> bool {
    matches!(
        metric,
        ThresholdMetric::MinAchievedRps
            | ThresholdMetric::MaxQuotaPct
            | ThresholdMetric::MinOkRps
            | ThresholdMetric::MaxWireRps
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
