//! The run's per-request data: the [`Feed`] of its data files and generators, and what each
//! operation's template needs from it. Opened at start only when some template has holes; a
//! worker draws one request's values just before it sends ([`RunData::draw`]).

use std::cell::RefCell;

use super::EngineError;
use crate::data::{Feed, Needs, Values};
use crate::ops::Template;
use crate::scenario::RunPlan;

/// What a request's draw gave.
pub enum Draw {
    /// The operation has no holes.
    None,
    Values(Values),
    /// A `once` file it reads is used up (or stopped reading): the run's data is exhausted.
    Exhausted,
}

pub struct RunData {
    feed: RefCell<Feed>,
    /// By plan operation index (a flow step's are empty: its flow draws for it).
    needs: Vec<Needs>,
    /// By plan flow index: every step's holes but the captures, drawn once per flow.
    flow_needs: Vec<Needs>,
}

impl RunData {
    /// `None` when no template has holes. A sharded run reads only its share of each file's
    /// rows (row r goes to shard r mod N), so a `once` file is used exactly once over all shards.
    pub fn open(plan: &RunPlan, templates: &[Template]) -> Result<Option<Self>, EngineError> {
        if !templates.iter().any(Template::has_holes) {
            return Ok(None);
        }
        let (files, vars) = plan.data.feed_parts();
        let shard = plan.shard.as_ref().map(|s| (s.shard.index, s.shard.count));
        let feed = Feed::open(&files, vars, plan.seed, shard).map_err(EngineError::Data)?;
        let step_of = |op: usize| {
            plan.flows
                .iter()
                .any(|f| f.steps.iter().any(|s| s.op == op))
        };
        let needs = templates
            .iter()
            .zip(&plan.operations)
            .enumerate()
            .map(|(i, (t, o))| {
                let names = if step_of(i) { vec![] } else { t.hole_names() };
                feed.needs(names.iter().map(String::as_str))
                    .map_err(|hole| EngineError::Hole {
                        operation: o.name.clone(),
                        hole,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let flow_needs = plan
            .flows
            .iter()
            .map(|f| {
                let captured: Vec<&str> = f
                    .steps
                    .iter()
                    .flat_map(|s| s.captures.iter().map(|c| c.name.as_str()))
                    .collect();
                let mut names: Vec<String> = Vec::new();
                for s in &f.steps {
                    for h in templates
                        .get(s.op)
                        .map(Template::hole_names)
                        .unwrap_or_default()
                    {
                        if !captured.contains(&h.as_str()) && !names.contains(&h) {
                            names.push(h);
                        }
                    }
                }
                feed.needs(names.iter().map(String::as_str))
                    .map_err(|hole| EngineError::Hole {
                        operation: f.name.clone(),
                        hole,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(RunData {
            feed: RefCell::new(feed),
            needs,
            flow_needs,
        }))
    }

    /// The values for operation `op`'s request of arrival number `n`.
    pub fn draw(&self, op: usize, n: u64) -> Draw {
        self.draw_from(self.needs.get(op), n)
    }

    /// The values for every step of flow `flow`'s arrival number `n` (one data row per file
    /// for the whole flow, so its steps see the same record).
    pub fn draw_flow(&self, flow: usize, n: u64) -> Draw {
        self.draw_from(self.flow_needs.get(flow), n)
    }

    fn draw_from(&self, needs: Option<&Needs>, n: u64) -> Draw {
        let Some(needs) = needs.filter(|n| !n.is_empty()) else {
            return Draw::None;
        };
        match self.feed.borrow_mut().draw(needs, n, crate::clock::now()) {
            Ok(Some(v)) => Draw::Values(v),
            Ok(None) | Err(_) => Draw::Exhausted,
        }
    }
}
