//! What the script bindings share: the heap, the Python callables behind heap function objects, and the
//! references released while the heap was busy.

use crate::heap::{Call, ClassSpec, Heap, HeapError, HeapResult, ObjId};
use rhai::{Dynamic, FnPtr, NativeCallContext};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::rc::Rc;

/// Shared state of one interpreter.
pub struct Runtime {
    /// The simulated heap.
    pub heap: RefCell<Heap>,
    /// Root references taken (`true`) or released while the heap was borrowed, applied in order at the next
    /// chance. The object stays alive meanwhile: whoever copied or dropped the handle still held a reference.
    deferred: RefCell<Vec<(ObjId, bool)>>,
    /// What each heap function object created for a callback stands for.
    callables: RefCell<FxHashMap<ObjId, Callable>>,
    /// `WeakValueDictionary` instances and their `data` dicts, whose values are weakrefs that delete their
    /// entry.
    weak_dicts: RefCell<FxHashMap<ObjId, ObjId>>,
    /// The weakref module's classes (`WeakValueDictionary`, `finalize`), made on first use and kept alive by
    /// the module, as CPython's are from import.
    library_classes: RefCell<FxHashMap<&'static str, ObjId>>,
    /// `weakref.finalize._registry`: each live finalize object and the weakref its entry holds.
    finalize_registry: RefCell<FxHashMap<ObjId, ObjId>>,
    /// Each class's `__del__`, by class object.
    finalizers: RefCell<FxHashMap<ObjId, FnPtr>>,
    /// What `print` and `debug` wrote.
    pub log: RefCell<Vec<String>>,
    /// Every statement hooked so far, by hook number.
    pub sites: RefCell<Vec<super::stepping::Site>>,
    /// Who is told about each statement (a recorder), if anyone.
    pub(crate) statement_hook: RefCell<Option<super::stepping::StatementHook>>,
    /// The parameters of each Python function object (`def`, `lambda`).
    pub(crate) signatures: RefCell<FxHashMap<ObjId, super::python::Signature>>,
    /// The `assert`s a Python cell checked so far, in order.
    pub checks: RefCell<Vec<super::python::Checked>>,
    /// What `print` wrote, exactly as Python writes it to standard output.
    pub stdout: RefCell<String>,
    /// The generators alive, by heap object.
    pub(crate) gens: super::iteration::Generators,
    /// The run's one budget of operations, time and host memory.
    pub budget: super::budget::Budget,
    /// Bytes of output kept so far (see [`Runtime::print`]).
    printed: std::cell::Cell<usize>,
    /// Finalizers and callbacks running inside one another now.
    nested_calls: std::cell::Cell<usize>,
}

/// How deep finalizers and callbacks may run inside one another (each level is native stack).
const NESTED_CALLS: usize = 64;

/// How much of a run's output is kept: enough for any lesson, bounded so a printing loop cannot take the
/// host's memory (the print log is kept for the report and the view).
pub const OUTPUT_KEPT: usize = 4 << 20;

/// A shared handle to the runtime.
pub type Rt = Rc<Runtime>;

/// The Python code behind a heap function object.
#[derive(Clone)]
pub enum Callable {
    /// A Rhai closure, called with the usual arguments.
    Script(FnPtr),
    /// A `WeakValueDictionary`'s `KeyedRef` callback: drop the entry whose value died.
    RemoveKey {
        /// The dictionary's storage.
        dict: ObjId,
        /// The entry's key.
        key: ObjId,
    },
    /// `weakref.finalize(obj, func)`: call `func()` once, then let the finalize object go.
    Finalize(FnPtr),
}

impl Runtime {
    /// A runtime over `heap`.
    pub fn new(heap: Heap, budget: super::budget::Budget) -> Rt {
        Rc::new(Runtime {
            heap: RefCell::new(heap),
            deferred: RefCell::new(Vec::new()),
            callables: RefCell::new(FxHashMap::default()),
            finalizers: RefCell::new(FxHashMap::default()),
            weak_dicts: RefCell::default(),
            library_classes: RefCell::default(),
            finalize_registry: RefCell::default(),
            log: RefCell::new(Vec::new()),
            sites: RefCell::new(Vec::new()),
            statement_hook: RefCell::new(None),
            signatures: RefCell::default(),
            checks: RefCell::default(),
            stdout: RefCell::default(),
            gens: Rc::default(),
            budget,
            printed: std::cell::Cell::new(0),
            nested_calls: std::cell::Cell::new(0),
        })
    }

    /// Keep a line of output for the log, and, for Python's `print`, `stdout` as written to standard
    /// output. Past [`OUTPUT_KEPT`] bytes in a run, one line says the rest is not kept.
    pub fn print(&self, line: String, stdout: Option<&str>) {
        let before = self.printed.get();
        if before > OUTPUT_KEPT {
            return;
        }
        let size = line.len() + stdout.map_or(0, str::len);
        self.printed.set(before + size);
        if before + size > OUTPUT_KEPT {
            let note = format!(
                "[heapscope keeps the first {} MiB of a run's output; the rest is not kept]",
                OUTPUT_KEPT >> 20
            );
            self.stdout.borrow_mut().push_str(&format!("{note}\n"));
            self.log.borrow_mut().push(note);
            return;
        }
        if let Some(out) = stdout {
            self.stdout.borrow_mut().push_str(out);
        }
        // The log is shown on terminals; what Python writes to standard output stays exact.
        self.log.borrow_mut().push(crate::safe_text::neutralised(&line).into_owned());
    }

    /// Charge `n` operations to the run's budget: builtins charge each item they visit, so a loop inside a
    /// builtin cannot escape the limit. The error is one no script can catch.
    pub fn charge(&self, n: u64) -> Result<(), Box<rhai::EvalAltResult>> {
        self.budget
            .charge(n)
            .map_err(|e| rhai::EvalAltResult::ErrorTerminated(e.message().into(), rhai::Position::NONE).into())
    }

    /// Forget every closure kept for later (finalizers, callbacks) and the statement hook. Closures capture
    /// handles, and handles hold the runtime: without this a runtime that kept a `__del__` closure would
    /// never be freed.
    pub fn forget_closures(&self) {
        let callables = std::mem::take(&mut *self.callables.borrow_mut());
        let finalizers = std::mem::take(&mut *self.finalizers.borrow_mut());
        let hook = self.statement_hook.borrow_mut().take();
        let gens = std::mem::take(&mut *self.gens.borrow_mut());
        drop((callables, finalizers, hook, gens));
    }

    /// Take a root reference now, or later if the heap is busy.
    pub fn acquire(&self, id: ObjId) {
        match self.heap.try_borrow_mut() {
            Ok(mut heap) => {
                let _ = heap.inc_root(id);
            }
            Err(_) => self.deferred.borrow_mut().push((id, true)),
        }
    }

    /// Release a root reference now, or later if the heap is busy.
    pub fn release(&self, id: ObjId) {
        match self.heap.try_borrow_mut() {
            Ok(mut heap) => {
                let _ = heap.dec_root(id);
            }
            Err(_) => self.deferred.borrow_mut().push((id, false)),
        }
    }

    /// Apply what was deferred, in order.
    pub fn flush(&self) {
        let ops = std::mem::take(&mut *self.deferred.borrow_mut());
        if ops.is_empty() {
            return;
        }
        let mut heap = self.heap.borrow_mut();
        for (id, take) in ops {
            let _ = if take { heap.inc_root(id) } else { heap.dec_root(id) };
        }
    }

    /// The closure behind a heap function object.
    pub fn callable(&self, id: ObjId) -> Option<FnPtr> {
        match self.callables.borrow().get(&id) {
            Some(Callable::Script(f)) => Some(f.clone()),
            _ => None,
        }
    }

    /// Remember the closure behind a heap function object.
    pub fn register_callable(&self, id: ObjId, f: FnPtr) {
        self.callables.borrow_mut().insert(id, Callable::Script(f));
    }

    /// Remember a built-in callback behind a heap function object.
    pub fn register_native(&self, id: ObjId, c: Callable) {
        self.callables.borrow_mut().insert(id, c);
    }

    /// Record a `WeakValueDictionary` instance and its `data` dict.
    pub fn mark_weak_dict(&self, instance: ObjId, data: ObjId) {
        self.weak_dicts.borrow_mut().insert(instance, data);
    }

    /// The `data` dict of a live `WeakValueDictionary` instance.
    pub fn weak_dict_data(&self, instance: ObjId) -> Option<ObjId> {
        let mut map = self.weak_dicts.borrow_mut();
        let alive = self.heap.try_borrow().map_or(true, |h| h.get(instance).is_ok());
        if !alive {
            map.remove(&instance);
        }
        map.get(&instance).copied().filter(|_| alive)
    }

    /// The weakref module's class `name`, made with `spec` on first use.
    pub fn library_class(&self, h: &mut Heap, name: &'static str, spec: ClassSpec) -> HeapResult<ObjId> {
        if let Some(&c) = self.library_classes.borrow().get(name) {
            return Ok(c);
        }
        let c = h.new_class(name, spec)?;
        self.library_classes.borrow_mut().insert(name, c);
        Ok(c)
    }

    /// `f.alive` when `id` is a `weakref.finalize` object: whether it has yet to run.
    pub fn finalize_alive(&self, h: &Heap, id: ObjId) -> Option<bool> {
        let class = *self.library_classes.borrow().get("finalize")?;
        (h.class_of(id).ok().flatten() == Some(class)).then(|| self.finalize_registry.borrow().contains_key(&id))
    }

    /// `_registry[f] = _Info(weakref, ...)`: the registry holds the finalize object `f` and its weakref (the
    /// caller's references to both become the registry's).
    pub fn register_finalize(&self, finalize: ObjId, weakref: ObjId) {
        self.finalize_registry.borrow_mut().insert(finalize, weakref);
    }

    /// Remember a class's `__del__`.
    pub fn register_finalizer(&self, class: ObjId, f: FnPtr) {
        self.finalizers.borrow_mut().insert(class, f);
    }

    /// Run every finalizer and callback the heap is waiting for, inside the script's context.
    pub fn run_calls(rt: &Rt, ctx: &NativeCallContext) -> Result<(), Box<rhai::EvalAltResult>> {
        // Every builtin's heap work ends here: one operation each (per item, for a builtin that loops).
        rt.charge(1)?;
        rt.flush();
        loop {
            let call = rt.heap.borrow_mut().take_call();
            let Some(call) = call else { break };
            let (f, args) = rt.resolve(&call);
            let depth = rt.nested_calls.get();
            let result = if depth >= NESTED_CALLS {
                // Its arguments go now: a handle kept past `finish_call` would resurrect the object.
                drop(args);
                Err(format!(
                    "RecursionError: finalizers and callbacks nested {NESTED_CALLS} deep (heapscope's limit; \
                     CPython's recursion limit is 1000): this one was not run"
                )
                .into())
            } else {
                rt.nested_calls.set(depth + 1);
                let result = match f {
                    Some(Callable::Script(f)) => f.call_within_context::<Dynamic>(ctx, args).map(|_| ()),
                    other => {
                        // The arguments (a handle on the weakref) must not outlive the call.
                        drop(args);
                        Runtime::run_builtin(rt, ctx, other, call)
                    }
                };
                // What died as the call returned (its locals) died inside it in CPython: a `__del__` whose
                // local's own `__del__` runs before the first one's object goes on being deallocated.
                let nested = Runtime::run_calls(rt, ctx);
                rt.nested_calls.set(depth);
                nested?;
                result
            };
            rt.flush();
            rt.heap.borrow_mut().finish_call().map_err(to_rhai)?;
            // Like CPython, an exception in `__del__` or a callback is reported, not propagated; a limit
            // reached inside one ends the run.
            if let Err(e) = result {
                if !e.is_catchable() {
                    return Err(e);
                }
                let why = super::ScriptError::from_rhai(&e).message;
                rt.print(format!("Exception ignored in {}: {why}", describe(&call)), None);
            }
        }
        Ok(())
    }

    /// The built-in callbacks: `weakref.finalize` and `WeakValueDictionary` entries.
    fn run_builtin(
        rt: &Rt,
        ctx: &NativeCallContext,
        c: Option<Callable>,
        call: Call,
    ) -> Result<(), Box<rhai::EvalAltResult>> {
        match c {
            Some(Callable::Finalize(f)) => {
                // `finalize.__call__` pops its registry entry and calls the function; when it returns, the
                // entry's references to the finalize object and its weakref go (the weakref then dies with
                // the collector's reference, and counts in what `gc.collect()` returns).
                let r = f.call_within_context::<Dynamic>(ctx, ()).map(|_| ());
                if let Call::WeakrefCallback { callback, .. } = call
                    && let Some(weakref) = rt.finalize_registry.borrow_mut().remove(&callback)
                {
                    rt.release(callback);
                    rt.release(weakref);
                }
                r
            }
            Some(Callable::RemoveKey { dict, key }) => {
                let mut h = rt.heap.borrow_mut();
                if h.get(dict).is_ok() && h.get(key).is_ok() {
                    let _ = h.dict_del(dict, key);
                }
                Ok(())
            }
            Some(Callable::Script(_)) | None => Ok(()),
        }
    }

    /// The closure and arguments of a call.
    fn resolve(self: &Rc<Self>, call: &Call) -> (Option<Callable>, Vec<Dynamic>) {
        let handle = |id: ObjId| Dynamic::from(crate::script::handle::PyObj::borrowed(self, id));
        match *call {
            Call::Del(id) => {
                // `__del__` is looked up along the MRO, as `tp_finalize` is inherited.
                let f = {
                    let h = self.heap.borrow();
                    let finalizers = self.finalizers.borrow();
                    let class = h.class_of(id).ok().flatten();
                    class.and_then(|c| h.mro(c).find_map(|k| finalizers.get(&k).cloned()))
                };
                (f.map(Callable::Script), vec![handle(id)])
            }
            Call::WeakrefCallback { weakref, callback } => {
                (self.callables.borrow().get(&callback).cloned(), vec![handle(weakref)])
            }
            Call::GcCallback { callback, stop, generation, collected, uncollectable, candidates } => {
                let mut info = rhai::Map::new();
                info.insert("generation".into(), Dynamic::from(i64::from(generation)));
                info.insert("collected".into(), Dynamic::from(collected as i64));
                info.insert("uncollectable".into(), Dynamic::from(uncollectable as i64));
                if self.heap.borrow().profile().callback_info_candidates {
                    info.insert("candidates".into(), Dynamic::from(candidates as i64));
                    // The wall time of the collection: the simulator has no clock (as `DEBUG_STATS`' "0.0000s").
                    info.insert("duration".into(), Dynamic::from(0.0_f64));
                }
                let phase = if stop { "stop" } else { "start" };
                (self.callables.borrow().get(&callback).cloned(), vec![phase.into(), info.into()])
            }
        }
    }
}

fn describe(call: &Call) -> &'static str {
    match call {
        Call::Del(_) => "__del__",
        Call::WeakrefCallback { .. } => "a weakref callback",
        Call::GcCallback { .. } => "a gc callback",
    }
}

/// A heap error as a script error (`TypeError: ...`, `MemoryError: ...`).
pub fn to_rhai(e: HeapError) -> Box<rhai::EvalAltResult> {
    e.to_string().into()
}
