//! M2M tokens per audience, projected over a 30-day month, against the tier's monthly quota.

use super::axis::Scale;
use super::svg::{Frame, Key, WIDTH};
use super::{Chart, DROPPED, ERROR};
use crate::metrics::Snapshot;
use crate::report::numbers::{pct, thousands, thousands_f};
use crate::report::run_info::RunInfo;

const COUNTED: &str = "#1565c0";
const ROW: f64 = 40.0;

/// Horizontal bars: projected tokens per month per audience, the quota as a dashed line.
pub fn tokens(s: &Snapshot, info: &RunInfo) -> Chart {
    let legend = [
        Key {
            color: COUNTED,
            dashed: false,
            label: "counts toward the M2M quota".into(),
        },
        Key {
            color: DROPPED,
            dashed: false,
            label: "Auth0's own API (not counted)".into(),
        },
        Key {
            color: ERROR,
            dashed: true,
            label: "tier's monthly quota".into(),
        },
    ];
    let mut rows: Vec<_> = s.audiences.iter().collect();
    rows.sort_by(|a, b| {
        b.counts_toward_quota
            .cmp(&a.counts_toward_quota)
            .then(b.projected_month.total_cmp(&a.projected_month))
    });
    let quota = info.tier_monthly_quota;
    let mtd = info.month_to_date_tokens as f64;
    let largest = rows.iter().map(|a| a.projected_month).fold(0.0, f64::max);
    let scale = Scale::for_marks(largest, quota.map(|q| q as f64));
    // Room under the last bar for the quota line's label.
    let plot_height = ROW * rows.len().max(1) as f64 + 28.0;
    let mut f = Frame::new(plot_height, scale.max, 1.0, &legend);
    let (left, top) = (f.left(), f.top);
    f.scaled_x_axis(
        &scale,
        "M2M tokens per 30-day month at the rate observed in this run",
    );
    for (i, a) in rows.iter().enumerate() {
        let y = top + 10.0 + ROW * i as f64;
        let color = if a.counts_toward_quota {
            COUNTED
        } else {
            DROPPED
        };
        let note = if a.counts_toward_quota {
            match a.projected_pct_of_quota {
                Some(p) => format!("{} of quota", pct(p)),
                None => "quota unknown".to_string(),
            }
        } else {
            "not counted".to_string()
        };
        f.text(
            left + 4.0,
            y + 10.0,
            "start",
            &format!(
                "{} — {} tokens issued in the run → {} / month ({note})",
                a.audience,
                thousands(a.tokens_issued),
                thousands_f(a.projected_month)
            ),
        );
        let x1 = f.x(scale.at(a.projected_month)).max(left + 1.0);
        f.rect(left, y + 15.0, x1, y + 31.0, color);
    }
    if rows.is_empty() {
        f.note("no token was requested");
    }
    if let Some(q) = quota {
        let x = f.x(scale.at(q as f64));
        let bottom = f.bottom();
        f.push(&format!(
            "<line x1=\"{x:.1}\" y1=\"{top:.1}\" x2=\"{x:.1}\" y2=\"{bottom:.1}\" stroke=\"{ERROR}\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>"
        ));
        let label = if mtd > 0.0 {
            format!(
                "quota {} ({} used before the run)",
                thousands(q),
                thousands_f(mtd)
            )
        } else {
            format!("quota {}", thousands(q))
        };
        let anchor = if x > WIDTH - 260.0 { "end" } else { "start" };
        f.text(
            if anchor == "end" { x - 4.0 } else { x + 4.0 },
            bottom - 6.0,
            anchor,
            &label,
        );
    }
    let title = "M2M tokens per audience against the monthly quota";
    Chart {
        id: "quota",
        title: title.to_string(),
        explain: "Bars project each audience's token issuance in this run onto a 30-day month. Tokens \
                  for custom APIs count toward the tier's monthly M2M quota (dashed line); tokens for \
                  the Management API do not. A bar past the line means the quota runs out this month."
            .to_string(),
        svg: f.finish(title),
    }
}
