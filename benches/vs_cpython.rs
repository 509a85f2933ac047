//! The simulator against the real thing, timed in the same run: build a 1,000,000-node linked chain of
//! `class Node` instances and free it with `del head`, in heapscope and in the local CPython. Prints the ratio
//! simulator / CPython (target at most 0.5). Set `HEAPSCOPE_PYTHON` to choose the interpreter.

use heapscope::heap::{ClassSpec, Heap, NullSink, Profile, PyVersion};
use std::process::Command;
use std::time::Instant;

const N: usize = 1_000_000;

const PYTHON: &str = r#"
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

fn simulate() -> f64 {
    let mut best = f64::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let mut h = Heap::with_sink(Profile::for_version(PyVersion::V3_13), Box::new(NullSink));
        let node = h.new_class("Node", ClassSpec::default()).unwrap();
        let head = h.new_instance(node).unwrap();
        let mut tail = head;
        for _ in 1..N {
            let n = h.new_instance(node).unwrap();
            h.set_attr(tail, "next", n).unwrap();
            h.dec_root(n).unwrap();
            tail = n;
        }
        h.dec_root(head).unwrap();
        best = best.min(t.elapsed().as_secs_f64());
        assert_eq!(h.user_objects(), 5, "only the class and its satellites remain");
    }
    best
}

fn main() {
    let python = std::env::var("HEAPSCOPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let sim = simulate();
    println!("heapscope: 1M-node chain build + del head: {:.3} s", sim);
    let out = Command::new(&python).arg("-c").arg(format!("N = {N}\n{PYTHON}")).output();
    match out {
        Ok(o) if o.status.success() => {
            let secs: f64 = String::from_utf8_lossy(&o.stdout).trim().parse().expect("python prints seconds");
            let version =
                Command::new(&python).arg("-V").output().map(|v| String::from_utf8_lossy(&v.stdout).trim().to_string());
            println!("{}: same program: {:.3} s", version.unwrap_or_default(), secs);
            println!("ratio simulator/CPython: {:.2} (target <= 0.5)", sim / secs);
        }
        _ => println!("skipped the CPython comparison: `{python}` did not run (set HEAPSCOPE_PYTHON)"),
    }
}
