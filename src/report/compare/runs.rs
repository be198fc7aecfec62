//! Deltas between finished runs: the first run is the baseline; for every other run, every
//! operation (matched by normalised name) and every [`Metric`] both runs measured, the absolute
//! change and the relative change in percent.
//!
//! Relative change: `(value − baseline) / |baseline| × 100`; from a baseline of 0 it is 0 when
//! the value is 0 too, else `+∞`/`−∞` (a 429 ratio going from 0 to anything is an infinite
//! relative regression; use an absolute rule such as `ratio_429>+0.01` for those).

use crate::metrics::Snapshot;

use super::metric::{Metric, OpValues, values};

/// One run × operation × metric of `comparison.csv` (runs mode).
#[derive(Debug, Clone, PartialEq)]
pub struct DeltaRow {
    /// The baseline run's label (its folder).
    pub baseline_run: String,
    /// The compared run's label (its folder).
    pub run: String,
    /// Normalised operation name, or `quota:<audience>`.
    pub operation: String,
    pub metric: Metric,
    /// The baseline's value; `None` when the baseline lacks the operation or the measure.
    pub baseline: Option<f64>,
    pub value: Option<f64>,
    /// `value − baseline`, when both exist.
    pub delta: Option<f64>,
    /// Relative change in percent (see the module docs), when both exist.
    pub delta_pct: Option<f64>,
}

/// A run to compare: a label (its folder) and what it measured.
pub struct LabelledRun<'a> {
    pub label: String,
    pub snapshot: &'a Snapshot,
}

/// Deltas of every run after the first against the first.
pub fn deltas(runs: &[LabelledRun]) -> Vec<DeltaRow> {
    let Some((base, others)) = runs.split_first() else {
        return Vec::new();
    };
    let base_values = values(base.snapshot);
    let mut out = Vec::new();
    for run in others {
        let run_values = values(run.snapshot);
        let mut ops: Vec<&str> = base_values.iter().map(|o| o.operation.as_str()).collect();
        for o in &run_values {
            if !ops.contains(&o.operation.as_str()) {
                ops.push(&o.operation);
            }
        }
        for op in ops {
            let find = |vs: &[OpValues]| vs.iter().find(|o| o.operation == op).cloned();
            let (b, v) = (find(&base_values), find(&run_values));
            for m in Metric::ALL {
                let bv = b.as_ref().and_then(|o| o.get(m));
                let vv = v.as_ref().and_then(|o| o.get(m));
                if bv.is_none() && vv.is_none() {
                    continue;
                }
                let (delta, delta_pct) = match (bv, vv) {
                    (Some(b), Some(v)) => (Some(v - b), Some(relative(b, v))),
                    _ => (None, None),
                };
                out.push(DeltaRow {
                    baseline_run: base.label.clone(),
                    run: run.label.clone(),
                    operation: op.to_string(),
                    metric: m,
                    baseline: bv,
                    value: vv,
                    delta,
                    delta_pct,
                });
            }
        }
    }
    out
}

/// Relative change in percent; from 0 it is 0 or ±∞.
pub fn relative(baseline: f64, value: f64) -> f64 {
    if baseline == 0.0 {
        if value == 0.0 {
            0.0
        } else {
            f64::INFINITY.copysign(value)
        }
    } else {
        (value - baseline) * 100.0 / baseline.abs()
    }
}

/// `+30.0 %`, `-5.0 %`, `+∞ %`, or `-` when unknown.
pub fn signed_pct(v: Option<f64>) -> String {
    match v {
        None => "-".to_string(),
        Some(v) if v.is_infinite() => format!("{}∞ %", if v > 0.0 { "+" } else { "-" }),
        Some(v) => format!("{v:+.1} %"),
    }
}

/// `+30.000`, `-0.125`, or `-` when unknown.
pub fn signed(v: Option<f64>) -> String {
    v.map(|v| format!("{v:+.3}")).unwrap_or_else(|| "-".into())
}

/// Scenario names of runs that differ from the baseline's (from `run.csv`), for a warning:
/// `compare` answers "did this change make it worse?", which needs the same scenario.
pub fn other_scenarios(runs: &[LabelledRun]) -> Vec<(String, String)> {
    let scenario = |s: &Snapshot| s.run.scenario.clone().unwrap_or_default();
    let Some((base, others)) = runs.split_first() else {
        return Vec::new();
    };
    let want = scenario(base.snapshot);
    others
        .iter()
        .map(|r| (r.label.clone(), scenario(r.snapshot)))
        .filter(|(_, s)| *s != want)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::SummaryRow;

    fn snap(p99: f64, n429: u64) -> Snapshot {
        Snapshot {
            summary: vec![SummaryRow {
                operation: "list-users".into(),
                sent: 100,
                ok: 100 - n429,
                status_429: n429,
                achieved_rps: 10.0,
                p50_ms: 20.0,
                p99_ms: p99,
                ..SummaryRow::default()
            }],
            ..Snapshot::default()
        }
    }

    #[test]
    fn deltas_absolute_and_relative() {
        let (a, b) = (snap(100.0, 0), snap(130.0, 5));
        let runs = [
            LabelledRun {
                label: "a".into(),
                snapshot: &a,
            },
            LabelledRun {
                label: "b".into(),
                snapshot: &b,
            },
        ];
        let d = deltas(&runs);
        let p99 = d.iter().find(|r| r.metric == Metric::P99Ms);
        let p99 = p99.map(|r| (r.delta, r.delta_pct));
        assert_eq!(p99, Some((Some(30.0), Some(30.0))));
        let r429 = d.iter().find(|r| r.metric == Metric::Ratio429);
        assert_eq!(
            r429.map(|r| (r.baseline, r.value, r.delta_pct)),
            Some((Some(0.0), Some(0.05), Some(f64::INFINITY)))
        );
        // quota_pct: neither run has a quota → no row
        assert!(d.iter().all(|r| r.metric != Metric::QuotaPct));
        assert_eq!(relative(200.0, 190.0), -5.0);
        assert_eq!(relative(0.0, 0.0), 0.0);
        assert_eq!(signed_pct(Some(30.0)), "+30.0 %");
        assert_eq!(signed_pct(Some(f64::NEG_INFINITY)), "-∞ %");
    }
}
