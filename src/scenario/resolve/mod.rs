//! Turns a parsed [`ScenarioSpec`] into a [`RunPlan`]: interpolates `${VAR}`s, applies defaults
//! and overrides (defaults < file < flags, merged here once), and checks every rule. Problems are
//! collected, not thrown, so a user sees all of them at once.

mod calendar;
mod data;
mod faults;
mod flows;
mod limits;
mod mix;
mod operations;
mod schedule;
mod target;

use std::time::Duration;

use super::env::{EnvLookup, interpolate};
use super::error::Problem;
use super::plan::*;
use super::spec::ScenarioSpec;

/// Values from the command line that beat the file.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub tier: Option<String>,
    pub seed: Option<u64>,
}

/// What resolution needs from outside the file.
pub struct Context<'a> {
    pub env: EnvLookup<'a>,
    /// Tier names accepted for a simulated target; `None` accepts any (a tier file is in use).
    pub known_tiers: Option<&'a [&'a str]>,
    pub overrides: Overrides,
}

/// Default seed, so two runs of the same file pick the same operations.
pub const DEFAULT_SEED: u64 = 1;

/// Collects problems while resolving.
pub(crate) struct Resolver<'a> {
    pub ctx: &'a Context<'a>,
    pub problems: Vec<Problem>,
}

impl Resolver<'_> {
    pub fn problem(&mut self, path: &[&str], message: impl Into<String>) {
        self.problems.push(Problem::new(path, message));
    }

    /// Interpolates `${VAR}`s; an unset one is a problem at `path`.
    pub fn text(&mut self, path: &[&str], value: &str) -> Option<String> {
        match interpolate(value, self.ctx.env) {
            Ok(v) => Some(v),
            Err(msg) => {
                self.problem(path, msg);
                None
            }
        }
    }

    /// Parses a humantime duration that must be > 0.
    pub fn duration(&mut self, path: &[&str], value: &str) -> Option<Duration> {
        match humantime::parse_duration(value.trim()) {
            Ok(d) if d > Duration::ZERO => Some(d),
            Ok(_) => {
                self.problem(path, format!("must be longer than zero, got {value:?}"));
                None
            }
            Err(_) => {
                self.problem(
                    path,
                    format!(
                        "{value:?} is not a duration; write it like \"30s\", \"5m\" or \"1h30m\""
                    ),
                );
                None
            }
        }
    }
}

/// Resolves a whole scenario, or returns every problem found.
/// `base` is the scenario file's folder: data files are relative to it.
pub fn resolve(
    spec: ScenarioSpec,
    base: &std::path::Path,
    ctx: &Context<'_>,
) -> Result<RunPlan, Vec<Problem>> {
    let mut r = Resolver {
        ctx,
        problems: Vec::new(),
    };
    if spec.name.trim().is_empty()
        || !spec
            .name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    {
        r.problem(
            &["name"],
            format!(
                "{:?} cannot name a report folder; use letters, digits, '-', '_' or '.'",
                spec.name
            ),
        );
    }
    let target = target::target(&mut r, spec.target.as_ref());
    let real = target.is_real();
    let clients = target::clients(&mut r, &spec.clients, real);
    let tokens = target::tokens(&mut r, spec.tokens.as_ref(), real);
    let operations::Resolved {
        operations,
        flows,
        keys,
    } = mix::operations(&mut r, &spec.operations, &clients);
    let retry = schedule::retry(&mut r, spec.retry.as_ref());
    let (start, time_of_day) = calendar::start(&mut r, spec.start.as_deref(), real);
    let phases = schedule::phases(&mut r, &spec.phases, time_of_day);
    if real {
        // A closed loop sends as fast as the tenant answers: no rate to check against the
        // tier's limits or to put on Auth0's load-test request. Refused, not capped.
        for (i, p) in spec.phases.iter().enumerate() {
            if p.concurrency.is_some() {
                r.problem(
                    &["phases", &i.to_string(), "concurrency"],
                    "a closed loop has no rate cap and is refused against a real tenant; use rate = N (arrivals per second), which the plan and the tier ceilings can check",
                );
            }
        }
    }
    let stop = schedule::stop(&mut r, spec.stop.as_ref());
    let planned: Duration = phases.iter().map(|p| p.duration).sum();
    let jobs = calendar::jobs(&mut r, &spec.jobs, &operations, planned, time_of_day, real);
    let events = operations::events(&mut r, &spec.events, &clients, real, planned);
    let thresholds = operations::thresholds(&mut r, &spec.thresholds, &operations);
    let http = schedule::http(&mut r, spec.http.as_ref());
    let pacing = schedule::pacing(&mut r, spec.pacing.as_ref());
    let data = data::data(
        &mut r,
        base,
        &spec.data,
        &spec.vars,
        data::Ops {
            operations: &operations,
            keys: &keys,
            flows: &flows,
        },
    );

    if !r.problems.is_empty() {
        return Err(r.problems);
    }
    Ok(RunPlan {
        name: spec.name,
        description: spec.description.unwrap_or_default(),
        seed: ctx.overrides.seed.or(spec.seed).unwrap_or(DEFAULT_SEED),
        target,
        clients,
        tokens,
        operations,
        retry,
        phases,
        stop,
        events,
        thresholds,
        http,
        shard: None,
        pacing,
        data,
        flows,
        start,
        jobs,
        strict: spec.strict,
    })
}
