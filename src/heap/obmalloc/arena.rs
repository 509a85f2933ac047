//! Arena objects and the `usable_arenas` list, kept sorted by free pools with `nfp2lasta` (bpo-37029).

use super::pool::Pool;
use crate::heap::ids::Addr;

/// `struct arena_object` (`Objects/obmalloc.c`).
#[derive(Clone, Debug, Default)]
pub(crate) struct ArenaObject {
    /// `address`: the mmap'd base, or 0 when the slot is unassociated (on `unused_arena_objects`).
    pub address: Addr,
    /// The first pool-aligned address in the arena.
    pub first_pool: Addr,
    /// `nfreepools`: empty cached pools plus never-carved pools.
    pub nfreepools: u32,
    /// `ntotalpools`: pools that fit after alignment (64, or 63 when mmap's base is not pool-aligned).
    pub ntotalpools: u32,
    /// `freepools`: singly-linked LIFO of empty pools, by pool number.
    pub freepools: Option<u8>,
    /// `nextarena` (in `usable_arenas`, or in `unused_arena_objects` when unassociated).
    pub nextarena: Option<u32>,
    /// `prevarena` (only in `usable_arenas`).
    pub prevarena: Option<u32>,
    /// The carved pools; `pools.len()` plays `pool_address` (the bump pointer for carving).
    pub pools: Vec<Pool>,
}

/// The arena bookkeeping of `Objects/obmalloc.c`: the arena-object vector and its three lists.
#[derive(Clone, Debug)]
pub(crate) struct Arenas {
    /// `arenas[]`, `maxarenas == slots.len()`.
    pub slots: Vec<ArenaObject>,
    /// `unused_arena_objects`.
    pub unused: Option<u32>,
    /// `usable_arenas`: sorted ascending by `nfreepools`.
    pub usable: Option<u32>,
    /// `nfp2lasta[nfp]`: the rightmost arena in `usable_arenas` with `nfp` free pools.
    pub nfp2lasta: Vec<Option<u32>>,
    /// `narenas_currently_allocated`.
    pub currently_allocated: u64,
    /// `ntimes_arena_allocated`.
    pub times_allocated: u64,
    /// `narenas_highwater`.
    pub highwater: u64,
    /// bpo-37257 (3.9+): keep the last usable arena mapped even when it is wholly free.
    keep_last: bool,
}

impl Arenas {
    pub fn new(max_pools: u32, keep_last: bool) -> Arenas {
        Arenas {
            slots: Vec::new(),
            unused: None,
            usable: None,
            nfp2lasta: vec![None; max_pools as usize + 1],
            currently_allocated: 0,
            times_allocated: 0,
            highwater: 0,
            keep_last,
        }
    }

    /// `new_arena()`, minus the mmap: grow the vector when no slot is unused (16, then doubling), pop a slot,
    /// and set up its pool area. `base_of` gives the simulated mmap address for a slot. Returns `None` when the
    /// `uint maxarenas` doubling would overflow, as CPython does.
    pub fn new_arena(&mut self, base_of: impl Fn(u32) -> Addr, pool_size: u32, max_pools: u32) -> Option<u32> {
        if self.unused.is_none() {
            let max = self.slots.len() as u32;
            let n = if max == 0 { crate::heap::profile::INITIAL_ARENA_OBJECTS } else { max.checked_shl(1)? };
            if n <= max {
                return None;
            }
            for i in max..n {
                self.slots.push(ArenaObject { nextarena: (i + 1 < n).then_some(i + 1), ..Default::default() });
            }
            self.unused = Some(max);
        }
        let idx = self.unused?;
        let slot = &mut self.slots[idx as usize];
        self.unused = slot.nextarena;
        slot.address = base_of(idx);
        // "pool_address <- first pool-aligned address in the arena; nfreepools <- number of whole pools that
        // fit after alignment".
        let excess = slot.address % u64::from(pool_size);
        slot.nfreepools = max_pools;
        slot.first_pool = slot.address;
        if excess != 0 {
            slot.nfreepools -= 1;
            slot.first_pool += u64::from(pool_size) - excess;
        }
        slot.ntotalpools = slot.nfreepools;
        slot.freepools = None;
        slot.pools.clear();
        self.currently_allocated += 1;
        self.times_allocated += 1;
        self.highwater = self.highwater.max(self.currently_allocated);
        Some(idx)
    }

    /// The `nfp2lasta` and list updates `allocate_from_new_pool` makes before taking one pool from the head
    /// arena; unlinks the arena from `usable_arenas` once it has no free pool left.
    pub fn take_pool_from_head(&mut self) {
        let Some(head) = self.usable else { return };
        let nf = self.slots[head as usize].nfreepools;
        if self.nfp2lasta[nf as usize] == Some(head) {
            self.nfp2lasta[nf as usize] = None;
        }
        if nf > 1 {
            self.nfp2lasta[nf as usize - 1] = Some(head);
        }
        let ao = &mut self.slots[head as usize];
        ao.nfreepools -= 1;
        if ao.nfreepools == 0 {
            // "Wholly allocated: remove."
            self.usable = ao.nextarena;
            ao.nextarena = None;
            if let Some(next) = self.usable {
                self.slots[next as usize].prevarena = None;
            }
        }
    }

    /// The arena half of `insert_to_freepool`, after a pool of arena `a` became empty. Returns true when the
    /// arena is wholly free and must be returned to the OS (case 1; the caller unmaps it).
    pub fn pool_freed(&mut self, a: u32) -> bool {
        let nf = self.slots[a as usize].nfreepools;
        let lastnf = self.nfp2lasta[nf as usize];
        if lastnf == Some(a) {
            let p = self.slots[a as usize].prevarena;
            self.nfp2lasta[nf as usize] = p.filter(|&p| self.slots[p as usize].nfreepools == nf);
        }
        let nf = nf + 1;
        self.slots[a as usize].nfreepools = nf;
        let (next, prev) = (self.slots[a as usize].nextarena, self.slots[a as usize].prevarena);

        // Case 1: all pools free, and (3.9+) not the last arena in the list: keep one to avoid thrashing,
        // bpo-37257. 3.8 frees it whatever follows.
        if nf == self.slots[a as usize].ntotalpools && (next.is_some() || !self.keep_last) {
            self.unlink(prev, next);
            let ao = &mut self.slots[a as usize];
            ao.nextarena = self.unused;
            ao.prevarena = None;
            ao.address = 0;
            ao.pools.clear();
            ao.pools.shrink_to_fit();
            ao.freepools = None;
            self.unused = Some(a);
            self.currently_allocated -= 1;
            return true;
        }
        // Case 2: the arena was full, so it is not in the list: put it at the head.
        if nf == 1 {
            let ao = &mut self.slots[a as usize];
            ao.nextarena = self.usable;
            ao.prevarena = None;
            if let Some(h) = self.usable {
                self.slots[h as usize].prevarena = Some(a);
            }
            self.usable = Some(a);
            if self.nfp2lasta[1].is_none() {
                self.nfp2lasta[1] = Some(a);
            }
            return false;
        }
        if self.nfp2lasta[nf as usize].is_none() {
            self.nfp2lasta[nf as usize] = Some(a);
        }
        // Case 4: it was the rightmost arena with the old count, so the order still holds.
        let Some(lastnf) = lastnf.filter(|&l| l != a) else { return false };
        // Case 3: slide it right, to just after `lastnf`.
        self.unlink(prev, next);
        let after = self.slots[lastnf as usize].nextarena;
        let ao = &mut self.slots[a as usize];
        ao.nextarena = after;
        ao.prevarena = Some(lastnf);
        self.slots[lastnf as usize].nextarena = Some(a);
        if let Some(n) = after {
            self.slots[n as usize].prevarena = Some(a);
        }
        false
    }

    fn unlink(&mut self, prev: Option<u32>, next: Option<u32>) {
        match prev {
            None => self.usable = next,
            Some(p) => self.slots[p as usize].nextarena = next,
        }
        if let Some(n) = next {
            self.slots[n as usize].prevarena = prev;
        }
    }

    /// Iterate `usable_arenas` from the head.
    pub fn usable_order(&self) -> impl Iterator<Item = u32> + '_ {
        std::iter::successors(self.usable, |&a| self.slots[a as usize].nextarena)
    }
}
