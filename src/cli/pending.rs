//! Subcommands whose engine is not built yet. They say so and exit 1; they never pretend to work.

use super::{CliError, CliResult};

pub(super) fn not_built(command: &str, issue: u32) -> CliResult {
    Err(CliError::failed(format!(
        "`quotaprobe {command}` is not built yet (tracked in issue {issue}); nothing was done"
    )))
}
