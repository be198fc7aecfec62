//! Live progress on stderr: one indicatif bar per phase (elapsed / remaining, live rate, ok,
//! 429s, p99), redrawn by the recorder task about four times a second. Nothing at all when
//! disabled (quiet, or stderr is not a terminal).

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::metrics::LiveStats;
use crate::scenario::PhasePlan;

pub struct Progress {
    multi: Option<MultiProgress>,
    phases: Vec<(String, Duration, Duration)>,
    bar: Option<ProgressBar>,
    current: Option<usize>,
    last: (Duration, u64),
    rate: f64,
}

impl Progress {
    pub fn new(enabled: bool, phases: &[PhasePlan]) -> Self {
        let mut start = Duration::ZERO;
        let phases = phases
            .iter()
            .map(|p| {
                let s = start;
                start += p.duration;
                (p.name.clone(), s, p.duration)
            })
            .collect();
        Progress {
            multi: enabled
                .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(4))),
            phases,
            bar: None,
            current: None,
            last: (Duration::ZERO, 0),
            rate: 0.0,
        }
    }

    pub fn phase(&mut self, index: usize) {
        let Some(multi) = &self.multi else { return };
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
        let Some((name, _, duration)) = self.phases.get(index) else {
            return;
        };
        let bar = multi.add(ProgressBar::new(duration.as_millis() as u64));
        let style = ProgressStyle::with_template(
            "{prefix:>12} [{bar:30}] {elapsed_precise} / -{eta_precise} {msg}",
        )
        .map(|s| s.progress_chars("=> "));
        if let Ok(style) = style {
            bar.set_style(style);
        }
        bar.set_prefix(name.clone());
        self.bar = Some(bar);
        self.current = Some(index);
    }

    pub fn update(&mut self, elapsed: Duration, live: LiveStats) {
        let (Some(bar), Some(i)) = (&self.bar, self.current) else {
            return;
        };
        let start = self.phases.get(i).map_or(Duration::ZERO, |p| p.1);
        bar.set_position(elapsed.saturating_sub(start).as_millis() as u64);
        // The live rate over the last ≥ 200 ms (a final redraw right after one keeps the rate).
        let dt = elapsed.saturating_sub(self.last.0).as_secs_f64();
        if dt >= 0.2 {
            self.rate = live.sent.saturating_sub(self.last.1) as f64 / dt;
            self.last = (elapsed, live.sent);
        }
        let rate = self.rate;
        bar.set_message(format!(
            "{rate:>7.1}/s  ok {}  429 {}  dropped {}  p99 {:.1} ms",
            live.ok, live.status_429, live.dropped, live.p99_ms
        ));
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disabled_progress_draws_nothing_and_enabled_survives_every_call() {
        let phases = [PhasePlan {
            name: "p".into(),
            duration: Duration::from_secs(2),
            rate_per_s: 1.0,
            ramp_to_per_s: 1.0,
            max_in_flight: 1,
            concurrency: None,
        }];
        let mut off = Progress::new(false, &phases);
        off.phase(0);
        off.update(Duration::from_secs(1), LiveStats::default());
        assert!(off.bar.is_none());
        // Under `cargo test` stderr is no terminal: the bars exist but draw nowhere.
        let mut on = Progress::new(true, &phases);
        on.phase(0);
        on.phase(7); // past the last phase: ignored
        on.update(Duration::from_millis(500), LiveStats::default());
        on.finish();
        assert!(on.bar.is_none());
    }
}
