//! `quotaprobe compare`: not built yet (issue 6).

use super::{CliResult, CompareArgs, pending};

pub(super) fn compare(_args: CompareArgs) -> CliResult {
    pending::not_built("compare", 6)
}
