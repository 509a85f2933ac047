//! The incremental collector of CPython 3.14.0-3.14.4 (`Python/gc.c`, §3.7): a young generation and two old
//! spaces, one "visited" and one "pending"; each automatic collection is an increment sized by `work_to_do`.
//! 3.14.1-3.14.4 (checked on Pyodide's 3.14.2) count tracked objects and size increments as PR #140447 left
//! them; 3.14.0 (from its source) counts allocations, caps the heap fraction at 1.5x the new objects, never
//! returns early and refills `work_to_do` after each increment (`Profile::incremental`).
//!
//! Departures, by necessity: the global roots CPython marks (`mark_global_roots`: `sys`, builtins, static
//! types) and the frames it scans (`mark_stacks`) are, in the simulator, every object a root reference holds;
//! later increments rescan them all instead of only frames not visited yet.

use super::GcList;
use super::collect::Collection;
use crate::heap::core::Heap;
use crate::heap::ids::ObjId;
use crate::heap::object::{Kind, flags};
use crate::heap::profile::IncrementRules;

/// `SCAN_RATE_DIVISOR` (`Python/gc.c`).
const SCAN_RATE_DIVISOR: i64 = 10;

/// The incremental state of `struct _gc_runtime_state` (3.14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Incremental {
    /// `visited_space`: which old space (0 or 1) holds the objects visited this scavenge.
    pub visited: usize,
    /// `phase == GC_PHASE_MARK`: the next increment only marks from the roots.
    pub marking: bool,
    /// `work_to_do`, initially -5000 (`pycore_runtime_init.h`).
    pub work_to_do: i64,
    /// `heap_size`: tracked objects (3.14.1+).
    pub heap_size: i64,
}

impl Default for Incremental {
    fn default() -> Self {
        Incremental { visited: 0, marking: true, work_to_do: -5000, heap_size: 0 }
    }
}

/// `old[i]`: the simulator keeps old space 0 in the generation-1 list and old space 1 in the generation-2 list.
pub(crate) fn old_space(i: usize) -> GcList {
    if i == 0 { GcList::Gen1 } else { GcList::Gen2 }
}

impl Heap {
    pub(crate) fn visited_space(&self) -> GcList {
        old_space(self.gc.incremental.visited)
    }

    fn pending_space(&self) -> GcList {
        old_space(self.gc.incremental.visited ^ 1)
    }

    /// 3.14.1+ `_PyObject_GC_TRACK`: `young.count++`, `heap_size++`, and `_Py_TriggerGC` past the threshold.
    pub(crate) fn incremental_tracked(&mut self) {
        self.gc.count[0] += 1;
        self.gc.incremental.heap_size += 1;
        let (g, t) = (&self.gc, self.gc.thresholds[0]);
        if g.count[0] > t && g.enabled && t != 0 && !g.collecting {
            self.gc.scheduled = true;
        }
    }

    /// 3.14.1+ `_PyObject_GC_UNTRACK`: `young.count--` if positive, `heap_size--`.
    pub(crate) fn incremental_untracked(&mut self) {
        self.gc.count[0] = self.gc.count[0].saturating_sub(1);
        self.gc.incremental.heap_size -= 1;
    }

    /// `gc.get_count()` on 3.14: `(young.count, old[visited].count, old[visited ^ 1].count)`.
    pub(crate) fn incremental_counts(&self) -> [u32; 3] {
        let v = self.gc.incremental.visited;
        [self.gc.count[0], self.gc.count[1 + v], self.gc.count[1 + (v ^ 1)]]
    }

    fn rules(&self) -> IncrementRules {
        self.profile.incremental.expect("only the incremental collector runs increments")
    }

    /// `heap_size / SCAN_RATE_DIVISOR / scale_factor`, the scale being `max(old[0].threshold, 2)`.
    fn heap_share(&self) -> i64 {
        let scale = i64::from(self.gc.thresholds[1].max(2));
        self.gc.incremental.heap_size / SCAN_RATE_DIVISOR / scale
    }

    /// `assess_work_to_do`: the young objects plus a share of the heap, capped at 1.5x (3.14.0) or 2x (3.14.1+)
    /// the young count.
    fn assess_work_to_do(&mut self) -> i64 {
        let young = i64::from(self.gc.count[0]);
        let heap_fraction = self.heap_share().min(young * self.rules().cap_halves / 2);
        self.gc.count[0] = 0;
        young + heap_fraction
    }

    /// `untrack_tuples(young)`.
    fn untrack_young_tuples(&mut self) {
        for slot in self.gc.lists.slots(GcList::Gen0) {
            let o = &self.objects[slot as usize];
            if o.kind == Kind::Tuple && o.refs.iter().all(|e| !self.may_be_tracked(e.target)) {
                let id = ObjId { index: slot, generation: o.slot_gen };
                self.untrack(id);
            }
        }
    }

    /// Pick the candidates of a 3.14 collection of `generation` (0: young; 1: an increment; 2: full) and
    /// where survivors go. Returns false when there is nothing to collect: the increment only marked, or had no
    /// work to do; it then reports 0.
    pub(crate) fn incremental_start(&mut self, c: &mut Collection) -> bool {
        let visited = self.visited_space();
        c.dest = visited;
        match c.generation {
            0 => {
                // `gc_collect_young`.
                self.untrack_young_tuples();
                c.young = self.take_candidates(GcList::Gen0);
                self.gc.count[0] = 0;
                self.gc.count[1 + self.gc.incremental.visited] += 1;
            }
            1 => {
                // `gc_collect_increment`.
                self.gc.incremental.work_to_do += self.assess_work_to_do();
                if self.rules().early_return && self.gc.incremental.work_to_do < 0 {
                    return false;
                }
                self.untrack_young_tuples();
                let marked = self.mark_from_roots() as i64;
                self.gc.incremental.work_to_do -= marked;
                if std::mem::take(&mut self.gc.incremental.marking) {
                    // `mark_at_start` subtracts the marked objects and its caller does again (issue #141890,
                    // never fixed in 3.14.0-3.14.4).
                    self.gc.incremental.work_to_do -= marked;
                    return false;
                }
                let mut increment = self.take_candidates(GcList::Gen0);
                let pending = self.pending_space();
                while (increment.len() as i64) < self.gc.incremental.work_to_do {
                    let Some(&head) = self.gc.lists.slots(pending).first() else { break };
                    self.gc_list_move(head, None);
                    let start = increment.len();
                    increment.push(self.id_of(head));
                    self.expand_transitively(&mut increment, start);
                }
                c.increment_size = increment.len() as u64;
                c.young = increment;
            }
            _ => {
                // `gc_collect_full`: young into pending, pending into visited, collected in place.
                self.untrack_young_tuples();
                let mut all = self.take_candidates(visited);
                all.extend(self.take_candidates(self.pending_space()));
                all.extend(self.take_candidates(GcList::Gen0));
                c.young = all;
                self.gc.count = [0; 3];
            }
        }
        for &id in &c.young {
            self.objects[id.index as usize].flags |= flags::COLLECTING;
        }
        true
    }

    fn id_of(&self, slot: u32) -> ObjId {
        ObjId { index: slot, generation: self.objects[slot as usize].slot_gen }
    }

    fn take_candidates(&mut self, list: GcList) -> Vec<ObjId> {
        self.gc_list_take_all(list).into_iter().map(|s| self.id_of(s)).collect()
    }

    /// `expand_region_transitively_reachable`: pull into the increment every not-yet-visited tracked object
    /// reachable from `increment[start..]`.
    fn expand_transitively(&mut self, increment: &mut Vec<ObjId>, start: usize) {
        let visited = self.visited_space();
        let mut i = start;
        let mut buf = Vec::new();
        while i < increment.len() {
            let _ = self.traverse_into(increment[i], &mut buf);
            for &r in &buf {
                let o = &self.objects[r.index as usize];
                let listed = self.gc.lists.list_of(r.index);
                if o.is_tracked()
                    && !o.is_immortal()
                    && listed.is_some()
                    && listed != Some(visited)
                    && listed != Some(GcList::Permanent)
                {
                    self.gc_list_move(r.index, None);
                    increment.push(r);
                }
            }
            i += 1;
        }
    }

    /// `mark_global_roots` + `mark_stacks`: every tracked object reachable from a root reference moves to the
    /// visited space. Returns how many moved.
    fn mark_from_roots(&mut self) -> usize {
        let visited = self.visited_space();
        let mut stack: Vec<ObjId> = self.object_ids().filter(|&id| self.objects[id.index as usize].roots > 0).collect();
        let mut seen = rustc_hash::FxHashSet::default();
        let mut moved = 0;
        let mut buf = Vec::new();
        while let Some(id) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let listed = self.gc.lists.list_of(id.index);
            if listed.is_some() && listed != Some(visited) && listed != Some(GcList::Permanent) {
                self.gc_list_move(id.index, Some(visited));
                moved += 1;
            }
            let _ = self.traverse_into(id, &mut buf);
            stack.extend(buf.iter().copied());
        }
        moved
    }

    /// After an increment or a full collection: `work_to_do` accounting and `completed_scavenge`.
    pub(crate) fn incremental_finish(&mut self, c: &Collection) {
        match c.generation {
            1 => {
                if self.rules().refill_after_increment {
                    self.gc.incremental.work_to_do += self.heap_share();
                }
                self.gc.incremental.work_to_do -= c.increment_size as i64;
                if self.gc.lists.len(self.pending_space()) == 0 {
                    self.completed_scavenge();
                }
            }
            2 => self.completed_scavenge(),
            _ => {}
        }
    }

    /// `completed_scavenge`: the visited space becomes the pending one (or, with frozen objects, the visited
    /// objects go back to pending), and the next increment starts by marking.
    fn completed_scavenge(&mut self) {
        if self.gc.lists.len(GcList::Permanent) == 0 {
            self.gc.incremental.visited ^= 1;
        } else {
            self.gc_list_merge(self.visited_space(), self.pending_space());
        }
        self.gc.incremental.work_to_do = 0;
        self.gc.incremental.marking = true;
    }
}
