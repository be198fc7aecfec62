//! `quotaprobe verify DIR...`: checks report folders against docs/reports.md (see
//! [`crate::report::verify`]) and prints one line per problem. Exit 0 when every folder is
//! clean, 1 when any has a problem, 2 when a folder does not exist (nothing is checked then).

use super::{CliError, CliResult, Exit, VerifyArgs};
use crate::report::verify;

pub(super) fn verify(args: VerifyArgs) -> CliResult {
    if let Some(dir) = args.dirs.iter().find(|d| !d.is_dir()) {
        return Err(CliError::usage(verify::NoFolder(dir.clone())));
    }
    let mut out = String::new();
    let mut bad_folders = 0;
    for dir in &args.dirs {
        let problems = verify::verify(dir).map_err(CliError::usage)?;
        if !problems.is_empty() {
            bad_folders += 1;
        }
        for p in problems {
            out.push_str(&format!("{p}\n"));
        }
    }
    let n = args.dirs.len();
    if bad_folders == 0 {
        out.push_str(&format!(
            "ok: {n} report folder(s) follow docs/reports.md\n"
        ));
    } else {
        out.push_str(&format!(
            "{bad_folders} of {n} report folder(s) do not follow docs/reports.md\n"
        ));
    }
    super::print_out(&out);
    Ok(if bad_folders == 0 {
        Exit::Ok
    } else {
        Exit::Failed
    })
}
