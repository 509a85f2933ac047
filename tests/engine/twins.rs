//! Script twins: the same small program as Rhai (`tests/twins/*.rhai`) and as Python (`*.py`), each printing
//! one line of numbers; the simulator's line must equal what every local CPython prints.

use heapscope::cpython::find_interpreters;
use heapscope::heap::{Profile, PyVersion};
use heapscope::script::{Interpreter, Limits};
use std::path::Path;
use std::process::Command;

/// Values CPython prints that the simulator knowingly does not reproduce: (version, twin, field, why).
const KNOWN: &[(PyVersion, &str, usize, &str)] = &[(
    PyVersion::V3_8,
    "counts_sizes_cycles",
    3,
    "3.8 makes one more GC allocation in the loop than the bytecode shows (observed; §3.2 '+1 noise')",
)];

#[test]
fn twins_print_what_cpython_prints() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/twins");
    let interpreters = find_interpreters();
    for v in PyVersion::ALL.iter().filter(|v| !interpreters.iter().any(|i| i.version == **v)) {
        println!("SKIP CPython {v}: no interpreter found");
    }
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let py = entry.unwrap().path();
        if py.extension().is_none_or(|e| e != "py") {
            continue;
        }
        let name = py.file_stem().unwrap().to_string_lossy().to_string();
        let rhai = std::fs::read_to_string(py.with_extension("rhai")).expect("a .rhai twin");
        for interp in &interpreters {
            let out = Command::new(&interp.path).arg(&py).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let real: Vec<String> = String::from_utf8_lossy(&out.stdout).split_whitespace().map(String::from).collect();
            let mut sim = Interpreter::new(Profile::for_version(interp.version), Limits::default());
            sim.run(&rhai).unwrap_or_else(|e| panic!("{name}.rhai: {e:?}"));
            let log = sim.runtime().log.borrow().join(" ");
            let ours: Vec<String> = log.split_whitespace().map(String::from).collect();
            assert_eq!(ours.len(), real.len(), "{name} on {}: {ours:?} vs {real:?}", interp.version);
            for (i, (o, r)) in ours.iter().zip(&real).enumerate() {
                if let Some((.., why)) = KNOWN.iter().find(|k| k.0 == interp.version && k.1 == name && k.2 == i) {
                    println!(
                        "known difference, {name} field {i} on {}: CPython {r}, heapscope {o}: {why}",
                        interp.version
                    );
                    continue;
                }
                assert_eq!(
                    o, r,
                    "{name} field {i} on {}: CPython printed {real:?}, heapscope {ours:?}",
                    interp.version
                );
            }
            compared += 1;
        }
    }
    println!("{compared} twin runs agree");
}
