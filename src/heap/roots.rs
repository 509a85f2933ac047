//! Roots: references held from outside the heap (frames' locals, globals, temporaries of the scripting layer).
//!
//! The anonymous count lives on each object (`Object::root_refs`); this module keeps the named bindings of the
//! simulated call stack, so viewers can say which names refer to an object.

use super::core::Heap;
use super::error::{HeapError, HeapResult};
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

impl Heap {
    /// Enter a function: push a frame named `name` (the outermost frame is `<module>`, created on first use).
    pub fn push_frame(&mut self, name: &str) {
        let name = self.intern(name);
        self.frames.frames.push(Frame { name, locals: Vec::new() });
    }

    /// Leave the innermost frame: its locals are released in binding order, as `frame_dealloc` clears
    /// `f_localsplus`. Returning from a function frees what only its locals held.
    pub fn pop_frame(&mut self) -> HeapResult<()> {
        let frame = self.frames.frames.pop().ok_or_else(|| HeapError::Value("no frame to pop".into()))?;
        for b in frame.locals {
            self.dec_root(b.target)?;
        }
        Ok(())
    }

    /// `name = obj` in the innermost frame (creating `<module>` if there is none): takes a reference on the new
    /// object before releasing the one the name held.
    pub fn bind(&mut self, name: &str, obj: ObjId) -> HeapResult<()> {
        self.inc_root(obj)?;
        if self.frames.frames.is_empty() {
            self.push_frame("<module>");
        }
        let name = self.intern(name);
        let frame = self.frames.frames.last_mut().expect("a frame exists");
        let old = match frame.locals.iter_mut().find(|b| b.name == name) {
            Some(b) => Some(std::mem::replace(&mut b.target, obj)),
            None => {
                frame.locals.push(Binding { name, target: obj });
                None
            }
        };
        match old {
            Some(old) => self.dec_root(old),
            None => Ok(()),
        }
    }

    /// `del name` in the innermost frame.
    pub fn unbind(&mut self, name: &str) -> HeapResult<()> {
        let missing = || HeapError::Missing(format!("NameError: name '{name}' is not defined"));
        let name = self.name_index.get(name).copied().ok_or_else(missing)?;
        let frame = self.frames.frames.last_mut().ok_or_else(missing)?;
        let i = frame.locals.iter().position(|b| b.name == name).ok_or_else(missing)?;
        let b = frame.locals.remove(i);
        self.dec_root(b.target)
    }

    /// The object bound to `name` in the innermost frame, then the outermost (locals, then globals).
    pub fn lookup(&self, name: &str) -> Option<ObjId> {
        let name = *self.name_index.get(name)?;
        let find = |f: &Frame| f.locals.iter().find(|b| b.name == name).map(|b| b.target);
        self.frames.frames.last().and_then(find).or_else(|| self.frames.frames.first().and_then(find))
    }
}
