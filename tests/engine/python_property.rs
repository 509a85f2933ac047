//! A seeded property test: random small programs from a grammar of the subset (assignments, containers,
//! classes with cycles, `del`, calls, loops over ranges and containers, comprehensions, slices, tuple swaps,
//! `gc.collect()`) run on the simulator and on every local CPython, and agree at every module-level
//! statement boundary on `sys.getrefcount` of each bound name, `gc.is_tracked` of it, and what
//! `gc.collect()` returned.

use heapscope::scenario::runner::{Observer, run_observed};
use heapscope::script::{Bound, scope_bindings};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::cell::RefCell;
use std::process::Command;
use std::rc::Rc;

/// The names programs bind, observed at every stop (`n` holds `gc.collect()`'s result).
const OBSERVED: &[&str] = &["a", "b", "c", "d", "kept", "n"];

const PROLOGUE: &str = "import gc\nimport sys\n\ngc.disable()\n\n\nclass Node:\n    pass\n\n\nkept = []\n\n\n\
def keep(o):\n    kept.append(o)\n\n\ndef f(p):\n    q = p\n    return None\n\n\ndef wrap(p):\n    return [p]\n\n\n";

/// What a program's names hold, as the generator knows it (to write only statements that run).
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Unbound,
    List,
    Dict,
    Node,
    Tuple,
}

/// A random program of `len` statements after the prologue.
fn program(rng: &mut ChaCha8Rng, len: usize) -> String {
    let names = ["a", "b", "c", "d"];
    let mut kinds = [Kind::Unbound; 4];
    let mut out = String::from(PROLOGUE);
    for _ in 0..len {
        let x = rng.random_range(0..4);
        let bound: Vec<usize> = (0..4).filter(|&i| kinds[i] != Kind::Unbound).collect();
        let y = if bound.is_empty() { None } else { Some(bound[rng.random_range(0..bound.len())]) };
        let z = if bound.is_empty() { None } else { Some(bound[rng.random_range(0..bound.len())]) };
        let (xn, k) = (names[x], kinds[x]);
        let line = match (rng.random_range(0..21), y, z) {
            (0, ..) => {
                kinds[x] = Kind::List;
                format!("{xn} = []")
            }
            (1, ..) => {
                kinds[x] = Kind::Dict;
                format!("{xn} = {{}}")
            }
            (2, ..) => {
                kinds[x] = Kind::Node;
                format!("{xn} = Node()")
            }
            (3, Some(y), Some(z)) => {
                kinds[x] = Kind::List;
                format!("{xn} = [{}, {}]", names[y], names[z])
            }
            (4, Some(y), Some(z)) => {
                kinds[x] = Kind::Tuple;
                format!("{xn} = ({}, {})", names[y], names[z])
            }
            (5, Some(y), _) => {
                kinds[x] = kinds[y];
                format!("{xn} = {}", names[y])
            }
            (6, Some(y), _) if k == Kind::Node => format!("{xn}.other = {}", names[y]),
            (7, Some(y), _) if k == Kind::List => format!("{xn}.append({})", names[y]),
            (8, Some(y), _) if k == Kind::Dict => format!("{xn}[\"k\"] = {}", names[y]),
            (9, ..) if k != Kind::Unbound => {
                kinds[x] = Kind::Unbound;
                format!("del {xn}")
            }
            (10, ..) => "n = gc.collect()".to_string(),
            (11, ..) if k != Kind::Unbound => format!("keep({xn})"),
            (12, ..) if k != Kind::Unbound => format!("f({xn})"),
            (13, ..) if k == Kind::List => format!("for i in range(2):\n    {xn}.append(Node())"),
            (14, Some(y), Some(z)) if y != z => {
                kinds.swap(y, z);
                format!("{0}, {1} = {1}, {0}", names[y], names[z])
            }
            (15, ..) => {
                kinds[x] = Kind::List;
                format!("{xn} = [Node() for i in range(3)]")
            }
            (16, Some(y), _) => {
                kinds[x] = Kind::List;
                format!("{xn} = wrap({})", names[y])
            }
            (17, Some(y), _) if k == Kind::List => format!("while len({xn}) < 3:\n    {xn}.append({})", names[y]),
            (18, Some(y), _) => {
                kinds[x] = Kind::Dict;
                format!("{xn} = {{\"k\": {}, \"j\": [{}]}}", names[y], names[y])
            }
            (20, ..) if matches!(k, Kind::List | Kind::Dict | Kind::Tuple) => {
                format!("for item in {xn}:\n    n = gc.collect()")
            }
            (19, Some(y), _) if kinds[y] == Kind::List => {
                kinds[x] = Kind::List;
                format!("{xn} = {}[:]", names[y])
            }
            _ => "n = gc.collect()".to_string(),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("n = gc.collect()\n");
    out
}

/// Prints, for every line event of the module's own frame, each observed name's
/// `(sys.getrefcount as the module would print it, gc.is_tracked)` or, for `n`, its value.
const TRACER: &str = r#"
import sys, gc, json
path = sys.argv[1]
names = sys.argv[2].split(",")
code = compile(open(path).read(), path, "exec")
g = {"__name__": "__main__"}
stops = []
def tracer(frame, event, arg):
    if frame.f_code is not code:
        return None
    if event == "line":
        seen = {}
        for name in names:
            if name in g:
                v = g[name]
                # One reference is this function's `v`: the module would print one less.
                seen[name] = v if name == "n" else [sys.getrefcount(v) - 1, gc.is_tracked(v)]
                del v
        stops.append([frame.f_lineno, seen])
    return tracer
sys.settrace(tracer)
exec(code, g)
sys.settrace(None)
print(json.dumps(stops))
"#;

type Stop = (usize, serde_json::Map<String, serde_json::Value>);

/// Records, at every module-level stop, what the tracer above prints.
struct Stops(Rc<RefCell<Vec<Stop>>>);

impl Observer for Stops {
    fn start(&mut self, interp: &mut heapscope::script::Interpreter) {
        let stops = self.0.clone();
        interp.set_statement_hook(Some(Box::new(move |st, rt| {
            if st.site.function.is_some() {
                return None;
            }
            let h = rt.heap.borrow();
            let mut seen = serde_json::Map::new();
            for (name, bound) in scope_bindings(st.scope) {
                let Bound::Obj(id) = bound else { continue };
                if !OBSERVED.contains(&name) {
                    continue;
                }
                let value = match (name, h.value(id)) {
                    ("n", Ok(Some(heapscope::heap::Value::Int(i)))) => serde_json::json!(*i as i64),
                    _ => serde_json::json!([h.getrefcount(id).unwrap(), h.is_tracked(id).unwrap()]),
                };
                seen.insert(name.to_string(), value);
            }
            stops.borrow_mut().push((st.site.line, seen));
            None
        })));
    }
}

#[test]
fn random_programs_agree_with_every_local_cpython_at_every_statement() {
    let found: Vec<_> = heapscope::cpython::find_interpreters()
        .into_iter()
        .filter(|i| i.version >= heapscope::heap::PyVersion::V3_10)
        .collect();
    if found.is_empty() {
        println!("SKIP: no CPython 3.10+ here (their line events are the stops compared)");
        return;
    }
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed);
    let dir = std::env::temp_dir().join(format!("heapscope-prop-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for case in 0..40 {
        let source = program(&mut rng, 14);
        let path = dir.join(format!("case_{case}.py"));
        std::fs::write(&path, &source).unwrap();
        let mut loaded = heapscope::scenario::load::load(&path).unwrap();
        for python in &found {
            let real = Command::new(&python.path).arg("-c").arg(TRACER).arg(&path).arg(OBSERVED.join(",")).output();
            let real = real.unwrap();
            assert!(real.status.success(), "{source}\n{}", String::from_utf8_lossy(&real.stderr));
            let mut expected: Vec<Stop> = serde_json::from_slice(&real.stdout).unwrap();
            // From 3.12 a comprehension runs in the module's frame (PEP 709) and reports its line once per
            // item; heapscope stops there once. The first of such a run, before the comprehension, is kept.
            expected.dedup_by(|later, first| later.0 == first.0);
            loaded.profile = python.version;
            let stops = Rc::new(RefCell::new(Vec::new()));
            run_observed(&loaded, None, &mut Stops(stops.clone())).unwrap();
            let mut got = stops.borrow().clone();
            got.dedup_by(|later, first| later.0 == first.0);
            for (k, (want, have)) in expected.iter().zip(got.iter()).enumerate() {
                assert_eq!(have, want, "case {case} on {}, stop {k}:\n{source}", python.version);
            }
            assert_eq!(got.len(), expected.len(), "case {case} on {}: stops\n{source}", python.version);
        }
    }
}
