//! Small helpers shared by the engine tests.

use heapscope::heap::{Heap, ObjId, Profile, PyVersion};

/// A fresh heap for `v`.
pub fn heap(v: PyVersion) -> Heap {
    Heap::new(Profile::for_version(v))
}

/// Assert the heap's invariants, naming the caller on failure.
#[track_caller]
pub fn assert_ok(h: &Heap) {
    if let Err(e) = h.check() {
        panic!("{e}");
    }
}

/// `sys.getrefcount(x)` as a plain number.
#[track_caller]
pub fn refcount(h: &Heap, id: ObjId) -> u64 {
    h.getrefcount(id).expect("live object")
}

/// A recording of a heap's events replayed into an image as the test goes, to check that the image shows
/// exactly what the heap holds.
pub struct Mirror {
    sink: heapscope::heap::SharedSink,
    image: heapscope::timeline::Image,
    seen: usize,
}

impl Mirror {
    /// Record `h` from now on (call it before anything is created).
    pub fn attach(h: &mut Heap) -> Mirror {
        let sink = heapscope::heap::SharedSink::default();
        h.set_sink(Box::new(sink.clone()));
        Mirror { sink, image: heapscope::timeline::Image::new(h.profile()), seen: 0 }
    }

    /// Replay what happened since the last call and compare with the heap.
    #[track_caller]
    pub fn assert_matches(&mut self, h: &Heap, context: impl std::fmt::Display) {
        let events = self.sink.events();
        for e in &events[self.seen..] {
            self.image.apply(e);
        }
        self.seen = events.len();
        if let Some(m) = heapscope::timeline::verify::mismatch(&self.image, h) {
            panic!("{context}: {m}");
        }
    }
}

/// The bundled scenarios: every `.yaml` and `.py` file under `scenarios/`, sorted.
pub fn bundled_scenarios() -> Vec<std::path::PathBuf> {
    let mut stack = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")];
    let mut files = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "py") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Run the heapscope binary in the project's directory: exit code, stdout, stderr.
pub fn heapscope(args: &[&str]) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_heapscope"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs");
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// The local CPythons, one per supported version; where there is none, a printed notice (and the caller
/// skips).
pub fn interpreters() -> Vec<heapscope::cpython::Interpreter> {
    let found = heapscope::cpython::find_interpreters();
    if found.is_empty() {
        println!("SKIP: no supported CPython on this machine");
    }
    found
}

/// The profiles checked against a local interpreter when the spec's tables were written, oldest first: the
/// columns of those tables.
pub const OBSERVED: [PyVersion; 6] =
    [PyVersion::V3_8, PyVersion::V3_9, PyVersion::V3_10, PyVersion::V3_11, PyVersion::V3_12, PyVersion::V3_13];
