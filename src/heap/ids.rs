//! Typed identifiers: objects are named by slot index plus a generation, so a stale id is detected, never followed.

use std::fmt;

/// A live or dead simulated Python object.
///
/// The `generation` is bumped every time slot `index` is reused, so an id kept after its object was freed
/// is recognised as stale instead of silently naming a newer object.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct ObjId {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

impl ObjId {
    /// The slot index (stable while the object lives; reused after it dies).
    pub fn index(self) -> u32 {
        self.index
    }
}

impl fmt::Display for ObjId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}", self.index)
    }
}

/// A simulated machine address, as `id()` would print it in CPython (the address of the object's block).
pub type Addr = u64;

/// An index into the arena-object vector (`arenas[]` in `Objects/obmalloc.c`).
pub type ArenaIndex = u32;

/// An interned name (attribute names, class names) in the heap's symbol table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Name(pub(crate) u32);

/// A birth tag: an opaque site number the scripting layer maps to `file:line` (tracemalloc's traceback).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug, Default)]
pub struct SiteId(pub u32);
