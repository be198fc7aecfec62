//! The messages from scheduler, workers, token fetches and events to the one recorder task, and
//! the cheap [`Sink`] handle that sends them. Unbounded on purpose: the recorder runs on the same
//! thread and does O(1) work per message, and an unbounded channel keeps messages in send order
//! (a request's `Dispatched` always precedes the watermark that could close its second).

use std::time::Duration;

use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender, unbounded_channel};

use crate::metrics::{DropReason, EventRow, FlowEnd, Outcome, Sample};

#[derive(Debug)]
pub enum Msg {
    Dispatched {
        op: usize,
        intended: Duration,
    },
    Dropped {
        op: usize,
        intended: Duration,
        reason: DropReason,
        dispatched: bool,
    },
    Attempt {
        op: usize,
        outcome: Outcome,
        bad_headers: u32,
    },
    Done(Sample),
    /// A token request of `op` was refused by the monthly quota, answered `at` since start
    /// (sent before its `Done`).
    QuotaRefused {
        op: usize,
        at: Duration,
    },
    /// The token cache just stored a token for `audience` (cache key `key`) that it will refresh
    /// every `refresh_every`: the steady-state cost the quota projection uses.
    CachedToken {
        audience: String,
        key: String,
        refresh_every: Duration,
    },
    /// Every arrival intended before this second has been handed out or dropped.
    Advance(u64),
    /// A flow arrival was picked (before any drop decision).
    FlowScheduled(usize),
    /// A flow arrival ended; `took` from its intended start to its end.
    FlowEnded {
        flow: usize,
        end: FlowEnd,
        took: Duration,
    },
    /// A new phase began (for progress bars).
    Phase(usize),
    Event(EventRow),
    /// No more messages: hand the aggregates back.
    Finish,
}

#[derive(Clone)]
pub struct Sink(UnboundedSender<Msg>);

pub fn channel() -> (Sink, UnboundedReceiver<Msg>) {
    let (tx, rx) = unbounded_channel();
    (Sink(tx), rx)
}

impl Sink {
    /// Sending fails only after the recorder finished; late messages are then moot.
    pub fn send(&self, msg: Msg) {
        let _ = self.0.send(msg);
    }

    pub fn dispatched(&self, op: usize, intended: Duration) {
        self.send(Msg::Dispatched { op, intended });
    }

    /// An arrival that will not run: its operation (for a flow, its first step's) is dropped,
    /// and so is the flow.
    pub fn dropped_arrival(
        &self,
        op: usize,
        flow: Option<usize>,
        intended: Duration,
        reason: DropReason,
        dispatched: bool,
    ) {
        self.dropped(op, intended, reason, dispatched);
        if let Some(f) = flow {
            self.flow_ended(f, FlowEnd::Dropped, Duration::ZERO);
        }
    }

    pub fn flow_ended(&self, flow: usize, end: FlowEnd, took: Duration) {
        self.send(Msg::FlowEnded { flow, end, took });
    }

    pub fn dropped(&self, op: usize, intended: Duration, reason: DropReason, dispatched: bool) {
        self.send(Msg::Dropped {
            op,
            intended,
            reason,
            dispatched,
        });
    }
}
