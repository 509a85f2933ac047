//! A recording: the encoded heap events of a run, its marks and frame changes, what the names and objects are
//! called, and checkpoints of the rebuilt heap, so any point can be shown quickly ([`Recording::seek`]).

use super::codec::{CodecState, Decoder};
use super::image::Image;
use super::marks::{FrameOp, Frames, Mark};
use super::samples::{Samples, Totals};
use crate::heap::profile::{Profile, PyVersion};
use crate::heap::{Name, ObjId, Value};
use crate::scenario::ScenarioError;
use crate::scenario::runner::StepReport;
use rustc_hash::FxHashMap;
use std::path::PathBuf;

/// A checkpoint every this many events: a seek replays at most this many (measured: at most 15 ms on a
/// 14-million-event recording), and checkpoints cost about 5 bytes per event (`cargo bench --bench timeline`).
pub const CHECKPOINT_EVERY: u64 = 1 << 16;
/// A snapshot of the frames every this many marks.
const FRAMES_EVERY: usize = 512;

/// What an object is called in a view, captured when it was born: a class's name, an atomic value.
#[derive(Clone, Debug, PartialEq)]
pub enum Label {
    /// A class object.
    Class(Name),
    /// An int, float, str, bytes or range.
    Value(Value),
}

/// A script of the run (the setup or a step's `run`), as written.
#[derive(Clone, Debug, PartialEq)]
pub struct ScriptInfo {
    /// Its step (`None`: the setup).
    pub step: Option<usize>,
    /// The file it is in.
    pub file: PathBuf,
    /// The file line of its line 1.
    pub first_line: usize,
    /// Columns of YAML indentation before each line.
    pub indent: usize,
    /// The text.
    pub text: String,
    /// Its first line to show (a Python cell's text is the file up to the cell's end).
    pub shown_from: usize,
}

/// A statement of the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SiteInfo {
    /// The script it is in (an index into `scripts`).
    pub script: u32,
    /// Line within the script (1-based).
    pub line: usize,
    /// Column within the script (1-based).
    pub column: usize,
    /// The function it is in (a string index; `None`: the top level).
    pub function: Option<u32>,
}

/// How the run ended.
#[derive(Clone, Debug, PartialEq)]
pub enum End {
    /// Every step ran.
    Finished,
    /// A script failed: the error as the headless run would print it.
    Failed(String),
    /// The viewer stopped it.
    Stopped,
}

impl End {
    /// The end of a run, from the runner's result.
    pub fn of<T>(result: &Result<T, ScenarioError>) -> End {
        match result {
            Ok(_) => End::Finished,
            Err(e) if e.message.contains(crate::script::stepping::STOPPED) => End::Stopped,
            Err(e) => End::Failed(e.to_string()),
        }
    }
}

/// A part of a recording, as the recorder hands it over (from the running thread).
#[derive(Debug, Default)]
pub struct Batch {
    /// Encoded events, continuing the previous batch's stream.
    pub bytes: Vec<u8>,
    /// How many.
    pub events: u64,
    /// New marks, in order.
    pub marks: Vec<Mark>,
    /// New frame changes (marks' `ops_end` count them from the recording's start).
    pub ops: Vec<FrameOp>,
    /// New strings (variable and function names).
    pub strings: Vec<String>,
    /// New interned heap names.
    pub names: Vec<String>,
    /// New statements.
    pub sites: Vec<SiteInfo>,
    /// New scripts.
    pub scripts: Vec<ScriptInfo>,
    /// Labels of objects born since the last batch.
    pub labels: Vec<(ObjId, Label)>,
    /// Steps finished.
    pub steps: Vec<(usize, StepReport)>,
    /// The end, in the last batch.
    pub end: Option<End>,
}

/// A position in the stream with the heap rebuilt there.
#[derive(Clone, Debug)]
pub struct Cursor {
    /// Events applied.
    pub event: u64,
    offset: usize,
    codec: CodecState,
    /// The heap after `event` events.
    pub image: Image,
}

/// A whole (or still growing) recording.
#[derive(Debug)]
pub struct Recording {
    /// The scenario's name.
    pub name: String,
    /// The profile simulated.
    pub version: PyVersion,
    bytes: Vec<u8>,
    events: u64,
    /// Marks in stream order.
    pub marks: Vec<Mark>,
    ops: Vec<FrameOp>,
    /// Frames after every `FRAMES_EVERY`-th mark.
    frames: Vec<Frames>,
    /// Variable and function names.
    pub strings: Vec<String>,
    /// Interned heap names (attribute names).
    pub names: Vec<String>,
    /// Statements.
    pub sites: Vec<SiteInfo>,
    /// Scripts.
    pub scripts: Vec<ScriptInfo>,
    labels: FxHashMap<ObjId, Label>,
    /// Finished steps' reports.
    pub steps: Vec<(usize, StepReport)>,
    /// How the run ended (`None`: still running).
    pub end: Option<End>,
    /// Totals over time, for the chart.
    pub samples: Samples,
    checkpoints: Vec<Cursor>,
    head: Cursor,
}

impl Recording {
    /// An empty recording of a run of `name` under `version`.
    pub fn new(name: &str, version: PyVersion) -> Recording {
        let image = Image::new(&Profile::for_version(version));
        let start = Cursor { event: 0, offset: 0, codec: CodecState::default(), image };
        Recording {
            name: name.to_string(),
            version,
            bytes: Vec::new(),
            events: 0,
            marks: Vec::new(),
            ops: Vec::new(),
            frames: Vec::new(),
            strings: Vec::new(),
            names: Vec::new(),
            sites: Vec::new(),
            scripts: Vec::new(),
            labels: FxHashMap::default(),
            steps: Vec::new(),
            end: None,
            samples: Samples::default(),
            checkpoints: vec![start.clone()],
            head: start,
        }
    }

    /// Heap events recorded.
    pub fn events(&self) -> u64 {
        self.events
    }

    /// Expectations that failed in the steps recorded.
    pub fn failed_checks(&self) -> usize {
        self.steps.iter().map(|(_, s)| s.checks.iter().filter(|c| !c.passed).count()).sum()
    }

    /// Bytes of encoded events.
    pub fn encoded_len(&self) -> usize {
        self.bytes.len()
    }

    /// The heap after every recorded event.
    pub fn head(&self) -> &Cursor {
        &self.head
    }

    /// Add a batch: its events are replayed into the head (checkpointing on the way) and its marks sampled.
    pub fn ingest(&mut self, batch: Batch) {
        self.strings.extend(batch.strings);
        self.names.extend(batch.names);
        self.sites.extend(batch.sites);
        self.scripts.extend(batch.scripts);
        self.labels.extend(batch.labels);
        self.steps.extend(batch.steps);
        self.ops.extend(batch.ops);
        self.bytes.extend_from_slice(&batch.bytes);
        self.events += batch.events;
        for mark in batch.marks {
            self.advance_head(mark.event);
            self.marks.push(mark);
            self.samples.note(mark.event, Totals::of(&self.head.image));
            if (self.marks.len() - 1).is_multiple_of(FRAMES_EVERY) {
                let i = self.marks.len() - 1;
                let frames = self.frames_after(i);
                self.frames.push(frames);
            }
        }
        self.advance_head(self.events);
        if batch.end.is_some() {
            // What the last statement did after the last mark (a bulk free, say) is part of the run.
            self.samples.note(self.events, Totals::of(&self.head.image));
            self.end = batch.end;
        }
    }

    /// Replay the head up to `event`, leaving a checkpoint every [`CHECKPOINT_EVERY`] events.
    fn advance_head(&mut self, event: u64) {
        while self.head.event < event {
            let next_checkpoint = (self.head.event / CHECKPOINT_EVERY + 1) * CHECKPOINT_EVERY;
            let to = event.min(next_checkpoint);
            let from = self.head.event;
            Self::replay(&self.bytes, &mut self.head, to);
            if self.head.event == from {
                // The bytes ran out before `event`: nothing more to replay.
                break;
            }
            if self.head.event.is_multiple_of(CHECKPOINT_EVERY) {
                self.checkpoints.push(self.head.clone());
            }
        }
    }

    fn replay(bytes: &[u8], c: &mut Cursor, to: u64) {
        let mut d = Decoder::new(bytes, c.offset, c.codec);
        while c.event < to {
            let Some(e) = d.next() else { break };
            c.image.apply(&e);
            c.event += 1;
        }
        (c.offset, c.codec) = d.position();
    }

    /// Move `cursor` to just after `event` events (clamped to what is recorded): forwards by replaying,
    /// backwards (or far forwards) from the nearest checkpoint before.
    pub fn seek(&self, cursor: &mut Cursor, event: u64) {
        let event = event.min(self.events);
        if event < cursor.event || event - cursor.event > CHECKPOINT_EVERY {
            let i = self.checkpoints.partition_point(|c| c.event <= event).saturating_sub(1);
            *cursor = self.checkpoints[i].clone();
        }
        Self::replay(&self.bytes, cursor, event);
    }

    /// A cursor at the start.
    pub fn start(&self) -> Cursor {
        self.checkpoints[0].clone()
    }

    /// The frames as they are at mark `i` (its changes applied).
    pub fn frames_after(&self, i: usize) -> Frames {
        let snapshot = (i / FRAMES_EVERY).min(self.frames.len().saturating_sub(1));
        let (mut frames, from) = match self.frames.get(snapshot) {
            Some(f) if snapshot * FRAMES_EVERY <= i => (f.clone(), self.marks[snapshot * FRAMES_EVERY].ops_end),
            _ => (Frames::default(), 0),
        };
        let to = self.marks.get(i).map_or(from, |m| m.ops_end);
        for op in &self.ops[from as usize..to as usize] {
            frames.apply(op);
        }
        frames
    }

    /// The events from `from` (at most `n`), decoded, for an event log: replays from the checkpoint before.
    pub fn events_from(&self, from: u64, n: usize) -> Vec<crate::heap::Event> {
        let i = self.checkpoints.partition_point(|c| c.event <= from).saturating_sub(1);
        let c = &self.checkpoints[i];
        let skip = (from - c.event) as usize;
        Decoder::new(&self.bytes, c.offset, c.codec).skip(skip).take(n).collect()
    }

    /// What object `id` is called, if it was labelled.
    pub fn label(&self, id: ObjId) -> Option<&Label> {
        self.labels.get(&id)
    }

    /// The text of heap name `n`.
    pub fn name(&self, n: Name) -> &str {
        self.names.get(n.0 as usize).map_or("?", String::as_str)
    }

    /// The text of string `i`.
    pub fn string(&self, i: u32) -> &str {
        self.strings.get(i as usize).map_or("?", String::as_str)
    }
}
