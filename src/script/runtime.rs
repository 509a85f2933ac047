//! What the script bindings share: the heap, the Python callables behind heap function objects, and the
//! references released while the heap was busy.

use crate::heap::{Call, Heap, HeapError, ObjId};
use rhai::{Dynamic, FnPtr, NativeCallContext};
use rustc_hash::FxHashMap;
use std::cell::{Cell, RefCell};
use std::rc::Rc;

/// Shared state of one interpreter.
pub struct Runtime {
    /// The simulated heap.
    pub heap: RefCell<Heap>,
    /// Root references taken (`true`) or released while the heap was borrowed, applied in order at the next
    /// chance. The object stays alive meanwhile: whoever copied or dropped the handle still held a reference.
    deferred: RefCell<Vec<(ObjId, bool)>>,
    /// The Rhai closure behind each heap function object created for a callback or finalizer.
    callables: RefCell<FxHashMap<ObjId, FnPtr>>,
    /// Each class's `__del__`, by class object.
    finalizers: RefCell<FxHashMap<ObjId, FnPtr>>,
    /// What `print` and `debug` wrote.
    pub log: RefCell<Vec<String>>,
    /// Calls that could not run yet (no script context at hand).
    pending_calls: Cell<bool>,
}

/// A shared handle to the runtime.
pub type Rt = Rc<Runtime>;

impl Runtime {
    /// A runtime over `heap`.
    pub fn new(heap: Heap) -> Rt {
        Rc::new(Runtime {
            heap: RefCell::new(heap),
            deferred: RefCell::new(Vec::new()),
            callables: RefCell::new(FxHashMap::default()),
            finalizers: RefCell::new(FxHashMap::default()),
            log: RefCell::new(Vec::new()),
            pending_calls: Cell::new(false),
        })
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
                self.pending_calls.set(true);
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
        self.pending_calls.set(true);
    }

    /// Remember the closure behind a heap function object.
    pub fn register_callable(&self, id: ObjId, f: FnPtr) {
        self.callables.borrow_mut().insert(id, f);
    }

    /// Remember a class's `__del__`.
    pub fn register_finalizer(&self, class: ObjId, f: FnPtr) {
        self.finalizers.borrow_mut().insert(class, f);
    }

    /// Run every finalizer and callback the heap is waiting for, inside the script's context.
    pub fn run_calls(rt: &Rt, ctx: &NativeCallContext) -> Result<(), Box<rhai::EvalAltResult>> {
        rt.flush();
        loop {
            let call = rt.heap.borrow_mut().take_call();
            let Some(call) = call else { break };
            let (f, args) = rt.resolve(&call);
            let result = match f {
                Some(f) => f.call_within_context::<Dynamic>(ctx, args).map(|_| ()),
                None => Ok(()),
            };
            rt.flush();
            rt.heap.borrow_mut().finish_call().map_err(to_rhai)?;
            // Like CPython, an exception in `__del__` or a callback is reported, not propagated.
            if let Err(e) = result {
                rt.log.borrow_mut().push(format!("Exception ignored in {}: {e}", describe(&call)));
            }
        }
        rt.pending_calls.set(false);
        Ok(())
    }

    /// Whether something may be waiting for a call.
    pub fn may_have_calls(&self) -> bool {
        self.pending_calls.get() || !self.deferred.borrow().is_empty()
    }

    /// The closure and arguments of a call.
    fn resolve(self: &Rc<Self>, call: &Call) -> (Option<FnPtr>, Vec<Dynamic>) {
        let handle = |id: ObjId| Dynamic::from(crate::script::handle::PyObj::borrowed(self, id));
        match *call {
            Call::Del(id) => {
                let class = self.heap.borrow().class_of(id).ok().flatten();
                let f = class.and_then(|c| self.finalizers.borrow().get(&c).cloned());
                (f, vec![handle(id)])
            }
            Call::WeakrefCallback { weakref, callback } => {
                (self.callables.borrow().get(&callback).cloned(), vec![handle(weakref)])
            }
            Call::GcCallback { callback, stop, generation, collected, uncollectable } => {
                let mut info = rhai::Map::new();
                info.insert("generation".into(), Dynamic::from(i64::from(generation)));
                info.insert("collected".into(), Dynamic::from(collected as i64));
                info.insert("uncollectable".into(), Dynamic::from(uncollectable as i64));
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
