//! A heap rebuilt from its events: what a viewer shows at one point of a recording.
//!
//! [`Image::apply`] folds one [`Event`] in. Every container is persistent (`imbl`), so cloning an image is
//! cheap and a clone shares storage with the original until either changes: checkpoints of a long recording
//! cost what changed between them, not the whole heap.

mod alloc;
mod gc;
mod objects;

pub use alloc::{AllocImage, ArenaRec, PoolRec};
pub use gc::{GcImage, LISTS, Running};
pub use objects::{EdgeList, Membership, ObjRec, oflags};

use crate::heap::gc::{CollectResult, GcList};
use crate::heap::profile::{Profile, PyVersion};
use crate::heap::{Cause, Edge, Event, ObjId};

/// A positional edge change announced by the event before it.
#[derive(Clone, Copy, Debug)]
enum Pending {
    /// The next edge of `owner` goes in at `index`.
    Insert(ObjId, usize),
    /// The next edge of `owner` replaces the target at `index`.
    Replace(ObjId, usize),
    /// The replacement happened: the old target's release that follows removes no edge.
    Replaced(ObjId),
}

/// The heap at one point of a recording.
#[derive(Clone, Debug)]
pub struct Image {
    /// The interpreter simulated.
    pub version: PyVersion,
    arena_size: u32,
    objects: imbl::Vector<ObjRec>,
    /// Each slot's generation list.
    lists: imbl::Vector<Membership>,
    /// The allocator.
    pub alloc: AllocImage,
    /// The collector.
    pub gc: GcImage,
    /// Weakref slot to its referent.
    weak_target: imbl::OrdMap<u32, ObjId>,
    pending: Option<Pending>,
    /// Live objects.
    pub live: u64,
}

impl Image {
    /// The empty heap of `profile`.
    pub fn new(profile: &Profile) -> Image {
        Image {
            version: profile.version,
            arena_size: profile.arena_size,
            objects: imbl::Vector::new(),
            lists: imbl::Vector::new(),
            alloc: AllocImage::new(profile),
            gc: GcImage::new(profile),
            weak_target: imbl::OrdMap::new(),
            pending: None,
            live: 0,
        }
    }

    /// `ARENA_SIZE`.
    pub fn arena_size(&self) -> u32 {
        self.arena_size
    }

    /// The live object `id` (not a stale id of a reused slot).
    pub fn get(&self, id: ObjId) -> Option<&ObjRec> {
        self.objects.get(id.index as usize).filter(|o| o.is_live() && o.slot_gen == id.generation)
    }

    fn get_mut(&mut self, id: ObjId) -> Option<&mut ObjRec> {
        self.objects.get_mut(id.index as usize).filter(|o| o.is_live() && o.slot_gen == id.generation)
    }

    /// The live object in `slot`, with its id.
    pub fn at_slot(&self, slot: u32) -> Option<(ObjId, &ObjRec)> {
        let o = self.objects.get(slot as usize).filter(|o| o.is_live())?;
        Some((ObjId { index: slot, generation: o.slot_gen }, o))
    }

    /// Every live object in slot order.
    pub fn live_objects(&self) -> impl Iterator<Item = (ObjId, &ObjRec)> + '_ {
        self.objects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_live())
            .map(|(i, o)| (ObjId { index: i as u32, generation: o.slot_gen }, o))
    }

    /// The generation list an object is in now (`None`: untracked, or taken out by the running collection).
    pub fn gc_list(&self, id: ObjId) -> Option<GcList> {
        self.get(id)?;
        let m = self.lists.get(id.index as usize)?;
        let l = m.list()?;
        (m.stamp() >= self.gc.taken[l as usize]).then_some(l)
    }

    /// The referent of a weakref, while it lives.
    pub fn weak_target(&self, weakref: ObjId) -> Option<ObjId> {
        self.weak_target.get(&weakref.index).copied().filter(|&t| self.get(t).is_some())
    }

    /// The memory ledger at this point, as `Heap::ledger` gives it for the live heap.
    pub fn ledger(&self) -> crate::heap::Ledger {
        let mut b = crate::heap::ledger::LedgerBuilder::new(
            self.arena_size,
            self.alloc.pool_size(),
            self.alloc.pools_per_arena(),
        );
        self.alloc.census(&mut b);
        let sparse = b.sparse_arenas(|a| self.alloc.arenas.get(a as usize).map_or(0, |r| r.addr));
        if !sparse.is_empty() {
            // Leaf by leaf: a million objects walked without a tree lookup each.
            let mut index = 0u32;
            for leaf in self.objects.leaves() {
                for o in leaf {
                    if o.is_live() {
                        for addr in [o.addr, o.storage] {
                            if let Some(pos) = sparse.find(addr) {
                                b.owner(pos, ObjId { index, generation: o.slot_gen });
                            }
                        }
                    }
                    index += 1;
                }
            }
        }
        b.finish()
    }

    /// Fold one event in.
    pub fn apply(&mut self, event: &Event) {
        match *event {
            Event::BlockAlloc { addr, nbytes, class } => self.alloc.block_alloc(addr, nbytes, class),
            Event::BlockFree { addr, nbytes } => self.alloc.block_free(addr, nbytes),
            Event::BlockResize { addr, from, to } => self.alloc.block_resize(addr, from, to),
            Event::BlockKept { addr, nbytes, kept } => self.alloc.block_kept(addr, nbytes, kept),
            Event::PoolInit { pool, class } => self.alloc.pool_init(pool, class),
            Event::PoolFull { .. } | Event::PoolUsed { .. } | Event::PoolEmpty { .. } => {}
            Event::ArenaNew { index, pools, addr, first_pool } => self.alloc.arena_new(index, addr, first_pool, pools),
            Event::ArenaFree { index, .. } => self.alloc.arena_free(index),
            Event::ObjAlloc { id, kind, addr } => {
                let rec = ObjRec::born(id, kind, addr);
                let i = id.index as usize;
                while self.objects.len() < i {
                    self.objects.push_back(ObjRec { flags: 0, ..ObjRec::born(id, kind, 0) });
                    self.lists.push_back(Membership::NONE);
                }
                if i == self.objects.len() {
                    self.objects.push_back(rec);
                    self.lists.push_back(Membership::NONE);
                } else {
                    self.objects.set(i, rec);
                }
                self.live += 1;
            }
            Event::ObjSize { id, size } => self.with(id, |o| o.size = size),
            Event::ObjStorage { id, addr } => self.with(id, |o| o.storage = addr),
            Event::ObjImmortal { id, refcnt } => self.with(id, |o| {
                o.refcnt = refcnt;
                o.flags |= oflags::IMMORTAL;
            }),
            Event::ObjStatic { id, refcnt, immortal } => self.with(id, |o| {
                o.refcnt = refcnt;
                o.flags |= oflags::STATIC | if immortal { oflags::IMMORTAL } else { 0 };
            }),
            Event::ObjFree { id } => {
                self.set_list(id, None);
                if let Some(o) = self.get_mut(id) {
                    o.flags = 0;
                    o.edges = EdgeList::Empty;
                    self.live -= 1;
                }
            }
            Event::IncRef { id, refcnt, cause } => {
                self.with(id, |o| {
                    o.refcnt = refcnt;
                    if cause == Cause::Root {
                        o.roots += 1;
                    }
                });
                if let Cause::Edge(from, label) = cause {
                    self.edge_added(from, Edge { target: id, label });
                }
            }
            Event::DecRef { id, refcnt, cause } => {
                self.with(id, |o| {
                    o.refcnt = refcnt;
                    if cause == Cause::Root {
                        o.roots = o.roots.saturating_sub(1);
                    }
                });
                match cause {
                    Cause::Edge(from, label) => self.edge_released(from, |e| e.target == id && e.label == label),
                    Cause::GcClear(from) | Cause::Dealloc(from) => self.edge_released(from, |e| e.target == id),
                    Cause::Root | Cause::Runtime => {}
                }
            }
            Event::EdgeInsert { owner, index } => self.pending = Some(Pending::Insert(owner, index as usize)),
            Event::EdgeReplace { owner, index } => self.pending = Some(Pending::Replace(owner, index as usize)),
            Event::EdgeDetach { owner, index } => self.with(owner, |o| o.edges.remove(index as usize)),
            Event::EdgeAttach { owner, edge } => self.with(owner, |o| o.edges.push(edge)),
            Event::EdgesRelabeled { owner, from } => self.with(owner, |o| o.edges.relabel(from)),
            Event::Track { id, tracked } => {
                self.with(id, |o| o.set(oflags::TRACKED, tracked));
                // `PyObject_GC_Track` appends to generation 0.
                self.set_list(id, tracked.then_some(GcList::Gen0));
            }
            Event::GcMove { id, list } => self.set_list(id, list),
            Event::GcTakeAll { list } => {
                self.gc.epoch += 1;
                self.gc.taken[list as usize] = self.gc.epoch;
                self.gc.list_len[list as usize] = 0;
            }
            Event::Finalize { id } => self.with(id, |o| o.flags |= oflags::FINALIZED),
            Event::WeakrefNew { weakref, target } => {
                self.weak_target.insert(weakref.index, target);
                self.with(target, |o| o.weakrefs = o.weakrefs.saturating_add(1));
            }
            Event::WeakrefCleared { weakref, .. } => {
                if let Some(target) = self.weak_target.remove(&weakref.index) {
                    self.with(target, |o| o.weakrefs = o.weakrefs.saturating_sub(1));
                }
            }
            Event::GcPhase { generation, phase } => {
                self.gc.running = Some(Running { generation, phase });
            }
            Event::GcRefs { id, refs } => {
                self.gc.gc_refs.insert(id.index, refs);
            }
            Event::GcUnreachable { id } => {
                self.gc.unreachable.insert(id.index);
            }
            Event::GcCounts { count } => self.gc.count = count,
            Event::GcDone { generation, counted, collected, uncollectable, candidates } => {
                let result = CollectResult {
                    generation: usize::from(generation),
                    collected: u64::from(collected),
                    uncollectable: u64::from(uncollectable),
                };
                self.gc.done(result, counted, u64::from(candidates));
            }
            Event::GcConfig { thresholds, enabled } => {
                self.gc.thresholds = thresholds;
                self.gc.enabled = enabled;
            }
            Event::GcGarbage { id, added } => {
                self.with(id, |o| o.set(oflags::GARBAGE, added));
                self.gc.garbage = if added { self.gc.garbage + 1 } else { self.gc.garbage.saturating_sub(1) };
            }
        }
    }

    /// Run `f` on a live object (nothing when `id` names none).
    fn with(&mut self, id: ObjId, f: impl FnOnce(&mut ObjRec)) {
        if let Some(o) = self.get_mut(id) {
            f(o);
        }
    }

    /// Move an object to list `to`, keeping the per-list counts.
    fn set_list(&mut self, id: ObjId, to: Option<GcList>) {
        if self.get(id).is_none() {
            return;
        }
        if let Some(l) = self.gc_list(id) {
            self.gc.list_len[l as usize] -= 1;
        }
        if let Some(l) = to {
            self.gc.list_len[l as usize] += 1;
        }
        self.lists.set(id.index as usize, Membership::new(to, self.gc.epoch));
    }

    /// An edge that takes a reference: appended, or placed as the event before announced.
    fn edge_added(&mut self, from: ObjId, edge: Edge) {
        match self.pending.take() {
            Some(Pending::Insert(owner, i)) if owner == from => self.with(from, |o| o.edges.insert(i, edge)),
            Some(Pending::Replace(owner, i)) if owner == from => {
                self.pending = Some(Pending::Replaced(from));
                self.with(from, |o| o.edges.set_target(i, edge.target))
            }
            _ => self.with(from, |o| o.edges.push(edge)),
        }
    }

    /// An edge's reference was released: the last edge `which` accepts goes, unless it was just replaced.
    fn edge_released(&mut self, from: ObjId, which: impl Fn(&Edge) -> bool) {
        if let Some(Pending::Replaced(owner)) = self.pending
            && owner == from
        {
            self.pending = None;
            return;
        }
        self.with(from, |o| {
            if let Some(i) = o.edges.rposition(&which) {
                o.edges.remove(i);
            }
        });
    }
}
