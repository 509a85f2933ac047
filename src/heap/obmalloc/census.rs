//! The allocator's half of the memory ledger: one walk over the mapped arenas and their used pools, the way
//! `_PyObject_DebugMallocStats` walks them, reporting to a [`LedgerBuilder`].

use super::Obmalloc;
use super::pool::DUMMY_SIZE_IDX;
use crate::heap::ids::{Addr, ArenaIndex};
use crate::heap::ledger::{LedgerBuilder, PoolUse};
use crate::heap::profile::{POOL_OVERHEAD, class_size};
use rustc_hash::{FxHashMap, FxHashSet};

/// The index of the block at offset `off` of a pool in use.
fn block_index(pool: &super::pool::Pool, off: u32) -> Option<usize> {
    (pool.szidx != DUMMY_SIZE_IDX && off >= POOL_OVERHEAD)
        .then(|| ((off - POOL_OVERHEAD) / class_size(usize::from(pool.szidx))) as usize)
}

impl Obmalloc {
    /// Feed every mapped arena, its used pools and the raw blocks to `b`; `kept` are the blocks the type free
    /// lists hold (allocated, but no live object's).
    pub fn census(&self, b: &mut LedgerBuilder, kept: impl Iterator<Item = Addr>) {
        let mut kept_in_pools: FxHashMap<(u32, u8), (u32, u64)> = FxHashMap::default();
        let mut kept_raw: FxHashSet<Addr> = FxHashSet::default();
        for addr in kept {
            match self.locate(addr) {
                Some((key, off)) => {
                    let pool = self.pool(key);
                    let n = pool.requested_at(off, class_size(usize::from(pool.szidx)));
                    let e = kept_in_pools.entry((key.arena, key.pool)).or_default();
                    e.0 += 1;
                    e.1 += u64::from(n);
                }
                None => {
                    kept_raw.insert(addr);
                }
            }
        }
        for (a, ao) in self.arenas.slots.iter().enumerate().filter(|(_, ao)| ao.address != 0) {
            let unaligned = !ao.address.is_multiple_of(u64::from(self.pool_size));
            b.arena(a as ArenaIndex, ao.ntotalpools, unaligned);
            for (p, pool) in ao.pools.iter().enumerate().filter(|(_, p)| p.count != 0 && p.szidx != DUMMY_SIZE_IDX) {
                let (kept, kept_requested) = kept_in_pools.get(&(a as u32, p as u8)).copied().unwrap_or_default();
                b.pool(PoolUse {
                    block_size: class_size(usize::from(pool.szidx)),
                    blocks: pool.count,
                    requested: u64::from(pool.requested_total),
                    kept,
                    kept_requested,
                });
            }
        }
        for (&addr, &n) in &self.raw {
            b.raw(n, kept_raw.contains(&addr));
        }
    }

    /// A pool whose running total of requested bytes is not the sum over its blocks, described.
    pub fn check_requested(&self) -> Option<String> {
        for ao in self.arenas.slots.iter().filter(|ao| ao.address != 0) {
            for pool in ao.pools.iter().filter(|p| p.szidx != DUMMY_SIZE_IDX) {
                let sum: u32 = pool.requested.iter().map(|&n| u32::from(n)).sum();
                if sum != pool.requested_total {
                    return Some(format!(
                        "pool at {:#x}: requested {} but blocks sum to {sum}",
                        ao.address, pool.requested_total
                    ));
                }
            }
        }
        None
    }

    /// The arena slot holding a pymalloc block (`None` for raw blocks).
    pub fn arena_of(&self, addr: Addr) -> Option<ArenaIndex> {
        self.locate(addr).map(|(key, _)| key.arena)
    }

    /// Note that the pymalloc block at `addr` (if it is one) now belongs to the object in slot `owner`.
    pub fn set_owner(&mut self, addr: Addr, owner: u32) {
        if let Some((key, off)) = self.locate(addr) {
            let pool = self.pool_mut(key);
            if let Some(slot) = block_index(pool, off).and_then(|i| pool.owners.get_mut(i)) {
                *slot = owner;
            }
        }
    }

    /// The last owner noted for the pymalloc block at `addr`.
    pub fn owner_of(&self, addr: Addr) -> Option<u32> {
        let (key, off) = self.locate(addr)?;
        let pool = self.pool(key);
        pool.owners.get(block_index(pool, off)?).copied().filter(|&o| o != u32::MAX)
    }

    /// The allocated blocks of arena slot `arena` with their last owners (see `Pool::owners`), by address.
    pub fn owned_blocks(&self, arena: ArenaIndex) -> impl Iterator<Item = (Addr, u32)> + '_ {
        let ao = self.arenas.slots.get(arena as usize).filter(|ao| ao.address != 0);
        let pools = ao.into_iter().flat_map(|ao| ao.pools.iter().enumerate().map(move |(p, pool)| (ao, p, pool)));
        pools.filter(|(_, _, pool)| pool.count != 0 && pool.szidx != DUMMY_SIZE_IDX).flat_map(move |(ao, p, pool)| {
            let size = class_size(usize::from(pool.szidx));
            let base = ao.first_pool + p as u64 * u64::from(self.pool_size) + u64::from(POOL_OVERHEAD);
            (pool.requested.iter().zip(&pool.owners).enumerate())
                .filter(|(_, (n, owner))| **n > 0 && **owner != u32::MAX)
                .map(move |(i, (_, &owner))| (base + i as u64 * u64::from(size), owner))
        })
    }

    /// The base address of arena slot `arena` (0 if not mapped).
    pub fn arena_base(&self, arena: ArenaIndex) -> Addr {
        self.arenas.slots.get(arena as usize).map_or(0, |ao| ao.address)
    }
}
