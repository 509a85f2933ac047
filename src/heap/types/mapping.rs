//! Hash containers: dict (an object plus a separately allocated keys table) and set (an inline 8-entry table
//! that moves out to its own block when it grows).

use crate::heap::core::Heap;
use crate::heap::error::{HeapError, HeapResult};
use crate::heap::events::{Cause, EdgeLabel, Event, EventSink};
use crate::heap::freelist::{DICT_GENERAL_KEYS, DICT_SPLIT};
use crate::heap::ids::ObjId;
use crate::heap::object::{Kind, relabel_edges};
use crate::heap::sizes::{self, DICT_MINSIZE, DICT_OBJECT, SET_MINSIZE, SET_OBJECT};
use crate::heap::values::Value;

impl Heap {
    /// `{}`: a dict object sharing the static empty keys (no keys block), untracked until it holds something
    /// that may be tracked (§3.1, `MAINTAIN_TRACKING`).
    pub fn new_dict(&mut self) -> HeapResult<ObjId> {
        let id = self.alloc_object(Kind::Dict, self.profile.sizes.gc_head + DICT_OBJECT, 0)?;
        self.dict_created(id)
    }

    fn dict_created(&mut self, id: ObjId) -> HeapResult<ObjId> {
        if self.profile.dicts_always_tracked {
            self.track(id);
        }
        self.note_size(id);
        Ok(id)
    }

    /// `dict()`, the type called: `dict_new` takes the object from `tp_alloc`, never the dict free list
    /// [obs 3.8-3.13: ten `dict()` after fifty `{}` were freed trace ten new 64-byte blocks; `{}` reuses them],
    /// and on 3.8/3.9 gives it a `PyDict_MINSIZE` keys table at once (`new_keys_object(PyDict_MINSIZE)`).
    pub fn new_dict_call(&mut self) -> HeapResult<ObjId> {
        let id = self.alloc_object_fresh(Kind::Dict, self.profile.sizes.gc_head + DICT_OBJECT, 0)?;
        if self.profile.dict_new_presized {
            self.reserve_dict_entry(id, 0, true)?;
        }
        self.dict_created(id)
    }

    /// Python equality for dict and set lookups: by value for atomic objects, by identity otherwise.
    pub fn py_eq(&self, a: ObjId, b: ObjId) -> bool {
        if a == b {
            return true;
        }
        match (self.values.get(&a.index), self.values.get(&b.index)) {
            (Some(x), Some(y)) => x.py_eq(y),
            _ => false,
        }
    }

    fn check_hashable(&self, key: ObjId) -> HeapResult<()> {
        match self.get(key)?.kind {
            k @ (Kind::List | Kind::Dict | Kind::Set) => {
                Err(HeapError::Type(format!("unhashable type: '{}'", k.type_name())))
            }
            _ => Ok(()),
        }
    }

    /// Entry position of `key` among a dict's or set's key edges: through the key index where the
    /// container has one (a dict's in constant time), by a scan otherwise.
    fn find_key(&self, container: ObjId, key: ObjId) -> Option<usize> {
        let refs = &self.objects[container.index as usize].refs;
        let is_key =
            |at: usize| refs.get(at).is_some_and(|e| matches!(e.label, EdgeLabel::Key(_)) && self.py_eq(e.target, key));
        match self.index_lookup(container, key) {
            Some(None) => return None,
            Some(Some(entry)) if self.objects[container.index as usize].kind == Kind::Dict => {
                let at = self.dict_key_position(container, entry);
                if is_key(at) {
                    return Some(at);
                }
            }
            _ => {}
        }
        (0..refs.len()).find(|&at| is_key(at))
    }

    /// `key in s` for a set or frozenset.
    pub fn set_contains(&self, set: ObjId, key: ObjId) -> HeapResult<bool> {
        self.get(set)?;
        Ok(match self.index_lookup(set, key) {
            Some(found) => found.is_some(),
            None => self.find_key(set, key).is_some(),
        })
    }

    /// `d[key] = value`.
    pub fn dict_set(&mut self, dict: ObjId, key: ObjId, value: ObjId) -> HeapResult<()> {
        self.expect_kind(dict, Kind::Dict)?;
        self.check_hashable(key)?;
        self.get(value)?;
        if self.objects[dict.index as usize].aux & DICT_SPLIT != 0 {
            // An instance's namespace dict: string keys are attribute names.
            let Some(Value::Str(s)) = self.values.get(&key.index) else {
                return Err(HeapError::Type("only str keys are simulated in an instance __dict__".into()));
            };
            let name = self.intern(&s.clone());
            return self.dict_set_attr(dict, name, value);
        }
        if let Some(k) = self.find_key(dict, key) {
            return self.replace_edge_at(dict, k + 1, value);
        }
        let used = self.objects[dict.index as usize].refs.len() as u32 / 2;
        let unicode = self.get(key)?.kind == Kind::Str;
        self.reserve_dict_entry(dict, used, unicode)?;
        let entry = self.dict_entries(dict);
        self.add_edge(dict, EdgeLabel::Key(entry), key)?;
        self.add_edge(dict, EdgeLabel::Value(entry), value)?;
        self.index_appended_key(dict, 2);
        self.bump_dict_entries(dict);
        if self.may_be_tracked(key) || self.may_be_tracked(value) {
            self.track(dict);
        }
        Ok(())
    }

    /// `_PyObject_GC_MAY_BE_TRACKED`: a GC object, except a tuple that is currently untracked.
    pub(crate) fn may_be_tracked(&self, id: ObjId) -> bool {
        let o = &self.objects[id.index as usize];
        o.kind.is_gc_type() && (o.kind != Kind::Tuple || o.is_tracked())
    }

    fn dict_entries(&self, dict: ObjId) -> u32 {
        self.dict_nentries.get(&dict.index).copied().unwrap_or(0)
    }

    fn bump_dict_entries(&mut self, dict: ObjId) {
        *self.dict_nentries.entry(dict.index).or_insert(0) += 1;
    }

    /// Make room for one more entry: a first keys table of `PyDict_MINSIZE`, or `insertion_resize` to
    /// `GROWTH_RATE` when the table is out of usable entries or (3.11+) a non-str key enters a unicode table.
    fn reserve_dict_entry(&mut self, dict: ObjId, used: u32, unicode_key: bool) -> HeapResult<()> {
        let aux = self.objects[dict.index as usize].aux;
        let (size, general) = (aux & !DICT_GENERAL_KEYS, aux & DICT_GENERAL_KEYS != 0);
        let general_now = general || (!unicode_key && self.profile.sizes.dict_unicode_entries);
        let nentries = self.dict_entries(dict);
        let new_size = if size == 0 {
            DICT_MINSIZE
        } else if nentries >= sizes::usable_fraction(size) || general_now != general {
            sizes::dict_grown_size(&self.profile, used)
        } else {
            return Ok(());
        };
        let nbytes = sizes::dict_keys_size(&self.profile, new_size, !general_now);
        let reuse = (new_size == DICT_MINSIZE && !general_now).then(|| self.reuse_keys()).flatten();
        let keys = match reuse {
            Some(k) => k,
            None => self.alloc.malloc(nbytes as usize, &mut self.sink)?,
        };
        let old = self.objects[dict.index as usize].extra;
        self.set_storage(dict, keys);
        let o = &mut self.objects[dict.index as usize];
        let old_aux = std::mem::replace(&mut o.aux, new_size | if general_now { DICT_GENERAL_KEYS } else { 0 });
        if old != 0 && !self.keep_keys(Kind::Dict, old_aux, old) {
            self.alloc.free(old, &mut self.sink)?;
        }
        // `dictresize` compacts: entries are renumbered and dummies vanish.
        self.forget_key_index(dict);
        let refs = &mut self.objects[dict.index as usize].refs;
        relabel_edges(refs.iter_mut(), 0);
        let next = refs.iter().filter(|e| matches!(e.label, EdgeLabel::Value(_))).count() as u32;
        self.sink.emit(Event::EdgesRelabeled { owner: dict, from: 0 });
        self.dict_nentries.insert(dict.index, next);
        self.note_size(dict);
        Ok(())
    }

    /// `d.get(key)`: a borrowed id, or `None`.
    pub fn dict_get(&self, dict: ObjId, key: ObjId) -> HeapResult<Option<ObjId>> {
        self.expect_kind(dict, Kind::Dict)?;
        Ok(self.find_key(dict, key).map(|k| self.objects[dict.index as usize].refs[k + 1].target))
    }

    /// `del d[key]`: the entry becomes a dummy (the table is not shrunk), key then value released.
    pub fn dict_del(&mut self, dict: ObjId, key: ObjId) -> HeapResult<()> {
        self.expect_kind(dict, Kind::Dict)?;
        let k = self.find_key(dict, key).ok_or_else(|| HeapError::Missing(format!("KeyError: {key}")))?;
        let gone = self.key_of(self.objects[dict.index as usize].refs[k].target);
        let refs = &mut self.objects[dict.index as usize].refs;
        let value = refs.remove(k + 1);
        let key_edge = refs.remove(k);
        // Entry numbers stay (the entry becomes a dummy), so the index stays in step.
        self.index_removed_key(dict, &gone, 2);
        self.decref(key_edge.target, Cause::Edge(dict, key_edge.label))?;
        self.decref(value.target, Cause::Edge(dict, value.label))
    }

    /// The keys of a dict (or set), in insertion order; borrowed ids.
    pub fn keys(&self, container: ObjId) -> HeapResult<Vec<ObjId>> {
        let o = self.get(container)?;
        Ok(o.refs.iter().filter(|e| matches!(e.label, EdgeLabel::Key(_))).map(|e| e.target).collect())
    }

    /// `set()`: the object with its inline 8-entry table, tracked.
    pub fn new_set(&mut self) -> HeapResult<ObjId> {
        let id = self.alloc_object(Kind::Set, self.profile.sizes.gc_head + SET_OBJECT, SET_MINSIZE)?;
        self.track(id);
        self.note_size(id);
        Ok(id)
    }

    /// `s.add(key)`; the table moves to an external block when `set_add_entry` decides to resize.
    pub fn set_add(&mut self, set: ObjId, key: ObjId) -> HeapResult<()> {
        self.expect_kind(set, Kind::Set)?;
        self.check_hashable(key)?;
        if self.set_contains(set, key)? {
            return Ok(());
        }
        let fill = self.dict_entries(set) + 1;
        let n = self.objects[set.index as usize].refs.len() as u32;
        self.add_edge(set, EdgeLabel::Key(fill - 1), key)?;
        self.index_appended_key(set, 1);
        self.bump_dict_entries(set);
        let table = self.objects[set.index as usize].aux;
        if let Some(new_table) = sizes::set_resize_after_insert(table, fill, n + 1) {
            let o = &self.objects[set.index as usize];
            let old = o.extra;
            let new =
                if new_table > SET_MINSIZE { self.alloc.malloc(16 * new_table as usize, &mut self.sink)? } else { 0 };
            if old != 0 {
                self.alloc.free(old, &mut self.sink)?;
            }
            self.set_storage(set, new);
            self.objects[set.index as usize].aux = new_table;
            self.dict_nentries.insert(set.index, n + 1);
            self.note_size(set);
        }
        Ok(())
    }

    /// `s.discard(key)`: leaves a dummy; the table never shrinks on removal.
    pub fn set_discard(&mut self, set: ObjId, key: ObjId) -> HeapResult<bool> {
        self.expect_kind(set, Kind::Set)?;
        let Some(k) = self.find_key(set, key) else { return Ok(false) };
        let gone = self.key_of(self.objects[set.index as usize].refs[k].target);
        // Taken out of the index first: removing the edge forgets an index not told.
        self.index_removed_key(set, &gone, 1);
        let index = self.key_index.remove(&set.index);
        self.remove_edge_at(set, k)?;
        if let Some(index) = index {
            self.key_index.insert(set.index, index);
        }
        Ok(true)
    }
}
