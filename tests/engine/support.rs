//! Small helpers shared by the engine tests.

use heapscope::heap::{Heap, ObjId, Profile, PyVersion};

/// A fresh heap for `v`.
pub fn heap(v: PyVersion) -> Heap {
    Heap::new(Profile::for_version(v))
}

/// Assert the heap's invariants, naming the caller on failure.
#[track_caller]
pub fn assert_ok(h: &Heap) {
    if let Err(e) = h.check() {
        panic!("{e}");
    }
}

/// `sys.getrefcount(x)` as a plain number.
#[track_caller]
pub fn refcount(h: &Heap, id: ObjId) -> u64 {
    h.getrefcount(id).expect("live object")
}
