//! run.csv's observed facts (docs/reports.md "run.csv": `quota_*`, `work_finished_s`), when a
//! folder has them: times are numbers within the run (active time plus drain), the quota ran
//! out exactly when it refused something, and each operation it made fail is one of
//! summary.csv's, failing no more requests than that operation sent (with retries).

use crate::metrics::ObservedFacts;

use super::counts::Ops;
use super::problem::Problems;
use super::table::Row;

pub(super) fn check(ops: &Ops, rows: &[Row], p: &mut Problems) {
    const FILE: &str = "run.csv";
    let value = |key: &str| {
        rows.iter()
            .find(|r| r.text("key") == key)
            .map(|r| (r.line, r.text("value")))
    };
    let secs = |key: &str| value(key).and_then(|(_, v)| v.parse::<f64>().ok());
    let end = secs("duration_s").unwrap_or(f64::INFINITY) + secs("drain_s").unwrap_or(0.0);
    for key in ["quota_ran_out_s", "work_finished_s"] {
        let Some((line, v)) = value(key).filter(|(_, v)| !v.is_empty()) else {
            continue;
        };
        match v.parse::<f64>() {
            Ok(t) if t.is_finite() && t >= 0.0 && t <= end + 0.001 => {}
            Ok(t) if t.is_finite() && t >= 0.0 => p.add(
                FILE,
                Some(line),
                format!("{key}: {v} is after the run ended (duration_s + drain_s = {end:.3})"),
            ),
            _ => p.add(FILE, Some(line), format!("{key}: {v:?} is not a number")),
        }
    }
    let refused = value("quota_refused_tokens");
    if let Some((line, v)) = refused {
        match v.parse::<u64>() {
            Err(_) => p.add(
                FILE,
                Some(line),
                format!("quota_refused_tokens: {v:?} is not a whole number"),
            ),
            Ok(n) => {
                let ran_out = value("quota_ran_out_s").is_some_and(|(_, t)| !t.is_empty());
                if (n > 0) != ran_out {
                    p.add(
                        FILE,
                        Some(line),
                        format!(
                            "quota_refused_tokens is {n} but quota_ran_out_s is {}: the quota runs out exactly when it refuses a token",
                            if ran_out { "set" } else { "empty" }
                        ),
                    );
                }
            }
        }
    }
    let Some((line, v)) = value("quota_failed_operations") else {
        return;
    };
    let Some(list) = ObservedFacts::parse_failed(v) else {
        p.add(
            FILE,
            Some(line),
            format!("quota_failed_operations: {v:?} is not a list of `operation count` parts separated by \"; \""),
        );
        return;
    };
    for (op, n) in list {
        let Some(row) = ops.list.iter().find(|r| r.text("operation") == op) else {
            p.add(
                FILE,
                Some(line),
                format!("quota_failed_operations: {op:?} is not an operation of summary.csv"),
            );
            continue;
        };
        let tried = row.count("sent").unwrap_or(0) + row.count("retries").unwrap_or(0);
        if n > tried {
            p.add(
                FILE,
                Some(line),
                format!(
                    "quota_failed_operations: {op} {n}, but summary.csv says it sent {tried} requests with retries"
                ),
            );
        }
    }
}
