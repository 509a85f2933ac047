//! The heap: the object table, roots, edges and reference counts, over the simulated allocator.

use super::dealloc::DeallocStack;
use super::error::{HeapError, HeapResult};
use super::events::{Cause, EdgeLabel, Event, EventSink, Events, NullSink};
use super::freelist::FreeLists;
use super::gc::{GcList, GcState};
use super::ids::{Addr, Name, ObjId};
use super::object::{Edge, Kind, Object, flags};
use super::obmalloc::Obmalloc;
use super::profile::{GcCount, Profile, StaticRefcount};
use super::roots::Frames;
use super::statics::Statics;
use super::values::{ClassInfo, Value};
use rustc_hash::FxHashMap as HashMap;

/// The simulated CPython heap.
pub struct Heap {
    pub(crate) profile: Profile,
    pub(crate) alloc: Obmalloc,
    pub(crate) objects: Vec<Object>,
    pub(crate) free_slots: Vec<u32>,
    pub(crate) sink: Events,
    pub(crate) frames: Frames,
    pub(crate) names: Vec<Box<str>>,
    pub(crate) name_index: HashMap<Box<str>, Name>,
    pub(crate) values: HashMap<u32, Value>,
    pub(crate) classes: HashMap<u32, ClassInfo>,
    /// Whether any `property` was made: until one is, setting an attribute needs no look for one.
    pub(crate) properties_made: bool,
    /// Weakref object index to its referent (cleared when the referent dies).
    pub(crate) weak_target: HashMap<u32, ObjId>,
    /// Referent index to the weakrefs pointing at it, newest first (`PyObject_ClearWeakRefs` order).
    pub(crate) weakrefs_to: HashMap<u32, Vec<ObjId>>,
    /// Entries used in a dict's (or set's) table, dummies included (`dk_nentries` / `fill`).
    pub(crate) dict_nentries: HashMap<u32, u32>,
    /// Indexes of big dicts' and sets' keys, for constant-time lookups (`types::key_index`).
    pub(crate) key_index: super::types::KeyIndexes,
    pub(crate) statics: Statics,
    pub(crate) free_lists: FreeLists,
    pub(crate) gc: GcState,
    pub(crate) dealloc: DeallocStack,
    pub(crate) site: u32,
    /// Scratch space for `tp_clear` (kept to avoid an allocation per cleared object).
    pub(crate) edge_scratch: Vec<Edge>,
    pub(crate) live: u64,
    /// Objects ever created and ever freed (for "what did this step do" reports).
    pub(crate) created: u64,
    pub(crate) freed: u64,
}

impl Heap {
    /// An empty heap for `profile`, discarding events.
    pub fn new(profile: Profile) -> Heap {
        Heap::with_sink(profile, Box::new(NullSink))
    }

    /// An empty heap that reports every mutation to `sink`.
    pub fn with_sink(profile: Profile, sink: Box<dyn EventSink>) -> Heap {
        Heap {
            alloc: Obmalloc::new(&profile),
            free_lists: FreeLists::new(&profile),
            profile,
            objects: Vec::new(),
            free_slots: Vec::new(),
            sink: Events::new(sink),
            frames: Frames::default(),
            names: Vec::new(),
            name_index: HashMap::default(),
            values: HashMap::default(),
            classes: HashMap::default(),
            properties_made: false,
            weak_target: HashMap::default(),
            weakrefs_to: HashMap::default(),
            dict_nentries: HashMap::default(),
            key_index: Default::default(),
            statics: Statics::default(),
            gc: GcState::new(profile.thresholds),
            dealloc: DeallocStack::default(),
            site: 0,
            edge_scratch: Vec::new(),
            live: 0,
            created: 0,
            freed: 0,
        }
    }

    /// The profile this heap simulates.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// The allocator, for statistics and viewers.
    pub fn allocator(&self) -> &Obmalloc {
        &self.alloc
    }

    /// The call stack's named bindings.
    pub fn frames(&self) -> &Frames {
        &self.frames
    }

    /// Objects created and objects freed since the heap began.
    pub fn lifetime_counts(&self) -> (u64, u64) {
        (self.created, self.freed)
    }

    /// Objects currently alive (static singletons included once created).
    pub fn live_objects(&self) -> u64 {
        self.live
    }

    /// Replace the event sink, returning the old one.
    pub fn set_sink(&mut self, sink: Box<dyn EventSink>) -> Box<dyn EventSink> {
        self.sink.replace(sink)
    }

    /// Cap the bytes the simulated process may take from the OS; allocations beyond fail with `MemoryError`.
    pub fn set_memory_limit(&mut self, bytes: Option<u64>) {
        self.alloc.set_limit(bytes);
    }

    /// `MemoryError` unless `nbytes` more fit under the memory limit: checked before something big is
    /// built on the host (a repeated str or list, a padded text), so its size is refused, not attempted.
    pub fn check_room(&self, nbytes: u64) -> HeapResult<()> {
        Ok(self.alloc.room_for(nbytes)?)
    }

    /// Set the birth tag given to objects created from now on (the scripting layer's `file:line`).
    pub fn set_site(&mut self, site: u32) {
        self.site = site;
        self.sink.site = site;
    }

    /// `tracemalloc.start()`: trace blocks allocated from now on.
    pub fn tracemalloc_start(&mut self) {
        if self.sink.tracer.is_none() {
            self.sink.tracer = Some(Default::default());
        }
    }

    /// `tracemalloc.stop()`: forget every trace.
    pub fn tracemalloc_stop(&mut self) {
        self.sink.tracer = None;
    }

    /// `tracemalloc.is_tracing()`.
    pub fn tracemalloc_is_tracing(&self) -> bool {
        self.sink.tracer.is_some()
    }

    /// `tracemalloc.get_traced_memory()`: `(current, peak)`, `(0, 0)` when not tracing.
    pub fn tracemalloc_traced_memory(&self) -> (u64, u64) {
        self.sink.tracer.as_ref().map_or((0, 0), |t| t.traced_memory())
    }

    /// `tracemalloc.reset_peak()`.
    pub fn tracemalloc_reset_peak(&mut self) {
        if let Some(t) = &mut self.sink.tracer {
            t.reset_peak();
        }
    }

    /// The live traces (`take_snapshot().traces`); empty when not tracing.
    pub fn tracemalloc_traces(&self) -> Vec<super::tracemalloc::Trace> {
        self.sink.tracer.as_ref().map_or_else(Vec::new, |t| t.traces())
    }

    /// Intern a name.
    pub fn intern(&mut self, s: &str) -> Name {
        if let Some(&n) = self.name_index.get(s) {
            return n;
        }
        let n = Name(self.names.len() as u32);
        self.names.push(s.into());
        self.name_index.insert(s.into(), n);
        n
    }

    /// Names interned so far (`Name(0)` to `Name(n - 1)`).
    pub fn name_count(&self) -> usize {
        self.names.len()
    }

    /// The text of an interned name.
    pub fn name(&self, n: Name) -> &str {
        self.names.get(n.0 as usize).map_or("?", |s| s)
    }

    /// The live object `id`, or an error naming why not.
    pub fn get(&self, id: ObjId) -> HeapResult<&Object> {
        match self.objects.get(id.index as usize) {
            Some(o) if o.live && o.slot_gen == id.generation => Ok(o),
            Some(o) if o.slot_gen >= id.generation => Err(HeapError::Freed(id)),
            _ => Err(HeapError::Unknown(id)),
        }
    }

    pub(crate) fn obj_mut(&mut self, id: ObjId) -> HeapResult<&mut Object> {
        self.get(id)?;
        Ok(&mut self.objects[id.index as usize])
    }

    /// The value of an atomic object (int, float, str, bytes, range).
    pub fn value(&self, id: ObjId) -> HeapResult<Option<&Value>> {
        self.get(id)?;
        Ok(self.values.get(&id.index))
    }

    /// The class info of a class object.
    pub fn class_info(&self, class: ObjId) -> HeapResult<&ClassInfo> {
        self.get(class)?;
        self.classes.get(&class.index).ok_or_else(|| HeapError::Type(format!("{class} is not a class")))
    }

    /// Every live object id, in slot order.
    pub fn object_ids(&self) -> impl Iterator<Item = ObjId> + '_ {
        self.objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.live)
            .map(|(i, o)| ObjId { index: i as u32, generation: o.slot_gen })
    }

    /// `sys.getrefcount(x)`: the count plus the temporary reference of the call's argument (§2.3).
    pub fn getrefcount(&self, id: ObjId) -> HeapResult<u64> {
        let o = self.get(id)?;
        Ok(if o.is_immortal() { u64::from(o.refcnt) } else { u64::from(o.refcnt) + 1 })
    }

    /// Take a slot and set up a live object with one reference, owned by the caller as a root.
    pub(crate) fn new_slot(&mut self, kind: Kind, block: Addr, extra: Addr, aux: u32) -> ObjId {
        let fresh = Object {
            refs: thin_vec::ThinVec::new(),
            refcnt: 1,
            roots: 1,
            slot_gen: 0,
            block,
            extra,
            aux,
            birth: self.site,
            kind,
            flags: 0,
            live: true,
        };
        let id = match self.free_slots.pop() {
            Some(index) => {
                let slot = &mut self.objects[index as usize];
                let generation = slot.slot_gen.wrapping_add(1);
                *slot = Object { slot_gen: generation, ..fresh };
                ObjId { index, generation }
            }
            None => {
                self.objects.push(fresh);
                ObjId { index: self.objects.len() as u32 - 1, generation: 0 }
            }
        };
        self.live += 1;
        self.created += 1;
        for addr in [block, extra].into_iter().filter(|&a| a != 0) {
            self.alloc.set_owner(addr, id.index);
        }
        self.sink.emit(Event::ObjAlloc { id, kind, addr: block });
        id
    }

    /// Report what `sys.getsizeof` says of `id` now: called once an object is built and whenever its storage
    /// is resized, so a recording knows every object's size.
    pub(crate) fn note_size(&mut self, id: ObjId) {
        if self.sink.on
            && let Ok(size) = self.getsizeof(id)
        {
            self.sink.emit(Event::ObjSize { id, size: size.min(u64::from(u32::MAX)) as u32 });
        }
    }

    /// Report `gc.get_count()` if it changed since it was last reported.
    pub(crate) fn note_gc_count(&mut self) {
        if self.sink.on {
            let count = self.gc_count();
            if count != self.gc.reported_count {
                self.gc.reported_count = count;
                self.sink.emit(Event::GcCounts { count });
            }
        }
    }

    /// Allocate a fresh object: from its type's free list when one applies, else from the allocator. A GC
    /// type that is freshly allocated counts towards generation 0 (`_PyObject_GC_Link`); free-list reuse does
    /// not (§3.2).
    pub(crate) fn alloc_object(&mut self, kind: Kind, nbytes: u32, aux: u32) -> HeapResult<ObjId> {
        match self.reuse_block(kind, aux) {
            Some(block) => Ok(self.new_slot(kind, block, 0, aux)),
            None => self.alloc_object_fresh(kind, nbytes, aux),
        }
    }

    /// Allocate an object from the allocator even when its type keeps a free list, as `tp_alloc`
    /// (`PyType_GenericAlloc`) does.
    pub(crate) fn alloc_object_fresh(&mut self, kind: Kind, nbytes: u32, aux: u32) -> HeapResult<ObjId> {
        let block = self.alloc.malloc(nbytes as usize, &mut self.sink)?;
        if kind.is_gc_type() && self.profile.gc_count == GcCount::Allocations {
            // `_PyObject_GC_Link`: `count++` (3.14.0: also `heap_size++`) and maybe schedule a collection.
            self.gc.count[0] += 1;
            self.gc.incremental.heap_size += 1;
            self.note_gc_count();
            self.maybe_trigger_gc();
        }
        Ok(self.new_slot(kind, block, 0, aux))
    }

    /// `PyObject_GC_Del` of a GC object's block: `count--` if positive (§3.2; 3.14.0 also `heap_size--`).
    /// Where the count counts tracked objects, untracking already did it.
    pub(crate) fn gc_block_freed(&mut self) {
        if self.profile.gc_count == GcCount::Allocations {
            self.gc.count[0] = self.gc.count[0].saturating_sub(1);
            self.gc.incremental.heap_size -= 1;
        }
    }

    /// Start tracking `id` in the cycle GC (`PyObject_GC_Track`): it joins generation 0.
    pub(crate) fn track(&mut self, id: ObjId) {
        let o = &mut self.objects[id.index as usize];
        if o.flags & flags::TRACKED == 0 {
            o.flags |= flags::TRACKED;
            self.gc.lists.push(GcList::Gen0, id.index);
            self.sink.emit(Event::Track { id, tracked: true });
            if self.profile.gc_count == GcCount::Tracked {
                self.incremental_tracked();
                self.note_gc_count();
            }
        }
    }

    /// Stop tracking `id` (`PyObject_GC_UnTrack`).
    pub(crate) fn untrack(&mut self, id: ObjId) {
        let o = &mut self.objects[id.index as usize];
        if o.flags & flags::TRACKED != 0 {
            o.flags &= !flags::TRACKED;
            self.gc.lists.remove(id.index);
            self.sink.emit(Event::Track { id, tracked: false });
            if self.profile.gc_count == GcCount::Tracked {
                self.incremental_untracked();
                self.note_gc_count();
            }
        }
    }

    /// Take a root reference: a handle in a script, a local, a temporary.
    pub fn inc_root(&mut self, id: ObjId) -> HeapResult<()> {
        self.incref(id, Cause::Root)?;
        let o = &mut self.objects[id.index as usize];
        o.roots += 1;
        Ok(())
    }

    /// Release a root reference; the object is deallocated at once if that was the last reference.
    pub fn dec_root(&mut self, id: ObjId) -> HeapResult<()> {
        let o = self.obj_mut(id)?;
        if o.roots == 0 {
            return Err(HeapError::NoRoot(id));
        }
        o.roots -= 1;
        self.decref(id, Cause::Root)
    }

    /// `Py_INCREF`: immortal objects never change (PEP 683); otherwise add one.
    pub(crate) fn incref(&mut self, id: ObjId, cause: Cause) -> HeapResult<()> {
        let o = self.obj_mut(id)?;
        if o.flags & flags::IMMORTAL != 0 {
            // The count stays; the event still tells a recording that a reference (an edge, a name) was taken.
            let refcnt = o.refcnt;
            self.sink.emit(Event::IncRef { id, refcnt, cause });
            return Ok(());
        }
        o.refcnt = o.refcnt.checked_add(1).ok_or(HeapError::Overflow(id))?;
        let refcnt = o.refcnt;
        self.sink.emit(Event::IncRef { id, refcnt, cause });
        Ok(())
    }

    /// `Py_DECREF`: at zero the object is deallocated immediately, in CPython's order (see `dealloc.rs`).
    pub(crate) fn decref(&mut self, id: ObjId, cause: Cause) -> HeapResult<()> {
        let o = self.obj_mut(id)?;
        if o.flags & flags::IMMORTAL != 0 {
            let refcnt = o.refcnt;
            self.sink.emit(Event::DecRef { id, refcnt, cause });
            return Ok(());
        }
        o.refcnt -= 1;
        let refcnt = o.refcnt;
        self.sink.emit(Event::DecRef { id, refcnt, cause });
        if refcnt == 0 {
            self.start_dealloc(id);
        }
        Ok(())
    }

    /// Add an edge `from --label--> to`, taking a reference on `to`.
    pub(crate) fn add_edge(&mut self, from: ObjId, label: EdgeLabel, to: ObjId) -> HeapResult<()> {
        self.get(from)?;
        self.incref(to, Cause::Edge(from, label))?;
        self.objects[from.index as usize].push_edge(Edge { target: to, label });
        Ok(())
    }

    /// Remove the edge at `index` of `from`'s referents, releasing its reference.
    pub(crate) fn remove_edge_at(&mut self, from: ObjId, index: usize) -> HeapResult<Edge> {
        self.forget_key_index(from);
        let edge = self.objects[from.index as usize].refs.remove(index);
        self.decref(edge.target, Cause::Edge(from, edge.label))?;
        Ok(edge)
    }

    /// Point the edge at `index` of `from` to `to`: the new reference is taken before the old is released, as
    /// `Py_SETREF` does.
    pub(crate) fn replace_edge_at(&mut self, from: ObjId, index: usize, to: ObjId) -> HeapResult<()> {
        let label = self.objects[from.index as usize].refs[index].label;
        self.sink.emit(Event::EdgeReplace { owner: from, index: index as u32 });
        self.incref(to, Cause::Edge(from, label))?;
        let old = std::mem::replace(&mut self.objects[from.index as usize].refs[index].target, to);
        self.decref(old, Cause::Edge(from, label))
    }

    /// The position of the edge labelled `label` in `from`'s referents.
    pub(crate) fn edge_index(&self, from: ObjId, label: EdgeLabel) -> Option<usize> {
        self.objects[from.index as usize].refs.iter().position(|e| e.label == label)
    }

    /// Incoming heap edges per object index (for `check` and viewers' "referrers").
    pub fn referrers(&self, id: ObjId) -> Vec<(ObjId, EdgeLabel)> {
        self.object_ids()
            .flat_map(|from| {
                self.objects[from.index as usize]
                    .refs
                    .iter()
                    .filter(move |e| e.target == id)
                    .map(move |e| (from, e.label))
            })
            .collect()
    }

    /// The reference count a static singleton starts with under this profile (see [`StaticRefcount`]).
    pub(crate) fn static_base(&self, counts_as_static: bool) -> (u32, bool) {
        match self.profile.static_refcount {
            StaticRefcount::Mortal => (1, false),
            StaticRefcount::StaticBase(base) if counts_as_static => (base, false),
            StaticRefcount::StaticBase(_) => (1, false),
            StaticRefcount::Immortal(value) => (value, true),
        }
    }
}

impl Heap {
    /// Set the object's second block (`0`: none), telling a recording who owns it.
    pub(crate) fn set_storage(&mut self, id: ObjId, addr: Addr) {
        self.objects[id.index as usize].extra = addr;
        if addr != 0 {
            self.alloc.set_owner(addr, id.index);
        }
        self.sink.emit(Event::ObjStorage { id, addr });
    }
}
