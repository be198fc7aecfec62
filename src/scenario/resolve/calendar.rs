//! The run's calendar: `start`, a phase's `hourly` daily cycle and `[[jobs]]` at clock times
//! (scenario/cycle.rs has the arithmetic). Clock times are UTC, counted from midnight of the
//! start's day; they exist only on the virtual clock of `run --fast-forward` (the CLI refuses
//! them in real time) and only against the simulated tenant (refused here for a real one).

use std::time::{Duration, SystemTime};

use super::Resolver;
use super::limits::{MAX_RATE, open_cap};
use crate::scenario::plan::*;
use crate::scenario::spec::{JobSpec, PhaseSpec};

const DAY: Duration = Duration::from_secs(86_400);

/// `start`: the calendar time, and its time of day (zero without one: the default start is
/// midnight UTC on the 1st of the month).
pub(super) fn start(
    r: &mut Resolver<'_>,
    spec: Option<&str>,
    real: bool,
) -> (Option<SystemTime>, Duration) {
    let Some(text) = spec else {
        return (None, Duration::ZERO);
    };
    if real {
        r.problem(
            &["start"],
            "sets the virtual clock of a fast-forward run, which a real tenant cannot have; remove it",
        );
    }
    match humantime::parse_rfc3339(text.trim()) {
        Ok(t) => {
            let since = crate::clock::epoch(t);
            (
                Some(t),
                Duration::from_secs(since.as_secs() % DAY.as_secs())
                    + Duration::from_nanos(u64::from(since.subsec_nanos())),
            )
        }
        Err(_) => {
            r.problem(
                &["start"],
                format!("{text:?} is not a UTC time; write it like \"2026-12-10T00:00:00Z\""),
            );
            (None, Duration::ZERO)
        }
    }
}

/// Checks `hourly = [...]` of phase `idx` (which sets no `rate`, `ramp_to` or `concurrency`);
/// the cycle for a phase starting at `time_of_day`, or `None` after a problem.
pub(super) fn hourly(
    r: &mut Resolver<'_>,
    idx: &str,
    p: &PhaseSpec,
    rates: &[f64],
    time_of_day: Duration,
) -> Option<Cycle> {
    let mut ok = true;
    for (key, set) in [
        ("rate", p.rate.is_some()),
        ("ramp_to", p.ramp_to.is_some()),
        ("concurrency", p.concurrency.is_some()),
    ] {
        if set {
            r.problem(
                &["phases", idx, key],
                "cannot be combined with hourly (its 24 rates are the phase's rate by hour of day); remove one",
            );
            ok = false;
        }
    }
    if rates.len() != 24 {
        r.problem(
            &["phases", idx, "hourly"],
            format!(
                "needs 24 rates, one per UTC hour of day (00:00 first), got {}",
                rates.len()
            ),
        );
        return None;
    }
    if let Some((h, v)) = rates
        .iter()
        .enumerate()
        .find(|(_, v)| !v.is_finite() || **v < 0.0 || **v > MAX_RATE)
    {
        r.problem(
            &["phases", idx, "hourly"],
            format!(
                "hour {h:02}: must be >= 0 and <= {} arrivals per second, got {v}",
                MAX_RATE
            ),
        );
        ok = false;
    }
    if ok && rates.iter().all(|v| *v == 0.0) {
        r.problem(
            &["phases", idx, "hourly"],
            "all 24 rates are 0; give at least one hour a rate > 0",
        );
        ok = false;
    }
    ok.then(|| Cycle::hourly(rates, time_of_day))
}

/// A clock time of day, `"HH:MM"` or `"HH:MM:SS"`.
fn clock_time(text: &str) -> Option<Duration> {
    let parts: Vec<&str> = text.trim().split(':').collect();
    let num = |s: &str, max: u64| s.parse::<u64>().ok().filter(|v| *v < max && s.len() == 2);
    let (h, m, s) = match parts.as_slice() {
        [h, m] => (num(h, 24)?, num(m, 60)?, 0),
        [h, m, s] => (num(h, 24)?, num(m, 60)?, num(s, 60)?),
        _ => return None,
    };
    Some(Duration::from_secs(h * 3_600 + m * 60 + s))
}

/// `[[jobs]]`, each over the whole run (`planned`: the phases' total) from `time_of_day`.
pub(super) fn jobs(
    r: &mut Resolver<'_>,
    specs: &[JobSpec],
    operations: &[OperationPlan],
    planned: Duration,
    time_of_day: Duration,
    real: bool,
) -> Vec<JobPlan> {
    let mut out = Vec::new();
    for (i, j) in specs.iter().enumerate() {
        let idx = i.to_string();
        let at_key = |k: &'static str| ["jobs", idx.as_str(), k];
        if real {
            r.problem(
                &["jobs", &idx],
                "a job runs at a clock time of the virtual calendar (run --fast-forward on the simulated tenant); remove it for a real tenant",
            );
            continue;
        }
        let at = clock_time(&j.at);
        if at.is_none() {
            r.problem(
                &at_key("at"),
                format!("{:?} is not a clock time; write the UTC time of day like \"02:00\" or \"23:30:00\"", j.at),
            );
        }
        let every = match &j.every {
            Some(e) => r.duration(&at_key("every"), e),
            None => Some(DAY),
        };
        let length = r.duration(&at_key("duration"), &j.duration);
        if let (Some(e), Some(l)) = (every, length)
            && l >= e
        {
            r.problem(
                &at_key("duration"),
                format!("must be shorter than every ({}): a job that never ends is a phase; make it shorter", humantime::format_duration(e)),
            );
        }
        if !j.rate.is_finite() || j.rate <= 0.0 || j.rate > MAX_RATE {
            r.problem(
                &at_key("rate"),
                format!(
                    "must be > 0 and <= {} arrivals per second, got {}",
                    MAX_RATE, j.rate
                ),
            );
        }
        let mut ops = Vec::new();
        for (k, name) in j.operations.iter().enumerate() {
            match operations.iter().position(|o| &o.name == name) {
                Some(op) => ops.push(op),
                None => r.problem(
                    &["jobs", &idx, "operations", &k.to_string()],
                    format!("no [[operations]] entry is named {name:?}; name one of the scenario's operations (a flow cannot be a job's)"),
                ),
            }
        }
        if j.operations.is_empty() {
            r.problem(
                &at_key("operations"),
                "needs at least one operation name, like [\"nightly-export\"]",
            );
        }
        let max_in_flight = open_cap(r, &at_key("max_in_flight"), j.max_in_flight);
        if let (Some(at), Some(every), Some(length), Some(cap)) = (at, every, length, max_in_flight)
            && length < every
            && ops.len() == j.operations.len()
            && !ops.is_empty()
        {
            let cycle = Cycle::window(every, at, length, j.rate, time_of_day);
            out.push(JobPlan {
                name: j.name.clone(),
                operations: ops,
                phase: PhasePlan {
                    name: j.name.clone(),
                    duration: planned.max(Duration::from_nanos(1)),
                    rate_per_s: cycle.mean_rate(),
                    ramp_to_per_s: cycle.mean_rate(),
                    max_in_flight: cap,
                    concurrency: None,
                    cycle: Some(cycle),
                },
                at,
                every,
                length,
                rate_per_s: j.rate,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::clock_time;
    use std::time::Duration;

    #[test]
    fn clock_times() {
        let s = Duration::from_secs;
        let table = [
            ("02:00", Some(s(7_200))),
            ("23:59:59", Some(s(86_399))),
            ("00:00", Some(s(0))),
            ("24:00", None),
            ("2:00", None),
            ("02:60", None),
            ("02", None),
            ("noon", None),
        ];
        for (text, want) in table {
            assert_eq!(clock_time(text), want, "{text}");
        }
    }
}
