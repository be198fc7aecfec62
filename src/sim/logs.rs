//! The tenant log behind `GET /api/v2/logs`: a bounded ring of events the simulator produced
//! (token exchanges `seccft`/`feccft`, rate limits `api_limit`), newest first.

use std::collections::VecDeque;

use serde_json::{Value, json};

const CAPACITY: usize = 1_000;

#[derive(Debug, Default)]
pub struct Logs {
    entries: VecDeque<Value>,
    next: u64,
}

impl Logs {
    /// Record an event; `date` is RFC 3339, `client_id` may be empty.
    pub fn push(&mut self, date: &str, kind: &str, description: &str, client_id: &str) {
        self.next += 1;
        if self.entries.len() == CAPACITY {
            self.entries.pop_back();
        }
        self.entries.push_front(json!({
            "log_id": format!("{:056}", self.next), "date": date, "type": kind,
            "description": description, "client_id": client_id,
        }));
    }

    pub fn page(&self, page: usize, per_page: usize) -> Vec<Value> {
        self.entries
            .iter()
            .skip(page.saturating_mul(per_page))
            .take(per_page)
            .cloned()
            .collect()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }
}
