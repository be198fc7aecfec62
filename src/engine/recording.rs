//! The recorder task: the single owner of the run's [`Recorder`]. It drains the [`Msg`] channel in
//! order (every queued message per wake-up), redraws progress ~4×/s, checks abort thresholds ~1×/s on a live partial summary, keeps
//! event rows, and hands everything back on [`Msg::Finish`].

use std::rc::Rc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{Instant, MissedTickBehavior};

use super::abort;
use super::progress::Progress;
use super::sink::Msg;
use super::stop::{StopReason, Stopper};
use crate::metrics::{EventRow, QuotaContext, Recorder};
use crate::scenario::ThresholdPlan;

pub struct Recording {
    pub recorder: Recorder,
    pub events: Vec<EventRow>,
}

pub struct RecordTask {
    pub rx: UnboundedReceiver<Msg>,
    pub recorder: Recorder,
    pub progress: Progress,
    pub thresholds: Vec<ThresholdPlan>,
    pub quota: QuotaContext,
    pub stopper: Rc<Stopper>,
    pub t0: Instant,
}

impl RecordTask {
    fn handle(&mut self, msg: Msg, events: &mut Vec<EventRow>) {
        let r = &mut self.recorder;
        match msg {
            Msg::Dispatched { op, intended } => r.dispatched(op, intended),
            Msg::Dropped {
                op,
                intended,
                reason,
                dispatched,
            } => r.dropped(op, intended, reason, dispatched),
            Msg::Attempt {
                op,
                outcome,
                bad_headers,
            } => r.attempt(op, outcome, bad_headers),
            Msg::Done(sample) => r.record(&sample, true),
            Msg::QuotaRefused { op, at } => r.quota_refused(op, at),
            Msg::CachedToken {
                audience,
                key,
                refresh_every,
            } => r.cached_token(&audience, &key, refresh_every),
            Msg::Advance(second) => r.advance(second),
            Msg::FlowScheduled(f) => r.flow_scheduled(f),
            Msg::FlowEnded { flow, end, took } => r.flow_ended(flow, end, took),
            Msg::Phase(i) => self.progress.phase(i),
            Msg::Event(row) => events.push(row),
            Msg::Finish => {}
        }
    }

    fn check_abort(&self, elapsed: Duration) {
        if !abort::any(&self.thresholds) {
            return;
        }
        let names: Vec<String> = self.recorder.ops().iter().map(|o| o.name.clone()).collect();
        let s = elapsed.as_secs_f64();
        let summary = self.recorder.summary(s);
        let audiences = self.recorder.audience_rows(QuotaContext {
            run_s: s,
            ..self.quota
        });
        if let Some(what) = abort::breached(&self.thresholds, &names, &summary, &audiences) {
            self.stopper.trigger(StopReason::Threshold(what));
        }
    }

    pub async fn run(mut self) -> Recording {
        let mut events = Vec::new();
        let mut tick = tokio::time::interval(Duration::from_millis(250));
        tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
        let mut ticks = 0u64;
        'run: loop {
            tokio::select! {
                msg = self.rx.recv() => match msg {
                    None | Some(Msg::Finish) => break,
                    Some(m) => {
                        self.handle(m, &mut events);
                        // What else is queued, in order, without a select round (and a poll of
                        // the tick) per message. Senders share this thread, so it ends.
                        while let Ok(m) = self.rx.try_recv() {
                            if matches!(m, Msg::Finish) {
                                break 'run;
                            }
                            self.handle(m, &mut events);
                        }
                    }
                },
                _ = tick.tick() => {
                    let elapsed = self.t0.elapsed();
                    self.progress.update(elapsed, self.recorder.live());
                    ticks += 1;
                    if ticks.is_multiple_of(4) {
                        self.check_abort(elapsed);
                    }
                }
            }
        }
        self.progress
            .update(self.t0.elapsed(), self.recorder.live());
        self.progress.finish();
        Recording {
            recorder: self.recorder,
            events,
        }
    }
}
