//! Atomic objects: int, float, str, bytes, range. None of them is a GC type, so none is ever tracked.

use crate::heap::core::Heap;
use crate::heap::error::HeapResult;
use crate::heap::events::{Event, EventSink};
use crate::heap::ids::ObjId;
use crate::heap::object::{Kind, flags};
use crate::heap::profile::{SMALL_INTS, StaticRefcount};
use crate::heap::sizes::{self, BYTES_HEADER, FLOAT_SIZE, RANGE_SIZE};
use crate::heap::statics::StaticKey;
use crate::heap::values::Value;

impl Heap {
    fn new_atomic(&mut self, kind: Kind, nbytes: u32, value: Value) -> HeapResult<ObjId> {
        // An int's `aux` says whether it is compact (one digit): only those go on 3.14's int free list.
        let aux = match value {
            Value::Int(v) => u32::from(sizes::int_digits(v) > 1),
            _ => 0,
        };
        let id = self.alloc_object(kind, nbytes, aux)?;
        self.values.insert(id.index, value);
        self.note_size(id);
        Ok(id)
    }

    /// `int(v)`: a cached small int for -5..=256 (§2.4; 1024 on 3.15), otherwise a fresh `PyLongObject`.
    pub fn new_int(&mut self, v: i128) -> HeapResult<ObjId> {
        if self.is_small_int(v) {
            return Ok(self.static_object(StaticKey::SmallInt(v as i16)));
        }
        let n = sizes::int_size(&self.profile, v);
        self.new_atomic(Kind::Int, n, Value::Int(v))
    }

    /// An int made by `PyLong_FromLong` or compact arithmetic: from 3.11 a one-digit int comes from
    /// `_PyLong_FromMedium`, a 32-byte allocation (`sys.getsizeof` still says 28) [obs: tracemalloc of
    /// `[i for i in range(100000)]` is 3,992,704 B on 3.11.7-3.13.0: 99,743 ints of 32 B plus the array]. The
    /// constants of the code, range items and `+ - * // % << & |` results are made so; `int("1000")` and
    /// `len()` (`PyLong_FromSsize_t`) are not.
    pub fn new_int_from_long(&mut self, v: i128) -> HeapResult<ObjId> {
        let medium = sizes::int_digits(v) <= 1 && self.profile.medium_ints_padded;
        if !medium || self.is_small_int(v) {
            return self.new_int(v);
        }
        // `sizeof(PyLongObject)` (24) plus one 4-byte digit, rounded up to `sizeof(PyLongObject) + 8`.
        self.new_atomic(Kind::Int, 32, Value::Int(v))
    }

    /// `a + b` or `a - b` of ints one of which has more than one 30-bit digit: `x_add` allocates one digit
    /// more than the longer operand, `x_sub` as many, and `long_normalize` trims the size but not the block
    /// (`Objects/longobject.c`) [obs 3.8-3.13: `2**40 + i` traces 36 bytes; `sys.getsizeof` says 32].
    pub fn new_int_sum(&mut self, v: i128, a: i128, b: i128, magnitudes_added: bool) -> HeapResult<ObjId> {
        let longest = sizes::int_digits(a).max(sizes::int_digits(b));
        if longest <= 1 || self.is_small_int(v) {
            return self.new_int_from_long(v);
        }
        let asked = longest + u32::from(magnitudes_added);
        let nbytes = sizes::int_size(&self.profile, v).max(sizes::int_with_digits(asked));
        self.new_atomic(Kind::Int, nbytes, Value::Int(v))
    }

    /// Whether `v` is one of the profile's cached small ints (-5 up to 256, or 1024 on 3.15).
    fn is_small_int(&self, v: i128) -> bool {
        (i128::from(*SMALL_INTS.start())..=i128::from(self.profile.largest_small_int)).contains(&v)
    }

    /// `object()`: the smallest object there is (16 bytes: refcount and type).
    pub fn new_object(&mut self) -> HeapResult<ObjId> {
        let id = self.alloc_object(Kind::Object, 16, 0)?;
        self.note_size(id);
        Ok(id)
    }

    /// `True` / `False`.
    pub fn new_bool(&mut self, b: bool) -> ObjId {
        self.static_object(StaticKey::Bool(b))
    }

    /// `float(v)`, reusing the float free list when it has a block.
    pub fn new_float(&mut self, v: f64) -> HeapResult<ObjId> {
        self.new_atomic(Kind::Float, FLOAT_SIZE, Value::Float(v))
    }

    /// `str`: `''` and one-character latin-1 strings are singletons; others are fresh compact strings.
    pub fn new_str(&mut self, s: &str) -> HeapResult<ObjId> {
        let mut chars = s.chars();
        match (chars.next(), chars.next()) {
            (None, _) => return Ok(self.static_object(StaticKey::EmptyStr)),
            (Some(c), None) if u32::from(c) < 256 => return Ok(self.static_object(StaticKey::Char(c as u8))),
            _ => {}
        }
        let n = sizes::str_size(&self.profile, s);
        self.new_atomic(Kind::Str, n, Value::Str(s.into()))
    }

    /// A str constant of the code: one made of name characters only is interned (`intern_string_constants`,
    /// Objects/codeobject.c), which on 3.12 makes it immortal.
    pub fn new_str_constant(&mut self, s: &str) -> HeapResult<ObjId> {
        let id = self.new_str(s)?;
        let name_chars = !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let o = &mut self.objects[id.index as usize];
        if name_chars && self.profile.interned_immortal && o.flags & flags::IMMORTAL == 0 {
            let refcnt = match self.profile.static_refcount {
                StaticRefcount::Immortal(n) => n,
                _ => u32::MAX,
            };
            o.refcnt = refcnt;
            o.flags |= flags::IMMORTAL;
            self.sink.emit(Event::ObjImmortal { id, refcnt });
        }
        Ok(id)
    }

    /// `bytes(len)`: `b''` is a singleton.
    pub fn new_bytes(&mut self, len: u64) -> HeapResult<ObjId> {
        if len == 0 {
            return Ok(self.static_object(StaticKey::EmptyBytes));
        }
        let size = len.saturating_add(u64::from(BYTES_HEADER));
        self.check_room(size)?;
        // Past 4 GiB (possible only without a memory limit) sizes are not simulated.
        let (Ok(size), Ok(len)) = (u32::try_from(size), u32::try_from(len)) else {
            return Err(
                crate::heap::obmalloc::AllocError::OutOfMemory { requested: size, limit: u64::from(u32::MAX) }.into()
            );
        };
        self.new_atomic(Kind::Bytes, size, Value::Bytes(len))
    }

    /// `range(start, stop, step)`.
    pub fn new_range(&mut self, start: i64, stop: i64, step: i64) -> HeapResult<ObjId> {
        if step == 0 {
            return Err(crate::heap::error::HeapError::Type("range() arg 3 must not be zero".into()));
        }
        self.new_atomic(Kind::Range, RANGE_SIZE, Value::Range(start, stop, step))
    }
}
