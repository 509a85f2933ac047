//! Type free lists (§2.5): dead floats, tuples, lists, dicts and small dict keys are kept for reuse instead of
//! freed. Their blocks stay allocated in pymalloc, and reuse bypasses `gc.get_count()`.

use super::events::{Event, EventSink};
use super::ids::Addr;
use super::object::Kind;
use super::obmalloc::printone;
use super::profile::{FreeListLimits, Profile, PyVersion};
use super::sizes::{DICT_MINSIZE, DICT_OBJECT, FLOAT_SIZE, LIST_OBJECT, TUPLE_HEADER};

/// Set on a dict's `aux` when its keys table is not unicode-only (the low bits hold the table size).
pub(crate) const DICT_GENERAL_KEYS: u32 = 1 << 31;
/// Set on a 3.8/3.10 split-table instance dict's `aux` (the low bits hold its values-array length).
pub(crate) const DICT_SPLIT: u32 = 1 << 30;

/// One free list as `sys._debugmallocstats()` reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptFree {
    /// The C struct, as the dump names it (`PyFloatObject`, `3-sized PyTupleObject`).
    pub c_name: String,
    /// The Python type (`float`, `tuple`).
    pub type_name: &'static str,
    /// Objects kept for reuse.
    pub count: usize,
    /// Bytes per object.
    pub size: u32,
}

/// The free lists of one interpreter.
#[derive(Clone, Debug)]
pub struct FreeLists {
    limits: FreeListLimits,
    version: PyVersion,
    floats: Vec<Addr>,
    ints: Vec<Addr>,
    /// Index `n - 1` holds tuples of length `n`.
    tuples: Vec<Vec<Addr>>,
    lists: Vec<Addr>,
    dicts: Vec<Addr>,
    dict_keys: Vec<Addr>,
}

impl FreeLists {
    /// Empty free lists with `profile`'s capacities.
    pub fn new(profile: &Profile) -> FreeLists {
        FreeLists {
            limits: profile.free_lists,
            version: profile.version,
            floats: Vec::new(),
            ints: Vec::new(),
            tuples: vec![Vec::new(); profile.free_lists.tuple_max_len as usize],
            lists: Vec::new(),
            dicts: Vec::new(),
            dict_keys: Vec::new(),
        }
    }

    fn list_for(&mut self, kind: Kind, aux: u32) -> Option<(&mut Vec<Addr>, u32)> {
        let l = self.limits;
        match kind {
            Kind::Float => Some((&mut self.floats, l.float)),
            // 3.14 keeps only compact (one-digit) ints (`_PyLong_ExactDealloc`).
            Kind::Int if aux == 0 => Some((&mut self.ints, l.int)),
            Kind::Tuple if aux >= 1 => self.tuples.get_mut(aux as usize - 1).map(|v| (v, l.tuple_per_len)),
            Kind::List => Some((&mut self.lists, l.list)),
            Kind::Dict => Some((&mut self.dicts, l.dict)),
            _ => None,
        }
    }

    /// Keep a dead object's block if its type's list has room. Returns false when the caller must free it.
    pub fn push(&mut self, kind: Kind, aux: u32, block: Addr) -> bool {
        match self.list_for(kind, aux) {
            Some((list, cap)) if (list.len() as u32) < cap => {
                list.push(block);
                true
            }
            _ => false,
        }
    }

    /// Reuse a block for a new object of `kind` (`aux` is the tuple length), most recently freed first.
    pub fn pop(&mut self, kind: Kind, aux: u32) -> Option<Addr> {
        self.list_for(kind, aux)?.0.pop()
    }

    /// Keep a dead dict's keys table when it has `PyDict_MINSIZE` slots (and, from 3.11, unicode-only keys:
    /// `free_keys_object` in `Objects/dictobject.c`).
    pub fn push_keys(&mut self, kind: Kind, aux: u32, keys: Addr) -> bool {
        let unicode_ok = aux & DICT_GENERAL_KEYS == 0 || self.version <= PyVersion::V3_10;
        if kind == Kind::Dict
            && aux & !DICT_GENERAL_KEYS == DICT_MINSIZE
            && unicode_ok
            && (self.dict_keys.len() as u32) < self.limits.dict_keys
        {
            self.dict_keys.push(keys);
            return true;
        }
        false
    }

    /// Reuse a cached minimum-size keys table.
    pub fn pop_keys(&mut self) -> Option<Addr> {
        self.dict_keys.pop()
    }

    /// Empty every list (a full collection does this, §2.5), returning the blocks to free, each with whether
    /// it held a GC object (freeing those goes through `PyObject_GC_Del`, which lowers `gc.get_count()`).
    pub fn clear(&mut self) -> Vec<(Addr, bool)> {
        let gc_objects =
            self.tuples.iter_mut().flat_map(std::mem::take).chain(self.lists.drain(..)).chain(self.dicts.drain(..));
        let mut out: Vec<(Addr, bool)> = gc_objects.map(|a| (a, true)).collect();
        out.extend(
            self.floats.drain(..).chain(self.ints.drain(..)).chain(self.dict_keys.drain(..)).map(|a| (a, false)),
        );
        out
    }

    /// Blocks currently held, for the allocator invariants.
    pub fn held(&self) -> impl Iterator<Item = Addr> + '_ {
        self.floats
            .iter()
            .chain(&self.ints)
            .chain(self.tuples.iter().flatten())
            .chain(&self.lists)
            .chain(&self.dicts)
            .chain(&self.dict_keys)
            .copied()
    }

    /// One entry per line `_PyObject_DebugTypeStats` prints for the version, in its order: the C struct's name,
    /// the Python type's, how many are kept and each one's size. Free lists the simulator has no objects for
    /// (C functions, frames, bound methods on 3.8-3.10) count zero. Their per-object sizes (56, 368/360, 48,
    /// and 32 for 3.13's keys) are those the real dumps print [obs `tests/fixtures/debugmallocstats/`].
    pub fn kept(&self) -> Vec<KeptFree> {
        let mut out = Vec::new();
        let mut line = |c_name: String, type_name: &'static str, count: usize, size: u32| {
            out.push(KeptFree { c_name, type_name, count, size });
        };
        if self.version == PyVersion::V3_8 {
            line("PyCFunctionObject".into(), "builtin_function_or_method", 0, 56);
        }
        line("PyDictObject".into(), "dict", self.dicts.len(), DICT_OBJECT);
        if self.version == PyVersion::V3_13 {
            line("PyDictKeysObject".into(), "dict_keys", self.dict_keys.len(), 32);
        }
        line("PyFloatObject".into(), "float", self.floats.len(), FLOAT_SIZE);
        if self.version <= PyVersion::V3_10 {
            line("PyFrameObject".into(), "frame", 0, if self.version <= PyVersion::V3_9 { 368 } else { 360 });
        }
        line("PyListObject".into(), "list", self.lists.len(), LIST_OBJECT);
        if self.version == PyVersion::V3_8 {
            line("PyMethodObject".into(), "method", 0, 48);
        }
        for (i, t) in self.tuples.iter().enumerate() {
            let n = i as u32 + 1;
            line(format!("{n}-sized PyTupleObject"), "tuple", t.len(), TUPLE_HEADER + 8 * n);
        }
        out
    }

    /// The `_PyObject_DebugTypeStats` lines for these lists.
    pub fn write_stats(&self, out: &mut String) {
        for k in self.kept() {
            let label = format!("{:>48} ", format!("{} free {}s * {} bytes each", k.count, k.c_name, k.size));
            printone(out, &label, k.count as u64 * u64::from(k.size));
        }
    }
}

/// The heap's way into its free lists: every block parked or reused is reported, so a recording knows which
/// allocated blocks are no live object's (the memory ledger's "free lists" part).
impl super::Heap {
    /// Keep a dead object's block on `kind`'s free list if there is room; false: the caller frees it.
    pub(crate) fn keep_block(&mut self, kind: Kind, aux: u32, block: Addr) -> bool {
        let kept = self.free_lists.push(kind, aux, block);
        if kept {
            self.note_kept(block, true);
        }
        kept
    }

    /// Keep a dead dict's keys table if it qualifies ([`FreeLists::push_keys`]); false: the caller frees it.
    pub(crate) fn keep_keys(&mut self, kind: Kind, aux: u32, keys: Addr) -> bool {
        let kept = self.free_lists.push_keys(kind, aux, keys);
        if kept {
            self.note_kept(keys, true);
        }
        kept
    }

    /// A kept block for a new object of `kind`, if its free list has one.
    pub(crate) fn reuse_block(&mut self, kind: Kind, aux: u32) -> Option<Addr> {
        let block = self.free_lists.pop(kind, aux)?;
        self.note_kept(block, false);
        Some(block)
    }

    /// A kept minimum-size keys table, if any.
    pub(crate) fn reuse_keys(&mut self) -> Option<Addr> {
        let keys = self.free_lists.pop_keys()?;
        self.note_kept(keys, false);
        Some(keys)
    }

    fn note_kept(&mut self, addr: Addr, kept: bool) {
        if self.sink.on {
            let nbytes = self.alloc.requested(addr).unwrap_or(0).min(u64::from(u32::MAX)) as u32;
            self.sink.emit(Event::BlockKept { addr, nbytes, kept });
        }
    }
}
