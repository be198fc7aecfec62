//! `quotaprobe report DIR`: not built yet (issue 5).

use super::{CliResult, ReportArgs, pending};

pub(super) fn report(_args: ReportArgs) -> CliResult {
    pending::not_built("report", 5)
}
