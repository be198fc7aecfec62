//! `quotaprobe run`: not built yet (issue 4).

use super::{CliResult, RunArgs, pending};

pub(super) fn run(_args: RunArgs) -> CliResult {
    pending::not_built("run", 4)
}
