//! `PyObj`: a script value that refers to a heap object. Cloning it takes a reference and dropping it
//! releases one, so Rhai variables, arguments and temporaries count the way Python's names and stack do.

use super::runtime::{Rt, Runtime};
use crate::heap::ObjId;
use std::rc::Rc;

/// A counted reference to a heap object, held by the script.
pub struct PyObj {
    rt: Rt,
    id: ObjId,
}

impl PyObj {
    /// Wrap a reference the caller already owns (a constructor's new reference).
    pub fn owned(rt: &Rt, id: ObjId) -> PyObj {
        PyObj { rt: Rc::clone(rt), id }
    }

    /// Take a new reference to `id`.
    pub fn borrowed(rt: &Rc<Runtime>, id: ObjId) -> PyObj {
        let _ = rt.heap.borrow_mut().inc_root(id);
        PyObj { rt: Rc::clone(rt), id }
    }

    /// The object.
    pub fn id(&self) -> ObjId {
        self.id
    }

    /// The runtime whose heap the object is on.
    pub(crate) fn runtime(&self) -> &Rt {
        &self.rt
    }
}

impl Clone for PyObj {
    fn clone(&self) -> Self {
        self.rt.acquire(self.id);
        PyObj { rt: Rc::clone(&self.rt), id: self.id }
    }
}

impl Drop for PyObj {
    fn drop(&mut self) {
        self.rt.release(self.id);
    }
}
