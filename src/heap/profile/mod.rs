//! Version profiles: every CPython fact that differs between interpreter versions lives here, as plain data.
//!
//! Section numbers (§) refer to `shared/reference/cpython-memory.md`; each constant cites its CPython source
//! path or the observation it was taken from.

mod startup;
mod version;

pub use startup::{StartupFreeLists, startup_free_lists};
pub use version::{PyVersion, UnknownProfile};

/// How `list_resize` over-allocates (`Objects/listobject.c`, §4.3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ListGrowth {
    /// 3.8: `newsize + (newsize >> 3) + (newsize < 9 ? 3 : 6)`.
    Py38,
    /// 3.9+: `(newsize + (newsize >> 3) + 6) & ~3`, with the "large jump" exception.
    Py39,
}

/// How a list's item array is presized when its final length is known (`Objects/listobject.c`, §4.3).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ListPresize {
    /// 3.8/3.9: `list(tuple)` sizes the array exactly (`list_preallocate_exact`); `extend` of an empty list
    /// goes through `list_resize`, over-allocating [obs: `[].extend((1, 2, 3))` is 104 B on 3.8.18, 120 B on
    /// 3.9.18; `list((1, 2, 3))` is 80 B on both].
    Exact,
    /// 3.10+: both round the length up to an even count (`list_preallocate_exact`: `allocated = (size + 1) &
    /// ~(size_t)1`; `list_extend` presizes an empty list the same way) [obs 3.10.13: 88 B for both].
    EvenCount,
}

/// What `gc.get_count()[0]` counts (§3.2).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum GcCount {
    /// Fresh GC allocations minus frees (`_PyObject_GC_Link` / `PyObject_GC_Del`): every version but
    /// 3.14.1-3.14.4 [obs 3.8-3.13; Pyodide 3.15.0rc1: lists reused from the free list count 0].
    Allocations,
    /// Objects tracked minus untracked (`_PyObject_GC_TRACK` / `_PyObject_GC_UNTRACK`, PR #140447 in 3.14.1)
    /// [obs Pyodide 3.14.2: a list counts +1 and -1 even through the free list; an atomic tuple 0].
    Tracked,
}

/// How 3.14.0-3.14.4's incremental collector sizes an increment (`Python/gc.c` `assess_work_to_do`,
/// `gc_collect_increment`; §3.7).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct IncrementRules {
    /// The heap fraction is capped at `young.count * cap_halves / 2`: `new_objects*3/2` on 3.14.0,
    /// `new_objects*2` from 3.14.1 (PR #140447).
    pub cap_halves: i64,
    /// 3.14.1+: `if (work_to_do < 0) return;` before collecting anything [obs Pyodide 3.14.2: right after
    /// `gc.collect()`, five `gc.collect(1)` return 0 while 100 cyclic objects wait].
    pub early_return: bool,
    /// 3.14.0: after an increment, `work_to_do += heap_size / SCAN_RATE_DIVISOR / scale_factor`.
    pub refill_after_increment: bool,
}

/// Where an instance's attribute values live (§4.4).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum InstanceLayout {
    /// 3.8/3.10: the instance plus a separate, GC-tracked `__dict__` (split-table dict with a values array).
    SeparateDict,
    /// 3.11/3.12: the instance plus a managed "values" array that is not a GC object.
    ValuesArray,
    /// 3.13: one block with the values inline (`_PyInlineValuesSize`).
    InlineValues,
}

/// How statically allocated singletons (small ints, `''`, `()`, None, ...) count references (§2.1, §2.2).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StaticRefcount {
    /// 3.8/3.10: ordinary mortal objects created at startup. The interpreter's own references are not simulated:
    /// each starts at 1, the reference the runtime holds.
    Mortal,
    /// 3.11: `_PyObject_IMMORTAL_INIT` starts small ints, `''`, `()`, `b''` and one-character strings at
    /// 999999999 but they still count (`Include/internal/pycore_object.h` 3.11). None/True/False start at 1.
    StaticBase(u32),
    /// 3.12/3.13 (PEP 683): `_Py_IMMORTAL_REFCNT = UINT_MAX`; incref saturates, decref is skipped
    /// (`Include/object.h` 3.12/3.13). 3.14: `_Py_IMMORTAL_INITIAL_REFCNT = 3 << 30` (`Include/refcount.h`).
    Immortal(u32),
}

/// Free-list capacities (§2.5). A dead object of that type is kept for reuse instead of freed while its list
/// has room; reuse is invisible to `gc.get_count()`.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FreeListLimits {
    /// `PyFloat_MAXFREELIST` 100 (`Objects/floatobject.c`; `pycore_floatobject.h` 3.11).
    pub float: u32,
    /// Tuples of length 1..=`tuple_max_len` are cached: `PyTuple_MAXSAVESIZE` 20 (index 0 is the empty
    /// tuple, so 19 lengths on 3.8/3.10 [obs debugmallocstats], 20 on 3.11+ [obs]).
    pub tuple_max_len: u32,
    /// `PyTuple_MAXFREELIST` 2000 per length.
    pub tuple_per_len: u32,
    /// `PyList_MAXFREELIST` 80 (`Objects/listobject.c`, `pycore_list.h`).
    pub list: u32,
    /// `PyDict_MAXFREELIST` 80 (`Objects/dictobject.c`, `pycore_dict.h`).
    pub dict: u32,
    /// Ints: 100 from 3.14 (`Include/internal/pycore_freelist_state.h`), none before.
    pub int: u32,
    /// Keys objects of size `PyDict_MINSIZE` (8) are cached too, also 80.
    pub dict_keys: u32,
}

/// Byte sizes of object headers and fixed-size objects (64-bit). `getsizeof` and allocation requests are derived
/// from these in `sizes.rs`; the values come from `__basicsize__` and `sys.getsizeof` [obs `sizes.py`, §4.2].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct SizeTable {
    /// `PyGC_Head`, 16 bytes before every GC object (`Include/internal/pycore_gc.h`).
    pub gc_head: u32,
    /// Whether `int 0` has one digit (3.11+) or none (`Objects/longobject.c`).
    pub zero_int_has_digit: bool,
    /// `PyASCIIObject` header: 48 on 3.8-3.11, 40 on 3.12+ (PEP 623 removed `wstr`).
    pub str_ascii_header: u32,
    /// `PyCompactUnicodeObject` header: 72 on 3.8-3.11, 56 on 3.12+.
    pub str_compact_header: u32,
    /// `PyDictKeysObject` header: 40 through 3.10, 32 from 3.11.
    pub dict_keys_header: u32,
    /// Whether 3.11+ unicode-only key tables use 16-byte entries (`PyDictUnicodeEntry`).
    pub dict_unicode_entries: bool,
    /// `sys.getsizeof(lambda: 0)`: 136 / 144 / 152 / 160 / 160 [obs §4.2]; also its allocation request.
    pub function: u32,
    /// `sys.getsizeof` of a fresh generator: 112 / 104 / 176 / 176 / 176 [obs §4.2].
    pub generator: u32,
    /// The separately allocated frame a 3.8/3.10 generator owns: 392 / 384 bytes for a small generator
    /// function [obs `tests/probes/object_sizes.py`]; 0 from 3.11, where the frame is inside the generator.
    pub generator_frame: u32,
    /// `sys.getsizeof(weakref.ref(x))`: 72 through 3.10, 80 from 3.11 [obs §4.2].
    pub weakref: u32,
    /// Instance basic size without GC head or pre-header: 32 (3.8/3.10), 24 (3.11), 16 (3.12+) [obs §4.2].
    pub instance_basic: u32,
    /// `type.__basicsize__` (`sizeof(PyHeapTypeObject)`): 880 / 888 / 904 / 920 / 928 [obs].
    pub type_basic: u32,
    /// `PyGetSetDescrObject` plus GC head [obs: `getsizeof(C.__dict__['__dict__'])` = 64 on 3.8-3.13].
    pub getset_descriptor: u32,
    /// `sys.getsizeof(object)`: `sizeof(PyTypeObject)` of a static type, no GC head
    /// [obs: 416 / 408 / 408 / 424 / 432 / 416 on 3.8-3.13].
    pub static_type: u32,
    /// Pre-header in front of the GC head: 16 from 3.11 (`_PyType_PreHeaderSize`), else 0.
    pub preheader: u32,
}

/// The cyclic-GC thresholds (§3.3): `(700, 10, 10)` through 3.12 (`Modules/gcmodule.c`), `(2000, 10, 10)` on
/// 3.13 (`Include/internal/pycore_runtime_init.h` 3.13.0).
pub type Thresholds = [u32; 3];

/// Every version-dependent fact the engine needs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Profile {
    /// Which interpreter this profile describes.
    pub version: PyVersion,
    /// `POOL_SIZE`: 4 KiB on 3.8 (`SYSTEM_PAGE_SIZE`), 16 KiB from 3.10 (`POOL_BITS 14`, `Objects/obmalloc.c`).
    pub pool_size: u32,
    /// `ARENA_SIZE`: 256 KiB on 3.8 (`ARENA_BITS 18`), 1 MiB from 3.10 (`ARENA_BITS 20`).
    pub arena_size: u32,
    /// How far past pool alignment `mmap` places an arena. 3.8 pools are one page, so arenas are always
    /// aligned (64 usable pools); from 3.10 mmap's 4 KiB alignment leaves one pool unusable (63 pools)
    /// [obs: "bytes lost to arena alignment" = 16,384 per arena on 3.11-3.13, 0 on 3.8].
    pub arena_misalignment: u32,
    /// The radix-tree arena map root and mid node size: 8,192 on 3.10, 262,144 from 3.11; `None` on 3.8, which
    /// has no arena map [obs debugmallocstats].
    pub arena_map_root: Option<u32>,
    /// Bottom node size of the arena map: 2,048 on 3.10, 131,072 from 3.11 [obs debugmallocstats].
    pub arena_map_bot: u32,
    /// Static singletons' reference counting.
    pub static_refcount: StaticRefcount,
    /// Free-list capacities.
    pub free_lists: FreeListLimits,
    /// List over-allocation rule.
    pub list_growth: ListGrowth,
    /// Instance attribute storage.
    pub instance_layout: InstanceLayout,
    /// Header and fixed sizes.
    pub sizes: SizeTable,
    /// GC thresholds for generations 0, 1, 2 (3.14.0-3.14.4: young, old[0], old[1], the last unused).
    pub thresholds: Thresholds,
    /// The 3.14.0-3.14.4 incremental collector (a young generation and two old spaces, §3.7) and its increment
    /// sizing; `None` for the three-generation collector.
    pub incremental: Option<IncrementRules>,
    /// What the young generation's count counts.
    pub gc_count: GcCount,
    /// 3.14.1+: `tuple(iterable)`, tuple displays and `*args` do not track a tuple none of whose items is a GC
    /// object (PR #140447) [obs Pyodide 3.14.2 and 3.15.0rc1: `gc.is_tracked(tuple([1, 2]))` is False at
    /// creation; `([],)` is tracked].
    pub atomic_tuples_untracked: bool,
    /// 3.14.1-3.14.x: a class without a base gets its `__bases__` tuple `(object,)` untracked, so it is not
    /// among what `gc.collect()` finds when the class dies [obs Pyodide 3.14.2: a dead `class B: pass` is 5
    /// objects, with `gc.DEBUG_SAVEALL` no tuple `(object,)`; 3.8-3.13 and Pyodide 3.15.0rc1 count it: 6
    /// and 4 with its shared getsets].
    pub class_bases_untracked: bool,
    /// 3.13/3.14: while an instance's inline values are valid, its traverse visits them and not a
    /// materialized `__dict__`, so such a dict is never collected with the cycle; 3.15 visits the dict
    /// [obs Pyodide 3.15.0rc1: `gc.get_referents(a)` is `[dict, type]` after `a.__dict__`, and a two-instance
    /// cycle with both dicts touched collects 4; 3.13.0 and Pyodide 3.14.2 give `[A, type]` and 2].
    pub inline_values_hide_dict: bool,
    /// 3.15 (gh-135552, PR #136189): weakrefs without a callback to collected objects are cleared after the
    /// finalizers ran, so `__del__` still sees them alive [obs Pyodide 3.15.0rc1; 3.13.0 and 3.14.2 clear
    /// them first].
    pub weakrefs_cleared_after_finalizers: bool,
    /// 3.11+: one-digit ints made by `PyLong_FromLong` and compact arithmetic are 32-byte allocations
    /// (`_PyLong_FromMedium` allocates `sizeof(PyLongObject)`, which includes one digit and the padding).
    pub medium_ints_padded: bool,
    /// The largest cached small int (the smallest is -5 on every version): 256, and 1024 on 3.15
    /// (`_PY_NSMALLPOSINTS` 1025) [obs Pyodide 3.15.0rc1: `int('1024') is int('1024')` is True, 1025 is not].
    pub largest_small_int: i64,
    /// 3.14+: a function's local passed straight to a call is a borrowed reference (`LOAD_FAST_BORROW`), so
    /// `sys.getrefcount(x)` of a local counts one less than before [obs Pyodide 3.14.2 and 3.15.0rc1: 1 for a
    /// fresh local object, 3.13.0 prints 2; at module level both print 2].
    pub borrows_fast_locals: bool,
    /// 3.15: a plain class's `__dict__` / `__weakref__` descriptors are `object`'s, shared, not made per class.
    pub shared_object_getsets: bool,
    /// 3.15: `gc.callbacks` info also has `candidates` and `duration` (PR #141814) [obs Pyodide 3.15.0rc1].
    pub callback_info_candidates: bool,
    /// 3.12: interning a str makes it immortal (`_Py_SetImmortal` in `PyUnicode_InternInPlace`,
    /// Objects/unicodeobject.c 3.12) [obs 3.12.1: `s = "hello"; sys.getrefcount(s)` is 4294967295; 3.11.7 and
    /// 3.13.0 print 4: 3.13 keeps interned strings mortal].
    pub interned_immortal: bool,
    /// How lists of known length are presized.
    pub list_presize: ListPresize,
    /// Whether `del l[i]` can shrink the item array: through 3.12 (`list_ass_slice` → `list_resize`), not from
    /// 3.13.
    pub list_del_shrinks: bool,
    /// Whether `pop()` of a list's last item frees the item array: from 3.12 (`list_pop_impl` clears the
    /// list); before, `list_resize(0)` reallocates it to 0 bytes [obs: the emptied list traces no array on
    /// 3.12.1/3.13.0, a 0-byte block on 3.8.18-3.11.7].
    pub pop_to_empty_frees: bool,
    /// bpo-37257 (3.9+): a wholly free arena is returned to the OS only if it is not the last usable one
    /// (`Objects/obmalloc.c` `pymalloc_free`, `nf == ao->ntotalpools && ao->nextarena != NULL`); 3.8 returns
    /// every wholly free arena [obs: freeing 300,000 objects reclaims all 18 new arenas on 3.8.18, 17 of 18
    /// on 3.9.18].
    pub keeps_free_arena: bool,
    /// 3.8/3.9: `dict()` allocates an 8-slot keys table at once (`dict_new` → `new_keys_object(PyDict_MINSIZE)`),
    /// while `{}` shares the empty keys [obs: `sys.getsizeof(dict())` is 232 on 3.8.18/3.9.18, 64 on 3.10+].
    pub dict_new_presized: bool,
    /// 3.14+ tracks every dict from creation, `{}` included (lazy dict tracking removed, GH-127010 / PR
    /// #127027) [obs Pyodide 3.14.2 and 3.15.0rc1: `gc.is_tracked({})` is True], and no collection untracks one.
    pub dicts_always_tracked: bool,
}

/// `_PY_NSMALLNEGINTS` (5) and `_PY_NSMALLPOSINTS` (257): ints in -5..=256 are cached singletons
/// (`Include/internal/pycore_global_objects.h` 3.11-3.13; `pycore_interp.h` 3.10) [obs: `int('256') is
/// int('256')` is True, 257 and -6 are not, on 3.8-3.13 and Pyodide 3.14.2].
pub const SMALL_INTS: std::ops::RangeInclusive<i64> = -5..=256;

/// `ALIGNMENT` (16) and `SMALL_REQUEST_THRESHOLD` (512): 32 size classes on every supported version
/// (`Objects/obmalloc.c` through 3.11, `Include/internal/pycore_obmalloc.h` from 3.12).
pub const ALIGNMENT: u32 = 16;
/// Requests above this go to the raw allocator (`SMALL_REQUEST_THRESHOLD`).
pub const SMALL_REQUEST_THRESHOLD: u32 = 512;
/// `NB_SMALL_SIZE_CLASSES = SMALL_REQUEST_THRESHOLD / ALIGNMENT`.
pub const NB_SMALL_SIZE_CLASSES: usize = (SMALL_REQUEST_THRESHOLD / ALIGNMENT) as usize;
/// `POOL_OVERHEAD`: `sizeof(struct pool_header)` (48) rounded up to `ALIGNMENT`.
pub const POOL_OVERHEAD: u32 = 48;
/// `INITIAL_ARENA_OBJECTS`: the arena-object vector starts at 16 slots and doubles.
pub const INITIAL_ARENA_OBJECTS: u32 = 16;

const FREE_LISTS: FreeListLimits =
    FreeListLimits { float: 100, tuple_max_len: 20, tuple_per_len: 2000, list: 80, dict: 80, dict_keys: 80, int: 0 };

impl Profile {
    /// The default profile: CPython 3.13.
    pub fn default_profile() -> Profile {
        Profile::for_version(PyVersion::V3_13)
    }

    /// The profile of one version.
    pub fn for_version(version: PyVersion) -> Profile {
        use PyVersion::*;
        // 3.8/3.9 share one allocator geometry and object layout; 3.8-3.10 one object layout family.
        let small_pools = version <= V3_9;
        let old = version <= V3_10;
        let pre312 = version <= V3_11;
        Profile {
            version,
            pool_size: if small_pools { 4 << 10 } else { 16 << 10 },
            arena_size: if small_pools { 256 << 10 } else { 1 << 20 },
            arena_misalignment: if small_pools { 0 } else { 4096 },
            arena_map_root: match version {
                V3_8 | V3_9 => None,
                V3_10 => Some(8192),
                _ => Some(262_144),
            },
            arena_map_bot: if version == V3_10 { 2048 } else { 131_072 },
            static_refcount: match version {
                V3_8 | V3_9 | V3_10 => StaticRefcount::Mortal,
                V3_11 => StaticRefcount::StaticBase(999_999_999),
                V3_12 | V3_13 => StaticRefcount::Immortal(u32::MAX),
                V3_14_0 | V3_14_1 | V3_14_5 | V3_15 => StaticRefcount::Immortal(3 << 30),
            },
            free_lists: FreeListLimits {
                tuple_max_len: if old { 19 } else { 20 },
                int: if version >= V3_14_0 { 100 } else { 0 },
                ..FREE_LISTS
            },
            list_growth: if version == V3_8 { ListGrowth::Py38 } else { ListGrowth::Py39 },
            instance_layout: match version {
                V3_8 | V3_9 | V3_10 => InstanceLayout::SeparateDict,
                V3_11 | V3_12 => InstanceLayout::ValuesArray,
                _ => InstanceLayout::InlineValues,
            },
            sizes: SizeTable {
                gc_head: 16,
                zero_int_has_digit: !old,
                str_ascii_header: if pre312 { 48 } else { 40 },
                str_compact_header: if pre312 { 72 } else { 56 },
                dict_keys_header: if old { 40 } else { 32 },
                dict_unicode_entries: !old,
                function: match version {
                    V3_8 | V3_9 => 136,
                    V3_10 => 144,
                    V3_11 => 152,
                    _ => 160,
                },
                generator: match version {
                    V3_8 | V3_9 => 112,
                    V3_10 => 104,
                    _ => 176,
                },
                generator_frame: match version {
                    V3_8 | V3_9 => 392,
                    V3_10 => 384,
                    _ => 0,
                },
                weakref: if old { 72 } else { 80 },
                instance_basic: match version {
                    V3_8 | V3_9 | V3_10 => 32,
                    V3_11 => 24,
                    _ => 16,
                },
                preheader: if old { 0 } else { 16 },
                type_basic: match version {
                    V3_8 | V3_9 => 880,
                    V3_10 => 888,
                    V3_11 => 904,
                    V3_12 => 920,
                    _ => 928,
                },
                getset_descriptor: 64,
                static_type: match version {
                    V3_8 => 416,
                    V3_9 | V3_10 => 408,
                    V3_11 => 424,
                    V3_12 => 432,
                    _ => 416,
                },
            },
            thresholds: match version {
                // `Include/internal/pycore_runtime_init.h`: young 2000, old[0] 10, old[1] 0 [obs Pyodide 3.14.2].
                V3_14_0 | V3_14_1 => [2000, 10, 0],
                // 3.13.0's `{2000},{10},{10}`, restored with its collector [obs Pyodide 3.15.0rc1].
                V3_13 | V3_14_5 | V3_15 => [2000, 10, 10],
                _ => [700, 10, 10],
            },
            incremental: match version {
                V3_14_0 => Some(IncrementRules { cap_halves: 3, early_return: false, refill_after_increment: true }),
                V3_14_1 => Some(IncrementRules { cap_halves: 4, early_return: true, refill_after_increment: false }),
                _ => None,
            },
            gc_count: if version == V3_14_1 { GcCount::Tracked } else { GcCount::Allocations },
            atomic_tuples_untracked: version >= V3_14_1,
            class_bases_untracked: matches!(version, V3_14_1 | V3_14_5),
            inline_values_hide_dict: matches!(version, V3_13 | V3_14_0 | V3_14_1 | V3_14_5),
            weakrefs_cleared_after_finalizers: version >= V3_15,
            callback_info_candidates: version >= V3_15,
            shared_object_getsets: version >= V3_15,
            borrows_fast_locals: version >= V3_14_0,
            medium_ints_padded: version >= V3_11,
            largest_small_int: if version >= V3_15 { 1024 } else { *SMALL_INTS.end() },
            interned_immortal: version == V3_12,
            list_presize: if version <= V3_9 { ListPresize::Exact } else { ListPresize::EvenCount },
            keeps_free_arena: version >= V3_9,
            list_del_shrinks: version <= V3_12,
            pop_to_empty_frees: version >= V3_12,
            dict_new_presized: version <= V3_9,
            dicts_always_tracked: version >= V3_14_0,
        }
    }

    /// Whether the collector is 3.14.0-3.14.4's incremental one.
    pub fn incremental_gc(&self) -> bool {
        self.incremental.is_some()
    }

    /// Pools that fit in one arena before alignment: `MAX_POOLS_IN_ARENA = ARENA_SIZE / POOL_SIZE` (64).
    pub fn max_pools_in_arena(&self) -> u32 {
        self.arena_size / self.pool_size
    }

    /// `NUMBLOCKS(i) = (POOL_SIZE - POOL_OVERHEAD) / INDEX2SIZE(i)`.
    pub fn blocks_per_pool(&self, class: usize) -> u32 {
        (self.pool_size - POOL_OVERHEAD) / class_size(class)
    }
}

/// `INDEX2SIZE(i) = (i + 1) << ALIGNMENT_SHIFT`.
pub fn class_size(class: usize) -> u32 {
    (class as u32 + 1) * ALIGNMENT
}

/// The pymalloc size class of an `nbytes` request, or `None` when it goes to the raw allocator
/// (`nbytes == 0` or `nbytes > SMALL_REQUEST_THRESHOLD`): `(nbytes - 1) >> ALIGNMENT_SHIFT`.
pub fn size_class(nbytes: usize) -> Option<usize> {
    (1..=SMALL_REQUEST_THRESHOLD as usize).contains(&nbytes).then(|| (nbytes - 1) >> 4)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_classes_follow_obmalloc() {
        // (nbytes, class) pairs from `(nbytes - 1) >> ALIGNMENT_SHIFT`.
        for (n, want) in [(0, None), (1, Some(0)), (16, Some(0)), (17, Some(1)), (512, Some(31)), (513, None)] {
            assert_eq!(size_class(n), want, "nbytes={n}");
        }
    }

    #[test]
    fn blocks_per_pool_matches_the_spec_table() {
        // §1.2: computed from the formula, checked against observed dumps (class 0: 1021 on 16 KiB pools,
        // 253 on 4 KiB pools).
        let p13 = Profile::for_version(PyVersion::V3_13);
        let p8 = Profile::for_version(PyVersion::V3_8);
        for (class, n13, n8) in [(0, 1021, 253), (1, 510, 126), (6, 145, 36), (31, 31, 7)] {
            assert_eq!(p13.blocks_per_pool(class), n13);
            assert_eq!(p8.blocks_per_pool(class), n8);
        }
        assert_eq!(p8.max_pools_in_arena(), 64);
        assert_eq!(p13.max_pools_in_arena(), 64);
    }
}
