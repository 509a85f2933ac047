//! `Heap::check`: the invariants every state must satisfy. Tests call it after every operation.

use super::core::Heap;
use super::ids::{Addr, ObjId};
use super::profile::NB_SMALL_SIZE_CLASSES;
use std::collections::HashSet;

/// A broken invariant, described for a human.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("heap invariant broken: {0}")]
pub struct CheckError(pub String);

impl Heap {
    /// Verify that tracked objects (and only they) sit in a GC generation list; and, for every live object, that `refcnt == incoming heap edges + root references` (plus the
    /// interpreter's own references on static singletons; immortal ones are exempt), that no edge leads to a
    /// freed object, that weakref tables agree, and that the allocator's accounting adds up: every block an
    /// object or free list holds is allocated, and nothing else is.
    pub fn check(&self) -> Result<(), CheckError> {
        let fail = |m: String| Err(CheckError(m));
        let mut incoming = vec![0u64; self.objects.len()];
        for id in self.object_ids() {
            for e in &self.objects[id.index as usize].refs {
                if self.get(e.target).is_err() {
                    return fail(format!("{id} has an edge {:?} to freed {}", e.label, e.target));
                }
                incoming[e.target.index as usize] += 1;
            }
        }
        let mut blocks: HashSet<Addr> = HashSet::new();
        for id in self.object_ids() {
            let o = &self.objects[id.index as usize];
            let listed = self.gc.lists.list_of(id.index);
            if self.gc.collection.is_none() && o.is_tracked() != listed.is_some() {
                return fail(format!("{id} is tracked={} but in GC list {listed:?}", o.is_tracked()));
            }
            if !o.is_immortal() {
                let want = incoming[id.index as usize] + u64::from(o.roots) + u64::from(self.statics.base_refs(id));
                if u64::from(o.refcnt) != want && !self.is_dealloc_pending(id) {
                    return fail(format!(
                        "{id} ({}) has refcnt {} but {} incoming edges + {} roots + {} static",
                        o.kind.type_name(),
                        o.refcnt,
                        incoming[id.index as usize],
                        o.roots,
                        self.statics.base_refs(id)
                    ));
                }
            }
            if !o.is_static() {
                for a in [o.block, o.extra].into_iter().filter(|&a| a != 0) {
                    if self.alloc.block_size(a).is_none() {
                        return fail(format!("{id} owns block {a:#x}, which is not allocated"));
                    }
                    if !blocks.insert(a) {
                        return fail(format!("block {a:#x} is owned twice (again by {id})"));
                    }
                }
            }
        }
        for a in self.free_lists.held() {
            if self.alloc.block_size(a).is_none() || !blocks.insert(a) {
                return fail(format!("free-list block {a:#x} is not allocated or also owned by an object"));
            }
        }
        let stats = self.alloc.stats();
        let in_pools: u64 = (0..NB_SMALL_SIZE_CLASSES).map(|c| stats.classes[c].blocks).sum();
        let incremental: u64 = (0..NB_SMALL_SIZE_CLASSES).map(|c| self.alloc.blocks_in_use(c)).sum();
        if in_pools != incremental {
            return fail(format!("pools hold {in_pools} blocks but the allocator counted {incremental}"));
        }
        if in_pools + stats.raw_blocks != blocks.len() as u64 {
            return fail(format!(
                "allocator has {} pymalloc + {} raw blocks live, objects and free lists own {}",
                in_pools,
                stats.raw_blocks,
                blocks.len()
            ));
        }
        for (w, target) in &self.weak_target {
            let listed = self.weakrefs_to.get(&target.index).is_some_and(|l| l.iter().any(|x| x.index == *w));
            if !listed || self.get(*target).is_err() {
                return fail(format!("weakref #{w} points at {target}, which is dead or does not list it"));
            }
        }
        self.check_ledger(&stats)?;
        self.check_key_indexes().map_err(CheckError)
    }

    /// The ledger's parts add up to what the allocator holds, each live block counted once, and each
    /// pool's running total of requested bytes agrees with its blocks'.
    fn check_ledger(&self, stats: &super::obmalloc::MallocStats) -> Result<(), CheckError> {
        if let Some(e) = self.alloc.check_requested() {
            return Err(CheckError(e));
        }
        let ledger = self.ledger();
        let held = stats.arena_bytes() + stats.raw_bytes;
        if ledger.held != held || ledger.sum() != held {
            return Err(CheckError(format!(
                "ledger holds {} in parts summing to {} but the allocator holds {held} ({:?})",
                ledger.held,
                ledger.sum(),
                ledger.parts
            )));
        }
        let live_blocks: u64 = ledger.arenas.iter().map(|a| a.live_blocks).sum();
        let kept = self.free_lists.held().filter(|&a| self.alloc.arena_of(a).is_some()).count() as u64;
        let in_pools: u64 = stats.classes.iter().map(|c| c.blocks).sum();
        if live_blocks + kept != in_pools {
            return Err(CheckError(format!("ledger has {live_blocks} live + {kept} kept blocks, pools {in_pools}")));
        }
        // Every live object's pymalloc blocks name it as their owner (what the ledger's owner lists rest on).
        for id in self.object_ids() {
            let o = &self.objects[id.index as usize];
            for addr in [o.block, o.extra].into_iter().filter(|&a| self.alloc.arena_of(a).is_some()) {
                if self.alloc.owner_of(addr) != Some(id.index) {
                    return Err(CheckError(format!(
                        "block {addr:#x} of {id} names {:?} as owner",
                        self.alloc.owner_of(addr)
                    )));
                }
            }
        }
        Ok(())
    }

    fn is_dealloc_pending(&self, id: ObjId) -> bool {
        self.objects[id.index as usize].flags & super::object::flags::DYING != 0
    }
}
