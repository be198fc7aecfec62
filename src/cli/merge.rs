//! `quotaprobe merge DIR... --out DIR`: the report folders of a sharded run merged into one
//! report (see [`crate::report::merge`]). Everything is read and checked before `--out` is
//! created, so a refused merge (exit 2) writes nothing.

use super::{CliError, CliResult, Exit, MergeArgs};
use crate::report::{self, merge};

pub(super) fn merge(args: MergeArgs) -> CliResult {
    let mut inputs = Vec::with_capacity(args.dirs.len());
    for dir in &args.dirs {
        let snapshot = report::read(dir).map_err(|e| {
            CliError::usage(format!(
                "{}: not a readable report folder: {e}; nothing was written",
                dir.display()
            ))
        })?;
        inputs.push(merge::Input {
            dir: dir.clone(),
            snapshot,
        });
    }
    let merged =
        merge::merge(&inputs).map_err(|e| CliError::usage(format!("{e}; nothing was written")))?;
    for w in &merged.warnings {
        eprintln!("warning: {w}");
    }
    let out = report::prepare_out_dir(&args.out).map_err(CliError::usage)?;
    report::write(&out, &merged.snapshot)
        .map_err(|e| CliError::failed(format!("cannot write the merged report: {e}")))?;
    print!("{}", report::console::render(&merged.snapshot, &out, &[]));
    Ok(Exit::Ok)
}
