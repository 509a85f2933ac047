//! The simulator against the real thing, timed in the same run on the same shapes:
//!
//! 1. build a 1,000,000-node linked chain of `class Node` instances and free it with `del head`
//!    (target: simulator / CPython at most 0.5);
//! 2. a full `gc.collect()` over 1,000,000 tracked objects, half of them in unreachable 2-cycles
//!    (target: at most 1.0);
//! 3. a dict of 200,000 int keys: inserted, each looked up, a tenth deleted (no target: it shows that keyed
//!    operations cost what a hash table's do, not a scan; deletes still move the edges after the entry).
//!
//! The simulator uses the profile of the interpreter it is compared with. Set `HEAPSCOPE_PYTHON` to choose
//! the interpreter (default `python3`).

use heapscope::heap::{ClassSpec, Heap, NullSink, Profile, PyVersion};

#[path = "common/shapes.rs"]
mod shapes;
use std::process::Command;
use std::time::Instant;

const N: usize = 1_000_000;

const PY_CHAIN: &str = r#"
import time, gc
gc.disable()
class Node:
    pass
best = None
for _ in range(5):
    t = time.perf_counter()
    head = Node()
    tail = head
    for _ in range(N - 1):
        n = Node()
        tail.next = n
        tail = n
    del n, tail
    del head
    dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
print(best)
"#;

const PY_GC: &str = r#"
import time, gc
gc.disable()
class Node:
    pass
best = None
for _ in range(3):
    keep = [Node() for _ in range(N // 2)]
    for _ in range(N // 4):
        a = Node(); b = Node(); a.o = b; b.o = a
    del a, b
    t = time.perf_counter()
    n = gc.collect()
    dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
    del keep
    gc.collect()
print(best, n)
"#;

const DICT_KEYS: i128 = 200_000;

const PY_DICT: &str = r#"
import time
best = None
for _ in range(3):
    t = time.perf_counter()
    d = {}
    for i in range(200000):
        d[i] = i
    for i in range(200000):
        d[i]
    for i in range(0, 200000, 10):
        del d[i]
    dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
print(best)
"#;

fn dict_ops(profile: Profile) -> f64 {
    best_of(3, || {
        let t = Instant::now();
        let mut h = Heap::with_sink(profile, Box::new(NullSink));
        let d = h.new_dict().unwrap();
        let keys: Vec<_> = (0..DICT_KEYS).map(|i| h.new_int(i).unwrap()).collect();
        for &k in &keys {
            h.dict_set(d, k, k).unwrap();
        }
        for &k in &keys {
            assert!(h.dict_get(d, k).unwrap().is_some());
        }
        for &k in keys.iter().step_by(10) {
            h.dict_del(d, k).unwrap();
        }
        t.elapsed().as_secs_f64()
    })
}

fn compare_dict(profile: Profile, python_exe: &str) {
    let sim = dict_ops(profile);
    println!("dict: heapscope {sim:.3} s");
    match python(python_exe, PY_DICT).and_then(|s| s.parse::<f64>().ok()) {
        Some(py) => println!("dict: CPython {py:.3} s; ratio simulator/CPython {:.2}", sim / py),
        None => println!("dict: skipped the CPython side: `{python_exe}` did not run"),
    }
}

fn best_of(runs: usize, mut f: impl FnMut() -> f64) -> f64 {
    (0..runs).map(|_| f()).fold(f64::MAX, f64::min)
}

fn chain(profile: Profile) -> f64 {
    best_of(5, || {
        let t = Instant::now();
        let mut h = Heap::with_sink(profile, Box::new(NullSink));
        h.gc_set_enabled(false); // as the Python side does
        let head = shapes::chain(&mut h, N);
        h.dec_root(head).unwrap();
        t.elapsed().as_secs_f64()
    })
}

/// Returns the best collection time and what `gc.collect()` returned.
fn full_collection(profile: Profile) -> (f64, u64) {
    let mut found = 0;
    let secs = best_of(3, || {
        let mut h = Heap::with_sink(profile, Box::new(NullSink));
        h.gc_set_enabled(false);
        let node = h.new_class("Node", ClassSpec::default()).unwrap();
        let keep = h.new_list().unwrap();
        for _ in 0..N / 2 {
            let x = h.new_instance(node).unwrap();
            h.list_append(keep, x).unwrap();
            h.dec_root(x).unwrap();
        }
        for _ in 0..N / 4 {
            let (a, b) = (h.new_instance(node).unwrap(), h.new_instance(node).unwrap());
            h.set_attr(a, "o", b).unwrap();
            h.set_attr(b, "o", a).unwrap();
            h.dec_root(a).unwrap();
            h.dec_root(b).unwrap();
        }
        let t = Instant::now();
        found = h.gc_collect(2).unwrap().expect("no finalizers to run").total();
        t.elapsed().as_secs_f64()
    });
    (secs, found)
}

fn python(python: &str, program: &str) -> Option<String> {
    let out = Command::new(python).arg("-c").arg(format!("N = {N}\n{program}")).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() {
    let python_exe = std::env::var("HEAPSCOPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let version = Command::new(&python_exe)
        .arg("-c")
        .arg("import sys; print('%d.%d' % sys.version_info[:2])")
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string());
    let profile = version.as_deref().and_then(|v| v.parse::<PyVersion>().ok()).unwrap_or(PyVersion::V3_13);
    let profile = Profile::for_version(profile);
    println!("profile {} (matching `{python_exe}`)", profile.version);

    // `HEAPSCOPE_BENCH=chain`, `=gc` or `=dict` runs one part (for profiling).
    let only = std::env::var("HEAPSCOPE_BENCH").unwrap_or_default();
    if only.is_empty() || only == "chain" {
        compare_chain(profile, &python_exe);
    }
    if only.is_empty() || only == "gc" {
        compare_gc(profile, &python_exe);
    }
    if only.is_empty() || only == "dict" {
        compare_dict(profile, &python_exe);
    }
}

fn compare_chain(profile: Profile, python_exe: &str) {
    let sim = chain(profile);
    println!("chain: heapscope {sim:.3} s");
    match python(python_exe, PY_CHAIN).and_then(|s| s.parse::<f64>().ok()) {
        Some(py) => println!("chain: CPython {py:.3} s; ratio simulator/CPython {:.2} (target <= 0.5)", sim / py),
        None => println!("chain: skipped the CPython side: `{python_exe}` did not run (set HEAPSCOPE_PYTHON)"),
    }
}

fn compare_gc(profile: Profile, python_exe: &str) {
    let (sim, found) = full_collection(profile);
    println!("gc: heapscope full collection {sim:.3} s, collect() returned {found}");
    let py = python(python_exe, PY_GC);
    match py.as_deref().and_then(|s| s.split_once(' ')) {
        Some((secs, n)) => {
            let secs: f64 = secs.parse().unwrap_or(f64::NAN);
            println!(
                "gc: CPython {secs:.3} s, collect() returned {n}; ratio simulator/CPython {:.2} (target <= 1.0)",
                sim / secs
            );
        }
        None => println!("gc: skipped the CPython side: `{python_exe}` did not run"),
    }
}
