//! The GC's generation lists: intrusive doubly linked lists over object slots, like `PyGC_Head`'s
//! `_gc_next` / `_gc_prev` (`Include/internal/pycore_gc.h`), so order is CPython's: appended at the tail,
//! merged by splicing.

/// Which list: the three generations and the permanent generation of `gc.freeze()`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GcList {
    /// `generations[0]` (young).
    Gen0,
    /// `generations[1]`.
    Gen1,
    /// `generations[2]` (old).
    Gen2,
    /// `permanent_generation` (frozen objects).
    Permanent,
}

impl GcList {
    fn head(self) -> u32 {
        self as u32
    }

    /// The list for generation `g` (0..=2).
    pub fn generation(g: usize) -> GcList {
        [GcList::Gen0, GcList::Gen1, GcList::Gen2][g.min(2)]
    }
}

const HEADS: u32 = 4;
const UNLINKED: u32 = u32::MAX;

/// Node `i < HEADS` is a list head; node `HEADS + slot` is the object in `slot`.
#[derive(Clone, Debug)]
pub(crate) struct GcLists {
    next: Vec<u32>,
    prev: Vec<u32>,
    len: [usize; HEADS as usize],
    owner: Vec<u8>,
}

impl Default for GcLists {
    fn default() -> Self {
        GcLists { next: (0..HEADS).collect(), prev: (0..HEADS).collect(), len: [0; HEADS as usize], owner: Vec::new() }
    }
}

impl GcLists {
    fn node(slot: u32) -> usize {
        (slot + HEADS) as usize
    }

    fn ensure(&mut self, slot: u32) {
        let need = Self::node(slot) + 1;
        if self.next.len() < need {
            self.next.resize(need, UNLINKED);
            self.prev.resize(need, UNLINKED);
            self.owner.resize(need - HEADS as usize, u8::MAX);
        }
    }

    /// Append `slot` at the tail of `list` (`gc_list_append`).
    pub fn push(&mut self, list: GcList, slot: u32) {
        self.ensure(slot);
        debug_assert_eq!(self.next[Self::node(slot)], UNLINKED, "slot {slot} is already in a list");
        let (h, n) = (list.head() as usize, Self::node(slot));
        let last = self.prev[h] as usize;
        self.next[last] = n as u32;
        self.prev[n] = last as u32;
        self.next[n] = h as u32;
        self.prev[h] = n as u32;
        self.len[h] += 1;
        self.owner[slot as usize] = list as u8;
    }

    /// Unlink `slot` from whatever list holds it (`gc_list_remove`); no-op when it is in none.
    pub fn remove(&mut self, slot: u32) {
        let n = Self::node(slot);
        if n >= self.next.len() || self.next[n] == UNLINKED {
            return;
        }
        let (p, x) = (self.prev[n] as usize, self.next[n] as usize);
        self.next[p] = x as u32;
        self.prev[x] = p as u32;
        self.next[n] = UNLINKED;
        self.prev[n] = UNLINKED;
        self.len[self.owner[slot as usize] as usize] -= 1;
        self.owner[slot as usize] = u8::MAX;
    }

    /// The list holding `slot`, if any.
    pub fn list_of(&self, slot: u32) -> Option<GcList> {
        match self.owner.get(slot as usize).copied() {
            Some(0) => Some(GcList::Gen0),
            Some(1) => Some(GcList::Gen1),
            Some(2) => Some(GcList::Gen2),
            Some(3) => Some(GcList::Permanent),
            _ => None,
        }
    }

    /// Number of objects in `list` (`gc_list_size`).
    pub fn len(&self, list: GcList) -> usize {
        self.len[list.head() as usize]
    }

    /// The slots of `list`, head to tail.
    pub fn slots(&self, list: GcList) -> Vec<u32> {
        let h = list.head();
        let mut out = Vec::with_capacity(self.len(list));
        let mut n = self.next[h as usize];
        while n != h {
            out.push(n - HEADS);
            n = self.next[n as usize];
        }
        out
    }

    /// Detach every object of `list` at once, returning the slots in order; they are in no list afterwards.
    pub fn take_all(&mut self, list: GcList) -> Vec<u32> {
        let slots = self.slots(list);
        for &s in &slots {
            let n = Self::node(s);
            self.next[n] = UNLINKED;
            self.prev[n] = UNLINKED;
            self.owner[s as usize] = u8::MAX;
        }
        let h = list.head() as usize;
        self.next[h] = h as u32;
        self.prev[h] = h as u32;
        self.len[h] = 0;
        slots
    }

    /// Move every object of `from` to the tail of `to` (`gc_list_merge`), returning the moved slots.
    pub fn merge(&mut self, from: GcList, to: GcList) -> Vec<u32> {
        let moved = self.slots(from);
        for &s in &moved {
            self.remove(s);
            self.push(to, s);
        }
        moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_keep_append_order_and_merge_at_the_tail() {
        let mut l = GcLists::default();
        for s in [5, 1, 9] {
            l.push(GcList::Gen0, s);
        }
        l.push(GcList::Gen1, 3);
        l.remove(1);
        assert_eq!(l.slots(GcList::Gen0), vec![5, 9]);
        l.merge(GcList::Gen0, GcList::Gen1);
        assert_eq!(l.slots(GcList::Gen1), vec![3, 5, 9]);
        assert_eq!((l.len(GcList::Gen0), l.len(GcList::Gen1)), (0, 3));
        assert_eq!(l.list_of(9), Some(GcList::Gen1));
        l.remove(9);
        l.remove(9);
        assert_eq!(l.list_of(9), None);
    }
}
