//! The `heapscope` binary: parse arguments, run, exit.

use clap::Parser;
use std::process::ExitCode;

/// Counts heapscope's own memory, so a run is held to its host memory limit.
#[global_allocator]
static ALLOCATOR: heapscope::host_memory::Counting = heapscope::host_memory::Counting;

fn main() -> ExitCode {
    heapscope::cli::run(heapscope::cli::Cli::parse())
}
