//! Recordings: every bundled scenario recorded under every profile rebuilds exactly the heap the run had at
//! each step's end; the codec gives back what it was given; seeking anywhere gives what replaying from the
//! start gives.

use heapscope::heap::SharedSink;
use heapscope::heap::profile::PyVersion;
use heapscope::scenario::runner::{Observer, Script, StepReport, run_observed};
use heapscope::scenario::{Loaded, load};
use heapscope::script::Interpreter;
use heapscope::timeline::codec::{Decoder, Encoder};
use heapscope::timeline::marks::MarkKind;
use heapscope::timeline::recorder::Recorder;
use heapscope::timeline::recording::End;
use heapscope::timeline::{Recording, record, verify};
use std::cell::RefCell;
use std::rc::Rc;

fn scenarios() -> Vec<std::path::PathBuf> {
    crate::support::bundled_scenarios()
}

/// A recorder whose batches go into a recording at once, checked against the live heap after every step.
struct Checked {
    recorder: Recorder,
    recording: Rc<RefCell<Recording>>,
    what: String,
}

impl Observer for Checked {
    fn sink(&mut self) -> Box<dyn heapscope::heap::EventSink> {
        self.recorder.sink()
    }
    fn start(&mut self, interp: &mut Interpreter) {
        self.recorder.start(interp);
    }
    fn step_start(&mut self, interp: &mut Interpreter, step: Option<usize>) {
        self.recorder.step_start(interp, step);
    }
    fn script(&mut self, interp: &mut Interpreter, script: &Script) {
        self.recorder.script(interp, script);
    }
    fn step_done(&mut self, i: usize, report: &StepReport, interp: &mut Interpreter) {
        self.recorder.step_done(i, report, interp);
        let r = self.recording.borrow();
        let heap = interp.runtime().heap.borrow();
        if let Some(m) = verify::mismatch(&r.head().image, &heap) {
            panic!("{}, after step {}: {m}", self.what, i + 1);
        }
    }
}

#[test]
fn every_scenario_recorded_rebuilds_the_heap_it_ran_on() {
    let mut checked_steps = 0;
    for file in scenarios() {
        for v in PyVersion::ALL {
            let mut loaded: Loaded = load(&file).unwrap();
            loaded.profile = v;
            let recording = Rc::new(RefCell::new(Recording::new(&loaded.scenario.name, v)));
            let r = recording.clone();
            let recorder = Recorder::new(
                Box::new(move |b| {
                    r.borrow_mut().ingest(b);
                    true
                }),
                Vec::new(),
            );
            let what = format!("{} under {v}", file.display());
            let mut obs = Checked { recorder, recording: recording.clone(), what: what.clone() };
            let result = run_observed(&loaded, None, &mut obs);
            assert!(result.is_ok(), "{what}: {:?}", result.err());
            let r = recording.borrow();
            checked_steps += r.steps.len();
            // Every script of the scenario took hooks: each has statements, each statement a mark.
            let statements = r.marks.iter().filter(|m| m.kind == MarkKind::Statement).count();
            assert!(statements >= r.scripts.len(), "{what}: {statements} statements for {} scripts", r.scripts.len());
            for (i, s) in r.scripts.iter().enumerate() {
                assert!(
                    r.sites.iter().any(|site| site.script == i as u32),
                    "{what}: script {i} has no hooks:\n{}",
                    s.text
                );
            }
        }
    }
    assert!(checked_steps > 200, "{checked_steps} steps checked");
}

#[test]
fn the_codec_gives_back_every_event_of_every_scenario() {
    // Every profile: some events happen on one version only (an interned str becomes immortal on 3.12).
    for (file, v) in scenarios().into_iter().flat_map(|f| PyVersion::ALL.map(|v| (f.clone(), v))) {
        let mut loaded = load(&file).unwrap();
        loaded.profile = v;
        let sink = SharedSink::default();
        struct Tap(SharedSink);
        impl Observer for Tap {
            fn sink(&mut self) -> Box<dyn heapscope::heap::EventSink> {
                Box::new(self.0.clone())
            }
        }
        run_observed(&loaded, None, &mut Tap(sink.clone())).unwrap();
        let events = sink.events();
        let mut enc = Encoder::default();
        let mut bytes = Vec::new();
        for e in events.iter() {
            enc.encode(e, &mut bytes);
        }
        let back: Vec<_> = Decoder::new(&bytes, 0, Default::default()).collect();
        assert_eq!(back.len(), events.len(), "{}", file.display());
        assert!(back.iter().zip(events.iter()).all(|(a, b)| a == b), "{}", file.display());
        let per = bytes.len() as f64 / events.len() as f64;
        assert!(per < 12.0, "{}: {per:.1} bytes per event", file.display());
    }
}

#[test]
fn seeking_anywhere_equals_replaying_from_the_start() {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/slots-vs-dict.yaml");
    let r = record(&load(&file).unwrap(), Vec::new());
    assert_eq!(r.end, Some(End::Finished));
    assert!(r.events() > 3 * heapscope::timeline::recording::CHECKPOINT_EVERY, "{} events", r.events());
    let mut cursor = r.start();
    // Backwards, forwards, far and near.
    let n = r.events();
    for target in [n, n / 2, n / 2 + 7, 3, n - 1, n / 3, n / 3 - 1_000, n] {
        r.seek(&mut cursor, target);
        let mut fresh = r.start();
        for e in r.events_from(0, target as usize) {
            fresh.image.apply(&e);
        }
        assert_eq!(cursor.event, target);
        assert_eq!(cursor.image.live, fresh.image.live, "live at {target}");
        assert_eq!(cursor.image.alloc.bytes_in_use(), fresh.image.alloc.bytes_in_use(), "bytes at {target}");
        let a: Vec<_> = cursor.image.live_objects().map(|(id, o)| (id, o.refcnt, o.size, o.edges.len())).collect();
        let b: Vec<_> = fresh.image.live_objects().map(|(id, o)| (id, o.refcnt, o.size, o.edges.len())).collect();
        assert_eq!(a, b, "objects at {target}");
    }
}

#[test]
fn every_scenario_records_to_its_end() {
    for file in scenarios() {
        let loaded = load(&file).unwrap();
        let r = record(&loaded, Vec::new());
        assert_eq!(r.end, Some(End::Finished), "{}", file.display());
        assert_eq!(r.steps.len(), loaded.scenario.steps.len(), "{}", file.display());
        assert!(r.events() > 0 && r.marks.iter().any(|m| m.kind == MarkKind::StepEnd), "{}", file.display());
    }
}

#[test]
fn a_budget_stops_the_recorded_run_where_it_stops_the_headless_one() {
    // The view records with statement hooks; they are not charged, so the run ends at the same operation.
    for (name, text) in [
        (
            "long.yaml",
            "name: x\nlimits:\n  operations: 40000\nsteps:\n  - title: a\n    run: |\n      let l = list();\n      for i in 0..1000 { l.append(i); }\n  - title: b\n    run: |\n      for i in 0..100000 { l.append(i); let j = i; }\n",
        ),
        (
            "long.py",
            "# %% a\nl = []\nfor i in range(1000):\n    l.append(i)\n# %% b\nfor i in range(100000):\n    l.append(i)\n    j = i\n",
        ),
    ] {
        let dir = std::env::temp_dir().join(format!("heapscope-tl-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let mut loaded = heapscope::scenario::load(&path).unwrap();
        loaded.scenario.limits.operations = Some(40_000);
        let headless = heapscope::scenario::run(&loaded).map(|_| ()).unwrap_err().to_string();
        assert!(headless.contains("budget of 40,000 operations"), "{headless}");
        let recorded = record(&loaded, Vec::new());
        assert_eq!(recorded.end, Some(End::Failed(headless.clone())), "{name}");
    }
}
