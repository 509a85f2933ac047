//! Reading a scenario file: YAML syntax and schema errors at their position, unknown keys with a
//! did-you-mean, scripts parsed up front.

use super::error::ScenarioError;
use super::format::{KNOWN_KEYS, Scenario};
use super::source::{Pos, SourceMap};
use crate::heap::PyVersion;
use std::path::{Path, PathBuf};

/// A scenario read from disk, with what is needed to report errors in it.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file.
    pub path: PathBuf,
    /// Its text.
    pub text: String,
    /// The parsed scenario (with `run_file` steps already read into `run`).
    pub scenario: Scenario,
    /// Where its scripts are.
    pub map: SourceMap,
    /// The profile to simulate.
    pub profile: PyVersion,
    /// A Python scenario's source and cells (a `.py` file, or YAML whose steps are all Python).
    pub python: Option<super::python::PySource>,
}

/// Where a step's `run_file` is: beside the scenario `path`.
pub(crate) fn beside(path: &Path, file: &str) -> PathBuf {
    path.parent().unwrap_or(Path::new(".")).join(file)
}

impl Loaded {
    /// An error at `pos` in this file.
    pub fn error(&self, pos: Option<Pos>, message: impl Into<String>) -> ScenarioError {
        ScenarioError::at(&self.path, &self.text, pos, message)
    }
}

/// The closest known key to an unknown one, if it is close enough to be a typo.
fn did_you_mean(unknown: &str) -> Option<&'static str> {
    KNOWN_KEYS
        .iter()
        .map(|k| (strsim::damerau_levenshtein(unknown, k), *k))
        .filter(|(d, k)| *d <= 2 || k.starts_with(unknown) || unknown.starts_with(k))
        .min()
        .map(|(_, k)| k)
}

/// The position of the first `key:` on line `from` (1-based) or after, for errors about a value.
pub(crate) fn find_key(text: &str, key: &str, from: usize) -> Option<Pos> {
    text.lines().enumerate().skip(from.saturating_sub(1)).find_map(|(i, l)| {
        let t = l.trim_start().trim_start_matches("- ");
        t.starts_with(&format!("{key}:")).then(|| Pos { line: i + 1, col: l.find(key).unwrap_or(0) + 1 })
    })
}

/// Refuse a script whose errors could not be located (see [`super::source::beyond_positions`]).
fn check_positions(
    path: &Path,
    text: &str,
    sc: &Scenario,
    map: &super::source::SourceMap,
) -> Result<(), ScenarioError> {
    let scripts = sc.setup.iter().map(|s| (s, map.setup)).chain(
        sc.steps
            .iter()
            .zip(&map.runs)
            .filter(|(s, _)| s.run_file.is_none())
            .filter_map(|(s, o)| Some((s.run.as_ref()?, *o))),
    );
    for (script, origin) in scripts {
        if let Some((line, col, message)) = super::source::beyond_positions(script) {
            return Err(ScenarioError::at(path, text, Some(origin.map(Some(line), Some(col))), message));
        }
    }
    for (i, step) in sc.steps.iter().enumerate() {
        if let (Some(file), Some(code)) = (&step.run_file, &step.run)
            && let Some((line, col, message)) = super::source::beyond_positions(code)
        {
            let script = beside(path, file);
            return Err(ScenarioError::at(
                &script,
                code,
                Some(Pos { line, col }),
                format!("step {}: {message}", i + 1),
            ));
        }
    }
    Ok(())
}

/// Where a second YAML document starts (serde_yaml reports "more than one document" with no position): the
/// first `---` after some content, or else the first line indented less than the first (a second node).
fn second_document(text: &str) -> Option<Pos> {
    let mut first_indent = None;
    let mut dedent = None;
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if line.starts_with("---") {
            if first_indent.is_some() {
                return Some(Pos { line: i + 1, col: 1 });
            }
            continue;
        }
        let indent = line.len() - t.len();
        match first_indent {
            None => first_indent = Some(indent),
            Some(f) if indent < f && dedent.is_none() => dedent = Some(Pos { line: i + 1, col: indent + 1 }),
            _ => {}
        }
    }
    dedent
}

/// Read and validate a scenario file (YAML, or a `.py` file).
pub fn load(path: &Path) -> Result<Loaded, ScenarioError> {
    let text = super::input::read_text(path)
        .map_err(|e| ScenarioError::at(path, &e.text, e.pos, format!("cannot read the scenario: {}", e.message)))?;
    if path.extension().is_some_and(|e| e == "py") {
        if let Some((line, col, message)) = super::source::beyond_positions(&text) {
            return Err(ScenarioError::at(path, &text, Some(Pos { line, col }), message));
        }
        return super::python::load_python(path, text);
    }
    if let Some(pos) = super::input::too_deep(&text) {
        let message = format!("YAML lists and maps nested deeper than {}", super::input::MAX_FLOW_DEPTH);
        return Err(ScenarioError::at(path, &text, Some(pos), message));
    }
    let mut scenario: Scenario = serde_yaml::from_str(&text).map_err(|e| {
        let several = e.to_string().contains("more than one document");
        let pos = e.location().map(|l| Pos { line: l.line(), col: l.column() });
        // Every error is located: where serde_yaml gives no position, at the second document or line 1.
        let pos = pos.or_else(|| several.then(|| second_document(&text)).flatten()).or(Some(Pos { line: 1, col: 1 }));
        let mut message = e.to_string();
        if let Some(i) = message.find(" at line ") {
            message.truncate(i);
        }
        if let Some(unknown) = message.split("unknown field `").nth(1).and_then(|s| s.split('`').next()) {
            let hint = did_you_mean(unknown).map_or(String::new(), |k| format!("; did you mean `{k}`?"));
            message = format!("unknown key `{unknown}`{hint}");
        }
        ScenarioError::at(path, &text, pos, message)
    })?;
    let map = SourceMap::scan(&text);
    let profile = match &scenario.profile {
        None => PyVersion::V3_13,
        Some(p) => p.parse().map_err(|e: crate::heap::profile::UnknownProfile| {
            ScenarioError::at(path, &text, find_key(&text, "profile", 1), e.to_string())
        })?,
    };
    if scenario.steps.is_empty() {
        return Err(ScenarioError::at(path, &text, find_key(&text, "steps", 1), "a scenario needs at least one step"));
    }
    for (i, step) in scenario.steps.iter_mut().enumerate() {
        let at = map.steps.get(i).map(|o| Pos { line: o.line, col: o.indent + 1 });
        match (&step.run, &step.run_file) {
            (Some(_), Some(_)) => {
                return Err(ScenarioError::at(
                    path,
                    &text,
                    at,
                    format!("step {} has both `run` and `run_file`", i + 1),
                ));
            }
            (None, Some(file)) => {
                // At the step's `run_file:` line.
                let at = find_key(&text, "run_file", at.map_or(1, |p| p.line)).or(at);
                let step_error = |m: String| ScenarioError::at(path, &text, at, format!("step {}: {m}", i + 1));
                let script = super::input::script_beside(path, file).map_err(step_error)?;
                let code = super::input::read_text(&script).map_err(|e| match e.pos {
                    Some(pos) => ScenarioError::at(&script, &e.text, Some(pos), e.message),
                    None => step_error(format!("cannot read `{}`: {}", script.display(), e.message)),
                })?;
                step.run = Some(code);
            }
            _ => {}
        }
    }
    check_positions(path, &text, &scenario, &map)?;
    scenario.neutralise_text();
    let mut loaded = Loaded { path: path.to_path_buf(), text, scenario, map, profile, python: None };
    loaded.python = super::python::lower_yaml(&loaded)?;
    Ok(loaded)
}
