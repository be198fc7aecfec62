//! The tier comparison as a [`Document`], so `comparison.md` and `comparison.html` are laid out
//! by the run report's own Markdown and HTML renderers and always say the same thing; plus what
//! both comparisons' documents share (glossary, table helpers).

use crate::metrics::threshold::ALL;
use crate::report::document::{DocTable, Document};
use crate::report::numbers::{pct, thousands, thousands_f};
use crate::report::verdict::Verdict;

use super::charts;
use super::cost;
use super::runs::LabelledRun;
use super::tiers::{self, TierRun};

/// What the words of a comparison mean.
pub const GLOSSARY: &[(&str, &str)] = &[
    (
        "ratio_429",
        "429 responses over sent requests (final outcomes, after retries).",
    ),
    (
        "error_ratio",
        "Failures other than 429 (other 4xx, 5xx, transport errors) over sent requests.",
    ),
    (
        "p50_ms / p99_ms",
        "Corrected latency percentiles, from when each request was due to start.",
    ),
    (
        "achieved_rps",
        "Requests sent per second over the run, failures included.",
    ),
    (
        "ok_rps / wire_rps",
        "Successful requests per second; attempts on the wire per second (every retry and token request included), what the tenant's rate limit sees.",
    ),
    (
        "dropped",
        "Arrivals never sent (the generator's in-flight cap was full, it fell behind, or the run was stopping).",
    ),
    (
        "quota_pct",
        "Projected monthly M2M token use as a percentage of the tier's monthly quota (audiences that count toward it).",
    ),
    (
        "quota:<audience>",
        "A pseudo-operation carrying one audience's token use; quota:ALL sums every counting audience.",
    ),
    (
        "Management API",
        "Every audience ending in /api/v2/ (the simulator's port changes every run, so the host is left out).",
    ),
    (
        "cost order",
        "free < essentials < professional < enterprise < private-cloud-100 < private-cloud-500 < private-cloud-1500; enterprise-nonprod is compared but never named the cheapest (not a production tier).",
    ),
    (
        "delta / delta %",
        "Change against the baseline (the first folder): absolute, and relative to the baseline's value (±∞ from a baseline of 0).",
    ),
];

pub(super) fn table(
    title: &str,
    intro: &str,
    header: Vec<&'static str>,
    numeric: Vec<bool>,
    rows: Vec<Vec<String>>,
) -> DocTable {
    DocTable {
        title: title.into(),
        intro: intro.into(),
        header,
        numeric,
        rows,
    }
}

pub(super) fn opt3(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.3}")).unwrap_or_else(|| "-".into())
}

/// The verdict of a tier comparison: the cheapest production tier that fits, or none.
pub fn tier_verdict(runs: &[TierRun]) -> Verdict {
    let cheapest = tiers::cheapest_fit(runs);
    let mut sentences = vec![match cheapest {
        Some(t) => format!("Cheapest tier that fits: {}.", t.tier),
        None if runs.iter().any(|r| tiers::fit(r).unknown) => {
            "No compared tier is known to fit this scenario: the ones with nothing else against them have unknown quotas.".to_string()
        }
        None => "No compared tier fits this scenario.".to_string(),
    }];
    if let Some(note) = cheapest.and_then(assumptions) {
        sentences.push(note);
    }
    sentences.push(tiers::criterion(runs));
    for r in runs {
        let fit = tiers::fit(r);
        let all = crate::report::verdict::total_row(r.snapshot);
        let ratio = if all.sent > 0 {
            all.status_429 as f64 / all.sent as f64
        } else {
            0.0
        };
        let status = if fit.fits {
            "fits".to_string()
        } else if fit.unknown {
            format!("unknown ({})", fit.why_not.join("; "))
        } else {
            format!("does not fit ({})", fit.why_not.join("; "))
        };
        let prod = if cost::is_production(&r.tier) {
            ""
        } else {
            " [not a production tier]"
        };
        sentences.push(format!(
            "{}{prod}: {status}; {} of {} sent requests got 429 ({}).",
            r.tier,
            thousands(all.status_429),
            thousands(all.sent),
            pct(ratio * 100.0)
        ));
    }
    if let Some(note) = cheapest.and_then(quota_note) {
        sentences.push(note);
    }
    let fits = cheapest.is_some();
    Verdict {
        fits,
        label: if fits { "a tier fits" } else { "no tier fits" },
        reasons: if fits {
            Vec::new()
        } else {
            vec!["no tier fits"]
        },
        sentences,
    }
}

/// The tier comparison's document.
pub fn tiers_document(scenario: &str, description: Option<String>, runs: &[TierRun]) -> Document {
    let series: Vec<LabelledRun> = runs
        .iter()
        .map(|r| LabelledRun {
            label: r.tier.clone(),
            snapshot: r.snapshot,
        })
        .collect();
    let mut overview = Vec::new();
    let mut ops = Vec::new();
    let mut checks = Vec::new();
    for r in runs {
        let fit = tiers::fit(r);
        let rows = tiers::rows(r);
        let all = rows
            .iter()
            .find(|x| x.operation == ALL && x.kind != "quota");
        let quota = rows.iter().find(|x| x.operation == format!("quota:{ALL}"));
        overview.push(vec![
            if fit.fits {
                "FITS"
            } else if fit.unknown {
                "UNKNOWN"
            } else {
                "FAIL"
            }
            .to_string(),
            r.tier.clone(),
            all.and_then(|a| a.sent).map(thousands).unwrap_or_default(),
            all.and_then(|a| a.status_429)
                .map(thousands)
                .unwrap_or_default(),
            opt3(all.and_then(|a| a.ratio_429)),
            all.and_then(|a| a.errors)
                .map(thousands)
                .unwrap_or_default(),
            all.and_then(|a| a.dropped)
                .map(thousands)
                .unwrap_or_default(),
            quota
                .and_then(|q| q.projected_month)
                .map(thousands_f)
                .unwrap_or_default(),
            quota
                .and_then(|q| q.tier_monthly_quota)
                .map(thousands)
                .unwrap_or_else(|| "none".into()),
            quota
                .and_then(|q| q.projected_pct_of_quota)
                .map(pct)
                .unwrap_or_else(|| "-".into()),
            format!("{}/report.html", r.folder),
        ]);
        for x in rows.iter().filter(|x| x.kind != "quota") {
            ops.push(vec![
                x.operation.clone(),
                r.tier.clone(),
                x.sent.map(thousands).unwrap_or_default(),
                x.ok.map(thousands).unwrap_or_default(),
                x.status_429.map(thousands).unwrap_or_default(),
                x.dropped.map(thousands).unwrap_or_default(),
                opt3(x.ratio_429),
                opt3(x.achieved_rps),
                opt3(x.ok_rps),
                opt3(x.wire_rps),
                opt3(x.p50_ms),
                opt3(x.p99_ms),
                x.first_429_s
                    .map(|v| format!("{v:.1}"))
                    .unwrap_or_else(|| "-".into()),
            ]);
        }
        for t in r.thresholds {
            checks.push(vec![
                if t.passed { "PASS" } else { "FAIL" }.to_string(),
                r.tier.clone(),
                t.operation.clone(),
                t.metric.key().to_string(),
                format!("{}", t.limit),
                opt3(t.measured),
            ]);
        }
    }
    ops.sort_by(|a, b| {
        a[0].cmp(&b[0])
            .then(cost::rank(&a[1]).cmp(&cost::rank(&b[1])))
    });
    let mut tables = vec![
        table(
            "Tiers",
            "One row per tier, in cost order; each links to its own full report.",
            vec![
                "result",
                "tier",
                "sent",
                "429",
                "ratio_429",
                "errors",
                "dropped",
                "counted tokens / month",
                "quota",
                "% of quota",
                "report",
            ],
            vec![
                false, false, true, true, true, true, true, true, true, true, false,
            ],
            overview,
        ),
        table(
            "Operations by tier",
            "The same operation on each tier, side by side (comparison.csv has every column).",
            vec![
                "operation",
                "tier",
                "sent",
                "ok",
                "429",
                "dropped",
                "ratio_429",
                "achieved_rps",
                "ok_rps",
                "wire_rps",
                "p50_ms",
                "p99_ms",
                "first 429 (s)",
            ],
            vec![
                false, false, true, true, true, true, true, true, true, true, true, true, true,
            ],
            ops,
        ),
    ];
    if !checks.is_empty() {
        tables.push(table(
            "Thresholds by tier",
            "The scenario's thresholds, measured on each tier.",
            vec!["result", "tier", "operation", "metric", "limit", "measured"],
            vec![false, false, false, false, true, true],
            checks,
        ));
    }
    Document {
        title: format!("quotaprobe tier comparison: {scenario}"),
        subtitle: description,
        verdict: tier_verdict(runs),
        charts: charts::all(&series, "tier"),
        tables,
        glossary: GLOSSARY,
    }
}

/// A warning when the chosen tier's projected M2M token use exceeds its monthly quota, which
/// the fit criterion does not judge unless the scenario sets `max_quota_pct`.
/// What the cheapest fit rests on that is not published: the tier's quota and bucket sources
/// that say "assumed" (run.csv's `tier_quota_source` and `limit:<bucket>`).
fn assumptions(run: &TierRun) -> Option<String> {
    let facts = &run.snapshot.run;
    let mut list = Vec::new();
    if let Some(src) = facts
        .tier_quota_source
        .as_deref()
        .filter(|s| s.contains("assumed"))
    {
        list.push(format!("its monthly M2M quota ({src})"));
    }
    for l in facts.limits.iter().filter(|l| l.source.contains("assumed")) {
        list.push(format!(
            "its {} bucket, {} ({})",
            l.bucket, l.rule, l.source
        ));
    }
    (!list.is_empty()).then(|| {
        format!(
            "That answer assumes, for {}: {}.",
            run.tier,
            list.join("; ")
        )
    })
}

fn quota_note(run: &TierRun) -> Option<String> {
    let rows = tiers::rows(run);
    let total = rows
        .iter()
        .find(|r| r.operation == format!("quota:{ALL}"))?;
    let (p, q, month) = (
        total.projected_pct_of_quota?,
        total.tier_monthly_quota?,
        total.projected_month?,
    );
    (p > 100.0).then(|| {
        format!(
            "Mind the quota: on {} this traffic projects to {} counted M2M tokens a month, {} of its {} quota (set a max_quota_pct threshold to make that part of the fit).",
            run.tier,
            thousands_f(month),
            pct(p),
            thousands(q)
        )
    })
}
