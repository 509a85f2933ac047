//! The object table of a replayed heap: each slot's object as the events left it, with its edges.

use crate::heap::gc::GcList;
use crate::heap::{Addr, Edge, Kind, ObjId};

/// Bits of [`ObjRec::flags`].
pub mod oflags {
    /// The slot holds a live object.
    pub const LIVE: u8 = 1;
    /// The cycle collector tracks it.
    pub const TRACKED: u8 = 2;
    /// A statically allocated singleton.
    pub const STATIC: u8 = 4;
    /// Immortal (PEP 683).
    pub const IMMORTAL: u8 = 8;
    /// Its `__del__` has run.
    pub const FINALIZED: u8 = 16;
    /// `gc.garbage` holds it.
    pub const GARBAGE: u8 = 32;
}

/// No generation list (in [`Membership`]).
const NO_LIST: u8 = 7;

/// Edges inline up to this many; a bigger container's edges live in a persistent vector, so a checkpoint of a
/// million-item list shares its storage instead of copying it.
const SMALL_EDGES: usize = 32;

/// One object's references, in the engine's order.
#[derive(Clone, Debug, Default)]
pub enum EdgeList {
    /// Few edges: a plain array, copied whole when a checkpoint shares it.
    #[default]
    Empty,
    /// Up to [`SMALL_EDGES`].
    Small(thin_vec::ThinVec<Edge>),
    /// More: shared chunks.
    Big(Box<imbl::Vector<Edge>>),
}

impl EdgeList {
    /// How many edges.
    pub fn len(&self) -> usize {
        match self {
            EdgeList::Empty => 0,
            EdgeList::Small(v) => v.len(),
            EdgeList::Big(v) => v.len(),
        }
    }

    /// No edges.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The edge at `i`.
    pub fn get(&self, i: usize) -> Option<&Edge> {
        match self {
            EdgeList::Empty => None,
            EdgeList::Small(v) => v.get(i),
            EdgeList::Big(v) => v.get(i),
        }
    }

    /// The edges in order.
    pub fn iter(&self) -> Box<dyn DoubleEndedIterator<Item = &Edge> + '_> {
        match self {
            EdgeList::Empty => Box::new(std::iter::empty()),
            EdgeList::Small(v) => Box::new(v.iter()),
            EdgeList::Big(v) => Box::new(v.iter()),
        }
    }

    /// Insert at `i` (`i == len` appends), growing into the persistent form past [`SMALL_EDGES`].
    pub fn insert(&mut self, i: usize, edge: Edge) {
        match self {
            EdgeList::Empty => *self = EdgeList::Small(thin_vec::thin_vec![edge]),
            EdgeList::Small(v) if v.len() < SMALL_EDGES => v.insert(i.min(v.len()), edge),
            EdgeList::Small(v) => {
                let mut big: imbl::Vector<Edge> = v.iter().copied().collect();
                big.insert(i.min(big.len()), edge);
                *self = EdgeList::Big(Box::new(big));
            }
            EdgeList::Big(v) => v.insert(i.min(v.len()), edge),
        }
    }

    /// Append.
    pub fn push(&mut self, edge: Edge) {
        self.insert(self.len(), edge);
    }

    /// Remove the edge at `i`, if there is one.
    pub fn remove(&mut self, i: usize) {
        match self {
            EdgeList::Small(v) if i < v.len() => {
                v.remove(i);
            }
            EdgeList::Big(v) if i < v.len() => {
                v.remove(i);
            }
            _ => {}
        }
    }

    /// Point the edge at `i` to `target`.
    pub fn set_target(&mut self, i: usize, target: ObjId) {
        match self {
            EdgeList::Small(v) => {
                if let Some(e) = v.get_mut(i) {
                    e.target = target;
                }
            }
            EdgeList::Big(v) => {
                if let Some(e) = v.get_mut(i) {
                    e.target = target;
                }
            }
            EdgeList::Empty => {}
        }
    }

    /// The index of the last edge that `pred` accepts.
    pub fn rposition(&self, pred: impl Fn(&Edge) -> bool) -> Option<usize> {
        let n = self.len();
        self.iter().rev().position(pred).map(|k| n - 1 - k)
    }

    /// Apply the engine's relabelling rule ([`crate::heap::relabel_edges`]) to these edges from `from` on.
    pub fn relabel(&mut self, from: u32) {
        let skip = from as usize;
        match self {
            EdgeList::Small(v) => crate::heap::relabel_edges(v.iter_mut().skip(skip), from),
            EdgeList::Big(v) => {
                // Only the tail's chunks are touched (and copied, if a checkpoint shares them).
                let mut tail = v.split_off(skip.min(v.len()));
                crate::heap::relabel_edges(tail.iter_mut(), from);
                v.append(tail);
            }
            EdgeList::Empty => {}
        }
    }
}

/// One slot of the replayed object table.
#[derive(Clone, Debug)]
pub struct ObjRec {
    /// The slot's generation (matches [`ObjId`]'s).
    pub slot_gen: u32,
    /// `ob_refcnt`.
    pub refcnt: u32,
    /// References from outside the heap (names, temporaries, `gc.garbage`).
    pub roots: u32,
    /// `sys.getsizeof`.
    pub size: u32,
    /// The object's address (`id()`).
    pub addr: Addr,
    /// Its second block (item array, keys, table, values, frame), 0 if none.
    pub storage: Addr,
    /// Weak references pointing at it.
    pub weakrefs: u16,
    /// Its type.
    pub kind: Kind,
    /// [`oflags`] bits.
    pub flags: u8,
    /// Its references, in the engine's order.
    pub edges: EdgeList,
}

impl ObjRec {
    /// A newborn object: one reference, held by its creator.
    pub fn born(id: ObjId, kind: Kind, addr: Addr) -> ObjRec {
        ObjRec {
            slot_gen: id.generation,
            refcnt: 1,
            roots: 1,
            size: 0,
            addr,
            storage: 0,
            weakrefs: 0,
            kind,
            flags: oflags::LIVE,
            edges: EdgeList::Empty,
        }
    }

    /// Whether the slot holds a live object.
    pub fn is_live(&self) -> bool {
        self.flags & oflags::LIVE != 0
    }

    /// Whether a flag is set.
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// Set or clear a flag.
    pub fn set(&mut self, flag: u8, on: bool) {
        if on {
            self.flags |= flag;
        } else {
            self.flags &= !flag;
        }
    }
}

/// Which generation list a slot is in, and since when: `stamp << 3 | list`, the list being 0-3 or
/// [`NO_LIST`]. Kept apart from [`ObjRec`] so that a collection moving a million old objects between lists
/// copies a few bytes per object into the next checkpoint, not whole object records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Membership(u32);

impl Membership {
    /// In no list.
    pub const NONE: Membership = Membership(NO_LIST as u32);

    /// In `list` (or none) since `stamp`.
    pub fn new(list: Option<GcList>, stamp: u32) -> Membership {
        Membership(stamp << 3 | list.map_or(NO_LIST as u32, |l| l as u32))
    }

    /// The list as last set.
    pub fn list(self) -> Option<GcList> {
        [GcList::Gen0, GcList::Gen1, GcList::Gen2, GcList::Permanent].get((self.0 & 7) as usize).copied()
    }

    /// When it was set.
    pub fn stamp(self) -> u32 {
        self.0 >> 3
    }
}
