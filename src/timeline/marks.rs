//! Marks: the points of a recording a viewer steps between (scenario steps, statements, collection phases),
//! and the call stack's frames with their bound names, kept as small changes per statement.

/// What a mark is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkKind {
    /// A scenario step (or the setup) begins.
    StepStart,
    /// A statement is about to run.
    Statement,
    /// A collection entered a phase (the event just before the mark says which).
    GcPhase,
    /// A viewer's extra action is about to run (`g`: a `gc.collect()` injected here).
    Extra,
    /// A step finished, its expectations checked.
    StepEnd,
}

/// No statement (`Mark::site`).
pub const NO_SITE: u32 = u32::MAX;
/// The setup's step number (`Mark::step`).
pub const SETUP: u16 = u16::MAX;

/// A point of the recording.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mark {
    /// Heap events recorded before it.
    pub event: u64,
    /// What it is.
    pub kind: MarkKind,
    /// The statement running, an index into the recording's sites ([`NO_SITE`] outside any).
    pub site: u32,
    /// The scenario step, from 0 ([`SETUP`] for the setup).
    pub step: u16,
    /// Call depth of the statement.
    pub depth: u16,
    /// Frame changes up to and including this mark: `ops[..ops_end]`.
    pub ops_end: u32,
}

pub use crate::script::Bound;

/// One change to the call stack. Names and function names are indexes into the recording's strings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum FrameOp {
    /// A frame opened at `depth` for `function` (`None`: the top level, `<module>`).
    Enter {
        /// Rhai call level.
        depth: u16,
        /// The function.
        function: Option<u32>,
    },
    /// The innermost frame closed.
    Leave,
    /// In the innermost frame, `name = value`.
    Bind {
        /// The variable.
        name: u32,
        /// Its value.
        value: Bound,
    },
    /// In the innermost frame, the name went away (`del name`, or out of scope).
    Unbind {
        /// The variable.
        name: u32,
    },
}

/// One frame of the simulated call stack.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FrameState {
    /// Rhai call level.
    pub depth: u16,
    /// The function (`None`: `<module>`).
    pub function: Option<u32>,
    /// Bound names in binding order.
    pub bindings: Vec<(u32, Bound)>,
}

/// The call stack, outermost frame first.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Frames(pub Vec<FrameState>);

impl Frames {
    /// Apply one change.
    pub fn apply(&mut self, op: &FrameOp) {
        match *op {
            FrameOp::Enter { depth, function } => self.0.push(FrameState { depth, function, bindings: Vec::new() }),
            FrameOp::Leave => {
                self.0.pop();
            }
            FrameOp::Bind { name, value } => {
                if let Some(f) = self.0.last_mut() {
                    match f.bindings.iter_mut().find(|(n, _)| *n == name) {
                        Some(b) => b.1 = value,
                        None => f.bindings.push((name, value)),
                    }
                }
            }
            FrameOp::Unbind { name } => {
                if let Some(f) = self.0.last_mut() {
                    f.bindings.retain(|(n, _)| *n != name);
                }
            }
        }
    }

    /// The changes that turn this stack into one whose innermost frame is at `depth`, runs `function` and binds
    /// exactly `bindings` (frames deeper than `depth` close; outer frames stay as they were).
    pub fn diff_to(&self, depth: u16, function: Option<u32>, bindings: &[(u32, Bound)]) -> Vec<FrameOp> {
        let mut ops = Vec::new();
        let mut keep = self.0.len();
        while keep > 0 && self.0[keep - 1].depth > depth {
            keep -= 1;
        }
        let same_frame = keep > 0 && self.0[keep - 1].depth == depth && self.0[keep - 1].function == function;
        if keep > 0 && self.0[keep - 1].depth == depth && !same_frame {
            keep -= 1;
        }
        ops.extend(std::iter::repeat_n(FrameOp::Leave, self.0.len() - keep));
        let old: &[(u32, Bound)] = if same_frame { &self.0[keep - 1].bindings } else { &[] };
        if !same_frame {
            ops.push(FrameOp::Enter { depth, function });
        }
        for &(name, _) in old {
            if !bindings.iter().any(|(n, _)| *n == name) {
                ops.push(FrameOp::Unbind { name });
            }
        }
        for &(name, value) in bindings {
            if !old.iter().any(|&(n, v)| n == name && v == value) {
                ops.push(FrameOp::Bind { name, value });
            }
        }
        ops
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn roundtrip(from: &Frames, depth: u16, function: Option<u32>, bindings: &[(u32, Bound)]) -> Frames {
        let mut f = from.clone();
        for op in from.diff_to(depth, function, bindings) {
            f.apply(&op);
        }
        let top = f.0.last().expect("a frame");
        assert_eq!((top.depth, top.function), (depth, function));
        let mut got = top.bindings.clone();
        let mut want = bindings.to_vec();
        got.sort_by_key(|b| b.0);
        want.sort_by_key(|b| b.0);
        assert_eq!(got, want);
        f
    }

    #[test]
    fn diffs_rebuild_the_stack_a_statement_sees() {
        let a = Bound::Int(1);
        let f = roundtrip(&Frames::default(), 0, None, &[(1, a)]);
        let f = roundtrip(&f, 1, Some(7), &[(2, Bound::Bool(true))]);
        assert_eq!(f.0.len(), 2, "a call opens a frame and keeps the caller's");
        let f = roundtrip(&f, 1, Some(8), &[]);
        assert_eq!(f.0.len(), 2, "another function at the same depth replaces the frame");
        let f = roundtrip(&f, 0, None, &[(1, Bound::Int(2)), (3, a)]);
        assert_eq!(f.0.len(), 1);
        assert_eq!(f.diff_to(0, None, &[(1, Bound::Int(2)), (3, a)]), [], "nothing changed, nothing recorded");
    }
}
