//! Class statements: the class object, its `__slots__` and `__del__`, then its body (methods, class
//! attributes, docstrings) in the class's own frame.

use super::PyError;
use super::stmt::{Lowering, mangle, rhai_string};
use ruff_python_ast::{self as ast, Expr, Stmt};

impl Lowering<'_> {
    pub(crate) fn class_def(&mut self, c: &ast::StmtClassDef) -> Result<(), PyError> {
        if let Some(d) = c.decorator_list.first() {
            return Err(self.lines.error(d, "class decorators are not simulated"));
        }
        if self.in_function() {
            return Err(self.lines.error(c, "a class defined inside a function is not simulated yet"));
        }
        if let Some(args) = &c.arguments {
            let plain_object = args.keywords.is_empty()
                && args.args.iter().all(|a| matches!(a, Expr::Name(n) if n.id.as_str() == "object"));
            if !plain_object {
                return Err(self
                    .lines
                    .error(&**args, "base classes (inheritance) and metaclasses are not simulated yet"));
            }
        }
        let line = self.anchor(c);
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
        self.emit(line, &format!("{var} = py_class({}, {slots}, {has_del}); ", rhai_string(&name)));
        self.binds.bind(&name, self.frames.len());
        // The body runs in the class's own frame, named after it (the tracer's `co_name`, a traceback's
        // "in Node").
        let outer = self.class_body.replace(name.clone());
        let result = self.class_body_statements(c, &name, &var);
        self.class_body = outer;
        result
    }

    fn class_body_statements(&mut self, c: &ast::StmtClassDef, name: &str, var: &str) -> Result<(), PyError> {
        for s in &c.body {
            match s {
                Stmt::FunctionDef(f) => {
                    if f.is_async {
                        return Err(self.lines.error(f, "`async def` is not simulated"));
                    }
                    if let Some(d) = f.decorator_list.first() {
                        return Err(self.lines.error(
                            d,
                            "method decorators (@staticmethod, @classmethod, @property) are not simulated yet",
                        ));
                    }
                    let at = self.anchor(f);
                    self.emit(at, &format!("py_class_set({var}, {}, ", rhai_string(f.name.as_str())));
                    self.function(&format!("{name}.{}", f.name), &f.parameters, &f.body, at)?;
                    self.close("); ");
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
