//! What the names of a Python file are: module globals (every name the module binds anywhere, or that a
//! function declares `global`), imported modules and their functions, and each function's locals. Python
//! decides this at compile time, and so does the lowering: a global exists (unbound) from the start, so a
//! function may refer to one defined after it.

use super::{Lines, PyError};
use ruff_python_ast::{Expr, Stmt};
use std::collections::{BTreeSet, HashMap};

/// The modules heapscope simulates.
pub const MODULES: &[&str] = &["gc", "sys", "weakref", "tracemalloc", "heapscope"];

/// The names of the module.
#[derive(Debug, Default)]
pub struct Module {
    /// Globals, in a stable order.
    pub globals: BTreeSet<String>,
    /// Local name -> module (`import gc as g`: `g` -> `gc`).
    pub modules: HashMap<String, &'static str>,
    /// Local name -> (module, attribute) (`from gc import collect as c`).
    pub imported: HashMap<String, (&'static str, String)>,
    /// Every name a `del` statement anywhere deletes.
    pub deleted: BTreeSet<String>,
    /// Whether a class defines `__del__` or weakref is imported: then an object's death can run code, and
    /// rebinding a name must run it before the next statement.
    pub finalizers: bool,
}

/// Collects, in every scope, the names `del` statements delete and whether any method is a `__del__`.
struct Scan<'a>(&'a mut Module);

impl<'b> ruff_python_ast::visitor::Visitor<'b> for Scan<'_> {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        match stmt {
            Stmt::Delete(d) => d.targets.iter().for_each(|t| target_names(t, &mut self.0.deleted)),
            Stmt::FunctionDef(f) if f.name.as_str() == "__del__" => self.0.finalizers = true,
            _ => {}
        }
        ruff_python_ast::visitor::walk_stmt(self, stmt);
    }
}

/// The simulated module called `name`, or the refusal.
fn simulated(lines: &Lines, node: &impl ruff_text_size::Ranged, name: &str) -> Result<&'static str, PyError> {
    MODULES.iter().copied().find(|m| *m == name).ok_or_else(|| {
        lines.error(
            node,
            format!("import of `{name}` is not simulated: heapscope simulates gc, sys, weakref and tracemalloc"),
        )
    })
}

/// Names bound by an assignment target.
pub fn target_names(target: &Expr, out: &mut BTreeSet<String>) {
    match target {
        Expr::Name(n) => {
            out.insert(n.id.to_string());
        }
        Expr::Tuple(t) => t.elts.iter().for_each(|e| target_names(e, out)),
        Expr::List(t) => t.elts.iter().for_each(|e| target_names(e, out)),
        Expr::Starred(s) => target_names(&s.value, out),
        _ => {}
    }
}

/// Every name `body` binds in its own scope (not inside nested functions or classes, whose own names are
/// theirs), and the names it declares `global`.
pub fn bound_names(body: &[Stmt], bound: &mut BTreeSet<String>, global: &mut BTreeSet<String>) {
    for s in body {
        match s {
            Stmt::FunctionDef(f) => {
                bound.insert(f.name.to_string());
            }
            Stmt::ClassDef(c) => {
                bound.insert(c.name.to_string());
            }
            Stmt::Assign(a) => a.targets.iter().for_each(|t| target_names(t, bound)),
            Stmt::AugAssign(a) => target_names(&a.target, bound),
            Stmt::AnnAssign(a) => target_names(&a.target, bound),
            Stmt::Delete(d) => d.targets.iter().for_each(|t| target_names(t, bound)),
            Stmt::For(f) => {
                target_names(&f.target, bound);
                bound_names(&f.body, bound, global);
                bound_names(&f.orelse, bound, global);
            }
            Stmt::While(w) => {
                bound_names(&w.body, bound, global);
                bound_names(&w.orelse, bound, global);
            }
            Stmt::If(i) => {
                bound_names(&i.body, bound, global);
                i.elif_else_clauses.iter().for_each(|c| bound_names(&c.body, bound, global));
            }
            Stmt::Global(g) => g.names.iter().for_each(|n| {
                global.insert(n.to_string());
            }),
            Stmt::Import(i) => i.names.iter().for_each(|a| {
                bound.insert(a.asname.as_ref().unwrap_or(&a.name).to_string());
            }),
            Stmt::ImportFrom(i) => i.names.iter().for_each(|a| {
                bound.insert(a.asname.as_ref().unwrap_or(&a.name).to_string());
            }),
            _ => {}
        }
    }
}

/// The `global` declarations anywhere inside functions of `body`.
fn declared_global(body: &[Stmt], out: &mut BTreeSet<String>) {
    for s in body {
        match s {
            Stmt::FunctionDef(f) => {
                let mut ignored = BTreeSet::new();
                bound_names(&f.body, &mut ignored, out);
                declared_global(&f.body, out);
            }
            Stmt::ClassDef(c) => declared_global(&c.body, out),
            _ => {}
        }
    }
}

impl Module {
    /// Find the module's names, refusing imports of modules that are not simulated.
    pub fn analyse(body: &[Stmt], lines: &Lines) -> Result<Module, PyError> {
        let mut m = Module::default();
        let mut ignored = BTreeSet::new();
        bound_names(body, &mut m.globals, &mut ignored);
        declared_global(body, &mut m.globals);
        let mut scan = Scan(&mut m);
        body.iter().for_each(|s| ruff_python_ast::visitor::Visitor::visit_stmt(&mut scan, s));
        for s in body {
            match s {
                Stmt::Import(i) => {
                    for a in &i.names {
                        let module = simulated(lines, a, a.name.as_str())?;
                        let local = a.asname.as_ref().unwrap_or(&a.name).to_string();
                        m.modules.insert(local, module);
                    }
                }
                Stmt::ImportFrom(i) => {
                    let name = i.module.as_ref().map(|n| n.to_string()).unwrap_or_default();
                    if i.level > 0 {
                        return Err(lines.error(i, "relative imports are not simulated"));
                    }
                    let module = simulated(lines, i, &name)?;
                    for a in &i.names {
                        if a.name.as_str() == "*" {
                            return Err(lines.error(
                                a,
                                format!("`from {name} import *` is not simulated: import the names you use"),
                            ));
                        }
                        let local = a.asname.as_ref().unwrap_or(&a.name).to_string();
                        m.imported.insert(local, (module, a.name.to_string()));
                    }
                }
                _ => {}
            }
        }
        m.finalizers |= m.modules.values().chain(m.imported.values().map(|(m, _)| m)).any(|m| *m == "weakref");
        for name in m.modules.keys().chain(m.imported.keys()) {
            m.globals.remove(name);
        }
        Ok(m)
    }
}

/// The names a function body uses, in the order CPython's compiler meets them (`co_varnames` after the
/// parameters: `compiler_nameop` adds each local where it is first compiled, a value before its target).
/// Nested functions, classes, lambdas and comprehensions are their own scopes: only what the enclosing
/// scope evaluates of them (decorators, defaults, bases, the first iterable) and the name a `def` or `class`
/// binds count. A frame releases its locals in this order when it returns.
pub fn first_use_order(body: &[Stmt]) -> Vec<String> {
    let mut order = FirstUse::default();
    body.iter().for_each(|s| ruff_python_ast::visitor::Visitor::visit_stmt(&mut order, s));
    order.names
}

#[derive(Default)]
struct FirstUse {
    names: Vec<String>,
    seen: std::collections::HashSet<String>,
}

impl FirstUse {
    fn note(&mut self, name: &str) {
        if self.seen.insert(name.to_string()) {
            self.names.push(name.to_string());
        }
    }

    fn defaults(&mut self, p: &ruff_python_ast::Parameters) {
        use ruff_python_ast::visitor::Visitor;
        p.iter_non_variadic_params().filter_map(|p| p.default.as_deref()).for_each(|d| self.visit_expr(d));
    }
}

impl<'b> ruff_python_ast::visitor::Visitor<'b> for FirstUse {
    fn visit_stmt(&mut self, stmt: &'b Stmt) {
        match stmt {
            Stmt::FunctionDef(f) => {
                f.decorator_list.iter().for_each(|d| self.visit_expr(&d.expression));
                self.defaults(&f.parameters);
                self.note(&f.name);
            }
            Stmt::ClassDef(c) => {
                c.decorator_list.iter().for_each(|d| self.visit_expr(&d.expression));
                c.arguments.iter().for_each(|a| a.args.iter().for_each(|e| self.visit_expr(e)));
                self.note(&c.name);
            }
            _ => ruff_python_ast::visitor::walk_stmt(self, stmt),
        }
    }

    fn visit_expr(&mut self, expr: &'b Expr) {
        match expr {
            Expr::Name(n) => self.note(&n.id),
            Expr::Lambda(l) => l.parameters.iter().for_each(|p| self.defaults(p)),
            Expr::ListComp(ruff_python_ast::ExprListComp { generators, .. })
            | Expr::SetComp(ruff_python_ast::ExprSetComp { generators, .. })
            | Expr::DictComp(ruff_python_ast::ExprDictComp { generators, .. })
            | Expr::Generator(ruff_python_ast::ExprGenerator { generators, .. }) => {
                generators.iter().take(1).for_each(|g| self.visit_expr(&g.iter));
            }
            _ => ruff_python_ast::visitor::walk_expr(self, expr),
        }
    }
}
