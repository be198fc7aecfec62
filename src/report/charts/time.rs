//! The three charts over run time (seconds since start, by intended start): stacked requests
//! per second by outcome, corrected p50/p99 per operation, and the lowest
//! `x-ratelimit-remaining` per operation.

use super::axis::nice_max;
use super::svg::{Frame, Key};
use super::{Chart, DROPPED, ERROR, OK, RATE_LIMITED, TimeView, op_color};
use crate::metrics::{Snapshot, TimelineRow};

const PLOT_HEIGHT: f64 = 230.0;

/// Stacked bars: requests per second by final outcome, all operations together.
pub fn requests(s: &Snapshot, view: &TimeView) -> Chart {
    let width = view.bucket_s as f64;
    // Per bucket, average per second: ok, 429, errors, dropped.
    let mut stacks = vec![[0f64; 4]; view.buckets()];
    for r in &s.timeline {
        if let Some(st) = stacks.get_mut((r.second / view.bucket_s) as usize) {
            for (slot, v) in st.iter_mut().zip([r.ok, r.status_429, r.errors, r.dropped]) {
                *slot += v as f64 / width;
            }
        }
    }
    let colors = [OK, RATE_LIMITED, ERROR, DROPPED];
    let labels = [
        "ok (2xx/3xx)",
        "429 rate-limited",
        "error (other 4xx, 5xx, transport)",
        "dropped (never sent)",
    ];
    let legend: Vec<Key> = colors
        .iter()
        .zip(labels)
        .map(|(c, l)| Key {
            color: c,
            dashed: false,
            label: l.to_string(),
        })
        .collect();
    let y_max = stacks
        .iter()
        .map(|st| st.iter().sum::<f64>())
        .fold(0.0, f64::max);
    let mut f = Frame::new(PLOT_HEIGHT, view.seconds as f64, nice_max(y_max), &legend);
    f.x_unit = view.unit.0 as f64;
    f.axes(&view.x_label(), "requests per second");
    let bar_px = f.x(width) - f.x(0.0);
    let gap = if bar_px > 4.0 { 1.0 } else { 0.0 };
    for (i, st) in stacks.iter().enumerate() {
        let mut base = 0f64;
        let x0 = i as f64 * width;
        for (v, color) in st.iter().zip(colors) {
            if *v <= 0.0 {
                continue;
            }
            let (y_top, y_bottom) = (f.y(base + v), f.y(base));
            f.rect(f.x(x0), y_top, f.x(x0 + width) - gap, y_bottom, color);
            base += v;
        }
    }
    if y_max == 0.0 {
        f.note("no requests were scheduled");
    }
    f.markers(&view.events);
    let title = "Requests per second by outcome";
    Chart {
        id: "requests",
        title: title.to_string(),
        explain: "Each bar is one second of the run, all operations together, split by final outcome \
                  (after retries). Orange is the rate limit answering 429; grey arrivals were dropped, \
                  never sent (see the glossary). Dashed purple lines mark mid-run events."
            .to_string()
            + &view.bucket_note("requests per second averaged over the bucket"),
        svg: f.finish(title),
    }
}

/// One line per operation and series; `value` returns `None` where the second has no data.
/// Seconds in one bucket combine with `pick` (max for latency, min for headroom).
fn series(
    s: &Snapshot,
    view: &TimeView,
    op: &str,
    value: impl Fn(&TimelineRow) -> Option<f64>,
    pick: fn(f64, f64) -> f64,
) -> Vec<Option<(f64, f64)>> {
    let width = view.bucket_s as f64;
    let mut points: Vec<Option<(f64, f64)>> = vec![None; view.buckets()];
    for r in s.timeline.iter().filter(|r| r.operation == op) {
        let i = (r.second / view.bucket_s) as usize;
        if let (Some(slot), Some(v)) = (points.get_mut(i), value(r)) {
            let x = i as f64 * width + width / 2.0;
            *slot = Some((x, slot.map_or(v, |(_, old)| pick(old, v))));
        }
    }
    points
}

/// Lines: corrected p99 (solid) and p50 (dashed) per operation.
pub fn latency(s: &Snapshot, view: &TimeView) -> Chart {
    let mut legend = Vec::new();
    for (i, op) in view.operations.iter().enumerate() {
        legend.push(Key {
            color: op_color(i),
            dashed: false,
            label: format!("{op} p99"),
        });
        legend.push(Key {
            color: op_color(i),
            dashed: true,
            label: format!("{op} p50"),
        });
    }
    let answered = |r: &TimelineRow| r.sent > 0;
    let y_max = s
        .timeline
        .iter()
        .filter(|r| answered(r))
        .map(|r| r.p99_ms)
        .fold(0.0, f64::max);
    let mut f = Frame::new(PLOT_HEIGHT, view.seconds as f64, nice_max(y_max), &legend);
    f.x_unit = view.unit.0 as f64;
    f.axes(&view.x_label(), "latency, milliseconds");
    for (i, op) in view.operations.iter().enumerate() {
        let p99 = series(s, view, op, |r| answered(r).then_some(r.p99_ms), f64::max);
        let p50 = series(s, view, op, |r| answered(r).then_some(r.p50_ms), f64::max);
        f.line(&p99, op_color(i), false);
        f.line(&p50, op_color(i), true);
    }
    if y_max == 0.0 {
        f.note("no request was answered");
    }
    f.markers(&view.events);
    let title = "Corrected latency per second (p50, p99)";
    Chart {
        id: "latency",
        title: title.to_string(),
        explain:
            "Per operation and second: solid lines are p99, dashed lines p50 of corrected latency, \
                  measured from when the request was due to start, so waiting for a slot or a \
                  throttle counts. Gaps are seconds with no requests."
                .to_string()
                + &view.bucket_note("the worst second of the bucket"),
        svg: f.finish(title),
    }
}

/// Lines: lowest `x-ratelimit-remaining` per operation.
pub fn ratelimit(s: &Snapshot, view: &TimeView) -> Chart {
    let legend: Vec<Key> = view
        .operations
        .iter()
        .enumerate()
        .map(|(i, op)| Key {
            color: op_color(i),
            dashed: false,
            label: op.clone(),
        })
        .collect();
    let y_max = s
        .timeline
        .iter()
        .flat_map(|r| [r.ratelimit_remaining_min, r.ratelimit_limit])
        .flatten()
        .max()
        .unwrap_or(0) as f64;
    let mut f = Frame::new(PLOT_HEIGHT, view.seconds as f64, nice_max(y_max), &legend);
    f.x_unit = view.unit.0 as f64;
    f.axes(&view.x_label(), "requests left in the bucket");
    let mut any = false;
    for (i, op) in view.operations.iter().enumerate() {
        let remaining = |r: &TimelineRow| r.ratelimit_remaining_min.map(|v| v as f64);
        let points = series(s, view, op, remaining, f64::min);
        any |= points.iter().any(Option::is_some);
        f.line(&points, op_color(i), false);
    }
    if !any {
        f.note("no response carried an x-ratelimit-remaining header");
    }
    f.markers(&view.events);
    let title = "Rate-limit headroom: lowest x-ratelimit-remaining per second";
    Chart {
        id: "ratelimit",
        title: title.to_string(),
        explain: "The lowest x-ratelimit-remaining header each operation saw in each second: how many \
                  more requests its rate-limit bucket allowed. At 0 the next request gets a 429 until \
                  the bucket refills at the tier's sustained rate."
            .to_string()
            + &view.bucket_note("the lowest value of the bucket"),
        svg: f.finish(title),
    }
}
