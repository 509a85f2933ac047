//! The 3.14 incremental collector, checked against what its source says (§3.7; no 3.14 interpreter exists
//! here, so these facts are from `Python/gc.c` and `Modules/gcmodule.c`, not observation).

use crate::support::{assert_ok, heap};
use heapscope::heap::{ClassSpec, Heap, ObjId, PyVersion};

fn cycle(h: &mut Heap, class: ObjId) {
    let (a, b) = (h.new_instance(class).unwrap(), h.new_instance(class).unwrap());
    h.set_attr(a, "other", b).unwrap();
    h.set_attr(b, "other", a).unwrap();
    h.dec_root(a).unwrap();
    h.dec_root(b).unwrap();
}

fn collect(h: &mut Heap, g: i64) -> u64 {
    h.gc_collect(g).unwrap().expect("no finalizers in these tests").total()
}

#[test]
fn thresholds_immortals_and_dict_tracking_follow_the_source() {
    let mut h = heap(PyVersion::V3_14_1);
    assert_eq!(h.gc_threshold(), [2000, 10, 0], "pycore_runtime_init.h: young 2000, old[0] 10, old[1] 0");
    let none = h.none();
    assert_eq!(h.getrefcount(none).unwrap(), 3 << 30, "_Py_IMMORTAL_INITIAL_REFCNT");
    let d = h.new_dict().unwrap();
    assert!(h.is_tracked(d).unwrap(), "3.14 tracks every dict, {{}} included (PR #127027)");
    collect(&mut h, 2);
    assert!(h.is_tracked(d).unwrap(), "and never untracks them");
}

#[test]
fn counts_are_tracked_objects_and_report_young_visited_pending() {
    let mut h = heap(PyVersion::V3_14_1);
    h.gc_set_enabled(false);
    let l = h.new_list().unwrap();
    let one = h.new_int(1).unwrap();
    let t = h.new_tuple(&[one]).unwrap();
    assert_eq!(h.gc_count(), [2, 0, 0], "3.14.1+: young.count counts tracked objects");
    collect(&mut h, 0);
    assert!(!h.is_tracked(t).unwrap(), "untrack_tuples runs before a young collection");
    assert_eq!(h.gc_count(), [0, 1, 0], "old[visited].count++");
    collect(&mut h, 0);
    assert_eq!(h.gc_count(), [0, 2, 0]);
    assert_eq!(h.gc_objects(Some(1)), Vec::<ObjId>::new(), "get_objects(1) is always empty");
    assert_eq!(h.gc_objects(Some(2)), vec![l], "generation 2 lists both old spaces");
    collect(&mut h, 2);
    assert_eq!(h.gc_count(), [0, 0, 0]);
    assert_ok(&h);
}

#[test]
fn an_increment_first_accumulates_work_then_marks_then_collects() {
    let mut h = heap(PyVersion::V3_14_1);
    h.gc_set_enabled(false);
    let a = h.new_class("A", ClassSpec::default()).unwrap();
    cycle(&mut h, a);
    // work_to_do starts at -5000: a small heap gives an increment nothing to do.
    assert_eq!(collect(&mut h, 1), 0);
    assert_eq!(h.gc_stats()[1].collections, 0, "an increment with no work adds no statistics");
    // A full collection finds the cycle (one object per instance: inline values, as on 3.13).
    assert_eq!(collect(&mut h, 2), 2);
    // After a full collection work_to_do is 0 and the next increment only marks from the roots.
    cycle(&mut h, a);
    assert_eq!(collect(&mut h, 1), 0, "the MARK phase collects nothing");
    assert_eq!(collect(&mut h, 1), 0, "marking cost more work than there was: work_to_do < 0, nothing runs");
    // New young objects bring work; the roots' objects are marked away and the increment takes the rest.
    let kept: Vec<ObjId> = (0..10).map(|_| h.new_list().unwrap()).collect();
    assert_eq!(collect(&mut h, 1), 2, "the increment takes the young garbage");
    assert!(kept.iter().all(|&k| h.is_tracked(k).unwrap()));
    assert_eq!(h.gc_stats()[1].collections, 1);
    assert_ok(&h);
}

#[test]
fn automatic_increments_reclaim_cyclic_garbage() {
    let mut h = heap(PyVersion::V3_14_1);
    let a = h.new_class("A", ClassSpec::default()).unwrap();
    let keep = h.new_list().unwrap();
    for i in 0..60_000 {
        cycle(&mut h, a);
        if i % 3 == 0 {
            let x = h.new_instance(a).unwrap();
            h.list_append(keep, x).unwrap();
            h.dec_root(x).unwrap();
        }
        h.statement_boundary();
    }
    let stats = h.gc_stats();
    assert!(stats[1].collections >= 10, "increments ran: {stats:?}");
    assert_eq!((stats[0].collections, stats[2].collections), (0, 0), "automatic runs are increments only");
    assert!(stats[1].collected > 60_000, "most of the 120,000 garbage objects went: {stats:?}");
    assert_eq!(h.seq_len(keep).unwrap(), 20_000, "nothing reachable was freed");
    assert_ok(&h);
}

#[test]
fn callbacks_see_every_increment_even_an_empty_one() {
    // `_PyGC_Collect` invokes "start" and "stop" around every increment, with zeros when it did nothing.
    let mut h = heap(PyVersion::V3_14_1);
    let cb = h.new_function(&[]).unwrap();
    h.gc_add_callback(cb).unwrap();
    h.gc_collect(1).unwrap();
    let mut phases = Vec::new();
    while let Some(call) = h.take_call() {
        if let heapscope::heap::Call::GcCallback { stop, generation, .. } = call {
            phases.push((stop, generation));
        }
        h.finish_call().unwrap();
    }
    assert_eq!(phases, [(false, 1), (true, 1)]);
}
