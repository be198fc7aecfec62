//! Live progress on stderr, fed by the recorder task about four times a second: on a terminal
//! one indicatif bar per phase (elapsed and time left in the phase, live rate, ok, 429s, p99);
//! elsewhere (a CI log) one plain line every `--progress-every` (elapsed, sent, ok, 429,
//! errors, dropped, current rps). Nothing at all when off (quiet, or lines at interval zero).

use std::io::Write as _;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::metrics::LiveStats;
use crate::scenario::PhasePlan;

/// How progress shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Off,
    Bars,
    /// One line per interval.
    Lines(Duration),
}

/// Bars on a terminal, lines elsewhere (none at interval zero), nothing when `on` is false.
pub fn mode(on: bool, every: Duration, terminal: bool) -> Mode {
    match (on, terminal) {
        (false, _) => Mode::Off,
        (true, true) => Mode::Bars,
        (true, false) if every.is_zero() => Mode::Off,
        (true, false) => Mode::Lines(every),
    }
}

/// Plain-line state: the interval, when the next line is due, the last line's (elapsed, sent).
struct Lines {
    every: Duration,
    next: Duration,
    last: (Duration, u64),
}

pub struct Progress {
    multi: Option<MultiProgress>,
    lines: Option<Lines>,
    phases: Vec<(String, Duration, Duration)>,
    bar: Option<ProgressBar>,
    current: Option<usize>,
    last: (Duration, u64),
    rate: f64,
}

impl Progress {
    pub fn new(mode: Mode, phases: &[PhasePlan]) -> Self {
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
            multi: (mode == Mode::Bars)
                .then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr_with_hz(4))),
            lines: match mode {
                Mode::Lines(every) => Some(Lines {
                    every,
                    next: every,
                    last: (Duration::ZERO, 0),
                }),
                _ => None,
            },
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
        let style = ProgressStyle::with_template("{prefix:>12} [{bar:30}] {msg}")
            .map(|s| s.progress_chars("=> "));
        if let Ok(style) = style {
            bar.set_style(style);
        }
        bar.set_prefix(name.clone());
        self.bar = Some(bar);
        self.current = Some(index);
    }

    pub fn update(&mut self, elapsed: Duration, live: LiveStats) {
        if let Some(lines) = &mut self.lines
            && elapsed >= lines.next
        {
            let text = line(elapsed, &live, lines.last);
            let _ = std::io::stderr().lock().write_all(text.as_bytes());
            lines.last = (elapsed, live.sent);
            while lines.next <= elapsed {
                lines.next += lines.every;
            }
        }
        let (Some(bar), Some(i)) = (&self.bar, self.current) else {
            return;
        };
        let (start, duration) = self
            .phases
            .get(i)
            .map_or((Duration::ZERO, Duration::ZERO), |p| (p.1, p.2));
        let in_phase = elapsed.saturating_sub(start);
        bar.set_position(in_phase.as_millis() as u64);
        // The live rate over the last ≥ 200 ms (a final redraw right after one keeps the rate).
        let dt = elapsed.saturating_sub(self.last.0).as_secs_f64();
        if dt >= 0.2 {
            self.rate = live.sent.saturating_sub(self.last.1) as f64 / dt;
            self.last = (elapsed, live.sent);
        }
        let rate = self.rate;
        bar.set_message(format!(
            "{}  {rate:>7.1}/s  ok {}  429 {}  dropped {}  p99 {:.1} ms",
            clock(in_phase, duration),
            live.ok,
            live.status_429,
            live.dropped,
            live.p99_ms
        ));
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish();
        }
    }
}

/// `00:00:12 / 00:01:09 left`: time into the phase and time left, never negative (a phase
/// running past its planned end, while it drains, shows `00:00:00 left`).
pub fn clock(in_phase: Duration, duration: Duration) -> String {
    format!(
        "{} / {} left",
        hms(in_phase),
        hms(duration.saturating_sub(in_phase))
    )
}

fn hms(d: Duration) -> String {
    let s = d.as_secs();
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

/// One plain progress line; the rate is over the time since the previous line.
pub fn line(elapsed: Duration, live: &LiveStats, last: (Duration, u64)) -> String {
    let dt = elapsed.saturating_sub(last.0).as_secs_f64();
    let rps = if dt > 0.0 {
        live.sent.saturating_sub(last.1) as f64 / dt
    } else {
        0.0
    };
    format!(
        "progress: {:.1}s elapsed, {} sent, {} ok, {} 429, {} errors, {} dropped, {rps:.1} rps\n",
        elapsed.as_secs_f64(),
        live.sent,
        live.ok,
        live.status_429,
        live.errors,
        live.dropped
    )
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
            cycle: None,
        }];
        let mut off = Progress::new(Mode::Off, &phases);
        off.phase(0);
        off.update(Duration::from_secs(1), LiveStats::default());
        assert!(off.bar.is_none());
        // Under `cargo test` stderr is no terminal: the bars exist but draw nowhere.
        let mut on = Progress::new(Mode::Bars, &phases);
        on.phase(0);
        on.phase(7); // past the last phase: ignored
        on.update(Duration::from_millis(500), LiveStats::default());
        on.finish();
        assert!(on.bar.is_none());
    }

    #[test]
    fn time_left_is_never_negative() {
        let phase = Duration::from_secs(60);
        assert_eq!(
            clock(Duration::from_secs(12), phase),
            "00:00:12 / 00:00:48 left"
        );
        // Past the planned end (the drain, a late tick): zero left, not -00:01:09.
        assert_eq!(
            clock(Duration::from_secs(129), phase),
            "00:02:09 / 00:00:00 left"
        );
        assert_eq!(
            clock(Duration::ZERO, Duration::from_secs(3_725)),
            "00:00:00 / 01:02:05 left"
        );
    }

    #[test]
    fn modes_and_lines() {
        let ten = Duration::from_secs(10);
        assert_eq!(mode(false, ten, false), Mode::Off);
        assert_eq!(mode(true, ten, true), Mode::Bars);
        assert_eq!(mode(true, ten, false), Mode::Lines(ten));
        assert_eq!(mode(true, Duration::ZERO, false), Mode::Off);
        let live = LiveStats {
            sent: 1_500,
            ok: 1_400,
            status_429: 50,
            errors: 30,
            dropped: 7,
            p99_ms: 1.0,
        };
        let text = line(Duration::from_secs(20), &live, (ten, 500));
        assert_eq!(
            text,
            "progress: 20.0s elapsed, 1500 sent, 1400 ok, 50 429, 30 errors, 7 dropped, 100.0 rps\n"
        );
    }
}
