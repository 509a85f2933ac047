//! The garbage side of a collection: legacy finalizers, weakrefs, `__del__`, resurrection and
//! `delete_garbage` (§3.4 steps 7-12). `collect.rs` drives these phases.

use super::collect::{Collection, Phase};
use super::{DEBUG_COLLECTABLE, DEBUG_SAVEALL};
use crate::heap::core::Heap;
use crate::heap::dealloc::Call;
use crate::heap::events::{Cause, Event, EventSink};
use crate::heap::ids::ObjId;
use crate::heap::object::{Kind, flags};
use crate::heap::profile::PyVersion;

impl Heap {
    /// `has_legacy_finalizer`: the class has a `tp_del`.
    pub(crate) fn has_legacy_finalizer(&self, id: ObjId) -> bool {
        self.has_flag(id, flags::LEGACY_FINALIZER)
    }

    pub(crate) fn phase_legacy_finalizers(&mut self, c: &mut Collection) {
        let (fin, rest): (Vec<ObjId>, Vec<ObjId>) =
            c.unreachable.iter().copied().partition(|&id| self.has_legacy_finalizer(id));
        for &f in &fin {
            self.set_flag(f, flags::COLLECTING, false);
        }
        c.finalizers = fin;
        let mut i = 0;
        while i < c.finalizers.len() {
            for r in self.traverse(c.finalizers[i]).unwrap_or_default() {
                if self.has_flag(r, flags::COLLECTING) {
                    self.set_flag(r, flags::COLLECTING, false);
                    c.finalizers.push(r);
                }
            }
            i += 1;
        }
        c.unreachable = rest.into_iter().filter(|&id| self.has_flag(id, flags::COLLECTING)).collect();
        if self.gc.debug & DEBUG_COLLECTABLE != 0 {
            for &id in &c.unreachable {
                self.debug_cycle("collectable", id);
            }
        }
        c.phase = Phase::HandleWeakrefs;
    }

    /// Clear every weakref to the garbage (and weakrefs that are garbage themselves); queue the callbacks of
    /// weakrefs outside the garbage, then call them one by one.
    pub(crate) fn phase_weakrefs(&mut self, c: &mut Collection) {
        if c.cursor == 0 && c.wrcb.is_empty() {
            // 3.15 (`handle_weakref_callbacks`) clears only the weakrefs with callbacks here; the rest wait for
            // `clear_weakrefs` after the finalizers (gh-135552).
            let late = self.profile.weakrefs_cleared_after_finalizers;
            for id in c.unreachable.clone() {
                if !late && self.get(id).is_ok_and(|o| o.kind == Kind::WeakRef) {
                    self.clear_weakref(id);
                }
                if !self.has_flag(id, flags::WEAKLY_REFERENCED) {
                    continue;
                }
                let mut refs = self.weakrefs_to.remove(&id.index).unwrap_or_default();
                if late {
                    let (now, later): (Vec<ObjId>, Vec<ObjId>) =
                        refs.into_iter().partition(|&w| self.callback_edge(w).is_some());
                    refs = now;
                    if !later.is_empty() {
                        self.weakrefs_to.insert(id.index, later);
                    }
                }
                self.set_flag(id, flags::WEAKLY_REFERENCED, self.weakrefs_to.contains_key(&id.index));
                for w in refs {
                    // Reported just below, with whether the callback is due.
                    self.weak_target.remove(&w.index);
                    let callback = self.callback_edge(w).map(|i| self.objects[w.index as usize].refs[i].target);
                    self.sink.emit(Event::WeakrefCleared { weakref: w, callback: callback.is_some() });
                    if let Some(cb) = callback.filter(|_| !self.has_flag(w, flags::COLLECTING)) {
                        let _ = self.incref(w, Cause::Runtime);
                        self.gc_list_move(w.index, None);
                        c.wrcb.push((w, cb));
                    }
                }
            }
        }
        match c.wrcb.get(c.cursor) {
            Some(&(weakref, callback)) => c.pending = Some((Call::WeakrefCallback { weakref, callback }, false)),
            None => {
                c.cursor = 0;
                c.wrcb.clear();
                c.phase = Phase::FinalizeGarbage;
            }
        }
    }

    /// `finalize_garbage`: call `__del__` on each object not yet finalized.
    pub(crate) fn phase_finalize(&mut self, c: &mut Collection) {
        while let Some(&id) = c.unreachable.get(c.cursor) {
            if self.is_live(id) && self.needs_finalizer(id) {
                self.set_flag(id, flags::FINALIZED, true);
                let _ = self.incref(id, Cause::Runtime);
                self.sink.emit(Event::Finalize { id });
                c.pending = Some((Call::Del(id), false));
                return;
            }
            c.cursor += 1;
        }
        c.cursor = 0;
        c.phase = Phase::HandleResurrected;
    }

    /// 3.9+: recompute reachability inside the garbage; what a finalizer resurrected survives, the rest is
    /// final. 3.8 (`check_garbage`): any resurrection keeps the whole set alive this time.
    pub(crate) fn phase_resurrected(&mut self, c: &mut Collection) {
        let alive: Vec<ObjId> = c.unreachable.iter().copied().filter(|&id| self.is_live(id)).collect();
        let old = c.dest;
        c.young = alive;
        self.update_refs(c, true);
        let set = c.young.clone();
        self.subtract_refs(c, &set);
        let final_set = if self.profile.version == PyVersion::V3_8 {
            if set.iter().any(|id| c.gc_refs[id.index as usize] != 0) {
                for &id in &set {
                    self.set_flag(id, flags::COLLECTING, false);
                    self.gc_list_push(id, old);
                }
                Vec::new()
            } else {
                set
            }
        } else {
            let (resurrected, still) = self.move_unreachable(c, set);
            for &id in &resurrected {
                self.gc_list_push(id, old);
            }
            still
        };
        if self.profile.weakrefs_cleared_after_finalizers {
            self.clear_weakrefs_of(&final_set);
        }
        c.young.clear();
        c.collected += final_set.len() as u64;
        c.unreachable = final_set;
        c.cursor = 0;
        c.phase = Phase::DeleteGarbage;
    }

    /// 3.15 `clear_weakrefs(final_unreachable)`: the weakref objects in the garbage, then every weakref still
    /// pointing into it, are cleared before `tp_clear` could expose them.
    fn clear_weakrefs_of(&mut self, garbage: &[ObjId]) {
        for &id in garbage {
            if self.get(id).is_ok_and(|o| o.kind == Kind::WeakRef) {
                self.clear_weakref(id);
            }
            // Only weakrefs without callbacks are left: there is nothing to call.
            let calls = self.clear_weakrefs_to(id);
            debug_assert!(calls.is_empty(), "callbacks were handled before the finalizers");
            self.set_flag(id, flags::WEAKLY_REFERENCED, false);
        }
    }

    /// `delete_garbage`: break the cycles with `tp_clear` (or keep everything in `gc.garbage` with
    /// `DEBUG_SAVEALL`); whatever still lives afterwards moves to the older generation.
    pub(crate) fn phase_delete(&mut self, c: &mut Collection) {
        let save_all = self.gc.debug & DEBUG_SAVEALL != 0;
        let old = c.dest;
        while let Some(&id) = c.unreachable.get(c.cursor) {
            c.cursor += 1;
            if !self.is_live(id) {
                continue;
            }
            if save_all {
                self.garbage_append(id);
            } else {
                let _ = self.incref(id, Cause::Runtime);
                let _ = self.tp_clear(id);
                let _ = self.decref(id, Cause::Runtime);
            }
            if self.is_live(id) {
                self.set_flag(id, flags::COLLECTING, false);
                self.gc_list_push(id, old);
            }
            if !self.dealloc_idle() {
                return;
            }
        }
        c.cursor = 0;
        c.phase = Phase::HandleLegacyFinalizers;
    }

    /// `debug_cycle`: `gc: <msg> <<type> <address>>`.
    pub(crate) fn debug_cycle(&mut self, msg: &str, id: ObjId) {
        let (name, addr) = (self.type_name(id).unwrap_or_default(), self.objects[id.index as usize].address());
        self.gc.messages.push(format!("gc: {msg} <{name} {addr:#x}>"));
    }

    /// Append to `gc.garbage`, which holds a reference.
    pub(crate) fn garbage_append(&mut self, id: ObjId) {
        if self.inc_root(id).is_ok() {
            self.gc.garbage.push(id);
            self.sink.emit(Event::GcGarbage { id, added: true });
        }
    }
}
