//! Reading files a stranger wrote, safely: a size cap (a scenario is text, not `/dev/zero`), UTF-8 checked with
//! the position of the first bad byte, YAML flow collections' nesting capped before the parser sees them (a
//! deep one makes it crawl), and `run_file` confined to regular files in the scenario's own folder.

use super::source::Pos;
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest scenario or script file read.
pub const MAX_FILE: u64 = 4 << 20;

/// The deepest nesting of YAML flow collections (`[...]`, `{...}`) accepted.
pub const MAX_FLOW_DEPTH: usize = 64;

/// Why a file could not be read, and where in it (for bad UTF-8).
#[derive(Debug)]
pub struct Unreadable {
    /// What went wrong.
    pub message: String,
    /// Where, when it is a place in the file.
    pub pos: Option<Pos>,
    /// The text up to the problem (for showing the line).
    pub text: String,
}

/// Read `path` as UTF-8 text of at most [`MAX_FILE`] bytes.
pub fn read_text(path: &Path) -> Result<String, Unreadable> {
    let fail = |message: String| Unreadable { message, pos: None, text: String::new() };
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(MAX_FILE + 1).read_to_end(&mut bytes).map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(fail(format!("the file is larger than {} MiB, more than any scenario needs", MAX_FILE >> 20)));
    }
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..at]).into_owned();
        let line = text.matches('\n').count() + 1;
        let col = text.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        let byte = e.as_bytes()[at];
        Unreadable {
            message: format!("the file is not UTF-8 text: byte {at} (0x{byte:02x}) is not valid UTF-8"),
            pos: Some(Pos { line, col }),
            text,
        }
    })
}

/// Where YAML flow collections nest deeper than [`MAX_FLOW_DEPTH`], outside block scalars, quotes and
/// comments (the scripts in `run: |` blocks are not YAML and may nest as they like).
pub fn too_deep(text: &str) -> Option<Pos> {
    let mut depth = 0usize;
    let mut block: Option<usize> = None;
    for (i, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        if let Some(key_indent) = block {
            if line.trim().is_empty() || indent > key_indent {
                continue;
            }
            block = None;
        }
        let mut quote = None;
        for (col, c) in line.char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') => break,
                (None, '[' | '{') => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some(Pos { line: i + 1, col: line[..col].chars().count() + 1 });
                    }
                }
                (None, ']' | '}') => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        // `key: |` or `key: >` (with indicators) starts a block scalar: the lines indented past the key.
        let t = line.trim_end();
        let last = t.rsplit(|c: char| c.is_whitespace() || c == ':').next().unwrap_or("");
        if quote.is_none() && last.starts_with(['|', '>']) && t.contains(':') {
            block = Some(indent);
        }
    }
    None
}

/// The path a step's `run_file` names, if it is a regular file inside the scenario's folder (symbolic links
/// resolved first, so none leads out).
pub fn script_beside(scenario: &Path, name: &str) -> Result<PathBuf, String> {
    let folder = scenario.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let script = folder.join(name);
    let inside = |p: &Path| -> std::io::Result<bool> { Ok(p.canonicalize()?.starts_with(folder.canonicalize()?)) };
    match inside(&script) {
        Err(e) => Err(format!("cannot read `{}`: {e}", script.display())),
        Ok(false) => Err(format!(
            "`{name}` is outside the scenario's folder: run_file reads only files beside the scenario or below it"
        )),
        Ok(true) if !script.metadata().is_ok_and(|m| m.is_file()) => {
            Err(format!("`{name}` is not a regular file: run_file reads only script files"))
        }
        Ok(true) => Ok(script),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_flow_collections_are_found_and_block_scripts_are_not_counted() {
        let deep = format!("name: x\nsteps: {}{}\n", "[".repeat(100), "]".repeat(100));
        assert_eq!(too_deep(&deep), Some(Pos { line: 2, col: 8 + MAX_FLOW_DEPTH }));
        let script = format!("name: x\nsetup: |\n  {}\nsteps: []\n", "[".repeat(100));
        assert_eq!(too_deep(&script), None);
        assert_eq!(too_deep("a: '[[[[['\nb: [1, [2]]  # [[[[\n"), None);
    }
}
