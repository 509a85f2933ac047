//! Calls: Python's builtins and the simulated modules' functions, each lowered to the script layer's
//! binding that does what CPython does; calls of user functions, classes and methods; comprehensions,
//! generator expressions, lambdas and f-strings.

use super::PyError;
use super::stmt::{Lowering, rhai_string};
use ruff_python_ast::{self as ast, Expr};
use ruff_text_size::Ranged;

/// Builtins and their Rhai, by argument count (`{0}`, `{1}` … are the arguments).
const BUILTINS: &[(&str, usize, &str)] = &[
    ("len", 1, "py_len({0})"),
    ("id", 1, "py_id({0})"),
    ("repr", 1, "py_repr({0})"),
    ("str", 0, "py_str0()"),
    ("str", 1, "py_str({0})"),
    ("int", 1, "py_int({0})"),
    ("float", 1, "py_float({0})"),
    ("bool", 1, "py_truth({0})"),
    ("list", 0, "list()"),
    ("list", 1, "py_list({0})"),
    ("tuple", 0, "tuple([])"),
    ("tuple", 1, "py_tuple({0})"),
    ("dict", 0, "dict()"),
    ("set", 0, "set()"),
    ("set", 1, "py_set({0})"),
    ("object", 0, "object()"),
    ("bytes", 1, "bytes(py_i64({0}))"),
    ("range", 1, "py_range(0, {0}, 1)"),
    ("range", 2, "py_range({0}, {1}, 1)"),
    ("range", 3, "py_range({0}, {1}, {2})"),
    ("sum", 1, "sum({0})"),
    ("min", 1, "py_min({0})"),
    ("min", 2, "py_min([{0}, {1}])"),
    ("min", 3, "py_min([{0}, {1}, {2}])"),
    ("max", 1, "py_max({0})"),
    ("max", 2, "py_max([{0}, {1}])"),
    ("max", 3, "py_max([{0}, {1}, {2}])"),
    ("any", 1, "py_any({0})"),
    ("all", 1, "py_all({0})"),
    ("sorted", 1, "py_sorted({0})"),
    ("abs", 1, "py_abs({0})"),
    ("next", 1, "py_builtin_next({0})"),
    ("next", 2, "py_builtin_next({0}, {1})"),
    ("iter", 1, "py_iter({0})"),
    ("type", 1, "py_type({0})"),
    ("isinstance", 2, "py_isinstance({0}, {1})"),
    ("hasattr", 2, "py_hasattr({0}, py_name({1}))"),
    ("getattr", 2, "py_getattr({0}, py_name({1}))"),
    ("getattr", 3, "py_getattr({0}, py_name({1}), {2})"),
    ("setattr", 3, "py_setattr({0}, py_name({1}), {2})"),
    ("delattr", 2, "py_delattr({0}, py_name({1}))"),
];

/// Builtin types that `isinstance` takes by name.
const TYPES: &[&str] = &["int", "float", "str", "bool", "list", "tuple", "dict", "set", "object", "bytes", "range"];

/// Module functions and attributes (`.` for attributes read without a call).
const MODULE: &[(&str, &str, usize, &str)] = &[
    ("gc", "collect", 0, "py_obj(gc::collect())"),
    ("gc", "collect", 1, "py_obj(gc::collect(py_i64({0})))"),
    ("gc", "enable", 0, "gc::enable()"),
    ("gc", "disable", 0, "gc::disable()"),
    ("gc", "isenabled", 0, "gc::isenabled()"),
    ("gc", "get_count", 0, "tuple(gc::get_count())"),
    ("gc", "get_threshold", 0, "tuple(gc::get_threshold())"),
    ("gc", "set_threshold", 1, "gc::set_threshold(py_i64({0}), gc::get_threshold()[1], gc::get_threshold()[2])"),
    ("gc", "set_threshold", 2, "gc::set_threshold(py_i64({0}), py_i64({1}), gc::get_threshold()[2])"),
    ("gc", "set_threshold", 3, "gc::set_threshold(py_i64({0}), py_i64({1}), py_i64({2}))"),
    ("gc", "is_tracked", 1, "gc::is_tracked({0})"),
    ("gc", "is_finalized", 1, "gc::is_finalized({0})"),
    ("gc", "get_referents", 1, "list(gc::get_referents({0}))"),
    ("gc", "get_referrers", 1, "list(gc::get_referrers({0}))"),
    ("gc", "get_objects", 0, "list(gc::get_objects())"),
    ("gc", "get_objects", 1, "list(gc::get_objects(py_i64({0})))"),
    ("gc", "freeze", 0, "gc::freeze()"),
    ("gc", "unfreeze", 0, "gc::unfreeze()"),
    ("gc", "get_freeze_count", 0, "py_obj(gc::get_freeze_count())"),
    ("gc", "set_debug", 1, "gc::set_debug(py_i64({0}))"),
    ("gc", "get_debug", 0, "py_obj(gc::get_debug())"),
    ("gc", ".garbage", 0, "py_gc_garbage()"),
    ("gc", ".DEBUG_STATS", 0, "py_obj(gc::DEBUG_STATS)"),
    ("gc", ".DEBUG_COLLECTABLE", 0, "py_obj(gc::DEBUG_COLLECTABLE)"),
    ("gc", ".DEBUG_UNCOLLECTABLE", 0, "py_obj(gc::DEBUG_UNCOLLECTABLE)"),
    ("gc", ".DEBUG_SAVEALL", 0, "py_obj(gc::DEBUG_SAVEALL)"),
    ("gc", ".DEBUG_LEAK", 0, "py_obj(gc::DEBUG_LEAK)"),
    ("sys", "getrefcount", 1, "py_obj(sys::getrefcount({0}))"),
    ("sys", "getsizeof", 1, "py_obj(sys::getsizeof({0}))"),
    ("sys", "_debugmallocstats", 0, "sys::debugmallocstats()"),
    ("sys", ".version_info", 0, "py_version_info()"),
    ("weakref", "ref", 1, "weakref::ref({0})"),
    ("weakref", "ref", 2, "weakref::ref({0}, py_fnptr({1}))"),
    ("weakref", "finalize", 2, "weakref::finalize({0}, py_fnptr({1}))"),
    ("weakref", "WeakValueDictionary", 0, "weakref::WeakValueDictionary()"),
    ("weakref", "getweakrefcount", 1, "py_obj(weakref::getweakrefcount({0}))"),
    ("heapscope", "mallocstats", 0, "py_mallocstats()"),
    ("tracemalloc", "start", 0, "tracemalloc::start()"),
    ("tracemalloc", "stop", 0, "tracemalloc::stop()"),
    ("tracemalloc", "is_tracing", 0, "tracemalloc::is_tracing()"),
    ("tracemalloc", "get_traced_memory", 0, "tuple(tracemalloc::get_traced_memory())"),
    ("tracemalloc", "reset_peak", 0, "tracemalloc::reset_peak()"),
    ("tracemalloc", "take_snapshot", 0, "tracemalloc::take_snapshot()"),
];

/// A call's keyword arguments: (name, lowered value).
type Keywords = Vec<(String, String)>;

/// Whether `name` is a builtin the lowering knows (simulated or refused by name).
pub fn is_builtin(name: &str) -> bool {
    BUILTINS.iter().any(|b| b.0 == name) || name == "print" || REFUSED.contains(&name)
}

/// Builtins a user may reach for that are not simulated yet: refused by name rather than as unknown.
const REFUSED: &[&str] = &[
    "reversed",
    "enumerate",
    "zip",
    "map",
    "filter",
    "round",
    "dir",
    "vars",
    "globals",
    "locals",
    "open",
    "input",
    "exec",
    "eval",
    "compile",
    "__import__",
    "bytearray",
    "frozenset",
    "super",
    "hash",
    "callable",
    "chr",
    "ord",
    "hex",
    "divmod",
    "format",
    "issubclass",
    "memoryview",
    "property",
    "staticmethod",
    "classmethod",
    "slice",
    "complex",
    "breakpoint",
    "help",
];

/// A function of `module` to show in a message.
pub fn example(module: &str) -> &'static str {
    MODULE.iter().find(|m| m.0 == module && !m.1.starts_with('.')).map_or("...", |m| m.1)
}

fn fill(template: &str, args: &[String]) -> String {
    let mut out = template.to_string();
    for (i, a) in args.iter().enumerate() {
        out = out.replace(&format!("{{{i}}}"), a);
    }
    out
}

impl Lowering<'_> {
    /// The arguments of a call: positional, then keyword (name, value).
    fn arguments(&mut self, args: &ast::Arguments) -> Result<(Vec<String>, Keywords), PyError> {
        let mut positional = Vec::new();
        for a in &args.args {
            if a.is_starred_expr() {
                return Err(self.refuse(a, "`*args` in a call is not simulated yet"));
            }
            positional.push(self.expr(a)?.0);
        }
        let mut keywords = Vec::new();
        for k in &args.keywords {
            let Some(name) = &k.arg else {
                return Err(self.refuse(k, "`**kwargs` in a call is not simulated yet"));
            };
            keywords.push((name.to_string(), self.expr(&k.value)?.0));
        }
        Ok((positional, keywords))
    }

    fn shadowed(&self, name: &str) -> bool {
        self.module.globals.contains(name)
            || self
                .frames
                .iter()
                .any(|f| matches!(f, super::stmt::Frame::Function { locals, .. } if locals.contains(name)))
    }

    /// `module.attr` read without a call, if `a` is one.
    pub(crate) fn module_attribute(&mut self, a: &ast::ExprAttribute) -> Result<Option<String>, PyError> {
        let Expr::Name(n) = &*a.value else { return Ok(None) };
        let Some(&module) = self.module.modules.get(n.id.as_str()).filter(|_| !self.shadowed(n.id.as_str())) else {
            return Ok(None);
        };
        let attr = format!(".{}", a.attr);
        match MODULE.iter().find(|m| m.0 == module && m.1 == attr) {
            Some(m) => Ok(Some(m.3.to_string())),
            None => Err(self.refuse(
                a,
                &format!("`{module}.{}` is not simulated (as a value: call the functions heapscope simulates)", a.attr),
            )),
        }
    }

    fn module_call(
        &self,
        c: &ast::ExprCall,
        module: &str,
        attr: &str,
        args: &[String],
        kw: &[(String, String)],
    ) -> Result<String, PyError> {
        if !kw.is_empty() {
            return Err(self.refuse(c, &format!("keyword arguments to `{module}.{attr}` are not simulated yet")));
        }
        if (module, attr) == ("sys", "getrefcount")
            && let [Expr::Name(n)] = &c.arguments.args[..]
            && self.is_local(n.id.as_str())
        {
            // From 3.14 a function's local is passed borrowed (LOAD_FAST_BORROW): no reference for the argument.
            return Ok(format!("py_obj(sys::getrefcount_of_local({}))", args[0]));
        }
        let any = MODULE.iter().any(|m| m.0 == module && m.1 == attr);
        match MODULE.iter().find(|m| m.0 == module && m.1 == attr && m.2 == args.len()) {
            Some(m) => Ok(fill(m.3, args)),
            None if any => {
                Err(self.refuse(c, &format!("`{module}.{attr}` with {} argument(s) is not simulated", args.len())))
            }
            None => Err(self.refuse(c, &format!("`{module}.{attr}` is not simulated"))),
        }
    }

    fn builtin_call(
        &mut self,
        c: &ast::ExprCall,
        name: &str,
        args: Vec<String>,
        kw: Vec<(String, String)>,
    ) -> Result<super::expr::Lowered, PyError> {
        if name == "print" {
            let (mut sep, mut end) = ("()".to_string(), "()".to_string());
            for (k, v) in kw {
                match k.as_str() {
                    "sep" => sep = v,
                    "end" => end = v,
                    other => return Err(self.refuse(c, &format!("`print(..., {other}=...)` is not simulated"))),
                }
            }
            return Ok((format!("py_print([{}], {sep}, {end})", args.join(", ")), false));
        }
        if name == "super" {
            return Err(self.refuse(c, "a `super()` object is simulated only as `super().name(...)` or `super().name`"));
        }
        if REFUSED.contains(&name) {
            return Err(self.refuse(c, &format!("the builtin `{name}` is not simulated yet")));
        }
        if !kw.is_empty() {
            return Err(self.refuse(c, &format!("keyword arguments to `{name}` are not simulated yet")));
        }
        let mut args = args;
        if name == "isinstance"
            && let Some(Expr::Name(t)) = c.arguments.args.get(1)
            && TYPES.contains(&t.id.as_str())
            && !self.shadowed(t.id.as_str())
        {
            args[1] = rhai_string(t.id.as_str());
        }
        let is_bool = matches!(name, "bool" | "isinstance" | "hasattr");
        match BUILTINS.iter().find(|b| b.0 == name && b.1 == args.len()) {
            Some(b) => Ok((fill(b.2, &args), is_bool)),
            None => Err(self.refuse(c, &format!("`{name}` with {} argument(s) is not simulated", args.len()))),
        }
    }

    /// `super()` as the object of an attribute: the class and instance it stands for, as Rhai arguments
    /// (`None` for anything else). Only the zero-argument form inside a method with a first parameter is
    /// simulated.
    pub(crate) fn super_receiver(&self, e: &Expr) -> Result<Option<String>, PyError> {
        let Expr::Call(call) = e else { return Ok(None) };
        let Expr::Name(n) = &*call.func else { return Ok(None) };
        if n.id.as_str() != "super" || self.shadowed("super") {
            return Ok(None);
        }
        if !call.arguments.is_empty() {
            return Err(self.refuse(call, "`super(...)` with arguments is not simulated yet: write `super()`"));
        }
        match &self.method_of {
            Some((class, Some(first))) if self.in_function() => Ok(Some(format!("{class}, {first}"))),
            // CPython raises when the call runs, not when the method is defined.
            Some((class, None)) if self.in_function() => {
                Ok(Some(format!("{class}, py_raise(\"RuntimeError\", \"super(): no arguments\")")))
            }
            _ => Err(self.refuse(call, "`super()` outside a method of a class is not simulated")),
        }
    }

    /// A call.
    pub(crate) fn call(&mut self, c: &ast::ExprCall) -> Result<super::expr::Lowered, PyError> {
        // A builtin given as an argument (`isinstance(x, list)`) is a name, not a value.
        let builtin_name = |e: &Expr| matches!(e, Expr::Name(n) if TYPES.contains(&n.id.as_str()));
        let is_isinstance = matches!(&*c.func, Expr::Name(n) if n.id.as_str() == "isinstance");
        let (args, kw) = if is_isinstance && c.arguments.args.get(1).is_some_and(builtin_name) {
            let first = self.expr(&c.arguments.args[0])?.0;
            (vec![first, String::new()], Vec::new())
        } else {
            self.arguments(&c.arguments)?
        };
        match &*c.func {
            Expr::Name(n) if !self.shadowed(n.id.as_str()) => {
                let id = n.id.as_str();
                if let Some((module, attr)) = self.module.imported.get(id).cloned() {
                    return Ok((self.module_call(c, module, &attr, &args, &kw)?, false));
                }
                if is_builtin(id) {
                    return self.builtin_call(c, id, args, kw);
                }
            }
            Expr::Attribute(a) => {
                if let Expr::Name(n) = &*a.value
                    && let Some(&module) =
                        self.module.modules.get(n.id.as_str()).filter(|_| !self.shadowed(n.id.as_str()))
                {
                    return Ok((self.module_call(c, module, a.attr.as_str(), &args, &kw)?, false));
                }
                if let Expr::Attribute(inner) = &*a.value
                    && let Expr::Name(n) = &*inner.value
                    && self.module.modules.get(n.id.as_str()).is_some_and(|m| *m == "gc")
                    && inner.attr.as_str() == "callbacks"
                {
                    return Err(self.refuse(c, "`gc.callbacks` is not simulated yet in Python scenarios"));
                }
                if let Some(receiver) = self.super_receiver(&a.value)? {
                    let (name, args) = (rhai_string(a.attr.as_str()), args.join(", "));
                    return Ok((format!("py_super_callm({receiver}, {name}, [{args}]{})", keywords(&kw)), false));
                }
                let obj = self.expr(&a.value)?.0;
                return Ok((
                    format!(
                        "py_callm({obj}, {}, [{}]{})",
                        rhai_string(a.attr.as_str()),
                        args.join(", "),
                        keywords(&kw)
                    ),
                    false,
                ));
            }
            _ => {}
        }
        let f = self.expr(&c.func)?.0;
        Ok((format!("py_call({f}, [{}]{})", args.join(", "), keywords(&kw)), false))
    }

    /// `[elt for x in it if c ...]`: a block that builds the list; the loop variables are its own. On
    /// 3.8-3.11 the comprehension is a function with a frame of its own (PEP 709 inlined it in 3.12).
    pub(crate) fn list_comp(&mut self, elt: &Expr, generators: &[ast::Comprehension]) -> Result<String, PyError> {
        self.comprehension(Built::List(elt), generators)
    }

    /// A list, set or dict comprehension: the container, built item by item (`LIST_APPEND`, `SET_ADD`,
    /// `MAP_ADD`, the key evaluated first), in a function and frame of its own through 3.11.
    pub(crate) fn comprehension(&mut self, built: Built, generators: &[ast::Comprehension]) -> Result<String, PyError> {
        let l = self.temp("lc");
        let (make, name) = match built {
            Built::List(_) => ("list()", "<listcomp>"),
            Built::Set(_) => ("set()", "<setcomp>"),
            Built::Dict(..) => ("dict()", "<dictcomp>"),
        };
        let mut text = format!("{{ let {l} = {make}; let __frame = py_comprehension_frame(); ");
        let mut closes = String::new();
        // The loop variables are the comprehension's own.
        let mut own = std::collections::BTreeSet::new();
        generators.iter().for_each(|g| super::names::target_names(&g.target, &mut own));
        self.frames.push(super::stmt::Frame::Function { name: name.into(), locals: own });
        let result = self.comprehension_body(built, generators, &l, &mut text, &mut closes);
        self.frames.pop();
        result?;
        Ok(text)
    }

    fn comprehension_body(
        &mut self,
        built: Built,
        generators: &[ast::Comprehension],
        l: &str,
        text: &mut String,
        closes: &mut String,
    ) -> Result<(), PyError> {
        for g in generators {
            if g.is_async {
                return Err(self.refuse(g, "async comprehensions are not simulated"));
            }
            let (it, n) = (self.temp("it"), self.temp("n"));
            let iter = self.expr(&g.iter)?.0;
            let mut names = std::collections::BTreeSet::new();
            super::names::target_names(&g.target, &mut names);
            let lets: String = names.iter().map(|n| format!("let {} = (); ", super::stmt::mangle(n))).collect();
            let bind = self.assign(&g.target, &format!("{n}.py_take()"))?;
            *text += &format!(
                "let {it} = py_iter({iter}); {lets}loop {{ let {n} = {it}.py_next(); if {n}.py_stop() {{ break; }} {bind} "
            );
            for cond in &g.ifs {
                *text += &format!("if !{} {{ continue; }} ", self.condition(cond)?);
            }
            *closes += "} ";
        }
        let add = match built {
            Built::List(elt) => format!("py_append({l}, {});", self.expr(elt)?.0),
            Built::Set(elt) => format!("{l}.add({});", self.expr(elt)?.0),
            Built::Dict(key, value) => {
                let key = self.expr(key)?.0;
                format!("py_setitem({l}, {key}, {});", self.expr(value)?.0)
            }
        };
        *text = format!("{text}{add} {closes}{l} }}");
        Ok(())
    }

    /// `(elt for x in it)`: a real generator object, one item at a time.
    pub(crate) fn generator(&mut self, g: &ast::ExprGenerator) -> Result<String, PyError> {
        let [comp] = &g.generators[..] else {
            return Err(self.refuse(g, "generator expressions with several `for`s are not simulated yet"));
        };
        let Expr::Name(target) = &comp.target else {
            return Err(self.refuse(&comp.target, "a generator expression's target must be a name here"));
        };
        if !comp.ifs.is_empty() {
            return Err(self.refuse(&comp.ifs[0], "`if` inside a generator expression is not simulated yet"));
        }
        if self.frames.len() > 1 {
            return Err(self.refuse(g, "a generator expression inside a function is not simulated yet"));
        }
        let iter = self.expr(&comp.iter)?.0;
        let var = super::stmt::mangle(target.id.as_str());
        let locals = std::iter::once(target.id.to_string()).collect();
        self.frames.push(super::stmt::Frame::Function { name: "<genexpr>".into(), locals });
        let value = self.expr(&g.elt);
        self.frames.pop();
        let value = value?.0;
        Ok(format!("gen(py_gen_source({iter}), |{var}| {value})"))
    }

    pub(crate) fn lambda(&mut self, l: &ast::ExprLambda) -> Result<String, PyError> {
        if self.frames.len() > 1 {
            return Err(self.refuse(l, "a lambda inside a function (a closure) is not simulated yet"));
        }
        let empty = ast::Parameters::default();
        let params = l.parameters.as_deref().unwrap_or(&empty);
        let body = vec![ast::Stmt::Return(ast::StmtReturn {
            node_index: Default::default(),
            range: l.body.range(),
            value: Some(l.body.clone()),
        })];
        let line = self.lines.at(ruff_text_size::Ranged::start(l)).0;
        let mark = self.mark(line);
        self.function("<lambda>", params, &body, line)?;
        Ok(self.take_since(mark))
    }

    /// `f"..."`: the parts' `format()` joined into a new str.
    pub(crate) fn fstring(&mut self, f: &ast::ExprFString) -> Result<String, PyError> {
        let mut parts = vec!["\"\"".to_string()];
        for part in f.value.iter() {
            match part {
                ast::FStringPart::Literal(s) => parts.push(rhai_string(&s.value)),
                ast::FStringPart::FString(fs) => {
                    for el in &fs.elements {
                        match el {
                            ast::InterpolatedStringElement::Literal(s) => parts.push(rhai_string(&s.value)),
                            ast::InterpolatedStringElement::Interpolation(i) => {
                                let value = self.expr(&i.expression)?.0;
                                let conv = match i.conversion {
                                    ast::ConversionFlag::Repr => "r",
                                    ast::ConversionFlag::Str => "s",
                                    ast::ConversionFlag::Ascii => "a",
                                    ast::ConversionFlag::None => "",
                                };
                                let spec = match &i.format_spec {
                                    None => String::new(),
                                    Some(spec) => {
                                        let mut text = String::new();
                                        for e in &spec.elements {
                                            match e {
                                                ast::InterpolatedStringElement::Literal(s) => text += &s.value,
                                                ast::InterpolatedStringElement::Interpolation(n) => {
                                                    return Err(self.refuse(
                                                        n,
                                                        "nested fields in a format spec are not simulated",
                                                    ));
                                                }
                                            }
                                        }
                                        text
                                    }
                                };
                                if let Some(debug) = &i.debug_text {
                                    let expr_text = self.lines.slice(i.expression.range());
                                    parts.push(rhai_string(&format!("{}{expr_text}{}", debug.leading, debug.trailing)));
                                }
                                parts.push(format!(
                                    "py_format({value}, {}, {})",
                                    rhai_string(conv),
                                    rhai_string(&spec)
                                ));
                            }
                        }
                    }
                }
            }
        }
        Ok(format!("str({})", parts.join(" + ")))
    }
}

/// What a comprehension builds, with the expressions of each item.
#[derive(Clone, Copy)]
pub(crate) enum Built<'e> {
    List(&'e Expr),
    Set(&'e Expr),
    Dict(&'e Expr, &'e Expr),
}

/// A call's keyword arguments as its last Rhai argument (`, #{...}`); nothing without any (the calls have
/// an overload without them, so most calls build no map).
fn keywords(kw: &[(String, String)]) -> String {
    if kw.is_empty() {
        return String::new();
    }
    let items: Vec<String> = kw.iter().map(|(k, v)| format!("{}: {v}", rhai_string(k))).collect();
    format!(", #{{{}}}", items.join(", "))
}
