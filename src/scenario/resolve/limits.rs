//! Limits shared by the phases (schedule.rs) and the calendar's phases and jobs (calendar.rs):
//! a leaf, so neither imports the other.

use super::Resolver;

/// Highest arrival rate a phase or job may ask for.
pub(super) const MAX_RATE: f64 = 1_000_000.0;
pub(super) const DEFAULT_MAX_IN_FLIGHT: usize = 64;
pub(super) const MAX_IN_FLIGHT: i64 = 100_000;

/// An open load's `max_in_flight` at `path`: the default when unset, `None` after a problem.
pub(super) fn open_cap(r: &mut Resolver<'_>, path: &[&str], value: Option<i64>) -> Option<usize> {
    match value {
        None => Some(DEFAULT_MAX_IN_FLIGHT),
        Some(n) if (1..=MAX_IN_FLIGHT).contains(&n) => Some(n as usize),
        Some(n) => {
            r.problem(
                path,
                format!("must be between 1 and {MAX_IN_FLIGHT}, got {n}"),
            );
            None
        }
    }
}
