//! The command line: argument parsing and dispatch. Exit codes are decided here, in one place.

use crate::heap::profile::InstanceLayout;
use crate::heap::{Heap, Profile, PyVersion};
use crate::scenario::junit::Case;
use crate::scenario::{self, ScenarioError};
use clap::{Parser, Subcommand, ValueEnum};
use output::{errln, out, outln};

pub mod output;
mod verify;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Human-readable text.
    Text,
    /// JSON (`Report` serialized).
    Json,
    /// Only what the program printed, exactly as Python prints it (failed expectations go to stderr).
    Stdout,
}

/// `heapscope export` formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    /// Graphviz DOT.
    Dot,
    /// The whole heap state as JSON.
    Json,
}

/// What a run may use, over what the scenario's `limits:` says.
#[derive(clap::Args, Debug, Clone, Copy, Default)]
struct LimitFlags {
    /// Operations one run may take (the limit that decides; default 50,000,000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    max_operations: Option<u64>,
    /// Wall-clock seconds the scripts may run, a last resort behind the operations (default 60).
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    max_seconds: Option<u64>,
    /// Bytes heapscope itself may hold for a run (default 4 GiB, less under a smaller `ulimit -v`).
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    max_host_memory: Option<u64>,
}

impl LimitFlags {
    fn settings(self) -> scenario::format::LimitSettings {
        scenario::format::LimitSettings {
            operations: self.max_operations,
            seconds: self.max_seconds,
            host_memory: self.max_host_memory,
        }
    }
}

/// Exit status for bad input (files, syntax, scripts).
const BAD_INPUT: u8 = 2;

/// See how CPython manages memory: a faithful simulation of its heap, driven by scenario scripts.
#[derive(Parser, Debug)]
#[command(name = "heapscope", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Run a scenario. `--headless` prints a per-step report instead of opening the TUI.
    #[command(
        after_help = "Examples:\n  heapscope run --headless scenarios/classic-cycle.yaml\n  heapscope run --headless --format json --profile 3.8 scenarios/classic-cycle.yaml"
    )]
    Run {
        /// The scenario file.
        file: PathBuf,
        /// Print the report instead of opening the interactive view.
        #[arg(long)]
        headless: bool,
        /// Report format.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Simulate this CPython version instead of the scenario's.
        #[arg(long)]
        profile: Option<PyVersion>,
        #[command(flatten)]
        limits: LimitFlags,
    },
    /// Run every scenario and check its expectations; ends with `N passed, N failed`.
    #[command(after_help = "Examples:\n  heapscope test\n  heapscope test scenarios/ --profile 3.10")]
    Test {
        /// Scenario files or folders (default: scenarios/).
        paths: Vec<PathBuf>,
        /// Rerun every scenario under this CPython version.
        #[arg(long)]
        profile: Option<PyVersion>,
        /// Also write the results as JUnit XML to this file.
        #[arg(long)]
        junit: Option<PathBuf>,
        #[command(flatten)]
        limits: LimitFlags,
    },
    /// Run a scenario up to a step and write the heap: the object graph (DOT) or the whole state (JSON).
    #[command(
        after_help = "Examples:\n  heapscope export scenarios/classic-cycle.yaml --step 3 --format dot | dot -Tsvg > heap.svg"
    )]
    Export {
        /// The scenario file.
        file: PathBuf,
        /// Stop after this step (1-based; default: the last).
        #[arg(long)]
        step: Option<usize>,
        /// Output format.
        #[arg(long, value_enum, default_value = "dot")]
        format: ExportFormat,
        #[command(flatten)]
        limits: LimitFlags,
    },
    /// Check a scenario against real CPython: its `python:` twins run on each interpreter and the observations
    /// after every step are compared with the simulation under the matching profile.
    ///
    /// The scenario's Python runs on each real interpreter with your rights, outside heapscope's sandbox:
    /// verify only files you would run with `python3` yourself.
    #[command(
        after_help = "The scenario's Python runs on real interpreters with your rights (not sandboxed): verify only files you trust.\n\nExamples:\n  heapscope verify scenarios/classic-cycle.yaml\n  heapscope verify scenarios/classic-cycle.yaml --python /usr/bin/python3.11"
    )]
    Verify {
        /// The scenario file.
        file: PathBuf,
        /// Interpreters to use (default: every supported CPython found via pyenv or PATH).
        #[arg(long)]
        python: Vec<PathBuf>,
        /// Seconds each interpreter may take to run the scenario's Python before it is stopped.
        #[arg(long, value_name = "SECONDS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..))]
        timeout: u64,
    },
    /// Show what a scenario runs: a Python scenario's lines with where stepping stops, or its Rhai.
    #[command(
        after_help = "Examples:\n  heapscope explain scenarios/article/node_cycle.py\n  heapscope explain --rhai scenarios/article/node_cycle.py"
    )]
    Explain {
        /// The Python file.
        file: PathBuf,
        /// Print the Rhai a Python scenario is lowered to (without it: its lines and where stepping stops).
        #[arg(long)]
        rhai: bool,
    },
    /// Validate scenario files without running them.
    Check {
        /// Scenario files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// List the CPython versions heapscope simulates and their memory-manager constants.
    Profiles,
    /// Print `sys._debugmallocstats()` for an empty simulated heap of a version.
    Mallocstats {
        /// CPython version to simulate (`heapscope profiles` lists them; 3.14 is 3.14.5+).
        #[arg(long, default_value = "3.13")]
        profile: PyVersion,
    },
}

/// Parse `args` and run; the returned code is the process exit status.
pub fn run(cli: Cli) -> ExitCode {
    output::finish(dispatch(cli))
}

fn dispatch(cli: Cli) -> ExitCode {
    match cli.command {
        Command::Run { file, headless, format, profile, limits } => {
            run_scenario(&file, headless, format, profile, limits)
        }
        Command::Test { paths, profile, junit, limits } => test(paths, profile, junit, limits),
        Command::Export { file, step, format, limits } => export(&file, step, format, limits),
        Command::Check { files } => check(&files),
        Command::Verify { file, python, timeout } => verify::verify(&file, python, timeout),
        Command::Profiles => {
            out!("{}", profiles_table());
            ExitCode::SUCCESS
        }
        Command::Explain { file, rhai } => explain(&file, rhai),
        Command::Mallocstats { profile } => {
            let heap = Heap::new(Profile::for_version(profile));
            out!("{}", heap.debug_malloc_stats());
            ExitCode::SUCCESS
        }
    }
}

/// `heapscope profiles`: each simulated behaviour, its allocator and collector, and what it was checked against.
fn profiles_table() -> String {
    let mut out = format!(
        "{:<15}{:>5}{:>7}{:>13}  {:<13}{:<14}{:<15}{:<8}checked against\n",
        "profile", "pool", "arena", "pools/arena", "collector", "thresholds", "attributes in", "dicts"
    );
    for v in PyVersion::ALL {
        let p = Profile::for_version(v);
        let usable = p.max_pools_in_arena() - u32::from(p.arena_misalignment != 0);
        let collector = if p.incremental_gc() { "incremental" } else { "generational" };
        let layout = match p.instance_layout {
            InstanceLayout::SeparateDict => "a __dict__",
            InstanceLayout::ValuesArray => "values array",
            InstanceLayout::InlineValues => "inline values",
        };
        // Whether a dict is tracked from creation (`{}` included) or only once it holds a container.
        let dicts = if p.dicts_always_tracked { "always" } else { "lazy" };
        let [t0, t1, t2] = p.thresholds;
        out += &format!(
            "{:<15}{:>4}K{:>6}K{:>13}  {:<13}{:<14}{:<15}{:<8}{}\n",
            v.as_str(),
            p.pool_size / 1024,
            p.arena_size / 1024,
            usable,
            collector,
            format!("{t0}, {t1}, {t2}"),
            layout,
            dicts,
            v.checked_against(),
        );
    }
    out += "\n--profile takes a name above, a series (3.14 means its newest behaviour, 3.14.5+) or a release \
            (3.14.2 is 3.14.1-3.14.4).\n";
    out
}

fn explain(file: &Path, rhai: bool) -> ExitCode {
    match scenario::load(file) {
        Ok(loaded) => {
            let out = scenario::explain::explain(&loaded, rhai);
            output::write(&out, true);
            ExitCode::SUCCESS
        }
        Err(e) => {
            errln!("{e}");
            ExitCode::from(BAD_INPUT)
        }
    }
}

fn load(file: &Path, profile: Option<PyVersion>, limits: LimitFlags) -> Result<scenario::Loaded, ScenarioError> {
    let mut loaded = scenario::load(file)?;
    if let Some(p) = profile {
        loaded.profile = p;
    }
    loaded.scenario.limits = loaded.scenario.limits.overridden_by(limits.settings());
    Ok(loaded)
}

/// What a run did before it failed: the steps it finished, and what the program printed.
#[derive(Default)]
struct SoFar {
    steps: Vec<scenario::runner::StepReport>,
    printed: String,
}

impl scenario::runner::Observer for SoFar {
    fn step_done(
        &mut self,
        _i: usize,
        report: &scenario::runner::StepReport,
        _interp: &mut crate::script::Interpreter,
    ) {
        self.steps.push(report.clone());
    }
    fn failed(&mut self, interp: &mut crate::script::Interpreter, _error: &ScenarioError) {
        self.printed = interp.runtime().stdout.borrow().clone();
    }
}

fn run_scenario(
    file: &Path,
    headless: bool,
    format: Format,
    profile: Option<PyVersion>,
    limits: LimitFlags,
) -> ExitCode {
    if !headless {
        return interactive(file, profile, limits);
    }
    let loaded = match load(file, profile, limits) {
        Ok(l) => l,
        Err(e) => {
            errln!("{e}");
            return ExitCode::from(BAD_INPUT);
        }
    };
    let mut so_far = SoFar::default();
    let (report, interp) = match scenario::runner::run_observed(&loaded, None, &mut so_far) {
        Ok(r) => r,
        Err(e) => {
            // What ran before the error stays shown: the steps it finished, or, as Python does, what the
            // program printed.
            let shown = match format {
                Format::Stdout => so_far.printed,
                Format::Text => {
                    let finished = scenario::runner::Report {
                        name: loaded.scenario.name.clone(),
                        description: loaded.scenario.description.clone(),
                        profile: loaded.profile.to_string(),
                        steps: so_far.steps,
                    };
                    scenario::report::render_of(&finished, loaded.scenario.steps.len())
                }
                Format::Json => String::new(),
            };
            output::write(&shown, safe_for(format));
            errln!("{e}");
            return ExitCode::from(BAD_INPUT);
        }
    };
    let out = match format {
        Format::Text => scenario::report::render(&report),
        Format::Json => format!("{}\n", serde_json::to_string_pretty(&report).expect("reports serialize")),
        Format::Stdout => {
            for (_, check) in report.failures() {
                let detail = check.detail.as_deref().map_or(String::new(), |d| format!(" ({d})"));
                errln!("{}:{}: expectation failed: {}{detail}", file.display(), check.line, check.expr);
            }
            interp.runtime().stdout.borrow().clone()
        }
    };
    output::write(&out, safe_for(format));
    if report.failures().next().is_some() { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// Whether a report's text is neutralised: always, but for `--format stdout` (exactly what Python prints,
/// to compare) when it goes to a file or a pipe rather than a terminal.
fn safe_for(format: Format) -> bool {
    use std::io::IsTerminal;
    format != Format::Stdout || std::io::stdout().is_terminal()
}

/// The TUI: the file must load and its scripts parse first; how the run ended decides the exit status, as
/// for `--headless`.
fn interactive(file: &Path, profile: Option<PyVersion>, limits: LimitFlags) -> ExitCode {
    let loaded = match load(file, profile, limits).and_then(|l| scenario::runner::compile(&l).map(|()| l)) {
        Ok(l) => l,
        Err(e) => {
            errln!("{e}");
            return ExitCode::from(BAD_INPUT);
        }
    };
    match crate::tui::run(loaded) {
        Ok(outcome) => match outcome.end {
            Some(crate::timeline::recording::End::Failed(e)) => {
                errln!("{e}");
                ExitCode::from(BAD_INPUT)
            }
            _ if outcome.failed_checks > 0 => {
                errln!(
                    "heapscope: {} expectation(s) failed; `heapscope run --headless` lists them",
                    outcome.failed_checks
                );
                ExitCode::from(1)
            }
            _ => ExitCode::SUCCESS,
        },
        Err(e) => {
            errln!("heapscope: {e}");
            ExitCode::from(BAD_INPUT)
        }
    }
}

/// Scenario files under `paths` (folders searched recursively for `.yaml`/`.yml`/`.py`), sorted.
fn scenario_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.filter_map(|e| e.ok().map(|e| e.path())));
            }
        } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml" || e == "py") || paths.contains(&p) {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn test(paths: Vec<PathBuf>, profile: Option<PyVersion>, junit: Option<PathBuf>, limits: LimitFlags) -> ExitCode {
    let paths = if paths.is_empty() { vec![PathBuf::from("scenarios")] } else { paths };
    let (mut passed, mut failed, mut bad_input) = (0, 0, false);
    let mut cases = Vec::new();
    let files = scenario_files(&paths);
    if files.is_empty() {
        let shown: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        errln!("heapscope: no scenario (.yaml or .py) found in {}: nothing was tested", shown.join(", "));
        return ExitCode::from(BAD_INPUT);
    }
    for file in files {
        let shown = file.display().to_string();
        match load(&file, profile, limits).and_then(|l| scenario::run(&l)) {
            Ok(report) if report.failures().next().is_none() => {
                passed += 1;
                outln!("PASS {} ({shown})", report.name);
                cases.push(Case { name: report.name, file: shown, failures: vec![], error: false });
            }
            Ok(report) => {
                failed += 1;
                outln!("FAIL {} ({shown})", report.name);
                let mut failures = Vec::new();
                for (step, check) in report.failures() {
                    let detail = check.detail.as_deref().map_or(String::new(), |d| format!(" ({d})"));
                    let line = format!("{shown}:{}: [{}] {}{detail}", check.line, step.title, check.expr);
                    outln!("  {line}");
                    failures.push(line);
                }
                cases.push(Case { name: report.name.clone(), file: shown, failures, error: false });
            }
            Err(e) => {
                failed += 1;
                bad_input = true;
                outln!("FAIL {shown}");
                outln!("{e}");
                cases.push(Case { name: shown.clone(), file: shown, failures: vec![e.to_string()], error: true });
            }
        }
    }
    outln!("{passed} passed, {failed} failed");
    if let Some(path) = junit
        && let Err(e) = std::fs::write(&path, scenario::junit::render(&cases))
    {
        errln!("heapscope: cannot write {}: {e}", path.display());
        return ExitCode::from(BAD_INPUT);
    }
    match (bad_input, failed) {
        (true, _) => ExitCode::from(BAD_INPUT),
        (false, 0) => ExitCode::SUCCESS,
        _ => ExitCode::from(1),
    }
}

fn check(files: &[PathBuf]) -> ExitCode {
    let mut ok = true;
    for file in files {
        match scenario::load(file).and_then(|l| scenario::runner::compile(&l)) {
            Ok(()) => outln!("ok {}", file.display()),
            Err(e) => {
                ok = false;
                errln!("{e}");
            }
        }
    }
    if ok { ExitCode::SUCCESS } else { ExitCode::from(BAD_INPUT) }
}

fn export(file: &Path, step: Option<usize>, format: ExportFormat, limits: LimitFlags) -> ExitCode {
    let run = load(file, None, limits).and_then(|l| {
        if step.is_some_and(|s| s == 0 || s > l.scenario.steps.len()) {
            let n = l.scenario.steps.len();
            return Err(l.error(None, format!("--step must be between 1 and {n}")));
        }
        scenario::runner::run_until(&l, step)
    });
    match run {
        Ok((_, interp)) => {
            let heap = interp.runtime().heap.borrow();
            match format {
                ExportFormat::Dot => out!("{}", scenario::export::dot(&heap)),
                ExportFormat::Json => outln!("{}", scenario::export::json(&heap, &interp.bindings())),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            errln!("{e}");
            ExitCode::from(BAD_INPUT)
        }
    }
}
