//! The GC's generation lists: intrusive doubly linked lists over object slots, like `PyGC_Head`'s
//! `_gc_next` / `_gc_prev` (`Include/internal/pycore_gc.h`), so order is CPython's: appended at the tail,
//! merged by splicing.

use crate::heap::core::Heap;
use crate::heap::events::{Event, EventSink};
use crate::heap::ids::ObjId;

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

/// One link of a list: the neighbours and which list holds it (`u8::MAX`: none). Kept together so an
/// update touches one cache line.
#[derive(Clone, Copy, Debug)]
struct Link {
    next: u32,
    prev: u32,
    owner: u8,
}

const FREE: Link = Link { next: UNLINKED, prev: UNLINKED, owner: u8::MAX };

/// Node `i < HEADS` is a list head; node `HEADS + slot` is the object in `slot`.
#[derive(Clone, Debug)]
pub(crate) struct GcLists {
    links: Vec<Link>,
    len: [usize; HEADS as usize],
}

impl Default for GcLists {
    fn default() -> Self {
        GcLists {
            links: (0..HEADS).map(|h| Link { next: h, prev: h, owner: h as u8 }).collect(),
            len: [0; HEADS as usize],
        }
    }
}

impl GcLists {
    fn node(slot: u32) -> usize {
        (slot + HEADS) as usize
    }

    /// Append `slot` at the tail of `list` (`gc_list_append`).
    pub fn push(&mut self, list: GcList, slot: u32) {
        let n = Self::node(slot);
        if self.links.len() <= n {
            self.links.resize((n + 1).max(self.links.len() * 2), FREE);
        }
        debug_assert_eq!(self.links[n].next, UNLINKED, "slot {slot} is already in a list");
        let h = list.head() as usize;
        let last = self.links[h].prev as usize;
        self.links[last].next = n as u32;
        self.links[n] = Link { next: h as u32, prev: last as u32, owner: list as u8 };
        self.links[h].prev = n as u32;
        self.len[h] += 1;
    }

    /// Unlink `slot` from whatever list holds it (`gc_list_remove`); no-op when it is in none.
    pub fn remove(&mut self, slot: u32) {
        let n = Self::node(slot);
        let Some(&Link { next, prev, owner }) = self.links.get(n) else { return };
        if next == UNLINKED {
            return;
        }
        self.links[prev as usize].next = next;
        self.links[next as usize].prev = prev;
        self.links[n] = FREE;
        self.len[owner as usize] -= 1;
    }

    /// The list holding `slot`, if any.
    pub fn list_of(&self, slot: u32) -> Option<GcList> {
        match self.links.get(Self::node(slot)).map(|l| l.owner) {
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
        let mut n = self.links[h as usize].next;
        while n != h {
            out.push(n - HEADS);
            n = self.links[n as usize].next;
        }
        out
    }

    /// Detach every object of `list` at once, returning the slots in order; they are in no list afterwards.
    pub fn take_all(&mut self, list: GcList) -> Vec<u32> {
        let slots = self.slots(list);
        for &s in &slots {
            self.links[Self::node(s)] = FREE;
        }
        let h = list.head() as usize;
        self.links[h].next = h as u32;
        self.links[h].prev = h as u32;
        self.len[h] = 0;
        slots
    }

    /// Move every object of `from` to the tail of `to` (`gc_list_merge`), returning the moved slots.
    pub fn merge(&mut self, from: GcList, to: GcList) -> Vec<u32> {
        let moved = self.take_all(from);
        for &s in &moved {
            self.push(to, s);
        }
        moved
    }
}

/// List changes go through these, so each one reaches the event sink.
impl Heap {
    fn slot_id(&self, slot: u32) -> ObjId {
        ObjId { index: slot, generation: self.objects[slot as usize].slot_gen }
    }

    /// Move a slot out of its list and, with `to`, onto the tail of another.
    pub(crate) fn gc_list_move(&mut self, slot: u32, to: Option<GcList>) {
        self.gc.lists.remove(slot);
        if let Some(list) = to {
            self.gc.lists.push(list, slot);
        }
        let id = self.slot_id(slot);
        self.sink.emit(Event::GcMove { id, list: to });
    }

    /// Take every object of `list` out of it, in order (`gc_list_merge(list, young)` of a collection).
    pub(crate) fn gc_list_take_all(&mut self, list: GcList) -> Vec<u32> {
        self.sink.emit(Event::GcTakeAll { list });
        self.gc.lists.take_all(list)
    }

    /// Move all of `from` to the tail of `to` (`gc_list_merge`).
    pub(crate) fn gc_list_merge(&mut self, from: GcList, to: GcList) {
        for slot in self.gc.lists.merge(from, to) {
            let id = self.slot_id(slot);
            self.sink.emit(Event::GcMove { id, list: Some(to) });
        }
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
