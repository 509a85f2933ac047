//! Where things are in the scenario file: the YAML line each script and expectation starts on, so script
//! errors can be reported at the file's `line:col`, and the text for a caret under the offending column.

/// A position in the scenario file (1-based).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    /// Line.
    pub line: usize,
    /// Column.
    pub col: usize,
}

/// Where one embedded script's first line sits in the file, and how far its lines are indented.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Origin {
    /// File line of the script's line 1.
    pub line: usize,
    /// Columns the YAML indentation takes off each script line.
    pub indent: usize,
}

impl Origin {
    /// The origin of the same text numbered as the file (preceded by the file's earlier lines, blank).
    pub fn at_line_1(self) -> Origin {
        Origin { line: 1, ..self }
    }

    /// The file position of a script position (both 1-based).
    pub fn map(&self, line: Option<usize>, col: Option<usize>) -> Pos {
        let (l, c) = (line.unwrap_or(1), col.unwrap_or(1));
        Pos { line: self.line + l - 1, col: c + self.indent }
    }
}

/// The largest line and column the script engine can number (Rhai keeps positions in 16 bits): past them
/// an error would be reported at the wrong place.
pub const MAX_POSITION: usize = u16::MAX as usize;

/// Where `script` goes past what positions can number, and what to do about it: (1-based line, column,
/// message).
pub fn beyond_positions(script: &str) -> Option<(usize, usize, String)> {
    let lines = script.lines().count();
    if lines > MAX_POSITION {
        let message = format!(
            "this script has {lines} lines; heapscope locates errors in scripts of up to {MAX_POSITION} lines (split it into steps)"
        );
        return Some((MAX_POSITION + 1, 1, message));
    }
    let (i, long) = script.lines().enumerate().find(|(_, l)| l.chars().count() > MAX_POSITION)?;
    let message = format!(
        "this line has {} characters; heapscope locates errors in lines of up to {MAX_POSITION} (break it up)",
        long.chars().count()
    );
    Some((i + 1, MAX_POSITION + 1, message))
}

/// The origins of `setup`, of each step's `run`, and of each step's expectations, found by scanning the
/// text (serde_yaml keeps no positions for values).
#[derive(Clone, Debug, Default)]
pub struct SourceMap {
    /// `setup:`'s script.
    pub setup: Origin,
    /// Each step's `run:` script.
    pub runs: Vec<Origin>,
    /// Each step's expectations.
    pub expects: Vec<Vec<Origin>>,
    /// Each step's `title:` line.
    pub steps: Vec<Origin>,
    /// `python_setup:`'s Python.
    pub python_setup: Origin,
    /// Each step's `python:`.
    pub pythons: Vec<Origin>,
}

fn indent_of(s: &str) -> usize {
    s.len() - s.trim_start().len()
}

/// The origin of the value of `key:` on line `i` (0-based): inline after the colon, or a block scalar
/// (`|`, `>`) starting on the next line.
fn value_origin(lines: &[&str], i: usize, key_col: usize, key: &str) -> Origin {
    let rest = &lines[i][key_col + key.len() + 1..];
    let inline = rest.trim_start();
    if inline.is_empty() || inline.starts_with('|') || inline.starts_with('>') {
        let next = lines.get(i + 1).copied().unwrap_or("");
        Origin { line: i + 2, indent: indent_of(next) }
    } else {
        Origin { line: i + 1, indent: lines[i].len() - inline.len() }
    }
}

/// The columns (0-based, from `text`'s start) where the items of a one-line flow list start: `text` is what
/// follows its `[`; items are split at commas outside brackets and quotes.
fn flow_items(text: &str) -> Vec<usize> {
    let (mut starts, mut depth, mut quote, mut item_start) = (Vec::new(), 0i32, None, Some(0));
    for (i, c) in text.char_indices() {
        if let Some(q) = quote {
            quote = (c != q).then_some(q);
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ']' if depth == 0 => break,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                item_start = Some(i + 1);
                continue;
            }
            _ => {}
        }
        if let Some(s) = item_start.take() {
            let lead = text[s..].len() - text[s..].trim_start().len();
            starts.push(s + lead);
        }
    }
    starts
}

impl SourceMap {
    /// Scan a scenario's YAML text.
    pub fn scan(text: &str) -> SourceMap {
        let lines: Vec<&str> = text.lines().collect();
        let mut map = SourceMap::default();
        let mut in_expect: Option<usize> = None;
        for (i, raw) in lines.iter().enumerate() {
            let ind = indent_of(raw);
            let line = raw.trim_start();
            let (item, body, col) = match line.strip_prefix("- ") {
                Some(b) => (true, b.trim_start(), ind + 2 + (b.len() - b.trim_start().len())),
                None => (false, line, ind),
            };
            if let Some(expect_ind) = in_expect {
                if item && ind >= expect_ind {
                    if let Some(list) = map.expects.last_mut() {
                        list.push(Origin { line: i + 1, indent: col });
                    }
                    continue;
                }
                if !body.is_empty() && ind <= expect_ind {
                    in_expect = None;
                }
            }
            if body.starts_with("setup:") && ind == 0 {
                map.setup = value_origin(&lines, i, col, "setup");
            } else if body.starts_with("title:") {
                map.steps.push(Origin { line: i + 1, indent: col });
                map.runs.push(Origin::default());
                map.pythons.push(Origin::default());
                map.expects.push(Vec::new());
            } else if body.starts_with("python_setup:") && ind == 0 {
                map.python_setup = value_origin(&lines, i, col, "python_setup");
            } else if body.starts_with("python:") {
                if let Some(r) = map.pythons.last_mut() {
                    *r = value_origin(&lines, i, col, "python");
                }
            } else if body.starts_with("run:") {
                if let Some(r) = map.runs.last_mut() {
                    *r = value_origin(&lines, i, col, "run");
                }
            } else if let Some(rest) = body.strip_prefix("expect:") {
                // A flow list (`expect: [a, b]`) is on this line; a block list follows it.
                let flow = rest.trim_start().strip_prefix('[');
                in_expect = flow.is_none().then_some(col);
                if let (Some(items), Some(list)) = (flow, map.expects.last_mut()) {
                    let at = raw.len() - items.len();
                    list.extend(flow_items(items).into_iter().map(|c| Origin { line: i + 1, indent: at + c }));
                }
            }
        }
        map
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn flow_list_expectations_are_found_at_their_columns() {
        let text = "name: x\nsteps:\n  - title: t\n    run: |\n      let n = 1;\n    expect: [n >= 1, f(\"a,b\", [1, 2]), nope(1)]\n";
        let map = super::SourceMap::scan(text);
        let cols: Vec<usize> = map.expects[0].iter().map(|o| o.map(Some(1), Some(1)).col).collect();
        let line = text.lines().nth(5).unwrap();
        assert_eq!(
            cols,
            [line.find("n >=").unwrap() + 1, line.find("f(").unwrap() + 1, line.find("nope").unwrap() + 1]
        );
        assert!(map.expects[0].iter().all(|o| o.line == 6));
    }
}
