//! Functions, generators and weak references.

use crate::heap::core::Heap;
use crate::heap::error::{HeapError, HeapResult};
use crate::heap::events::{EdgeLabel, Event, EventSink};
use crate::heap::ids::ObjId;
use crate::heap::object::Kind;

impl Heap {
    /// A function object holding references to `captured` (its closure cells and defaults), tracked. Its code
    /// object, globals and name strings belong to the module and are not simulated.
    pub fn new_function(&mut self, captured: &[ObjId]) -> HeapResult<ObjId> {
        let id = self.alloc_object(Kind::Function, self.profile.sizes.function, 0)?;
        let closure = self.intern("__closure__");
        for &c in captured {
            self.add_edge(id, EdgeLabel::Internal(closure), c)?;
        }
        self.track(id);
        self.note_size(id);
        Ok(id)
    }

    /// A `cell` holding `contents`, tracked: the `__class__` cell of a class whose methods use `super()`
    /// (`__build_class__` fills it with the new class).
    pub fn new_cell(&mut self, contents: ObjId) -> HeapResult<ObjId> {
        self.get(contents)?;
        let id = self.alloc_object(Kind::Cell, self.profile.sizes.gc_head + crate::heap::sizes::CELL_OBJECT, 0)?;
        let name = self.intern("cell_contents");
        self.add_edge(id, EdgeLabel::Internal(name), contents)?;
        self.track(id);
        self.note_size(id);
        Ok(id)
    }

    /// `MAKE_FUNCTION` with a closure: the function's `__closure__` is a new tuple of `cells`.
    pub fn set_closure(&mut self, func: ObjId, cells: &[ObjId]) -> HeapResult<()> {
        self.expect_kind(func, Kind::Function)?;
        let closure = self.new_tuple(cells)?;
        let name = self.intern("__closure__");
        self.add_edge(func, EdgeLabel::Internal(name), closure)?;
        self.dec_root(closure)
    }

    /// `@staticmethod`, `@classmethod` or `@property` (`kind`) over `func`: the object a class's namespace
    /// holds instead of the function, tracked. From 3.10 `staticmethod` and `classmethod` copy the function's
    /// attributes, `__wrapped__` among them, into a `__dict__` of their own (`functools_wraps` in `sm_init` /
    /// `cm_init`) [obs 3.10-3.13: a dead class with one of each is 2 objects more for `gc.collect()` than on
    /// 3.8/3.9].
    pub fn new_wrapper(&mut self, kind: Kind, func: ObjId) -> HeapResult<ObjId> {
        self.expect_kind(func, Kind::Function)?;
        let size = crate::heap::sizes::wrapper_size(&self.profile, kind);
        let id = self.alloc_object(kind, size, 0)?;
        self.properties_made |= kind == Kind::Property;
        let field = self.intern(if kind == Kind::Property { "fget" } else { "__func__" });
        self.add_edge(id, EdgeLabel::Internal(field), func)?;
        if kind != Kind::Property && self.profile.version >= crate::heap::PyVersion::V3_10 {
            let dict = self.new_dict()?;
            let wrapped = self.intern("__wrapped__");
            self.dict_set_attr(dict, wrapped, func)?;
            self.add_edge(id, EdgeLabel::Dict, dict)?;
            self.dec_root(dict)?;
        }
        self.track(id);
        self.note_size(id);
        Ok(id)
    }

    /// The function a `staticmethod`, `classmethod` or `property` wraps.
    pub fn wrapped_function(&self, wrapper: ObjId) -> HeapResult<ObjId> {
        let o = self.get(wrapper)?;
        o.refs
            .iter()
            .find(|e| matches!(e.label, EdgeLabel::Internal(_)))
            .map(|e| e.target)
            .ok_or_else(|| HeapError::Type("not a method wrapper".into()))
    }

    /// A generator object whose frame holds `locals` (for a generator expression: the iterator it consumes),
    /// tracked.
    pub fn new_generator(&mut self, locals: &[ObjId]) -> HeapResult<ObjId> {
        let id = self.alloc_object(Kind::Generator, self.profile.sizes.generator, 0)?;
        if self.profile.sizes.generator_frame > 0 {
            let frame = self.alloc.malloc(self.profile.sizes.generator_frame as usize, &mut self.sink)?;
            self.set_storage(id, frame);
        }
        let frame = self.intern("gi_frame");
        for &c in locals {
            self.add_edge(id, EdgeLabel::Internal(frame), c)?;
        }
        self.track(id);
        self.note_size(id);
        Ok(id)
    }

    /// Whether `weakref.ref` accepts this object (`tp_weaklistoffset != 0`): instances of classes without
    /// `__slots__`, classes, functions, sets, generators.
    fn weakrefable(&self, target: ObjId) -> HeapResult<bool> {
        let o = self.get(target)?;
        Ok(match o.kind {
            Kind::Class | Kind::Function | Kind::Set | Kind::FrozenSet | Kind::Generator => true,
            Kind::Instance => {
                let class = self.class_of(target)?.expect("instance has a class");
                self.classes.get(&class.index).is_some_and(|c| c.spec.slots.is_none())
            }
            _ => false,
        })
    }

    /// `weakref.ref(target[, callback])`. Without a callback an existing plain ref is returned again, as
    /// CPython does; refs with callbacks are always new and queue after the plain ref (`insert_after`).
    pub fn new_weakref(&mut self, target: ObjId, callback: Option<ObjId>) -> HeapResult<ObjId> {
        if !self.weakrefable(target)? {
            let name = self.get(target)?.kind.type_name();
            return Err(HeapError::Type(format!("cannot create weak reference to '{name}' object")));
        }
        let list = self.weakrefs_to.get(&target.index).cloned().unwrap_or_default();
        let plain = list.first().copied().filter(|&w| self.callback_edge(w).is_none());
        if let (None, Some(w)) = (callback, plain) {
            self.inc_root(w)?;
            return Ok(w);
        }
        let id = self.alloc_object(Kind::WeakRef, self.profile.sizes.weakref, 0)?;
        if let Some(cb) = callback {
            let name = self.intern("__callback__");
            self.add_edge(id, EdgeLabel::Internal(name), cb)?;
        }
        self.track(id);
        self.note_size(id);
        self.weak_target.insert(id.index, target);
        self.sink.emit(Event::WeakrefNew { weakref: id, target });
        self.objects[target.index as usize].flags |= crate::heap::object::flags::WEAKLY_REFERENCED;
        let at = usize::from(callback.is_some() && plain.is_some());
        self.weakrefs_to.entry(target.index).or_default().insert(at, id);
        Ok(id)
    }

    /// Calling a weakref: its referent while alive (borrowed), else `None`.
    pub fn weakref_get(&self, weakref: ObjId) -> HeapResult<Option<ObjId>> {
        self.expect_kind(weakref, Kind::WeakRef)?;
        Ok(self.weak_target.get(&weakref.index).copied())
    }

    /// `weakref.getweakrefcount(obj)`.
    pub fn weakref_count(&self, target: ObjId) -> HeapResult<usize> {
        self.get(target)?;
        Ok(self.weakrefs_to.get(&target.index).map_or(0, Vec::len))
    }
}
