//! Classes and their instances: where attribute values live depends on the profile's [`InstanceLayout`]
//! (§4.4), and instance sizes depend on the class's shared keys (`ht_cached_keys`).

use crate::heap::core::Heap;
use crate::heap::error::{HeapError, HeapResult};
use crate::heap::events::{EdgeLabel, Event, EventSink};
use crate::heap::freelist::DICT_SPLIT;
use crate::heap::ids::{Name, ObjId};
use crate::heap::object::{Kind, flags};
use crate::heap::profile::InstanceLayout;
use crate::heap::sizes::{self, DICT_MINSIZE, DICT_OBJECT};
use crate::heap::statics::StaticKey;
use crate::heap::values::{ClassInfo, ClassSpec, SHARED_KEYS_MAX_SIZE};

/// `_Py_SIZE_ROUND_UP(n, sizeof(PyObject *))`.
fn round8(n: u32) -> u32 {
    n.div_ceil(8) * 8
}

impl Heap {
    /// `class Name: ...`: the type object plus what CPython creates with it (§3.5 "a class that dies
    /// contributes 5 objects"): its `__dict__`, its `__mro__` tuple, and the descriptors that point back at it
    /// (`descr_new` keeps `d_type`): the `__dict__` / `__weakref__` getsets of a plain class, or one member
    /// descriptor per `__slots__` name [obs 3.8-3.13: `sys.getrefcount(C)` is 4 with one slot, 6 with three,
    /// 5 for a plain class]. Only a class whose instances have a `__dict__` gets cached shared keys
    /// (`ht_cached_keys`). The type lives in a cycle, so only the cycle GC frees it.
    ///
    /// With a base (`class C(B)`), `type_new` also keeps `tp_base` and the `__bases__` tuple, and the
    /// `__mro__` tuple holds the base's MRO after the class: each is a reference to `B`
    /// [obs 3.8-3.15: `sys.getrefcount(B)` goes from 5 to 8]. A subclass of a class with a `__dict__` adds no
    /// `__dict__` / `__weakref__` getsets of its own (`type_new_descriptors`: `add_dict` only when the base
    /// has none) [obs: a dead `class C(B): pass` is 3 objects for `gc.collect()` on 3.8-3.13 — type, `__mro__`,
    /// `__bases__`; its dict holds no tracked value, so it is untracked there].
    pub fn new_class(&mut self, name: &str, spec: ClassSpec) -> HeapResult<ObjId> {
        let name = self.intern(name);
        let own_slots = spec.slots.clone();
        let spec = self.inherit(spec)?;
        let descr_size = self.profile.sizes.getset_descriptor;
        let class = self.alloc_object(Kind::Class, sizes::type_alloc_size(&self.profile), 0)?;
        if self.instances_have_dict(&spec) {
            let keys = self.alloc.malloc(sizes::shared_keys_size(&self.profile) as usize, &mut self.sink)?;
            self.set_storage(class, keys);
        }
        self.track(class);
        let base = spec.base;
        self.classes
            .insert(class.index, ClassInfo { name, spec, shared_keys: Vec::new(), keys_usable: SHARED_KEYS_MAX_SIZE });
        let dict = self.new_dict()?;
        // `(C, B, ..., object)` and `(B,)`, or `(object,)` for a class without a base.
        let object = self.static_object(StaticKey::ObjectType);
        let mro_items: Vec<ObjId> = std::iter::once(class)
            .chain(base.iter().flat_map(|&b| self.mro(b)))
            .chain(std::iter::once(object))
            .collect();
        let mro = self.new_tuple(&mro_items)?;
        self.add_edge(class, EdgeLabel::Dict, dict)?;
        self.dec_root(dict)?;
        let mro_name = self.intern("__mro__");
        self.add_edge(class, EdgeLabel::Internal(mro_name), mro)?;
        self.dec_root(mro)?;
        if let Some(base) = base {
            let base_name = self.intern("__base__");
            self.add_edge(class, EdgeLabel::Internal(base_name), base)?;
        }
        let bases = self.new_tuple(&[base.unwrap_or(object)])?;
        if base.is_none() && self.profile.class_bases_untracked {
            self.untrack(bases);
        }
        let bases_name = self.intern("__bases__");
        self.add_edge(class, EdgeLabel::Internal(bases_name), bases)?;
        self.dec_root(bases)?;
        self.dec_root(object)?;
        let descriptors = match own_slots {
            None if base.is_some() => Vec::new(),
            None if self.profile.shared_object_getsets => {
                // 3.15: the namespace holds `object`'s own getsets, which do not point back at the class
                // [obs Pyodide 3.15.0rc1: `C.__dict__['__dict__'].__objclass__` is object, the same for every
                // class, and `sys.getrefcount(C)` of a plain class is 3; 5 on 3.14.2].
                for (attr, weakref) in [("__dict__", false), ("__weakref__", true)] {
                    let shared = self.static_object(StaticKey::ObjectGetset(weakref));
                    let attr = self.intern(attr);
                    self.dict_set_attr(dict, attr, shared)?;
                    self.dec_root(shared)?;
                }
                Vec::new()
            }
            None => vec![self.intern("__dict__"), self.intern("__weakref__")],
            Some(slots) => slots,
        };
        for attr in descriptors {
            let descr = self.alloc_object(Kind::Descriptor, descr_size, 0)?;
            self.track(descr);
            let objclass = self.intern("__objclass__");
            self.add_edge(descr, EdgeLabel::Internal(objclass), class)?;
            self.note_size(descr);
            self.dict_set_attr(dict, attr, descr)?;
            self.dec_root(descr)?;
        }
        self.note_size(class);
        Ok(class)
    }

    /// A class's spec with what it inherits from its base: the base's slots before its own, and its
    /// finalizers. Only chains that are all `__slots__` or all `__dict__` are simulated: mixing them puts
    /// slots and a managed dict in one object, whose layout differs per version (3.13 gives such a subclass no
    /// inline values [obs 3.13.0: 56-byte instance, 280 bytes traced for its first attributes]).
    fn inherit(&self, mut spec: ClassSpec) -> HeapResult<ClassSpec> {
        let Some(base) = spec.base else { return Ok(spec) };
        self.expect_kind(base, Kind::Class)?;
        let inherited = &self.classes[&base.index].spec;
        match (&inherited.slots, spec.slots.take()) {
            (None, None) => {}
            (Some(theirs), Some(own)) => spec.slots = Some(theirs.iter().copied().chain(own).collect()),
            _ => {
                return Err(HeapError::NotSimulated(
                    "a subclass that mixes `__slots__` with a `__dict__` (one of the two classes has `__slots__`, \
                     the other not) is not simulated yet"
                        .into(),
                ));
            }
        }
        spec.has_del |= inherited.has_del;
        spec.legacy_del |= inherited.legacy_del;
        Ok(spec)
    }

    /// A class's method resolution order: the class, then its bases (single inheritance), `object` left out.
    pub fn mro(&self, class: ObjId) -> impl Iterator<Item = ObjId> + '_ {
        std::iter::successors(Some(class), |c| self.classes.get(&c.index).and_then(|i| i.spec.base))
    }

    /// `issubclass(class, of)`.
    pub fn is_subclass(&self, class: ObjId, of: ObjId) -> bool {
        self.mro(class).any(|c| c == of)
    }

    /// Whether a class's instances get a `__dict__`: no `__slots__`, or `"__dict__"` among them.
    pub(crate) fn instances_have_dict(&self, spec: &ClassSpec) -> bool {
        let dict = self.name_index.get("__dict__");
        spec.slots.as_ref().is_none_or(|s| dict.is_some_and(|d| s.contains(d)))
    }

    /// `Class()`: a new instance, tracked, holding a reference to its class.
    pub fn new_instance(&mut self, class: ObjId) -> HeapResult<ObjId> {
        self.expect_kind(class, Kind::Class)?;
        let sz = self.profile.sizes;
        let layout = self.profile.instance_layout;
        let info = self.classes.get_mut(&class.index).ok_or_else(|| HeapError::Type("not a class".into()))?;
        let gc = sz.gc_head;
        let (block, values, capacity) = match (&info.spec.slots, layout) {
            (Some(slots), _) => (gc + 16 + 8 * slots.len() as u32, 0, 0),
            (None, InstanceLayout::SeparateDict) => (gc + sz.instance_basic, 0, 0),
            (None, InstanceLayout::ValuesArray) => {
                // `init_inline_values` (3.11/3.12): shrink dk_usable, then size the values array
                // `new_values(size)`: `_Py_SIZE_ROUND_UP(size + 2, 8) + size * 8` (Objects/dictobject.c).
                if info.keys_usable > 1 {
                    info.keys_usable -= 1;
                }
                let size = info.shared_keys.len() as u32 + info.keys_usable;
                (gc + sz.preheader + sz.instance_basic, round8(size + 2) + 8 * size, size)
            }
            (None, InstanceLayout::InlineValues) => {
                // 3.13: the object is allocated with `_PyInlineValuesSize` computed before
                // `_PyObject_InitInlineValues` shrinks dk_usable: `round_up(size, 8) + (size + 1) * 8`.
                let size = info.shared_keys.len() as u32 + info.keys_usable;
                if info.keys_usable > 1 {
                    info.keys_usable -= 1;
                }
                let capacity = info.shared_keys.len() as u32 + info.keys_usable;
                (gc + sz.preheader + sz.instance_basic + round8(size) + 8 * (size + 1), 0, capacity)
            }
        };
        let expected_edges = 1 + info.spec.slots.as_ref().map_or(info.shared_keys.len(), Vec::len);
        let finalizer = if info.spec.legacy_del {
            flags::HAS_FINALIZER | flags::LEGACY_FINALIZER
        } else if info.spec.has_del {
            flags::HAS_FINALIZER
        } else {
            0
        };
        let id = self.alloc_object(Kind::Instance, block, capacity)?;
        // One allocation for the type edge and the attributes instances of this class usually get.
        let o = &mut self.objects[id.index as usize];
        o.refs.reserve_exact(expected_edges);
        o.flags |= finalizer;
        if values > 0 {
            let block = self.alloc.malloc(values as usize, &mut self.sink)?;
            self.set_storage(id, block);
        }
        self.add_edge(id, EdgeLabel::Type, class)?;
        self.track(id);
        self.note_size(id);
        Ok(id)
    }

    /// The class of an instance.
    pub fn class_of(&self, obj: ObjId) -> HeapResult<Option<ObjId>> {
        let o = self.get(obj)?;
        Ok(o.refs.iter().find(|e| e.label == EdgeLabel::Type).map(|e| e.target))
    }

    /// `setattr(obj, name, value)`.
    pub fn set_attr(&mut self, obj: ObjId, name: &str, value: ObjId) -> HeapResult<()> {
        self.get(value)?;
        let attr = self.intern(name);
        let kind = self.get(obj)?.kind;
        match kind {
            Kind::Instance => match self.read_only_property(obj, attr, "set") {
                Some(e) => Err(e),
                None => self.set_instance_attr(obj, attr, value),
            },
            Kind::Class => {
                let dict = self.attr_dict(obj).expect("a class has a __dict__");
                self.dict_set_attr(dict, attr, value)
            }
            k => Err(self.no_attr(k.type_name(), attr)),
        }
    }

    fn no_attr(&self, type_name: &str, attr: Name) -> HeapError {
        HeapError::Missing(format!("AttributeError: '{type_name}' object has no attribute '{}'", self.name(attr)))
    }

    fn instance_type_name(&self, obj: ObjId) -> String {
        let class = self.class_of(obj).ok().flatten();
        class.and_then(|c| self.classes.get(&c.index)).map_or("object".into(), |c| self.name(c.name).to_string())
    }

    /// The `__dict__` object of an instance or class, if it has one.
    fn attr_dict(&self, obj: ObjId) -> Option<ObjId> {
        self.objects[obj.index as usize].refs.iter().find(|e| e.label == EdgeLabel::Dict).map(|e| e.target)
    }

    /// Set `attr` in a namespace dict (a class `__dict__` or an instance's materialized dict).
    pub(crate) fn dict_set_attr(&mut self, dict: ObjId, attr: Name, value: ObjId) -> HeapResult<()> {
        match self.edge_index(dict, EdgeLabel::Attr(attr)) {
            Some(i) => self.replace_edge_at(dict, i, value)?,
            None => self.add_edge(dict, EdgeLabel::Attr(attr), value)?,
        }
        if self.may_be_tracked(value) {
            self.track(dict);
        }
        Ok(())
    }

    fn set_instance_attr(&mut self, obj: ObjId, attr: Name, value: ObjId) -> HeapResult<()> {
        let class = self.class_of(obj)?.expect("an instance has a type edge");
        let info = &self.classes[&class.index];
        if let Some(slots) = &info.spec.slots {
            if !slots.contains(&attr) {
                return Err(self.no_attr(&self.instance_type_name(obj), attr));
            }
            return match self.edge_index(obj, EdgeLabel::Attr(attr)) {
                Some(i) => self.replace_edge_at(obj, i, value),
                None => self.add_edge(obj, EdgeLabel::Attr(attr), value),
            };
        }
        let layout = self.profile.instance_layout;
        let inline_valid = layout == InstanceLayout::InlineValues && self.objects[obj.index as usize].aux != 0;
        if let Some(dict) = self.attr_dict(obj).filter(|_| !inline_valid) {
            if layout == InstanceLayout::SeparateDict {
                self.note_shared_key(class, attr);
                self.grow_split_values(dict, attr)?;
            }
            return self.dict_set_attr(dict, attr, value);
        }
        if let Some(i) = self.edge_index(obj, EdgeLabel::Attr(attr)) {
            return self.replace_edge_at(obj, i, value);
        }
        match self.profile.instance_layout {
            InstanceLayout::SeparateDict => {
                let dict = self.new_instance_dict(class)?;
                self.add_edge(obj, EdgeLabel::Dict, dict)?;
                self.dec_root(dict)?;
                self.note_shared_key(class, attr);
                self.dict_set_attr(dict, attr, value)
            }
            InstanceLayout::ValuesArray | InstanceLayout::InlineValues => {
                // `_PyObject_StoreInstanceAttribute`: insert into the shared keys if they have room and the
                // index fits this object's values; otherwise materialize a dict (DKIX_EMPTY).
                let capacity = self.objects[obj.index as usize].aux;
                let info = self.classes.get_mut(&class.index).expect("class info");
                let ix = match info.shared_keys.iter().position(|&k| k == attr) {
                    Some(ix) => Some(ix as u32),
                    None if info.keys_usable > 0 => {
                        info.keys_usable -= 1;
                        info.shared_keys.push(attr);
                        Some(info.shared_keys.len() as u32 - 1)
                    }
                    None => None,
                };
                match ix {
                    Some(ix) if ix < capacity => self.add_edge(obj, EdgeLabel::Attr(attr), value),
                    _ => {
                        let dict = match self.attr_dict(obj) {
                            Some(d) => d,
                            None => self.materialize_dict(obj)?,
                        };
                        if layout == InstanceLayout::InlineValues {
                            // The inline values no longer fit: they move into the dict and become invalid.
                            self.move_attrs(obj, dict);
                            self.objects[obj.index as usize].aux = 0;
                        }
                        self.dict_set_attr(dict, attr, value)
                    }
                }
            }
        }
    }

    fn note_shared_key(&mut self, class: ObjId, attr: Name) {
        let info = self.classes.get_mut(&class.index).expect("class info");
        if !info.shared_keys.contains(&attr) {
            info.shared_keys.push(attr);
        }
    }

    /// A 3.8/3.10 split-table instance dict: the dict object plus a values array of
    /// `USABLE_FRACTION(keys size)` pointers, sized from the class's shared keys (`new_dict_with_shared_keys`).
    fn new_instance_dict(&mut self, class: ObjId) -> HeapResult<ObjId> {
        let known = self.classes[&class.index].shared_keys.len() as u32 + 1;
        let mut size = DICT_MINSIZE;
        while sizes::usable_fraction(size) < known {
            size <<= 1;
        }
        let dict = self.alloc_object(Kind::Dict, self.profile.sizes.gc_head + DICT_OBJECT, 0)?;
        let n = sizes::usable_fraction(size);
        let values = self.alloc.malloc(8 * n as usize, &mut self.sink)?;
        self.set_storage(dict, values);
        self.objects[dict.index as usize].aux = DICT_SPLIT | n;
        self.note_size(dict);
        Ok(dict)
    }

    /// A split dict whose values array is full grows it to the next table's usable size before a new name
    /// goes in (3.8/3.10 resize the shared keys the same way).
    fn grow_split_values(&mut self, dict: ObjId, attr: Name) -> HeapResult<()> {
        let o = &self.objects[dict.index as usize];
        let (aux, values) = (o.aux, o.extra);
        let used = o.refs.len() as u32;
        if aux & DICT_SPLIT == 0 || o.refs.iter().any(|e| e.label == EdgeLabel::Attr(attr)) || used < aux & !DICT_SPLIT
        {
            return Ok(());
        }
        let mut size = DICT_MINSIZE;
        while sizes::usable_fraction(size) <= used {
            size <<= 1;
        }
        let n = sizes::usable_fraction(size);
        let values = self.alloc.realloc(values, 8 * n as usize, &mut self.sink)?;
        self.set_storage(dict, values);
        self.objects[dict.index as usize].aux = DICT_SPLIT | n;
        self.note_size(dict);
        Ok(())
    }

    /// `obj.__dict__`: the instance's dict, created (3.8/3.10) or materialized (3.11+) on first access; a
    /// borrowed id.
    pub fn instance_dict(&mut self, obj: ObjId) -> HeapResult<ObjId> {
        self.expect_kind(obj, Kind::Instance)?;
        if let Some(dict) = self.attr_dict(obj) {
            return Ok(dict);
        }
        let class = self.class_of(obj)?.expect("an instance has a type edge");
        if self.classes[&class.index].spec.slots.is_some() {
            let type_name = self.instance_type_name(obj);
            return Err(HeapError::Missing(format!(
                "AttributeError: '{type_name}' object has no attribute '__dict__'"
            )));
        }
        if self.profile.instance_layout == InstanceLayout::SeparateDict {
            let dict = self.new_instance_dict(class)?;
            self.add_edge(obj, EdgeLabel::Dict, dict)?;
            self.dec_root(dict)?;
            return Ok(dict);
        }
        self.materialize_dict(obj)
    }

    /// Give a 3.11+ instance a real dict (on `__dict__` access, or when the shared keys cannot take a new
    /// name). On 3.11/3.12 the dict takes over the values array and the values; on 3.13 the values stay inline
    /// and the dict refers to them, so the GC visits them through the instance and never the dict
    /// (`PyObject_VisitManagedDict`, the §3.5 footnote). Either way `getsizeof(dict)` counts the shared keys' usable size in pointers
    /// (`shared_keys_usable_size`) [obs: 96 for a warm 3-attribute class].
    fn materialize_dict(&mut self, obj: ObjId) -> HeapResult<ObjId> {
        let dict = self.new_dict()?;
        let class = self.class_of(obj)?.expect("an instance has a type edge");
        let info = &self.classes[&class.index];
        let usable = info.shared_keys.len() as u32 + info.keys_usable;
        self.objects[dict.index as usize].aux = DICT_SPLIT | usable;
        self.note_size(dict);
        if self.profile.instance_layout == InstanceLayout::ValuesArray {
            let values = self.objects[obj.index as usize].extra;
            self.set_storage(obj, 0);
            self.set_storage(dict, values);
            self.move_attrs(obj, dict);
        }
        self.add_edge(obj, EdgeLabel::Dict, dict)?;
        self.dec_root(dict)?;
        Ok(dict)
    }

    /// Move an instance's attribute edges (its values) into its dict; reference counts do not change.
    fn move_attrs(&mut self, obj: ObjId, dict: ObjId) {
        let refs = std::mem::take(&mut self.objects[obj.index as usize].refs);
        let mut kept = thin_vec::ThinVec::new();
        let mut attrs = Vec::new();
        for e in refs {
            if matches!(e.label, EdgeLabel::Attr(_)) {
                // It leaves from just after the edges kept so far.
                self.sink.emit(Event::EdgeDetach { owner: obj, index: kept.len() as u32 });
                attrs.push(e);
            } else {
                kept.push(e);
            }
        }
        self.objects[obj.index as usize].refs = kept;
        self.forget_key_index(dict);
        for e in &attrs {
            self.objects[dict.index as usize].push_edge(*e);
            self.sink.emit(Event::EdgeAttach { owner: dict, edge: *e });
        }
        if attrs.iter().any(|e| self.may_be_tracked(e.target)) {
            self.track(dict);
        }
    }

    /// `getattr(obj, name)`: the instance's own value, else the class's; a borrowed id.
    pub fn get_attr(&self, obj: ObjId, name: &str) -> HeapResult<ObjId> {
        let kind = self.get(obj)?.kind;
        let attr = self.name_index.get(name).copied();
        // A descriptor found on the class is the instance's own slot or `__dict__`, not a value: unset, the
        // slot raises AttributeError as CPython's member descriptor does.
        let value = |id: &ObjId| self.objects[id.index as usize].kind != Kind::Descriptor;
        let found = attr.and_then(|attr| match kind {
            Kind::Instance => self.own_attr(obj, attr).or_else(|| {
                let class = self.class_of(obj).ok().flatten()?;
                self.class_attr(class, attr).filter(value)
            }),
            Kind::Class => self.class_attr(obj, attr),
            _ => None,
        });
        found.ok_or_else(|| {
            let type_name = if kind == Kind::Instance { self.instance_type_name(obj) } else { kind.type_name().into() };
            HeapError::Missing(format!("AttributeError: '{type_name}' object has no attribute '{name}'"))
        })
    }

    /// An instance's own `attr`: a slot or inline value, else an entry of its `__dict__`.
    fn own_attr(&self, obj: ObjId, attr: Name) -> Option<ObjId> {
        let find = |holder: ObjId| {
            self.objects[holder.index as usize].refs.iter().find(|e| e.label == EdgeLabel::Attr(attr)).map(|e| e.target)
        };
        find(obj).or_else(|| find(self.attr_dict(obj)?))
    }

    /// `attr` in the namespace of `class` or the first of its bases that has it.
    fn class_attr(&self, class: ObjId, attr: Name) -> Option<ObjId> {
        self.mro(class).find_map(|c| self.own_attr(c, attr))
    }

    /// A `property` without a setter (or deleter) that the class of instance `obj` has for `attr`: a data
    /// descriptor, so it wins over the instance's dict, and the error CPython gives per version
    /// [obs: "can't set attribute" on 3.8/3.9, "can't set attribute 'p'" on 3.10, "property 'p' of 'K'
    /// object has no setter" from 3.11; "delete" / "deleter" alike].
    fn read_only_property(&self, obj: ObjId, attr: Name, action: &str) -> Option<HeapError> {
        if !self.properties_made {
            return None;
        }
        let held = self.class_attr(self.class_of(obj).ok().flatten()?, attr)?;
        if self.objects[held.index as usize].kind != Kind::Property {
            return None;
        }
        let name = self.name(attr);
        let text = match self.profile.version {
            v if v < crate::heap::PyVersion::V3_10 => format!("can't {action} attribute"),
            crate::heap::PyVersion::V3_10 => format!("can't {action} attribute '{name}'"),
            _ => {
                let what = if action == "set" { "setter" } else { "deleter" };
                format!("property '{name}' of '{}' object has no {what}", self.instance_type_name(obj))
            }
        };
        Some(HeapError::Missing(format!("AttributeError: {text}")))
    }

    /// `delattr(obj, name)`.
    pub fn del_attr(&mut self, obj: ObjId, name: &str) -> HeapResult<()> {
        self.get(obj)?;
        let attr = self.intern(name);
        if let Some(e) = self.read_only_property(obj, attr, "delete") {
            return Err(e);
        }
        let holder = match self.edge_index(obj, EdgeLabel::Attr(attr)) {
            Some(_) => obj,
            None => self.attr_dict(obj).unwrap_or(obj),
        };
        match self.edge_index(holder, EdgeLabel::Attr(attr)) {
            Some(i) => self.remove_edge_at(holder, i).map(|_| ()),
            None => {
                let type_name = self.instance_type_name(obj);
                Err(self.no_attr(&type_name, attr))
            }
        }
    }
}
