//! The recorder: watches a run as the runner's [`Observer`] and as the heap's event sink, and hands what
//! happens over in [`Batch`]es: events encoded, a mark per statement with the call stack's changes, the names
//! and labels a viewer needs. A viewer may ask for collections to be injected at given statements.

use super::codec::Encoder;
use super::marks::{Frames, Mark, MarkKind, NO_SITE, SETUP};
use super::recording::{Batch, End, Label, ScriptInfo, SiteInfo};
use crate::heap::{Event, EventSink, Heap, Name, ObjId, Value};
use crate::scenario::ScenarioError;
use crate::scenario::runner::{Observer, Script, StepReport};
use crate::script::runtime::Runtime;
use crate::script::stepping::{Inject, Statement};
use crate::script::{Interpreter, scope_bindings};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Hand a batch over; false when nobody takes batches any more (the run then stops).
pub type Handover = Box<dyn FnMut(Batch) -> bool>;

/// At a statement, the batch goes out if it holds this many events or the last went this long ago (a
/// single long statement still makes one batch), and always at a step's end.
const BATCH_EVENTS: u64 = 1 << 16;
const BATCH_AGE: Duration = Duration::from_millis(30);
/// Longer strings are labelled by their beginning.
const LABEL_CHARS: usize = 60;

struct State {
    encoder: Encoder,
    batch: Batch,
    events: u64,
    ops: u32,
    frames: Frames,
    strings: FxHashMap<Box<str>, u32>,
    names_sent: usize,
    sites_sent: usize,
    /// Script index of each run, by run number.
    run_scripts: Vec<u32>,
    scripts: u32,
    born: Vec<ObjId>,
    step: u16,
    site: u32,
    depth: u16,
    statements: u64,
    /// Statement numbers (counted from 0) before which a collection is injected, ascending.
    inject: Vec<u64>,
    send: Handover,
    stopped: bool,
    /// The run has ended: what happens afterwards (the interpreter's teardown) is not part of it.
    closed: bool,
    sent_at: Instant,
}

impl State {
    fn mark(&mut self, kind: MarkKind) {
        let (event, site, step, depth, ops_end) = (self.events, self.site, self.step, self.depth, self.ops);
        self.batch.marks.push(Mark { event, kind, site, step, depth, ops_end });
    }

    fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.strings.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.insert(s.into(), i);
        self.batch.strings.push(s.to_string());
        i
    }

    /// Hand over the last batch with the run's end, and take nothing more.
    fn close(&mut self, end: End) {
        if self.closed {
            return;
        }
        self.batch.end = Some(end);
        self.flush();
        self.closed = true;
    }

    fn flush(&mut self) {
        let batch = std::mem::take(&mut self.batch);
        self.sent_at = Instant::now();
        if !(self.send)(batch) {
            self.stopped = true;
        }
    }

    /// What a viewer needs about what the last statement did: labels of the objects it created that live,
    /// the names it interned, the statements its scripts registered.
    fn catch_up(&mut self, heap: &Heap, rt: &Runtime) {
        for id in std::mem::take(&mut self.born) {
            if heap.get(id).is_err() {
                continue;
            }
            let label = match (heap.class_info(id), heap.value(id)) {
                (Ok(info), _) => Label::Class(info.name),
                (_, Ok(Some(Value::Str(s)))) if s.chars().count() > LABEL_CHARS => {
                    Label::Value(Value::Str(s.chars().take(LABEL_CHARS).collect::<String>().into()))
                }
                (_, Ok(Some(v))) => Label::Value(v.clone()),
                _ => continue,
            };
            self.batch.labels.push((id, label));
        }
        while self.names_sent < heap.name_count() {
            self.batch.names.push(heap.name(Name(self.names_sent as u32)).to_string());
            self.names_sent += 1;
        }
        let sites = rt.sites.borrow();
        for site in &sites[self.sites_sent..] {
            let script = self.run_scripts.get(site.run as usize).copied().unwrap_or(u32::MAX);
            let function = site.function.as_deref().map(|f| self.intern(f));
            self.batch.sites.push(SiteInfo { script, line: site.line, column: site.column, function });
        }
        self.sites_sent = sites.len();
    }

    fn statement(&mut self, s: &Statement, rt: &Runtime) -> Option<Inject> {
        self.catch_up(&rt.heap.borrow(), rt);
        let function = s.site.function.as_deref().map(|f| self.intern(f));
        let bindings: Vec<(u32, crate::script::Bound)> =
            scope_bindings(s.scope).into_iter().map(|(n, b)| (self.intern(n), b)).collect();
        let depth = s.depth.min(usize::from(u16::MAX)) as u16;
        for op in self.frames.diff_to(depth, function, &bindings) {
            self.frames.apply(&op);
            self.batch.ops.push(op);
            self.ops += 1;
        }
        (self.site, self.depth) = (s.index as u32, depth);
        self.mark(MarkKind::Statement);
        let n = self.statements;
        self.statements += 1;
        if self.batch.events >= BATCH_EVENTS || self.sent_at.elapsed() >= BATCH_AGE {
            self.flush();
        }
        if self.stopped {
            return Some(Inject::Stop);
        }
        // Statements injected actions run are not counted (the hook is away meanwhile), so the numbers are
        // the same with or without other injections.
        let due = self.inject.iter().take_while(|&&k| k <= n).count();
        let here = self.inject.drain(..due).any(|k| k == n);
        if here {
            self.mark(MarkKind::Extra);
            return Some(Inject::Collect(2));
        }
        None
    }
}

/// The heap's side of the recorder: every event, encoded.
struct Tap(Rc<RefCell<State>>);

impl EventSink for Tap {
    fn emit(&mut self, event: Event) {
        let mut s = self.0.borrow_mut();
        let s = &mut *s;
        if s.closed {
            return;
        }
        s.encoder.encode(&event, &mut s.batch.bytes);
        s.batch.events += 1;
        s.events += 1;
        match event {
            Event::ObjAlloc { id, .. } => s.born.push(id),
            Event::GcPhase { .. } => s.mark(MarkKind::GcPhase),
            _ => {}
        }
    }
}

/// Records a run; see the module docs.
pub struct Recorder(Rc<RefCell<State>>);

impl Recorder {
    /// A recorder handing batches to `send`, injecting `gc.collect()` before each of the statements numbered
    /// in `inject` (counted from 0 over the whole run).
    pub fn new(send: Handover, mut inject: Vec<u64>) -> Recorder {
        inject.sort_unstable();
        Recorder(Rc::new(RefCell::new(State {
            encoder: Encoder::default(),
            batch: Batch::default(),
            events: 0,
            ops: 0,
            frames: Frames::default(),
            strings: FxHashMap::default(),
            names_sent: 0,
            sites_sent: 0,
            run_scripts: Vec::new(),
            scripts: 0,
            born: Vec::new(),
            step: SETUP,
            site: NO_SITE,
            depth: 0,
            statements: 0,
            inject,
            send,
            stopped: false,
            closed: false,
            sent_at: Instant::now(),
        })))
    }

    /// The run is over: hand over the rest, with how it ended.
    pub fn finish<T>(self, result: &Result<T, ScenarioError>) {
        self.0.borrow_mut().close(End::of(result));
    }
}

impl Observer for Recorder {
    fn sink(&mut self) -> Box<dyn EventSink> {
        Box::new(Tap(self.0.clone()))
    }

    fn start(&mut self, interp: &mut Interpreter) {
        let state = self.0.clone();
        interp
            .set_statement_hook(Some(Box::new(move |s: &Statement, rt: &Runtime| state.borrow_mut().statement(s, rt))));
    }

    fn step_start(&mut self, _interp: &mut Interpreter, step: Option<usize>) {
        let mut s = self.0.borrow_mut();
        s.step = step.map_or(SETUP, |i| i.min(usize::from(SETUP - 1)) as u16);
        s.site = NO_SITE;
        s.mark(MarkKind::StepStart);
    }

    fn script(&mut self, interp: &mut Interpreter, script: &Script) {
        let mut s = self.0.borrow_mut();
        let index = s.scripts;
        s.scripts += 1;
        let run = interp.runs() as usize;
        s.run_scripts.resize(run + 1, u32::MAX);
        s.run_scripts[run] = index;
        s.batch.scripts.push(ScriptInfo {
            step: script.step,
            file: script.file.to_path_buf(),
            first_line: script.origin.line,
            indent: script.origin.indent,
            text: script.text.to_string(),
            shown_from: script.shown_from,
        });
    }

    fn failed(&mut self, interp: &mut Interpreter, error: &ScenarioError) {
        let mut s = self.0.borrow_mut();
        let rt = interp.runtime().clone();
        s.catch_up(&rt.heap.borrow(), &rt);
        s.close(End::of::<()>(&Err(error.clone())));
    }

    fn step_done(&mut self, i: usize, report: &StepReport, interp: &mut Interpreter) {
        let mut s = self.0.borrow_mut();
        let rt = interp.runtime().clone();
        s.catch_up(&rt.heap.borrow(), &rt);
        s.site = NO_SITE;
        s.mark(MarkKind::StepEnd);
        s.batch.steps.push((i, report.clone()));
        s.flush();
    }
}
