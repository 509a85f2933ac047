//! What the screen shows: the recording (still growing while the run goes on), the cursor into it, and the
//! run feeding it. Moving between stops lives here; the views only read.

use crate::scenario::Loaded;
use crate::scenario::format::Step;
use crate::timeline::marks::{Frames, Mark, MarkKind};
use crate::timeline::recording::{Batch, Cursor, End, ScriptInfo, SiteInfo};
use crate::timeline::{Recording, spawn};
use std::sync::mpsc::{Receiver, TryRecvError};
use std::time::{Duration, Instant};

/// The title of a step the viewer appends to collect at the end of the run.
pub const EXTRA_STEP: &str = "Extra: gc.collect() (added with g)";

/// A recording being watched.
pub struct Session {
    /// The scenario (re-run when an extra action forks the timeline).
    pub loaded: Loaded,
    /// What has been recorded so far.
    pub recording: Recording,
    /// The heap where the cursor is.
    pub cursor: Cursor,
    /// The mark the cursor is at: the last one at or before it, or the one chosen among several at the
    /// same event.
    pub mark: Option<usize>,
    rx: Option<Receiver<Batch>>,
    /// Statements before which the run injects `gc.collect()`.
    inject: Vec<u64>,
    /// Keep the cursor at the live end while the run goes on.
    pub follow: bool,
    /// After a fork: where to go once the new run has got there.
    pending: Option<Return>,
    /// The cursor has been put at the first step.
    placed: bool,
    /// The user has pressed a key or clicked: nothing moves the cursor for them any more.
    taken: bool,
    /// When following moved the cursor last (following a fast run moves it a few times a second, not per
    /// batch: each move re-derives the object table).
    followed: Instant,
    /// Bumped when the recording is replaced (a fork), so what was derived from the old one is not reused.
    pub generation: u64,
}

/// How often following a live run moves the cursor.
const FOLLOW_EVERY: Duration = Duration::from_millis(200);

/// Where the cursor goes back to after a fork.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Return {
    /// The injected collection at or after this event.
    Extra(u64),
    /// The start of this (appended) step.
    Step(usize),
}

impl Session {
    /// Start recording `loaded` on its own thread.
    pub fn start(loaded: Loaded) -> Session {
        let rx = spawn(loaded.clone(), Vec::new());
        let recording = Recording::new(&loaded.scenario.name, loaded.profile);
        Session::with(loaded, recording, Some(rx))
    }

    /// Watch a finished recording (tests, benchmarks).
    pub fn recorded(loaded: Loaded, recording: Recording) -> Session {
        let mut s = Session::with(loaded, recording, None);
        s.placed = true;
        s.go_first_step();
        s
    }

    fn with(loaded: Loaded, recording: Recording, rx: Option<Receiver<Batch>>) -> Session {
        let cursor = recording.start();
        Session {
            loaded,
            recording,
            cursor,
            mark: None,
            rx,
            inject: Vec::new(),
            follow: false,
            pending: None,
            placed: false,
            taken: false,
            followed: Instant::now(),
            generation: 0,
        }
    }

    /// Whether the run is still going.
    pub fn running(&self) -> bool {
        self.recording.end.is_none()
    }

    /// Take in what the run has recorded, for at most `budget`; true if anything arrived.
    pub fn poll(&mut self, budget: Duration) -> bool {
        let Some(rx) = &self.rx else { return false };
        let t = Instant::now();
        let mut got = false;
        while t.elapsed() < budget {
            match rx.try_recv() {
                Ok(batch) => {
                    self.recording.ingest(batch);
                    got = true;
                }
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    if self.recording.end.is_none() {
                        self.recording.end =
                            Some(End::Failed("internal error: the run stopped without saying how".into()));
                    }
                    self.rx = None;
                    break;
                }
            }
        }
        if got {
            self.arrived();
        }
        got
    }

    /// New data: follow the live end, come back after a fork, or find the first step once it is there.
    fn arrived(&mut self) {
        if let Some(back) = self.pending {
            let found = self.recording.marks.iter().position(|m| match back {
                Return::Extra(event) => m.kind == MarkKind::Extra && m.event >= event,
                Return::Step(step) => m.kind == MarkKind::StepStart && usize::from(m.step) == step,
            });
            if let Some(i) = found {
                self.pending = None;
                self.go_mark(i);
            } else if !self.running() {
                self.pending = None;
                self.go_end();
            }
        } else if self.follow {
            if self.followed.elapsed() >= FOLLOW_EVERY || !self.running() {
                self.followed = Instant::now();
                self.go_end();
            }
        } else if !self.placed && !self.taken {
            let first = self.recording.marks.iter().any(|m| m.kind == MarkKind::StepStart && m.step == 0);
            if first || !self.running() {
                self.placed = true;
                self.go_first_step();
            }
        }
    }

    /// The user acts: from now on the cursor moves only when they move it (or ask to follow).
    pub fn take_over(&mut self) {
        self.taken = true;
    }

    /// Whether the user has acted yet.
    pub fn taken(&self) -> bool {
        self.taken
    }

    /// The first statement of the first step (the setup is before it); the start if there is none yet.
    pub fn go_first_step(&mut self) {
        match self.recording.marks.iter().position(|m| m.kind == MarkKind::StepStart && m.step == 0) {
            Some(i) => self.go_mark(self.landing(i)),
            None => self.go_event(0),
        }
    }

    /// Put the cursor after `event` events, at the last mark there.
    pub fn go_event(&mut self, event: u64) {
        self.recording.seek(&mut self.cursor, event);
        let e = self.cursor.event;
        self.mark = self.recording.marks.partition_point(|m| m.event <= e).checked_sub(1);
    }

    /// Put the cursor at mark `i`.
    pub fn go_mark(&mut self, i: usize) {
        let Some(m) = self.recording.marks.get(i) else { return };
        self.recording.seek(&mut self.cursor, m.event);
        self.mark = Some(i);
    }

    /// The mark the cursor is at.
    pub fn current(&self) -> Option<&Mark> {
        self.mark.and_then(|i| self.recording.marks.get(i))
    }

    fn is_stop(m: &Mark) -> bool {
        m.kind != MarkKind::StepStart
    }

    /// The next statement, collection phase or step end.
    pub fn next_stop(&mut self) {
        let from = self.mark.map_or(0, |i| i + 1);
        if let Some(i) = (from..self.recording.marks.len()).find(|&i| Self::is_stop(&self.recording.marks[i])) {
            self.go_mark(i);
        } else {
            self.go_end();
        }
    }

    /// The previous stop; from inside a statement, its start.
    pub fn prev_stop(&mut self) {
        let Some(cur) = self.mark else { return };
        if self.cursor.event > self.recording.marks[cur].event {
            return self.go_mark(cur);
        }
        if let Some(i) = (0..cur).rev().find(|&i| Self::is_stop(&self.recording.marks[i])) {
            self.go_mark(i);
        }
    }

    /// Where a step starting at mark `start` is entered: its first statement when nothing happens before it.
    fn landing(&self, start: usize) -> usize {
        let m = &self.recording.marks;
        match m.get(start + 1) {
            Some(next) if next.kind == MarkKind::Statement && next.event == m[start].event => start + 1,
            _ => start,
        }
    }

    /// The start (the first statement) of the next step.
    pub fn next_step(&mut self) {
        let from = self.mark.map_or(0, |i| i + 1);
        match (from..self.recording.marks.len()).find(|&i| self.recording.marks[i].kind == MarkKind::StepStart) {
            Some(i) => self.go_mark(self.landing(i)),
            None => self.go_end(),
        }
    }

    /// The start of this step, or of the previous one when already there.
    pub fn prev_step(&mut self) {
        let Some(cur) = self.mark else { return };
        let starts: Vec<usize> = (0..=cur)
            .filter(|&i| self.recording.marks[i].kind == MarkKind::StepStart)
            .map(|i| self.landing(i))
            .collect();
        let inside = self.cursor.event > self.recording.marks[cur].event;
        match starts.iter().rev().find(|&&l| l < cur || (l == cur && inside)) {
            Some(&l) => self.go_mark(l),
            None => self.go_first_step(),
        }
    }

    /// One heap event forwards (`delta > 0`) or back.
    pub fn step_event(&mut self, delta: i64) {
        let e = self.cursor.event.saturating_add_signed(delta);
        self.go_event(e);
    }

    /// The very end of what is recorded.
    pub fn go_end(&mut self) {
        let last = self.recording.marks.len().checked_sub(1);
        self.recording.seek(&mut self.cursor, self.recording.events());
        self.mark = last;
    }

    /// Whether the cursor is at the live end.
    pub fn at_end(&self) -> bool {
        self.cursor.event == self.recording.events() && self.mark.is_none_or(|i| i + 1 == self.recording.marks.len())
    }

    /// The statement of the current mark, and its script.
    pub fn site(&self) -> Option<(&SiteInfo, &ScriptInfo)> {
        let m = self.current()?;
        let site = self.recording.sites.get(m.site as usize)?;
        Some((site, self.recording.scripts.get(site.script as usize)?))
    }

    /// The call stack at the current mark.
    pub fn frames(&self) -> Frames {
        self.mark.map(|i| self.recording.frames_after(i)).unwrap_or_default()
    }

    /// `g`: re-run the scenario with `gc.collect()` before the statement at (or after) the cursor, or in a
    /// step of its own when the cursor is past the last statement. Returns what was done, in words.
    pub fn inject_collect(&mut self) -> String {
        let marks = &self.recording.marks;
        // Exactly at a statement (or at an injection, which comes just before its statement runs), the
        // collection goes before that statement; anywhere else, before the next one.
        let at = |i: usize| self.cursor.event == marks[i].event;
        let upto = match self.mark {
            Some(i) if marks[i].kind == MarkKind::Statement && at(i) => i,
            Some(i) if marks[i].kind == MarkKind::Extra && at(i) => i.saturating_sub(1),
            Some(i) => i + 1,
            None => 0,
        }
        .min(marks.len());
        let ordinal = marks[..upto].iter().filter(|m| m.kind == MarkKind::Statement).count() as u64;
        let more = marks[upto..].iter().any(|m| m.kind == MarkKind::Statement);
        if self.inject.contains(&ordinal) && more {
            return "a gc.collect() is injected here already".into();
        }
        // While the run goes on, more statements are coming even if none has arrived yet.
        let (said, back) = if more || self.running() {
            self.inject.push(ordinal);
            self.inject.sort_unstable();
            let said = "gc.collect() injected before the next statement; the rest of the run is recorded again";
            (said, Return::Extra(self.cursor.event))
        } else {
            self.loaded.scenario.steps.push(Step {
                title: EXTRA_STEP.into(),
                narration: "A collection the viewer asked for, after the scenario's last step.".into(),
                run: Some("gc::collect();".into()),
                run_file: None,
                expect: Vec::new(),
                python: None,
            });
            // Not in the file: its one line is line 1 of its own.
            self.loaded.map.runs.push(crate::scenario::source::Origin { line: 1, indent: 0 });
            let said = "gc.collect() added as a last step; the run is recorded again";
            (said, Return::Step(self.loaded.scenario.steps.len() - 1))
        };
        self.rx = Some(spawn(self.loaded.clone(), self.inject.clone()));
        self.recording = Recording::new(&self.loaded.scenario.name, self.loaded.profile);
        self.generation += 1;
        self.cursor = self.recording.start();
        self.mark = None;
        self.follow = false;
        self.pending = Some(back);
        said.into()
    }
}
