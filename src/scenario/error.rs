//! Scenario errors: every one names the file, line and column, shows the line with a caret, and says what is
//! wrong in plain words.

use super::source::Pos;
use std::fmt;
use std::path::{Path, PathBuf};

/// A problem with a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    /// The scenario file.
    pub file: PathBuf,
    /// Where, if known.
    pub pos: Option<Pos>,
    /// What is wrong.
    pub message: String,
    /// The offending line's text.
    pub line_text: Option<String>,
    /// For an exception a Python scenario raised: its frames, outermost first (shown as Python shows them).
    pub traceback: Vec<TraceFrame>,
}

/// One frame of a Python traceback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceFrame {
    /// The line it was at.
    pub line: usize,
    /// Its function (`<module>` at the top).
    pub function: String,
    /// The line's text, stripped.
    pub text: String,
}

impl ScenarioError {
    /// An error at `pos` in `file`, whose text is `source`.
    pub fn at(file: &Path, source: &str, pos: Option<Pos>, message: impl Into<String>) -> ScenarioError {
        let line_text = pos.and_then(|p| source.lines().nth(p.line.saturating_sub(1))).map(str::to_string);
        let message = crate::safe_text::neutralised(&message.into()).into_owned();
        let line_text = line_text.map(|t| crate::safe_text::neutralised(&t).into_owned());
        ScenarioError { file: file.to_path_buf(), pos, message, line_text, traceback: Vec::new() }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.traceback.is_empty() {
            writeln!(f, "Traceback (most recent call last):")?;
            for frame in &self.traceback {
                writeln!(f, "  File \"{}\", line {}, in {}", self.file.display(), frame.line, frame.function)?;
                writeln!(f, "    {}", frame.text)?;
            }
            return write!(f, "{}", self.message);
        }
        match self.pos {
            Some(p) => write!(f, "{}:{}:{}: error: {}", self.file.display(), p.line, p.col, self.message)?,
            None => write!(f, "{}: error: {}", self.file.display(), self.message)?,
        }
        if let (Some(p), Some(text)) = (self.pos, &self.line_text) {
            let gutter = p.line.to_string().len();
            writeln!(f)?;
            writeln!(f, "{:gutter$} |", "")?;
            let (shown, caret) = excerpt(text, p.col.max(1));
            writeln!(f, "{} | {shown}", p.line)?;
            write!(f, "{:gutter$} | {}^", "", " ".repeat(caret - 1))?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// Characters of a long line shown around the column, as compilers show long lines.
const EXCERPT: usize = 120;

/// The part of `line` to show for a caret at 1-based `col`, and the caret's column in it.
fn excerpt(line: &str, col: usize) -> (String, usize) {
    let chars: Vec<char> = line.chars().collect();
    if chars.len() <= EXCERPT {
        return (line.to_string(), col);
    }
    let start = col.saturating_sub(EXCERPT / 2).min(chars.len().saturating_sub(EXCERPT));
    let end = (start + EXCERPT).min(chars.len());
    let mut shown: String = if start > 0 { "…".into() } else { String::new() };
    shown.extend(&chars[start..end]);
    if end < chars.len() {
        shown.push('…');
    }
    (shown, col - start + usize::from(start > 0))
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_long_line_is_shown_around_its_column() {
        let line = format!("{}nope(1);", " ".repeat(70_000));
        let (shown, caret) = super::excerpt(&line, 70_001);
        assert!(shown.starts_with('…') && shown.chars().count() <= super::EXCERPT + 2, "{shown}");
        assert_eq!(shown.chars().nth(caret - 1), Some('n'));
        assert_eq!(super::excerpt("ab", 2), ("ab".to_string(), 2));
    }
}
