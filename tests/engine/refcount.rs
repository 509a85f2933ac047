//! Reference counting and roots (§2.1-2.3).

use crate::support::{assert_ok, heap, refcount};
use heapscope::heap::{ClassSpec, HeapError, PyVersion};

#[test]
fn a_fresh_object_bound_to_one_name_reports_two() {
    // §2.3 [obs 3.8-3.13]: `x = A(); sys.getrefcount(x)` is 2 (the name plus the argument).
    for v in PyVersion::ALL {
        let mut h = heap(v);
        let a = h.new_class("A", ClassSpec::default()).unwrap();
        let x = h.new_instance(a).unwrap();
        assert_eq!(refcount(&h, x), 2, "{v}");
        let l = h.new_list().unwrap();
        h.list_append(l, x).unwrap();
        assert_eq!(refcount(&h, x), 3, "{v}: one more from the list");
        assert_ok(&h);
    }
}

#[test]
fn dropping_the_last_reference_frees_at_once() {
    let mut h = heap(PyVersion::V3_13);
    let l = h.new_list().unwrap();
    let x = h.new_float(1.5).unwrap();
    h.list_append(l, x).unwrap();
    h.dec_root(x).unwrap();
    assert!(h.get(x).is_ok(), "still held by the list");
    h.list_clear(l).unwrap();
    assert_eq!(h.get(x).unwrap_err(), HeapError::Freed(x));
    assert_ok(&h);
}

#[test]
fn stale_ids_are_errors_even_after_slot_reuse() {
    let mut h = heap(PyVersion::V3_13);
    let a = h.new_list().unwrap();
    h.dec_root(a).unwrap();
    let b = h.new_list().unwrap();
    assert_eq!(a.index(), b.index(), "the slot is reused");
    assert_eq!(h.get(a).unwrap_err(), HeapError::Freed(a));
    assert_eq!(h.dec_root(a), Err(HeapError::Freed(a)));
    assert!(h.get(b).is_ok());
}

#[test]
fn releasing_a_root_that_was_never_taken_is_an_error() {
    let mut h = heap(PyVersion::V3_13);
    let l = h.new_list().unwrap();
    let x = h.new_float(2.0).unwrap();
    h.list_append(l, x).unwrap();
    h.dec_root(x).unwrap();
    assert_eq!(h.dec_root(x), Err(HeapError::NoRoot(x)), "the list's reference is not the caller's to drop");
    assert_ok(&h);
}

#[test]
fn static_singletons_count_per_profile() {
    // §2.1-2.2: 3.12/3.13 immortal at 0xFFFFFFFF; 3.11 small ints start at 999999999 and still count; 3.8
    // counts normally (the interpreter's own references are not simulated: base 1).
    for (v, first, immortal) in [
        (PyVersion::V3_8, 3, false),
        (PyVersion::V3_11, 1_000_000_001, false),
        (PyVersion::V3_12, 4_294_967_295, true),
        (PyVersion::V3_13, 4_294_967_295, true),
    ] {
        let mut h = heap(v);
        let zero = h.new_int(0).unwrap();
        assert_eq!(refcount(&h, zero), first, "{v}");
        let again = h.new_int(0).unwrap();
        assert_eq!(zero, again, "{v}: small ints are cached");
        let second = if immortal { first } else { first + 1 };
        assert_eq!(refcount(&h, zero), second, "{v}");
        assert_eq!(h.get(zero).unwrap().is_immortal(), immortal);
        assert_ok(&h);
    }
}

#[test]
fn small_int_cache_covers_minus_5_to_256() {
    // §2.4 [obs]: `int('256') is int('256')` True; 257 and -6 False.
    let mut h = heap(PyVersion::V3_13);
    for (v, cached) in [(256, true), (-5, true), (257, false), (-6, false)] {
        let a = h.new_int(v).unwrap();
        let b = h.new_int(v).unwrap();
        assert_eq!(a == b, cached, "{v}");
    }
}

#[test]
fn none_is_mortal_on_3_11_but_immortal_on_3_12() {
    // §2.2 [obs]: None is not in 3.11's static set.
    let mut h = heap(PyVersion::V3_11);
    let n = h.none();
    assert_eq!(refcount(&h, n), 3);
    let mut h = heap(PyVersion::V3_12);
    let n = h.none();
    assert_eq!(refcount(&h, n), 4_294_967_295);
}

#[test]
fn returning_from_a_function_frees_its_locals() {
    let mut h = heap(PyVersion::V3_13);
    let keep = h.new_list().unwrap();
    h.bind("keep", keep).unwrap();
    h.dec_root(keep).unwrap();
    h.push_frame("f");
    let local = h.new_list().unwrap();
    h.bind("tmp", local).unwrap();
    h.dec_root(local).unwrap();
    let escapes = h.new_float(1.0).unwrap();
    h.bind("x", escapes).unwrap();
    h.list_append(keep, escapes).unwrap();
    h.dec_root(escapes).unwrap();
    assert_eq!(refcount(&h, escapes), 3, "the local and the list");
    let names: Vec<&str> = h.frames().names_of(escapes).map(|n| h.name(n)).collect();
    assert_eq!(names, ["x"]);
    h.pop_frame().unwrap();
    assert!(h.get(local).is_err(), "only the frame held it");
    assert_eq!(refcount(&h, escapes), 2, "the list still holds it");
    assert_eq!(h.lookup("keep"), Some(keep));
    h.unbind("keep").unwrap();
    assert!(h.get(keep).is_err() && h.get(escapes).is_err());
    assert!(h.unbind("keep").is_err(), "NameError");
    assert_ok(&h);
}
