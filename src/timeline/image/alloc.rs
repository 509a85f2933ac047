//! The allocator of a replayed heap: arenas, pools with each block's state, and the raw allocator's blocks,
//! rebuilt from block, pool and arena events.

use crate::heap::ledger::{LedgerBuilder, PoolUse};
use crate::heap::profile::{POOL_OVERHEAD, Profile, class_size};
use crate::heap::{Addr, ArenaIndex};

/// Blocks a pool can hold at most: a 16 KiB pool of 16-byte blocks (`NUMBLOCKS(0)`), rounded to 64-bit words.
const MAX_BLOCK_WORDS: usize = 16;

/// A pool as the events left it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolRec {
    /// Its size class (`szidx`), or `None` while never initialised.
    pub class: Option<u8>,
    /// Blocks allocated (`ref.count`).
    pub nused: u16,
    /// Σ requested bytes of its allocated blocks.
    pub requested: u32,
    /// One bit per block: allocated or not.
    pub bits: [u64; MAX_BLOCK_WORDS],
}

impl PoolRec {
    const NEVER_USED: PoolRec = PoolRec { class: None, nused: 0, requested: 0, bits: [0; MAX_BLOCK_WORDS] };

    /// Whether block `i` is allocated.
    pub fn is_allocated(&self, i: usize) -> bool {
        self.bits.get(i / 64).is_some_and(|w| w & (1 << (i % 64)) != 0)
    }
}

/// An arena slot (`struct arena_object`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArenaRec {
    /// Its base address (0: not mapped).
    pub addr: Addr,
    /// The first pool-aligned address.
    pub first_pool: Addr,
    /// `ntotalpools`.
    pub pools: u8,
}

/// The allocator's state at one point of a recording.
#[derive(Clone, Debug)]
pub struct AllocImage {
    pool_size: u32,
    /// Pools a slot of `pools` reserves per arena (`MAX_POOLS_IN_ARENA`).
    pools_per_arena: u32,
    /// Arena slots by index.
    pub arenas: imbl::Vector<ArenaRec>,
    /// First pool address to arena index, to find a pool's arena.
    by_first_pool: imbl::OrdMap<Addr, ArenaIndex>,
    /// Pools by `arena * pools_per_arena + pool number`.
    pools: imbl::Vector<PoolRec>,
    /// The raw allocator's live blocks and their requested sizes.
    pub raw: imbl::OrdMap<Addr, u64>,
    /// Blocks the type free lists keep, with their requested sizes.
    pub kept: imbl::OrdMap<Addr, u32>,
    /// Arenas mapped since the start (`ntimes_arena_allocated`).
    pub arenas_allocated: u64,
    /// Arenas returned to the OS since the start.
    pub arenas_freed: u64,
    /// Most arenas mapped at once (`narenas_highwater`).
    pub arenas_highwater: u64,
    /// Arenas mapped now.
    pub arenas_current: u64,
    /// Bytes of allocated pymalloc blocks (size-class bytes).
    pub block_bytes: u64,
    /// Allocated pymalloc blocks.
    pub blocks: u64,
    /// Bytes of live raw blocks.
    pub raw_bytes: u64,
}

impl AllocImage {
    /// An allocator that has mapped nothing, with `profile`'s geometry.
    pub fn new(profile: &Profile) -> AllocImage {
        AllocImage {
            pool_size: profile.pool_size,
            pools_per_arena: profile.max_pools_in_arena(),
            arenas: imbl::Vector::new(),
            by_first_pool: imbl::OrdMap::new(),
            pools: imbl::Vector::new(),
            raw: imbl::OrdMap::new(),
            kept: imbl::OrdMap::new(),
            arenas_allocated: 0,
            arenas_freed: 0,
            arenas_highwater: 0,
            arenas_current: 0,
            block_bytes: 0,
            blocks: 0,
            raw_bytes: 0,
        }
    }

    /// `POOL_SIZE`.
    pub fn pool_size(&self) -> u32 {
        self.pool_size
    }

    /// Pool slots per arena (`MAX_POOLS_IN_ARENA`): a pool slot from [`AllocImage::locate`] modulo this is
    /// the pool's number in its arena.
    pub fn pools_per_arena(&self) -> u32 {
        self.pools_per_arena
    }

    /// Bytes the process holds from the OS: mapped arenas plus raw blocks.
    pub fn bytes_held(&self, arena_size: u32) -> u64 {
        self.arenas_current * u64::from(arena_size) + self.raw_bytes
    }

    /// Bytes in use: allocated pymalloc blocks plus raw blocks.
    pub fn bytes_in_use(&self) -> u64 {
        self.block_bytes + self.raw_bytes
    }

    /// `new_arena()`.
    pub fn arena_new(&mut self, index: ArenaIndex, addr: Addr, first_pool: Addr, pools: u8) {
        let i = index as usize;
        while self.arenas.len() <= i {
            self.arenas.push_back(ArenaRec { addr: 0, first_pool: 0, pools: 0 });
            for _ in 0..self.pools_per_arena {
                self.pools.push_back(PoolRec::NEVER_USED);
            }
        }
        self.arenas.set(i, ArenaRec { addr, first_pool, pools });
        let base = i * self.pools_per_arena as usize;
        for p in 0..self.pools_per_arena as usize {
            self.pools.set(base + p, PoolRec::NEVER_USED);
        }
        self.by_first_pool.insert(first_pool, index);
        self.arenas_allocated += 1;
        self.arenas_current += 1;
        self.arenas_highwater = self.arenas_highwater.max(self.arenas_current);
    }

    /// An arena went back to the OS.
    pub fn arena_free(&mut self, index: ArenaIndex) {
        if let Some(a) = self.arenas.get(index as usize).copied() {
            self.by_first_pool.remove(&a.first_pool);
            self.arenas.set(index as usize, ArenaRec { addr: 0, first_pool: 0, pools: 0 });
            self.arenas_freed += 1;
            self.arenas_current -= 1;
        }
    }

    /// The arena and pool slot holding `addr`, if it is inside a mapped arena's pools.
    pub fn locate(&self, addr: Addr) -> Option<(ArenaIndex, usize)> {
        let (&first, &arena) = self.by_first_pool.get_prev(&addr)?;
        let a = self.arenas.get(arena as usize)?;
        let pool = ((addr - first) / u64::from(self.pool_size)) as usize;
        (pool < usize::from(a.pools)).then(|| (arena, arena as usize * self.pools_per_arena as usize + pool))
    }

    /// Pool `pool` of arena `arena`.
    pub fn pool(&self, arena: ArenaIndex, pool: usize) -> Option<&PoolRec> {
        self.pools.get(arena as usize * self.pools_per_arena as usize + pool)
    }

    /// The address of pool `pool` of arena `arena`.
    pub fn pool_addr(&self, arena: ArenaIndex, pool: usize) -> Option<Addr> {
        let a = self.arenas.get(arena as usize)?;
        (a.addr != 0).then(|| a.first_pool + pool as u64 * u64::from(self.pool_size))
    }

    /// A pool was initialised for `class`.
    pub fn pool_init(&mut self, pool: Addr, class: u8) {
        if let Some((_, slot)) = self.locate(pool) {
            self.pools.set(slot, PoolRec { class: Some(class), nused: 0, requested: 0, bits: [0; MAX_BLOCK_WORDS] });
        }
    }

    /// A block was handed out (or, already allocated, resized in place).
    pub fn block_alloc(&mut self, addr: Addr, nbytes: u32, class: Option<u8>) {
        let Some(class) = class else {
            let old = self.raw.insert(addr, u64::from(nbytes)).unwrap_or(0);
            self.raw_bytes = self.raw_bytes - old + u64::from(nbytes);
            return;
        };
        let size = class_size(usize::from(class));
        if let Some((i, slot)) = self.block_index(addr, size)
            && let Some(p) = self.pools.get_mut(slot)
            && !p.is_allocated(i)
        {
            p.bits[i / 64] |= 1 << (i % 64);
            p.nused += 1;
            p.requested += nbytes;
            p.class = Some(class);
            self.blocks += 1;
            self.block_bytes += u64::from(size);
        }
    }

    /// A pool block was resized in place.
    pub fn block_resize(&mut self, addr: Addr, from: u32, to: u32) {
        if let Some((_, slot)) = self.locate(addr)
            && let Some(p) = self.pools.get_mut(slot)
        {
            p.requested = p.requested - from + to;
        }
    }

    /// A free list kept a block (`kept`) or gave one out.
    pub fn block_kept(&mut self, addr: Addr, nbytes: u32, kept: bool) {
        if kept {
            self.kept.insert(addr, nbytes);
        } else {
            self.kept.remove(&addr);
        }
    }

    /// A block of `nbytes` requested bytes was freed.
    pub fn block_free(&mut self, addr: Addr, nbytes: u32) {
        self.kept.remove(&addr);
        if let Some(n) = self.raw.remove(&addr) {
            self.raw_bytes -= n;
            return;
        }
        let Some((_, slot)) = self.locate(addr) else { return };
        let Some(size) = self.pools.get(slot).and_then(|p| p.class).map(|c| class_size(usize::from(c))) else {
            return;
        };
        if let Some((i, slot)) = self.block_index(addr, size)
            && let Some(p) = self.pools.get_mut(slot)
            && p.is_allocated(i)
        {
            p.bits[i / 64] &= !(1 << (i % 64));
            p.nused -= 1;
            p.requested -= nbytes;
            self.blocks -= 1;
            self.block_bytes -= u64::from(size);
        }
    }

    /// Feed the mapped arenas, their used pools and the raw blocks to the ledger, as
    /// `Obmalloc::census` does for the live allocator.
    pub fn census(&self, b: &mut LedgerBuilder) {
        let mut kept_in_pools: rustc_hash::FxHashMap<usize, (u32, u64)> = Default::default();
        for (&addr, &n) in &self.kept {
            if let Some((_, slot)) = self.locate(addr) {
                let e = kept_in_pools.entry(slot).or_default();
                e.0 += 1;
                e.1 += u64::from(n);
            }
        }
        let per = self.pools_per_arena as usize;
        for (a, ar) in self.arenas.iter().enumerate().filter(|(_, ar)| ar.addr != 0) {
            b.arena(a as ArenaIndex, u32::from(ar.pools), !ar.addr.is_multiple_of(u64::from(self.pool_size)));
            for slot in a * per..a * per + usize::from(ar.pools) {
                let Some(p) = self.pools.get(slot).filter(|p| p.nused > 0) else { continue };
                let Some(class) = p.class else { continue };
                let (kept, kept_requested) = kept_in_pools.get(&slot).copied().unwrap_or_default();
                b.pool(PoolUse {
                    block_size: class_size(usize::from(class)),
                    blocks: u32::from(p.nused),
                    requested: u64::from(p.requested),
                    kept,
                    kept_requested,
                });
            }
        }
        for (addr, &n) in &self.raw {
            b.raw(n, self.kept.contains_key(addr));
        }
    }

    /// The block number of `addr` in its pool (blocks start after the `POOL_OVERHEAD` header), and the pool
    /// slot.
    fn block_index(&self, addr: Addr, size: u32) -> Option<(usize, usize)> {
        let (_, slot) = self.locate(addr)?;
        let pool_start = addr & !(u64::from(self.pool_size) - 1);
        let off = (addr - pool_start).checked_sub(u64::from(POOL_OVERHEAD))?;
        Some(((off / u64::from(size)) as usize, slot))
    }
}
