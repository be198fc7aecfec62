//! Weighted choice of the next operation, from a seeded RNG so runs repeat.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::scenario::OperationPlan;

/// Cumulative weights of the plan's operations.
#[derive(Debug, Clone)]
pub struct Pick {
    cumulative: Vec<u64>,
}

impl Pick {
    pub fn new(ops: &[OperationPlan]) -> Self {
        let mut sum = 0;
        let cumulative = ops
            .iter()
            .map(|o| {
                sum += u64::from(o.weight);
                sum
            })
            .collect();
        Pick { cumulative }
    }

    /// An operation index; `None` only if every weight is 0 (validation forbids it).
    pub fn next(&self, rng: &mut ChaCha8Rng) -> Option<usize> {
        let total = *self.cumulative.last()?;
        if total == 0 {
            return None;
        }
        let x = rng.random_range(0..total);
        Some(self.cumulative.partition_point(|&c| c <= x))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::OperationKind;
    use rand::SeedableRng;

    fn op(weight: u32) -> OperationPlan {
        OperationPlan {
            name: format!("w{weight}"),
            kind: OperationKind::Token {
                client: 0,
                audience: None,
                scope: None,
            },
            weight,
            throttle_per_s: None,
        }
    }

    #[test]
    fn same_seed_same_sequence_and_weights_hold() {
        let pick = Pick::new(&[op(9), op(0), op(1)]);
        let run = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..10_000)
                .map(|_| pick.next(&mut rng).unwrap_or(99))
                .collect::<Vec<_>>()
        };
        let a = run(7);
        assert_eq!(a, run(7));
        assert_ne!(a, run(8));
        let zero = a.iter().filter(|&&i| i == 0).count();
        assert!(a.iter().all(|&i| i == 0 || i == 2), "weight 0 never picked");
        assert!(
            (8_800..9_200).contains(&zero),
            "{zero} of 10,000 for weight 9/10"
        );
        assert_eq!(
            Pick::new(&[op(0)]).next(&mut ChaCha8Rng::seed_from_u64(1)),
            None
        );
    }
}
