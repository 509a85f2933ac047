//! Class statements: the class object, its `__slots__` and `__del__`, then its body (methods, class
//! attributes, docstrings) in the class's own frame.

use super::stmt::{Lowering, mangle, rhai_string};
use super::{PyError, library};
use ruff_python_ast::visitor::{Visitor, walk_expr};
use ruff_python_ast::{self as ast, Expr, Stmt};

/// Whether a method names `super` or `__class__`, so that it closes over the class's `__class__` cell.
fn uses_class_cell(f: &ast::StmtFunctionDef) -> bool {
    struct Finder(bool);
    impl<'a> Visitor<'a> for Finder {
        fn visit_expr(&mut self, e: &'a Expr) {
            if matches!(e, Expr::Name(n) if matches!(n.id.as_str(), "super" | "__class__")) {
                self.0 = true;
            }
            walk_expr(self, e);
        }
    }
    let mut finder = Finder(false);
    finder.visit_body(&f.body);
    finder.0
}

impl Lowering<'_> {
    pub(crate) fn class_def(&mut self, c: &ast::StmtClassDef) -> Result<(), PyError> {
        if let Some(d) = c.decorator_list.first() {
            return Err(self.lines.error(d, "class decorators are not simulated"));
        }
        if self.in_function() {
            return Err(self.lines.error(c, "a class defined inside a function is not simulated yet"));
        }
        let base = match &c.arguments {
            Some(args) => self.class_base(args)?,
            None => None,
        };
        let line = self.anchor(c);
        let base = match base {
            Some(b) => self.expr(b)?.0,
            None => "()".to_string(),
        };
        let name = c.name.to_string();
        let var = mangle(&name);
        let mut slots = "()".to_string();
        let mut has_del = false;
        for s in &c.body {
            match s {
                Stmt::Assign(a) if matches!(&a.targets[..], [Expr::Name(n)] if n.id.as_str() == "__slots__") => {
                    slots = self.slot_names(&a.value)?;
                }
                Stmt::FunctionDef(f) if f.name.as_str() == "__del__" => has_del = true,
                _ => {}
            }
        }
        self.emit(line, &format!("{var} = py_class({}, {base}, {slots}, {has_del}); ", rhai_string(&name)));
        // A method that names `super` or `__class__` makes the compiler give the class body a `__class__`
        // cell, which each such function's `__closure__` holds and which holds the class afterwards
        // [obs 3.8-3.13: `sys.getrefcount(Q)` is one more, and a dead class with such a method is 2 objects
        // more for `gc.collect()`: the cell and the closure tuple].
        let cell = c.body.iter().any(|s| matches!(s, Stmt::FunctionDef(f) if uses_class_cell(f)));
        if cell {
            self.emit(line, &format!("let __cell_{var} = py_class_cell({var}); "));
        }
        self.binds.bind(&name, self.frames.len());
        // The body runs in the class's own frame, named after it (the tracer's `co_name`, a traceback's
        // "in Node").
        let outer = self.class_body.replace(name.clone());
        let result = self.class_body_statements(c, &name, &var);
        self.class_body = outer;
        if cell {
            self.close(&format!("__cell_{var} = (); "));
        }
        result
    }

    fn class_body_statements(&mut self, c: &ast::StmtClassDef, name: &str, var: &str) -> Result<(), PyError> {
        for s in &c.body {
            match s {
                Stmt::FunctionDef(f) => {
                    if f.is_async {
                        return Err(self.lines.error(f, "`async def` is not simulated"));
                    }
                    let wrapper = self.method_decorator(f)?;
                    let cell = uses_class_cell(f);
                    let (open, cell_arg) = match cell {
                        true => ("py_closure(", format!(", __cell_{var})")),
                        false => ("", String::new()),
                    };
                    let method = rhai_string(f.name.as_str());
                    let at = match &wrapper {
                        Some(_) => {
                            // The tracer stops at the decorator (loading it), then at the `def` line.
                            let at = self.anchor(&f.decorator_list[0]);
                            self.emit(at, "(); ");
                            let at = self.anchor(&f.name);
                            self.emit(at, &format!("{{ let __f = {open}"));
                            at
                        }
                        None => {
                            let at = self.anchor(f);
                            self.emit(at, &format!("py_class_set({var}, {method}, {open}"));
                            at
                        }
                    };
                    let first = f.parameters.args.first().map(|p| mangle(p.parameter.name.as_str()));
                    let outer = self.method_of.replace((var.to_string(), first));
                    let result = self.function(&format!("{name}.{}", f.name), &f.parameters, &f.body, at);
                    self.method_of = outer;
                    result?;
                    match &wrapper {
                        Some(kind) => self.decorate(f, &cell_arg, kind, var),
                        None => self.close(&format!("{cell_arg}); ")),
                    }
                }
                Stmt::Assign(a) => {
                    let [Expr::Name(n)] = &a.targets[..] else {
                        return Err(self
                            .lines
                            .error(s, "in a class body only `name = value` assignments are simulated"));
                    };
                    let at = self.anchor(s);
                    let value = self.expr(&a.value)?.0;
                    self.emit(at, &format!("py_class_set({var}, {}, {value}); ", rhai_string(n.id.as_str())));
                }
                // Nothing to do, but CPython's tracer stops there (a docstring is stored as `__doc__`).
                Stmt::Pass(_) | Stmt::Expr(_) if !matches!(s, Stmt::Expr(e) if !e.value.is_string_literal_expr()) => {
                    let at = self.anchor(s);
                    self.emit(at, "(); ");
                }
                other => {
                    return Err(self
                        .lines
                        .error(other, "in a class body only methods, `name = value` and docstrings are simulated"));
                }
            }
        }
        Ok(())
    }

    /// After a decorated method's function: wrap it and store it. From 3.11 the tracer stops at the decorator
    /// line again for its call and at the `def` line for the store [obs 3.11-3.13: lines 2, 3, 2, 3 for a
    /// method decorated on line 2; 3.8-3.10: 2, 3].
    fn decorate(&mut self, f: &ast::StmtFunctionDef, cell_arg: &str, kind: &str, var: &str) {
        let (kind, method) = (rhai_string(kind), rhai_string(f.name.as_str()));
        self.close(&format!("{cell_arg}; if py_call_lines_split() {{ "));
        let line = self.last_line();
        self.anchor_on(line, &f.decorator_list[0]);
        self.close(&format!("__f = py_wrap({kind}, __f); "));
        self.anchor_on(line, &f.name);
        self.close(&format!("py_class_set({var}, {method}, __f); }} else {{ "));
        self.close(&format!("__f = py_wrap({kind}, __f); py_class_set({var}, {method}, __f); }} }} "));
    }

    /// A method's decorator, if any: `@staticmethod`, `@classmethod` or `@property`, one at most.
    fn method_decorator(&self, f: &ast::StmtFunctionDef) -> Result<Option<String>, PyError> {
        match f.decorator_list.as_slice() {
            [] => Ok(None),
            [d] => match &d.expression {
                Expr::Name(n)
                    if matches!(n.id.as_str(), "staticmethod" | "classmethod" | "property")
                        && !self.is_variable(n.id.as_str()) =>
                {
                    Ok(Some(n.id.to_string()))
                }
                other => Err(self.lines.error(
                    other,
                    "this decorator is not simulated yet: `@staticmethod`, `@classmethod` and `@property` are",
                )),
            },
            [_, second, ..] => Err(self.lines.error(second, "stacked decorators are not simulated yet")),
        }
    }

    /// The one base class of `class C(B)`, if any (`object` is none): single inheritance from a class of the
    /// script. Several bases, metaclasses, class keywords and builtin types as bases are refused.
    fn class_base<'e>(&self, args: &'e ast::Arguments) -> Result<Option<&'e Expr>, PyError> {
        if let Some(k) = args.keywords.first() {
            return Err(self.lines.error(k, "metaclasses and class keywords are not simulated"));
        }
        let bases: Vec<&Expr> =
            args.args.iter().filter(|a| !matches!(a, Expr::Name(n) if n.id.as_str() == "object")).collect();
        match bases[..] {
            [] => Ok(None),
            [Expr::Name(n)] if library::is_builtin(n.id.as_str()) && !self.is_variable(n.id.as_str()) => {
                Err(self.lines.error(
                    n,
                    format!(
                        "subclassing the builtin `{}` is not simulated: a base must be a class of the script",
                        n.id
                    ),
                ))
            }
            [b @ Expr::Name(_)] => Ok(Some(b)),
            [other] => Err(self.lines.error(other, "a base class must be a class's name here")),
            [_, second, ..] => Err(self.lines.error(second, "multiple inheritance is not simulated yet")),
        }
    }

    /// `__slots__ = ['a', 'b']` (or a tuple, or one string): the names, as a Rhai array of strings.
    fn slot_names(&self, value: &Expr) -> Result<String, PyError> {
        let elts: Vec<&Expr> = match value {
            Expr::List(l) => l.elts.iter().collect(),
            Expr::Tuple(t) => t.elts.iter().collect(),
            Expr::StringLiteral(_) => vec![value],
            other => {
                return Err(self
                    .lines
                    .error(other, "`__slots__` must be a literal list, tuple or string of names here"));
            }
        };
        let mut names = Vec::new();
        for e in elts {
            let Expr::StringLiteral(s) = e else {
                return Err(self.lines.error(e, "`__slots__` entries must be string literals here"));
            };
            names.push(rhai_string(s.value.to_str()));
        }
        Ok(format!("[{}]", names.join(", ")))
    }
}
