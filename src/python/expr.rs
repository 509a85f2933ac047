//! Lowering expressions and assignment targets. Every value the generated Rhai handles is a Python object:
//! a counted handle, a Rhai `bool` for `True`/`False`, or `()` for `None`; literals are the module's
//! constants, created before the first statement runs as CPython's compiler creates them.

use super::PyError;
use super::fold;
use super::library;
use super::stmt::{Frame, Lowering, mangle, rhai_string};
use ruff_python_ast::{self as ast, CmpOp, Expr, Number, Operator, UnaryOp};
use ruff_text_size::Ranged;

/// A lowered expression and whether it is a Rhai `bool` already (comparisons, `not`, `isinstance`).
pub type Lowered = (String, bool);

impl Lowering<'_> {
    /// Lower `e` as a condition: a Rhai `bool`.
    pub(crate) fn condition(&mut self, e: &Expr) -> Result<String, PyError> {
        let (text, is_bool) = self.expr(e)?;
        Ok(if is_bool { text } else { format!("py_truth({text})") })
    }

    /// A constant of the module, made once (the compiler merges equal constants across the file).
    pub(crate) fn constant(&mut self, key: String, init: String) -> String {
        let next = self.consts.len();
        let i = *self.const_ids.entry(key).or_insert(next);
        if i == next {
            self.consts.push(init);
        }
        format!("__k{i}")
    }

    /// A constant the parser made (a literal, or one the AST optimizer folds, `-7` or `(1, 2)`): run as a
    /// script, the file's parse arena (`PyArena`'s list of objects) holds it while the module runs, one
    /// reference more (`x = 1000; sys.getrefcount(x)` is 4 under `python3 f.py`, 3 under `exec`).
    pub(crate) fn parsed(&mut self, key: String, init: String) -> String {
        let name = self.constant(key, init);
        self.arena.insert(name.clone());
        name
    }

    /// Whether `name` is a local of the function being lowered, or a global of the module.
    pub(crate) fn is_variable(&self, name: &str) -> bool {
        let local =
            self.frames.iter().rev().any(|f| matches!(f, Frame::Function { locals, .. } if locals.contains(name)));
        local || self.module.globals.contains(name)
    }

    /// Whether `name` is a local of the innermost function (`UnboundLocalError` when read unbound).
    pub(crate) fn is_local(&self, name: &str) -> bool {
        matches!(self.frames.last(), Some(Frame::Function { locals, .. }) if locals.contains(name))
    }

    fn name(&mut self, n: &ast::ExprName) -> Result<Lowered, PyError> {
        let id = n.id.as_str();
        if self.is_variable(id) {
            if self.binds.is_certain(id, self.frames.len()) {
                return Ok((mangle(id), false));
            }
            return Ok((format!("py_load({}, {}, {})", mangle(id), rhai_string(id), self.is_local(id)), false));
        }
        if id == "__name__" {
            return Ok((self.constant("s:__main__".into(), "py_const_str(\"__main__\")".into()), false));
        }
        if self.module.modules.contains_key(id) {
            return Err(self.lines.error(
                n,
                format!(
                    "the module `{id}` used as a value is not simulated: use its functions, as in `{id}.{}`",
                    library::example(self.module.modules[id])
                ),
            ));
        }
        if self.module.imported.contains_key(id) || library::is_builtin(id) {
            return Err(self.lines.error(n, format!("`{id}` used as a value is not simulated: call it")));
        }
        Ok((format!("py_name_error({})", rhai_string(id)), false))
    }

    /// Lower an expression.
    pub(crate) fn expr(&mut self, e: &Expr) -> Result<Lowered, PyError> {
        Ok(match e {
            Expr::Name(n) => return self.name(n),
            Expr::BooleanLiteral(b) => ((if b.value { "true" } else { "false" }).into(), true),
            Expr::NoneLiteral(_) => ("()".into(), false),
            Expr::NumberLiteral(n) => (self.number(n)?, false),
            Expr::StringLiteral(s) => {
                let v = s.value.to_str();
                (self.parsed(format!("s:{v}"), format!("py_const_str({})", rhai_string(v))), false)
            }
            Expr::Tuple(t) => (self.tuple(&t.elts)?, false),
            Expr::List(l) => (self.list(&l.elts)?, false),
            Expr::Set(s) => (format!("py_set_of([{}])", self.exprs(&s.elts)?.join(", ")), false),
            Expr::Dict(d) => {
                let mut parts = Vec::new();
                for item in &d.items {
                    let Some(key) = &item.key else {
                        return Err(self.lines.error(&item.value, "`**` in a dict display is not simulated yet"));
                    };
                    parts.push(self.expr(key)?.0);
                    parts.push(self.expr(&item.value)?.0);
                }
                (format!("py_dict_of([{}])", parts.join(", ")), false)
            }
            Expr::BinOp(_) if fold::is_foldable(e) && fold::fold(e).map_err(|m| self.refuse(e, m))?.is_some() => {
                (self.folded(e)?, false)
            }
            Expr::BinOp(b) => {
                let (l, r) = (self.expr(&b.left)?.0, self.expr(&b.right)?.0);
                (format!("py_{}({l}, {r})", self.operator(b.op, e)?), false)
            }
            Expr::UnaryOp(u) => match u.op {
                UnaryOp::Not => (format!("!{}", self.condition(&u.operand)?), true),
                // `-7` is one constant, folded by the AST optimizer (`fold_unaryop`).
                UnaryOp::USub if matches!(&*u.operand, Expr::NumberLiteral(_)) => (self.negative(u)?, false),
                UnaryOp::USub => (format!("py_neg({})", self.expr(&u.operand)?.0), false),
                UnaryOp::UAdd => (format!("py_pos({})", self.expr(&u.operand)?.0), false),
                UnaryOp::Invert => (format!("py_invert({})", self.expr(&u.operand)?.0), false),
            },
            Expr::BoolOp(b) => self.bool_op(b)?,
            Expr::Compare(c) => (self.compare(c)?, true),
            Expr::If(i) => {
                let test = self.condition(&i.test)?;
                let (a, ab) = self.expr(&i.body)?;
                let (b, bb) = self.expr(&i.orelse)?;
                (format!("(if {test} {{ {a} }} else {{ {b} }})"), ab && bb)
            }
            Expr::Call(c) => self.call(c)?,
            Expr::Attribute(a) => {
                if let Some(text) = self.module_attribute(a)? {
                    return Ok((text, false));
                }
                if let Some(receiver) = self.super_receiver(&a.value)? {
                    return Ok((format!("py_super_getattr({receiver}, {})", rhai_string(a.attr.as_str())), false));
                }
                let obj = self.expr(&a.value)?.0;
                (format!("py_getattr({obj}, {})", rhai_string(a.attr.as_str())), false)
            }
            Expr::Subscript(s) => {
                let obj = self.expr(&s.value)?.0;
                match &*s.slice {
                    Expr::Slice(sl) => {
                        let part = |me: &mut Self, p: &Option<Box<Expr>>| -> Result<String, PyError> {
                            p.as_ref().map_or(Ok("()".into()), |p| Ok(me.expr(p)?.0))
                        };
                        let (lo, hi, step) = (part(self, &sl.lower)?, part(self, &sl.upper)?, part(self, &sl.step)?);
                        (format!("py_getslice({obj}, {lo}, {hi}, {step})"), false)
                    }
                    key => (format!("py_getitem({obj}, {})", self.expr(key)?.0), false),
                }
            }
            Expr::ListComp(l) => (self.list_comp(&l.elt, &l.generators)?, false),
            Expr::Generator(g) => (self.generator(g)?, false),
            Expr::Lambda(l) => (self.lambda(l)?, false),
            Expr::FString(f) => (self.fstring(f)?, false),
            Expr::SetComp(c) => (self.comprehension(library::Built::Set(&c.elt), &c.generators)?, false),
            Expr::DictComp(c) => (self.comprehension(library::Built::Dict(&c.key, &c.value), &c.generators)?, false),
            Expr::Named(_) => return Err(self.refuse(e, "the walrus operator `:=` is not simulated yet")),
            Expr::Await(_) => return Err(self.refuse(e, "`await` is not simulated")),
            Expr::Yield(_) | Expr::YieldFrom(_) => {
                return Err(self.refuse(
                    e,
                    "generator functions (`yield`) are not simulated yet: a generator expression `(x for x in ...)` is",
                ));
            }
            Expr::Starred(_) => return Err(self.refuse(e, "`*` unpacking is not simulated yet")),
            Expr::Slice(_) => return Err(self.refuse(e, "a slice outside `[...]` is not Python")),
            Expr::TString(_) => return Err(self.refuse(e, "template strings (t-strings) are not simulated")),
            Expr::BytesLiteral(_) => return Err(self.refuse(e, "bytes literals are not simulated yet: `bytes(n)` is")),
            Expr::EllipsisLiteral(_) => return Err(self.refuse(e, "`...` (Ellipsis) is not simulated")),
            Expr::IpyEscapeCommand(_) => return Err(self.refuse(e, "IPython escape commands are not Python")),
        })
    }

    pub(crate) fn refuse(&self, node: &impl Ranged, message: &str) -> PyError {
        self.lines.error(node, message)
    }

    pub(crate) fn exprs(&mut self, es: &[Expr]) -> Result<Vec<String>, PyError> {
        es.iter().map(|e| Ok(self.expr(e)?.0)).collect()
    }

    /// Arithmetic over constants, folded into one constant as the AST optimizer folds it.
    fn folded(&mut self, e: &Expr) -> Result<String, PyError> {
        Ok(match fold::fold(e).map_err(|m| self.refuse(e, m))? {
            Some(fold::Folded::Int(v)) => {
                self.parsed(format!("i:{v}"), format!("py_const_int({})", rhai_string(&v.to_string())))
            }
            Some(fold::Folded::Float(f)) => {
                self.parsed(format!("f:{}", f.to_bits()), format!("py_const_float({})", f.to_bits() as i64))
            }
            Some(fold::Folded::Str(t)) => self.parsed(format!("s:{t}"), format!("py_const_str({})", rhai_string(&t))),
            None => unreachable!("only folded expressions come here"),
        })
    }

    /// `-<number>`, folded to a constant of its own (the literal it negates is in the arena too).
    fn negative(&mut self, u: &ast::ExprUnaryOp) -> Result<String, PyError> {
        let Expr::NumberLiteral(n) = &*u.operand else { unreachable!("checked by the caller") };
        self.number(n)?;
        match &n.value {
            Number::Int(i) => {
                let text = i.to_string().replace('_', "");
                let value: i128 =
                    text.parse().map_err(|_| self.refuse(n, "integers beyond 128 bits are not simulated yet"))?;
                Ok(self
                    .parsed(format!("i:{}", -value), format!("py_const_int({})", rhai_string(&(-value).to_string()))))
            }
            Number::Float(f) => {
                let v = -f;
                Ok(self.parsed(format!("f:{}", v.to_bits()), format!("py_const_float({})", v.to_bits() as i64)))
            }
            Number::Complex { .. } => Err(self.refuse(n, "complex numbers are not simulated")),
        }
    }

    fn number(&mut self, n: &ast::ExprNumberLiteral) -> Result<String, PyError> {
        match &n.value {
            Number::Int(i) => {
                let text = i.to_string().replace('_', "");
                let value: i128 = match i.as_i64() {
                    Some(v) => i128::from(v),
                    None => {
                        text.parse().map_err(|_| self.refuse(n, "integers beyond 128 bits are not simulated yet"))?
                    }
                };
                Ok(self.parsed(format!("i:{value}"), format!("py_const_int({})", rhai_string(&value.to_string()))))
            }
            Number::Float(f) => {
                Ok(self.parsed(format!("f:{}", f.to_bits()), format!("py_const_float({})", f.to_bits() as i64)))
            }
            Number::Complex { .. } => Err(self.refuse(n, "complex numbers are not simulated")),
        }
    }

    /// Whether `e` is a constant the compiler folds (literals, and tuples of them).
    fn is_constant(e: &Expr) -> bool {
        match e {
            Expr::NumberLiteral(n) => !matches!(n.value, Number::Complex { .. }),
            Expr::UnaryOp(u) if u.op == UnaryOp::USub => matches!(&*u.operand, Expr::NumberLiteral(_)),
            Expr::StringLiteral(_) | Expr::BooleanLiteral(_) | Expr::NoneLiteral(_) => true,
            Expr::Tuple(t) => t.elts.iter().all(Self::is_constant),
            _ => false,
        }
    }

    fn tuple(&mut self, elts: &[Expr]) -> Result<String, PyError> {
        let items = self.exprs(elts)?.join(", ");
        if elts.iter().all(Self::is_constant) {
            // `(1, 2)` is one constant tuple, folded by the AST optimizer; the compiler's constants are
            // tracked on every version, 3.14's included.
            return Ok(self.parsed(format!("t:[{items}]"), format!("py_const_tuple([{items}])")));
        }
        Ok(format!("tuple([{items}])"))
    }

    fn list(&mut self, elts: &[Expr]) -> Result<String, PyError> {
        if elts.len() > 2 && elts.iter().all(Self::is_constant) {
            // From 3.9 the compiler builds `[1, 2, 3]` by extending an empty list with a constant tuple
            // (`starunpack_helper` in Python/compile.c): the list is over-allocated as `list.extend` does.
            let t = self.tuple(elts)?;
            return Ok(format!("py_list_display({t})"));
        }
        Ok(format!("py_build_list([{}])", self.exprs(elts)?.join(", ")))
    }

    pub(crate) fn operator(&self, op: Operator, at: &Expr) -> Result<&'static str, PyError> {
        Ok(match op {
            Operator::Add => "add",
            Operator::Sub => "sub",
            Operator::Mult => "mul",
            Operator::Div => "truediv",
            Operator::FloorDiv => "floordiv",
            Operator::Mod => "mod",
            Operator::Pow => "pow",
            Operator::LShift => "lshift",
            Operator::RShift => "rshift",
            Operator::BitOr => "or",
            Operator::BitXor => "xor",
            Operator::BitAnd => "and",
            Operator::MatMult => return Err(self.refuse(at, "the `@` operator is not simulated")),
        })
    }

    /// `a and b` / `a or b` with Python's values: the deciding operand itself, not a bool.
    fn bool_op(&mut self, b: &ast::ExprBoolOp) -> Result<Lowered, PyError> {
        let parts: Vec<Lowered> = b.values.iter().map(|v| self.expr(v)).collect::<Result<_, _>>()?;
        let and = b.op == ast::BoolOp::And;
        if parts.iter().all(|p| p.1) {
            let op = if and { " && " } else { " || " };
            return Ok((format!("({})", parts.iter().map(|p| p.0.clone()).collect::<Vec<_>>().join(op)), true));
        }
        let mut text = parts.last().expect("two operands at least").0.clone();
        for (value, _) in parts.iter().rev().skip(1) {
            let t = self.temp("b");
            text = if and {
                format!("{{ let {t} = {value}; if py_truth({t}) {{ {text} }} else {{ {t} }} }}")
            } else {
                format!("{{ let {t} = {value}; if py_truth({t}) {{ {t} }} else {{ {text} }} }}")
            };
        }
        Ok((text, false))
    }

    /// One comparison between two lowered operands.
    pub(crate) fn compare_op(&self, op: CmpOp, l: &str, r: &str) -> String {
        match op {
            CmpOp::Eq => format!("py_eq({l}, {r})"),
            CmpOp::NotEq => format!("py_ne({l}, {r})"),
            CmpOp::Lt => format!("py_lt({l}, {r})"),
            CmpOp::LtE => format!("py_le({l}, {r})"),
            CmpOp::Gt => format!("py_gt({l}, {r})"),
            CmpOp::GtE => format!("py_ge({l}, {r})"),
            CmpOp::Is => format!("py_is({l}, {r})"),
            CmpOp::IsNot => format!("!py_is({l}, {r})"),
            CmpOp::In => format!("py_in({l}, {r})"),
            CmpOp::NotIn => format!("!py_in({l}, {r})"),
        }
    }

    /// `a < b < c` is `a < b and b < c` with `b` evaluated once, and `c` only if `a < b` held. A block in
    /// parentheses, so it can stand where Rhai expects a condition.
    fn compare(&mut self, c: &ast::ExprCompare) -> Result<String, PyError> {
        let left = self.expr(&c.left)?.0;
        if c.ops.len() == 1 {
            let right = self.expr(&c.comparators[0])?.0;
            return Ok(self.compare_op(c.ops[0], &left, &right));
        }
        let last = c.ops.len() - 1;
        let mut links = Vec::new();
        let mut left = left;
        for (i, (op, right)) in c.ops.iter().zip(&c.comparators).enumerate() {
            let right = self.expr(right)?.0;
            if i == last {
                links.push(self.compare_op(*op, &left, &right));
                break;
            }
            let t = self.temp("c");
            links.push(format!("let {t} = {right}; if !{} {{ false }} else {{", self.compare_op(*op, &left, &t)));
            left = t;
        }
        Ok(format!("({{ {} {} }})", links.join(" "), "}".repeat(last)))
    }

    /// Store `value` (Rhai text) into a target.
    pub(crate) fn assign(&mut self, target: &Expr, value: &str) -> Result<String, PyError> {
        Ok(match target {
            Expr::Name(n) => {
                let id = n.id.as_str();
                if self.module.modules.contains_key(id) || self.module.imported.contains_key(id) {
                    return Err(self.refuse(n, &format!("rebinding the imported name `{id}` is not simulated")));
                }
                self.binds.bind(id, self.frames.len());
                match self.module.finalizers {
                    // The old value's finalizers run inside the statement, as STORE_NAME's decref runs them.
                    true => format!("{}.py_set({value});", mangle(id)),
                    false => format!("{} = {value};", mangle(id)),
                }
            }
            Expr::Attribute(a) => {
                let obj = self.expr(&a.value)?.0;
                format!("py_setattr({obj}, {}, {value});", rhai_string(a.attr.as_str()))
            }
            Expr::Subscript(s) => {
                if matches!(&*s.slice, Expr::Slice(_)) {
                    return Err(self.refuse(&*s.slice, "assigning to a slice is not simulated yet"));
                }
                let (obj, key) = (self.expr(&s.value)?.0, self.expr(&s.slice)?.0);
                format!("py_setitem({obj}, {key}, {value});")
            }
            Expr::Tuple(ast::ExprTuple { elts, .. }) | Expr::List(ast::ExprList { elts, .. }) => {
                if let Some(star) = elts.iter().find(|e| e.is_starred_expr()) {
                    return Err(self.refuse(star, "starred assignment targets are not simulated yet"));
                }
                let u = self.temp("u");
                let mut text = format!("{{ let {u} = py_unpack({value}, {}); ", elts.len());
                for (i, t) in elts.iter().enumerate() {
                    text += &self.assign(t, &format!("{u}[{i}]"))?;
                    text.push(' ');
                }
                text + "}"
            }
            other => return Err(self.refuse(other, "this assignment target is not simulated")),
        })
    }

    /// `x += v` and friends: in place where the type supports it (`list +=` extends).
    pub(crate) fn aug_assign(&mut self, a: &ast::StmtAugAssign) -> Result<String, PyError> {
        let op = self.operator(a.op, &a.target)?;
        let value = self.expr(&a.value)?.0;
        Ok(match &*a.target {
            Expr::Name(n) => {
                let (var, _) = self.name(n)?;
                format!("{} = py_i{op}({var}, {value});", mangle(n.id.as_str()))
            }
            Expr::Attribute(at) => {
                let (o, obj) = (self.temp("o"), self.expr(&at.value)?.0);
                let name = rhai_string(at.attr.as_str());
                format!("{{ let {o} = {obj}; py_setattr({o}, {name}, py_i{op}(py_getattr({o}, {name}), {value})); }}")
            }
            Expr::Subscript(s) if !matches!(&*s.slice, Expr::Slice(_)) => {
                let (o, k) = (self.temp("o"), self.temp("k"));
                let (obj, key) = (self.expr(&s.value)?.0, self.expr(&s.slice)?.0);
                format!(
                    "{{ let {o} = {obj}; let {k} = {key}; py_setitem({o}, {k}, py_i{op}(py_getitem({o}, {k}), {value})); }}"
                )
            }
            other => return Err(self.refuse(other, "this augmented assignment target is not simulated yet")),
        })
    }

    /// `del target`.
    pub(crate) fn delete(&mut self, target: &Expr) -> Result<String, PyError> {
        Ok(match target {
            // The name is unbound: its reference goes (the variable stays declared, as a function's local
            // slot does).
            Expr::Name(n) => {
                self.name(n)?;
                let id = n.id.as_str();
                format!("{}.py_unbind({}, {});", mangle(id), rhai_string(id), self.is_local(id))
            }
            Expr::Attribute(a) => format!("py_delattr({}, {});", self.expr(&a.value)?.0, rhai_string(a.attr.as_str())),
            Expr::Subscript(s) => {
                if matches!(&*s.slice, Expr::Slice(_)) {
                    return Err(self.refuse(&*s.slice, "deleting a slice is not simulated yet"));
                }
                format!("py_delitem({}, {});", self.expr(&s.value)?.0, self.expr(&s.slice)?.0)
            }
            Expr::Tuple(t) => t.elts.iter().map(|e| self.delete(e)).collect::<Result<Vec<_>, _>>()?.join(" "),
            other => return Err(self.refuse(other, "this `del` target is not simulated")),
        })
    }
}
