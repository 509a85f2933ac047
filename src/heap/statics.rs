//! Statically allocated singletons: None, True, False, the small ints -5..=256, `''`, one-character strings,
//! `()` and `b''`. They own no pymalloc block; how they count references depends on the profile (§2.1-2.2).

use super::core::Heap;
use super::events::{Event, EventSink};
use super::ids::ObjId;
use super::object::{Kind, flags};
use super::values::Value;
use rustc_hash::FxHashMap as HashMap;

/// Which singleton.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum StaticKey {
    /// `None`.
    None,
    /// `True` or `False`.
    Bool(bool),
    /// A cached small int (`_PY_NSMALLNEGINTS` .. `_PY_NSMALLPOSINTS`).
    SmallInt(i16),
    /// `''`.
    EmptyStr,
    /// A one-character latin-1 string (`unicode_latin1[]` / `_Py_LATIN1_CHR`).
    Char(u8),
    /// `()`.
    EmptyTuple,
    /// `b''`.
    EmptyBytes,
    /// 3.15's `__dict__` (false) or `__weakref__` (true) getset descriptor of `object`, which every plain
    /// class's namespace shares.
    ObjectGetset(bool),
    /// The `object` type, a static type that ends every MRO and is the `__bases__` of a class without a
    /// base. It is not a GC object (`type_is_gc`: only heap types are), so it is simulated as a plain object.
    ObjectType,
}

impl StaticKey {
    /// Whether 3.11 gives this singleton the 999999999 static base (`_PyObject_IMMORTAL_INIT`): every one but
    /// None, True and False, which 3.11 counts normally [obs §2.2].
    fn has_static_base(self) -> bool {
        !matches!(self, StaticKey::None | StaticKey::Bool(_))
    }
}

/// Where the singletons "live" (the interpreter binary's data segment).
const STATIC_REGION: u64 = 0x55d0_0000_0000;

/// The singletons created so far.
#[derive(Clone, Debug, Default)]
pub struct Statics {
    by_key: HashMap<StaticKey, ObjId>,
    base: HashMap<u32, u32>,
}

impl Statics {
    /// Whether `id` is a singleton.
    pub fn contains(&self, id: ObjId) -> bool {
        self.base.contains_key(&id.index)
    }

    /// The references the interpreter itself holds on a singleton (not roots, not edges).
    pub fn base_refs(&self, id: ObjId) -> u32 {
        self.base.get(&id.index).copied().unwrap_or(0)
    }
}

impl Heap {
    /// A new reference to a singleton, creating it on first use.
    pub fn static_object(&mut self, key: StaticKey) -> ObjId {
        if let Some(&id) = self.statics.by_key.get(&key) {
            let taken = self.inc_root(id);
            debug_assert!(taken.is_ok());
            return id;
        }
        let kind = match key {
            StaticKey::None => Kind::None,
            StaticKey::Bool(_) => Kind::Bool,
            StaticKey::SmallInt(_) => Kind::Int,
            StaticKey::EmptyStr | StaticKey::Char(_) => Kind::Str,
            StaticKey::EmptyTuple => Kind::Tuple,
            StaticKey::EmptyBytes => Kind::Bytes,
            StaticKey::ObjectGetset(_) => Kind::Descriptor,
            StaticKey::ObjectType => Kind::Object,
        };
        let addr = STATIC_REGION + 64 * self.statics.by_key.len() as u64;
        let id = self.new_slot(kind, addr, 0, 0);
        let (base, immortal) = self.static_base(key.has_static_base());
        let o = &mut self.objects[id.index as usize];
        // Immortal counts stay at their constant; mortal ones count the caller's new reference.
        o.refcnt = if immortal { base } else { base + 1 };
        o.flags |= flags::STATIC | if immortal { flags::IMMORTAL } else { 0 };
        let refcnt = o.refcnt;
        self.sink.emit(Event::ObjStatic { id, refcnt, immortal });
        let value = match key {
            StaticKey::Bool(b) => Some(Value::Int(i128::from(b))),
            StaticKey::SmallInt(i) => Some(Value::Int(i128::from(i))),
            StaticKey::EmptyStr => Some(Value::Str("".into())),
            StaticKey::Char(c) => Some(Value::Str(char::from(c).to_string().into())),
            StaticKey::EmptyBytes => Some(Value::Bytes(0)),
            StaticKey::None | StaticKey::EmptyTuple | StaticKey::ObjectGetset(_) | StaticKey::ObjectType => None,
        };
        if let Some(v) = value {
            self.values.insert(id.index, v);
        }
        self.statics.by_key.insert(key, id);
        self.statics.base.insert(id.index, base);
        self.note_size(id);
        id
    }

    /// A new reference to `None`.
    pub fn none(&mut self) -> ObjId {
        self.static_object(StaticKey::None)
    }
}
