//! What the collector sees of each object: `tp_traverse` (which referents, in which order) and `tp_clear`
//! (which references it drops to break a cycle), per type, as in CPython's `Objects/*.c`.

use crate::heap::core::Heap;
use crate::heap::error::HeapResult;
use crate::heap::events::{Cause, EdgeLabel};
use crate::heap::freelist::DICT_GENERAL_KEYS;
use crate::heap::ids::ObjId;
use crate::heap::object::{Edge, Kind};
use crate::heap::profile::InstanceLayout;

impl Heap {
    /// `tp_traverse`: the referents the GC visits, in CPython's visit order (`gc.get_referents`):
    /// 1. list and tuple items from the last to the first (`list_traverse`, `tupletraverse`);
    /// 2. dicts: values only for str-keyed tables, value then key otherwise (`dict_traverse`);
    /// 3. instances: slots or attribute values, then `__dict__`, then the type (`subtype_traverse`); a 3.13
    ///    instance whose inline values are valid visits them and not its materialized dict
    ///    (`PyObject_VisitManagedDict`);
    /// 4. classes: `__dict__` then `__mro__` (`type_traverse`); weakrefs: only the callback (`gc_traverse`).
    pub fn traverse(&self, id: ObjId) -> HeapResult<Vec<ObjId>> {
        let mut out = Vec::new();
        self.traverse_into(id, &mut out)?;
        Ok(out)
    }

    /// [`Heap::traverse`] into a caller's buffer (cleared first), so the collector allocates nothing per object.
    pub(crate) fn traverse_into(&self, id: ObjId, out: &mut Vec<ObjId>) -> HeapResult<()> {
        out.clear();
        let o = self.get(id)?;
        let mut push = |f: &dyn Fn(&Edge) -> bool| out.extend(o.refs.iter().filter(|e| f(e)).map(|e| e.target));
        match o.kind {
            Kind::List | Kind::Tuple => out.extend(o.refs.iter().rev().map(|e| e.target)),
            Kind::Dict if o.aux & DICT_GENERAL_KEYS != 0 => {
                for pair in o.refs.chunks(2) {
                    out.extend(pair.iter().rev().map(|e| e.target));
                }
            }
            Kind::Dict => push(&|e| !matches!(e.label, EdgeLabel::Key(_))),
            Kind::Instance => {
                // 3.13/3.14 visit the valid inline values instead of a materialized dict; 3.15 visits the dict.
                let inline_valid = self.profile.instance_layout == InstanceLayout::InlineValues
                    && o.aux != 0
                    && self.profile.inline_values_hide_dict;
                let (mut dict, mut class) = (None, None);
                for e in o.refs.iter() {
                    match e.label {
                        EdgeLabel::Attr(_) => out.push(e.target),
                        EdgeLabel::Dict if !inline_valid => dict = Some(e.target),
                        EdgeLabel::Type => class = Some(e.target),
                        _ => {}
                    }
                }
                out.extend(dict.into_iter().chain(class));
            }
            Kind::WeakRef => out.extend(self.callback_edge(id).map(|i| o.refs[i].target)),
            k if k.is_gc_type() => out.extend(o.refs.iter().map(|e| e.target)),
            _ => {}
        }
        Ok(())
    }

    /// `tp_clear`: drop the references that can form cycles. Tuples and descriptors have none to drop; a class
    /// empties its `__dict__` and drops `__mro__` (`type_clear`); an instance drops everything but its type
    /// (`subtype_clear`); containers empty themselves.
    pub(crate) fn tp_clear(&mut self, id: ObjId) -> HeapResult<()> {
        let kind = self.get(id)?.kind;
        match kind {
            Kind::List => self.list_clear(id),
            Kind::Tuple | Kind::Descriptor => Ok(()),
            Kind::Class => {
                if let Some(i) = self.edge_index(id, EdgeLabel::Dict) {
                    let dict = self.objects[id.index as usize].refs[i].target;
                    self.drop_edges(dict, |_| true)?;
                }
                let mro = self.intern("__mro__");
                self.drop_edges(id, |e| e.label == EdgeLabel::Internal(mro))
            }
            Kind::Instance => self.drop_edges(id, |e| e.label != EdgeLabel::Type),
            k if k.is_gc_type() => self.drop_edges(id, |_| true),
            _ => Ok(()),
        }
    }

    /// Remove the edges of `id` that `which` selects, releasing each in order.
    pub(crate) fn drop_edges(&mut self, id: ObjId, which: impl Fn(&Edge) -> bool) -> HeapResult<()> {
        // A reused buffer: the collector clears hundreds of thousands of objects in a row.
        let mut gone = std::mem::take(&mut self.edge_scratch);
        gone.clear();
        self.forget_key_index(id);
        self.objects[id.index as usize].refs.retain(|e| {
            let drop = which(e);
            if drop {
                gone.push(*e);
            }
            !drop
        });
        if self.get(id)?.kind == Kind::WeakRef {
            self.clear_weakref(id);
        }
        let mut result = Ok(());
        for e in gone.drain(..) {
            if result.is_ok() {
                result = self.decref(e.target, Cause::GcClear(id));
            }
        }
        self.edge_scratch = gone;
        result
    }
}
