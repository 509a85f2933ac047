//! Pools: one size class each, blocks handed out from a LIFO `freeblock` list and a `nextoffset` bump pointer.

use crate::heap::profile::POOL_OVERHEAD;

/// `DUMMY_SIZE_IDX`: the size index of a freshly carved pool that was never initialised
/// (`Objects/obmalloc.c`).
pub(crate) const DUMMY_SIZE_IDX: u16 = 0xffff;

/// A link in the `usedpools` / `freepools` lists: a pool key, or the fake header of a size class.
///
/// `usedpools[2i]` in CPython is a fake `pool_header` whose `nextpool`/`prevpool` make each class's list
/// circular; `PoolLink::Header(i)` plays that role.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum PoolLink {
    /// The list head of size class `i`.
    Header(u8),
    /// A real pool.
    Pool(PoolKey),
    /// Not linked (`NULL`).
    Null,
}

/// A pool's place: arena slot and pool number within the arena's pool-aligned area.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) struct PoolKey {
    pub arena: u32,
    pub pool: u8,
}

/// `struct pool_header` (`Objects/obmalloc.c`), with the freeblock list kept as a stack of block offsets.
#[derive(Clone, Debug)]
pub(crate) struct Pool {
    /// `ref.count`: blocks currently allocated.
    pub count: u32,
    /// `szidx`: the size class, or [`DUMMY_SIZE_IDX`].
    pub szidx: u16,
    /// `nextoffset`: bytes from the pool start to the next never-used block.
    pub nextoffset: u32,
    /// `maxnextoffset`: the largest valid `nextoffset`.
    pub maxnextoffset: u32,
    /// `freeblock`: the LIFO list of free blocks, head last; empty means the pool is full (`freeblock == NULL`).
    pub freeblock: Vec<u16>,
    /// `nextpool` (also the `freepools` link).
    pub nextpool: PoolLink,
    /// `prevpool`.
    pub prevpool: PoolLink,
    /// One bit per block: allocated or not. Not in CPython; it lets the simulator reject a double free.
    pub allocated: Vec<u64>,
    /// Each allocated block's requested size (0 when free). Not in CPython either: tracemalloc knows it, and
    /// the memory ledger needs it to tell an object's bytes from the size-class rounding around them.
    pub requested: Vec<u16>,
    /// Σ `requested`: kept so the ledger costs a visit per pool, not per block.
    pub requested_total: u32,
    /// Each block's last owner: the slot index of the object whose block or storage it became (stale once
    /// freed; readers check the object still has it). Lets the ledger name a sparse arena's objects from
    /// its blocks instead of a walk over every object.
    pub owners: Vec<u32>,
}

impl Pool {
    /// A freshly carved pool (`pool->szidx = DUMMY_SIZE_IDX`).
    pub fn carved() -> Pool {
        Pool {
            count: 0,
            szidx: DUMMY_SIZE_IDX,
            nextoffset: 0,
            maxnextoffset: 0,
            freeblock: Vec::new(),
            nextpool: PoolLink::Null,
            prevpool: PoolLink::Null,
            allocated: Vec::new(),
            requested: Vec::new(),
            requested_total: 0,
            owners: Vec::new(),
        }
    }

    /// Initialise for class `szidx` of `size` bytes and return the first block's offset: the second block goes on
    /// the free list and `nextoffset` points past it, so only two blocks are touched
    /// (`allocate_from_new_pool`).
    pub fn init(&mut self, szidx: u16, size: u32, pool_size: u32) -> u32 {
        self.szidx = szidx;
        self.nextoffset = POOL_OVERHEAD + 2 * size;
        self.maxnextoffset = pool_size - size;
        self.freeblock.clear();
        self.freeblock.push((POOL_OVERHEAD + size) as u16);
        let nblocks = ((pool_size - POOL_OVERHEAD) / size) as usize;
        self.allocated.clear();
        self.allocated.resize(nblocks.div_ceil(64), 0);
        self.requested.clear();
        self.requested.resize(nblocks, 0);
        self.requested_total = 0;
        self.owners.clear();
        self.owners.resize(nblocks, u32::MAX);
        POOL_OVERHEAD
    }

    /// Pop the head of `freeblock`. Returns the block offset and whether the list ran dry.
    pub fn pop_free(&mut self) -> (u32, bool) {
        let off = self.freeblock.pop().map_or(0, u32::from);
        (off, self.freeblock.is_empty())
    }

    /// `pymalloc_pool_extend`: bump `nextoffset` if a never-used block remains. Returns false when full.
    pub fn extend(&mut self, size: u32) -> bool {
        if self.nextoffset <= self.maxnextoffset {
            self.freeblock.push(self.nextoffset as u16);
            self.nextoffset += size;
            true
        } else {
            false
        }
    }

    /// Mark block `off` allocated (`set == true`) or free; returns the previous state.
    pub fn mark(&mut self, off: u32, size: u32, set: bool) -> bool {
        let i = ((off - POOL_OVERHEAD) / size) as usize;
        let (word, bit) = (i / 64, 1u64 << (i % 64));
        let was = self.allocated[word] & bit != 0;
        if set {
            self.allocated[word] |= bit;
        } else {
            self.allocated[word] &= !bit;
        }
        was
    }

    /// Record that block `off` is now requested at `nbytes` (0: freed), returning what it was.
    pub fn set_requested(&mut self, off: u32, size: u32, nbytes: u32) -> u32 {
        let slot = &mut self.requested[((off - POOL_OVERHEAD) / size) as usize];
        let was = u32::from(*slot);
        // Pool blocks are at most `SMALL_REQUEST_THRESHOLD` (512) bytes, so the request fits in 16 bits.
        *slot = nbytes as u16;
        self.requested_total = self.requested_total - was + nbytes;
        was
    }

    /// The requested size of the allocated block at `off`.
    pub fn requested_at(&self, off: u32, size: u32) -> u32 {
        u32::from(self.requested[((off - POOL_OVERHEAD) / size) as usize])
    }

    /// Whether `off` is the start of a block that is currently allocated.
    pub fn is_allocated(&self, off: u32, size: u32) -> bool {
        if self.szidx == DUMMY_SIZE_IDX || off < POOL_OVERHEAD || !(off - POOL_OVERHEAD).is_multiple_of(size) {
            return false;
        }
        let i = ((off - POOL_OVERHEAD) / size) as usize;
        self.allocated.get(i / 64).is_some_and(|w| w & (1u64 << (i % 64)) != 0)
    }
}
