//! Dict and set lookups in constant time, as CPython's hash tables give: beside the key edges of a dict or
//! set with more than a few keys, an index from each key's value (atomic keys) or identity (the rest) to its
//! entry. It is only an accelerator: the edges stay the truth. The index is kept in step by the operations
//! that add and remove keys, dropped by any other change to the edges, and not used when the number of
//! edges is not the one it was kept for; lookups then scan the edges as before.

use crate::heap::core::Heap;
use crate::heap::events::EdgeLabel;
use crate::heap::ids::ObjId;
use crate::heap::object::Kind;
use crate::heap::values::Value;
use rustc_hash::FxHashMap;

/// Below this many keys a scan of the edges is as quick as an index, and costs no memory.
const INDEX_FROM: usize = 16;

/// What a key is equal to, hashable: Python's `==` for the atomic values heapscope keeps (`1 == 1.0`), or
/// the key object itself.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum KeyOf {
    Int(i128),
    Float(u64),
    Str(Box<str>),
    Bytes(u32),
    Range(i64, i64, i64),
    Identity(u32),
}

/// One container's index.
#[derive(Debug, Default)]
pub(crate) struct KeyIndex {
    /// Key to its entry number (a dict's `Key(entry)` label, which a deletion leaves alone) or, for a set,
    /// the key object's slot.
    entries: FxHashMap<KeyOf, u32>,
    /// The container's edge count the index is in step with ([`NOT_INDEXED`]: left to scans).
    edges: usize,
}

/// The edge count of a container whose edges are not all keys (and values) in order: never indexed.
const NOT_INDEXED: usize = usize::MAX;

/// The indexes of every indexed container, by slot.
pub(crate) type KeyIndexes = FxHashMap<u32, KeyIndex>;

impl Heap {
    /// What `key` equals, for the index.
    pub(crate) fn key_of(&self, key: ObjId) -> KeyOf {
        match self.values.get(&key.index) {
            Some(Value::Int(i)) => KeyOf::Int(*i),
            Some(Value::Float(f)) if f.fract() == 0.0 && f.abs() < 1e38 => KeyOf::Int(*f as i128),
            // NaN equals nothing but itself (by identity).
            Some(Value::Float(f)) if !f.is_nan() => KeyOf::Float(f.to_bits()),
            Some(Value::Str(s)) => KeyOf::Str(s.clone()),
            Some(Value::Bytes(n)) => KeyOf::Bytes(*n),
            Some(Value::Range(a, b, c)) => KeyOf::Range(*a, *b, *c),
            _ => KeyOf::Identity(key.index),
        }
    }

    /// The in-step index of `container`, if it has one.
    fn index_of(&self, container: ObjId) -> Option<&KeyIndex> {
        let index = self.key_index.get(&container.index)?;
        (index.edges == self.objects[container.index as usize].refs.len()).then_some(index)
    }

    /// What the index says of `key` in `container`: `None` without an in-step index, else the key's entry
    /// (a dict's entry number; a set's key slot) or `Some(None)` when it is not there.
    pub(crate) fn index_lookup(&self, container: ObjId, key: ObjId) -> Option<Option<u32>> {
        Some(self.index_of(container)?.entries.get(&self.key_of(key)).copied())
    }

    /// The position of a dict's key edge with entry number `entry`: its edges are key/value pairs in entry
    /// order (an indexed dict's always are), so a binary search finds it.
    pub(crate) fn dict_key_position(&self, dict: ObjId, entry: u32) -> usize {
        let refs = &self.objects[dict.index as usize].refs;
        let (mut lo, mut hi) = (0, refs.len() / 2);
        while lo < hi {
            let mid = (lo + hi) / 2;
            match refs[2 * mid].label {
                EdgeLabel::Key(e) if e < entry => lo = mid + 1,
                _ => hi = mid,
            }
        }
        2 * lo
    }

    /// After `appended` edges ending with a key (and, in a dict, its value) were added to `container`: keep
    /// its index in step, or build one once it holds [`INDEX_FROM`] keys.
    pub(crate) fn index_appended_key(&mut self, container: ObjId, appended: usize) {
        let edges = self.objects[container.index as usize].refs.len();
        match self.key_index.get(&container.index) {
            Some(i) if i.edges == NOT_INDEXED => {}
            Some(i) if i.edges + appended == edges => {
                let (key, entry) = self.entry_of(container, edges - appended);
                let index = self.key_index.get_mut(&container.index).expect("looked up above");
                index.entries.insert(key, entry);
                index.edges = edges;
            }
            _ if edges >= INDEX_FROM * appended => self.rebuild_key_index(container),
            _ => {}
        }
    }

    /// After `key` left `container`, whose edges shrank by `removed`: keep the index in step.
    pub(crate) fn index_removed_key(&mut self, container: ObjId, key: &KeyOf, removed: usize) {
        if let Some(index) = self.key_index.get_mut(&container.index)
            && index.edges != NOT_INDEXED
        {
            index.entries.remove(key);
            index.edges -= removed;
        }
    }

    /// Forget `container`'s index: its edges changed in a way the index does not follow. Called on the hot
    /// paths (every freed object, every cleared one), so other kinds cost one load.
    pub(crate) fn forget_key_index(&mut self, container: ObjId) {
        let kind = self.objects[container.index as usize].kind;
        if !self.key_index.is_empty() && matches!(kind, Kind::Dict | Kind::Set | Kind::FrozenSet) {
            self.key_index.remove(&container.index);
        }
    }

    /// The index entry of the key edge at `at`.
    fn entry_of(&self, container: ObjId, at: usize) -> (KeyOf, u32) {
        let edge = self.objects[container.index as usize].refs[at];
        let entry = match (self.objects[container.index as usize].kind, edge.label) {
            (Kind::Dict, EdgeLabel::Key(e)) => e,
            _ => edge.target.index,
        };
        (self.key_of(edge.target), entry)
    }

    /// Index every key of `container`. A dict whose edges are not plain key/value pairs in entry order (an
    /// instance's namespace) and a set with other edges are marked as left to scans.
    fn rebuild_key_index(&mut self, container: ObjId) {
        let o = &self.objects[container.index as usize];
        let indexable = match o.kind {
            Kind::Dict => {
                let mut last = None;
                o.refs.chunks(2).all(|pair| match (pair[0].label, pair.get(1).map(|e| e.label)) {
                    (EdgeLabel::Key(e), Some(EdgeLabel::Value(v))) if e == v && last.is_none_or(|l| l < e) => {
                        last = Some(e);
                        true
                    }
                    _ => false,
                })
            }
            _ => o.refs.iter().all(|e| matches!(e.label, EdgeLabel::Key(_))),
        };
        let mut index = KeyIndex { entries: FxHashMap::default(), edges: NOT_INDEXED };
        if indexable {
            for at in 0..o.refs.len() {
                if matches!(o.refs[at].label, EdgeLabel::Key(_)) {
                    let (key, entry) = self.entry_of(container, at);
                    index.entries.insert(key, entry);
                }
            }
            index.edges = self.objects[container.index as usize].refs.len();
        }
        self.key_index.insert(container.index, index);
    }

    /// Every in-step index agrees with its container's edges: each key found at its own edge, no other.
    pub(crate) fn check_key_indexes(&self) -> Result<(), String> {
        for (&slot, index) in &self.key_index {
            let o = &self.objects[slot as usize];
            if !o.live || index.edges != o.refs.len() {
                continue;
            }
            let id = ObjId { index: slot, generation: o.slot_gen };
            let keys: Vec<usize> =
                (0..o.refs.len()).filter(|&at| matches!(o.refs[at].label, EdgeLabel::Key(_))).collect();
            if keys.len() != index.entries.len() {
                return Err(format!("{id}'s key index has {} keys, its edges {}", index.entries.len(), keys.len()));
            }
            for at in keys {
                let (key, entry) = self.entry_of(id, at);
                if index.entries.get(&key) != Some(&entry) {
                    return Err(format!("{id}'s key index does not find the key at edge {at}"));
                }
            }
        }
        Ok(())
    }
}
