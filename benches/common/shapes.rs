//! Heap shapes the benchmarks build, shared so every benchmark measures the same thing.

use heapscope::heap::{ClassSpec, Heap, ObjId};

/// A linked chain of `n` instances of a fresh `Node` class (`tail.next = node`); returns the head, the only
/// root left.
pub fn chain(h: &mut Heap, n: usize) -> ObjId {
    let node = h.new_class("Node", ClassSpec::default()).unwrap();
    let head = h.new_instance(node).unwrap();
    let mut tail = head;
    for _ in 1..n {
        let next = h.new_instance(node).unwrap();
        h.set_attr(tail, "next", next).unwrap();
        h.dec_root(next).unwrap();
        tail = next;
    }
    head
}
