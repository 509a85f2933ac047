//! Which names are certainly bound where they are read. A name read where it may have no value (before its
//! first binding, after a `del`, bound only in a branch or a loop) is read through `py_load`, which raises
//! Python's `NameError` or `UnboundLocalError`; a name certainly bound is read as it is, at no cost.
//!
//! Certainly bound: bound by a statement directly in the frame's body (not in a block) earlier in source
//! order, and never deleted anywhere; in a function, its parameters, and the globals certainly bound when
//! the `def` ran (a function object exists only from then on).

use std::collections::BTreeSet;

/// The names certainly bound at the current point of the lowering.
#[derive(Debug, Default)]
pub struct Bindings {
    certain: BTreeSet<String>,
    /// Blocks (`if`, loop bodies) entered within the current frame.
    depth: usize,
    /// The number of frames on the lowering's stack when the current frame began.
    frame: usize,
    /// Names deleted anywhere in the module: never certain.
    deleted: BTreeSet<String>,
}

/// A frame's bindings, put aside while a nested function is lowered.
pub struct Saved(BTreeSet<String>, usize, usize);

impl Bindings {
    /// The module's bindings (its frame is the first), given the names it deletes anywhere.
    pub fn new(deleted: BTreeSet<String>) -> Bindings {
        Bindings { frame: 1, deleted, ..Bindings::default() }
    }

    /// `name` is bound by the statement being lowered, `frames` deep.
    pub fn bind(&mut self, name: &str, frames: usize) {
        if self.depth == 0 && frames == self.frame && !self.deleted.contains(name) {
            self.certain.insert(name.to_string());
        }
    }

    /// Whether `name`, read `frames` deep, certainly has a value.
    pub fn is_certain(&self, name: &str, frames: usize) -> bool {
        frames == self.frame && self.certain.contains(name)
    }

    /// A block's body begins (`false`: it ends).
    pub fn block(&mut self, begins: bool) {
        if begins {
            self.depth += 1;
        } else {
            self.depth -= 1;
        }
    }

    /// A function's body begins, `frames` deep, with its parameters and locals.
    pub fn enter_function(&mut self, params: &[String], locals: &BTreeSet<String>, frames: usize) -> Saved {
        let globals = self.certain.iter().filter(|g| !locals.contains(*g)).cloned();
        let mut certain: BTreeSet<String> = globals.collect();
        certain.extend(params.iter().filter(|p| !self.deleted.contains(*p)).cloned());
        let saved = Saved(std::mem::replace(&mut self.certain, certain), self.depth, self.frame);
        (self.depth, self.frame) = (0, frames);
        saved
    }

    /// The function's body is lowered: back to the enclosing frame.
    pub fn leave_function(&mut self, saved: Saved) {
        (self.certain, self.depth, self.frame) = (saved.0, saved.1, saved.2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unconditional_bindings_of_names_never_deleted_are_certain() {
        let mut b = Bindings::new(["d".to_string()].into());
        b.bind("a", 1);
        b.bind("d", 1);
        b.block(true);
        b.bind("c", 1);
        b.block(false);
        assert!(b.is_certain("a", 1) && !b.is_certain("d", 1) && !b.is_certain("c", 1));
        // A comprehension's frame binds its own names, not the module's.
        b.bind("x", 2);
        assert!(!b.is_certain("x", 1));
        let saved = b.enter_function(&["p".into()], &["a".to_string()].into(), 2);
        assert!(b.is_certain("p", 2) && !b.is_certain("a", 2), "a local named like a global starts unbound");
        b.leave_function(saved);
        assert!(b.is_certain("a", 1));
    }
}
