//! Object sizes per profile: what `sys.getsizeof` reports and what each allocation requests (§4).

use super::object::Kind;
use super::profile::{ListGrowth, Profile, PyVersion};

/// `PyLongObject`: 24-byte header plus 30-bit digits of 4 bytes (`Objects/longobject.c`). `0` has no digit
/// before 3.11 and one from 3.11 [obs §4.2: 24 vs 28].
pub fn int_size(p: &Profile, value: i128) -> u32 {
    int_with_digits(int_digits(value).max(u32::from(p.sizes.zero_int_has_digit)))
}

/// The 30-bit digits (`PyLong_SHIFT`) of `value`'s magnitude; 0 for zero.
pub fn int_digits(value: i128) -> u32 {
    (128 - value.unsigned_abs().leading_zeros()).div_ceil(30)
}

/// `offsetof(PyLongObject, ob_digit) + digits * sizeof(digit)`: 24 + 4 bytes per digit.
pub fn int_with_digits(digits: u32) -> u32 {
    24 + 4 * digits
}

/// `PyFloatObject`: 24 bytes on every version.
pub const FLOAT_SIZE: u32 = 24;
/// `PyBytesObject`: a 33-byte header (including the trailing NUL) plus the payload.
pub const BYTES_HEADER: u32 = 33;
/// `rangeobject`: header plus start, stop, step and length (48 bytes, not a GC type).
pub const RANGE_SIZE: u32 = 48;
/// `sizeof(PyTupleObject)` minus the item array (24), before the GC head.
pub const TUPLE_HEADER: u32 = 24;
/// `sizeof(PyCellObject)` (24), before the GC head (`Include/cpython/cellobject.h`).
pub const CELL_OBJECT: u32 = 24;
/// `sys.getsizeof` of a method wrapper, its GC head included [obs 3.8-3.13: `staticmethod` and `classmethod`
/// 48 (`sm_callable`, `sm_dict`), `property` 72 through 3.9 and 80 from 3.10 (`prop_name`)].
pub fn wrapper_size(p: &Profile, kind: Kind) -> u32 {
    let object = match kind {
        Kind::Property if p.version >= PyVersion::V3_10 => 64,
        Kind::Property => 56,
        _ => 32,
    };
    p.sizes.gc_head + object
}

/// `sizeof(PyListObject)` (40), before the GC head.
pub const LIST_OBJECT: u32 = 40;
/// `sizeof(PyDictObject)` (48), before the GC head.
pub const DICT_OBJECT: u32 = 48;
/// `sizeof(PySetObject)` (200, with its 8-entry small table inline), before the GC head.
pub const SET_OBJECT: u32 = 200;
/// `PySet_MINSIZE`: the inline small table's entries.
pub const SET_MINSIZE: u32 = 8;
/// `PyDict_MINSIZE`: the smallest keys table.
pub const DICT_MINSIZE: u32 = 8;

/// `PyUnicode_New`: an ASCII string uses the compact ASCII header, anything else the compact header, and the
/// payload is `(len + 1) * char_size` (§4.2: 3.12 dropped `wstr`, shrinking both headers).
pub fn str_size(p: &Profile, s: &str) -> u32 {
    let max = s.chars().map(u32::from).max().unwrap_or(0);
    let len = s.chars().count() as u32;
    match max {
        0..=0x7f => p.sizes.str_ascii_header + len + 1,
        0x80..=0xff => p.sizes.str_compact_header + len + 1,
        0x100..=0xffff => p.sizes.str_compact_header + 2 * (len + 1),
        _ => p.sizes.str_compact_header + 4 * (len + 1),
    }
}

/// A tuple of `n` items, GC head included (request size and `getsizeof` agree).
pub fn tuple_size(p: &Profile, n: u32) -> u32 {
    p.sizes.gc_head + TUPLE_HEADER + 8 * n
}

/// `list_resize`: the capacity after resizing from `allocated` to `newsize` items (§4.3).
pub fn list_capacity(p: &Profile, allocated: u32, newsize: u32) -> u32 {
    if allocated >= newsize && newsize >= allocated / 2 {
        return allocated;
    }
    if newsize == 0 {
        return 0;
    }
    match p.list_growth {
        ListGrowth::Py38 => newsize + (newsize >> 3) + if newsize < 9 { 3 } else { 6 },
        ListGrowth::Py39 => {
            let grown = (newsize + (newsize >> 3) + 6) & !3;
            // "Do not overallocate if the new size is closer to overallocated size than to the old size."
            if newsize.saturating_sub(allocated) > grown - newsize { (newsize + 3) & !3 } else { grown }
        }
    }
}

/// `USABLE_FRACTION(n) = (n << 1) / 3`: entries a keys table of `n` slots can hold.
pub fn usable_fraction(n: u32) -> u32 {
    (n << 1) / 3
}

/// Bytes of a dict keys object of `size` slots: header, an index array whose width grows with the size
/// (`DK_IXSIZE`: 1, 2, 4 or 8 bytes), and `usable` entries of 24 bytes, or 16 for unicode-only tables on 3.11+.
pub fn dict_keys_size(p: &Profile, size: u32, unicode: bool) -> u32 {
    let ix = match size {
        0..=0xff => 1,
        0x100..=0xffff => 2,
        _ => 4,
    };
    let entry = if unicode && p.sizes.dict_unicode_entries { 16 } else { 24 };
    p.sizes.dict_keys_header + ix * size + entry * usable_fraction(size)
}

/// The table size after an insertion that found no room, from `GROWTH_RATE(d) = used * 3`
/// (`Objects/dictobject.c`): 3.8/3.9's `dictresize` doubles from `PyDict_MINSIZE` until it reaches it; from
/// 3.10 `calculate_keysize` takes the bit length of `(m | PyDict_MINSIZE) - 1`, so one or two live keys left
/// after deletions get 16 slots, not 8 [obs 3.10.13-3.13.0; 3.8.18/3.9.18 give 8].
pub fn dict_grown_size(p: &Profile, used: u32) -> u32 {
    let m = used * 3;
    if p.version <= crate::heap::PyVersion::V3_9 {
        return m.next_power_of_two().max(DICT_MINSIZE);
    }
    1 << (32 - ((m | DICT_MINSIZE) - 1).leading_zeros())
}

/// `set_add_entry` resizes when `fill * 5 >= mask * 3`, to the smallest power of two above
/// `used > 50000 ? used * 2 : used * 4` (`Objects/setobject.c`). Returns the new table size, if any.
pub fn set_resize_after_insert(table: u32, fill: u32, used: u32) -> Option<u32> {
    let mask = table - 1;
    if fill * 5 < mask * 3 {
        return None;
    }
    let minused = if used > 50_000 { used * 2 } else { used * 4 };
    let mut newsize = SET_MINSIZE;
    while newsize <= minused {
        newsize <<= 1;
    }
    Some(newsize)
}

/// `sys.getsizeof` of a set whose table has `table` entries: the object plus an external table once it
/// outgrows the inline 8 entries (16 bytes per `setentry`).
pub fn set_getsizeof(p: &Profile, table: u32) -> u32 {
    p.sizes.gc_head + SET_OBJECT + if table > SET_MINSIZE { 16 * table } else { 0 }
}

/// The allocation of a heap type: `_PyType_AllocNoTrack` asks for `_PyObject_VAR_SIZE(type, nitems + 1)`, i.e.
/// the basic size plus one 40-byte `PyMemberDef`, plus the GC head. Always above 512, so raw.
pub fn type_alloc_size(p: &Profile) -> u32 {
    p.sizes.type_basic + 40 + p.sizes.gc_head
}

/// A class's shared keys (`ht_cached_keys`): a `PyDict_MINSIZE` table through 3.10; from 3.11
/// `_PyDict_NewKeysForClass` makes a 64-slot unicode table (`NEXT_LOG2_SHARED_KEYS_MAX_SIZE` 6).
pub fn shared_keys_size(p: &Profile) -> u32 {
    let slots = if p.sizes.dict_unicode_entries { 64 } else { DICT_MINSIZE };
    dict_keys_size(p, slots, true)
}

/// `sys.getsizeof(cls)`: `type.__sizeof__` counts the heap type and its cached keys, if it has any, plus the
/// GC head [obs: a plain class 1064 / 1064 / 1072 / 1688 / 1704 / 1712 on 3.8-3.13, a `__slots__` class
/// 896 / 896 / 904 / 920 / 936 / 944].
pub fn class_getsizeof(p: &Profile, cached_keys: bool) -> u32 {
    p.sizes.type_basic + p.sizes.gc_head + if cached_keys { shared_keys_size(p) } else { 0 }
}

/// `sys.getsizeof` of an iterator object, its GC head included [obs 3.8-3.13: `iter([])` 48, `iter(())` 48,
/// `iter("ab")` 48, `iter({})` 72, `iter(set())` 64; `iter(range(3))` 48 through 3.11, 40 from 3.12].
pub fn iterator_size(p: &Profile, kind: Kind) -> u32 {
    let gc = p.sizes.gc_head;
    match kind {
        Kind::DictKeyIterator => gc + 56,
        Kind::SetIterator => gc + 48,
        Kind::RangeIterator if p.version >= crate::heap::PyVersion::V3_12 => 40,
        Kind::RangeIterator => 48,
        _ => gc + 32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::heap::profile::PyVersion::*;

    fn prof(v: crate::heap::profile::PyVersion) -> Profile {
        Profile::for_version(v)
    }

    #[test]
    fn int_sizes_match_getsizeof() {
        // [obs §4.2] 0 / 1 / 2**30 / 2**60 / 2**100.
        for (v, zero) in [(V3_8, 24), (V3_10, 24), (V3_11, 28), (V3_13, 28)] {
            let p = prof(v);
            assert_eq!(int_size(&p, 0), zero, "{v}");
            assert_eq!(int_size(&p, 1), 28);
            assert_eq!(int_size(&p, 1 << 30), 32);
            assert_eq!(int_size(&p, 1 << 60), 36);
            assert_eq!(int_size(&p, 1 << 100), 40);
            assert_eq!(int_size(&p, -1), 28);
        }
    }

    #[test]
    fn str_sizes_match_getsizeof() {
        // [obs §4.2] '' / 'abc' / '\u20ac'; 3.12 dropped wstr.
        for (v, empty, abc, euro) in [(V3_8, 49, 52, 76), (V3_11, 49, 52, 76), (V3_12, 41, 44, 60), (V3_13, 41, 44, 60)]
        {
            let p = prof(v);
            assert_eq!((str_size(&p, ""), str_size(&p, "abc"), str_size(&p, "\u{20ac}")), (empty, abc, euro), "{v}");
        }
        assert_eq!(str_size(&prof(V3_8), "\u{e9}"), 74);
    }

    #[test]
    fn list_growth_follows_list_resize() {
        // [obs §4.3] capacities while appending.
        let seq = |v| {
            let p = prof(v);
            let mut caps = vec![0];
            let mut cap = 0;
            for n in 1..=70 {
                cap = list_capacity(&p, cap, n);
                if caps.last() != Some(&cap) {
                    caps.push(cap);
                }
            }
            caps
        };
        assert_eq!(seq(V3_8), [0, 4, 8, 16, 25, 35, 46, 58, 72]);
        assert_eq!(seq(V3_13)[..10], [0, 4, 8, 16, 24, 32, 40, 52, 64, 76]);
    }

    #[test]
    fn dict_keys_sizes_match_getsizeof() {
        // getsizeof(dict) = 16 + 48 + keys [obs §4.2]: 3.8 232/360/640/1176; 3.11 int keys 224/352/632/1168,
        // str keys 184/272.
        let d = |v, size, uni| 16 + DICT_OBJECT + dict_keys_size(&prof(v), size, uni);
        assert_eq!([8, 16, 32, 64].map(|s| d(V3_8, s, true)), [232, 360, 640, 1176]);
        assert_eq!([8, 16, 32, 64].map(|s| d(V3_11, s, false)), [224, 352, 632, 1168]);
        assert_eq!([8, 16].map(|s| d(V3_13, s, true)), [184, 272]);
        for v in [V3_8, V3_13] {
            assert_eq!([5, 10, 21].map(|u| dict_grown_size(&prof(v), u)), [16, 32, 64], "{v}");
        }
        // One or two live keys: 8 slots through 3.9, 16 from 3.10; none: 8 everywhere.
        assert_eq!([0, 1, 2].map(|u| dict_grown_size(&prof(V3_9), u)), [8, 8, 8]);
        assert_eq!([0, 1, 2].map(|u| dict_grown_size(&prof(V3_10), u)), [8, 16, 16]);
    }
}
