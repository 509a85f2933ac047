//! Running a scenario: setup, then each step's script, then its expectations, collecting what each step did.
//! One runner serves the headless report, `heapscope verify` and the TUI's recording: they differ only in the
//! [`Observer`] watching.

use super::error::ScenarioError;
use super::load::Loaded;
use super::source::{Origin, Pos};
use crate::heap::Heap;
use crate::script::{Interpreter, Limits, ScriptError};
use serde::Serialize;

/// One expectation's outcome.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Check {
    /// The expression as written.
    pub expr: String,
    /// Whether it held.
    pub passed: bool,
    /// For a failed comparison, both sides' values; for a misbehaving expectation, why.
    pub detail: Option<String>,
    /// Where it is in the scenario file.
    pub line: usize,
}

/// What a step did to the heap.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Effect {
    /// Objects created during the step.
    pub created: u64,
    /// Objects freed during the step.
    pub freed: u64,
    /// Objects alive afterwards (static singletons included).
    pub live: u64,
    /// Collections that ran, per generation.
    pub collections: [u64; 3],
    /// Objects those collections found (collected + uncollectable).
    pub found: u64,
    /// Arenas mapped afterwards.
    pub arenas: u64,
    /// Pools with at least one block in use afterwards.
    pub pools: u64,
    /// Bytes in allocated pymalloc blocks afterwards.
    pub bytes_in_blocks: u64,
    /// Of those, the bytes of blocks parked on type free lists (kept for reuse; start-up stocks them).
    pub free_list_bytes: u64,
    /// `sys.getrefcount` of each bound name afterwards (what Python would print for it).
    pub refcounts: Vec<(String, u64)>,
}

/// One step's report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    /// The title.
    pub title: String,
    /// What to notice.
    pub narration: String,
    /// What it did.
    pub effect: Effect,
    /// What the allocator holds afterwards, and what pins it.
    pub memory: super::memory::Memory,
    /// What `print`, `debug` and `sys::debugmallocstats` wrote.
    pub log: Vec<String>,
    /// The expectations.
    pub checks: Vec<Check>,
}

/// A whole run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// The scenario's name.
    pub name: String,
    /// Its description.
    pub description: String,
    /// The profile simulated.
    pub profile: String,
    /// Each step.
    pub steps: Vec<StepReport>,
}

impl Report {
    /// Expectations that failed.
    pub fn failures(&self) -> impl Iterator<Item = (&StepReport, &Check)> {
        self.steps.iter().flat_map(|s| s.checks.iter().filter(|c| !c.passed).map(move |c| (s, c)))
    }
}

struct Snapshot {
    lifetime: (u64, u64),
    collections: [u64; 3],
    found: u64,
}

fn snapshot(h: &Heap) -> Snapshot {
    let stats = h.gc_stats();
    Snapshot {
        lifetime: h.lifetime_counts(),
        collections: stats.map(|s| s.collections),
        found: stats.iter().map(|s| s.collected + s.uncollectable).sum(),
    }
}

/// Split `lhs OP rhs` at its top-level comparison operator, to show both sides of a failed expectation.
/// An expression joined by `&&` or `||` is not one comparison, and is not split.
fn split_comparison(expr: &str) -> Option<(&str, &str, &str)> {
    if expr.contains("&&") || expr.contains("||") {
        return None;
    }
    let bytes = expr.as_bytes();
    let (mut depth, mut quote) = (0i32, None);
    for i in 0..bytes.len() {
        let c = bytes[i];
        match (quote, c) {
            (Some(q), _) if c == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'`' | b'\'') => quote = Some(c),
            (None, b'(' | b'[' | b'{') => depth += 1,
            (None, b')' | b']' | b'}') => depth -= 1,
            (None, _) if depth == 0 => {
                for op in ["==", "!=", "<=", ">=", "<", ">"] {
                    if expr[i..].starts_with(op) && !expr[..i].ends_with(['<', '>', '=', '!']) {
                        return Some((expr[..i].trim(), op, expr[i + op.len()..].trim()));
                    }
                }
            }
            _ => {}
        }
    }
    None
}

/// The first `last` lines of `text`.
fn python_lines(text: &str, last: usize) -> &str {
    text.match_indices('\n').nth(last.saturating_sub(1)).map_or(text, |(i, _)| &text[..i])
}

/// Run a Rhai script written at `origin` in `file`, numbered as the file: it runs after as many empty lines
/// as precede it there, so every line it reports (tracemalloc's tracebacks, stepping, errors) is a line of
/// the file, even from a function that another step defined.
fn run_rhai(
    interp: &mut Interpreter,
    observer: &mut dyn Observer,
    step: Option<usize>,
    code: &str,
    origin: Origin,
    file: &std::path::Path,
) -> Result<(), ScriptError> {
    let numbered = format!("{}{code}", "\n".repeat(origin.line.saturating_sub(1)));
    let script = Script { step, text: &numbered, shown_from: origin.line.max(1), origin: origin.at_line_1(), file };
    observer.script(interp, &script);
    interp.run(&numbered)
}

/// Run a Python cell (step `step`, or the setup): it shows its own lines of the module, numbered as the
/// file, and stops only where its Python statements start.
fn run_cell(
    loaded: &Loaded,
    step: Option<usize>,
    cell: &super::python::PyCell,
    observer: &mut dyn Observer,
    interp: &mut Interpreter,
) -> Result<(), ScenarioError> {
    let module = loaded.python.as_ref().map_or("", |p| &p.text);
    let text = python_lines(module, cell.last_line);
    let script = Script { step, text, shown_from: cell.first_line, origin: cell.origin, file: &loaded.path };
    observer.script(interp, &script);
    interp.run_anchored(&cell.rhai, Some(&cell.anchors)).map_err(|e| super::traceback::python_error(loaded, e))
}

/// A script the runner is about to run, and where it is written.
#[derive(Clone, Copy, Debug)]
pub struct Script<'a> {
    /// The step it belongs to; `None` for the setup.
    pub step: Option<usize>,
    /// The text shown for it: the Rhai, or a Python file's lines up to its cell's end.
    pub text: &'a str,
    /// The first line of `text` to show (1 but for a Python cell).
    pub shown_from: usize,
    /// Where its first line is in `file`.
    pub origin: Origin,
    /// The file it is written in (the scenario, or a step's `run_file`).
    pub file: &'a std::path::Path,
}

/// Told what a run does, as it happens. Every method has a default that does nothing.
pub trait Observer {
    /// Where the heap reports its events (the default discards them).
    fn sink(&mut self) -> Box<dyn crate::heap::EventSink> {
        Box::new(crate::heap::NullSink)
    }
    /// The interpreter exists and the scenario's settings are applied; nothing has run.
    fn start(&mut self, _interp: &mut Interpreter) {}
    /// A step (`None`: the setup) begins.
    fn step_start(&mut self, _interp: &mut Interpreter, _step: Option<usize>) {}
    /// `script` is about to run.
    fn script(&mut self, _interp: &mut Interpreter, _script: &Script) {}
    /// Step `i`'s script has run; its expectations have not.
    fn after_run(&mut self, _i: usize, _interp: &mut Interpreter) {}
    /// Step `i` is finished.
    fn step_done(&mut self, _i: usize, _report: &StepReport, _interp: &mut Interpreter) {}
    /// The run stopped with `error`; the interpreter is as the failure left it.
    fn failed(&mut self, _interp: &mut Interpreter, _error: &ScenarioError) {}
}

/// The observer that watches nothing.
pub struct Unobserved;

impl Observer for Unobserved {}

/// Parse every script and expectation of a loaded scenario without running anything (`heapscope check`).
pub fn compile(loaded: &Loaded) -> Result<(), ScenarioError> {
    let interp = Interpreter::new(crate::heap::Profile::for_version(loaded.profile), Limits::default());
    let sc = &loaded.scenario;
    let fail = |e: ScriptError, origin: Origin| loaded.error(Some(origin.map(e.line, e.column)), e.message);
    // Python was checked and lowered as it was loaded; what it was lowered to must compile.
    if let Some(py) = &loaded.python {
        for cell in py.all_cells() {
            interp.compile(&cell.rhai, false).map_err(|e| loaded.error(None, format!("internal: {e}")))?;
        }
        return Ok(());
    }
    if let Some(setup) = &sc.setup {
        interp.compile(setup, false).map_err(|e| fail(e, loaded.map.setup))?;
    }
    for (i, step) in sc.steps.iter().enumerate() {
        if let Some(code) = &step.run {
            interp.compile(code, false).map_err(|e| match &step.run_file {
                // A `run_file` script's errors are in that file, as a run reports them.
                Some(f) => {
                    let path = super::load::beside(&loaded.path, f);
                    let pos = Pos { line: e.line.unwrap_or(1), col: e.column.unwrap_or(1) };
                    ScenarioError::at(&path, code, Some(pos), e.message)
                }
                None => fail(e, loaded.map.runs.get(i).copied().unwrap_or_default()),
            })?;
        }
        for (j, expr) in step.expect.iter().enumerate() {
            let origin = loaded.map.expects.get(i).and_then(|v| v.get(j)).copied().unwrap_or_default();
            interp.compile(expr, true).map_err(|e| fail(e, origin))?;
        }
    }
    Ok(())
}

/// Run a loaded scenario. Script errors are scenario errors at the file's position; failed expectations are
/// part of the report.
pub fn run(loaded: &Loaded) -> Result<Report, ScenarioError> {
    run_until(loaded, None).map(|(report, _)| report)
}

/// Run the first `steps` steps (all when `None`), returning the interpreter too, to look at the heap.
pub fn run_until(loaded: &Loaded, stop_after: Option<usize>) -> Result<(Report, Interpreter), ScenarioError> {
    run_observed(loaded, stop_after, &mut Unobserved)
}

/// Run like [`run_until`], telling `observer` what happens.
pub fn run_observed(
    loaded: &Loaded,
    stop_after: Option<usize>,
    observer: &mut dyn Observer,
) -> Result<(Report, Interpreter), ScenarioError> {
    let sc = &loaded.scenario;
    let limits = limits_of(loaded)?;
    let file = match loaded.path.extension().is_some_and(|e| e == "py") {
        // A script's `co_filename` is the path it was run by; from 3.9 `__main__`'s is made absolute
        // (bpo-20443; observed: `tm.py` on 3.8, `/tmp/tm.py` on 3.10).
        true if loaded.profile > crate::heap::PyVersion::V3_8 => {
            std::path::absolute(&loaded.path).unwrap_or_else(|_| loaded.path.clone()).to_string_lossy().to_string()
        }
        true => loaded.path.to_string_lossy().to_string(),
        false => loaded.path.file_name().map_or("<scenario>".into(), |f| f.to_string_lossy().to_string()),
    };
    let profile = crate::heap::Profile::for_version(loaded.profile);
    let mut interp = Interpreter::with_sink(profile, limits, &file, observer.sink(), sc.start);
    {
        let mut h = interp.runtime().heap.borrow_mut();
        if let Some(gc) = &sc.gc {
            if let Some(t) = gc.thresholds {
                h.gc_set_threshold(t);
            }
            if let Some(on) = gc.enabled {
                h.gc_set_enabled(on);
            }
            if let Some(d) = gc.debug {
                h.gc_set_debug(d);
            }
        }
    }
    observer.start(&mut interp);
    match run_steps(loaded, stop_after, observer, &mut interp) {
        Ok(steps) => {
            let report = Report {
                name: sc.name.clone(),
                description: sc.description.clone(),
                profile: loaded.profile.to_string(),
                steps,
            };
            Ok((report, interp))
        }
        Err(e) => {
            observer.failed(&mut interp, &e);
            Err(e)
        }
    }
}

/// What a run of a scenario may use: its `heap_limit:` and `limits:`, heapscope's defaults for the rest. A
/// simulated heap takes about twice its bytes of heapscope's own memory (an edge is 16 bytes where a
/// pointer is 8), so a `heap_limit` over half the host memory limit is refused rather than left to end the
/// process.
fn limits_of(loaded: &Loaded) -> Result<Limits, ScenarioError> {
    let (sc, default) = (&loaded.scenario, Limits::default());
    let l = sc.limits;
    let host_memory = l.host_memory.or(default.host_memory);
    // The default simulated heap shrinks to fit a small host limit (under `ulimit -v`); one the scenario
    // asks for is checked.
    let default_heap = default.heap_limit.zip(host_memory).map_or(default.heap_limit, |(h, m)| Some(h.min(m / 2)));
    let limits = Limits {
        heap_limit: sc.heap_limit.or(default_heap),
        max_operations: l.operations.unwrap_or(default.max_operations),
        deadline: l.seconds.map_or(default.deadline, std::time::Duration::from_secs),
        host_memory,
        ..default
    };
    if let (Some(heap), Some(host)) = (sc.heap_limit, limits.host_memory)
        && heap > host / 2
    {
        let at = super::load::find_key(&loaded.text, "heap_limit", 1);
        return Err(loaded.error(
            at,
            format!(
                "heap_limit: {heap} bytes is more than heapscope can simulate within its host memory limit of \
                 {} MiB (at most {} bytes; raise the host limit with `limits: {{host_memory: BYTES}}` or \
                 `--max-host-memory BYTES`)",
                host >> 20,
                host / 2
            ),
        ));
    }
    Ok(limits)
}

/// The setup and the steps, on an interpreter ready to run them.
fn run_steps(
    loaded: &Loaded,
    stop_after: Option<usize>,
    observer: &mut dyn Observer,
    interp: &mut Interpreter,
) -> Result<Vec<StepReport>, ScenarioError> {
    let sc = &loaded.scenario;
    let fail = |e: ScriptError, origin: Origin| loaded.error(Some(origin.map(e.line, e.column)), e.message);
    let python = loaded.python.as_ref();
    if let Some(cell) = python.and_then(|p| p.setup.as_ref()) {
        observer.step_start(interp, None);
        run_cell(loaded, None, cell, observer, interp)?;
        interp.runtime().log.borrow_mut().clear();
    } else if let Some(setup) = &sc.setup {
        observer.step_start(interp, None);
        let origin = loaded.map.setup;
        run_rhai(interp, observer, None, setup, origin, &loaded.path).map_err(|e| fail(e, origin.at_line_1()))?;
        interp.runtime().log.borrow_mut().clear();
    }
    let mut steps = Vec::new();
    for (i, step) in sc.steps.iter().enumerate().take(stop_after.unwrap_or(usize::MAX)) {
        observer.step_start(interp, Some(i));
        let before = snapshot(&interp.runtime().heap.borrow());
        if let Some(cell) = python.and_then(|p| p.cells.get(i)) {
            run_cell(loaded, Some(i), cell, observer, interp)?;
        } else if let Some(code) = &step.run {
            let run_file = step.run_file.as_ref().map(|f| super::load::beside(&loaded.path, f));
            let origin = match run_file {
                Some(_) => Origin { line: 1, indent: 0 },
                None => loaded.map.runs.get(i).copied().unwrap_or_default(),
            };
            let file = run_file.as_deref().unwrap_or(&loaded.path);
            if let Err(e) = run_rhai(interp, observer, Some(i), code, origin, file) {
                if let Some(path) = &run_file {
                    let pos = Pos { line: e.line.unwrap_or(1), col: e.column.unwrap_or(1) };
                    return Err(ScenarioError::at(path, code, Some(pos), e.message));
                }
                return Err(fail(e, origin.at_line_1()));
            }
        }
        observer.after_run(i, interp);
        let log = std::mem::take(&mut *interp.runtime().log.borrow_mut());
        let memory = super::memory::Memory::of(&interp.runtime().heap.borrow(), &interp.bindings());
        let effect = {
            let h = interp.runtime().heap.borrow();
            let after = snapshot(&h);
            let stats = h.allocator().stats();
            let refcounts = interp
                .bindings()
                .into_iter()
                .filter_map(|(name, id)| h.getrefcount(id).ok().map(|rc| (name, rc)))
                .collect();
            Effect {
                created: after.lifetime.0 - before.lifetime.0,
                freed: after.lifetime.1 - before.lifetime.1,
                live: h.live_objects(),
                collections: [0, 1, 2].map(|g| after.collections[g] - before.collections[g]),
                found: after.found - before.found,
                arenas: stats.arenas_current,
                pools: stats.classes.iter().map(|c| c.pools).sum(),
                bytes_in_blocks: stats.allocated_bytes,
                free_list_bytes: h.free_list_bytes(),
                refcounts,
            }
        };
        // A Python cell's `assert`s were checked where they stand.
        let mut checks: Vec<Check> = std::mem::take(&mut *interp.runtime().checks.borrow_mut())
            .into_iter()
            .map(|c| {
                let line = python.map_or(c.line, |p| p.file_pos(c.line, 1).line);
                Check { expr: c.expr, passed: c.passed, detail: c.detail, line }
            })
            .collect();
        // A Python scenario's expectations are `assert`s in its cells, checked above.
        let rhai_expects = if python.is_some() { &[][..] } else { &step.expect[..] };
        for (j, expr) in rhai_expects.iter().enumerate() {
            let origin = loaded.map.expects.get(i).and_then(|v| v.get(j)).copied().unwrap_or_default();
            let before = interp.runtime().heap.borrow().lifetime_counts();
            let result = interp.eval_bool(expr).map_err(|e| fail(e, origin))?;
            let changed = interp.runtime().heap.borrow().lifetime_counts() != before;
            let detail = if changed {
                Some("this expectation changed the heap; expectations must only observe".to_string())
            } else if result {
                None
            } else {
                split_comparison(expr).map(|(l, op, r)| {
                    let mut show = |e: &str| interp.eval_text(e).unwrap_or_else(|err| format!("<{err}>"));
                    let (lv, rv) = (show(l), show(r));
                    format!("left {lv} {op} right {rv}")
                })
            };
            checks.push(Check { expr: expr.clone(), passed: result && !changed, detail, line: origin.line });
        }
        let report =
            StepReport { title: step.title.clone(), narration: step.narration.clone(), effect, memory, log, checks };
        observer.step_done(i, &report, interp);
        steps.push(report);
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    #[test]
    fn comparisons_split_at_the_top_level_operator() {
        use super::split_comparison as s;
        assert_eq!(s("sys::getrefcount(a) == 2"), Some(("sys::getrefcount(a)", "==", "2")));
        assert_eq!(s("len(f(a == b)) >= 3"), Some(("len(f(a == b))", ">=", "3")));
        assert_eq!(s(r#"value(x) != "a<b""#), Some(("value(x)", "!=", r#""a<b""#)));
        assert_eq!(s("weakref::alive(w)"), None);
        assert_eq!(s("a < 1 || b == 2"), None);
    }
}
