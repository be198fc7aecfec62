//! Weighted choice of the next operation or flow, from a seeded RNG so runs repeat. Operations
//! come first, in plan order, then flows: a scenario without flows picks exactly as before.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::scenario::{FlowPlan, OperationPlan};

/// What an arrival runs: operation `op`, or flow `flow` (then `op` is its first step's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Picked {
    pub op: usize,
    pub flow: Option<usize>,
}

/// Cumulative weights of the plan's operations, then its flows.
#[derive(Debug, Clone)]
pub struct Pick {
    cumulative: Vec<u64>,
    targets: Vec<Picked>,
}

impl Pick {
    pub fn new(ops: &[OperationPlan]) -> Self {
        Pick::with_flows(ops, &[])
    }

    pub fn with_flows(ops: &[OperationPlan], flows: &[FlowPlan]) -> Self {
        let mut sum = 0;
        let mut cumulative = Vec::new();
        let mut targets = Vec::new();
        for (op, o) in ops.iter().enumerate() {
            sum += u64::from(o.weight);
            cumulative.push(sum);
            targets.push(Picked { op, flow: None });
        }
        for (f, flow) in flows.iter().enumerate() {
            let Some(op) = flow.first_op() else { continue };
            sum += u64::from(flow.weight);
            cumulative.push(sum);
            targets.push(Picked { op, flow: Some(f) });
        }
        Pick {
            cumulative,
            targets,
        }
    }

    /// The next arrival's operation or flow; `None` only if every weight is 0 (validation
    /// forbids it).
    pub fn next(&self, rng: &mut ChaCha8Rng) -> Option<Picked> {
        let total = *self.cumulative.last()?;
        if total == 0 {
            return None;
        }
        let x = rng.random_range(0..total);
        self.targets
            .get(self.cumulative.partition_point(|&c| c <= x))
            .copied()
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
                headers: vec![],
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
                .map(|_| pick.next(&mut rng).map_or(99, |p| p.op))
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

    /// Flows are picked by their weight after the operations; a flow's arrival runs its first
    /// step's operation, and adding a flow leaves the operations' picks unchanged in kind.
    #[test]
    fn flows_are_picked_by_weight_after_the_operations() {
        use crate::scenario::{FlowPlan, StepPlan, Think};
        let step = |op| StepPlan {
            op,
            think: Think::default(),
            captures: vec![],
        };
        let flows = [FlowPlan {
            name: "f".into(),
            weight: 3,
            steps: vec![step(1), step(2)],
        }];
        let pick = Pick::with_flows(&[op(1), op(0), op(0)], &flows);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let picks: Vec<Picked> = (0..8_000).filter_map(|_| pick.next(&mut rng)).collect();
        let flow = picks.iter().filter(|p| p.flow == Some(0)).count();
        assert!(picks.iter().all(|p| p.flow.is_some() == (p.op == 1)));
        assert!(
            picks.iter().all(|p| p.op != 2),
            "later steps are never picked"
        );
        assert!(
            (5_700..6_300).contains(&flow),
            "{flow} of 8,000 for weight 3/4"
        );
    }
}
