//! The `heapscope` binary: parse arguments, run, exit.

use clap::Parser;
use std::process::ExitCode;

/// Counts heapscope's own memory, so a run is held to its host memory limit.
#[global_allocator]
static ALLOCATOR: heapscope::host_memory::Counting = heapscope::host_memory::Counting;

fn main() -> ExitCode {
    match heapscope::cli::Cli::try_parse() {
        Ok(cli) => heapscope::cli::run(cli),
        // Help, the version, or a usage error; a failed write of it is reported as any output's is.
        Err(e) => match e.print() {
            Ok(()) => ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)),
            Err(io) => {
                eprintln!("heapscope: cannot write the output: {io}");
                ExitCode::from(heapscope::cli::output::OUTPUT_FAILED)
            }
        },
    }
}
