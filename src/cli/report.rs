//! `quotaprobe report DIR`: re-renders `report.md`, `report.html` and `charts/` from the files of
//! a finished run (re-reading `thresholds.csv` when present). A missing or unreadable folder is
//! a usage error (exit 2) naming the path and the file.

use super::{CliError, CliResult, Exit, ReportArgs};
use crate::report;

pub(super) fn report(args: ReportArgs) -> CliResult {
    let snapshot = report::read(&args.dir).map_err(CliError::usage)?;
    let thresholds = report::read_thresholds(&args.dir)
        .map_err(CliError::usage)?
        .unwrap_or_default();
    report::render(&args.dir, &snapshot, &thresholds).map_err(CliError::failed)?;
    println!(
        "wrote {} and {}",
        args.dir.join(report::markdown::FILE).display(),
        args.dir.join(report::html::FILE).display()
    );
    Ok(Exit::Ok)
}
