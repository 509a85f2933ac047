//! Sequences: tuple (fixed, one block) and list (an object plus a separately allocated item array).

use crate::heap::core::Heap;
use crate::heap::error::{HeapError, HeapResult};
use crate::heap::events::{Cause, EdgeLabel, Event, EventSink};
use crate::heap::ids::ObjId;
use crate::heap::object::Kind;
use crate::heap::object::relabel_edges;
use crate::heap::profile::ListPresize;
use crate::heap::sizes::{self, LIST_OBJECT};
use crate::heap::statics::StaticKey;

/// How an empty list's first item array is sized when items go in all at once.
#[derive(Clone, Copy, PartialEq, Eq)]
enum FirstArray {
    /// Exactly the items (`PyList_New(n)`).
    Exact,
    /// As the profile's `list_presize` says (`list_preallocate_exact`).
    Presized,
    /// By `list_resize`, like any growth.
    Resized,
}

impl Heap {
    pub(crate) fn expect_kind(&self, id: ObjId, kind: Kind) -> HeapResult<()> {
        let k = self.get(id)?.kind;
        if k == kind {
            Ok(())
        } else {
            Err(HeapError::Type(format!("expected {}, got {}", kind.type_name(), k.type_name())))
        }
    }

    /// A tuple built by `tuple(iterable)`, a tuple display or `*args` packing: as [`Heap::new_tuple`], but from
    /// 3.14.1 not tracked when none of its items is a GC object (PR #140447; an untracked tuple item still
    /// counts as one) [obs Pyodide 3.14.2: `tuple([1, 2])` untracked, `(T,)` with `T` untracked tracked].
    pub fn new_tuple_built(&mut self, items: &[ObjId]) -> HeapResult<ObjId> {
        let atomic = self.profile.atomic_tuples_untracked
            && items.iter().all(|&i| self.get(i).is_ok_and(|o| !o.kind.is_gc_type()));
        let id = self.new_tuple(items)?;
        if atomic {
            self.untrack(id);
        }
        Ok(id)
    }

    /// `tuple(items)`: `()` is a singleton; others come from the per-length free list or pymalloc, created
    /// tracked (§3.1: untracked later by a collection once all items are atomic). Slices, concatenation and
    /// repetition make tuples this way on every version.
    pub fn new_tuple(&mut self, items: &[ObjId]) -> HeapResult<ObjId> {
        if items.is_empty() {
            return Ok(self.static_object(StaticKey::EmptyTuple));
        }
        for &i in items {
            self.get(i)?;
        }
        let n = items.len() as u32;
        let id = self.alloc_object(Kind::Tuple, sizes::tuple_size(&self.profile, n), n)?;
        for (i, &item) in items.iter().enumerate() {
            self.add_edge(id, EdgeLabel::Item(i as u32), item)?;
        }
        self.track(id);
        self.note_size(id);
        Ok(id)
    }

    /// `[]`: an empty list with no item array, tracked.
    pub fn new_list(&mut self) -> HeapResult<ObjId> {
        let id = self.alloc_object(Kind::List, self.profile.sizes.gc_head + LIST_OBJECT, 0)?;
        self.track(id);
        self.note_size(id);
        Ok(id)
    }

    /// `list(iterable)` of known length: `list_preallocate_exact` sizes the item array as the profile's
    /// `list_presize` says (§4.3: `list(range(1))` is 64 bytes on 3.8/3.9, 72 from 3.10).
    pub fn new_list_from(&mut self, items: &[ObjId]) -> HeapResult<ObjId> {
        let id = self.new_list()?;
        self.extend_items(id, items, FirstArray::Presized)?;
        Ok(id)
    }

    /// A list display `[a, b, c]` (`BUILD_LIST n`): `PyList_New(n)` allocates exactly `n` slots on every
    /// version (`Objects/listobject.c`), unlike `list(iterable)` [obs 3.13.0: `[f()]` is 64 bytes,
    /// `list([1])` 72; `[f(), f(), f()]` 80].
    pub fn new_list_built(&mut self, items: &[ObjId]) -> HeapResult<ObjId> {
        let id = self.new_list()?;
        self.extend_items(id, items, FirstArray::Exact)?;
        Ok(id)
    }

    /// `list.extend(list_or_tuple)` (`list_extend`'s fast path): from 3.10 an empty list is presized as
    /// `list(iterable)` is (3.8/3.9 resize it like any other: `l = []; l.extend(five)` is 120 bytes there
    /// [obs 3.8.18, 3.9.18], 104 on 3.10), otherwise resized once to the new length; then the items go in.
    /// `sorted()` builds its list this way (`PySequence_List`).
    pub fn list_extend(&mut self, list: ObjId, items: &[ObjId]) -> HeapResult<()> {
        let first = if self.profile.list_presize == ListPresize::EvenCount {
            FirstArray::Presized
        } else {
            FirstArray::Resized
        };
        self.extend_items(list, items, first)
    }

    /// `list_extend`, an empty list's first item array sized as `first` says.
    fn extend_items(&mut self, list: ObjId, items: &[ObjId], first: FirstArray) -> HeapResult<()> {
        self.expect_kind(list, Kind::List)?;
        for &i in items {
            self.get(i)?;
        }
        let m = self.objects[list.index as usize].refs.len() as u32;
        let n = items.len() as u32;
        let empty = self.objects[list.index as usize].extra == 0;
        if empty && first != FirstArray::Resized {
            let cap = match (first, self.profile.list_presize) {
                (FirstArray::Exact, _) | (_, ListPresize::Exact) => n,
                (_, ListPresize::EvenCount) => (n + 1) & !1,
            };
            if cap > 0 {
                self.set_list_capacity(list, cap)?;
            }
        } else if n > 0 {
            self.resize_list(list, m + n)?;
        }
        for (i, &item) in items.iter().enumerate() {
            self.add_edge(list, EdgeLabel::Item(m + i as u32), item)?;
        }
        Ok(())
    }

    /// Reallocate the item array to `cap` slots (`PyMem_Realloc`; a first array is a plain malloc).
    fn set_list_capacity(&mut self, list: ObjId, cap: u32) -> HeapResult<()> {
        let o = &self.objects[list.index as usize];
        let (old, old_cap) = (o.extra, o.aux);
        if cap == old_cap {
            return Ok(());
        }
        let nbytes = cap as usize * 8;
        let new = if old == 0 {
            self.alloc.malloc(nbytes, &mut self.sink)?
        } else {
            self.alloc.realloc(old, nbytes, &mut self.sink)?
        };
        self.set_storage(list, new);
        self.objects[list.index as usize].aux = cap;
        self.note_size(list);
        Ok(())
    }

    /// `list_resize(self, newsize)` before a size change.
    fn resize_list(&mut self, list: ObjId, newsize: u32) -> HeapResult<()> {
        let allocated = self.objects[list.index as usize].aux;
        let cap = sizes::list_capacity(&self.profile, allocated, newsize);
        self.set_list_capacity(list, cap)
    }

    /// `len(list)` or `len(tuple)`.
    pub fn seq_len(&self, seq: ObjId) -> HeapResult<usize> {
        let o = self.get(seq)?;
        match o.kind {
            Kind::List | Kind::Tuple => Ok(o.refs.len()),
            k => Err(HeapError::Type(format!("object of type '{}' has no len()", k.type_name()))),
        }
    }

    /// `seq[i]` (negative indexes count from the end); a borrowed id.
    pub fn seq_get(&self, seq: ObjId, index: i64) -> HeapResult<ObjId> {
        let len = self.seq_len(seq)?;
        let i = normalize_index(index, len, "index")?;
        Ok(self.objects[seq.index as usize].refs[i].target)
    }

    /// `list.append(item)`.
    pub fn list_append(&mut self, list: ObjId, item: ObjId) -> HeapResult<()> {
        self.expect_kind(list, Kind::List)?;
        self.get(item)?;
        let n = self.objects[list.index as usize].refs.len() as u32;
        self.resize_list(list, n + 1)?;
        self.add_edge(list, EdgeLabel::Item(n), item)
    }

    /// `list.insert(index, item)`, with Python's clamping of out-of-range indexes.
    pub fn list_insert(&mut self, list: ObjId, index: i64, item: ObjId) -> HeapResult<()> {
        self.expect_kind(list, Kind::List)?;
        self.get(item)?;
        let n = self.objects[list.index as usize].refs.len() as i64;
        let at = if index < 0 { (index + n).max(0) } else { index.min(n) } as usize;
        self.resize_list(list, n as u32 + 1)?;
        self.sink.emit(Event::EdgeInsert { owner: list, index: at as u32 });
        self.incref(item, Cause::Edge(list, EdgeLabel::Item(at as u32)))?;
        let refs = &mut self.objects[list.index as usize].refs;
        refs.insert(at, crate::heap::object::Edge { target: item, label: EdgeLabel::Item(at as u32) });
        self.relabel_items(list, at);
        Ok(())
    }

    /// `list.pop(index)`: the item is returned as a new reference (a root the caller owns).
    pub fn list_pop(&mut self, list: ObjId, index: i64) -> HeapResult<ObjId> {
        // Emptied, the array is freed from 3.12 (`list_clear`); before, `list_resize(0)` keeps a 0-byte block.
        let emptied_frees = self.profile.pop_to_empty_frees;
        self.take_item(list, index, true, emptied_frees)
    }

    /// Take the item at `index` out of the list, as a root the caller owns; `list_resize` shrinks the array
    /// when `resize` says the path does, and an emptied list frees it when `emptied_frees` does.
    fn take_item(&mut self, list: ObjId, index: i64, resize: bool, emptied_frees: bool) -> HeapResult<ObjId> {
        self.expect_kind(list, Kind::List)?;
        let len = self.objects[list.index as usize].refs.len();
        if len == 0 {
            return Err(HeapError::Index("pop from empty list".into()));
        }
        let i = normalize_index(index, len, "pop index")?;
        let item = self.objects[list.index as usize].refs[i].target;
        // The popped reference moves to the caller: take the root before the edge goes.
        self.inc_root(item)?;
        self.remove_edge_at(list, i)?;
        self.relabel_items(list, i);
        if len == 1 && emptied_frees {
            self.free_item_array(list)?;
        } else if resize {
            self.resize_list(list, len as u32 - 1)?;
        }
        Ok(item)
    }

    /// Free the (now empty) list's item array (`_list_clear`).
    fn free_item_array(&mut self, list: ObjId) -> HeapResult<()> {
        let array = self.detach_item_array(list);
        if array != 0 {
            self.alloc.free(array, &mut self.sink)?;
        }
        Ok(())
    }

    /// `ob_item = NULL; allocated = 0`: the list lets go of its item array, which the caller frees.
    fn detach_item_array(&mut self, list: ObjId) -> u64 {
        let array = self.objects[list.index as usize].extra;
        self.set_storage(list, 0);
        self.objects[list.index as usize].aux = 0;
        self.note_size(list);
        array
    }

    /// `list[i] = item`.
    pub fn list_set(&mut self, list: ObjId, index: i64, item: ObjId) -> HeapResult<()> {
        self.expect_kind(list, Kind::List)?;
        self.get(item)?;
        let len = self.objects[list.index as usize].refs.len();
        let i = normalize_index(index, len, "assignment index")?;
        self.replace_edge_at(list, i, item)
    }

    /// `del list[i]`: through `list_ass_slice`, which resizes, and frees the array of a list it empties
    /// (`_list_clear`), until 3.12; from 3.13 `list_ass_item_lock_held` only moves the items down and never
    /// shrinks the array [obs 3.13.0: a 20-item list emptied by `del l[0]` stays 248 bytes; `pop()` still
    /// shrinks it].
    pub fn list_del(&mut self, list: ObjId, index: i64) -> HeapResult<()> {
        let shrinks = self.profile.list_del_shrinks;
        let item = self.take_item(list, index, shrinks, shrinks)?;
        self.dec_root(item)
    }

    /// `list.clear()`: items released from the last to the first, then the item array freed.
    pub fn list_clear(&mut self, list: ObjId) -> HeapResult<()> {
        self.expect_kind(list, Kind::List)?;
        let items = std::mem::take(&mut self.objects[list.index as usize].refs);
        let array = self.detach_item_array(list);
        for e in items.into_iter().rev() {
            self.decref(e.target, Cause::Edge(list, e.label))?;
        }
        if array != 0 {
            self.alloc.free(array, &mut self.sink)?;
        }
        Ok(())
    }

    /// Items from `from` on take their new positions as labels, after an insertion or removal there.
    fn relabel_items(&mut self, seq: ObjId, from: usize) {
        let refs = &mut self.objects[seq.index as usize].refs;
        if from < refs.len() {
            relabel_edges(refs.iter_mut().skip(from), from as u32);
            self.sink.emit(Event::EdgesRelabeled { owner: seq, from: from as u32 });
        }
    }
}

/// Python's index rule: negative counts from the end; out of range is an `IndexError`.
pub(crate) fn normalize_index(index: i64, len: usize, what: &str) -> HeapResult<usize> {
    let i = if index < 0 { index + len as i64 } else { index };
    if i < 0 || i >= len as i64 {
        return Err(HeapError::Index(format!("list {what} out of range")));
    }
    Ok(i as usize)
}
