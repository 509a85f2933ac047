//! The heap a script's first line finds: free lists stocked as real interpreters' start-up leaves them.

use crate::support::{OBSERVED, heapscope};
use heapscope::heap::profile::startup_free_lists;

/// `profile::startup_free_lists` carries what each interpreter's `sys._debugmallocstats()` printed as a
/// script's first line (`tests/fixtures/startup/`).
#[test]
fn start_up_free_lists_are_the_observed_ones() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/startup");
    for (file, v) in ["3.8.18", "3.9.18", "3.10.13", "3.11.7", "3.12.1", "3.13.0"].into_iter().zip(OBSERVED) {
        let text = std::fs::read_to_string(dir.join(format!("{file}.txt"))).unwrap();
        let count = |name: &str| -> u16 {
            text.lines()
                .find(|l| l.contains(&format!(" free {name}s ")))
                .map_or(0, |l| l.split_whitespace().next().unwrap().parse().unwrap())
        };
        let s = startup_free_lists(v);
        assert_eq!(
            (s.dicts, s.dict_keys, s.floats, s.lists),
            (count("PyDictObject"), count("PyDictKeysObject"), count("PyFloatObject"), count("PyListObject")),
            "{file}"
        );
        for (n, &kept) in s.tuples.iter().enumerate() {
            assert_eq!(kept, count(&format!("{}-sized PyTupleObject", n + 1)), "{file}: {}-tuples", n + 1);
        }
    }
}

/// A scenario runs on the stocked heap unless it asks for an empty one, and the report says what the free
/// lists keep.
#[test]
fn a_scenario_can_start_on_an_empty_heap() {
    let (code, out, err) = heapscope(&["run", "--headless", "tests/fixtures/start/empty.yaml"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("1 pool in 1 arena") && !out.contains("free lists"), "{out}");
    let (code, out, _) = heapscope(&["run", "--headless", "scenarios/classic-cycle.yaml"]);
    assert_eq!(code, 0);
    assert!(out.contains("of them kept on free lists"), "{out}");
}

/// A limit below what start-up maps does not stop the interpreter from starting (CPython's start-up is not
/// the scenario's): the scenario runs, and its own arenas are what the limit refuses.
#[test]
fn a_tiny_heap_limit_still_starts_the_interpreter() {
    let dir = std::env::temp_dir().join(format!("heapscope-tiny-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("tiny.yaml");
    let many = "let a = []; for i in 0..40000 { a.push(list()); }";
    std::fs::write(&file, format!("name: tiny\nheap_limit: 100\nsteps:\n  - title: x\n    run: {many}\n")).unwrap();
    let (code, out, err) = heapscope(&["run", "--headless", &file.to_string_lossy()]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_ne!(code, 101, "no panic: {err}");
    assert!(err.contains("MemoryError"), "a second arena is refused: {out}{err}");
}
