//! `quotaprobe validate`.

use super::{CliResult, ValidateArgs, pending};

pub(super) fn validate(_args: ValidateArgs) -> CliResult {
    pending::not_built("validate", 2)
}
