//! Roots: references held from outside the heap (frames' locals, globals, temporaries of the scripting layer).
//!
//! The anonymous count lives on each object (`Object::root_refs`); this module keeps the named bindings of the
//! simulated call stack, so viewers can say which names refer to an object.

use super::ids::{Name, ObjId};

/// A named binding in a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// The variable name.
    pub name: Name,
    /// What it is bound to.
    pub target: ObjId,
}

/// One frame of the simulated call stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The function's name (`<module>` for the outermost frame).
    pub name: Name,
    /// Its local bindings, in binding order.
    pub locals: Vec<Binding>,
}

/// The simulated call stack, outermost frame first.
#[derive(Clone, Debug, Default)]
pub struct Frames {
    pub(crate) frames: Vec<Frame>,
}

impl Frames {
    /// The frames, outermost first.
    pub fn frames(&self) -> &[Frame] {
        &self.frames
    }

    /// Names bound to `id` in any frame, innermost frame first.
    pub fn names_of(&self, id: ObjId) -> impl Iterator<Item = Name> + '_ {
        self.frames.iter().rev().flat_map(move |f| f.locals.iter().filter(move |b| b.target == id).map(|b| b.name))
    }
}
