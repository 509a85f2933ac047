//! The memory ledger with 1,000,000 live objects (target: at most 5 ms, as it is drawn every frame), from the
//! live heap and from a replayed image, beside CPython's own walk of its arenas (`sys._debugmallocstats()`
//! over the same 1,000,000-node chain) timed in the same run. `HEAPSCOPE_PYTHON` picks the interpreter.
//!
//! Two shapes: the dense chain alone (no arena is sparse, so no owner is looked up), and the chain plus an
//! arena pinned by three survivors of 20,000 bytes objects (the owners of a sparse arena are found by a walk
//! over every object: the bound of the second figure).

use heapscope::heap::{Heap, Profile, PyVersion, SharedSink};
use heapscope::timeline::Image;
use std::process::Command;
use std::time::Instant;

#[path = "common/shapes.rs"]
mod shapes;

const N: usize = 1_000_000;
const TARGET_MS: f64 = 5.0;

const PY: &str = r#"
import sys, os, time, gc
gc.disable()
class Node:
    pass
head = tail = Node()
for _ in range(N - 1):
    n = Node()
    tail.next = n
    tail = n
err = os.dup(2)
os.dup2(os.open(os.devnull, os.O_WRONLY), 2)
best = None
for _ in range(10):
    t = time.perf_counter()
    sys._debugmallocstats()
    dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
os.dup2(err, 2)
print(best)
"#;

/// Times the ledger of `h` and of the image replayed from `sink`, prints both, and returns the heap's.
fn measure(shape: &str, h: &Heap, sink: &SharedSink) -> f64 {
    let mut image = Image::new(h.profile());
    for e in sink.events().iter() {
        image.apply(e);
    }
    let l = h.ledger();
    assert_eq!(l, image.ledger(), "image and heap agree");
    let heap_ms = best_ms(20, || drop(std::hint::black_box(h.ledger())));
    let image_ms = best_ms(10, || drop(std::hint::black_box(image.ledger())));
    println!("{shape}: ledger of {} arenas: heap {heap_ms:.2} ms, image {image_ms:.2} ms", l.arenas.len());
    println!("  target ≤ {TARGET_MS} ms: heap {}, image {}", verdict(heap_ms), verdict(image_ms));
    heap_ms
}

/// The best of `runs` timings of `f`, in milliseconds.
fn best_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let sink = SharedSink::default();
    let profile = Profile::for_version(PyVersion::V3_13);
    let mut h = Heap::with_sink(profile, Box::new(sink.clone()));
    let _head = shapes::chain(&mut h, N);
    let heap_ms = measure("dense chain", &h, &sink);
    let extra: Vec<_> = (0..20_000).map(|_| h.new_bytes(200).unwrap()).collect();
    for (i, b) in extra.into_iter().enumerate() {
        if i % 7_000 != 0 {
            h.dec_root(b).unwrap();
        }
    }
    assert!(h.ledger().pinned().iter().any(|a| a.is_sparse()), "an arena is sparse");
    measure("chain + a sparse arena", &h, &sink);
    let python = std::env::var("HEAPSCOPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(&python).arg("-c").arg(format!("N = {N}\n{PY}")).output();
    match out.ok().filter(|o| o.status.success()).and_then(|o| String::from_utf8(o.stdout).ok()) {
        Some(s) => {
            let py_ms = s.trim().parse::<f64>().unwrap_or(f64::NAN) * 1e3;
            println!("  {python} sys._debugmallocstats(): {py_ms:.2} ms; heap/CPython {:.2}", heap_ms / py_ms);
        }
        None => println!("  {python} did not run: no CPython comparison"),
    }
}

fn verdict(ms: f64) -> &'static str {
    if ms <= TARGET_MS { "met" } else { "MISSED" }
}
