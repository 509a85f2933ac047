//! Rhai scripting over the heap: Python's builtins and modules, with handles that count references.
//!
//! Rhai variables are the stack: a [`handle::PyObj`] clone is an incref and its drop a decref, so bindings,
//! arguments and temporaries count the way Python's do at statement boundaries. Where Rhai differs:
//! 1. an instance is made with `Node.create()` (Rhai cannot call a value and reserves `new`: Python's `Node()`);
//! 2. `a is b` is `is_same(a, b)` (`is` is a Rhai keyword); calling a weakref, `w()`, is `weakref::deref(w)`;
//! 3. a plain Rhai value (`5`, `"a"`) becomes a new Python object where a container or attribute takes it;
//! 4. the value of an expression statement (`l.pop();`) is released when the statement ends, as in Python:
//!    Rhai would keep it until the next statement ends, so an empty statement is placed between statements
//!    (see [`stepping`]). Where Rhai's grammar leaves no room for one (the `if` of an `else if`, a closure
//!    body without braces), the value lives until the next statement ends;
//! 5. finalizers and callbacks run inside the call that made them due (as in CPython), except when a value is
//!    dropped by Rhai itself (a variable going out of scope): they then run at the next builtin call, or at
//!    the end of the run, whichever comes first.

mod args;
pub mod budget;
mod builtins;
pub mod handle;
mod iteration;
mod literals;
mod mallocstats;
mod modules;
pub mod python;
pub mod runtime;
mod spellings;
pub mod stepping;
mod syntax;
pub mod tracemalloc;

use crate::heap::{Heap, Profile};
use rhai::packages::{Package, StandardPackage};
use rhai::{AST, Engine, EvalAltResult, OptimizationLevel, Position, Scope};
use runtime::{Rt, Runtime};
use std::time::Duration;

/// Resource limits for scripts (the sandbox).
#[derive(Clone, Debug)]
pub struct Limits {
    /// Operations per run: Rhai's, and each item a builtin visits (see [`budget`]). The limit that decides.
    pub max_operations: u64,
    /// Function call depth.
    pub max_call_levels: usize,
    /// Expression nesting depth.
    pub max_expr_depth: usize,
    /// Longest string, in bytes.
    pub max_string_size: usize,
    /// Largest Rhai array or map.
    pub max_collection_size: usize,
    /// Variables in scope.
    pub max_variables: usize,
    /// Script-defined functions.
    pub max_functions: usize,
    /// Wall-clock time the scripts of one run may take: a last resort behind the operation budget.
    pub deadline: Duration,
    /// Bytes heapscope itself may hold while the run goes on (`None`: unchecked). A last resort too.
    pub host_memory: Option<u64>,
    /// Bytes the simulated process may take from the OS (`MemoryError` beyond).
    pub heap_limit: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_operations: 50_000_000,
            max_call_levels: 64,
            max_expr_depth: 64,
            max_string_size: 1 << 20,
            max_collection_size: 1 << 20,
            max_variables: 10_000,
            max_functions: 1_000,
            deadline: Duration::from_secs(60),
            host_memory: Some(crate::host_memory::default_limit()),
            heap_limit: Some(1 << 30),
        }
    }
}

/// A script failure, with where it happened in the script.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("{message}")]
pub struct ScriptError {
    /// Plain-words description (`TypeError: ...`, `syntax error: ...`).
    pub message: String,
    /// 1-based line, if known.
    pub line: Option<usize>,
    /// 1-based column, if known.
    pub column: Option<usize>,
    /// For an error inside calls: the line of each call, outermost first, then the line it arose on. The
    /// inner lines are lines of the script that defined each function (a generated script numbered as its
    /// source file makes them lines of that file).
    pub trace: Vec<usize>,
}

impl ScriptError {
    fn from_rhai(e: &EvalAltResult) -> ScriptError {
        let pos = e.position();
        let mut trace = Vec::new();
        let mut inner = e;
        while let EvalAltResult::ErrorInFunctionCall(_, _, deeper, at) = inner {
            trace.extend(at.line());
            inner = deeper;
        }
        if !trace.is_empty() {
            trace.extend(inner.position().line());
        }
        let mut message = match inner {
            // A limit's own message (see `budget`), not Rhai's "Script terminated".
            EvalAltResult::ErrorTerminated(why, _) => why.to_string(),
            other => other.to_string(),
        };
        if let Some(i) = message.rfind(" (line ") {
            message.truncate(i);
        }
        if let Some(rest) = message.strip_prefix("Runtime error: ") {
            message = rest.to_string();
        }
        // Positions inside the message (an error in a called function) count the statement hooks' columns;
        // their lines are right.
        while let Some(i) = message.find(", position ") {
            let Some(end) = message[i..].find(')') else { break };
            message.replace_range(i..i + end, "");
        }
        if message.starts_with("Too many modules imported") {
            message = "import is not available: scripts cannot load modules".into();
        }
        ScriptError { message, line: pos.line(), column: pos.position(), trace }
    }

    fn from_parse(e: &rhai::ParseError) -> ScriptError {
        let pos: Position = e.position();
        let message = format!("syntax error: {}", e.err_type());
        ScriptError { message, line: pos.line(), column: pos.position(), trace: Vec::new() }
    }
}

/// A sandboxed Rhai interpreter driving one simulated heap. Variables and functions persist across runs.
pub struct Interpreter {
    engine: Engine,
    scope: Scope<'static>,
    rt: Rt,
    /// Every function and closure defined so far (closures may be called later as finalizers or callbacks).
    functions: AST,
    /// `__heapscope_run_calls();`, run after each script to finish what its last statement made due.
    drain: AST,
    /// Scripts run so far.
    runs: u32,
}

/// What the heap holds before a scenario's first line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeapStart {
    /// What a real interpreter's start-up leaves: the type free lists stocked (`profile::startup_free_lists`).
    #[default]
    Interpreter,
    /// Nothing at all, for lessons about the allocator from its first block.
    Empty,
}

impl Interpreter {
    /// A fresh interpreter on the heap a real interpreter's start-up leaves, under `profile`.
    pub fn new(profile: Profile, limits: Limits) -> Interpreter {
        Interpreter::with_file(profile, limits, "<script>")
    }

    /// A fresh interpreter whose script is called `file` in tracebacks (tracemalloc statistics).
    pub fn with_file(profile: Profile, limits: Limits, file: &str) -> Interpreter {
        Interpreter::with_sink(profile, limits, file, Box::new(crate::heap::NullSink), HeapStart::Interpreter)
    }

    /// Like [`Interpreter::with_file`], with every heap event reported to `sink` from the start, and the heap
    /// starting as `start` says.
    pub fn with_sink(
        profile: Profile,
        limits: Limits,
        file: &str,
        sink: Box<dyn crate::heap::EventSink>,
        start: HeapStart,
    ) -> Interpreter {
        let mut heap = Heap::with_sink(profile, sink);
        // The interpreter's own start-up happens before the scenario's limit applies (an empty heap with no
        // limit always has room for it).
        if start == HeapStart::Interpreter {
            heap.stock_startup_free_lists().expect("an empty heap without a limit has room for the start-up");
        }
        heap.set_memory_limit(limits.heap_limit);
        let budget = budget::Budget::new(limits.max_operations, limits.deadline.as_secs(), limits.host_memory);
        let rt = Runtime::new(heap, budget);
        let mut engine = Engine::new_raw();
        engine.register_global_module(StandardPackage::new().as_shared_module());
        // Every statement must run as written (no constant folding) so stepping sees each one.
        engine.set_optimization_level(OptimizationLevel::None);
        engine.disable_symbol("eval");
        engine
            // The budget counts operations instead: Rhai's count starts again in every call a builtin makes.
            .set_max_operations(0)
            .set_max_call_levels(limits.max_call_levels)
            .set_max_expr_depths(limits.max_expr_depth, limits.max_expr_depth)
            .set_max_string_size(limits.max_string_size)
            .set_max_array_size(limits.max_collection_size)
            .set_max_map_size(limits.max_collection_size)
            .set_max_variables(limits.max_variables)
            .set_max_functions(limits.max_functions)
            .set_max_modules(0);
        let r = rt.clone();
        engine.on_progress(move |_| {
            if let Err(e) = r.budget.charge(1) {
                return Some(e.message().into());
            }
            // The eval breaker: a collection scheduled by an allocation (3.12+) runs between operations.
            if let Ok(mut h) = r.heap.try_borrow_mut() {
                h.statement_boundary();
            }
            None
        });
        let r = rt.clone();
        engine.on_print(move |s| r.print(s.to_string(), None));
        let r = rt.clone();
        engine.on_debug(move |s, _, pos| r.print(format!("[{pos}] {s}"), None));
        builtins::register(&mut engine, &rt);
        modules::register(&mut engine, &rt);
        iteration::register(&mut engine, &rt);
        syntax::register(&mut engine, &rt);
        tracemalloc::register(&mut engine, &rt, file);
        python::register(&mut engine, &rt);
        spellings::register(&mut engine, &rt);
        let drain = engine.compile(format!("{}();", syntax::RUN_CALLS)).expect("the drain call compiles");
        // Python's `None` is Rhai's `()`; the name is there for scripts that spell it.
        let mut scope = Scope::new();
        scope.push_constant("None", ());
        Interpreter { engine, scope, rt, functions: AST::empty(), drain, runs: 0 }
    }

    /// Compile and run `source` with a hook before each statement (see [`stepping`]); its variables and
    /// functions stay for later runs.
    pub fn run(&mut self, source: &str) -> Result<(), ScriptError> {
        self.run_anchored(source, None)
    }

    /// Like [`Interpreter::run`] for a generated script: with `anchors`, statements stop only where the
    /// source's statements start (see [`stepping::instrument`]).
    pub fn run_anchored(&mut self, source: &str, anchors: Option<&[stepping::Anchor]>) -> Result<(), ScriptError> {
        refuse_oversized_ints(source)?;
        let ast = self.engine.compile_with_scope(&self.scope, source).map_err(|e| ScriptError::from_parse(&e))?;
        let run = self.runs;
        self.runs += 1;
        let first = self.rt.sites.borrow().len();
        let hooks = self.rt.statement_hook.borrow().is_some();
        let hooked = stepping::instrument(&self.engine, &ast, source, (run, first), hooks, anchors).and_then(
            |(script, sites)| {
                let ast = self.engine.compile_with_scope(&self.scope, &script.source).ok()?;
                self.rt.sites.borrow_mut().extend(sites);
                Some((ast, script))
            },
        );
        let (ast, script) = match hooked {
            Some((ast, script)) => (ast, Some(script)),
            None => (ast, None),
        };
        let full = self.functions.merge(&ast);
        let rt = self.rt.clone();
        let clock = rt.budget.running();
        let result = self.engine.run_ast_with_scope(&mut self.scope, &full);
        self.functions = self.functions.merge(&ast.clone_functions_only());
        // Finalizers made due by values dropped at the end of the run.
        let drained = self.engine.run_ast_with_scope(&mut self.scope, &self.functions.merge(&self.drain));
        drop(clock);
        let unhook = |mut e: ScriptError| {
            if let (Some(s), Some(line), Some(column)) = (&script, e.line, e.column) {
                e.column = Some(s.original_column(line, column));
            }
            e
        };
        result.map_err(|e| unhook(ScriptError::from_rhai(&e)))?;
        drained.map_err(|e| unhook(ScriptError::from_rhai(&e)))
    }

    /// Scripts run so far: the next [`Interpreter::run`] is number `runs()` in [`stepping::Site::run`].
    pub fn runs(&self) -> u32 {
        self.runs
    }

    /// Tell `hook` about every statement from now on (`None`: stop).
    pub fn set_statement_hook(&mut self, hook: Option<stepping::StatementHook>) {
        *self.rt.statement_hook.borrow_mut() = hook;
    }

    /// Parse a script (or, with `expression`, a single expression) without running it.
    pub fn compile(&self, source: &str, expression: bool) -> Result<(), ScriptError> {
        refuse_oversized_ints(source)?;
        let parsed = if expression {
            self.engine.compile_expression_with_scope(&self.scope, source)
        } else {
            self.engine.compile_with_scope(&self.scope, source)
        };
        parsed.map(|_| ()).map_err(|e| ScriptError::from_parse(&e))
    }

    /// Evaluate a boolean expression in the current scope (expectations).
    pub fn eval_bool(&mut self, expr: &str) -> Result<bool, ScriptError> {
        refuse_oversized_ints(expr)?;
        let ast =
            self.engine.compile_expression_with_scope(&self.scope, expr).map_err(|e| ScriptError::from_parse(&e))?;
        let full = self.functions.merge(&ast);
        let rt = self.rt.clone();
        let _clock = rt.budget.running();
        self.engine.eval_ast_with_scope::<bool>(&mut self.scope, &full).map_err(|e| ScriptError::from_rhai(&e))
    }

    /// Evaluate an expression and show its value as text (`()` for unit, `<object #n>` for a handle, the
    /// plain value of an int, float or str object).
    pub fn eval_text(&mut self, expr: &str) -> Result<String, ScriptError> {
        let ast =
            self.engine.compile_expression_with_scope(&self.scope, expr).map_err(|e| ScriptError::from_parse(&e))?;
        let full = self.functions.merge(&ast);
        let rt = self.rt.clone();
        let clock = rt.budget.running();
        let v: rhai::Dynamic =
            self.engine.eval_ast_with_scope(&mut self.scope, &full).map_err(|e| ScriptError::from_rhai(&e))?;
        drop(clock);
        if let Some(o) = v.read_lock::<handle::PyObj>() {
            let h = self.rt.heap.borrow();
            return Ok(match h.value(o.id()) {
                Ok(Some(crate::heap::Value::Int(i))) => i.to_string(),
                Ok(Some(crate::heap::Value::Float(f))) => format!("{f:?}"),
                Ok(Some(crate::heap::Value::Str(s))) => format!("{s:?}"),
                _ => format!("<{} object {}>", h.type_name(o.id()).unwrap_or_default(), o.id()),
            });
        }
        Ok(if v.is_unit() { "()".into() } else { v.to_string() })
    }

    /// The variables that hold heap objects, in the order they were bound.
    pub fn bindings(&self) -> Vec<(String, crate::heap::ObjId)> {
        let all = scope_bindings(&self.scope);
        all.into_iter()
            .filter_map(|(n, b)| if let Bound::Obj(id) = b { Some((n.to_string(), id)) } else { None })
            .collect()
    }

    /// The variables that hold plain Rhai ints or bools (`let n = gc::collect();`), in binding order.
    pub fn plain_bindings(&self) -> Vec<(String, serde_json::Value)> {
        let value = |b| match b {
            Bound::Int(i) => Some(serde_json::Value::from(i)),
            Bound::Bool(b) => Some(serde_json::Value::from(b)),
            Bound::Obj(_) => None,
        };
        scope_bindings(&self.scope).into_iter().filter_map(|(n, b)| Some((n.to_string(), value(b)?))).collect()
    }

    /// The shared runtime (heap and log).
    pub fn runtime(&self) -> &Rt {
        &self.rt
    }
}

impl Drop for Interpreter {
    fn drop(&mut self) {
        self.rt.forget_closures();
    }
}

/// Rhai would read an integer literal beyond 64 bits as a float: refused where it is.
fn refuse_oversized_ints(source: &str) -> Result<(), ScriptError> {
    match literals::oversized_int(source) {
        None => Ok(()),
        Some((line, column)) => Err(ScriptError {
            message: "an integer literal beyond 64 bits, which Rhai would read as a float: write the scenario in \
                      Python, whose ints heapscope simulates to 128 bits"
                .into(),
            line: Some(line),
            column: Some(column),
            trace: Vec::new(),
        }),
    }
}

/// What a script variable holds, as far as the heap view cares.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Bound {
    /// A heap object.
    Obj(crate::heap::ObjId),
    /// A plain Rhai integer (`let n = gc::collect();`).
    Int(i64),
    /// A plain Rhai bool.
    Bool(bool),
}

/// The variables in `scope` that hold heap objects, ints or bools, in binding order; a shadowed name appears
/// once, with its latest value.
pub fn scope_bindings<'s>(scope: &'s Scope) -> Vec<(&'s str, Bound)> {
    let mut out: Vec<(&str, Bound)> = Vec::new();
    let mut seen = rustc_hash::FxHashSet::default();
    // Latest first, so the first of a name is the one in effect.
    for (name, _, v) in scope.iter_raw() {
        // `__`-names are the lowering's temporaries and constants; a Python name spelled like a Rhai
        // keyword carries a `__` suffix.
        if name.starts_with("__") || !seen.insert(name) {
            continue;
        }
        let name = name.strip_suffix("__").unwrap_or(name);
        let bound = if let Some(o) = v.read_lock::<handle::PyObj>() {
            Bound::Obj(o.id())
        } else if let Ok(i) = v.as_int() {
            Bound::Int(i)
        } else if let Ok(b) = v.as_bool() {
            Bound::Bool(b)
        } else {
            continue;
        };
        out.push((name, bound));
    }
    out.reverse();
    out
}
