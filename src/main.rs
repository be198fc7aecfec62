//! Thin binary: parse flags, hand them to the library, map the result to an exit code.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = quotaprobe::cli::Cli::parse();
    quotaprobe::cli::dispatch(cli).code()
}
