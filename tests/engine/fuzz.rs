//! A bounded, seeded fuzz run of the loader, the script layer and the Python front end: the bundled
//! scenarios and fixtures, mutated structurally (lines dropped, doubled, swapped, re-indented, cut short;
//! tokens that stress YAML, Rhai and Python spliced in), each loaded and run under a small budget. None may
//! panic or run away, and every error must name its place in the file.

use heapscope::scenario::{self, ScenarioError};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// What gets spliced in: YAML structure, Rhai and Python that loop, recurse, nest or misuse the API,
/// control characters, huge numbers.
const TOKENS: &[&str] = &[
    "[",
    "]",
    "{",
    "}",
    ": ",
    "- ",
    "|",
    ">",
    "\t",
    "\"",
    "'",
    "#",
    "&a",
    "*a",
    "!!binary",
    "---",
    "\u{0}",
    "\u{1b}[2J",
    "\u{feff}",
    "é",
    "loop { }",
    "while True:\n    pass",
    "fn f(x) { f(x) }",
    "def f():\n    return f()\nf()",
    "del x",
    "del a.b",
    "import os",
    "lambda: 0",
    "yield 1",
    "gc::collect();",
    "gc.collect()",
    "x = [x] * 10**9",
    "[[[[[[[[",
    "((((((((",
    "99999999999999999999999",
    "1e999",
    "-0.0",
    "float('nan')",
    "sys::getrefcount()",
    "a.b.c.d = 1",
    "class A:\n    def __del__(self):\n        A()",
    "weakref.ref(1)",
    "x = {}",
    "x[[]] = 1",
    "print(\"\\x1b]0;t\\x07\")",
    "return",
    "break",
    "continue",
    "global g",
    "nonlocal n",
    "async def f(): pass",
    "try:\n    pass",
    "@property",
    "run_file: /etc/passwd",
    "heap_limit: 1",
    "profile: \"3.99\"",
    "limits:\n  operations: 1",
    "expect: [",
    "steps: []",
];

fn corpus() -> Vec<(PathBuf, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = crate::support::bundled_scenarios();
    for dir in ["tests/fixtures/valid", "tests/fixtures/python", "tests/fixtures/invalid"] {
        files.extend(std::fs::read_dir(root.join(dir)).unwrap().map(|e| e.unwrap().path()));
    }
    files.retain(|f| f.extension().is_some_and(|e| e == "yaml" || e == "py"));
    files.into_iter().filter_map(|f| Some((f.clone(), std::fs::read_to_string(&f).ok()?))).collect()
}

fn mutate(text: &str, rng: &mut ChaCha8Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..rng.random_range(1..4) {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let i = rng.random_range(0..lines.len());
        match rng.random_range(0..8) {
            0 => drop(lines.remove(i)),
            1 => lines.insert(i, lines[i].clone()),
            2 => {
                let j = rng.random_range(0..lines.len());
                lines.swap(i, j);
            }
            3 => lines[i] = format!("{}{}", " ".repeat(rng.random_range(0..9)), lines[i].trim_start()),
            4 => lines.truncate(i),
            5 => lines.insert(i, TOKENS[rng.random_range(0..TOKENS.len())].to_string()),
            _ => {
                let line = &mut lines[i];
                let at = (0..=line.len())
                    .filter(|&b| line.is_char_boundary(b))
                    .nth(rng.random_range(0..=line.chars().count()))
                    .unwrap_or(0);
                line.insert_str(at, TOKENS[rng.random_range(0..TOKENS.len())]);
            }
        }
    }
    lines.join("\n")
}

/// A file's error must say where: a position in it, or a Python traceback.
fn located(e: &ScenarioError) -> bool {
    e.pos.is_some() || !e.traceback.is_empty()
}

#[test]
fn mutated_scenarios_never_panic_or_run_away_and_every_error_is_located() {
    let corpus = corpus();
    assert!(corpus.len() > 40, "{} seed files", corpus.len());
    let dir = std::env::temp_dir().join(format!("heapscope-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let cases = 6000;
    let (mut errors, mut unlocated) = (0, Vec::new());
    for case in 0..cases {
        let (seed, text) = &corpus[rng.random_range(0..corpus.len())];
        let mutated = mutate(text, &mut rng);
        let path = dir.join(format!("case{}.{}", case % 50, seed.extension().unwrap().to_string_lossy()));
        std::fs::write(&path, &mutated).unwrap();
        let outcome = std::panic::catch_unwind(|| {
            let mut loaded = scenario::load(&path)?;
            loaded.scenario.limits.operations = Some(20_000);
            loaded.scenario.limits.seconds = Some(5);
            scenario::run(&loaded).map(|_| ())
        });
        match outcome {
            Err(_) => panic!("case {case} (from {}) panicked on:\n{mutated}", seed.display()),
            Ok(Err(e)) => {
                errors += 1;
                if !located(&e) {
                    unlocated.push(format!("case {case} from {}: {e}\n{mutated}\n", seed.display()));
                }
            }
            Ok(Ok(())) => {}
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    assert!(errors > cases / 4, "the mutations reach errors ({errors} of {cases})");
    assert!(unlocated.is_empty(), "{} errors without a position:\n{}", unlocated.len(), unlocated.join("\n"));
}
