//! Iterator objects: what `iter(x)` and a `for` loop make. Each but `range_iterator` is a GC type and holds
//! a reference to what it iterates (`it_seq`, `di_dict`, `si_set`), which it drops once exhausted.

use crate::heap::core::Heap;
use crate::heap::error::{HeapError, HeapResult};
use crate::heap::events::EdgeLabel;
use crate::heap::ids::ObjId;
use crate::heap::object::Kind;
use crate::heap::sizes;
use crate::heap::values::Value;

impl Heap {
    /// `iter(source)` for a list, tuple, range, dict, set or str: a new iterator object.
    pub fn new_iterator(&mut self, source: ObjId) -> HeapResult<ObjId> {
        let kind = match self.get(source)?.kind() {
            Kind::List => Kind::ListIterator,
            Kind::Tuple => Kind::TupleIterator,
            Kind::Range => Kind::RangeIterator,
            Kind::Dict => Kind::DictKeyIterator,
            Kind::Set | Kind::FrozenSet => Kind::SetIterator,
            // unicode_iter: ASCII strs get their own iterator type from 3.11.
            Kind::Str => match self.values.get(&source.index) {
                Some(Value::Str(s)) if s.is_ascii() && self.profile.version >= crate::heap::PyVersion::V3_11 => {
                    Kind::StrAsciiIterator
                }
                _ => Kind::StrIterator,
            },
            k => return Err(HeapError::Type(format!("'{}' object is not iterable", k.type_name()))),
        };
        let id = self.alloc_object(kind, sizes::iterator_size(&self.profile, kind), 0)?;
        if kind.is_gc_type() {
            self.track(id);
        }
        if kind != Kind::RangeIterator {
            let label = EdgeLabel::Internal(self.intern("it_seq"));
            self.add_edge(id, label, source)?;
        }
        self.note_size(id);
        Ok(id)
    }

    /// An iterator ran out: it lets go of what it iterated (`listiter_next` sets `it_seq = NULL`).
    pub fn iterator_exhausted(&mut self, it: ObjId) -> HeapResult<()> {
        self.drop_edges(it, |_| true)
    }
}
