//! The `gc` module's surface over the collector: `collect`, thresholds, counts, stats, `get_objects`,
//! `get_referrers`, `freeze`, `garbage`, debug flags and callbacks (§3.6), plus automatic triggering (§3.3).

use super::{CollectResult, Collection, GcList, GenStats};
use crate::heap::core::Heap;
use crate::heap::error::{HeapError, HeapResult};
use crate::heap::events::{Event, EventSink};
use crate::heap::ids::ObjId;
use crate::heap::profile::PyVersion;

impl Heap {
    /// `gc.collect(generation)`: runs a collection to its end, pausing for finalizers and callbacks. Returns the
    /// result when no Python code had to run; otherwise `None`, and the result is available from
    /// [`Heap::gc_last_result`] once the calls are done. Collecting while a collection runs returns 0, as CPython
    /// does (§7 pitfall 5).
    pub fn gc_collect(&mut self, generation: i64) -> HeapResult<Option<CollectResult>> {
        let g = usize::try_from(generation)
            .ok()
            .filter(|&g| g <= 2)
            .ok_or_else(|| HeapError::Value("invalid generation".into()))?;
        if self.gc.collecting {
            return Ok(Some(CollectResult { generation: g, collected: 0, uncollectable: 0 }));
        }
        self.start_collection(g, false);
        Ok(if self.gc.collection.is_none() { self.gc.last } else { None })
    }

    /// Begin a collection that stops after every phase, for viewers; advance it with [`Heap::gc_step`].
    pub fn gc_begin_stepping(&mut self, generation: usize) -> HeapResult<()> {
        if self.gc.collecting || generation > 2 {
            return Err(HeapError::Value("a collection is already running or the generation is invalid".into()));
        }
        self.gc.collecting = true;
        self.gc.collection = Some(Box::new(Collection::new(generation, true)));
        self.sink.emit(Event::GcPhase { generation: generation as u8, phase: super::Phase::Start });
        Ok(())
    }

    /// Run the stepping collection's next phase; false once it has finished.
    pub fn gc_step(&mut self) -> bool {
        self.run_collection();
        self.gc.collection.is_some()
    }

    /// The collection in progress, to look at between phases.
    pub fn gc_collection(&self) -> Option<&Collection> {
        self.gc.collection.as_deref()
    }

    /// The result of the last finished collection.
    pub fn gc_last_result(&self) -> Option<CollectResult> {
        self.gc.last
    }

    fn start_collection(&mut self, generation: usize, step_mode: bool) {
        self.gc.collecting = true;
        self.gc.collection = Some(Box::new(Collection::new(generation, step_mode)));
        self.sink.emit(Event::GcPhase { generation: generation as u8, phase: super::Phase::Start });
        self.run_collection();
    }

    /// Called on every fresh GC-object allocation after `count[0]` went up: the threshold test of
    /// `_PyObject_GC_Link`. Through 3.11 the collection runs inside the allocation; from 3.12 it is scheduled
    /// for the next statement boundary (`_Py_ScheduleGC`, §3.3).
    pub(crate) fn maybe_trigger_gc(&mut self) {
        let (g, t) = (&self.gc, self.gc.thresholds[0]);
        if !(g.count[0] > t && g.enabled && t != 0 && !g.collecting) {
            return;
        }
        if self.profile.version >= PyVersion::V3_12 {
            self.gc.scheduled = true;
        } else {
            self.collect_generations();
        }
    }

    /// A statement boundary of the simulated program (the eval breaker): a scheduled collection runs now.
    pub fn statement_boundary(&mut self) {
        if std::mem::take(&mut self.gc.scheduled) && !self.gc.collecting && self.gc.enabled {
            self.collect_generations();
        }
    }

    /// `collect_generations`: the oldest generation over its threshold, skipping a full collection unless
    /// `long_lived_pending > long_lived_total / 4`.
    fn collect_generations(&mut self) {
        if self.profile.incremental_gc() {
            // `_Py_RunGC`: one increment.
            return self.start_collection(1, false);
        }
        for i in (0..3).rev() {
            if self.gc.count[i] > self.gc.thresholds[i] {
                if i == 2 && self.gc.long_lived_pending < self.gc.long_lived_total / 4 {
                    continue;
                }
                self.start_collection(i, false);
                return;
            }
        }
    }

    /// `gc.enable()` / `gc.disable()`.
    pub fn gc_set_enabled(&mut self, on: bool) {
        self.gc.enabled = on;
        self.note_gc_config();
    }

    fn note_gc_config(&mut self) {
        let (thresholds, enabled) = (self.gc.thresholds, self.gc.enabled);
        self.sink.emit(Event::GcConfig { thresholds, enabled });
    }

    /// `gc.isenabled()`.
    pub fn gc_is_enabled(&self) -> bool {
        self.gc.enabled
    }

    /// `gc.get_threshold()`.
    pub fn gc_threshold(&self) -> [u32; 3] {
        self.gc.thresholds
    }

    /// `gc.set_threshold(t0, t1, t2)`.
    pub fn gc_set_threshold(&mut self, thresholds: [u32; 3]) {
        self.gc.thresholds = thresholds;
        self.note_gc_config();
    }

    /// `gc.get_count()`; on 3.14 `(young, visited space, pending space)`.
    pub fn gc_count(&self) -> [u32; 3] {
        if self.profile.incremental_gc() { self.incremental_counts() } else { self.gc.count }
    }

    /// `gc.get_stats()`.
    pub fn gc_stats(&self) -> [GenStats; 3] {
        self.gc.stats
    }

    /// `gc.get_debug()`.
    pub fn gc_debug(&self) -> u32 {
        self.gc.debug
    }

    /// `gc.set_debug(flags)`.
    pub fn gc_set_debug(&mut self, flags: u32) {
        self.gc.debug = flags;
    }

    /// Take what the debug flags (`DEBUG_STATS`, `DEBUG_COLLECTABLE`, `DEBUG_UNCOLLECTABLE`) made the
    /// collector write to stderr, one line each, in CPython's wording.
    pub fn gc_take_messages(&mut self) -> Vec<String> {
        std::mem::take(&mut self.gc.messages)
    }

    /// `gc.garbage`.
    pub fn gc_garbage(&self) -> &[ObjId] {
        &self.gc.garbage
    }

    /// `gc.garbage.clear()`: releases the references it held.
    pub fn gc_clear_garbage(&mut self) -> HeapResult<()> {
        for id in std::mem::take(&mut self.gc.garbage) {
            self.sink.emit(Event::GcGarbage { id, added: false });
            self.dec_root(id)?;
        }
        Ok(())
    }

    /// `gc.callbacks.append(cb)`.
    pub fn gc_add_callback(&mut self, callback: ObjId) -> HeapResult<()> {
        self.inc_root(callback)?;
        self.gc.callbacks.push(callback);
        Ok(())
    }

    /// `gc.callbacks.remove(cb)`.
    pub fn gc_remove_callback(&mut self, callback: ObjId) -> HeapResult<()> {
        let i = self.gc.callbacks.iter().position(|&c| c == callback);
        let i = i.ok_or_else(|| HeapError::Value("list.remove(x): x not in list".into()))?;
        self.gc.callbacks.remove(i);
        self.dec_root(callback)
    }

    /// `gc.get_objects(generation)`: tracked objects in list order; all three generations for `None`. Frozen
    /// objects are not listed. On 3.14, generation 1 is always empty and 2 lists both old spaces.
    pub fn gc_objects(&self, generation: Option<usize>) -> Vec<ObjId> {
        let gens: Vec<usize> = match generation {
            None => vec![0, 1, 2],
            Some(1) if self.profile.incremental_gc() => vec![],
            Some(2) if self.profile.incremental_gc() => vec![1, 2],
            Some(g) => vec![g],
        };
        gens.into_iter()
            .flat_map(|g| self.gc.lists.slots(GcList::generation(g)))
            .map(|slot| ObjId { index: slot, generation: self.objects[slot as usize].slot_gen })
            .collect()
    }

    /// `gc.get_referents(obj)`: `tp_traverse` order; nothing for non-GC objects.
    pub fn gc_referents(&self, id: ObjId) -> HeapResult<Vec<ObjId>> {
        self.traverse(id)
    }

    /// `gc.get_referrers(obj)`: tracked objects in the three generations whose traversal reaches `obj`, in
    /// generation-list order (frozen objects are invisible).
    pub fn gc_referrers(&self, id: ObjId) -> HeapResult<Vec<ObjId>> {
        self.get(id)?;
        Ok(self.gc_objects(None).into_iter().filter(|&o| self.traverse(o).is_ok_and(|r| r.contains(&id))).collect())
    }

    /// `gc.is_finalized(obj)` (3.9+).
    pub fn gc_is_finalized(&self, id: ObjId) -> HeapResult<bool> {
        Ok(self.get(id)?.is_finalized())
    }

    /// `gc.freeze()`: every tracked object moves to the permanent generation and the counts reset.
    pub fn gc_freeze(&mut self) {
        for g in 0..3 {
            self.gc_list_merge(GcList::generation(g), GcList::Permanent);
        }
        self.gc.count = [0; 3];
        self.note_gc_count();
    }

    /// `gc.unfreeze()`: the permanent generation joins the oldest generation (3.14: the visited space).
    pub fn gc_unfreeze(&mut self) {
        let to = if self.profile.incremental_gc() { self.visited_space() } else { GcList::Gen2 };
        self.gc_list_merge(GcList::Permanent, to);
        self.note_gc_count();
    }

    /// The generation list an object is in: 0-2, or 3 for the permanent generation; `None` when untracked
    /// (or while a collection has it out of its list).
    pub fn gc_generation(&self, id: ObjId) -> HeapResult<Option<u8>> {
        self.get(id)?;
        Ok(self.gc.lists.list_of(id.index).map(|l| l as u8))
    }

    /// Objects in generation list `g` (0-2; on 3.14, 1 and 2 are the two old spaces), for viewers and tests.
    pub fn gc_list_len(&self, g: usize) -> usize {
        self.gc.lists.len(GcList::generation(g))
    }

    /// `gc.get_freeze_count()`.
    pub fn gc_freeze_count(&self) -> usize {
        self.gc.lists.len(GcList::Permanent)
    }
}
