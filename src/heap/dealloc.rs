//! Deallocation at refcount zero, iterative and resumable, in CPython's order (§2.1, §5):
//!
//! 1. `__del__` (or a legacy `tp_del`) runs first, at most once (PEP 442), while weakrefs still see the object;
//!    if it resurrects the object, deallocation stops there.
//! 2. All weakrefs to it are cleared, then their callbacks are called (`PyObject_ClearWeakRefs`).
//! 3. Its referents are released, each one that reaches zero deallocated in turn (depth first).
//! 4. Its blocks are freed, or the object goes to its type's free list.
//!
//! Finalizers and callbacks are Python code the engine cannot run: deallocation pauses and hands out a
//! [`Call`]; the caller runs it and calls [`Heap::finish_call`]. A worklist on the heap replaces recursion, so
//! freeing a million-long chain uses no native stack (CPython's trashcan exists for the same reason).

use super::core::Heap;
use super::error::{HeapError, HeapResult};
use super::events::{Cause, EdgeLabel, Event, EventSink};
use super::ids::ObjId;
use super::object::{Edge, Kind, flags};
use thin_vec::ThinVec;

/// Python code the heap needs run before it can continue.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Call {
    /// Run `__del__` (or the legacy finalizer) of this object. It is alive, with one temporary reference.
    Del(ObjId),
    /// Call `callback(weakref)`; the weakref is already cleared.
    WeakrefCallback {
        /// The weakref object (alive during the call).
        weakref: ObjId,
        /// The callable.
        callback: ObjId,
    },
    /// Call a `gc.callbacks` entry as `callback(phase, info)`.
    GcCallback {
        /// The callable.
        callback: ObjId,
        /// `"stop"` when true, `"start"` otherwise.
        stop: bool,
        /// `info["generation"]`.
        generation: u8,
        /// `info["collected"]`.
        collected: u64,
        /// `info["uncollectable"]`.
        uncollectable: u64,
        /// `info["candidates"]` (3.15).
        candidates: u64,
    },
}

/// Who handed out a call that is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Dealloc,
    Gc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    Begin,
    /// Waiting for the finalizer; `taken` once handed out.
    Del {
        taken: bool,
    },
    AfterDel,
    Weakrefs,
    Callbacks,
    Callback {
        taken: bool,
    },
    AfterCallback,
    Release,
}

#[derive(Debug)]
struct Frame {
    id: ObjId,
    stage: Stage,
    /// Weakref callbacks still to call: (weakref, callback).
    callbacks: Vec<(ObjId, ObjId)>,
    /// Edges still to release, in pop order (last first).
    edges: ThinVec<Edge>,
}

/// The deallocation worklist.
#[derive(Debug, Default)]
pub(crate) struct DeallocStack {
    frames: Vec<Frame>,
    running: bool,
    /// Owners of the calls handed out and not yet finished, innermost last.
    running_calls: Vec<Owner>,
}

impl Heap {
    /// Called when `id` reached refcount zero.
    pub(crate) fn start_dealloc(&mut self, id: ObjId) {
        self.objects[id.index as usize].flags |= flags::DYING;
        self.dealloc.frames.push(Frame { id, stage: Stage::Begin, callbacks: Vec::new(), edges: ThinVec::new() });
        if !self.dealloc.running {
            self.run_deallocs();
        }
    }

    /// The finalizer or callback the heap is waiting for, if any; marks it as being run. Deallocations started
    /// by running code come first; then the collection's own calls.
    pub fn take_call(&mut self) -> Option<Call> {
        if let Some(call) = self.take_dealloc_call() {
            self.dealloc.running_calls.push(Owner::Dealloc);
            return Some(call);
        }
        if !self.dealloc.frames.is_empty() {
            return None;
        }
        let call = self.gc.collection.as_mut()?.take_call()?;
        self.dealloc.running_calls.push(Owner::Gc);
        Some(call)
    }

    fn take_dealloc_call(&mut self) -> Option<Call> {
        let top = self.dealloc.frames.last_mut()?;
        match top.stage {
            Stage::Del { taken: false } => {
                top.stage = Stage::Del { taken: true };
                Some(Call::Del(top.id))
            }
            Stage::Callback { taken: false } => {
                top.stage = Stage::Callback { taken: true };
                let (weakref, callback) = *top.callbacks.last()?;
                Some(Call::WeakrefCallback { weakref, callback })
            }
            _ => None,
        }
    }

    /// Report that the call from [`Heap::take_call`] has run; deallocation or collection continues.
    pub fn finish_call(&mut self) -> HeapResult<()> {
        match self.dealloc.running_calls.pop() {
            Some(Owner::Dealloc) => {
                let top = self.dealloc.frames.last_mut().ok_or(HeapError::CallPending)?;
                top.stage = match top.stage {
                    Stage::Del { taken: true } => Stage::AfterDel,
                    Stage::Callback { taken: true } => Stage::AfterCallback,
                    _ => return Err(HeapError::CallPending),
                };
                self.run_deallocs();
                if self.dealloc.frames.is_empty() {
                    self.run_collection();
                }
                Ok(())
            }
            Some(Owner::Gc) => {
                self.finish_gc_call();
                Ok(())
            }
            None => Err(HeapError::CallPending),
        }
    }

    /// No deallocation is paused waiting for a call.
    pub(crate) fn dealloc_idle(&self) -> bool {
        self.dealloc.frames.is_empty()
    }

    /// Run every pending call as a no-op (for engine-only use: no Python code to run).
    pub fn finish_calls_without_running(&mut self) -> HeapResult<()> {
        while self.take_call().is_some() {
            self.finish_call()?;
        }
        Ok(())
    }

    fn run_deallocs(&mut self) {
        self.dealloc.running = true;
        while let Some(top) = self.dealloc.frames.last_mut() {
            let id = top.id;
            match top.stage {
                Stage::Begin => {
                    if self.needs_finalizer(id) {
                        let o = &mut self.objects[id.index as usize];
                        o.flags |= flags::FINALIZED;
                        o.flags &= !flags::DYING;
                        // The finalizer runs with a temporary reference, as `PyObject_CallFinalizerFromDealloc`.
                        o.refcnt = 1;
                        self.sink.emit(Event::IncRef { id, refcnt: 1, cause: Cause::Runtime });
                        self.sink.emit(Event::Finalize { id });
                        self.top().stage = Stage::Del { taken: false };
                    } else if self.objects[id.index as usize].flags & flags::WEAKLY_REFERENCED != 0 {
                        self.top().stage = Stage::Weakrefs;
                    } else {
                        // The common case, no finalizer and no weakref: straight to releasing referents.
                        let edges = self.release_order(id);
                        let top = self.top();
                        top.edges = edges;
                        top.stage = Stage::Release;
                    }
                }
                Stage::Del { .. } | Stage::Callback { .. } => break,
                Stage::AfterDel => {
                    let o = &mut self.objects[id.index as usize];
                    o.refcnt -= 1;
                    let refcnt = o.refcnt;
                    self.sink.emit(Event::DecRef { id, refcnt, cause: Cause::Runtime });
                    if refcnt > 0 {
                        // Resurrected by its finalizer: it lives on, finalized.
                        self.dealloc.frames.pop();
                    } else {
                        self.objects[id.index as usize].flags |= flags::DYING;
                        self.top().stage = Stage::Weakrefs;
                    }
                }
                Stage::Weakrefs => {
                    let callbacks = self.clear_weakrefs_to(id);
                    let top = self.top();
                    top.callbacks = callbacks;
                    top.callbacks.reverse();
                    top.stage = Stage::Callbacks;
                }
                Stage::Callbacks => {
                    if top.callbacks.is_empty() {
                        let edges = self.release_order(id);
                        let top = self.top();
                        top.edges = edges;
                        top.stage = Stage::Release;
                    } else {
                        top.stage = Stage::Callback { taken: false };
                    }
                }
                Stage::AfterCallback => {
                    let (weakref, callback) = top.callbacks.pop().expect("a callback was being called");
                    top.stage = Stage::Callbacks;
                    // Drop the callback and the temporary reference on the weakref taken for the call.
                    self.release(callback, Cause::Runtime);
                    self.release(weakref, Cause::Runtime);
                }
                Stage::Release => match top.edges.pop() {
                    Some(edge) if top.edges.is_empty() => {
                        // Last edge: free the owner first so a long chain needs one frame, not one per link.
                        self.dealloc.frames.pop();
                        self.free_object(id);
                        self.release(edge.target, Cause::Dealloc(id));
                    }
                    Some(edge) => self.release(edge.target, Cause::Dealloc(id)),
                    None => {
                        self.dealloc.frames.pop();
                        self.free_object(id);
                    }
                },
            }
        }
        self.dealloc.running = false;
    }

    fn top(&mut self) -> &mut Frame {
        self.dealloc.frames.last_mut().expect("a deallocation is in progress")
    }

    /// A decref on an id known to be live (the engine's own bookkeeping).
    fn release(&mut self, id: ObjId, cause: Cause) {
        let released = self.decref(id, cause);
        debug_assert!(released.is_ok(), "engine released a dead object {id}");
    }

    /// An instance whose class has a finalizer that has not run yet (PEP 442: at most once).
    pub(crate) fn needs_finalizer(&self, id: ObjId) -> bool {
        self.objects[id.index as usize].flags & (flags::HAS_FINALIZER | flags::FINALIZED) == flags::HAS_FINALIZER
    }

    /// Detach a weakref from its referent (`_PyWeakref_ClearRef`): it now returns None.
    pub(crate) fn clear_weakref(&mut self, w: ObjId) {
        if let Some(target) = self.weak_target.remove(&w.index) {
            self.sink.emit(Event::WeakrefCleared { weakref: w, callback: false });
            if let Some(list) = self.weakrefs_to.get_mut(&target.index) {
                list.retain(|x| *x != w);
            }
        }
    }

    /// Clear every weakref to `id` and return those whose callbacks must be called, in call order. Each
    /// returned weakref gets a temporary reference and gives up its callback reference to the caller.
    pub(crate) fn clear_weakrefs_to(&mut self, id: ObjId) -> Vec<(ObjId, ObjId)> {
        if self.objects[id.index as usize].flags & flags::WEAKLY_REFERENCED == 0 {
            return Vec::new();
        }
        let Some(refs) = self.weakrefs_to.remove(&id.index) else { return Vec::new() };
        let mut calls = Vec::new();
        for w in refs {
            self.weak_target.remove(&w.index);
            let callback = self.callback_edge(w);
            self.sink.emit(Event::WeakrefCleared { weakref: w, callback: callback.is_some() });
            if let Some(i) = callback {
                // The callback's reference moves from the weakref to the call.
                let edge = self.objects[w.index as usize].refs.remove(i);
                self.sink.emit(Event::EdgeDetach { owner: w, index: i as u32 });
                let _ = self.incref(w, Cause::Runtime);
                calls.push((w, edge.target));
            }
        }
        calls
    }

    pub(crate) fn callback_edge(&self, weakref: ObjId) -> Option<usize> {
        let cb = self.name_index.get("__callback__")?;
        self.edge_index(weakref, EdgeLabel::Internal(*cb))
    }

    /// The referents of a dying object in release order (popped from the end): the type first, then list and
    /// tuple items from the last to the first (`list_dealloc`, `tupledealloc`), everything else in order.
    /// CPython's `subtype_dealloc` drops the type last; releasing it first lets the final edge be a tail release,
    /// and the type cannot die from it while a class lives in its own cycle.
    fn release_order(&mut self, id: ObjId) -> ThinVec<Edge> {
        let o = &mut self.objects[id.index as usize];
        let mut edges = std::mem::take(&mut o.refs);
        if !matches!(o.kind, Kind::List | Kind::Tuple) {
            edges.reverse();
        }
        if let Some(i) = edges.iter().position(|e| e.label == EdgeLabel::Type) {
            let t = edges.remove(i);
            edges.push(t);
        }
        edges
    }

    /// Give the object's memory back (or to a free list) and retire its slot.
    fn free_object(&mut self, id: ObjId) {
        self.untrack(id);
        let o = &mut self.objects[id.index as usize];
        o.live = false;
        o.refs = ThinVec::new();
        let (kind, block, extra, aux, oflags) = (o.kind, o.block, o.extra, o.aux, o.flags);
        if oflags & flags::STATIC == 0 {
            self.free_blocks(kind, block, extra, aux);
        }
        // A big dict, set or frozenset may have a key index.
        self.forget_key_index(id);
        // Side tables hold entries only for some kinds; skip the lookups for the rest (the hot path).
        match kind {
            Kind::Int | Kind::Float | Kind::Str | Kind::Bytes | Kind::Range | Kind::Bool => {
                self.values.remove(&id.index);
            }
            Kind::Class => {
                self.classes.remove(&id.index);
            }
            Kind::Dict | Kind::Set => {
                self.dict_nentries.remove(&id.index);
            }
            Kind::WeakRef => self.clear_weakref(id),
            _ => {}
        }
        self.free_slots.push(id.index);
        self.live -= 1;
        self.freed += 1;
        self.sink.emit(Event::ObjFree { id });
    }

    fn free_blocks(&mut self, kind: crate::heap::object::Kind, block: u64, extra: u64, aux: u32) {
        if extra != 0 && !self.keep_keys(kind, aux, extra) {
            let freed = self.alloc.free(extra, &mut self.sink);
            debug_assert!(freed.is_ok(), "{freed:?}");
        }
        if !self.keep_block(kind, aux, block) {
            let freed = self.alloc.free(block, &mut self.sink);
            debug_assert!(freed.is_ok(), "{freed:?}");
            if kind.is_gc_type() {
                self.gc_block_freed();
                self.note_gc_count();
            }
        }
    }
}
