//! The command line: argument parsing and dispatch. Exit codes are decided here, in one place.

use crate::heap::profile::InstanceLayout;
use crate::heap::{Heap, Profile, PyVersion};
use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// See how CPython manages memory: a faithful simulation of its heap, driven by scenario scripts.
#[derive(Parser, Debug)]
#[command(name = "heapscope", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the CPython versions heapscope simulates and their memory-manager constants.
    Profiles,
    /// Print `sys._debugmallocstats()` for an empty simulated heap of a version.
    Mallocstats {
        /// CPython version to simulate (3.8, 3.10, 3.11, 3.12, 3.13, 3.14).
        #[arg(long, default_value = "3.13")]
        profile: PyVersion,
    },
}

/// Parse `args` and run; the returned code is the process exit status.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Profiles => {
            println!(
                "{:<8}{:>6}{:>7}{:>13}  {:<13}{:<16}{:<16}checked against",
                "profile", "pool", "arena", "pools/arena", "collector", "thresholds", "attributes in"
            );
            for v in PyVersion::ALL {
                let p = Profile::for_version(v);
                let usable = p.max_pools_in_arena() - u32::from(p.arena_misalignment != 0);
                let (collector, source) =
                    if p.incremental_gc { ("incremental", "source only") } else { ("generational", "real CPython") };
                let layout = match p.instance_layout {
                    InstanceLayout::SeparateDict => "a __dict__",
                    InstanceLayout::ValuesArray => "values array",
                    InstanceLayout::InlineValues => "inline values",
                };
                let [t0, t1, t2] = p.thresholds;
                println!(
                    "{:<8}{:>5}K{:>6}K{:>13}  {:<13}{:<16}{:<16}{source}",
                    v.as_str(),
                    p.pool_size / 1024,
                    p.arena_size / 1024,
                    usable,
                    collector,
                    format!("{t0}, {t1}, {t2}"),
                    layout,
                );
            }
            ExitCode::SUCCESS
        }
        Command::Mallocstats { profile } => {
            let heap = Heap::new(Profile::for_version(profile));
            print!("{}", heap.debug_malloc_stats());
            ExitCode::SUCCESS
        }
    }
}
