//! Lowering statements: each Python statement's Rhai starts on the statement's own line, so line numbers
//! agree; an [`Anchor`] marks where it starts (stepping stops there and nowhere else).

use super::binding::Bindings;
use super::cells::Cell;
use super::moved;
use super::names::{self, Module};
use super::{Anchor, Lines, PyError};
use ruff_python_ast::{self as ast, Expr, Stmt};
use ruff_text_size::Ranged;
use std::collections::{BTreeSet, HashMap};

/// Rhai's keywords and reserved words: a Python name spelled like one gets a `__` suffix (hidden again
/// wherever names are shown).
const RESERVED: &[&str] = &[
    "let",
    "const",
    "if",
    "else",
    "switch",
    "do",
    "while",
    "until",
    "loop",
    "for",
    "in",
    "continue",
    "break",
    "return",
    "throw",
    "try",
    "catch",
    "fn",
    "private",
    "import",
    "export",
    "as",
    "global",
    "this",
    "is",
    "true",
    "false",
    "Fn",
    "call",
    "curry",
    "type_of",
    "print",
    "debug",
    "eval",
    "is_def_fn",
    "is_def_var",
    "is_shared",
    "static",
    "shared",
    "sync",
    "spawn",
    "thread",
    "go",
    "goto",
    "exit",
    "match",
    "case",
    "default",
    "void",
    "null",
    "nil",
    "new",
    "use",
    "package",
    "super",
    "module",
    "with",
    "var",
    "public",
    "protected",
    "async",
    "await",
    "yield",
    "function",
    "del",
];

/// The Rhai variable for a Python name. A Rhai name needs an ASCII letter, so `_` (the throwaway loop
/// variable) and `_1` get one.
pub fn mangle(name: &str) -> String {
    if !name.bytes().any(|b| b.is_ascii_alphabetic()) {
        format!("{name}n__")
    } else if RESERVED.contains(&name) || name.starts_with("__") {
        format!("{name}__")
    } else {
        name.to_string()
    }
}

/// Where a name is read from.
pub(crate) enum Frame {
    /// Module level: globals are Rhai variables declared at the start of the run.
    Module,
    /// Inside a function: its locals, declared at the start of its closure.
    Function { name: String, locals: BTreeSet<String> },
}

/// The lowering of one file, cell by cell.
pub struct Lowering<'a> {
    pub(crate) lines: &'a Lines<'a>,
    pub(crate) module: &'a Module,
    /// Generated Rhai, by 0-based file line.
    out: Vec<String>,
    anchors: Vec<Anchor>,
    /// The constants' initialisers (`__k3`), created when the module's code object is: before anything runs.
    pub(crate) consts: Vec<String>,
    pub(crate) const_ids: HashMap<String, usize>,
    pub(crate) frames: Vec<Frame>,
    /// Counter for temporaries' names.
    pub(crate) temps: usize,
    /// Whether the statement being lowered is directly in a cell (so `assert` is a step expectation).
    top_level: bool,
    /// Which names are certainly bound here.
    pub(crate) binds: Bindings,
    /// The constants the parse arena holds (see `parsed`).
    pub(crate) arena: BTreeSet<String>,
    /// Anchors of lambdas, travelling with their text (see [`moved`]).
    carried: Vec<(usize, Anchor)>,
    /// The class whose body is being lowered: its statements run in the class's frame.
    pub(crate) class_body: Option<String>,
    /// Inside a method: the Rhai name of its class and of its first parameter, which `super()` uses.
    pub(crate) method_of: Option<(String, Option<String>)>,
    /// The loops around the statement: a `for`'s header (where `continue` jumps back to), `None` for a
    /// `while`.
    pub(crate) loops: Vec<Option<ruff_text_size::TextSize>>,
}

impl<'a> Lowering<'a> {
    /// A lowering over `lines` with the module's names.
    pub fn new(lines: &'a Lines<'a>, module: &'a Module) -> Lowering<'a> {
        Lowering {
            lines,
            module,
            out: Vec::new(),
            anchors: Vec::new(),
            consts: Vec::new(),
            const_ids: HashMap::new(),
            frames: vec![Frame::Module],
            temps: 0,
            top_level: true,
            binds: Bindings::new(module.deleted.clone()),
            carried: Vec::new(),
            arena: BTreeSet::new(),
            class_body: None,
            method_of: None,
            loops: Vec::new(),
        }
    }

    pub(crate) fn temp(&mut self, what: &str) -> String {
        self.temps += 1;
        format!("__{what}{}", self.temps)
    }

    /// Append `text` to file line `line` (1-based).
    pub(crate) fn emit(&mut self, line: usize, text: &str) {
        if self.out.len() < line {
            self.out.resize(line, String::new());
        }
        self.out[line - 1].push_str(text);
    }

    /// The last line anything was written to.
    pub(crate) fn last_line(&self) -> usize {
        self.out.len().max(1)
    }

    /// Mark that the statement `node` starts here in the generated line.
    pub(crate) fn anchor(&mut self, node: &impl Ranged) -> usize {
        let line = self.lines.at(node.start()).0;
        self.anchor_on(line, node)
    }

    /// A stop written on generated line `line` and shown at `node`'s line (a loop's jump back).
    pub(crate) fn anchor_on(&mut self, line: usize, node: &impl Ranged) -> usize {
        let (source_line, column) = self.lines.at(node.start());
        if self.out.len() < line {
            self.out.resize(line, String::new());
        }
        let rhai_column = self.out[line - 1].chars().count() + 1;
        let function = self.frames.iter().rev().find_map(|f| match f {
            Frame::Function { name, .. } => Some(name.clone()),
            Frame::Module => None,
        });
        let function = function.or_else(|| self.class_body.clone());
        self.anchors.push(Anchor { line, source_line, rhai_column, column, function });
        line
    }

    /// CPython's line event when a `for` loop jumps back to its header (after the body, at `continue`): a
    /// stop at the end of what is written so far, shown at the `for` line.
    pub(crate) fn jump_back(&mut self, header: ruff_text_size::TextSize) {
        let line = self.last_line();
        self.anchor_on(line, &ruff_text_size::TextRange::empty(header));
        self.emit(line, "(); ");
    }

    /// Lower one cell's top-level statements.
    pub fn cell(&mut self, cell: &Cell, body: &[&Stmt]) -> Result<(String, Vec<Anchor>), PyError> {
        self.out.clear();
        self.anchors.clear();
        self.out.resize(cell.first_line.saturating_sub(1), String::new());
        for s in body {
            self.top_level = true;
            self.stmt(s)?;
        }
        let end = self.out.len().max(cell.last_line);
        self.out.resize(end, String::new());
        // Lines before the cell stay empty: every cell's Rhai is numbered as the file is, so a function
        // defined in one cell and called from another reports lines of the file.
        let mut lines = std::mem::take(&mut self.out);
        lines[..cell.first_line - 1].iter_mut().for_each(String::clear);
        let mut anchors = std::mem::take(&mut self.anchors);
        anchors.extend(moved::resolve(&lines, std::mem::take(&mut self.carried)));
        Ok((lines.join("\n"), anchors))
    }

    /// What runs before the first statement: a `let` for every global (unbound until assigned) and every
    /// constant, created as the module's code object is, before anything runs.
    pub fn prelude(&self) -> String {
        let mut p: String = self.module.globals.iter().map(|g| format!("let {} = py_unbound(); ", mangle(g))).collect();
        p.extend(self.consts.iter().enumerate().map(|(i, init)| format!("let __k{i} = {init}; ")));
        p += &format!("let __arena = [{}]; ", self.arena.iter().cloned().collect::<Vec<_>>().join(", "));
        p
    }

    /// Where the output is now, to take what an expression's lowering writes there (a lambda).
    pub(crate) fn mark(&mut self, line: usize) -> (usize, usize, usize) {
        if self.out.len() < line {
            self.out.resize(line, String::new());
        }
        (line, self.out[line - 1].len(), self.anchors.len())
    }

    /// Take back what was written since `mark`, as one line of text.
    pub(crate) fn take_since(&mut self, mark: (usize, usize, usize)) -> String {
        let (line, at, anchors) = mark;
        let mut text = self.out[line - 1].split_off(at);
        // Where each taken line starts in `text`, in characters, to carry the anchors on it along.
        let mut starts = vec![(line, self.out[line - 1].chars().count(), 0)];
        for l in line..self.out.len() {
            text.push(' ');
            starts.push((l + 1, 0, text.chars().count()));
            text += &std::mem::take(&mut self.out[l]);
        }
        let taken: Vec<(usize, Anchor)> = self
            .anchors
            .split_off(anchors)
            .into_iter()
            .filter_map(|a| {
                let &(_, before, start) = starts.iter().find(|(l, ..)| *l == a.line)?;
                Some((start + (a.rhai_column - 1).checked_sub(before)?, a))
            })
            .collect();
        let carried = moved::carry(&mut text, taken, self.carried.len());
        self.carried.extend(carried);
        text
    }

    /// Lower a block of statements (a body), each on its own line; `None` when it is empty.
    pub(crate) fn body(&mut self, body: &[Stmt]) -> Result<(), PyError> {
        self.binds.block(true);
        let result = self.statements(body);
        self.binds.block(false);
        result
    }

    /// Lower statements that are not directly in a cell.
    fn statements(&mut self, body: &[Stmt]) -> Result<(), PyError> {
        let top = std::mem::replace(&mut self.top_level, false);
        let result = body.iter().try_for_each(|s| self.stmt(s));
        self.top_level = top;
        result
    }

    /// Close a block opened on an earlier line: the text goes at the end of the last line written.
    pub(crate) fn close(&mut self, text: &str) {
        let line = self.last_line();
        self.emit(line, text);
    }

    pub(crate) fn in_function(&self) -> bool {
        matches!(self.frames.last(), Some(Frame::Function { .. }))
    }

    fn stmt(&mut self, s: &Stmt) -> Result<(), PyError> {
        match s {
            Stmt::Expr(e) => {
                let line = self.anchor(s);
                // The value is released as the statement ends, as Python's POP_TOP does.
                let text = self.expr(&e.value)?.0;
                self.emit(line, &format!("py_drop({text}); "));
            }
            Stmt::Pass(_) => {
                let line = self.anchor(s);
                self.emit(line, "(); ");
            }
            Stmt::Assign(a) => {
                let line = self.anchor(s);
                let value = self.expr(&a.value)?.0;
                if let [target] = &a.targets[..] {
                    let text = self.assign(target, &value)?;
                    self.emit(line, &format!("{text} "));
                } else {
                    let t = self.temp("v");
                    let mut text = format!("{{ let {t} = {value}; ");
                    for target in &a.targets {
                        text += &self.assign(target, &t)?;
                        text.push(' ');
                    }
                    self.emit(line, &format!("{text}}} "));
                }
            }
            Stmt::AnnAssign(a) => {
                let line = self.anchor(s);
                let Some(value) = &a.value else {
                    self.emit(line, "(); ");
                    return Ok(());
                };
                let value = self.expr(value)?.0;
                let text = self.assign(&a.target, &value)?;
                self.emit(line, &format!("{text} "));
            }
            Stmt::AugAssign(a) => {
                let line = self.anchor(s);
                let text = self.aug_assign(a)?;
                self.emit(line, &format!("{text} "));
            }
            Stmt::Delete(d) => {
                let line = self.anchor(s);
                for t in &d.targets {
                    let text = self.delete(t)?;
                    self.emit(line, &format!("{text} "));
                }
            }
            Stmt::If(i) => self.if_stmt(i)?,
            Stmt::While(w) => self.while_stmt(s, w)?,
            Stmt::For(f) => self.for_stmt(f)?,
            Stmt::Break(_) => {
                let line = self.anchor(s);
                self.emit(line, "break; ");
            }
            Stmt::Continue(_) => {
                let line = self.anchor(s);
                if let Some(Some(header)) = self.loops.last().copied() {
                    // The `continue` is a stop, then the jump back to the header another.
                    self.emit(line, "(); ");
                    self.jump_back(header);
                }
                self.emit(line, "continue; ");
            }
            Stmt::Return(r) => {
                if !self.in_function() {
                    return Err(self.lines.error(s, "SyntaxError: 'return' outside function"));
                }
                let line = self.anchor(s);
                let value = match &r.value {
                    Some(v) => self.expr(v)?.0,
                    None => "()".into(),
                };
                self.emit(line, &format!("return {value}; "));
            }
            Stmt::FunctionDef(f) => self.function_def(f)?,
            Stmt::ClassDef(c) => self.class_def(c)?,
            Stmt::Assert(a) => self.assert(a)?,
            Stmt::Import(_) | Stmt::ImportFrom(_) => {
                if self.in_function() || !self.top_level {
                    return Err(self.lines.error(
                        s,
                        "an import inside a function or a block is not simulated: import at the top of the file",
                    ));
                }
                let line = self.anchor(s);
                self.emit(line, "(); ");
            }
            Stmt::Global(_) => {
                if !self.in_function() {
                    return Ok(());
                }
            }
            Stmt::Nonlocal(_) => return Err(self.lines.error(s, "`nonlocal` is not simulated yet")),
            Stmt::With(_) => return Err(self.lines.error(s, "`with` is not simulated yet")),
            Stmt::Try(_) => return Err(self.lines.error(s, "`try` is not simulated yet")),
            Stmt::Raise(_) => return Err(self.lines.error(s, "`raise` is not simulated yet")),
            Stmt::Match(_) => return Err(self.lines.error(s, "`match` is not simulated")),
            Stmt::TypeAlias(_) => return Err(self.lines.error(s, "`type` aliases are not simulated")),
            Stmt::IpyEscapeCommand(_) => return Err(self.lines.error(s, "IPython escape commands are not Python")),
        }
        Ok(())
    }

    fn if_stmt(&mut self, i: &ast::StmtIf) -> Result<(), PyError> {
        let line = self.anchor(i);
        let test = self.condition(&i.test)?;
        self.emit(line, &format!("if {test} {{ "));
        self.body(&i.body)?;
        for clause in &i.elif_else_clauses {
            match &clause.test {
                Some(t) => {
                    // `elif` is a nested `if` inside `else`, so its test gets its own stopping place.
                    self.close("} else { ");
                    let at = self.anchor(t);
                    let test = self.condition(t)?;
                    self.emit(at, &format!("if {test} {{ "));
                    self.body(&clause.body)?;
                }
                None => {
                    self.close("} else { ");
                    self.body(&clause.body)?;
                }
            }
        }
        let nested = i.elif_else_clauses.iter().filter(|c| c.test.is_some()).count();
        self.close(&"} ".repeat(nested + 1));
        Ok(())
    }

    fn assert(&mut self, a: &ast::StmtAssert) -> Result<(), PyError> {
        let line = self.anchor(a);
        if !self.top_level {
            let test = self.condition(&a.test)?;
            let msg = match &a.msg {
                Some(m) => self.expr(m)?.0,
                None => "()".into(),
            };
            self.emit(line, &format!("if !({test}) {{ py_raise(\"AssertionError\", {msg}); }} "));
            return Ok(());
        }
        // A cell's own `assert`s are the step's expectations: checked and reported where they stand, with
        // both sides of a comparison shown when it fails.
        let (l, c) = self.lines.at(a.test.start());
        let quoted = rhai_string(self.lines.slice(a.test.range()));
        let text = match &*a.test {
            Expr::Compare(cmp) if cmp.ops.len() == 1 => {
                let (left, right) = (self.expr(&cmp.left)?.0, self.expr(&cmp.comparators[0])?.0);
                let (lt, rt) = (self.temp("l"), self.temp("r"));
                let test = self.compare_op(cmp.ops[0], &lt, &rt);
                let op = rhai_string(cmp.ops[0].as_str());
                format!(
                    "{{ let {lt} = {left}; let {rt} = {right}; py_check({test}, {quoted}, {l}, {c}, [{lt}, {op}, {rt}]); }} "
                )
            }
            _ => format!("py_check({}, {quoted}, {l}, {c}, []); ", self.condition(&a.test)?),
        };
        self.emit(line, &text);
        Ok(())
    }

    fn function_def(&mut self, f: &ast::StmtFunctionDef) -> Result<(), PyError> {
        if f.is_async {
            return Err(self.lines.error(f, "`async def` is not simulated"));
        }
        if let Some(d) = f.decorator_list.first() {
            return Err(self.lines.error(d, "decorators are not simulated yet"));
        }
        if self.in_function() {
            return Err(self.lines.error(f, "a function defined inside a function (a closure) is not simulated yet"));
        }
        let line = self.anchor(f);
        self.emit(line, &format!("{} = ", mangle(f.name.as_str())));
        self.function(f.name.as_str(), &f.parameters, &f.body, line)?;
        self.close("; ");
        self.binds.bind(f.name.as_str(), self.frames.len());
        Ok(())
    }

    /// `py_def(name, |params| { locals; body }, [param names], [defaults], flags)`: opened on `line`, closed
    /// after the body.
    pub(crate) fn function(
        &mut self,
        name: &str,
        params: &ast::Parameters,
        body: &[Stmt],
        line: usize,
    ) -> Result<(), PyError> {
        if let Some(p) = params.posonlyargs.first().or(params.kwonlyargs.first()) {
            return Err(self.lines.error(p, "positional-only and keyword-only parameters are not simulated yet"));
        }
        let mut names_list: Vec<String> = params.args.iter().map(|p| p.parameter.name.to_string()).collect();
        let mut defaults = Vec::new();
        for p in &params.args {
            if let Some(d) = &p.default {
                defaults.push(self.expr(d)?.0);
            }
        }
        let (star, starstar) = (params.vararg.is_some(), params.kwarg.is_some());
        if let Some(v) = &params.vararg {
            names_list.push(v.name.to_string());
        }
        if let Some(k) = &params.kwarg {
            names_list.push(k.name.to_string());
        }
        let mut bound = BTreeSet::new();
        let mut global = BTreeSet::new();
        names::bound_names(body, &mut bound, &mut global);
        let locals: BTreeSet<String> =
            bound.iter().chain(&names_list).filter(|n| !global.contains(*n)).cloned().collect();
        for l in &locals {
            if self.module.modules.contains_key(l) {
                // A local that shadows an imported module would need the module as a value.
                return Err(self
                    .lines
                    .error(&params.range, format!("the local `{l}` hides the module of that name: not simulated")));
            }
        }
        // Declared in `co_varnames` order: a returning frame releases its locals in that order, and a local's
        // `__del__` or weakref callback runs then.
        let mut in_order: Vec<&String> = names::first_use_order(body).iter().filter_map(|n| locals.get(n)).collect();
        in_order.extend(locals.iter().filter(|l| !in_order.contains(l)).collect::<Vec<_>>());
        let declare: String = in_order
            .iter()
            .filter(|l| !names_list.contains(l))
            .map(|l| format!("let {} = py_unbound(); ", mangle(l)))
            .collect();
        let params_rhai = names_list.iter().map(|n| mangle(n)).collect::<Vec<_>>().join(", ");
        let quoted: Vec<String> = names_list.iter().map(|n| rhai_string(n)).collect();
        let flags = i64::from(star) | (i64::from(starstar) << 1);
        self.emit(line, &format!("py_def({}, |{params_rhai}| {{ {declare}", rhai_string(name)));
        let saved = self.binds.enter_function(&names_list, &locals, self.frames.len() + 1);
        self.frames.push(Frame::Function { name: name.to_string(), locals });
        // A docstring is not code: the function's first line event is its next statement.
        let docstring = matches!(body.first(), Some(Stmt::Expr(e)) if e.value.is_string_literal_expr());
        let result = self.statements(&body[usize::from(docstring)..]);
        self.frames.pop();
        self.binds.leave_function(saved);
        result?;
        self.close(&format!("() }}, [{}], [{}], {flags})", quoted.join(", "), defaults.join(", ")));
        Ok(())
    }
}

/// `text` as a Rhai string literal.
pub fn rhai_string(text: &str) -> String {
    let mut s = String::from("\"");
    for ch in text.chars() {
        match ch {
            '"' => s.push_str("\\\""),
            '\\' => s.push_str("\\\\"),
            '\n' => s.push_str("\\n"),
            '\r' => s.push_str("\\r"),
            '\t' => s.push_str("\\t"),
            c if (c as u32) < 0x20 => s.push_str(&format!("\\x{:02x}", c as u32)),
            c => s.push(c),
        }
    }
    s.push('"');
    s
}
