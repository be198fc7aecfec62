//! The comparison's charts, side by side: one series per tier (or per run), drawn with the run
//! report's SVG building blocks. 429s per second, accepted (ok) requests per second, projected
//! quota use against each series' own quota, and the 429 share per operation.

use crate::metrics::Snapshot;
use crate::metrics::threshold::ALL;
use crate::report::charts::axis::{Scale, nice_max, span, time_unit};
use crate::report::charts::svg::{Frame, Key, WIDTH};
use crate::report::charts::{Chart, ERROR, op_color};
use crate::report::numbers::{pct, thousands_f};
use crate::report::run_info::RunInfo;

use super::normalize;
use super::runs::LabelledRun;

const PLOT_HEIGHT: f64 = 230.0;
/// Most points per line; longer runs are grouped into buckets of several seconds.
const MAX_BUCKETS: u64 = 600;

/// Every chart, in reading order; `what` names a series ("tier" or "run").
pub fn all(series: &[LabelledRun], what: &str) -> Vec<Chart> {
    vec![
        per_second(series, what, Outcome::Rejected),
        per_second(series, what, Outcome::Accepted),
        quota(series, what),
        ratio(series, what),
    ]
}

fn legend(series: &[LabelledRun]) -> Vec<Key> {
    series
        .iter()
        .enumerate()
        .map(|(i, s)| Key {
            color: op_color(i),
            dashed: false,
            label: s.label.clone(),
        })
        .collect()
}

#[derive(Clone, Copy)]
enum Outcome {
    Rejected,
    Accepted,
}

/// Lines, one per series: 429s (or ok) per second, all operations together.
fn per_second(series: &[LabelledRun], what: &str, outcome: Outcome) -> Chart {
    let seconds = series
        .iter()
        .map(|s| run_seconds(s.snapshot))
        .max()
        .unwrap_or(1)
        .max(1);
    // A whole number of timeline rows per point: the widest series' resolution.
    let resolution = series
        .iter()
        .map(|s| s.snapshot.run.resolution())
        .max()
        .unwrap_or(1);
    let bucket = seconds.div_ceil(MAX_BUCKETS).div_ceil(resolution).max(1) * resolution;
    let buckets = seconds.div_ceil(bucket) as usize;
    let lines: Vec<Vec<Option<(f64, f64)>>> = series
        .iter()
        .map(|s| {
            let mut sums = vec![0f64; buckets];
            for r in &s.snapshot.timeline {
                let v = match outcome {
                    Outcome::Rejected => r.status_429,
                    Outcome::Accepted => r.ok,
                };
                if let Some(slot) = sums.get_mut((r.second / bucket) as usize) {
                    *slot += v as f64 / bucket as f64;
                }
            }
            let last = run_seconds(s.snapshot).div_ceil(bucket) as usize;
            sums.iter()
                .enumerate()
                .take(last)
                .map(|(i, v)| Some((i as f64 * bucket as f64 + bucket as f64 / 2.0, *v)))
                .collect()
        })
        .collect();
    let y_max = lines
        .iter()
        .flatten()
        .flatten()
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let mut f = Frame::new(
        PLOT_HEIGHT,
        seconds as f64,
        nice_max(y_max),
        &legend(series),
    );
    let (id, title, y_label, explain) = match outcome {
        Outcome::Rejected => (
            "rejected",
            format!("429s per second, per {what}"),
            "429 responses per second",
            format!(
                "Each line is one {what}: requests per second answered 429 Too Many Requests (final outcome, all operations). The same arrivals met each {what}'s rate limits; a flat line at 0 means they never bit (lines at 0 lie on top of each other)."
            ),
        ),
        Outcome::Accepted => (
            "accepted",
            format!("Accepted (ok) requests per second, per {what}"),
            "ok responses per second",
            format!(
                "Each line is one {what}: requests per second that succeeded (2xx/3xx, all operations). Where a line falls below the others, that {what}'s limits turned requests away."
            ),
        ),
    };
    let (unit, unit_name) = time_unit(seconds);
    f.x_unit = unit as f64;
    f.axes(
        &format!("{unit_name} since the run started (by intended start of each request)"),
        y_label,
    );
    for (i, points) in lines.iter().enumerate() {
        f.line(points, op_color(i), false);
    }
    if y_max == 0.0 {
        f.note(match outcome {
            Outcome::Rejected => "no 429 anywhere",
            Outcome::Accepted => "no request succeeded",
        });
    }
    let note = if bucket > 1 {
        format!(" Long runs: each point averages {}.", span(bucket))
    } else {
        String::new()
    };
    Chart {
        id,
        title: title.clone(),
        explain: explain + &note,
        svg: f.finish(&title),
    }
}

fn run_seconds(s: &Snapshot) -> u64 {
    let resolution = s.run.resolution();
    let timeline = s
        .timeline
        .iter()
        .map(|r| r.second + resolution)
        .max()
        .unwrap_or(0);
    // A run of 18.005 s covers 18 whole seconds of arrivals, not 19.
    timeline.max(RunInfo::from_snapshot(s).duration_s.round() as u64)
}

/// Horizontal bars: projected counted M2M tokens per month, each with its own quota as a tick.
fn quota(series: &[LabelledRun], what: &str) -> Chart {
    const ROW: f64 = 40.0;
    let facts: Vec<(f64, Option<u64>)> = series
        .iter()
        .map(|s| {
            let month = s
                .snapshot
                .audiences
                .iter()
                .filter(|a| a.counts_toward_quota)
                .map(|a| a.projected_month)
                .sum();
            (month, RunInfo::from_snapshot(s.snapshot).tier_monthly_quota)
        })
        .collect();
    let largest = facts
        .iter()
        .map(|(m, q)| m.max(q.unwrap_or(0) as f64))
        .fold(0.0, f64::max);
    let mut keys = legend(series);
    keys.push(Key {
        color: ERROR,
        dashed: true,
        label: format!("that {what}'s monthly quota"),
    });
    // A quota far below the largest bar would sit at the axis' start on a linear scale (1,000
    // next to millions): then the axis is log10, so every quota's tick stays visible.
    let smallest_quota = facts
        .iter()
        .filter_map(|(_, q)| q.filter(|q| *q > 0))
        .min()
        .map(|q| q as f64);
    let scale = Scale::for_marks(largest, smallest_quota);
    let mut f = Frame::new(
        ROW * series.len().max(1) as f64 + 10.0,
        scale.max,
        1.0,
        &keys,
    );
    let (left, top) = (f.left(), f.top);
    f.scaled_x_axis(
        &scale,
        "counted M2M tokens per 30-day month at the rate observed in the run",
    );
    for (i, (s, (month, quota))) in series.iter().zip(&facts).enumerate() {
        let y = top + 10.0 + ROW * i as f64;
        let share = match quota {
            Some(q) if *q > 0 => format!(
                "{} of its {} quota",
                pct(month * 100.0 / *q as f64),
                thousands_f(*q as f64)
            ),
            _ => "no monthly quota".to_string(),
        };
        f.text(
            left + 4.0,
            y + 10.0,
            "start",
            &format!("{}: {} / month ({share})", s.label, thousands_f(*month)),
        );
        let x1 = f.x(scale.at(*month)).max(left + 1.0);
        f.rect(left, y + 15.0, x1, y + 31.0, op_color(i));
        if let Some(q) = quota {
            let x = f.x(scale.at(*q as f64));
            f.push(&format!(
                "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"{ERROR}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/>",
                y + 11.0,
                y + 35.0
            ));
        }
    }
    let title = format!("Projected M2M quota use per {what}, against its quota");
    Chart {
        id: "quota",
        title: title.clone(),
        explain: format!(
            "Bars project the tokens for custom APIs (they count toward the M2M quota; Management API tokens do not) onto a 30-day month; the dashed tick on each bar is that {what}'s own monthly quota. A bar past its tick means the quota runs out within the month. When a quota is far below the largest bar the axis is logarithmic (1, 10, 100, …), so every tick stays visible."
        ),
        svg: f.finish(&title),
    }
}

/// Grouped horizontal bars: share of sent requests answered 429, per operation and series.
fn ratio(series: &[LabelledRun], what: &str) -> Chart {
    const BAR: f64 = 14.0;
    const GAP: f64 = 22.0;
    let mut ops: Vec<String> = Vec::new();
    for s in series {
        for r in s.snapshot.summary.iter().filter(|r| r.operation != ALL) {
            let op = normalize::operation(&r.operation);
            if !ops.contains(&op) {
                ops.push(op);
            }
        }
    }
    ops.push(ALL.to_string());
    let group = GAP + BAR * series.len() as f64;
    let mut f = Frame::new(group * ops.len() as f64 + 6.0, 1.0, 1.0, &legend(series));
    let (left, top) = (f.left(), f.top);
    f.x_axis("share of sent requests answered 429 (0 = none, 1 = all)");
    for (g, op) in ops.iter().enumerate() {
        let y0 = top + 6.0 + group * g as f64;
        f.text(left + 4.0, y0 + 12.0, "start", op);
        for (i, s) in series.iter().enumerate() {
            let row = s
                .snapshot
                .summary
                .iter()
                .find(|r| normalize::operation(&r.operation) == *op);
            let y = y0 + GAP - 4.0 + BAR * i as f64;
            let Some(r) = row.filter(|r| r.sent > 0) else {
                f.text(
                    left + 4.0,
                    y + BAR - 3.0,
                    "start",
                    &format!("{}: nothing sent", s.label),
                );
                continue;
            };
            let share = r.status_429 as f64 / r.sent as f64;
            let x1 = f.x(share).max(left + 1.0);
            f.rect(left, y + 1.0, x1, y + BAR - 1.0, op_color(i));
            let label = format!("{} {}", s.label, pct(share * 100.0));
            let anchor_x = (x1 + 4.0).min(WIDTH - 150.0);
            f.text(anchor_x, y + BAR - 3.0, "start", &label);
        }
    }
    let title = format!("Share of requests answered 429, per operation and {what}");
    Chart {
        id: "ratio",
        title: title.clone(),
        explain: format!(
            "For each operation (and ALL), one bar per {what}: 429 responses over sent requests. The order of the bars follows each {what}'s bucket sizes and refill rates for that endpoint."
        ),
        svg: f.finish(&title),
    }
}
