//! Deallocation order, finalizers, weakref callbacks, free lists and `gc.get_count()` bookkeeping.

use crate::support::{assert_ok, heap};
use heapscope::heap::{Call, Cause, ClassSpec, Event, Heap, ObjId, Profile, PyVersion, SharedSink};

/// Run pending calls, recording them, the way a script runner would (doing nothing inside them).
fn drain(h: &mut Heap) -> Vec<Call> {
    let mut calls = Vec::new();
    while let Some(c) = h.take_call() {
        calls.push(c);
        h.finish_call().unwrap();
    }
    calls
}

#[test]
fn del_runs_first_with_weakrefs_alive_then_callbacks() {
    // §5 [obs wr_exp.py]: ['__del__ rc wr_alive=True', 'callback rc'].
    let mut h = heap(PyVersion::V3_13);
    let a = h.new_class("A", ClassSpec { has_del: true, ..Default::default() }).unwrap();
    let x = h.new_instance(a).unwrap();
    let cb = h.new_function(&[]).unwrap();
    let w = h.new_weakref(x, Some(cb)).unwrap();
    h.dec_root(x).unwrap();
    let first = h.take_call().expect("__del__ is due");
    assert_eq!(first, Call::Del(x));
    assert_eq!(h.weakref_get(w).unwrap(), Some(x), "the weakref still sees the object during __del__");
    h.finish_call().unwrap();
    assert_eq!(h.take_call(), Some(Call::WeakrefCallback { weakref: w, callback: cb }));
    assert_eq!(h.weakref_get(w).unwrap(), None, "cleared before its callback runs");
    h.finish_call().unwrap();
    assert!(h.get(x).is_err());
    assert_ok(&h);
}

#[test]
fn a_finalizer_can_resurrect_and_never_runs_twice() {
    // PEP 442: tp_finalize is called at most once per object.
    let mut h = heap(PyVersion::V3_13);
    let a = h.new_class("A", ClassSpec { has_del: true, ..Default::default() }).unwrap();
    let keep = h.new_list().unwrap();
    let x = h.new_instance(a).unwrap();
    h.dec_root(x).unwrap();
    assert_eq!(h.take_call(), Some(Call::Del(x)));
    h.list_append(keep, x).unwrap(); // __del__ stores self somewhere: resurrection
    h.finish_call().unwrap();
    assert!(h.get(x).unwrap().is_finalized());
    assert_ok(&h);
    h.list_clear(keep).unwrap();
    assert_eq!(h.take_call(), None, "no second __del__");
    assert!(h.get(x).is_err());
    assert_ok(&h);
}

#[test]
fn a_million_long_chain_is_freed_without_recursion() {
    let mut h = heap(PyVersion::V3_13);
    let node = h.new_class("Node", ClassSpec::default()).unwrap();
    let head = h.new_instance(node).unwrap();
    let mut tail = head;
    for _ in 0..1_000_000 {
        let n = h.new_instance(node).unwrap();
        h.set_attr(tail, "next", n).unwrap();
        h.dec_root(n).unwrap();
        tail = n;
    }
    let before = h.user_objects();
    h.dec_root(head).unwrap();
    assert_eq!(before - h.user_objects(), 1_000_001);
    assert_ok(&h);
}

#[test]
fn list_items_are_released_last_first() {
    // `list_dealloc`: `while (--i >= 0) Py_XDECREF(op->ob_item[i])`.
    let sink = SharedSink::default();
    let mut h = Heap::with_sink(Profile::for_version(PyVersion::V3_13), Box::new(sink.clone()));
    let l = h.new_list().unwrap();
    let items: Vec<ObjId> = (0..3).map(|i| h.new_float(f64::from(i)).unwrap()).collect();
    for &i in &items {
        h.list_append(l, i).unwrap();
        h.dec_root(i).unwrap();
    }
    sink.clear();
    h.dec_root(l).unwrap();
    let freed: Vec<ObjId> = sink
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::ObjFree { id } if items.contains(id) => Some(*id),
            _ => None,
        })
        .collect();
    assert_eq!(freed, vec![items[2], items[1], items[0]]);
}

#[test]
fn floats_recycle_through_the_free_list_invisibly_to_gc_counts() {
    let mut h = heap(PyVersion::V3_13);
    let f = h.new_float(1.0).unwrap();
    let addr = h.get(f).unwrap().address();
    h.dec_root(f).unwrap();
    let g = h.new_float(2.0).unwrap();
    assert_eq!(h.get(g).unwrap().address(), addr, "the freed float's block is reused");
    assert_ok(&h);
}

#[test]
fn gc_count_tracks_allocations_minus_frees_and_skips_free_list_reuse() {
    // §3.2 [obs]: 50 lists +50; deleting them +0 (free list); re-creating +0; 50 A() +50, deleting -50.
    let mut h = heap(PyVersion::V3_13);
    let a = h.new_class("A", ClassSpec::default()).unwrap();
    let base = h.gc_count()[0];
    let lists: Vec<ObjId> = (0..50).map(|_| h.new_list().unwrap()).collect();
    assert_eq!(h.gc_count()[0] - base, 50);
    for l in lists {
        h.dec_root(l).unwrap();
    }
    assert_eq!(h.gc_count()[0] - base, 50, "lists went to the free list");
    let lists: Vec<ObjId> = (0..50).map(|_| h.new_list().unwrap()).collect();
    assert_eq!(h.gc_count()[0] - base, 50, "and came back from it");
    let xs: Vec<ObjId> = (0..50).map(|_| h.new_instance(a).unwrap()).collect();
    assert_eq!(h.gc_count()[0] - base, 100);
    for x in xs {
        h.dec_root(x).unwrap();
    }
    assert_eq!(h.gc_count()[0] - base, 50);
    drop(lists);
    assert_ok(&h);
}

#[test]
fn a_plain_weakref_is_shared_and_one_with_a_callback_is_not() {
    let mut h = heap(PyVersion::V3_13);
    let a = h.new_class("A", ClassSpec::default()).unwrap();
    let x = h.new_instance(a).unwrap();
    let w1 = h.new_weakref(x, None).unwrap();
    let w2 = h.new_weakref(x, None).unwrap();
    assert_eq!(w1, w2);
    let cb = h.new_function(&[]).unwrap();
    let w3 = h.new_weakref(x, Some(cb)).unwrap();
    assert_ne!(w1, w3);
    assert_eq!(h.weakref_count(x).unwrap(), 2);
    let i = h.new_int(1000).unwrap();
    assert!(h.new_weakref(i, None).is_err(), "cannot create weak reference to 'int' object");
    h.dec_root(x).unwrap();
    assert_eq!(drain(&mut h), vec![Call::WeakrefCallback { weakref: w3, callback: cb }]);
    assert_ok(&h);
}

#[test]
fn every_mutation_is_reported() {
    let sink = SharedSink::default();
    let mut h = Heap::with_sink(Profile::for_version(PyVersion::V3_8), Box::new(sink.clone()));
    let l = h.new_list().unwrap();
    let f = h.new_float(1.0).unwrap();
    h.list_append(l, f).unwrap();
    h.dec_root(f).unwrap();
    h.dec_root(l).unwrap();
    let events = sink.events();
    let has = |p: fn(&Event) -> bool| events.iter().any(p);
    assert!(has(|e| matches!(e, Event::ArenaNew { .. })));
    assert!(has(|e| matches!(e, Event::PoolInit { .. })));
    assert!(has(|e| matches!(e, Event::ObjAlloc { .. })));
    assert!(has(|e| matches!(e, Event::IncRef { cause: Cause::Edge(..), .. })));
    assert!(has(|e| matches!(e, Event::DecRef { cause: Cause::Dealloc(_), .. })));
    assert!(has(|e| matches!(e, Event::ObjFree { .. })));
    assert!(has(|e| matches!(e, Event::BlockFree { .. })), "the list's item array is freed");
}

#[test]
fn clearing_free_lists_gives_their_blocks_back() {
    let mut h = heap(PyVersion::V3_13);
    let fs: Vec<ObjId> = (0..10).map(|i| h.new_float(f64::from(i)).unwrap()).collect();
    let in_use = |h: &Heap| h.allocator().stats().classes.iter().map(|c| c.blocks).sum::<u64>();
    for f in fs {
        h.dec_root(f).unwrap();
    }
    assert_eq!(in_use(&h), 10, "dead floats still hold their blocks");
    h.clear_free_lists().unwrap();
    assert_eq!(in_use(&h), 0);
    assert_ok(&h);
}
