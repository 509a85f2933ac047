//! Typed events: every heap mutation is reported to a sink, so a recording can replay it and a viewer can say
//! *why* a refcount is what it is.

use super::gc::{GcList, Phase};
use super::ids::{Addr, ArenaIndex, Name, ObjId};
use super::object::{Edge, Kind};

/// Why a reference count changed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Cause {
    /// A root (a frame's local, a global, a temporary of the scripting layer) was bound or released.
    Root,
    /// An edge from another object was created or removed (`a.next = b`, `l.append(x)`, ...).
    Edge(ObjId, EdgeLabel),
    /// The referrer was deallocated and released its references.
    Dealloc(ObjId),
    /// The cycle collector's `tp_clear` broke one of the owner's references (its last one to this object).
    GcClear(ObjId),
    /// A temporary reference the runtime holds briefly (a finalizer call, a weakref callback).
    Runtime,
}

/// What an edge means to its owner: the label a viewer prints next to the arrow.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum EdgeLabel {
    /// `ob_type`: instances hold a strong reference to their heap type.
    Type,
    /// An instance's `__dict__` (3.8/3.10 separate dicts).
    Dict,
    /// A named attribute or slot.
    Attr(Name),
    /// A sequence item: list/tuple index.
    Item(u32),
    /// A dict or set key, by entry index.
    Key(u32),
    /// A dict value, by entry index.
    Value(u32),
    /// An internal reference (a function's globals, a generator's iterable, a weakref callback).
    Internal(Name),
}

/// One heap mutation. Small and `Copy`, so recording is cheap.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Event {
    /// A pymalloc block was handed out (`class` is the size class) or, with `class == None`, a raw block; also
    /// a block resized in place by realloc, with its new requested size.
    BlockAlloc {
        /// The block or arena address.
        addr: Addr,
        /// Requested bytes.
        nbytes: u32,
        /// Size class, or `None` for the raw allocator.
        class: Option<u8>,
    },
    /// A block was returned to its pool or to the raw allocator.
    BlockFree {
        /// The block or arena address.
        addr: Addr,
        /// The bytes it had been requested with (what the memory ledger stops counting as live).
        nbytes: u32,
    },
    /// `pymalloc_realloc` kept a block in place and changed its requested size.
    BlockResize {
        /// The block.
        addr: Addr,
        /// Requested bytes before.
        from: u32,
        /// Requested bytes from now on.
        to: u32,
    },
    /// A type free list kept a dead object's block for reuse (`kept`), or handed it to a new object.
    BlockKept {
        /// The block.
        addr: Addr,
        /// The bytes it was requested with.
        nbytes: u32,
        /// Parked on a free list from now on, or taken off it.
        kept: bool,
    },
    /// A pool was initialised for a size class (fresh, or reused for another class).
    PoolInit {
        /// The pool's address.
        pool: Addr,
        /// Size class, or `None` for the raw allocator.
        class: u8,
    },
    /// A pool became full and left `usedpools`.
    PoolFull {
        /// The pool's address.
        pool: Addr,
    },
    /// A full pool had a block freed and was front-linked into `usedpools` again.
    PoolUsed {
        /// The pool's address.
        pool: Addr,
    },
    /// A pool became empty and went onto its arena's `freepools`.
    PoolEmpty {
        /// The pool's address.
        pool: Addr,
    },
    /// `new_arena()` mapped an arena into slot `index`.
    ArenaNew {
        /// Slot in the arena-object vector.
        index: ArenaIndex,
        /// `ntotalpools`: pools that fit after aligning the first one.
        pools: u8,
        /// The arena's base address (what mmap returned).
        addr: Addr,
        /// The first pool-aligned address in it (`pool_address` after `new_arena()`).
        first_pool: Addr,
    },
    /// An arena whose pools were all free was returned to the OS.
    ArenaFree {
        /// Slot in the arena-object vector.
        index: ArenaIndex,
        /// The block or arena address.
        addr: Addr,
    },
    /// An object came to life with one reference, owned by its creator (a root).
    ObjAlloc {
        /// The object.
        id: ObjId,
        /// Its type.
        kind: Kind,
        /// Its own block (what `id()` prints), or its static address.
        addr: Addr,
    },
    /// What `sys.getsizeof` reports for an object changed (it was just built, or its storage was resized).
    ObjSize {
        /// The object.
        id: ObjId,
        /// `sys.getsizeof(obj)` from now on.
        size: u32,
    },
    /// An object's second block changed (a list's item array, a dict's keys, a set's table, a values array,
    /// a generator's frame); `addr == 0`: it has none.
    ObjStorage {
        /// The object.
        id: ObjId,
        /// The block.
        addr: Addr,
    },
    /// A freshly created object is a statically allocated singleton (it owns no block).
    ObjStatic {
        /// The object.
        id: ObjId,
        /// Its reference count, set directly to the profile's static base.
        refcnt: u32,
        /// Immortal (PEP 683): its count never changes again.
        immortal: bool,
    },
    /// The next reference-taking edge change of `owner` inserts at `index` instead of appending
    /// (`list.insert`).
    EdgeInsert {
        /// The owner.
        owner: ObjId,
        /// Where the new edge goes.
        index: u32,
    },
    /// The next edge change of `owner` replaces the target of its edge at `index` (`Py_SETREF`): the new
    /// target's `IncRef` and the old one's `DecRef` follow.
    EdgeReplace {
        /// The owner.
        owner: ObjId,
        /// The edge whose target changes.
        index: u32,
    },
    /// The edge at `index` left `owner` without a reference-count change: its reference moved elsewhere.
    EdgeDetach {
        /// The owner.
        owner: ObjId,
        /// Which edge.
        index: u32,
    },
    /// An edge was appended to `owner` without a reference-count change: it moved from another owner.
    EdgeAttach {
        /// The new owner.
        owner: ObjId,
        /// The edge.
        edge: Edge,
    },
    /// The labels of `owner`'s edges were renumbered (list items after an insert or removal, dict entries
    /// after `dictresize` compacted them); see [`relabel_edges`](super::relabel_edges).
    EdgesRelabeled {
        /// The owner.
        owner: ObjId,
        /// The first edge renumbered (the ones before keep their labels).
        from: u32,
    },
    /// A weak reference to `target` was created.
    WeakrefNew {
        /// The weakref object.
        weakref: ObjId,
        /// Its referent.
        target: ObjId,
    },
    /// An object was deallocated (its memory freed or put on a free list).
    ObjFree {
        /// The object.
        id: ObjId,
    },
    /// A reference count went up to `refcnt`.
    IncRef {
        /// The object.
        id: ObjId,
        /// The count after the change.
        refcnt: u32,
        /// Why it changed.
        cause: Cause,
    },
    /// A reference count went down to `refcnt`.
    DecRef {
        /// The object.
        id: ObjId,
        /// The count after the change.
        refcnt: u32,
        /// Why it changed.
        cause: Cause,
    },
    /// The GC started (`tracked == true`) or stopped tracking an object.
    Track {
        /// The object.
        id: ObjId,
        /// Tracked from now on, or not.
        tracked: bool,
    },
    /// A finalizer (`__del__`) is to be called; the scripting layer runs it.
    Finalize {
        /// The object.
        id: ObjId,
    },
    /// A weakref was cleared (its referent is dying, or the weakref itself is); its callback is to be called
    /// if `callback`.
    WeakrefCleared {
        /// The weakref object.
        weakref: ObjId,
        /// Whether its callback is due.
        callback: bool,
    },
    /// A tracked object moved to another generation list (`None`: the object is out of every list).
    GcMove {
        /// The object.
        id: ObjId,
        /// Its list from now on.
        list: Option<GcList>,
    },
    /// A collection took every object of `list` out as its candidates (`gc_list_merge` into `young`).
    GcTakeAll {
        /// The emptied list.
        list: GcList,
    },
    /// A collection of `generation` entered `phase` (`Phase::Done`: it finished).
    GcPhase {
        /// The generation collected.
        generation: u8,
        /// The phase that runs next.
        phase: Phase,
    },
    /// A candidate's `gc_refs` after `subtract_refs`: references from outside the candidates.
    GcRefs {
        /// The candidate.
        id: ObjId,
        /// Its `gc_refs`.
        refs: i32,
    },
    /// `move_unreachable` found a candidate unreachable.
    GcUnreachable {
        /// The candidate.
        id: ObjId,
    },
    /// What `gc.get_count()` returns changed.
    GcCounts {
        /// The new counts.
        count: [u32; 3],
    },
    /// A collection finished (what `gc.collect()` returns is `collected + uncollectable`).
    GcDone {
        /// The generation collected.
        generation: u8,
        /// Whether it counted in `gc.get_stats()` (a 3.14 increment with no work does not).
        counted: bool,
        /// Unreachable objects freed.
        collected: u32,
        /// Objects left in `gc.garbage` by legacy finalizers.
        uncollectable: u32,
        /// Objects examined (3.15's `candidates`).
        candidates: u32,
    },
    /// `gc.set_threshold()`, `gc.enable()` or `gc.disable()`.
    GcConfig {
        /// The thresholds.
        thresholds: [u32; 3],
        /// Whether automatic collection is on.
        enabled: bool,
    },
    /// An object became immortal (an interned str on 3.12): its count is `refcnt` and never changes again.
    ObjImmortal {
        /// The object.
        id: ObjId,
        /// Its count from now on.
        refcnt: u32,
    },
    /// An object was appended to `gc.garbage` (`added`), or `gc.garbage` released it.
    GcGarbage {
        /// The object.
        id: ObjId,
        /// Appended or released.
        added: bool,
    },
}

/// Receives events. Implementations decide what to keep.
pub trait EventSink {
    /// Called once per mutation, in order.
    fn emit(&mut self, event: Event);

    /// True for a sink that discards everything, so the heap can skip building events at all.
    fn is_null(&self) -> bool {
        false
    }
}

/// The heap's sink, with the "is anybody listening" test done inline on the hot path.
pub(crate) struct Events {
    sink: Box<dyn EventSink>,
    /// Somebody listens: building an event (or computing what it reports) is worth it.
    pub(crate) on: bool,
    /// tracemalloc, while tracing: fed from the block events.
    pub(crate) tracer: Option<super::tracemalloc::Tracer>,
    /// The allocation site blocks are attributed to.
    pub(crate) site: u32,
}

impl Events {
    pub(crate) fn new(sink: Box<dyn EventSink>) -> Events {
        Events { on: !sink.is_null(), sink, tracer: None, site: 0 }
    }

    pub(crate) fn replace(&mut self, sink: Box<dyn EventSink>) -> Box<dyn EventSink> {
        self.on = !sink.is_null();
        std::mem::replace(&mut self.sink, sink)
    }
}

impl EventSink for Events {
    #[inline]
    fn emit(&mut self, event: Event) {
        if let Some(t) = &mut self.tracer {
            match event {
                Event::BlockAlloc { addr, nbytes, .. } => t.alloc(addr, u64::from(nbytes), self.site),
                Event::BlockFree { addr, .. } => t.free(addr),
                Event::BlockResize { addr, to, .. } => t.alloc(addr, u64::from(to), self.site),
                _ => {}
            }
        }
        if self.on {
            self.sink.emit(event);
        }
    }
}

/// Discards events.
#[derive(Default, Debug)]
pub struct NullSink;

impl EventSink for NullSink {
    fn emit(&mut self, _: Event) {}

    fn is_null(&self) -> bool {
        true
    }
}

/// Keeps every event in memory, in order.
#[derive(Default, Debug)]
pub struct VecSink {
    /// The events received so far.
    pub events: Vec<Event>,
}

impl EventSink for VecSink {
    fn emit(&mut self, event: Event) {
        self.events.push(event);
    }
}

/// A recording sink that can be cloned: one clone goes into the heap, the other reads what was recorded.
#[derive(Clone, Default, Debug)]
pub struct SharedSink(std::rc::Rc<std::cell::RefCell<Vec<Event>>>);

impl SharedSink {
    /// The events recorded so far, in order.
    pub fn events(&self) -> std::cell::Ref<'_, Vec<Event>> {
        self.0.borrow()
    }

    /// Forget what was recorded.
    pub fn clear(&self) {
        self.0.borrow_mut().clear();
    }
}

impl EventSink for SharedSink {
    fn emit(&mut self, event: Event) {
        self.0.borrow_mut().push(event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_stay_small_enough_to_record_cheaply() {
        // The recording budget is 32 bytes per event (TUI issue); the enum must not outgrow it.
        assert!(std::mem::size_of::<Event>() <= 32, "Event is {} bytes", std::mem::size_of::<Event>());
    }
}
