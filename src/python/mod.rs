//! The Python front end: a `.py` scenario is parsed with ruff's parser, checked against the subset heapscope
//! simulates (anything else is refused with its position and its Python name), and lowered to Rhai over the
//! counted handles, line for line, so every line number a user sees is a line of the file they wrote.
//!
//! Why ruff's parser (`rustpython-ruff_python_parser`): it is the parser of the most used Python tool, kept
//! current with every grammar change (3.14's t-strings, PEP 758), error-tolerant with precise ranges; the
//! older `rustpython-parser` stopped at Python 3.11's grammar.

mod binding;
mod cells;
mod class;
mod expr;
mod fold;
mod library;
mod loops;
mod moved;
mod names;
mod stmt;

pub use cells::{Cell, split_cells};

use ruff_text_size::{Ranged, TextSize};

/// A place in the Python file (1-based line and column) and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}:{column}: {message}")]
pub struct PyError {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// What is wrong, in Python's words.
    pub message: String,
}

pub use crate::script::stepping::Anchor;

/// A lowered Python file: one Rhai script per cell.
#[derive(Debug, Clone)]
pub struct Program {
    /// The cells, in order.
    pub cells: Vec<Lowered>,
}

/// One cell, lowered.
#[derive(Debug, Clone)]
pub struct Lowered {
    /// The cell as written.
    pub cell: Cell,
    /// Its Rhai, numbered as the file: the lines before the cell are empty.
    pub rhai: String,
    /// Where each Python statement starts.
    pub anchors: Vec<Anchor>,
}

/// Line starts of a text, to turn byte offsets into 1-based lines and character columns.
pub(crate) struct Lines<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(text: &'a str) -> Lines<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts }
    }

    /// The 1-based line and column of a byte offset.
    pub(crate) fn at(&self, offset: TextSize) -> (usize, usize) {
        let offset = usize::from(offset).min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }

    /// The source text of `range`.
    pub(crate) fn slice(&self, range: ruff_text_size::TextRange) -> &'a str {
        &self.text[usize::from(range.start())..usize::from(range.end())]
    }

    /// An error at the start of `node`.
    pub(crate) fn error(&self, node: &impl Ranged, message: impl Into<String>) -> PyError {
        let (line, column) = self.at(node.start());
        PyError { line, column, message: message.into() }
    }
}

/// Parse, check and lower a Python scenario file.
pub fn compile(source: &str) -> Result<Program, PyError> {
    let lines = Lines::new(source);
    let parsed = ruff_python_parser::parse_module(source).map_err(|e| {
        let (line, column) = lines.at(e.location.start());
        PyError { line, column, message: format!("SyntaxError: {}", e.error) }
    })?;
    let module = parsed.into_syntax();
    let cells = split_cells(source);
    let names = names::Module::analyse(&module.body, &lines)?;
    let mut lowering = stmt::Lowering::new(&lines, &names);
    let mut out: Vec<Lowered> = Vec::new();
    for cell in cells {
        let body: Vec<_> = module
            .body
            .iter()
            .filter(|s| {
                let line = lines.at(s.start()).0;
                line >= cell.first_line && line <= cell.last_line
            })
            .collect();
        let (rhai, anchors) = lowering.cell(&cell, &body)?;
        out.push(Lowered { cell, rhai, anchors });
    }
    // Globals and constants exist before the first statement runs.
    let prelude = lowering.prelude();
    if let Some(first) = out.first_mut() {
        let shift = prelude.chars().count();
        let line = first.cell.first_line;
        first.anchors.iter_mut().filter(|a| a.line == line).for_each(|a| a.rhai_column += shift);
        let at = match line {
            1 => 0,
            _ => first.rhai.match_indices('\n').nth(line - 2).map_or(0, |(i, _)| i + 1),
        };
        first.rhai.insert_str(at, &prelude);
    }
    Ok(Program { cells: out })
}
