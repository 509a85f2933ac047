//! Python scenarios step as CPython's tracer does (a stop at every line event, in the same order) and an
//! exception that escapes prints the traceback CPython prints.

use heapscope::scenario::runner::{Observer, run_observed};
use std::cell::RefCell;
use std::process::Command;
use std::rc::Rc;

/// Records the line of every statement stop.
struct Stops(Rc<RefCell<Vec<usize>>>);

impl Observer for Stops {
    fn start(&mut self, interp: &mut heapscope::script::Interpreter) {
        let lines = self.0.clone();
        interp.set_statement_hook(Some(Box::new(move |st, _| {
            lines.borrow_mut().push(st.site.line);
            None
        })));
    }
}

/// Prints the lines of the file's `line` trace events (a failing assert ends the run, as it ends the
/// file's last step).
const TRACER: &str = r#"
import sys, io, contextlib
path = sys.argv[1]
code = compile(open(path).read(), path, "exec")
lines = []
def tracer(frame, event, arg):
    if frame.f_code.co_filename != path:
        return None
    if event == "line":
        lines.append(frame.f_lineno)
    return tracer
with contextlib.redirect_stdout(io.StringIO()):
    sys.settrace(tracer)
    try:
        exec(code, {"__name__": "__main__"})
    except AssertionError:
        pass
    finally:
        sys.settrace(None)
print(" ".join(map(str, lines)))
"#;

/// `lines` with repeats of the same line in a row taken as one (a one-line loop or comprehension reports
/// its line once per iteration; a class statement once in the module and once in its body).
fn collapsed(lines: impl IntoIterator<Item = usize>) -> Vec<usize> {
    let mut out: Vec<usize> = lines.into_iter().collect();
    out.dedup();
    out
}

#[test]
fn python_files_stop_where_cpythons_tracer_reports_lines() {
    let found = crate::support::interpreters();
    if found.is_empty() {
        return;
    }
    let mut files: Vec<_> =
        crate::support::bundled_scenarios().into_iter().filter(|p| p.extension().is_some_and(|e| e == "py")).collect();
    files.push(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/python/stepping.py"));
    // Before 3.10 (PEP 626) the peephole optimiser drops some line events (a lone `pass`): heapscope stops
    // where 3.10+ reports lines, on every profile.
    let precise: Vec<_> = found.iter().filter(|i| i.version >= heapscope::heap::PyVersion::V3_10).collect();
    if precise.is_empty() {
        println!("SKIP: no CPython 3.10+ on this machine to take line events from");
    }
    for file in &files {
        for python in &precise {
            // `import heapscope` finds the module real CPython uses, as `heapscope verify` provides it.
            let shim = concat!(env!("CARGO_MANIFEST_DIR"), "/src/scenario");
            let real =
                Command::new(&python.path).arg("-c").arg(TRACER).arg(file).env("PYTHONPATH", shim).output().unwrap();
            assert!(real.status.success(), "{}: {}", file.display(), String::from_utf8_lossy(&real.stderr));
            let expected =
                collapsed(String::from_utf8_lossy(&real.stdout).split_whitespace().map(|n| n.parse().unwrap()));
            let mut loaded = heapscope::scenario::load::load(file).unwrap();
            loaded.profile = python.version;
            let stops = Rc::new(RefCell::new(Vec::new()));
            run_observed(&loaded, None, &mut Stops(stops.clone())).unwrap();
            let got = collapsed(stops.borrow().iter().copied());
            assert_eq!(got, expected, "{} on {}", file.display(), python.version);
        }
    }
}

#[test]
fn an_escaping_exception_prints_the_traceback_cpython_prints() {
    let source = "class A:\n    pass\n\n\ndef f(x):\n    return x.missing\n\n\na = A()\nf(a)\n";
    let dir = std::env::temp_dir().join(format!("heapscope-tb-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("raises.py");
    std::fs::write(&path, source).unwrap();
    let p = path.to_string_lossy();
    let (code, out, err) = crate::support::heapscope(&["run", "--headless", "--format", "stdout", &p]);
    assert_eq!((code, out.as_str()), (2, ""), "{err}");
    // 3.8-3.10 print no carets under the failing expression: the format heapscope prints.
    let old =
        heapscope::cpython::find_interpreters().into_iter().filter(|i| i.version <= heapscope::heap::PyVersion::V3_10);
    let mut compared = 0;
    for python in old {
        let real = Command::new(&python.path).arg(&path).output().unwrap();
        assert_eq!(err, String::from_utf8_lossy(&real.stderr), "on {}", python.version);
        compared += 1;
    }
    if compared == 0 {
        println!("SKIP: no CPython 3.8-3.10 here; checking the traceback's shape only");
        assert!(err.starts_with("Traceback (most recent call last):\n") && err.contains("line 6, in f\n"), "{err}");
    }
}
