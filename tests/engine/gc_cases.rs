//! The cycle collector, case by case, against `tests/probes/gc_cases.py` run live on every local CPython, and
//! against the observed §3.5 table of the spec. Each case builds the same structure as the probe.

use crate::support::OBSERVED;
use heapscope::cpython::{Interpreter, find_interpreters, find_pyodide};
use heapscope::heap::gc::DEBUG_SAVEALL;
use heapscope::heap::{Call, ClassSpec, Heap, ObjId, Profile, PyVersion};
use serde_json::{Value, json};

/// A heap plus the Python behaviour of the case's finalizers and callbacks.
struct Sim {
    h: Heap,
    /// What finalizers and callbacks recorded, in order.
    log: Vec<Value>,
    /// `saved` lists that resurrecting `__del__` methods append to.
    saved: ObjId,
    /// Weakref holders whose callback deletes element 0.
    holder: ObjId,
    resurrect: Vec<ObjId>,
    gc_callback_log: Vec<Value>,
    /// A recording of the case, checked against the heap after every collection.
    mirror: crate::support::Mirror,
}

impl Sim {
    fn new(v: PyVersion) -> Sim {
        let mut h = Heap::new(Profile::for_version(v));
        let mirror = crate::support::Mirror::attach(&mut h);
        h.gc_set_enabled(false);
        let saved = h.new_list().unwrap();
        let holder = h.new_list().unwrap();
        Sim { h, log: Vec::new(), saved, holder, resurrect: Vec::new(), gc_callback_log: Vec::new(), mirror }
    }

    fn class(&mut self, name: &str, spec: ClassSpec) -> ObjId {
        self.h.new_class(name, spec).unwrap()
    }

    /// `a = cls(); b = cls(); a.other = b; b.other = a`, names released.
    fn cycle(&mut self, class: ObjId) -> (ObjId, ObjId) {
        let (a, b) = (self.h.new_instance(class).unwrap(), self.h.new_instance(class).unwrap());
        self.h.set_attr(a, "other", b).unwrap();
        self.h.set_attr(b, "other", a).unwrap();
        (a, b)
    }

    fn drop_all(&mut self, ids: &[ObjId]) {
        for &id in ids {
            self.h.dec_root(id).unwrap();
            self.run_calls();
        }
    }

    /// Run Python code the heap asks for: the case's `__del__` and callbacks.
    fn run_calls(&mut self) {
        while let Some(call) = self.h.take_call() {
            match call {
                Call::Del(id) => {
                    let class = self.h.class_of(id).unwrap().unwrap();
                    let name = self.h.class_info(class).unwrap().name;
                    let who = self.h.get_attr(id, "name").ok().and_then(|n| self.h.value(n).unwrap().cloned());
                    match who {
                        Some(heapscope::heap::Value::Str(s)) => self.log.push(json!(["del", &*s])),
                        _ => self.log.push(json!("del")),
                    }
                    if self.resurrect.contains(&class) {
                        self.h.list_append(self.saved, id).unwrap();
                    }
                    let _ = name;
                }
                Call::WeakrefCallback { .. } => {
                    self.log.push(json!(["cb"]));
                    if self.h.seq_len(self.holder).unwrap() > 0 {
                        self.h.list_del(self.holder, 0).unwrap();
                    }
                }
                Call::GcCallback { stop, generation, collected, uncollectable, .. } => {
                    let phase = if stop { "stop" } else { "start" };
                    self.gc_callback_log.push(json!([phase, generation, collected, uncollectable]));
                }
            }
            self.h.finish_call().unwrap();
        }
    }

    fn collect(&mut self, g: i64) -> u64 {
        let done = self.h.gc_collect(g).unwrap();
        self.run_calls();
        let version = self.h.profile().version;
        self.mirror.assert_matches(&self.h, format!("{version}: after gc.collect({g})"));
        done.or(self.h.gc_last_result()).unwrap().total()
    }

    fn type_names(&self, ids: &[ObjId]) -> Vec<String> {
        let mut names: Vec<String> = ids.iter().map(|&id| self.h.type_name(id).unwrap()).collect();
        names.sort();
        names
    }
}

/// The simulator's answer for one probe case, in the probe's JSON shape; `None` for cases it cannot build.
fn run_case(v: PyVersion, case: &str) -> Option<Value> {
    let mut s = Sim::new(v);
    s.collect(2);
    let plain = ClassSpec::default;
    let with_del = || ClassSpec { has_del: true, ..Default::default() };
    Some(match case {
        "cycle2_plain" | "cycle2_touched_dict" => {
            let a = s.class("A", plain());
            let (x, y) = s.cycle(a);
            if case == "cycle2_touched_dict" {
                s.h.instance_dict(x).unwrap();
                s.h.instance_dict(y).unwrap();
            }
            s.drop_all(&[x, y]);
            json!(s.collect(2))
        }
        "self_cycle" => {
            let a = s.class("A", plain());
            let x = s.h.new_instance(a).unwrap();
            s.h.set_attr(x, "me", x).unwrap();
            s.drop_all(&[x]);
            json!(s.collect(2))
        }
        "cycle2_slots" => {
            let slots = Some(vec![s.h.intern("other")]);
            let c = s.class("S", ClassSpec { slots, ..Default::default() });
            let (x, y) = s.cycle(c);
            s.drop_all(&[x, y]);
            json!(s.collect(2))
        }
        "cycle2_del" => {
            let c = s.class("D", with_del());
            let (x, y) = s.cycle(c);
            s.drop_all(&[x, y]);
            let n = s.collect(2);
            json!([n, s.h.gc_garbage().len(), s.log.len()])
        }
        "list_self" => {
            let l = s.h.new_list().unwrap();
            s.h.list_append(l, l).unwrap();
            s.drop_all(&[l]);
            json!(s.collect(2))
        }
        "cycle2_plus_list" => {
            let c = s.class("A", plain());
            let (a, b, l) = (s.h.new_instance(c).unwrap(), s.h.new_instance(c).unwrap(), s.h.new_list().unwrap());
            s.h.set_attr(a, "x", l).unwrap();
            s.h.list_append(l, b).unwrap();
            s.h.set_attr(b, "x", a).unwrap();
            s.drop_all(&[a, b, l]);
            json!(s.collect(2))
        }
        "cycle2_saveall" => {
            s.h.gc_set_debug(DEBUG_SAVEALL);
            let c = s.class("A", plain());
            let (x, y) = s.cycle(c);
            s.drop_all(&[x, y]);
            let n = s.collect(2);
            s.h.gc_set_debug(0);
            json!([n, s.type_names(s.h.gc_garbage())])
        }
        "cycle2_del_resurrect" => {
            let c = s.class("R", with_del());
            s.resurrect.push(c);
            let (x, y) = s.cycle(c);
            s.drop_all(&[x, y]);
            let n1 = s.collect(2);
            let k = s.h.seq_len(s.saved).unwrap();
            s.h.list_clear(s.saved).unwrap();
            s.run_calls();
            let n2 = s.collect(2);
            json!([n1, k, n2, s.log.len()])
        }
        "cycle2_weakref_cb" | "finalize_cycle" => {
            let c = s.class("A", plain());
            let (x, y) = s.cycle(c);
            let cb = s.h.new_function(&[]).unwrap();
            let w = s.h.new_weakref(x, Some(cb)).unwrap();
            s.h.list_append(s.holder, w).unwrap();
            s.drop_all(&[w, cb, x, y]);
            let n = s.collect(2);
            let ran = s.log.iter().filter(|e| **e == json!(["cb"])).count();
            if case == "finalize_cycle" { json!([n, ran == 1]) } else { json!([n, ran]) }
        }
        "mixed_resurrect" => {
            let p = s.class("P", plain());
            let r = s.class("R", with_del());
            s.resurrect.push(r);
            let (x, y) = s.cycle(p);
            let (a, b) = s.cycle(r);
            s.drop_all(&[a, b, x, y]);
            json!(s.collect(2))
        }
        "del_order" => {
            let c = s.class("D", with_del());
            let (a, b) = (s.h.new_instance(c).unwrap(), s.h.new_instance(c).unwrap());
            for (o, n) in [(a, "a"), (b, "b")] {
                let name = s.h.new_str(n).unwrap();
                s.h.set_attr(o, "name", name).unwrap();
                s.drop_all(&[name]);
            }
            s.h.set_attr(a, "other", b).unwrap();
            s.h.set_attr(b, "other", a).unwrap();
            let cb = s.h.new_function(&[]).unwrap();
            let w = s.h.new_weakref(a, Some(cb)).unwrap();
            s.drop_all(&[cb, a, b]);
            s.collect(2);
            s.drop_all(&[w]);
            json!(s.log)
        }
        "count_sequence" => {
            let mut out = Vec::new();
            for g in [0, 0, 1, 2] {
                s.collect(g);
                out.push(json!(s.h.gc_count()));
            }
            json!(out)
        }
        "tuple_untrack" => {
            let items = [s.h.new_int(1).unwrap(), s.h.new_int(2).unwrap(), s.h.new_str("a").unwrap()];
            let t = s.h.new_tuple_built(&items).unwrap();
            let before = s.h.is_tracked(t).unwrap();
            s.collect(2);
            json!([before, s.h.is_tracked(t).unwrap()])
        }
        "dict_untrack" => {
            let d = s.h.new_dict().unwrap();
            let (k, l, one) = (s.h.new_str("a").unwrap(), s.h.new_list().unwrap(), s.h.new_int(1).unwrap());
            s.h.dict_set(d, k, l).unwrap();
            s.drop_all(&[l]);
            s.h.dict_set(d, k, one).unwrap();
            let mut out = Vec::new();
            for g in [0, 1, 2] {
                s.collect(g);
                out.push(s.h.is_tracked(d).unwrap());
            }
            json!(out)
        }
        "referents_list" => {
            let c = s.class("A", plain());
            let (x, y) = (s.h.new_instance(c).unwrap(), s.h.new_instance(c).unwrap());
            let l = s.h.new_list_from(&[x, y]).unwrap();
            let refs = s.h.gc_referents(l).unwrap();
            json!(
                refs.iter()
                    .map(|&r| if r == x {
                        0
                    } else if r == y {
                        1
                    } else {
                        -1
                    })
                    .collect::<Vec<_>>()
            )
        }
        "referents_instance" => {
            let (a, xc) = (s.class("A", plain()), s.class("X", plain()));
            let (x, y, o) =
                (s.h.new_instance(xc).unwrap(), s.h.new_instance(xc).unwrap(), s.h.new_instance(a).unwrap());
            s.h.set_attr(o, "a", x).unwrap();
            s.h.set_attr(o, "b", y).unwrap();
            let labels: Vec<String> =
                s.h.gc_referents(o)
                    .unwrap()
                    .into_iter()
                    .map(|r| match r {
                        r if r == x => "x".into(),
                        r if r == y => "y".into(),
                        r if r == a => "type".into(),
                        r => s.h.type_name(r).unwrap(),
                    })
                    .collect();
            json!(labels)
        }
        "tpdel_cycle" => {
            let l = s.class("L", ClassSpec { legacy_del: true, ..Default::default() });
            let p = s.class("P", plain());
            let (a, b) = s.cycle(l);
            let c = s.h.new_instance(p).unwrap();
            s.h.set_attr(a, "c", c).unwrap();
            s.drop_all(&[a, b, c]);
            let n = s.collect(2);
            let garbage = s.h.gc_garbage().to_vec();
            json!([n, garbage.len(), s.type_names(&garbage)])
        }
        "freeze" => {
            let f = s.class("F", plain());
            let keep: Vec<ObjId> = (0..3).map(|_| s.h.new_instance(f).unwrap()).collect();
            let l = s.h.new_list_from(&keep).unwrap();
            s.h.gc_freeze();
            let v = json!([
                s.h.gc_count(),
                s.h.gc_freeze_count() > 0,
                s.h.is_tracked(keep[0]).unwrap(),
                s.h.gc_objects(None).contains(&keep[0])
            ]);
            s.h.gc_unfreeze();
            let _ = l;
            v
        }
        "stats_delta" => {
            let s0 = s.h.gc_stats();
            for g in [0, 1, 2] {
                s.collect(g);
            }
            let s1 = s.h.gc_stats();
            json!((0..3).map(|g| s1[g].collections - s0[g].collections).collect::<Vec<_>>())
        }
        "callbacks" => {
            let c = s.class("A", plain());
            let (x, y) = s.cycle(c);
            s.drop_all(&[x, y]);
            let cb = s.h.new_function(&[]).unwrap();
            s.h.gc_add_callback(cb).unwrap();
            s.collect(1);
            s.h.gc_remove_callback(cb).unwrap();
            json!(s.gc_callback_log)
        }
        "threshold" => json!(s.h.gc_threshold()),
        "auto_collections" => {
            let c = s.class("A", plain());
            let n = if s.h.gc_threshold()[0] == 2000 { 50_000 } else { 17_500 };
            let cb = s.h.new_function(&[]).unwrap();
            s.h.gc_add_callback(cb).unwrap();
            let keep = s.h.new_list().unwrap();
            s.h.gc_set_enabled(true);
            for _ in 0..n {
                let x = s.h.new_instance(c).unwrap();
                s.run_calls();
                s.h.list_append(keep, x).unwrap();
                s.h.dec_root(x).unwrap();
                s.h.statement_boundary();
                s.run_calls();
            }
            s.h.gc_set_enabled(false);
            let mut stops = [0u64; 3];
            for e in &s.gc_callback_log {
                if e[0] == "stop" {
                    stops[e[1].as_u64().unwrap() as usize] += 1;
                }
            }
            json!([stops[0], stops[1], stops[2], n])
        }
        _ => return None,
    })
}

#[test]
fn the_spec_table_of_collect_results_holds_per_profile() {
    // §3.5 [obs gc_clean2.py, tpdel.py]: columns 3.8 / 3.9 [obs 3.9.18] / 3.10 / 3.11 / 3.12 / 3.13.
    let table: &[(&str, [i64; 6])] = &[
        ("cycle2_plain", [4, 4, 4, 2, 2, 2]),
        ("self_cycle", [2, 2, 2, 1, 1, 1]),
        ("cycle2_touched_dict", [4, 4, 4, 4, 4, 2]),
        ("cycle2_slots", [2; 6]),
        ("list_self", [1; 6]),
        ("cycle2_plus_list", [5, 5, 5, 3, 3, 3]),
        ("mixed_resurrect", [0, 4, 4, 2, 2, 2]),
    ];
    for (case, want) in table {
        for (v, want) in OBSERVED.into_iter().zip(want) {
            assert_eq!(run_case(v, case), Some(json!(want)), "{case} on {v}");
        }
    }
    // 2-cycle with __del__: collected, gc.garbage empty, __del__ ran twice.
    assert_eq!(run_case(PyVersion::V3_8, "cycle2_del"), Some(json!([4, 0, 2])));
    assert_eq!(run_case(PyVersion::V3_13, "cycle2_del"), Some(json!([2, 0, 2])));
    // DEBUG_SAVEALL: (A, A, dict, dict) on 3.8, (A, A) from 3.11.
    assert_eq!(run_case(PyVersion::V3_8, "cycle2_saveall"), Some(json!([4, ["A", "A", "dict", "dict"]])));
    assert_eq!(run_case(PyVersion::V3_11, "cycle2_saveall"), Some(json!([2, ["A", "A"]])));
}

fn run_probe(python: &Interpreter) -> Vec<(String, Value)> {
    let probe = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/probes/gc_cases.py");
    let out = python.command().arg(probe).output().expect("the interpreter runs");
    assert!(out.status.success(), "{}: {}", python.describe(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("JSON line"))
        .map(|v| (v["case"].as_str().unwrap().to_string(), v["value"].clone()))
        .filter(|(c, _)| c != "version")
        .collect()
}

/// Every case is layout-free (results, counts, tracking, order), so Pyodide's 3.14.2 and 3.15.0rc1 check the
/// 3.14.1-3.14.4 and 3.15 profiles too.
#[test]
fn gc_behaviour_matches_every_local_cpython() {
    let (pyodide, missing) = find_pyodide();
    let interpreters: Vec<Interpreter> = find_interpreters().into_iter().chain(pyodide).collect();
    for v in PyVersion::ALL.iter().filter(|v| !interpreters.iter().any(|i| i.version == **v)) {
        println!("SKIP CPython {v}: no interpreter found (pyenv, python{} on PATH, or Pyodide)", v.series());
    }
    missing.iter().for_each(|m| println!("SKIP {m}"));
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for interp in &interpreters {
        for (case, real) in run_probe(interp) {
            if real.is_null() {
                println!("SKIP {case} on {}: the interpreter lacks the feature", interp.version);
                continue;
            }
            match run_case(interp.version, &case) {
                Some(sim) if sim == real => compared += 1,
                Some(sim) => mismatches.push(format!("{} {case}: CPython {real}, heapscope {sim}", interp.version)),
                None => mismatches.push(format!("{} {case}: no simulator case", interp.version)),
            }
        }
    }
    println!("{compared} GC cases agree across {} interpreters", interpreters.len());
    assert!(mismatches.is_empty(), "{} mismatches:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[test]
fn debug_flags_write_cpythons_messages() {
    use heapscope::heap::gc::{DEBUG_COLLECTABLE, DEBUG_STATS, DEBUG_UNCOLLECTABLE};
    let mut s = Sim::new(PyVersion::V3_13);
    let a = s.class("A", ClassSpec::default());
    let l = s.class("L", ClassSpec { legacy_del: true, ..Default::default() });
    let (x, y) = s.cycle(a);
    let (p, q) = s.cycle(l);
    s.drop_all(&[x, y, p, q]);
    s.h.gc_take_messages();
    s.h.gc_set_debug(DEBUG_STATS | DEBUG_COLLECTABLE | DEBUG_UNCOLLECTABLE);
    s.collect(2);
    let msgs = s.h.gc_take_messages();
    let shapes: Vec<String> = msgs.iter().map(|m| m.split(" <").next().unwrap().to_string()).collect();
    assert_eq!(
        shapes,
        [
            "gc: collecting generation 2...",
            // Two classes of six (type, dict, `__mro__`, `__bases__`, two getsets) and four instances.
            "gc: objects in each generation: 18 0 0",
            "gc: objects in permanent generation: 0",
            "gc: collectable",
            "gc: collectable",
            "gc: uncollectable",
            "gc: uncollectable",
            "gc: done, 4 unreachable, 2 uncollectable, 0.0000s elapsed",
        ]
    );
    assert!(msgs[3].starts_with("gc: collectable <A 0x"), "{}", msgs[3]);
}
