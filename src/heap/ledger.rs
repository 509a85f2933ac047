//! The memory ledger: every byte the simulated allocator holds from the OS, split into parts that add up
//! exactly, and for each mapped arena the live blocks (and objects) that keep it mapped.
//!
//! The split follows the allocator's rules (`Objects/obmalloc.c`, §1.3-1.6 of the spec): an arena is
//! returned only when all its pools are empty (`insert_to_freepool` case 1), one wholly free arena is kept on
//! 3.9+ (bpo-37257), a used pool keeps its header (`POOL_OVERHEAD`), the tail too small for one block
//! (quantization) and its free blocks; an arena whose `mmap` base is not pool-aligned loses one pool
//! (`new_arena`). The same [`LedgerBuilder`] is fed by the live heap and by a replayed recording, so both
//! say the same thing.

use super::ids::{ArenaIndex, ObjId};

/// An arena with at most this many live blocks is *sparse*: its owners are listed, since freeing a handful
/// of objects would give it back. A denser arena gives its block count only (naming thousands helps nobody).
pub const SPARSE_BLOCKS: u64 = 64;

/// Bytes as reports print them: B, KiB, MiB.
pub fn human_bytes(b: u64) -> String {
    match b {
        0..1024 => format!("{b} B"),
        1024..1_048_576 => format!("{:.1} KiB", b as f64 / 1024.0),
        _ => format!("{:.1} MiB", b as f64 / 1_048_576.0),
    }
}

/// One part of the bytes held.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash)]
pub enum Part {
    /// Bytes live objects requested, in pymalloc blocks.
    Live,
    /// Size-class rounding inside those blocks (requested bytes rounded up to a multiple of 16).
    Rounding,
    /// Raw-allocator (libc) blocks of live objects: requests over 512 bytes, such as long lists' item arrays.
    Raw,
    /// Blocks the type free lists keep for reuse (dead floats, tuples, lists, dicts, small dict keys).
    FreeLists,
    /// Free blocks inside pools that still hold allocated blocks.
    FreeInPools,
    /// Empty or never-used pools in arenas that still hold used pools.
    EmptyPools,
    /// Wholly free arenas kept mapped (bpo-37257 keeps one from 3.9).
    FreeArenas,
    /// `POOL_OVERHEAD` (48 bytes) at the start of every used pool.
    PoolHeaders,
    /// The tail of every used pool too small for one more block: `(POOL_SIZE - 48) % size`.
    Quantization,
    /// One pool per arena whose `mmap` base is not pool-aligned (3.10+ arenas usually are not).
    ArenaAlignment,
}

impl Part {
    /// Every part, in the order reports list them.
    pub const ALL: [Part; 10] = [
        Part::Live,
        Part::Rounding,
        Part::Raw,
        Part::FreeLists,
        Part::FreeInPools,
        Part::EmptyPools,
        Part::FreeArenas,
        Part::PoolHeaders,
        Part::Quantization,
        Part::ArenaAlignment,
    ];

    /// The machine name (JSON).
    pub fn key(self) -> &'static str {
        match self {
            Part::Live => "live",
            Part::Rounding => "rounding",
            Part::Raw => "raw",
            Part::FreeLists => "free_lists",
            Part::FreeInPools => "free_in_pools",
            Part::EmptyPools => "empty_pools",
            Part::FreeArenas => "free_arenas",
            Part::PoolHeaders => "pool_headers",
            Part::Quantization => "quantization",
            Part::ArenaAlignment => "arena_alignment",
        }
    }

    /// The human name (reports and the TUI).
    pub fn label(self) -> &'static str {
        match self {
            Part::Live => "live",
            Part::Rounding => "rounding",
            Part::Raw => "raw blocks",
            Part::FreeLists => "free lists",
            Part::FreeInPools => "free in pools",
            Part::EmptyPools => "empty pools",
            Part::FreeArenas => "free arenas",
            Part::PoolHeaders => "pool headers",
            Part::Quantization => "quantization",
            Part::ArenaAlignment => "arena alignment",
        }
    }

    /// Whether the bytes belong to live objects (the rest is held but not in use by one).
    pub fn is_live(self) -> bool {
        matches!(self, Part::Live | Part::Rounding | Part::Raw)
    }
}

/// A mapped arena and what keeps it mapped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArenaUse {
    /// Its slot in the arena vector.
    pub arena: ArenaIndex,
    /// `ARENA_SIZE`: what the process holds for it.
    pub bytes: u64,
    /// Pools with at least one allocated block.
    pub used_pools: u32,
    /// Blocks of live objects in it.
    pub live_blocks: u64,
    /// Their size-class bytes.
    pub live_bytes: u64,
    /// Blocks a free list keeps in it (they pin it too, until a full collection empties the lists).
    pub kept_blocks: u64,
    /// For a sparse arena (at most [`SPARSE_BLOCKS`] live blocks), every object owning a live block in it, by
    /// id; `None` for a denser one.
    pub objects: Option<Vec<ObjId>>,
}

impl ArenaUse {
    /// Whether its owners are listed (see [`SPARSE_BLOCKS`]).
    pub fn is_sparse(&self) -> bool {
        self.live_blocks <= SPARSE_BLOCKS
    }
}

/// The ledger at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ledger {
    /// Bytes held from the OS: mapped arenas plus live raw blocks.
    pub held: u64,
    /// Bytes of each part, indexed like [`Part::ALL`]; they sum to `held`.
    pub parts: [u64; Part::ALL.len()],
    /// Every mapped arena, by slot.
    pub arenas: Vec<ArenaUse>,
    /// `ARENA_SIZE`.
    pub arena_size: u64,
    /// Arenas the allocated blocks would fill if every pool of their size class were full: what "held"
    /// could shrink to without fragmentation.
    pub arenas_needed: u64,
}

impl Ledger {
    /// The bytes of `part`.
    pub fn part(&self, part: Part) -> u64 {
        self.parts[Part::ALL.iter().position(|&p| p == part).unwrap_or(0)]
    }

    /// Parts with bytes in them, in report order.
    pub fn nonzero(&self) -> impl Iterator<Item = (Part, u64)> + '_ {
        Part::ALL.iter().copied().zip(self.parts).filter(|&(_, b)| b > 0)
    }

    /// Σ parts (equal to `held`; `Heap::check` asserts it).
    pub fn sum(&self) -> u64 {
        self.parts.iter().sum()
    }

    /// Mapped arenas holding live blocks, the sparsest first: the ones that freeing a few objects would give
    /// back.
    pub fn pinned(&self) -> Vec<&ArenaUse> {
        let mut v: Vec<&ArenaUse> = self.arenas.iter().filter(|a| a.live_blocks > 0).collect();
        v.sort_by_key(|a| (a.live_bytes, a.arena));
        v
    }

    /// Whether more arenas hold live blocks than those blocks need: the moment "pinned" matters. (The one
    /// wholly free arena 3.9+ keeps is not fragmentation; it is its own part.)
    pub fn fragmented(&self) -> bool {
        self.arenas.iter().filter(|a| a.used_pools > 0).count() as u64 > self.arenas_needed.max(1)
    }
}

/// Collects a ledger from an allocator walk: arenas in slot order, each followed by its used pools; raw
/// blocks; then the owners of live blocks.
#[derive(Debug)]
pub struct LedgerBuilder {
    pool_size: u64,
    pools_per_arena: u64,
    /// Allocated blocks per size class, for `arenas_needed`.
    blocks_by_class: [u64; super::profile::NB_SMALL_SIZE_CLASSES],
    ledger: Ledger,
    /// The arena being walked: its free pools and whether it is unaligned.
    current: Option<(u64, bool)>,
}

/// One used pool, as the walk reports it.
#[derive(Clone, Copy, Debug, Default)]
pub struct PoolUse {
    /// The size class's block size.
    pub block_size: u32,
    /// Allocated blocks (free-list blocks included).
    pub blocks: u32,
    /// Σ requested bytes of its allocated blocks.
    pub requested: u64,
    /// Of the allocated blocks, those a free list keeps.
    pub kept: u32,
    /// Their requested bytes.
    pub kept_requested: u64,
}

impl LedgerBuilder {
    /// Start a ledger for arenas of `arena_size` bytes with `pools_per_arena` pools of `pool_size`.
    pub fn new(arena_size: u32, pool_size: u32, pools_per_arena: u32) -> LedgerBuilder {
        LedgerBuilder {
            pool_size: u64::from(pool_size),
            pools_per_arena: u64::from(pools_per_arena),
            blocks_by_class: [0; super::profile::NB_SMALL_SIZE_CLASSES],
            ledger: Ledger {
                held: 0,
                parts: [0; Part::ALL.len()],
                arenas: Vec::new(),
                arena_size: u64::from(arena_size),
                arenas_needed: 0,
            },
            current: None,
        }
    }

    fn add(&mut self, part: Part, bytes: u64) {
        self.ledger.parts[Part::ALL.iter().position(|&p| p == part).unwrap_or(0)] += bytes;
    }

    /// A mapped arena with `total_pools` pools (`ntotalpools`), unaligned if its base is not pool-aligned.
    pub fn arena(&mut self, arena: ArenaIndex, total_pools: u32, unaligned: bool) {
        self.end_arena();
        self.ledger.held += self.ledger.arena_size;
        self.ledger.arenas.push(ArenaUse {
            arena,
            bytes: self.ledger.arena_size,
            used_pools: 0,
            live_blocks: 0,
            live_bytes: 0,
            kept_blocks: 0,
            objects: None,
        });
        self.current = Some((u64::from(total_pools), unaligned));
        // An unaligned arena has one pool fewer; "needed" assumes the worst, as new arenas would be.
        self.pools_per_arena = self.pools_per_arena.min(u64::from(total_pools));
    }

    /// A pool of the current arena with at least one allocated block.
    pub fn pool(&mut self, p: PoolUse) {
        let size = u64::from(p.block_size);
        let (blocks, kept) = (u64::from(p.blocks), u64::from(p.kept));
        self.add(Part::Live, p.requested - p.kept_requested);
        self.add(Part::Rounding, (blocks - kept) * size - (p.requested - p.kept_requested));
        self.add(Part::FreeLists, kept * size);
        let usable = self.pool_size - u64::from(super::profile::POOL_OVERHEAD);
        if let Some(n) = self.blocks_by_class.get_mut((p.block_size / super::profile::ALIGNMENT) as usize - 1) {
            *n += blocks;
        }
        self.add(Part::FreeInPools, (usable / size - blocks) * size);
        self.add(Part::PoolHeaders, u64::from(super::profile::POOL_OVERHEAD));
        self.add(Part::Quantization, usable % size);
        if let Some(a) = self.ledger.arenas.last_mut() {
            a.used_pools += 1;
            a.live_blocks += blocks - kept;
            a.live_bytes += (blocks - kept) * size;
            a.kept_blocks += kept;
        }
    }

    fn end_arena(&mut self) {
        let Some((total, unaligned)) = self.current.take() else { return };
        let Some(used) = self.ledger.arenas.last().map(|a| u64::from(a.used_pools)) else { return };
        if used == 0 {
            // Wholly free but kept mapped: the whole arena, alignment loss included.
            self.add(Part::FreeArenas, self.ledger.arena_size);
        } else {
            self.add(Part::EmptyPools, (total - used) * self.pool_size);
            if unaligned {
                self.add(Part::ArenaAlignment, self.pool_size);
            }
        }
    }

    /// A live raw block of `requested` bytes, `kept` if a free list holds it.
    pub fn raw(&mut self, requested: u64, kept: bool) {
        self.end_arena();
        self.ledger.held += requested;
        self.add(if kept { Part::FreeLists } else { Part::Raw }, requested);
    }

    /// Once the arenas are walked: the sparse arenas, whose owners are then reported with
    /// [`LedgerBuilder::owner`]. `base` gives an arena slot's base address. Empty when no arena is sparse
    /// (no owner walk is needed).
    pub fn sparse_arenas(&mut self, base: impl Fn(ArenaIndex) -> u64) -> SparseArenas {
        self.end_arena();
        let size = self.ledger.arena_size;
        let (mut spans, mut slots) = (Vec::new(), Vec::new());
        for (pos, a) in self.ledger.arenas.iter_mut().enumerate().filter(|(_, a)| a.is_sparse()) {
            a.objects = Some(Vec::new());
            spans.push((base(a.arena), pos as u32));
            slots.push((a.arena, pos as u32));
        }
        spans.sort_unstable();
        let lo = spans.first().map_or(0, |s| s.0);
        let hi = spans.last().map_or(0, |s| s.0 + size);
        SparseArenas { spans, slots, lo, hi, size }
    }

    /// Object `id` owns a live block in the sparse arena at walk position `pos` (from
    /// [`SparseArenas::find`]).
    pub fn owner(&mut self, pos: u32, id: ObjId) {
        if let Some(list) = self.ledger.arenas.get_mut(pos as usize).and_then(|a| a.objects.as_mut()) {
            list.push(id);
        }
    }

    /// The finished ledger (each sparse arena's owners in id order, once each).
    pub fn finish(mut self) -> Ledger {
        for list in self.ledger.arenas.iter_mut().filter_map(|a| a.objects.as_mut()) {
            list.sort_unstable_by_key(|id| id.index);
            list.dedup();
        }
        self.end_arena();
        let usable = self.pool_size - u64::from(super::profile::POOL_OVERHEAD);
        let pools: u64 = (self.blocks_by_class.iter().enumerate())
            .map(|(c, &n)| n.div_ceil(usable / u64::from(super::profile::class_size(c))))
            .sum();
        self.ledger.arenas_needed = pools.div_ceil(self.pools_per_arena.max(1));
        self.ledger
    }
}

/// The address spans of the sparse arenas, for the owner walk: a million objects are each checked against
/// them, so a miss outside all of them costs two compares.
#[derive(Debug)]
pub struct SparseArenas {
    /// (base address, walk position), by address.
    spans: Vec<(u64, u32)>,
    /// (arena slot, walk position), in walk order.
    slots: Vec<(ArenaIndex, u32)>,
    lo: u64,
    hi: u64,
    size: u64,
}

impl SparseArenas {
    /// Whether there is no sparse arena (and so no owner to look for).
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Each sparse arena's slot and walk position.
    pub fn arenas(&self) -> impl Iterator<Item = (ArenaIndex, u32)> + '_ {
        self.slots.iter().copied()
    }

    /// The walk position of the sparse arena holding `addr`.
    pub fn find(&self, addr: u64) -> Option<u32> {
        if addr < self.lo || addr >= self.hi {
            return None;
        }
        let i = self.spans.partition_point(|&(base, _)| base <= addr).checked_sub(1)?;
        let (base, pos) = self.spans[i];
        (addr - base < self.size).then_some(pos)
    }
}

impl super::Heap {
    /// The memory ledger now: what the allocator holds, part by part, and which objects keep each arena.
    pub fn ledger(&self) -> Ledger {
        let p = &self.profile;
        let mut b = LedgerBuilder::new(p.arena_size, p.pool_size, p.max_pools_in_arena());
        self.alloc.census(&mut b, self.free_lists.held());
        let sparse = b.sparse_arenas(|a| self.alloc.arena_base(a));
        // A sparse arena's few blocks name their owners (checked: the object is live and still has it).
        for (arena, pos) in sparse.arenas() {
            for (addr, index) in self.alloc.owned_blocks(arena) {
                if let Some(o) = self.objects.get(index as usize)
                    && o.live
                    && (o.block == addr || o.extra == addr)
                {
                    b.owner(pos, ObjId { index, generation: o.slot_gen });
                }
            }
        }
        b.finish()
    }
}
