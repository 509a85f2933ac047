//! Simulated objects: a kind, a reference count, labelled edges to referents, and the blocks they own.

use super::events::EdgeLabel;
use super::ids::{Addr, ObjId};
use thin_vec::ThinVec;

/// The type of a simulated object, as far as memory behaviour goes.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `None`.
    None,
    /// A bare `object()`: 16 bytes, not a GC type.
    Object,
    /// `True` / `False`.
    Bool,
    /// `int`.
    Int,
    /// `float`.
    Float,
    /// `str`.
    Str,
    /// `bytes`.
    Bytes,
    /// `tuple`.
    Tuple,
    /// `list`.
    List,
    /// `dict` (also an instance's `__dict__` on 3.8/3.10).
    Dict,
    /// `set`.
    Set,
    /// `frozenset`.
    FrozenSet,
    /// `range`.
    Range,
    /// A Python function (`def` / `lambda`).
    Function,
    /// A generator object (it owns its frame).
    Generator,
    /// `weakref.ref`.
    WeakRef,
    /// A class object (a heap type).
    Class,
    /// An instance of a user class (plain, slotted, or with finalizers; the class says which).
    Instance,
    /// A `getset_descriptor` (a class's `__dict__` / `__weakref__` attribute).
    Descriptor,
    /// `iter(list)`: holds its list (`it_seq`) until exhausted.
    ListIterator,
    /// `iter(tuple)`.
    TupleIterator,
    /// `iter(range)`: its bounds only, no reference; not a GC type.
    RangeIterator,
    /// `iter(dict)`: `dict_keyiterator`, holding its dict.
    DictKeyIterator,
    /// `iter(set)`.
    SetIterator,
    /// `iter(str)`: `str_iterator` (3.8-3.10, and for non-ASCII strs after).
    StrIterator,
    /// `iter(str)` of an ASCII str from 3.11: `str_ascii_iterator`.
    StrAsciiIterator,
    /// A `cell`: a closure variable, here the `__class__` cell of a class whose methods call `super()`.
    Cell,
    /// `staticmethod(f)`, as `@staticmethod` puts it in a class's namespace.
    StaticMethod,
    /// `classmethod(f)`.
    ClassMethod,
    /// `property(fget)`.
    Property,
}

impl Kind {
    /// Every kind, in declaration order (`Kind::ALL[k as usize] == k`).
    pub const ALL: [Kind; 30] = [
        Kind::None,
        Kind::Object,
        Kind::Bool,
        Kind::Int,
        Kind::Float,
        Kind::Str,
        Kind::Bytes,
        Kind::Tuple,
        Kind::List,
        Kind::Dict,
        Kind::Set,
        Kind::FrozenSet,
        Kind::Range,
        Kind::Function,
        Kind::Generator,
        Kind::WeakRef,
        Kind::Class,
        Kind::Instance,
        Kind::Descriptor,
        Kind::ListIterator,
        Kind::TupleIterator,
        Kind::RangeIterator,
        Kind::DictKeyIterator,
        Kind::SetIterator,
        Kind::StrIterator,
        Kind::StrAsciiIterator,
        Kind::Cell,
        Kind::StaticMethod,
        Kind::ClassMethod,
        Kind::Property,
    ];

    /// The Python type name, as `type(x).__name__` prints it.
    pub fn type_name(self) -> &'static str {
        match self {
            Kind::None => "NoneType",
            Kind::Object => "object",
            Kind::Bool => "bool",
            Kind::Int => "int",
            Kind::Float => "float",
            Kind::Str => "str",
            Kind::Bytes => "bytes",
            Kind::Tuple => "tuple",
            Kind::List => "list",
            Kind::Dict => "dict",
            Kind::Set => "set",
            Kind::FrozenSet => "frozenset",
            Kind::Range => "range",
            Kind::Function => "function",
            Kind::Generator => "generator",
            Kind::WeakRef => "weakref.ReferenceType",
            Kind::Class => "type",
            Kind::Instance => "object",
            Kind::Descriptor => "getset_descriptor",
            Kind::ListIterator => "list_iterator",
            Kind::TupleIterator => "tuple_iterator",
            Kind::RangeIterator => "range_iterator",
            Kind::DictKeyIterator => "dict_keyiterator",
            Kind::SetIterator => "set_iterator",
            Kind::StrIterator => "str_iterator",
            Kind::StrAsciiIterator => "str_ascii_iterator",
            Kind::Cell => "cell",
            Kind::StaticMethod => "staticmethod",
            Kind::ClassMethod => "classmethod",
            Kind::Property => "property",
        }
    }

    /// `staticmethod`, `classmethod` or `property`: what a decorator puts in a class's namespace.
    pub fn is_method_wrapper(self) -> bool {
        matches!(self, Kind::StaticMethod | Kind::ClassMethod | Kind::Property)
    }

    /// Whether the type has `Py_TPFLAGS_HAVE_GC`: a `PyGC_Head` precedes it and `getsizeof` adds 16
    /// (`Python/sysmodule.c _PySys_GetSizeOf`).
    pub fn is_gc_type(self) -> bool {
        matches!(
            self,
            Kind::Tuple
                | Kind::List
                | Kind::Dict
                | Kind::Set
                | Kind::FrozenSet
                | Kind::Function
                | Kind::Generator
                | Kind::WeakRef
                | Kind::Class
                | Kind::Instance
                | Kind::Descriptor
                | Kind::ListIterator
                | Kind::TupleIterator
                | Kind::DictKeyIterator
                | Kind::SetIterator
                | Kind::StrIterator
                | Kind::StrAsciiIterator
                | Kind::Cell
                | Kind::StaticMethod
                | Kind::ClassMethod
                | Kind::Property
        )
    }
}

/// A reference from one object to another.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Edge {
    /// The referent.
    pub target: ObjId,
    /// What the reference is to its owner.
    pub label: EdgeLabel,
}

/// Renumber the positional labels of (the tail of) one owner's edges, in order: list items become
/// `Item(first_item..)`, dict entries `Key(i)` / `Value(i)` pair by pair from 0 (what `dictresize`'s compaction
/// does, always over all of them); other labels stay. The engine and a recording replaying its events share
/// this rule.
pub fn relabel_edges<'a>(edges: impl IntoIterator<Item = &'a mut Edge>, first_item: u32) {
    let (mut item, mut entry) = (first_item, 0);
    for e in edges {
        match e.label {
            EdgeLabel::Item(_) => {
                e.label = EdgeLabel::Item(item);
                item += 1;
            }
            EdgeLabel::Key(_) => e.label = EdgeLabel::Key(entry),
            EdgeLabel::Value(_) => {
                e.label = EdgeLabel::Value(entry);
                entry += 1;
            }
            _ => {}
        }
    }
}

/// Object state bits.
pub(crate) mod flags {
    /// Tracked by the cycle GC (`_gc_next != 0`).
    pub const TRACKED: u16 = 1;
    /// `__del__` already ran (`_PyGC_PREV_MASK_FINALIZED`, PEP 442: at most once).
    pub const FINALIZED: u16 = 2;
    /// A statically allocated singleton (small int, `''`, `()`, None, ...): owns no block.
    pub const STATIC: u16 = 4;
    /// Immortal (PEP 683): the count never changes.
    pub const IMMORTAL: u16 = 8;
    /// At least one weakref points at it (so its death must clear them).
    pub const WEAKLY_REFERENCED: u16 = 32;
    /// A candidate of the collection in progress (`PREV_MASK_COLLECTING`).
    pub const COLLECTING: u16 = 64;
    /// Tentatively unreachable during `move_unreachable` (`NEXT_MASK_UNREACHABLE`).
    pub const UNREACHABLE: u16 = 128;
    /// Its class defines `__del__` or a legacy `tp_del` (cached from the class at creation).
    pub const HAS_FINALIZER: u16 = 256;
    /// Its class has a legacy `tp_del`: the collector cannot free it.
    pub const LEGACY_FINALIZER: u16 = 512;
    /// In the middle of deallocation: no new references may be taken.
    pub const DYING: u16 = 16;
}

/// One slot of the object table.
///
/// Kept at 48 bytes (checked by a test): edges live in `refs`, values of atomic objects in a side table.
#[derive(Clone, Debug)]
pub struct Object {
    pub(crate) refs: ThinVec<Edge>,
    pub(crate) refcnt: u32,
    /// References held from outside the heap (roots); always included in `refcnt`.
    pub(crate) roots: u32,
    /// Bumped whenever the slot is reused, so stale [`ObjId`]s are caught.
    pub(crate) slot_gen: u32,
    /// The object's own block (0 for static objects).
    pub(crate) block: Addr,
    /// A second block: a list's item array, a dict's keys, a 3.11/3.12 instance's values array, a set's table.
    pub(crate) extra: Addr,
    /// Kind-specific size parameter: list capacity, dict keys log2 size, set table size, str/bytes length...
    pub(crate) aux: u32,
    /// Where it was created (tracemalloc's frame), as a site number.
    pub(crate) birth: u32,
    pub(crate) kind: Kind,
    pub(crate) flags: u16,
    /// Whether the slot holds a live object.
    pub(crate) live: bool,
}

impl Object {
    /// Append an edge, growing the edge array one slot at a time while it is small: most objects have one
    /// to three edges, and doubling from four would waste host memory on a million of them.
    pub(crate) fn push_edge(&mut self, edge: Edge) {
        if self.refs.len() == self.refs.capacity() && self.refs.len() < 4 {
            self.refs.reserve_exact(1);
        }
        self.refs.push(edge);
    }
}

impl Object {
    /// The object's kind.
    pub fn kind(&self) -> Kind {
        self.kind
    }
    /// Its current reference count (`ob_refcnt`).
    pub fn refcnt(&self) -> u32 {
        self.refcnt
    }
    /// References held on it from outside the heap (frames, globals, temporaries).
    pub fn root_refs(&self) -> u32 {
        self.roots
    }
    /// Its references to other objects, in the owner's order.
    pub fn referents(&self) -> &[Edge] {
        &self.refs
    }
    /// Whether the cycle GC tracks it.
    pub fn is_tracked(&self) -> bool {
        self.flags & flags::TRACKED != 0
    }
    /// Whether its `__del__` has run.
    pub fn is_finalized(&self) -> bool {
        self.flags & flags::FINALIZED != 0
    }
    /// Whether it is immortal under the profile (PEP 683).
    pub fn is_immortal(&self) -> bool {
        self.flags & flags::IMMORTAL != 0
    }
    /// Whether it is a statically allocated singleton.
    pub fn is_static(&self) -> bool {
        self.flags & flags::STATIC != 0
    }
    /// Its simulated address (`id()`): the start of its block, or a static address.
    pub fn address(&self) -> Addr {
        self.block
    }
    /// The site it was created at.
    pub fn birth(&self) -> u32 {
        self.birth
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn object_slot_fits_in_64_bytes() {
        // Host memory per simulated object is budgeted at 64 bytes plus edges (heap-engine issue).
        assert!(std::mem::size_of::<super::Object>() <= 48, "{}", std::mem::size_of::<super::Object>());
        assert_eq!(std::mem::size_of::<super::Edge>(), 16);
    }
}
