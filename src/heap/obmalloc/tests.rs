//! Unit tests for pymalloc's rules (§1.2-1.5), one rule per test.

use super::*;
use crate::heap::events::{NullSink, VecSink};
use crate::heap::profile::{Profile, PyVersion};

fn alloc(v: PyVersion) -> Obmalloc {
    Obmalloc::new(&Profile::for_version(v))
}

fn malloc(a: &mut Obmalloc, n: usize) -> Addr {
    a.malloc(n, &mut NullSink).expect("malloc")
}

fn free(a: &mut Obmalloc, p: Addr) {
    a.free(p, &mut NullSink).expect("free")
}

#[test]
fn first_block_follows_the_pool_header_and_blocks_are_bumped() {
    let mut a = alloc(PyVersion::V3_13);
    let p1 = malloc(&mut a, 1);
    let p2 = malloc(&mut a, 16);
    let p3 = malloc(&mut a, 9);
    assert_eq!(p1 % 16384, 48, "first block sits right after POOL_OVERHEAD");
    assert_eq!((p2 - p1, p3 - p2), (16, 16));
    assert_eq!(a.block_size(p1), Some(16));
}

#[test]
fn freed_blocks_are_reused_last_in_first_out() {
    let mut a = alloc(PyVersion::V3_13);
    let [x, y, _z] = [0; 3].map(|_| malloc(&mut a, 32));
    free(&mut a, x);
    free(&mut a, y);
    assert_eq!(malloc(&mut a, 32), y);
    assert_eq!(malloc(&mut a, 32), x);
}

#[test]
fn requests_outside_1_to_512_go_to_the_raw_allocator() {
    let mut a = alloc(PyVersion::V3_13);
    let big = malloc(&mut a, 513);
    let zero = malloc(&mut a, 0);
    let small = malloc(&mut a, 512);
    let s = a.stats();
    assert_eq!((s.raw_blocks, s.raw_bytes), (2, 513));
    assert_eq!(a.block_size(big), Some(513));
    assert_eq!(a.block_size(zero), Some(0));
    assert_eq!(a.block_size(small), Some(512));
    assert_eq!(s.arenas_current, 1);
}

#[test]
fn arenas_hold_63_pools_on_3_10_plus_and_64_on_3_8() {
    // §1.4: mmap's 4 KiB alignment costs one 16 KiB pool per arena from 3.10; 3.8 pools are pages.
    for (v, pools) in [(PyVersion::V3_8, 64), (PyVersion::V3_13, 63)] {
        let mut a = alloc(v);
        let p = Profile::for_version(v);
        // One 512-byte block per pool would take many; fill pools of class 31 completely.
        let per_pool = p.blocks_per_pool(31) as usize;
        for _ in 0..pools * per_pool {
            malloc(&mut a, 512);
        }
        assert_eq!(a.stats().arenas_current, 1, "{v}: {pools} pools fit in the first arena");
        malloc(&mut a, 512);
        assert_eq!(a.stats().arenas_current, 2, "{v}: the next pool needs a second arena");
    }
}

#[test]
fn a_full_pool_leaves_usedpools_and_returns_to_the_front() {
    let mut a = alloc(PyVersion::V3_13);
    let n = Profile::for_version(PyVersion::V3_13).blocks_per_pool(31) as usize;
    let first: Vec<Addr> = (0..n).map(|_| malloc(&mut a, 500)).collect();
    assert!(a.used_pools(31).is_empty(), "a full pool is in no list");
    let second = malloc(&mut a, 500);
    let pool_of = |p: Addr| p - p % 16384;
    assert_eq!(a.used_pools(31), vec![pool_of(second)]);
    free(&mut a, first[3]);
    assert_eq!(a.used_pools(31), vec![pool_of(first[0]), pool_of(second)], "front-linked (insert_to_usedpool)");
    assert_eq!(malloc(&mut a, 500), first[3], "the next allocation comes from the front pool");
}

#[test]
fn an_empty_pool_is_reused_without_reinit_for_the_same_class_and_reinit_for_another() {
    let mut a = alloc(PyVersion::V3_13);
    let keep = malloc(&mut a, 64); // class 3, pool A stays in use
    let b1 = malloc(&mut a, 16); // class 0, pool B
    let b2 = malloc(&mut a, 16);
    free(&mut a, b1);
    free(&mut a, b2); // pool B empty -> arena freepools
    let mut sink = VecSink::default();
    let again = a.malloc(16, &mut sink).unwrap();
    assert_eq!(again, b2, "same class: the cached free list is kept (LIFO head b2)");
    assert!(!sink.events.iter().any(|e| matches!(e, Event::PoolInit { .. })), "no re-initialisation");
    free(&mut a, again);
    let other = a.malloc(48, &mut sink).unwrap();
    assert_eq!(other % 16384, 48, "another class re-initialises the pool from its start");
    assert!(sink.events.iter().any(|e| matches!(e, Event::PoolInit { class: 2, .. })));
    let _ = keep;
}

#[test]
fn usable_arenas_stay_sorted_so_allocation_comes_from_the_fullest() {
    let mut a = alloc(PyVersion::V3_8);
    let per_pool = 7; // 512-byte blocks in a 4 KiB pool
    // Fill three arenas completely (64 pools each), one block per class-31 slot.
    let blocks: Vec<Addr> = (0..3 * 64 * per_pool).map(|_| malloc(&mut a, 512)).collect();
    assert_eq!(a.stats().arenas_current, 3);
    let arena_of = |p: Addr| (p - ARENA_REGION) / (2 * 256 * 1024);
    // Free 5 whole pools in arena 0 and 2 in arena 1.
    for (arena, pools) in [(0u64, 5usize), (1, 2)] {
        let start = arena as usize * 64 * per_pool;
        for b in &blocks[start..start + pools * per_pool] {
            free(&mut a, *b);
        }
    }
    let order: Vec<u64> = a.usable_arenas().into_iter().map(u64::from).collect();
    assert_eq!(order, vec![1, 0], "ascending by free pools: arena 1 (2 free) before arena 0 (5 free)");
    let fresh = malloc(&mut a, 16);
    assert_eq!(arena_of(fresh), 1, "a new pool is carved from the most-used arena");
}

#[test]
fn a_wholly_free_arena_is_returned_except_the_last_one_from_3_9() {
    for (v, kept) in [(PyVersion::V3_8, 0), (PyVersion::V3_9, 1), (PyVersion::V3_13, 1)] {
        let mut a = alloc(v);
        let p = Profile::for_version(v);
        let per_arena = (p.max_pools_in_arena() - u32::from(p.arena_misalignment != 0)) * p.blocks_per_pool(31);
        let blocks: Vec<Addr> = (0..3 * per_arena).map(|_| malloc(&mut a, 512)).collect();
        assert_eq!(a.stats().arenas_current, 3);
        for b in blocks {
            free(&mut a, b);
        }
        let s = a.stats();
        assert_eq!(s.arenas_current, kept, "{v}: one wholly free arena is kept from 3.9 (bpo-37257)");
        assert_eq!((s.arenas_allocated_total, s.arenas_highwater), (3, 3));
    }
}

#[test]
fn the_arena_vector_starts_at_16_and_doubles() {
    let mut a = alloc(PyVersion::V3_8);
    let per_arena = 64 * 7;
    for _ in 0..17 * per_arena {
        malloc(&mut a, 512);
    }
    assert_eq!(a.arenas.slots.len(), 32, "the 17th arena doubles the vector from 16");
    assert_eq!(a.stats().arenas_current, 17);
}

#[test]
fn realloc_stays_in_place_only_when_shrinking_by_less_than_a_quarter() {
    // (old request, new request, in place?) for pymalloc_realloc's `nbytes <= size && 4*nbytes > 3*size`.
    for (old, new, in_place) in
        [(64, 64, true), (64, 49, true), (64, 48, false), (64, 65, false), (32, 25, true), (32, 24, false)]
    {
        let mut a = alloc(PyVersion::V3_13);
        let p = malloc(&mut a, old);
        let q = a.realloc(p, new, &mut NullSink).unwrap();
        assert_eq!(q == p, in_place, "realloc {old} -> {new}");
        assert_eq!(a.block_size(q), Some(new.div_ceil(16) as u64 * 16));
        a.check_blocks(1);
    }
}

#[test]
fn raw_blocks_stay_raw_on_realloc_even_when_small() {
    let mut a = alloc(PyVersion::V3_13);
    let p = malloc(&mut a, 600);
    let q = a.realloc(p, 8, &mut NullSink).unwrap();
    assert_eq!(a.stats().raw_blocks, 1);
    assert_eq!(a.block_size(q), Some(8), "PyMem_RawRealloc keeps it outside pymalloc");
}

#[test]
fn bad_frees_are_errors_not_corruption() {
    let mut a = alloc(PyVersion::V3_13);
    let p = malloc(&mut a, 40);
    let _keep = malloc(&mut a, 40);
    free(&mut a, p);
    assert_eq!(a.free(p, &mut NullSink), Err(AllocError::DoubleFree(p)));
    assert_eq!(a.free(p + 3, &mut NullSink), Err(AllocError::InvalidFree(p + 3)));
    assert_eq!(a.free(0x1234, &mut NullSink), Err(AllocError::InvalidFree(0x1234)));
}

#[test]
fn the_memory_limit_raises_memory_error() {
    let mut a = alloc(PyVersion::V3_13);
    a.set_limit(Some(1 << 20));
    malloc(&mut a, 16);
    assert!(matches!(a.malloc(4096, &mut NullSink), Err(AllocError::OutOfMemory { .. })));
    let per_arena = 63 * 31;
    let r: Result<Vec<Addr>, _> = (0..per_arena).map(|_| a.malloc(512, &mut NullSink)).collect();
    assert!(matches!(r, Err(AllocError::OutOfMemory { .. })), "the second arena is over the limit");
}

impl Obmalloc {
    /// Test helper: the incremental and walked block counts agree and equal `n` pymalloc blocks.
    fn check_blocks(&self, n: u64) {
        let walked: u64 = self.stats().classes.iter().map(|c| c.blocks).sum();
        let counted: u64 = (0..32).map(|c| self.blocks_in_use(c)).sum();
        assert_eq!((walked, counted), (n, n));
    }
}
