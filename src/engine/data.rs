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
    /// By plan operation index.
    needs: Vec<Needs>,
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
        let needs = templates
            .iter()
            .zip(&plan.operations)
            .map(|(t, o)| {
                let names = t.hole_names();
                feed.needs(names.iter().map(String::as_str))
                    .map_err(|hole| EngineError::Hole {
                        operation: o.name.clone(),
                        hole,
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Some(RunData {
            feed: RefCell::new(feed),
            needs,
        }))
    }

    /// The values for operation `op`'s request of arrival number `n`.
    pub fn draw(&self, op: usize, n: u64) -> Draw {
        let Some(needs) = self.needs.get(op).filter(|n| !n.is_empty()) else {
            return Draw::None;
        };
        match self.feed.borrow_mut().draw(needs, n, crate::clock::now()) {
            Ok(Some(v)) => Draw::Values(v),
            Ok(None) | Err(_) => Draw::Exhausted,
        }
    }
}
