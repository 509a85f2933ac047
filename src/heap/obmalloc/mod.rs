//! pymalloc, as `Objects/obmalloc.c` does it: arenas, pools, size classes, and the raw allocator beside them.
//!
//! The control flow mirrors `pymalloc_alloc`, `allocate_from_new_pool`, `pymalloc_pool_extend`, `pymalloc_free`,
//! `insert_to_usedpool`, `insert_to_freepool` and `pymalloc_realloc` (§1.2-1.5 of the spec). Memory is not real:
//! blocks have simulated addresses, so a user can be pointed at one.

mod arena;
mod census;
mod pool;
mod stats;

pub use stats::{ClassStats, MallocStats, printone, thousands};

use super::events::{Event, EventSink};
use super::ids::{Addr, ArenaIndex};
use super::profile::{NB_SMALL_SIZE_CLASSES, POOL_OVERHEAD, Profile, class_size, size_class};
use arena::Arenas;
use pool::{DUMMY_SIZE_IDX, Pool, PoolKey, PoolLink};
use std::collections::BTreeMap;

/// Where simulated arenas are mapped: slot `i` at `ARENA_REGION + i * 2 * ARENA_SIZE` plus the profile's
/// misalignment (mmap gives page-aligned, not pool-aligned, addresses).
const ARENA_REGION: Addr = 0x7f00_0000_0000;
/// Where the raw allocator (libc malloc) hands out blocks.
const RAW_REGION: Addr = 0x5600_0000_0000;

/// Misuse of the allocator.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AllocError {
    /// The address was never handed out, or its arena was already released.
    #[error("free of {0:#x}, which is not an allocated block")]
    InvalidFree(Addr),
    /// The block is in a live pool but already free.
    #[error("double free of block {0:#x}")]
    DoubleFree(Addr),
    /// The configured simulated memory limit would be exceeded.
    #[error("MemoryError: allocating {requested} bytes would exceed the simulated limit of {limit} bytes")]
    OutOfMemory {
        /// Bytes the allocation needed from the OS.
        requested: u64,
        /// The configured limit.
        limit: u64,
    },
    /// `new_arena()` failed: the `uint maxarenas` doubling overflowed.
    #[error("MemoryError: the arena-object vector cannot grow any further")]
    ArenaVectorFull,
}

/// The simulated object allocator: pymalloc for requests of 1..=512 bytes, the raw allocator otherwise.
#[derive(Clone, Debug)]
pub struct Obmalloc {
    pool_size: u32,
    /// `POOL_BITS`: pools are aligned powers of two, so `POOL_ADDR` is a mask.
    pool_bits: u32,
    arena_size: u32,
    misalignment: u32,
    max_pools: u32,
    arenas: Arenas,
    /// `usedpools[2i]` / `usedpools[2i+1]`: the fake headers' `nextpool` and `prevpool`.
    usedpools: [(PoolLink, PoolLink); NB_SMALL_SIZE_CLASSES],
    /// Raw (libc) blocks: address to requested size.
    raw: BTreeMap<Addr, u64>,
    raw_next: Addr,
    raw_bytes: u64,
    /// `raw_allocated_blocks`-style counter of requests pymalloc declined (0 bytes or > 512).
    raw_allocations_total: u64,
    /// Blocks currently allocated per size class.
    blocks_in_use: [u64; NB_SMALL_SIZE_CLASSES],
    limit: Option<u64>,
}

impl Obmalloc {
    /// An empty allocator with the geometry of `profile`.
    pub fn new(profile: &Profile) -> Obmalloc {
        let max_pools = profile.max_pools_in_arena();
        let mut usedpools = [(PoolLink::Null, PoolLink::Null); NB_SMALL_SIZE_CLASSES];
        for (i, h) in usedpools.iter_mut().enumerate() {
            // An empty list is a header that points at itself.
            *h = (PoolLink::Header(i as u8), PoolLink::Header(i as u8));
        }
        Obmalloc {
            pool_size: profile.pool_size,
            pool_bits: profile.pool_size.trailing_zeros(),
            arena_size: profile.arena_size,
            misalignment: profile.arena_misalignment,
            max_pools,
            arenas: Arenas::new(max_pools, profile.keeps_free_arena),
            usedpools,
            raw: BTreeMap::new(),
            raw_next: RAW_REGION,
            raw_bytes: 0,
            raw_allocations_total: 0,
            blocks_in_use: [0; NB_SMALL_SIZE_CLASSES],
            limit: None,
        }
    }

    /// Cap the bytes held from the OS (arenas plus raw blocks); `None` removes the cap.
    pub fn set_limit(&mut self, limit: Option<u64>) {
        self.limit = limit;
    }

    /// `_PyObject_Malloc(nbytes)`: pymalloc for 1..=512 bytes, else the raw allocator.
    pub fn malloc<S: EventSink + ?Sized>(&mut self, nbytes: usize, sink: &mut S) -> Result<Addr, AllocError> {
        let Some(class) = size_class(nbytes) else {
            return self.raw_malloc(nbytes as u64, sink);
        };
        let size = class_size(class);
        let head = self.usedpools[class].0;
        let (key, off) = if let PoolLink::Pool(key) = head {
            // `pymalloc_alloc` fast path: a partially used pool exists.
            let pool = self.pool_mut(key);
            pool.count += 1;
            let (off, dry) = pool.pop_free();
            if dry && !pool.extend(size) {
                // "Pool is full, unlink from used pools."
                let (next, prev) = (pool.nextpool, pool.prevpool);
                self.set_prev(next, prev);
                self.set_next(prev, next);
                sink.emit(Event::PoolFull { pool: self.pool_addr(key) });
            }
            (key, off)
        } else {
            self.allocate_from_new_pool(class, sink)?
        };
        let pool = self.pool_mut(key);
        let was_live = pool.mark(off, size, true);
        debug_assert!(!was_live, "pymalloc handed out a live block");
        pool.set_requested(off, size, nbytes as u32);
        let addr = self.pool_addr(key) + u64::from(off);
        self.blocks_in_use[class] += 1;
        sink.emit(Event::BlockAlloc { addr, nbytes: nbytes as u32, class: Some(class as u8) });
        Ok(addr)
    }

    /// `allocate_from_new_pool(size)`: take a cached empty pool or carve a new one from the head of
    /// `usable_arenas` (mapping a new arena if the list is empty), front-link it, and hand out its first block.
    fn allocate_from_new_pool<S: EventSink + ?Sized>(
        &mut self,
        class: usize,
        sink: &mut S,
    ) -> Result<(PoolKey, u32), AllocError> {
        if self.arenas.usable.is_none() {
            if let Some(limit) = self.limit {
                let held = self.arenas.currently_allocated * u64::from(self.arena_size) + self.raw_bytes;
                if held + u64::from(self.arena_size) > limit {
                    return Err(AllocError::OutOfMemory { requested: u64::from(self.arena_size), limit });
                }
            }
            let (region, stride, mis) = (ARENA_REGION, 2 * u64::from(self.arena_size), u64::from(self.misalignment));
            let a = self
                .arenas
                .new_arena(|i| region + u64::from(i) * stride + mis, self.pool_size, self.max_pools)
                .ok_or(AllocError::ArenaVectorFull)?;
            self.arenas.usable = Some(a);
            let ao = &mut self.arenas.slots[a as usize];
            ao.nextarena = None;
            ao.prevarena = None;
            let nf = ao.nfreepools as usize;
            self.arenas.nfp2lasta[nf] = Some(a);
            let ao = &self.arenas.slots[a as usize];
            sink.emit(Event::ArenaNew {
                index: a,
                pools: ao.ntotalpools as u8,
                addr: ao.address,
                first_pool: ao.first_pool,
            });
        }
        let a = self.arenas.usable.expect("usable_arenas is non-empty here");
        self.arenas.take_pool_from_head();
        let ao = &mut self.arenas.slots[a as usize];
        let key = match ao.freepools {
            Some(p) => {
                // "Try to get a cached free pool": unlink from the arena's freepools.
                let next = ao.pools[p as usize].nextpool;
                ao.freepools = match next {
                    PoolLink::Pool(k) => Some(k.pool),
                    _ => None,
                };
                PoolKey { arena: a, pool: p }
            }
            None => {
                // "Carve off a new pool."
                ao.pools.push(Pool::carved());
                PoolKey { arena: a, pool: (ao.pools.len() - 1) as u8 }
            }
        };
        // Front-link into usedpools[class], which is empty.
        let header = PoolLink::Header(class as u8);
        self.usedpools[class] = (PoolLink::Pool(key), PoolLink::Pool(key));
        let pool_size = self.pool_size;
        let pool = self.pool_mut(key);
        pool.nextpool = header;
        pool.prevpool = header;
        pool.count = 1;
        let off = if pool.szidx == class as u16 {
            // "Luckily, this pool last contained blocks of the same size class, so its header and free list
            // are already initialized."
            pool.pop_free().0
        } else {
            let off = pool.init(class as u16, class_size(class), pool_size);
            sink.emit(Event::PoolInit { pool: self.pool_addr(key), class: class as u8 });
            off
        };
        Ok((key, off))
    }

    /// `_PyObject_Free(p)`: back to its pool (`pymalloc_free`) or to the raw allocator.
    pub fn free<S: EventSink + ?Sized>(&mut self, addr: Addr, sink: &mut S) -> Result<(), AllocError> {
        let Some((key, off)) = self.locate(addr) else {
            return self.raw_free(addr, sink);
        };
        let pool = self.pool_mut(key);
        let class = pool.szidx;
        if class == DUMMY_SIZE_IDX || pool.count == 0 {
            return Err(AllocError::InvalidFree(addr));
        }
        let size = class_size(class as usize);
        if !pool.is_allocated(off, size) {
            return Err(if off >= POOL_OVERHEAD && (off - POOL_OVERHEAD).is_multiple_of(size) {
                AllocError::DoubleFree(addr)
            } else {
                AllocError::InvalidFree(addr)
            });
        }
        pool.mark(off, size, false);
        let nbytes = pool.set_requested(off, size, 0);
        let was_full = pool.freeblock.is_empty();
        pool.freeblock.push(off as u16);
        pool.count -= 1;
        let now_empty = pool.count == 0;
        self.blocks_in_use[class as usize] -= 1;
        sink.emit(Event::BlockFree { addr, nbytes });
        let pool_addr = self.pool_addr(key);
        if was_full {
            // `insert_to_usedpool`: link at the front of usedpools[szidx] ("mimics LRU pool usage").
            let header = PoolLink::Header(class as u8);
            let first = self.usedpools[class as usize].0;
            let pool = self.pool_mut(key);
            pool.nextpool = first;
            pool.prevpool = header;
            self.set_prev(first, PoolLink::Pool(key));
            self.usedpools[class as usize].0 = PoolLink::Pool(key);
            sink.emit(Event::PoolUsed { pool: pool_addr });
        } else if now_empty {
            self.insert_to_freepool(key, sink);
            sink.emit(Event::PoolEmpty { pool: pool_addr });
        }
        Ok(())
    }

    /// `insert_to_freepool`: unlink the empty pool from usedpools, push it on its arena's `freepools`, and
    /// apply the arena-list rules (which may return the arena to the OS).
    fn insert_to_freepool<S: EventSink + ?Sized>(&mut self, key: PoolKey, sink: &mut S) {
        let pool = self.pool_mut(key);
        let (next, prev) = (pool.nextpool, pool.prevpool);
        self.set_prev(next, prev);
        self.set_next(prev, next);
        let ao = &mut self.arenas.slots[key.arena as usize];
        ao.pools[key.pool as usize].nextpool = match ao.freepools {
            Some(p) => PoolLink::Pool(PoolKey { arena: key.arena, pool: p }),
            None => PoolLink::Null,
        };
        ao.freepools = Some(key.pool);
        let addr = ao.address;
        if self.arenas.pool_freed(key.arena) {
            sink.emit(Event::ArenaFree { index: key.arena, addr });
        }
    }

    /// `pymalloc_realloc`: stay in place when `nbytes <= size && 4*nbytes > 3*size`; otherwise allocate, copy
    /// and free. Blocks outside pymalloc always go through `PyMem_RawRealloc`, even for small sizes.
    pub fn realloc<S: EventSink + ?Sized>(
        &mut self,
        addr: Addr,
        nbytes: usize,
        sink: &mut S,
    ) -> Result<Addr, AllocError> {
        match self.locate(addr) {
            Some((key, off)) => {
                let pool = self.pool_mut(key);
                let size = class_size(usize::from(pool.szidx));
                if !pool.is_allocated(off, size) {
                    return Err(AllocError::InvalidFree(addr));
                }
                let n = nbytes as u32;
                if n <= size && 4 * n > 3 * size {
                    let from = pool.set_requested(off, size, n);
                    sink.emit(Event::BlockResize { addr, from, to: n });
                    return Ok(addr);
                }
                let new = self.malloc(nbytes, sink)?;
                self.free(addr, sink)?;
                Ok(new)
            }
            None => {
                if !self.raw.contains_key(&addr) {
                    return Err(AllocError::InvalidFree(addr));
                }
                self.raw_free(addr, sink)?;
                self.raw_malloc(nbytes as u64, sink)
            }
        }
    }

    /// The usable size of a live block: its size class, or the raw request.
    pub fn block_size(&self, addr: Addr) -> Option<u64> {
        match self.locate(addr) {
            Some((key, off)) => {
                let pool = self.pool(key);
                let size = class_size(usize::from(pool.szidx));
                pool.is_allocated(off, size).then_some(u64::from(size))
            }
            None => self.raw.get(&addr).copied(),
        }
    }

    /// The size a live block was requested with (`None`: not an allocated block).
    pub fn requested(&self, addr: Addr) -> Option<u64> {
        match self.locate(addr) {
            Some((key, off)) => {
                let pool = self.pool(key);
                let size = class_size(usize::from(pool.szidx));
                pool.is_allocated(off, size).then(|| u64::from(pool.requested_at(off, size)))
            }
            None => self.raw.get(&addr).copied(),
        }
    }

    /// Whether `nbytes` more fit under the limit (a raw block's check, made before anything is built).
    pub fn room_for(&self, nbytes: u64) -> Result<(), AllocError> {
        if let Some(limit) = self.limit {
            let held = self.arenas.currently_allocated * u64::from(self.arena_size) + self.raw_bytes;
            if held.saturating_add(nbytes) > limit {
                return Err(AllocError::OutOfMemory { requested: nbytes, limit });
            }
        }
        Ok(())
    }

    fn raw_malloc<S: EventSink + ?Sized>(&mut self, nbytes: u64, sink: &mut S) -> Result<Addr, AllocError> {
        self.room_for(nbytes)?;
        let addr = self.raw_next;
        // glibc: a 16-byte chunk header and 16-byte alignment.
        self.raw_next += nbytes.max(1).div_ceil(16) * 16 + 16;
        self.raw.insert(addr, nbytes);
        self.raw_bytes += nbytes;
        self.raw_allocations_total += 1;
        sink.emit(Event::BlockAlloc { addr, nbytes: nbytes.min(u64::from(u32::MAX)) as u32, class: None });
        Ok(addr)
    }

    fn raw_free<S: EventSink + ?Sized>(&mut self, addr: Addr, sink: &mut S) -> Result<(), AllocError> {
        let n = self.raw.remove(&addr).ok_or(AllocError::InvalidFree(addr))?;
        self.raw_bytes -= n;
        sink.emit(Event::BlockFree { addr, nbytes: n.min(u64::from(u32::MAX)) as u32 });
        Ok(())
    }

    /// `address_in_range` plus `POOL_ADDR`: the pool and offset of an address inside a live arena's pools.
    fn locate(&self, addr: Addr) -> Option<(PoolKey, u32)> {
        // Arena slots are `2 * ARENA_SIZE` apart (a power of two): the slot is a shift away.
        let idx = addr.checked_sub(ARENA_REGION)? >> (self.arena_size.trailing_zeros() + 1);
        let ao = self.arenas.slots.get(idx as usize)?;
        if ao.address == 0 || addr < ao.first_pool {
            return None;
        }
        let rel = addr - ao.first_pool;
        let pool = rel >> self.pool_bits;
        if pool >= ao.pools.len() as u64 {
            return None;
        }
        let off = (rel & (u64::from(self.pool_size) - 1)) as u32;
        Some((PoolKey { arena: idx as u32, pool: pool as u8 }, off))
    }

    fn pool(&self, key: PoolKey) -> &Pool {
        &self.arenas.slots[key.arena as usize].pools[key.pool as usize]
    }

    fn pool_mut(&mut self, key: PoolKey) -> &mut Pool {
        &mut self.arenas.slots[key.arena as usize].pools[key.pool as usize]
    }

    fn pool_addr(&self, key: PoolKey) -> Addr {
        self.arenas.slots[key.arena as usize].first_pool + (u64::from(key.pool) << self.pool_bits)
    }

    fn set_next(&mut self, link: PoolLink, to: PoolLink) {
        match link {
            PoolLink::Header(i) => self.usedpools[i as usize].0 = to,
            PoolLink::Pool(k) => self.pool_mut(k).nextpool = to,
            PoolLink::Null => {}
        }
    }

    fn set_prev(&mut self, link: PoolLink, to: PoolLink) {
        match link {
            PoolLink::Header(i) => self.usedpools[i as usize].1 = to,
            PoolLink::Pool(k) => self.pool_mut(k).prevpool = to,
            PoolLink::Null => {}
        }
    }

    /// Every carved pool of every mapped arena, in arena then address order: `(arena, pool number, size class,
    /// blocks in use)`.
    pub fn pools(&self) -> Vec<(ArenaIndex, usize, u8, u32)> {
        let mut out = Vec::new();
        for (a, ao) in self.arenas.slots.iter().enumerate().filter(|(_, ao)| ao.address != 0) {
            for (p, pool) in ao.pools.iter().enumerate() {
                out.push((a as ArenaIndex, p, pool.szidx as u8, pool.count));
            }
        }
        out
    }

    /// The raw allocator's live blocks and their requested sizes, by address.
    pub fn raw_blocks(&self) -> impl Iterator<Item = (Addr, u64)> + '_ {
        self.raw.iter().map(|(&a, &n)| (a, n))
    }

    /// Arenas in `usable_arenas` order (most used first), for viewers and tests.
    pub fn usable_arenas(&self) -> Vec<ArenaIndex> {
        self.arenas.usable_order().collect()
    }

    /// Pool addresses in `usedpools[class]` order (the next allocation comes from the first).
    pub fn used_pools(&self, class: usize) -> Vec<Addr> {
        let mut out = Vec::new();
        let mut link = self.usedpools[class].0;
        while let PoolLink::Pool(k) = link {
            out.push(self.pool_addr(k));
            link = self.pool(k).nextpool;
        }
        out
    }
}

#[cfg(test)]
mod tests;
