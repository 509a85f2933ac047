//! A Python scenario's runtime errors as Python reports them: an exception that escapes prints a traceback
//! with the user's file, lines and functions; anything else (a limit reached) is a located error.

use super::error::{ScenarioError, TraceFrame};
use super::load::Loaded;
use super::python::PySource;
use crate::script::ScriptError;

/// Whether `message` is a Python exception (`AttributeError: ...`, `StopIteration`), not a limit or a
/// heapscope message.
fn is_exception(message: &str) -> bool {
    let name = message.split(':').next().unwrap_or("");
    name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && ["Error", "Exception", "Exit", "Interrupt", "Iteration", "Warning"].iter().any(|s| name.ends_with(s))
}

/// The statement starting first on module line `line`: its function and column.
fn statement_at(py: &PySource, line: usize) -> Option<&crate::python::Anchor> {
    py.all_cells().flat_map(|c| &c.anchors).filter(|a| a.line == line && a.source_line == line).min_by_key(|a| a.column)
}

/// The error of a Python cell's run: a traceback for an exception, a located message otherwise. Its lines
/// (the module's) are mapped to the file's.
pub fn python_error(loaded: &Loaded, e: ScriptError) -> ScenarioError {
    let Some(py) = &loaded.python else { return loaded.error(None, e.message) };
    let line = e.trace.last().copied().or(e.line).unwrap_or(1);
    let column = statement_at(py, line).map_or(1, |a| a.column);
    let mut error = loaded.error(Some(py.file_pos(line, column)), e.message);
    if is_exception(&error.message) {
        let lines = if e.trace.is_empty() { vec![line] } else { e.trace };
        error.traceback = lines
            .into_iter()
            .map(|l| TraceFrame {
                line: py.file_pos(l, 1).line,
                // Tracebacks name a method by its own name (`co_name`), not `Class.method`.
                function: statement_at(py, l)
                    .and_then(|a| a.function.as_deref())
                    .map_or("<module>", |f| f.rsplit('.').next().unwrap_or(f))
                    .to_string(),
                text: py.text.lines().nth(l - 1).unwrap_or("").trim().to_string(),
            })
            .collect();
    }
    error
}

#[cfg(test)]
mod tests {
    #[test]
    fn exceptions_are_told_from_other_failures() {
        use super::is_exception as e;
        assert!(e("AttributeError: 'A' object has no attribute 'x'"));
        assert!(e("StopIteration"));
        assert!(e("AssertionError"));
        assert!(!e(&crate::script::budget::Exceeded::Operations(10).message()));
        assert!(!e(&crate::script::budget::Exceeded::Seconds(10).message()));
    }
}
