//! The month-shaped part of a plan as `validate`, `plan` and `run --dry-run` print it: the
//! calendar start, each `hourly` phase's daily cycle and the `[[jobs]]` (scenario/cycle.rs).

use std::fmt::Write as _;

use crate::scenario::RunPlan;

fn dur(d: std::time::Duration) -> String {
    humantime::format_duration(d).to_string()
}

fn clock(d: std::time::Duration) -> String {
    let s = d.as_secs();
    format!("{:02}:{:02}", s / 3_600, s / 60 % 60)
}

/// Empty for a plan without clock times.
pub(super) fn shape(plan: &RunPlan) -> String {
    let mut s = String::new();
    if !plan.uses_calendar() {
        return s;
    }
    let start = match plan.start {
        Some(t) => humantime::format_rfc3339_seconds(t).to_string(),
        None => "00:00 UTC on the 1st of the current month".to_string(),
    };
    let _ = writeln!(
        s,
        "\nCalendar  starts {start} (the virtual clock of run --fast-forward; clock times are UTC)"
    );
    for p in &plan.phases {
        let Some(c) = &p.cycle else { continue };
        let _ = writeln!(
            s,
            "  daily cycle of phase {}: arrivals/s by UTC hour, {:.0} a day, peak {}/s",
            p.name,
            c.per_period(),
            c.peak_rate()
        );
        for row in c.steps.chunks(6) {
            let first = row.first().map_or(0, |r| r.0.as_secs() / 3_600);
            let rates: Vec<String> = row.iter().map(|r| format!("{:>7}", r.1)).collect();
            let _ = writeln!(s, "    {:02}-{:02}h {}", first, first + 5, rates.join(""));
        }
    }
    if !plan.jobs.is_empty() {
        let _ = writeln!(
            s,
            "  jobs (on top of the phases; operations picked evenly):"
        );
    }
    for j in &plan.jobs {
        let ops: Vec<&str> = j
            .operations
            .iter()
            .filter_map(|&o| plan.operations.get(o).map(|o| o.name.as_str()))
            .collect();
        let _ = writeln!(
            s,
            "    {} at {} every {} for {} at {}/s: {} ({} arrivals)",
            j.name,
            clock(j.at),
            dur(j.every),
            dur(j.length),
            j.rate_per_s,
            ops.join(", "),
            j.phase.arrival_count()
        );
    }
    s
}
