//! `quotaprobe report DIR`: re-renders `report.md`, `report.html` and `charts/` from the files of
//! a finished run (re-reading `thresholds.csv` when present) and prints the terminal summary.
//! Exit 0 even when thresholds broke (the run's exit code reported that). A missing or
//! unreadable folder is a usage error (exit 2) naming the path and the file.

use super::{CliError, CliResult, Exit, ReportArgs};
use crate::report;

pub(super) fn report(args: ReportArgs) -> CliResult {
    let snapshot = report::read(&args.dir).map_err(CliError::usage)?;
    let thresholds = report::read_thresholds(&args.dir)
        .map_err(CliError::usage)?
        .unwrap_or_default();
    report::render(&args.dir, &snapshot, &thresholds).map_err(CliError::failed)?;
    super::print_out(&report::console::render(&snapshot, &args.dir, &thresholds));
    super::print_out(&format!(
        "wrote {} and {}\n",
        args.dir.join(report::markdown::FILE).display(),
        args.dir.join(report::html::FILE).display()
    ));
    Ok(Exit::Ok)
}
