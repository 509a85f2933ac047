//! What a real interpreter's start-up leaves for the user's first line: the type free lists are not empty.
//!
//! Observed with `import sys; sys._debugmallocstats()` as a script's first line (`tests/fixtures/startup/`,
//! checked by `tests/engine/startup.rs`). They matter wherever a program's first objects of a type would
//! otherwise be fresh allocations: a list comprehension's list, a `get_traced_memory()` tuple, a float come
//! from these lists, so tracemalloc does not see them.

use super::PyVersion;

/// Objects kept on each free list when user code starts.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct StartupFreeLists {
    /// `free PyDictObjects`.
    pub dicts: u16,
    /// `free PyDictKeysObjects` (3.13).
    pub dict_keys: u16,
    /// `free PyFloatObjects`.
    pub floats: u16,
    /// `free PyListObjects`.
    pub lists: u16,
    /// `free n-sized PyTupleObjects`, for n = 1, 2, ... (19 lengths through 3.10, 20 from 3.11).
    pub tuples: [u16; 20],
}

/// The start-up free lists of `version`. 3.14 and 3.15 have no pymalloc build to observe here (Pyodide has
/// none): their counts are assumed to be 3.13's.
pub fn startup_free_lists(version: PyVersion) -> StartupFreeLists {
    use PyVersion::*;
    let (dicts, dict_keys, floats, lists, tuples) = match version {
        V3_8 => (9, 0, 3, 6, [9, 5, 4, 1, 4, 3, 10, 6, 3, 1, 1, 2, 0, 3, 2, 0, 1, 2, 3, 0]),
        V3_9 => (10, 0, 3, 6, [9, 5, 6, 1, 4, 3, 9, 2, 3, 4, 2, 2, 0, 3, 2, 0, 1, 2, 3, 0]),
        V3_10 => (8, 0, 4, 5, [4, 7, 2, 1, 4, 2, 8, 2, 3, 7, 1, 1, 0, 1, 2, 0, 1, 2, 3, 0]),
        V3_11 => (8, 0, 4, 40, [4, 8, 2, 2, 3, 0, 8, 6, 1, 0, 1, 3, 5, 1, 2, 2, 2, 3, 1, 6]),
        V3_12 => (14, 0, 3, 9, [5, 8, 3, 1, 1, 1, 0, 0, 2, 0, 1, 0, 1, 1, 0, 0, 1, 2, 0, 0]),
        V3_13 | V3_14_0 | V3_14_1 | V3_14_5 | V3_15 => {
            (12, 5, 5, 10, [5, 8, 4, 1, 0, 2, 5, 2, 3, 5, 2, 8, 2, 1, 1, 2, 2, 2, 1, 0])
        }
    };
    StartupFreeLists { dicts, dict_keys, floats, lists, tuples }
}
