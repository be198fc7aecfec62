//! Scenario files: the TOML model, validation, and the resolved [`RunPlan`].
//!
//! Only this module knows the file's shape. [`load`] parses, interpolates `${VAR}`s, validates
//! and resolves; every error names `file:line:column`, the key path and the fix. It owns no
//! flags (the CLI passes [`Overrides`]) and sends nothing.

pub mod cycle;
pub mod data_plan;
mod env;
mod error;
pub mod flow_plan;
pub mod forecast;
pub mod holes;
mod locate;
mod plain;
pub mod plan;
pub mod request;
mod resolve;
pub mod secret;
pub mod shard;
mod spec;
pub mod split;

use std::path::Path;

pub use error::{Located, ScenarioError};
pub use forecast::Forecast;
pub use plan::*;
pub use resolve::{Context, DEFAULT_SEED, Overrides};
pub use secret::Secret;
pub use shard::{Shard, ShardPlan};
pub use split::ShardError;

/// Reads, parses and resolves a scenario file against the process environment.
pub fn load(
    path: &Path,
    known_tiers: Option<&[&str]>,
    overrides: Overrides,
) -> Result<RunPlan, ScenarioError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScenarioError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let env = |name: &str| std::env::var(name).ok();
    let ctx = Context {
        env: &env,
        known_tiers,
        overrides,
    };
    parse(path, &text, &ctx)
}

/// For unit tests: `text` (named `t.toml`) parsed and resolved with `env` as the environment,
/// no tier list and no overrides.
#[cfg(test)]
pub(crate) fn parse_for_test(
    text: &str,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<RunPlan, ScenarioError> {
    let ctx = Context {
        env,
        known_tiers: None,
        overrides: Overrides::default(),
    };
    parse(Path::new("t.toml"), text, &ctx)
}

/// Parses and resolves scenario `text` (named `path` in errors).
pub fn parse(path: &Path, text: &str, ctx: &Context<'_>) -> Result<RunPlan, ScenarioError> {
    let spec: spec::ScenarioSpec = toml::from_str(text).map_err(|e| {
        let at = e.span().map_or((1, 1), |s| locate::line_col(text, s.start));
        let offset = e.span().map_or(0, |s| s.start);
        let message = plain::message(text, offset, &e.message().trim_end().replace('\n', " "));
        let message = if e.message().starts_with("unknown field") {
            format!("{message}; remove the key or fix its spelling")
        } else {
            message
        };
        ScenarioError::at(path, at, "", message)
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    resolve::resolve(spec, base, ctx).map_err(|problems| {
        ScenarioError::Invalid(
            problems
                .into_iter()
                .map(|p| {
                    let (line, column) = locate::locate(text, &p.path);
                    Located {
                        file: path.to_path_buf(),
                        line,
                        column,
                        key: p.key(),
                        message: p.message,
                    }
                })
                .collect(),
        )
    })
}
