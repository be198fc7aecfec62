//! A tiny SVG canvas for the report's charts: a plot frame with value→pixel mapping, axes with
//! "nice" ticks and unit labels, a wrapping legend, event markers and escaping. Hand-written
//! instead of a plotting crate: four simple chart types, byte-stable output for golden tests,
//! no fonts or scripts to embed, and no extra dependency tree.

use std::fmt::Write as _;

use super::axis::{tick_label, ticks};

/// Width of every chart, pixels (they scale down in the page).
pub const WIDTH: f64 = 960.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 40.0;
const BOTTOM: f64 = 46.0;
const LEGEND_ROW: f64 = 18.0;
const FONT: &str = "font-family=\"Helvetica,Arial,sans-serif\" font-size=\"12\"";

/// Escapes text for SVG/HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A legend entry: colour, dashed or solid, label.
pub struct Key {
    pub color: &'static str,
    pub dashed: bool,
    pub label: String,
}

/// A plot area inside an SVG of fixed width.
pub struct Frame {
    pub height: f64,
    pub top: f64,
    pub x_max: f64,
    pub y_max: f64,
    /// Data units per x-axis tick unit: the ticks are labelled in `x / x_unit` (3,600 for an
    /// axis in hours over data in seconds); 1 by default.
    pub x_unit: f64,
    pub body: String,
}

impl Frame {
    /// A frame whose top margin leaves room for `legend` (wrapped into rows).
    pub fn new(plot_height: f64, x_max: f64, y_max: f64, legend: &[Key]) -> Frame {
        let rows = legend_rows(legend);
        let top = 14.0 + LEGEND_ROW * rows.len().max(1) as f64 + 10.0;
        let mut f = Frame {
            height: top + plot_height + BOTTOM,
            top,
            x_max: if x_max > 0.0 { x_max } else { 1.0 },
            y_max: if y_max > 0.0 { y_max } else { 1.0 },
            x_unit: 1.0,
            body: String::new(),
        };
        f.draw_legend(&rows);
        f
    }

    pub fn left(&self) -> f64 {
        LEFT
    }
    pub fn right(&self) -> f64 {
        WIDTH - RIGHT
    }
    pub fn bottom(&self) -> f64 {
        self.height - BOTTOM
    }
    pub fn x(&self, v: f64) -> f64 {
        LEFT + (self.right() - LEFT) * (v / self.x_max).clamp(0.0, 1.0)
    }
    pub fn y(&self, v: f64) -> f64 {
        self.bottom() - (self.bottom() - self.top) * (v / self.y_max).clamp(0.0, 1.0)
    }

    pub fn push(&mut self, element: &str) {
        self.body.push_str(element);
        self.body.push('\n');
    }

    pub fn rect(&mut self, x0: f64, y0: f64, x1: f64, y1: f64, color: &str) {
        let (w, h) = ((x1 - x0).max(0.0), (y1 - y0).max(0.0));
        self.push(&format!(
            "<rect x=\"{x0:.1}\" y=\"{y0:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{color}\"/>"
        ));
    }

    pub fn text(&mut self, x: f64, y: f64, anchor: &str, text: &str) {
        self.push(&format!(
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\">{}</text>",
            esc(text)
        ));
    }

    /// A polyline through `points` (data units); `None` breaks the line.
    pub fn line(&mut self, points: &[Option<(f64, f64)>], color: &str, dashed: bool) {
        let mut d = String::new();
        for (i, p) in points.iter().enumerate() {
            let Some((x, y)) = p else { continue };
            let (px, py) = (self.x(*x), self.y(*y));
            let joined_before = i > 0 && points[i - 1].is_some();
            let joined_after = points.get(i + 1).is_some_and(Option::is_some);
            if !joined_before && !joined_after {
                // A lone point (sparse series): a dot, since a one-point path draws nothing.
                self.push(&format!(
                    "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"3\" fill=\"{color}\"/>"
                ));
                continue;
            }
            let cmd = if joined_before { 'L' } else { 'M' };
            let _ = write!(d, "{cmd}{px:.1},{py:.1} ");
        }
        if d.is_empty() {
            return;
        }
        let dash = if dashed {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        self.push(&format!(
            "<path d=\"{}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\"{dash}/>",
            d.trim_end()
        ));
    }

    /// Grid, ticks and unit labels on both axes.
    pub fn axes(&mut self, x_label: &str, y_label: &str) {
        let (left, right, top, bottom) = (LEFT, self.right(), self.top, self.bottom());
        for v in ticks(self.y_max) {
            let y = self.y(v);
            self.push(&format!(
                "<line x1=\"{left:.1}\" y1=\"{y:.1}\" x2=\"{right:.1}\" y2=\"{y:.1}\" stroke=\"#e0e0e0\"/>"
            ));
            self.text(left - 6.0, y + 4.0, "end", &tick_label(v));
        }
        let mid = (top + bottom) / 2.0;
        self.push(&format!(
            "<text x=\"16\" y=\"{mid:.1}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {mid:.1})\">{}</text>",
            esc(y_label)
        ));
        self.x_axis(x_label);
    }

    /// Ticks and the unit label of the x axis only (for charts whose rows are categories).
    pub fn x_axis(&mut self, x_label: &str) {
        let (left, right, top, bottom) = (LEFT, self.right(), self.top, self.bottom());
        for v in ticks(self.x_max / self.x_unit) {
            let x = self.x(v * self.x_unit);
            self.push(&format!(
                "<line x1=\"{x:.1}\" y1=\"{bottom:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#555\"/>",
                bottom + 5.0
            ));
            self.text(x, bottom + 18.0, "middle", &tick_label(v));
        }
        self.push(&format!(
            "<path d=\"M{left:.1},{top:.1} V{bottom:.1} H{right:.1}\" fill=\"none\" stroke=\"#555\"/>"
        ));
        self.text((left + right) / 2.0, bottom + 38.0, "middle", x_label);
    }

    /// The x axis of `scale`: linear, or log10 with "(log scale)" added to the label.
    pub fn scaled_x_axis(&mut self, scale: &super::axis::Scale, x_label: &str) {
        if scale.log {
            self.x_axis_log(&format!("{x_label} (log scale)"));
        } else {
            self.x_axis(x_label);
        }
    }

    /// A log10 x axis: the frame's `x_max` counts decades, ticks at 1, 10, 100, … (values are
    /// placed with `x(log10(v))`, see [`super::axis::log_x`]).
    fn x_axis_log(&mut self, x_label: &str) {
        let (left, right, top, bottom) = (LEFT, self.right(), self.top, self.bottom());
        let decades = self.x_max.round() as i32;
        for k in 0..=decades.min(20) {
            let x = self.x(k as f64);
            self.push(&format!(
                "<line x1=\"{x:.1}\" y1=\"{bottom:.1}\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#555\"/>",
                bottom + 5.0
            ));
            let v = 10f64.powi(k);
            self.text(
                x,
                bottom + 18.0,
                "middle",
                &crate::report::numbers::thousands_f(v),
            );
        }
        self.push(&format!(
            "<path d=\"M{left:.1},{top:.1} V{bottom:.1} H{right:.1}\" fill=\"none\" stroke=\"#555\"/>"
        ));
        self.text((left + right) / 2.0, bottom + 38.0, "middle", x_label);
    }

    /// Vertical dashed markers for mid-run events, labelled at the top of the plot.
    pub fn markers(&mut self, events: &[(f64, String)]) {
        for (i, (at, label)) in events.iter().enumerate() {
            let x = self.x(*at);
            let (top, bottom) = (self.top, self.bottom());
            self.push(&format!(
                "<line x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"#6a1b9a\" stroke-width=\"1.5\" stroke-dasharray=\"3 3\"/>"
            ));
            let y = top + 12.0 + (i % 3) as f64 * 13.0;
            let fits_right = x + 4.0 + text_width(label) <= WIDTH - 2.0;
            let anchor = if fits_right { "start" } else { "end" };
            let dx = if anchor == "end" { -4.0 } else { 4.0 };
            self.push(&format!(
                "<text x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" fill=\"#6a1b9a\" stroke=\"#ffffff\" stroke-width=\"3\" paint-order=\"stroke\">{}</text>",
                x + dx,
                esc(label)
            ));
        }
    }

    /// A centred note (e.g. "no data").
    pub fn note(&mut self, text: &str) {
        let (x, y) = (
            (LEFT + self.right()) / 2.0,
            (self.top + self.bottom()) / 2.0,
        );
        self.push(&format!(
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"middle\" fill=\"#777\" font-size=\"14\">{}</text>",
            esc(text)
        ));
    }

    fn draw_legend(&mut self, rows: &[Vec<&Key>]) {
        for (r, row) in rows.iter().enumerate() {
            let y = 14.0 + LEGEND_ROW * r as f64;
            let mut x = LEFT;
            for key in row {
                let dash = if key.dashed {
                    " stroke-dasharray=\"6 4\""
                } else {
                    ""
                };
                self.push(&format!(
                    "<line x1=\"{x:.1}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"{}\" stroke-width=\"{}\"{dash}/>",
                    y + 5.0,
                    x + 22.0,
                    y + 5.0,
                    key.color,
                    if key.dashed { 2 } else { 8 }
                ));
                self.text(x + 28.0, y + 9.0, "start", &key.label);
                x += key_width(key);
            }
        }
    }

    /// The finished `<svg>` element; `title` is its accessible name.
    pub fn finish(self, title: &str) -> String {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {h}\" width=\"{WIDTH}\" height=\"{h}\" role=\"img\" {FONT}>\n<title>{}</title>\n<rect width=\"{WIDTH}\" height=\"{h}\" fill=\"#ffffff\"/>\n{}</svg>\n",
            esc(title),
            self.body,
            h = self.height
        )
    }
}

/// Rough width of 12 px Helvetica text, enough to keep labels inside the picture.
pub fn text_width(text: &str) -> f64 {
    6.6 * text.chars().count() as f64
}

fn key_width(key: &Key) -> f64 {
    40.0 + text_width(&key.label)
}

fn legend_rows(legend: &[Key]) -> Vec<Vec<&Key>> {
    let mut rows: Vec<Vec<&Key>> = Vec::new();
    let mut used = f64::INFINITY;
    for key in legend {
        let w = key_width(key);
        if used + w > WIDTH - LEFT - RIGHT {
            rows.push(Vec::new());
            used = 0.0;
        }
        used += w;
        if let Some(row) = rows.last_mut() {
            row.push(key);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(esc("it's"), "it&#39;s");
    }
}
