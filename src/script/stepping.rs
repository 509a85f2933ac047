//! Statement hooks: before a script runs, a hook statement is placed in front of each of its statements, so
//! the runtime sees every statement boundary with its line, call depth and the names in scope.
//!
//! Rhai's debugger would report the same boundaries, but it copies each call's arguments into its call stack,
//! and a copied handle is a reference: counts inside every call would be off by one. The hooks are plain
//! statements instead, placed where Rhai's own parse says a statement starts and only after a `;`, `{` or `}`
//! (so never between `else` and `if`, or in a closure body without braces). Positions in errors are mapped
//! back to the script as written.
//!
//! Each hook is preceded by `();`: Rhai keeps a statement's value until the next statement ends, so the empty
//! statement releases it first, and a hook sees the heap as Python would after the previous statement (the
//! value of `l.pop();` already gone).

use rhai::{AST, ASTNode, Engine, Position, Stmt, Token};
use std::collections::HashMap;

/// The hook statement's keyword (custom syntax: `__hs <site>;`).
pub const HOOK: &str = "__hs";

/// A statement that announces itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// The `Interpreter::run` it belongs to, counted from 0.
    pub run: u32,
    /// 1-based line in that script.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// The function it is in; `None` at the top level, `<lambda>` in a closure.
    pub function: Option<String>,
}

/// A statement start in a generated script and in the source it came from (a Python file): with anchors,
/// stepping stops there and nowhere else, and reports the source's column and function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    /// 1-based line in the generated script (where the source's statement is written, the same line).
    pub line: usize,
    /// 1-based line the stop is shown at: the statement's own, but for a loop's jump back, written at the
    /// end of its body and shown at its `for` line, as CPython's tracer reports it.
    pub source_line: usize,
    /// 1-based column in the generated line.
    pub rhai_column: usize,
    /// 1-based column in the source line.
    pub column: usize,
    /// The function it is in (`None`: module level).
    pub function: Option<String>,
}

/// What a statement hook sees: the statement about to run, how deep in calls it is, and the names in scope.
pub struct Statement<'a, 's> {
    /// The statement's hook number (an index into the runtime's sites).
    pub index: usize,
    /// The statement.
    pub site: &'a Site,
    /// Rhai's call level: 0 at the top, one more per call (a closure called by a builtin counts two).
    pub depth: usize,
    /// The variables visible to the statement (a function sees only its own).
    pub scope: &'a rhai::Scope<'s>,
}

/// What a hook may ask to happen before the statement runs: extra actions a viewer injects into a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Inject {
    /// `gc.collect(generation)`, with its finalizers and callbacks.
    Collect(u8),
    /// End the run here with an error saying [`STOPPED`] (the viewer went away).
    Stop,
}

/// The message of a run a hook stopped.
pub const STOPPED: &str = "the run was stopped by its viewer";

/// Called at every statement boundary of an instrumented script, with the runtime (passed, not captured: the
/// runtime owns the hook).
pub type StatementHook = Box<dyn FnMut(&Statement, &super::runtime::Runtime) -> Option<Inject>>;

/// A script with its hooks, and where they went.
pub(crate) struct Instrumented {
    /// The script to run.
    pub source: String,
    /// `(line, column, width)` of each inserted hook, in the script as written, sorted.
    inserts: Vec<(usize, usize, usize)>,
}

impl Instrumented {
    /// The column in the script as written of `column` in the instrumented `line`.
    pub fn original_column(&self, line: usize, column: usize) -> usize {
        let mut shift = 0;
        for &(l, c, w) in self.inserts.iter().filter(|(l, ..)| *l == line) {
            debug_assert_eq!(l, line);
            if column >= c + shift + w {
                shift += w;
            } else if column >= c + shift {
                return c;
            } else {
                break;
            }
        }
        column - shift
    }
}

/// Where each statement of `ast` starts (the leftmost position in it), with the function holding it.
fn statement_starts(ast: &AST) -> Vec<(Position, Option<String>)> {
    // Per statement node (by address), the leftmost position in its subtree.
    let mut starts: Vec<Position> = Vec::new();
    let mut index: HashMap<*const Stmt, usize> = HashMap::new();
    ast.walk(&mut |path: &[ASTNode]| {
        if let Some(ASTNode::Stmt(s)) = path.last() {
            index.entry(*s as *const Stmt).or_insert_with(|| {
                starts.push(Position::NONE);
                starts.len() - 1
            });
        }
        let pos = path.last().map_or(Position::NONE, |n| n.position());
        if !pos.is_none() {
            for node in path {
                if let ASTNode::Stmt(s) = node
                    && let Some(&i) = index.get(&(*s as *const Stmt))
                    && (starts[i].is_none() || pos < starts[i])
                {
                    starts[i] = pos;
                }
            }
        }
        true
    });
    // A statement belongs to the innermost function whose body spans it (closures are functions too).
    let bodies: Vec<(Position, Position, String)> = ast
        .iter_fn_def()
        .map(|f| {
            let name = if f.name.starts_with("anon$") { "<lambda>".to_string() } else { f.name.to_string() };
            (f.body.start_position(), f.body.end_position(), name)
        })
        .collect();
    let function_at = |p: Position| {
        bodies.iter().filter(|(s, e, _)| *s <= p && p <= *e).max_by_key(|(s, ..)| *s).map(|(.., n)| n.clone())
    };
    let mut out: Vec<(Position, Option<String>)> =
        starts.into_iter().filter(|p| !p.is_none()).map(|p| (p, function_at(p))).collect();
    out.sort_by_key(|(p, _)| *p);
    out.dedup_by_key(|(p, _)| *p);
    out
}

/// The tokens of `source`. The tokenizer alone does not know that the `}` closing a `${...}` inside a
/// template string returns to text (the parser tells it); this does what the parser does.
fn lex(engine: &Engine, source: &str) -> Vec<(Token, Position)> {
    let chunks = [source];
    let (stream, control) = engine.lex(&chunks);
    let mut out = Vec::new();
    let (mut depth, mut opened, mut after_text) = (0usize, Vec::new(), false);
    for (t, p) in stream {
        match t {
            Token::EOF => break,
            Token::InterpolatedString(_) => after_text = true,
            Token::LeftBrace => {
                if std::mem::take(&mut after_text) {
                    opened.push(depth);
                }
                depth += 1;
            }
            Token::RightBrace => {
                depth = depth.saturating_sub(1);
                if opened.last() == Some(&depth) {
                    opened.pop();
                    control.borrow_mut().is_within_text = true;
                }
            }
            _ => {}
        }
        out.push((t, p));
    }
    out
}

/// Place a hook before each statement of `source` (compiled as `ast`) that can take one, numbering them from
/// `first`; without `hooks`, only the `();` that releases the previous statement's value (nobody listens, and
/// the hook itself costs a sixth of a tight loop). With `anchors` (a generated script), hooks go only where
/// an anchor is, and sites carry the anchor's column and function. Returns the script and its sites, or
/// `None` when nothing could be placed.
pub(crate) fn instrument(
    engine: &Engine,
    ast: &AST,
    source: &str,
    (run, first): (u32, usize),
    hooks: bool,
    anchors: Option<&[Anchor]>,
) -> Option<(Instrumented, Vec<Site>)> {
    let mut sites = Vec::new();
    let tokens = lex(engine, source);
    let mut inserts = Vec::new();
    let mut placed: Vec<(usize, usize, String)> = Vec::new();
    // The anchors by their place in the generated script.
    let anchored: Option<HashMap<(usize, usize), &Anchor>> =
        anchors.map(|list| list.iter().map(|a| ((a.line, a.rhai_column), a)).collect());
    for (pos, function) in statement_starts(ast) {
        let Ok(mut i) = tokens.binary_search_by_key(&pos, |(_, p)| *p) else { continue };
        // A namespaced call (`gc::collect()`) is positioned at its function name: start at the namespace.
        while i >= 2 && tokens[i - 1].0 == Token::DoubleColon && matches!(tokens[i - 2].0, Token::Identifier(_)) {
            i -= 2;
        }
        let pos = tokens[i].1;
        let after_boundary =
            i == 0 || matches!(tokens[i - 1].0, Token::SemiColon | Token::LeftBrace | Token::RightBrace);
        let (Some(line), Some(column)) = (pos.line(), pos.position()) else { continue };
        if !after_boundary {
            continue;
        }
        let site = match &anchored {
            None => Some(Site { run, line, column, function }),
            Some(by_place) => by_place.get(&(line, column)).map(|a| Site {
                run,
                line: a.source_line,
                column: a.column,
                function: a.function.clone(),
            }),
        };
        let site = site.filter(|_| hooks);
        let text = match site {
            Some(_) => format!("(); {HOOK} {}; ", first + sites.len()),
            // A generated script releases its statements' values itself.
            None if anchors.is_some() => continue,
            None => "(); ".to_string(),
        };
        inserts.push((line, column, text.chars().count()));
        placed.push((line, column, text));
        sites.extend(site);
    }
    if placed.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(source.len() + placed.iter().map(|h| h.2.len()).sum::<usize>());
    let mut pending = placed.iter().peekable();
    for (l, text) in source.split('\n').enumerate() {
        if l > 0 {
            out.push('\n');
        }
        for (c, ch) in text.chars().enumerate() {
            while let Some((_, _, hook)) = pending.next_if(|(hl, hc, _)| *hl == l + 1 && *hc == c + 1) {
                out.push_str(hook);
            }
            out.push(ch);
        }
    }
    Some((Instrumented { source: out, inserts }, sites))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hooked(src: &str) -> (String, Vec<Site>) {
        let engine = Engine::new();
        let ast = engine.compile(src).unwrap();
        let (i, sites) = instrument(&engine, &ast, src, (0, 0), true, None).unwrap();
        (i.source, sites)
    }

    #[test]
    fn hooks_go_before_statements_and_nowhere_else() {
        let (out, sites) = hooked(
            "let a = 1; gc::collect(); a += 1;\nif a > 1 { print(a); } else if a < 0 { a = 0; }\nfn f(x) { let y = x; y + 1 }\nlet g = |x| x + 1;\nlet h = |x| { x * 2 };\nb.c = f(a);",
        );
        assert_eq!(
            out.replace("(); __hs", "__hs"),
            "__hs 0; let a = 1; __hs 1; gc::collect(); __hs 2; a += 1;\n__hs 3; if a > 1 { __hs 4; print(a); } else if a < 0 { __hs 5; a = 0; }\nfn f(x) { __hs 6; let y = x; __hs 7; y + 1 }\n__hs 8; let g = |x| x + 1;\n__hs 9; let h = |x| { __hs 10; x * 2 };\n__hs 11; b.c = f(a);"
        );
        assert_eq!(sites[6].function.as_deref(), Some("f"));
        assert_eq!(sites[10].function.as_deref(), Some("<lambda>"));
        assert_eq!((sites[11].line, sites[11].column, sites[11].function.clone()), (6, 1, None));
    }

    #[test]
    fn template_strings_do_not_hide_the_statements_after_them() {
        let (out, _) = hooked("let s = `a${1 + {2}}b${s}c`;\nlet t = 1;");
        assert_eq!(out.replace("(); __hs", "__hs"), "__hs 0; let s = `a${1 + {2}}b${s}c`;\n__hs 1; let t = 1;");
    }

    #[test]
    fn error_columns_map_back_to_the_script_as_written() {
        let engine = Engine::new();
        let src = "let a = 1; let b = 2;";
        let ast = engine.compile(src).unwrap();
        let (i, _) = instrument(&engine, &ast, src, (0, 0), true, None).unwrap();
        assert_eq!(i.source, "(); __hs 0; let a = 1; (); __hs 1; let b = 2;");
        // `let b` is at column 35 of the instrumented line and 12 of the original.
        assert_eq!(i.original_column(1, 35), 12);
        assert_eq!(i.original_column(1, 13), 1);
        // Inside a hook: the statement it announces.
        assert_eq!(i.original_column(1, 26), 12);
    }
}
