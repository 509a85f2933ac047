//! One collection as a state machine whose phases are the steps of `gc_collect_main` (`Python/gc.c` 3.13,
//! `Modules/gcmodule.c` 3.8-3.12, §3.4). A viewer can stop after any phase and look at the lists and each
//! object's `gc_refs`; `Heap::gc_collect` simply runs the phases to the end.
//!
//! Finalizers, weakref callbacks and `gc.callbacks` are Python code: the collection pauses with a [`Call`] and
//! resumes when the caller reports it done (`Heap::finish_call`).

use super::{CollectResult, DEBUG_SAVEALL, DEBUG_STATS, DEBUG_UNCOLLECTABLE, GcList};
use crate::heap::core::Heap;
use crate::heap::dealloc::Call;
use crate::heap::events::{Cause, Event, EventSink};
use crate::heap::ids::ObjId;
use crate::heap::object::{Kind, flags};
use crate::heap::profile::PyVersion;

/// The named steps of a collection, in order.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord)]
pub enum Phase {
    /// `invoke_gc_callback("start")`, then the counts update and generations 0..g merge into g.
    Start,
    /// `update_refs`: `gc_refs = ob_refcnt` for every candidate.
    UpdateRefs,
    /// `subtract_refs`: minus one for every reference from another candidate (`visit_decref`).
    SubtractRefs,
    /// `move_unreachable`: what is reachable from an object with `gc_refs > 0` survives.
    MoveUnreachable,
    /// `untrack_tuples` (and `untrack_dicts` in a full collection); survivors move to the next generation.
    UntrackSurvivors,
    /// `move_legacy_finalizers` + `move_legacy_finalizer_reachable`: the uncollectable `tp_del` set.
    MoveLegacyFinalizers,
    /// `handle_weakrefs`: clear weakrefs to the garbage, then call the callbacks of those outside it.
    HandleWeakrefs,
    /// `finalize_garbage`: `__del__` (PEP 442), at most once per object.
    FinalizeGarbage,
    /// `handle_resurrected_objects` (3.9+: per object) or `check_garbage` (3.8: all or nothing).
    HandleResurrected,
    /// `delete_garbage`: `tp_clear` on each object, or into `gc.garbage` with `DEBUG_SAVEALL`.
    DeleteGarbage,
    /// `handle_legacy_finalizers`: the `tp_del` objects go to `gc.garbage`.
    HandleLegacyFinalizers,
    /// Free lists cleared (full collections), statistics updated.
    Finish,
    /// `invoke_gc_callback("stop")`.
    Stop,
    /// Finished.
    Done,
}

impl Phase {
    /// Every phase, in order (`Phase::ALL[p as usize] == p`).
    pub const ALL: [Phase; 14] = [
        Phase::Start,
        Phase::UpdateRefs,
        Phase::SubtractRefs,
        Phase::MoveUnreachable,
        Phase::UntrackSurvivors,
        Phase::MoveLegacyFinalizers,
        Phase::HandleWeakrefs,
        Phase::FinalizeGarbage,
        Phase::HandleResurrected,
        Phase::DeleteGarbage,
        Phase::HandleLegacyFinalizers,
        Phase::Finish,
        Phase::Stop,
        Phase::Done,
    ];

    /// The CPython function the phase is, as `Modules/gcmodule.c` names it.
    pub fn c_name(self) -> &'static str {
        match self {
            Phase::Start => "gc_collect_main",
            Phase::UpdateRefs => "update_refs",
            Phase::SubtractRefs => "subtract_refs",
            Phase::MoveUnreachable => "move_unreachable",
            Phase::UntrackSurvivors => "untrack_tuples",
            Phase::MoveLegacyFinalizers => "move_legacy_finalizers",
            Phase::HandleWeakrefs => "handle_weakrefs",
            Phase::FinalizeGarbage => "finalize_garbage",
            Phase::HandleResurrected => "handle_resurrected_objects",
            Phase::DeleteGarbage => "delete_garbage",
            Phase::HandleLegacyFinalizers => "handle_legacy_finalizers",
            Phase::Finish => "clear_freelists",
            Phase::Stop => "invoke_gc_callback",
            Phase::Done => "done",
        }
    }
}

/// A collection in progress.
#[derive(Debug)]
pub struct Collection {
    /// The generation being collected (younger ones are merged into it).
    pub generation: usize,
    /// The phase that runs next.
    pub phase: Phase,
    /// The candidates; after `MoveUnreachable`, the reachable ones.
    pub young: Vec<ObjId>,
    /// The unreachable candidates (after `MoveUnreachable`), in CPython's list order.
    pub unreachable: Vec<ObjId>,
    /// The legacy-finalizer set (uncollectable).
    pub finalizers: Vec<ObjId>,
    pub(crate) gc_refs: Vec<i64>,
    /// Scratch buffer for `tp_traverse` results.
    pub(crate) visit: Vec<ObjId>,
    pub(crate) cursor: usize,
    pub(crate) wrcb: Vec<(ObjId, ObjId)>,
    pub(crate) collected: u64,
    /// How many objects `update_refs` took as candidates (3.15 reports it as `candidates`).
    pub(crate) candidates: u64,
    pub(crate) uncollectable: u64,
    pub(crate) pending: Option<(Call, bool)>,
    /// Where survivors go: the next generation (3.8-3.13) or the visited space (3.14).
    pub(crate) dest: GcList,
    /// 3.14: the size of the increment being collected.
    pub(crate) increment_size: u64,
    /// Stop after every phase (for viewers); otherwise run until a call is needed or the end.
    pub(crate) step_mode: bool,
    /// Whether it reached `Finish` and so counts in `gc.get_stats()`.
    pub(crate) counted: bool,
}

impl Collection {
    pub(crate) fn new(generation: usize, step_mode: bool) -> Collection {
        Collection {
            generation,
            phase: Phase::Start,
            young: Vec::new(),
            unreachable: Vec::new(),
            finalizers: Vec::new(),
            gc_refs: Vec::new(),
            visit: Vec::new(),
            cursor: 0,
            wrcb: Vec::new(),
            collected: 0,
            candidates: 0,
            uncollectable: 0,
            pending: None,
            dest: GcList::generation((generation + 1).min(2)),
            increment_size: 0,
            step_mode,
            counted: false,
        }
    }

    /// An object's `gc_refs` as the algorithm last computed it.
    pub fn gc_refs(&self, id: ObjId) -> Option<i64> {
        self.gc_refs.get(id.index as usize).copied()
    }

    /// What has been counted so far.
    pub fn result(&self) -> CollectResult {
        CollectResult { generation: self.generation, collected: self.collected, uncollectable: self.uncollectable }
    }

    fn refs_mut(&mut self, slot: u32) -> &mut i64 {
        let i = slot as usize;
        if i >= self.gc_refs.len() {
            self.gc_refs.resize(i + 1, 0);
        }
        &mut self.gc_refs[i]
    }

    pub(crate) fn take_call(&mut self) -> Option<Call> {
        match &mut self.pending {
            Some((call, taken)) if !*taken => {
                *taken = true;
                Some(*call)
            }
            _ => None,
        }
    }

    pub(crate) fn is_waiting(&self) -> bool {
        self.pending.is_some()
    }
}

impl Heap {
    pub(crate) fn is_live(&self, id: ObjId) -> bool {
        self.get(id).is_ok()
    }

    pub(crate) fn has_flag(&self, id: ObjId, f: u16) -> bool {
        self.get(id).is_ok_and(|o| o.flags & f != 0)
    }

    pub(crate) fn set_flag(&mut self, id: ObjId, f: u16, on: bool) {
        if let Ok(o) = self.obj_mut(id) {
            if on {
                o.flags |= f;
            } else {
                o.flags &= !f;
            }
        }
    }

    /// Put a live, tracked object into a generation list.
    pub(crate) fn gc_list_push(&mut self, id: ObjId, list: GcList) {
        if !self.has_flag(id, flags::TRACKED) {
            return;
        }
        self.gc_list_move(id.index, Some(list));
    }

    /// Run the collection until it finishes, needs a call, waits for a deallocation's call, or (in step mode)
    /// completes one phase.
    pub(crate) fn run_collection(&mut self) {
        loop {
            let Some(mut c) = self.gc.collection.take() else { return };
            if c.is_waiting() || !self.dealloc_idle() {
                self.gc.collection = Some(c);
                return;
            }
            let before = c.phase;
            if before == Phase::Done {
                self.end_collection(&c);
                return;
            }
            self.run_phase(&mut c);
            if c.phase != before {
                self.sink.emit(Event::GcPhase { generation: c.generation as u8, phase: c.phase });
                self.note_gc_count();
            }
            let stop = c.step_mode && c.phase != before && c.phase != Phase::Done;
            self.gc.collection = Some(c);
            if stop {
                return;
            }
        }
    }

    /// Report that the collection's call ran; the collection continues.
    pub(crate) fn finish_gc_call(&mut self) {
        let Some(c) = self.gc.collection.as_mut() else { return };
        let Some((call, _)) = c.pending.take() else { return };
        c.cursor += 1;
        match call {
            Call::WeakrefCallback { weakref, .. } => {
                let _ = self.decref(weakref, Cause::Runtime);
                let dead = self.get(weakref).is_err();
                let c = self.gc.collection.as_mut().expect("collection");
                let old = c.dest;
                if dead {
                    c.collected += 1;
                } else {
                    self.gc_list_push(weakref, old);
                }
            }
            Call::Del(id) => {
                let _ = self.decref(id, Cause::Runtime);
            }
            Call::GcCallback { .. } => {}
        }
        self.run_collection();
    }

    fn run_phase(&mut self, c: &mut Collection) {
        match c.phase {
            Phase::Start => self.phase_start(c),
            Phase::UpdateRefs => {
                self.update_refs(c, false);
                c.phase = Phase::SubtractRefs;
            }
            Phase::SubtractRefs => {
                let young = c.young.clone();
                self.subtract_refs(c, &young);
                if self.sink.on {
                    for &id in &young {
                        let refs = c.gc_refs(id).unwrap_or(0).clamp(i64::from(i32::MIN), i64::from(i32::MAX));
                        self.sink.emit(Event::GcRefs { id, refs: refs as i32 });
                    }
                }
                c.phase = Phase::MoveUnreachable;
            }
            Phase::MoveUnreachable => {
                let young = std::mem::take(&mut c.young);
                let (reachable, unreachable) = self.move_unreachable(c, young);
                for &id in &unreachable {
                    self.sink.emit(Event::GcUnreachable { id });
                }
                c.young = reachable;
                c.unreachable = unreachable;
                c.phase = Phase::UntrackSurvivors;
            }
            Phase::UntrackSurvivors => self.phase_untrack_survivors(c),
            Phase::MoveLegacyFinalizers => self.phase_legacy_finalizers(c),
            Phase::HandleWeakrefs => self.phase_weakrefs(c),
            Phase::FinalizeGarbage => self.phase_finalize(c),
            Phase::HandleResurrected => self.phase_resurrected(c),
            Phase::DeleteGarbage => self.phase_delete(c),
            Phase::HandleLegacyFinalizers => {
                let list: Vec<ObjId> = c.finalizers.iter().copied().filter(|&f| self.is_live(f)).collect();
                c.uncollectable = list.len() as u64;
                if self.gc.debug & DEBUG_UNCOLLECTABLE != 0 {
                    for &f in &list {
                        self.debug_cycle("uncollectable", f);
                    }
                }
                let save_all = self.gc.debug & DEBUG_SAVEALL != 0;
                for &f in &list {
                    if save_all || self.has_legacy_finalizer(f) {
                        self.garbage_append(f);
                    }
                    self.gc_list_push(f, c.dest);
                }
                c.phase = Phase::Finish;
            }
            Phase::Finish => {
                if self.profile.incremental_gc() {
                    self.incremental_finish(c);
                }
                if c.generation == 2 {
                    let cleared = self.clear_free_lists();
                    debug_assert!(cleared.is_ok());
                }
                if self.gc.debug & DEBUG_STATS != 0 {
                    // The simulator has no clock: the elapsed time is always 0.
                    let (n, m) = (c.uncollectable, c.collected);
                    self.gc
                        .messages
                        .push(format!("gc: done, {} unreachable, {n} uncollectable, 0.0000s elapsed", n + m));
                }
                c.counted = true;
                let s = &mut self.gc.stats[c.generation];
                s.collections += 1;
                s.collected += c.collected;
                s.uncollectable += c.uncollectable;
                s.candidates += c.candidates;
                c.cursor = 0;
                c.phase = Phase::Stop;
            }
            Phase::Stop => self.phase_callbacks(c, "stop", Phase::Done),
            Phase::Done => {}
        }
    }

    fn phase_callbacks(&mut self, c: &mut Collection, phase: &'static str, next: Phase) {
        if let Some(&callback) = self.gc.callbacks.get(c.cursor) {
            let r = c.result();
            let call = Call::GcCallback {
                callback,
                stop: phase == "stop",
                generation: c.generation as u8,
                collected: r.collected,
                uncollectable: r.uncollectable,
                candidates: c.candidates,
            };
            c.pending = Some((call, false));
        } else {
            c.cursor = 0;
            c.phase = next;
        }
    }

    /// "start" callbacks, then `generations[g+1].count += 1`, counts `0..=g` zeroed, and the candidates taken
    /// out of their lists: generation g first, then the younger ones merged after it.
    fn phase_start(&mut self, c: &mut Collection) {
        if c.cursor < self.gc.callbacks.len() {
            return self.phase_callbacks(c, "start", Phase::Start);
        }
        let g = c.generation;
        if self.gc.debug & DEBUG_STATS != 0 {
            // `show_stats_each_generations`.
            let sizes: String = (0..3).map(|i| format!(" {}", self.gc.lists.len(GcList::generation(i)))).collect();
            self.gc.messages.push(format!("gc: collecting generation {g}..."));
            self.gc.messages.push(format!("gc: objects in each generation:{sizes}"));
            self.gc
                .messages
                .push(format!("gc: objects in permanent generation: {}", self.gc.lists.len(GcList::Permanent)));
        }
        c.gc_refs = vec![0; self.objects.len()];
        // The "start" callbacks are done; the cursor now serves the phases (and the "stop" callbacks).
        c.cursor = 0;
        if self.profile.incremental_gc() {
            // Nothing to collect (the increment only marked, or had no work): report zeros, no statistics.
            c.phase = if self.incremental_start(c) { Phase::UpdateRefs } else { Phase::Stop };
            return;
        }
        if g < 2 {
            self.gc.count[g + 1] += 1;
        }
        for i in 0..=g {
            self.gc.count[i] = 0;
        }
        let order = std::iter::once(g).chain(0..g);
        let mut young = Vec::new();
        for gen_ in order {
            for slot in self.gc_list_take_all(GcList::generation(gen_)) {
                let o = &mut self.objects[slot as usize];
                o.flags |= flags::COLLECTING;
                young.push(ObjId { index: slot, generation: o.slot_gen });
            }
        }
        c.young = young;
        c.phase = Phase::UpdateRefs;
    }

    /// `update_refs`: `gc_refs = ob_refcnt` and COLLECTING set. Immortal objects leave the candidates: into the
    /// permanent generation on 3.12, untracked on 3.13 (§2.2).
    pub(crate) fn update_refs(&mut self, c: &mut Collection, keep_all: bool) {
        let mut kept = Vec::with_capacity(c.young.len());
        for id in std::mem::take(&mut c.young) {
            let Ok(o) = self.obj_mut(id) else { continue };
            if !o.is_immortal() || keep_all {
                o.flags |= flags::COLLECTING;
                let refcnt = i64::from(o.refcnt);
                *c.refs_mut(id.index) = refcnt;
                kept.push(id);
                continue;
            }
            o.flags &= !flags::COLLECTING;
            if self.profile.version == PyVersion::V3_12 {
                self.gc_list_move(id.index, Some(GcList::Permanent));
            } else {
                self.untrack(id);
            }
        }
        if !keep_all {
            // 3.15 `update_refs` counts the candidates it keeps (`Python/gc.c`).
            c.candidates = kept.len() as u64;
        }
        c.young = kept;
    }

    /// `subtract_refs`: every reference from one candidate to another (`visit_decref`).
    pub(crate) fn subtract_refs(&mut self, c: &mut Collection, set: &[ObjId]) {
        let mut visit = std::mem::take(&mut c.visit);
        for &id in set {
            let _ = self.traverse_into(id, &mut visit);
            for &r in &visit {
                // Edges only ever lead to live objects (`check` verifies it), so the slot is `r`'s.
                if self.objects[r.index as usize].flags & flags::COLLECTING != 0 {
                    *c.refs_mut(r.index) -= 1;
                }
            }
        }
        c.visit = visit;
    }

    /// `move_unreachable`: scan in order; an object with `gc_refs > 0` is reachable and makes what it reaches
    /// reachable (`visit_reachable`), moving a tentatively unreachable one back to the end of the scan.
    pub(crate) fn move_unreachable(&mut self, c: &mut Collection, young: Vec<ObjId>) -> (Vec<ObjId>, Vec<ObjId>) {
        let mut scan = young;
        let mut reachable = Vec::with_capacity(scan.len());
        let mut unreachable: Vec<Option<ObjId>> = Vec::new();
        // Where each tentatively unreachable object sits in `unreachable`, by slot.
        let mut position: Vec<u32> = Vec::new();
        let mut visit = std::mem::take(&mut c.visit);
        let mut i = 0;
        while i < scan.len() {
            let id = scan[i];
            i += 1;
            if !self.is_live(id) {
                continue;
            }
            if *c.refs_mut(id.index) > 0 {
                let _ = self.traverse_into(id, &mut visit);
                for &r in &visit {
                    let rf = &mut self.objects[r.index as usize].flags;
                    if *rf & flags::COLLECTING == 0 {
                        continue;
                    }
                    if *rf & flags::UNREACHABLE != 0 {
                        *rf &= !flags::UNREACHABLE;
                        unreachable[position[r.index as usize] as usize] = None;
                        scan.push(r);
                        *c.refs_mut(r.index) = 1;
                    } else if *c.refs_mut(r.index) == 0 {
                        *c.refs_mut(r.index) = 1;
                    }
                }
                self.objects[id.index as usize].flags &= !flags::COLLECTING;
                reachable.push(id);
            } else {
                self.objects[id.index as usize].flags |= flags::UNREACHABLE;
                let slot = id.index as usize;
                if position.len() <= slot {
                    position.resize(slot + 1, 0);
                }
                position[slot] = unreachable.len() as u32;
                unreachable.push(Some(id));
            }
        }
        c.visit = visit;
        let unreachable: Vec<ObjId> = unreachable.into_iter().flatten().collect();
        for &u in &unreachable {
            self.set_flag(u, flags::UNREACHABLE, false);
        }
        (reachable, unreachable)
    }

    /// `untrack_tuples`, then the survivors join the next generation (or, in a full collection, `untrack_dicts`
    /// and the long-lived bookkeeping of §3.3).
    fn phase_untrack_survivors(&mut self, c: &mut Collection) {
        let g = c.generation;
        for &id in &c.young {
            if self.get(id).is_ok_and(|o| o.kind == Kind::Tuple) && self.tuple_may_untrack(id) {
                self.untrack(id);
            }
        }
        if g == 2 && !self.profile.dicts_always_tracked {
            for &id in &c.young {
                if self.get(id).is_ok_and(|o| o.kind == Kind::Dict) && self.dict_may_untrack(id) {
                    self.untrack(id);
                }
            }
        }
        let survivors: Vec<ObjId> = c.young.iter().copied().filter(|&id| self.has_flag(id, flags::TRACKED)).collect();
        for &id in &survivors {
            self.gc_list_push(id, c.dest);
        }
        match g {
            _ if self.profile.incremental_gc() => {}
            1 => self.gc.long_lived_pending += survivors.len() as u64,
            2 => {
                self.gc.long_lived_pending = 0;
                self.gc.long_lived_total = survivors.len() as u64;
            }
            _ => {}
        }
        c.phase = Phase::MoveLegacyFinalizers;
    }

    /// `_PyTuple_MaybeUntrack`: no item may be tracked.
    pub(crate) fn tuple_may_untrack(&self, id: ObjId) -> bool {
        self.objects[id.index as usize].refs.iter().all(|e| !self.may_be_tracked(e.target))
    }

    /// `_PyDict_MaybeUntrack`: no key or value may be tracked. A class's namespace keeps its entries as edges
    /// with no table block, so the edges decide, not the storage [obs 3.8-3.13: a class that survived a full
    /// collection is still 5 objects for the next one after `del`].
    pub(crate) fn dict_may_untrack(&self, id: ObjId) -> bool {
        self.objects[id.index as usize].refs.iter().all(|e| !self.may_be_tracked(e.target))
    }

    fn end_collection(&mut self, c: &Collection) {
        for &id in c.unreachable.iter().chain(&c.young) {
            self.set_flag(id, flags::COLLECTING, false);
        }
        let r = c.result();
        self.gc.last = Some(r);
        self.gc.collecting = false;
        let clamp = |n: u64| n.min(u64::from(u32::MAX)) as u32;
        self.sink.emit(Event::GcDone {
            generation: r.generation as u8,
            counted: c.counted,
            collected: clamp(r.collected),
            uncollectable: clamp(r.uncollectable),
            candidates: clamp(c.candidates),
        });
    }
}
