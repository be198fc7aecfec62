//! `quotaprobe tiers`: not built yet (issue 3).

use super::{CliResult, TiersArgs, pending};

pub(super) fn tiers(_args: TiersArgs) -> CliResult {
    pending::not_built("tiers", 3)
}
