//! Thin binary: parse flags, hand them to the library, map the result to an exit code. Owns the
//! process-wide concerns: Ctrl-C (first: stop cleanly and write the report; second: exit now).

use std::process::ExitCode;

use clap::Parser;
use quotaprobe::cli::{Cli, Command};
use quotaprobe::engine::StopSignal;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let stop = StopSignal::new();
    if matches!(cli.command, Command::Run(_) | Command::Compare(_)) {
        watch_ctrl_c(stop.clone());
    }
    quotaprobe::cli::dispatch(cli, stop).code()
}

/// First Ctrl-C: ask the run to stop (it drains in-flight requests and writes the report).
/// Second Ctrl-C: exit at once with 130, as shells expect after SIGINT.
fn watch_ctrl_c(stop: StopSignal) {
    std::thread::spawn(move || {
        let Ok(rt) = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        else {
            return;
        };
        rt.block_on(async {
            if tokio::signal::ctrl_c().await.is_err() {
                return;
            }
            stop.stop();
            eprintln!("stopping: draining in-flight requests, then writing the report (Ctrl-C again exits at once)");
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        });
    });
}
