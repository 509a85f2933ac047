//! The `heapscope` binary: parse arguments, run, exit.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    heapscope::cli::run(heapscope::cli::Cli::parse())
}
