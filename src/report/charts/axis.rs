//! Axis scales: "nice" 1-2-5 steps, rounded maxima, tick positions and tick labels.

/// A 1-2-5 step giving at most about 6 intervals up to `max`.
pub fn nice_step(max: f64) -> f64 {
    if !(max.is_finite() && max > 0.0) {
        return 1.0;
    }
    let raw = max / 6.0;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag)
}

/// Rounds an axis maximum up to a whole number of nice steps.
pub fn nice_max(max: f64) -> f64 {
    let step = nice_step(max);
    ((max / step).ceil() * step).max(step)
}

/// Tick values from 0 to `max` at the nice step.
pub fn ticks(max: f64) -> Vec<f64> {
    let step = nice_step(max);
    let n = (max / step + 1e-9).floor() as usize;
    (0..=n.min(20)).map(|i| i as f64 * step).collect()
}

/// A tick's text: whole numbers plain, large ones with separators, fractions trimmed.
pub fn tick_label(v: f64) -> String {
    if v >= 10_000.0 {
        crate::report::numbers::thousands_f(v)
    } else if v.fract().abs() < 1e-9 {
        format!("{v:.0}")
    } else {
        let s = format!("{v:.3}");
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    }
}

/// The time unit of an x axis over `seconds` of run: (seconds per unit, plural name). Seconds
/// up to an hour, minutes up to 6 hours, hours up to a week, days beyond.
pub fn time_unit(seconds: u64) -> (u64, &'static str) {
    const HOUR: u64 = 3_600;
    match seconds {
        s if s <= HOUR => (1, "seconds"),
        s if s <= 6 * HOUR => (60, "minutes"),
        s if s <= 7 * 24 * HOUR => (HOUR, "hours"),
        _ => (24 * HOUR, "days"),
    }
}

/// A span of seconds in words: "30 seconds", "1 minute", "2 hours", "1 day".
pub fn span(seconds: u64) -> String {
    let (n, unit) = match seconds {
        s if s % 86_400 == 0 => (s / 86_400, "day"),
        s if s % 3_600 == 0 => (s / 3_600, "hour"),
        s if s % 60 == 0 => (s / 60, "minute"),
        s => (s, "second"),
    };
    if n == 1 {
        format!("1 {unit}")
    } else {
        format!("{n} {unit}s")
    }
}

/// A quota axis: linear, or log10 when a quota mark would sit squashed at the axis' start (a
/// 1,000 quota next to millions of projected tokens).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scale {
    pub log: bool,
    /// The frame's `x_max`: a nice maximum, or the decades of a log axis.
    pub max: f64,
}

impl Scale {
    /// Log when `largest` is more than 20 times the smallest mark.
    pub fn for_marks(largest: f64, smallest_mark: Option<f64>) -> Scale {
        let log = smallest_mark.is_some_and(|q| q > 0.0 && largest > 20.0 * q);
        if log {
            Scale {
                log,
                max: log_x(largest).ceil().max(1.0),
            }
        } else {
            Scale {
                log,
                max: nice_max(largest.max(smallest_mark.unwrap_or(0.0))),
            }
        }
    }

    /// Where `v` goes on the frame's x.
    pub fn at(&self, v: f64) -> f64 {
        if self.log { log_x(v) } else { v }
    }
}

/// A value's place on a log10 axis: `log10(v)`, values below 1 at 0.
pub fn log_x(v: f64) -> f64 {
    v.max(1.0).log10()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps() {
        assert_eq!(nice_step(20.0), 5.0);
        assert_eq!(nice_step(6.0), 1.0);
        assert_eq!(nice_step(1000.0), 200.0);
        assert_eq!(nice_step(0.0), 1.0);
        assert_eq!(nice_max(43.0), 50.0);
        assert_eq!(nice_max(0.0), 1.0);
        assert_eq!(ticks(20.0), vec![0.0, 5.0, 10.0, 15.0, 20.0]);
        assert_eq!(tick_label(0.25), "0.25");
        assert_eq!(tick_label(20_000.0), "20,000");
        assert_eq!(time_unit(600), (1, "seconds"));
        assert_eq!(time_unit(86_400), (3_600, "hours"));
        assert_eq!(time_unit(30 * 86_400), (86_400, "days"));
        assert_eq!(
            [span(2), span(60), span(7_200), span(86_400), span(90)],
            ["2 seconds", "1 minute", "2 hours", "1 day", "90 seconds"]
        );
        let log = Scale::for_marks(12_960_000.0, Some(1_000.0));
        assert_eq!((log.log, log.max, log.at(1_000.0)), (true, 8.0, 3.0));
        let linear = Scale::for_marks(900.0, Some(1_000.0));
        assert_eq!(
            (linear.log, linear.max, linear.at(500.0)),
            (false, 1_000.0, 500.0)
        );
    }
}
