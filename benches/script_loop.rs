//! A loop that creates and drops 1,000,000 objects, written in Rhai and in Python (lowered by the front end),
//! against the same Python loop on the local CPython, timed in the same run (target: simulator / CPython at
//! most 2.0). `HEAPSCOPE_PYTHON` picks the interpreter.

use heapscope::heap::{Profile, PyVersion};
use heapscope::script::{Interpreter, Limits};
use std::process::Command;
use std::time::Instant;

const SCRIPT: &str = r#"
let Node = class("Node");
for i in 0..1000000 {
    let n = Node.create();
}
"#;

/// The scenario as a Python user writes it (the issue's benchmark).
const SCENARIO: &str = "class A:\n    pass\n\n\nfor i in range(1000000):\n    n = A()\n";

const PYTHON: &str = r#"
import time
class Node:
    pass
best = None
for _ in range(3):
    t = time.perf_counter()
    for i in range(1000000):
        n = Node()
    dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
print(best)
"#;

/// Best of three runs of `script` (with its anchors, for lowered Python) on a fresh interpreter, in seconds.
fn best_of_three(script: &str, anchors: Option<&[heapscope::python::Anchor]>) -> f64 {
    let mut best = f64::MAX;
    for _ in 0..3 {
        let mut i = Interpreter::new(Profile::for_version(PyVersion::V3_13), Limits::default());
        let t = Instant::now();
        i.run_anchored(script, anchors).expect("the loop runs");
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let python = std::env::var("HEAPSCOPE_PYTHON").unwrap_or_else(|_| "python3".into());
    let rhai = best_of_three(SCRIPT, None);
    println!("heapscope (Rhai): 1,000,000 objects created and dropped in {rhai:.3} s");
    let program = heapscope::python::compile(SCENARIO).expect("the scenario lowers");
    let cell = &program.cells[0];
    let lowered = best_of_three(&cell.rhai, Some(&cell.anchors));
    println!("heapscope (Python, lowered): {lowered:.3} s");
    let out = Command::new(&python).arg("-c").arg(PYTHON).output();
    match out.ok().filter(|o| o.status.success()) {
        Some(o) => {
            let py: f64 = String::from_utf8_lossy(&o.stdout).trim().parse().expect("seconds");
            println!("CPython ({python}): {py:.3} s");
            println!("ratio simulator/CPython: Rhai {:.2}, Python {:.2} (target <= 2.0)", rhai / py, lowered / py);
        }
        None => println!("skipped the CPython side: `{python}` did not run (set HEAPSCOPE_PYTHON)"),
    }
}
