//! `quotaprobe serve`: not built yet (issue 3).

use super::{CliResult, ServeArgs, pending};

pub(super) fn serve(_args: ServeArgs) -> CliResult {
    pending::not_built("serve", 3)
}
