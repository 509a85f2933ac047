//! Python scenarios: a `.py` file (its `# %%` cells are the steps), or a YAML scenario whose steps are all
//! written in Python (`python:` without `run:`). Either way the Python is lowered as one module, and every
//! line the user sees is mapped back to the file they wrote.

use super::error::ScenarioError;
use super::format::{Scenario, Step};
use super::load::Loaded;
use super::source::{Origin, Pos, SourceMap};
use crate::heap::PyVersion;
use crate::python::Anchor;
use std::path::Path;

/// The Python a scenario runs: the module as lowered, and where its lines are in the scenario file.
#[derive(Debug, Clone)]
pub struct PySource {
    /// The module's text (a `.py` file's own; for YAML, its pieces joined, one cell per step).
    pub text: String,
    /// The file position of each module line's first column (empty: the module is the file).
    pub lines: Vec<Pos>,
    /// The setup's cell (YAML's `python_setup:`).
    pub setup: Option<PyCell>,
    /// Each step's cell.
    pub cells: Vec<PyCell>,
}

/// One step's Python: the module lines it shows, and where its statements start in its generated script.
#[derive(Debug, Clone)]
pub struct PyCell {
    /// First module line shown.
    pub first_line: usize,
    /// Last module line shown.
    pub last_line: usize,
    /// Where its statements start: stepping stops there.
    pub anchors: Vec<Anchor>,
    /// Where module line 1 would be in the file for this cell's lines (they are contiguous there).
    pub origin: Origin,
    /// Its generated Rhai.
    pub rhai: String,
}

impl PySource {
    /// The file position of a module position.
    pub fn file_pos(&self, line: usize, column: usize) -> Pos {
        match self.lines.get(line.wrapping_sub(1)) {
            Some(p) => Pos { line: p.line, col: p.col + column - 1 },
            None => Pos { line, col: column },
        }
    }

    /// Every cell, the setup's first.
    pub fn all_cells(&self) -> impl Iterator<Item = &PyCell> {
        self.setup.iter().chain(&self.cells)
    }
}

/// Lower `module` (whose line `l` is at `lines[l - 1]` in `file`), refusing what is not simulated at its
/// place in the file.
fn lower(file: &Path, text: &str, module: String, lines: Vec<Pos>) -> Result<PySource, ScenarioError> {
    let mut source = PySource { text: String::new(), lines, setup: None, cells: Vec::new() };
    let program = crate::python::compile(&module)
        .map_err(|e| ScenarioError::at(file, text, Some(source.file_pos(e.line, e.column)), e.message))?;
    source.text = module;
    for c in program.cells {
        let first_line = c.cell.first_line;
        let at = source.file_pos(first_line, 1);
        let origin = Origin { line: (at.line + 1).saturating_sub(first_line), indent: at.col - 1 };
        let cell = PyCell { first_line, last_line: c.cell.last_line, anchors: c.anchors, origin, rhai: c.rhai };
        source.cells.push(cell);
    }
    Ok(source)
}

/// A Python file as a scenario: each `# %%` cell a step whose Python runs on the simulator (lowered to Rhai)
/// and, for `verify`, on real CPython as written; its `assert`s are the step's expectations.
pub(super) fn load_python(path: &Path, text: String) -> Result<Loaded, ScenarioError> {
    let source = lower(path, &text, text.clone(), Vec::new())?;
    let cells = crate::python::split_cells(&text);
    let mut map = SourceMap::default();
    let steps = cells
        .into_iter()
        .zip(&source.cells)
        .map(|(cell, lowered)| {
            map.runs.push(Origin { line: 1, indent: 0 });
            map.expects.push(Vec::new());
            map.steps.push(Origin { line: cell.marker_line, indent: 0 });
            Step {
                title: cell.title,
                narration: cell.narration,
                run: Some(lowered.rhai.clone()),
                run_file: None,
                expect: Vec::new(),
                python: Some(cell.source),
            }
        })
        .collect();
    let name = path.file_stem().map_or("script".into(), |s| s.to_string_lossy().to_string());
    let mut scenario = Scenario {
        name,
        description: String::new(),
        profile: None,
        gc: None,
        heap_limit: None,
        limits: Default::default(),
        // A Python file runs as `python3 f.py` does: on the heap the interpreter's start-up left.
        start: crate::script::HeapStart::Interpreter,
        setup: None,
        python_setup: None,
        steps,
    };
    scenario.neutralise_text();
    let path = path.to_path_buf();
    Ok(Loaded { path, text, scenario, map, profile: PyVersion::V3_13, python: Some(source) })
}

/// A YAML scenario whose steps are all Python (`python:` and no `run:`): its `python_setup:` and steps
/// joined into one module, a cell each, every `expect:` an `assert` at the end of its step. `None` when
/// the scenario is Rhai (steps with both keep their `python:` as the twin `verify` runs).
pub(super) fn lower_yaml(loaded: &Loaded) -> Result<Option<PySource>, ScenarioError> {
    let sc = &loaded.scenario;
    let python_only = |s: &Step| s.run.is_none() && s.run_file.is_none() && s.python.is_some();
    if !sc.steps.iter().any(python_only) {
        return Ok(None);
    }
    if let Some(i) = sc.steps.iter().position(|s| !python_only(s)) {
        let at = loaded.map.steps.get(i).map(|o| Pos { line: o.line, col: o.indent + 1 });
        return Err(loaded.error(
            at,
            format!(
                "step {} is Rhai (or empty) while others are Python only: write every step in Python, or give \
                 each a `run:`",
                i + 1
            ),
        ));
    }
    if sc.setup.is_some() {
        return Err(loaded.error(None, "a scenario written in Python takes `python_setup:`, not `setup:`"));
    }
    let mut module = Joined::default();
    let title = |i: usize| loaded.map.steps.get(i).map_or(Pos { line: 1, col: 1 }, |o| Pos { line: o.line, col: 1 });
    if let Some(setup) = &sc.python_setup {
        module.cell(setup, loaded.map.python_setup, Pos { line: loaded.map.python_setup.line, col: 1 });
    }
    let mut shown = Vec::new();
    for (i, step) in sc.steps.iter().enumerate() {
        let origin = loaded.map.pythons.get(i).copied().unwrap_or_default();
        module.cell(step.python.as_deref().unwrap_or(""), origin, title(i));
        shown.push(module.lines.len());
        for (j, expr) in step.expect.iter().enumerate() {
            let at = loaded.map.expects.get(i).and_then(|v| v.get(j)).copied().unwrap_or_default();
            module.assert(expr, at);
        }
    }
    let mut source = lower(&loaded.path, &loaded.text, module.text, module.lines)?;
    if sc.python_setup.is_some() {
        source.setup = Some(source.cells.remove(0));
    }
    // A step shows its Python, without the marker or the expectations appended to it; they are checked
    // where they stand in the YAML.
    for (cell, last) in source.cells.iter_mut().zip(shown) {
        cell.first_line += 1;
        cell.last_line = last;
        cell.anchors.retain(|a| a.line <= last);
    }
    if let Some(cell) = &mut source.setup {
        cell.first_line += 1;
    }
    Ok(Some(source))
}

/// Python pieces of a YAML file joined into one module, with where each module line is in the file.
#[derive(Default)]
struct Joined {
    text: String,
    lines: Vec<Pos>,
}

impl Joined {
    /// A cell: its marker (at `marker` in the file) and `code`, whose first line is at `origin`.
    fn cell(&mut self, code: &str, origin: Origin, marker: Pos) {
        self.text.push_str("# %%\n");
        self.lines.push(marker);
        for (k, l) in code.lines().enumerate() {
            self.text.push_str(l);
            self.text.push('\n');
            self.lines.push(Pos { line: origin.line + k, col: origin.indent + 1 });
        }
    }

    /// `assert (expr)` for an expectation at `at` in the file: columns are those of the YAML value (the
    /// `assert (` in front is not in the file).
    fn assert(&mut self, expr: &str, at: Origin) {
        const PREFIX: &str = "assert (";
        self.text.push_str(&format!("{PREFIX}{expr})\n"));
        self.lines.push(Pos { line: at.line, col: (at.indent + 1).saturating_sub(PREFIX.len()).max(1) });
    }
}
