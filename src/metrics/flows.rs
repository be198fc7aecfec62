//! Flow accounting (`flows.csv`): per flow, how many arrivals were scheduled, dropped before
//! their first step, and how each started flow ended. A flow's steps are ordinary operations
//! with their own rows; this counts the flows themselves, so that
//! scheduled = dropped + completed + failed + capture_failed + stopped.

use std::time::Duration;

/// How one flow arrival ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowEnd {
    /// Not started: its first step was dropped (busy, late, stopping).
    Dropped,
    /// Every step answered 2xx and every capture was found.
    Completed,
    /// A step's final outcome was not 2xx: the flow ended there.
    Failed,
    /// A step answered 2xx but a capture was not in its response.
    CaptureFailed,
    /// The run stopped (Ctrl-C, a guard, the drain's end) before its next step.
    Stopped,
}

/// One row of `flows.csv`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FlowRow {
    pub flow: String,
    pub steps: u64,
    pub scheduled: u64,
    pub dropped: u64,
    pub completed: u64,
    pub failed: u64,
    pub capture_failed: u64,
    pub stopped: u64,
    /// Mean time from a completed flow's intended start to its last step's end, ms.
    pub mean_ms: f64,
}

impl FlowRow {
    /// Adds `other`'s counts (same flow, another shard); the mean is weighted by completions.
    pub fn add(&mut self, other: &FlowRow) {
        let total = self.mean_ms * self.completed as f64 + other.mean_ms * other.completed as f64;
        self.steps = self.steps.max(other.steps);
        self.scheduled += other.scheduled;
        self.dropped += other.dropped;
        self.completed += other.completed;
        self.failed += other.failed;
        self.capture_failed += other.capture_failed;
        self.stopped += other.stopped;
        self.mean_ms = if self.completed == 0 {
            0.0
        } else {
            total / self.completed as f64
        };
    }

    /// Flows that ended, one way or another.
    pub fn ended(&self) -> u64 {
        self.dropped + self.completed + self.failed + self.capture_failed + self.stopped
    }
}

/// The recorder's flow counters.
#[derive(Debug, Clone, Default)]
pub struct Flows {
    rows: Vec<FlowRow>,
    completed_time: Vec<Duration>,
}

impl Flows {
    /// One row per flow: (name, number of steps).
    pub fn new(flows: Vec<(String, u64)>) -> Self {
        Flows {
            completed_time: flows.iter().map(|_| Duration::ZERO).collect(),
            rows: flows
                .into_iter()
                .map(|(flow, steps)| FlowRow {
                    flow,
                    steps,
                    ..FlowRow::default()
                })
                .collect(),
        }
    }

    pub fn scheduled(&mut self, flow: usize) {
        if let Some(r) = self.rows.get_mut(flow) {
            r.scheduled += 1;
        }
    }

    pub fn ended(&mut self, flow: usize, end: FlowEnd, took: Duration) {
        let Some(r) = self.rows.get_mut(flow) else {
            return;
        };
        match end {
            FlowEnd::Dropped => r.dropped += 1,
            FlowEnd::Completed => {
                r.completed += 1;
                if let Some(t) = self.completed_time.get_mut(flow) {
                    *t += took;
                }
            }
            FlowEnd::Failed => r.failed += 1,
            FlowEnd::CaptureFailed => r.capture_failed += 1,
            FlowEnd::Stopped => r.stopped += 1,
        }
    }

    /// The rows; flows still running (cut off when the run ended) count as stopped.
    pub fn finish(mut self) -> Vec<FlowRow> {
        for (r, t) in self.rows.iter_mut().zip(&self.completed_time) {
            r.stopped += r.scheduled.saturating_sub(r.ended());
            r.mean_ms = if r.completed == 0 {
                0.0
            } else {
                (t.as_secs_f64() * 1000.0 / r.completed as f64 * 1000.0).round() / 1000.0
            };
        }
        self.rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scheduled_flow_ends_one_way_and_unfinished_ones_are_stopped() {
        let mut f = Flows::new(vec![("life".into(), 3)]);
        for _ in 0..7 {
            f.scheduled(0);
        }
        f.ended(0, FlowEnd::Dropped, Duration::ZERO);
        f.ended(0, FlowEnd::Completed, Duration::from_millis(10));
        f.ended(0, FlowEnd::Completed, Duration::from_millis(30));
        f.ended(0, FlowEnd::Failed, Duration::from_millis(1));
        f.ended(0, FlowEnd::CaptureFailed, Duration::from_millis(1));
        f.ended(9, FlowEnd::Failed, Duration::ZERO); // no such flow: ignored
        let rows = f.finish();
        let r = &rows[0];
        assert_eq!(
            (
                r.scheduled,
                r.dropped,
                r.completed,
                r.failed,
                r.capture_failed,
                r.stopped
            ),
            (7, 1, 2, 1, 1, 2)
        );
        assert_eq!(r.ended(), r.scheduled);
        assert!((r.mean_ms - 20.0).abs() < 1e-9, "{}", r.mean_ms);
        let mut sum = r.clone();
        sum.add(&FlowRow {
            completed: 2,
            mean_ms: 40.0,
            scheduled: 2,
            ..FlowRow::default()
        });
        assert_eq!((sum.scheduled, sum.completed), (9, 4));
        assert!((sum.mean_ms - 30.0).abs() < 1e-9);
    }
}
