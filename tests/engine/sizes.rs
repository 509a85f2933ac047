//! `sys.getsizeof` and allocation sizes per profile, against the observed tables (§4.2, §4.4).

use crate::support::{OBSERVED, heap};
use PyVersion::*;
use heapscope::heap::{ClassSpec, Event, Heap, ObjId, Profile, PyVersion, SharedSink};

/// Builders for the objects of the §4.2 table, by row name.
fn build(h: &mut Heap, what: &str) -> ObjId {
    match what {
        "0" => h.new_int(0).unwrap(),
        "1" => h.new_int(1).unwrap(),
        "2**100" => h.new_int(1 << 100).unwrap(),
        "1.0" => h.new_float(1.0).unwrap(),
        "''" => h.new_str("").unwrap(),
        "'abc'" => h.new_str("abc").unwrap(),
        "'\\u20ac'" => h.new_str("\u{20ac}").unwrap(),
        "b''" => h.new_bytes(0).unwrap(),
        "()" => h.new_tuple(&[]).unwrap(),
        "(1,2,3)" => {
            let items: Vec<ObjId> = (1..=3).map(|i| h.new_int(i).unwrap()).collect();
            h.new_tuple(&items).unwrap()
        }
        "[]" => h.new_list().unwrap(),
        "list(range(3))" => {
            let items: Vec<ObjId> = (0..3).map(|i| h.new_int(i).unwrap()).collect();
            h.new_list_from(&items).unwrap()
        }
        "{}" => h.new_dict().unwrap(),
        "{'a':1}" => {
            let d = h.new_dict().unwrap();
            let (k, v) = (h.new_str("a").unwrap(), h.new_int(1).unwrap());
            h.dict_set(d, k, v).unwrap();
            d
        }
        "set()" => h.new_set().unwrap(),
        "A()" => {
            let a = h.new_class("A", ClassSpec::default()).unwrap();
            h.new_instance(a).unwrap()
        }
        "S2()" => {
            let slots = Some(vec![h.intern("x"), h.intern("y")]);
            let s = h.new_class("S2", ClassSpec { slots, ..Default::default() }).unwrap();
            h.new_instance(s).unwrap()
        }
        "gen()" => h.new_generator(&[]).unwrap(),
        "lambda" => h.new_function(&[]).unwrap(),
        "weakref" => {
            let a = h.new_class("W", ClassSpec::default()).unwrap();
            let x = h.new_instance(a).unwrap();
            h.new_weakref(x, None).unwrap()
        }
        "True" => h.new_bool(true),
        "class" => h.new_class("C", ClassSpec::default()).unwrap(),
        other => panic!("no builder for {other}"),
    }
}

#[test]
fn getsizeof_matches_the_observed_table() {
    // Rows of §4.2 [obs sizes.py] and `sizes.out`, columns 3.8 / 3.9 [obs 3.9.18] / 3.10 / 3.11 / 3.12 / 3.13.
    let table: &[(&str, [u64; 6])] = &[
        ("0", [24, 24, 24, 28, 28, 28]),
        ("1", [28; 6]),
        ("2**100", [40; 6]),
        ("1.0", [24; 6]),
        ("''", [49, 49, 49, 49, 41, 41]),
        ("'abc'", [52, 52, 52, 52, 44, 44]),
        ("'\\u20ac'", [76, 76, 76, 76, 60, 60]),
        ("b''", [33; 6]),
        ("()", [40; 6]),
        ("(1,2,3)", [64; 6]),
        ("[]", [56; 6]),
        ("list(range(3))", [80, 80, 88, 88, 88, 88]),
        ("{}", [64; 6]),
        ("{'a':1}", [232, 232, 232, 184, 184, 184]),
        ("set()", [216; 6]),
        ("A()", [48, 48, 48, 56, 48, 48]),
        ("S2()", [48; 6]),
        ("gen()", [112, 112, 104, 176, 176, 176]),
        ("lambda", [136, 136, 144, 152, 160, 160]),
        ("weakref", [72, 72, 72, 80, 80, 80]),
        ("True", [28; 6]),
        ("class", [1064, 1064, 1072, 1688, 1704, 1712]),
    ];
    for (what, want) in table {
        for (v, want) in OBSERVED.into_iter().zip(want) {
            let mut h = heap(v);
            let id = build(&mut h, what);
            assert_eq!(h.getsizeof(id).unwrap(), *want, "getsizeof({what}) on {v}");
        }
    }
}

/// Request sizes of the blocks allocated while making one instance with `attrs` attributes of a warm class
/// (40 instances made first, as the probes do, so the shared keys have settled).
fn instance_blocks(v: PyVersion, attrs: usize) -> Vec<u32> {
    let sink = SharedSink::default();
    let mut h = Heap::with_sink(Profile::for_version(v), Box::new(sink.clone()));
    let a = h.new_class("P", ClassSpec::default()).unwrap();
    let value = h.new_int(1).unwrap();
    let names = ["a", "b", "c", "d", "e", "f"];
    let make = |h: &mut Heap| {
        let x = h.new_instance(a).unwrap();
        for n in &names[..attrs] {
            h.set_attr(x, n, value).unwrap();
        }
        x
    };
    for _ in 0..40 {
        let x = make(&mut h);
        h.dec_root(x).unwrap();
    }
    let _keep = make(&mut h); // a block of the warm-up may come back from a free list: measure a second one
    sink.clear();
    make(&mut h);
    let mut sizes: Vec<u32> = sink
        .events()
        .iter()
        .filter_map(|e| match e {
            Event::BlockAlloc { nbytes, .. } => Some(*nbytes),
            _ => None,
        })
        .collect();
    sizes.sort_unstable();
    sizes
}

#[test]
fn instance_allocations_match_tracemalloc() {
    // §4.4 [obs alloc3.py]: request sizes for a warm class with 0 / 1 / 3 / 6 attributes.
    let cases: &[(PyVersion, usize, &[u32])] = &[
        (V3_8, 0, &[48]),
        (V3_8, 1, &[40, 48, 64]),
        (V3_8, 3, &[40, 48, 64]),
        (V3_8, 6, &[48, 64, 80]),
        (V3_11, 0, &[16, 56]),
        (V3_11, 1, &[24, 56]),
        (V3_11, 3, &[40, 56]),
        (V3_11, 6, &[56, 72]),
        (V3_12, 3, &[40, 48]),
        (V3_13, 0, &[72]),
        (V3_13, 1, &[80]),
        (V3_13, 3, &[96]),
        (V3_13, 6, &[120]),
    ];
    for (v, attrs, want) in cases {
        assert_eq!(instance_blocks(*v, *attrs), *want, "{v}, {attrs} attrs");
    }
}

#[test]
fn dict_and_list_growth_follow_cpython() {
    // §4.2: dict with n int keys: 3.8 232/360/640/1176 at n = 5/6/11/22; 3.11+ 224/352/632/1168.
    for (v, want) in [(V3_8, [232, 360, 640, 1176]), (V3_11, [224, 352, 632, 1168])] {
        let mut h = heap(v);
        let d = h.new_dict().unwrap();
        let mut got = Vec::new();
        for i in 1..=22 {
            let k = h.new_int(1000 + i).unwrap();
            h.dict_set(d, k, k).unwrap();
            if [5, 6, 11, 22].contains(&i) {
                got.push(h.getsizeof(d).unwrap());
            }
        }
        assert_eq!(got, want, "{v}");
    }
}
