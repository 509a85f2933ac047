//! Payloads of atomic objects (the numbers and text a script sees) and class metadata, kept beside the object
//! table so the common object stays small.

use super::ids::{Name, ObjId};

/// The value of an atomic object.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// An `int` (simulated up to 128 bits; sizes follow CPython's 30-bit digits).
    Int(i128),
    /// A `float`.
    Float(f64),
    /// A `str`.
    Str(Box<str>),
    /// A `bytes` of this length (contents are not simulated).
    Bytes(u32),
    /// A `range(start, stop, step)`.
    Range(i64, i64, i64),
}

impl Value {
    /// Python equality between two atomic values (`1 == 1.0` holds, as in Python).
    pub fn py_eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => *a as f64 == *b,
            _ => self == other,
        }
    }
}

/// What a class looks like to the memory manager.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct ClassSpec {
    /// `__slots__`: instances get exactly these fields and no `__dict__` (nor `__weakref__`). In a stored
    /// [`ClassInfo`] these are every slot of the class and its bases, the bases' first (`tp_members` laid out
    /// after the base's, `Objects/typeobject.c` `type_new_descriptors`).
    pub slots: Option<Vec<Name>>,
    /// The single base class (`tp_base`); `None` for a class of `object` alone.
    pub base: Option<ObjId>,
    /// The class defines `__del__` (`tp_finalize`, PEP 442); in a stored [`ClassInfo`], it or a base does
    /// (`inherit_slots` copies `tp_finalize`).
    pub has_del: bool,
    /// The class has a legacy `tp_del` finalizer (only C types can; simulated for `gc.garbage`).
    pub legacy_del: bool,
}

/// Per-class state: the spec and the shared-keys bookkeeping that decides instance sizes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClassInfo {
    /// The class name.
    pub name: Name,
    /// Its spec.
    pub spec: ClassSpec,
    /// The shared keys (`ht_cached_keys`): attribute names in insertion order.
    pub shared_keys: Vec<Name>,
    /// `dk_usable` of the shared keys. Starts at `SHARED_KEYS_MAX_SIZE` (30) and shrinks by one per new
    /// instance while above 1 (`init_inline_values`, `Objects/dictobject.c` 3.11-3.13), and by one per new key.
    pub keys_usable: u32,
}

/// `SHARED_KEYS_MAX_SIZE` (`Objects/dictobject.c`): a class's shared keys start with this many usable entries.
pub const SHARED_KEYS_MAX_SIZE: u32 = 30;
