//! Python's spellings in Rhai, with Python's semantics (the Python front end compiles to the same runtime):
//! `for x in l` iterates a list, tuple, dict or set as Python's iterators do, `x in c` is Python's `in`, `==`
//! compares Python values, `print(x)` shows Python's `str(x)`, and `None` is `()`. Calling a value,
//! `Node()` or `w()`, stays `Node.create()` and `weakref::deref(w)`: Rhai resolves a call by function name
//! only, and its missing-function hook does not see the caller's variables.

use super::args::{RResult, to_script};
use super::handle::PyObj;
use super::python::iter::item_at;
use super::python::ops;
use super::runtime::Rt;
use crate::heap::{Kind, ObjId};
use rhai::{Dynamic, Engine, INT, ImmutableString};

/// A Python iterator over a container for Rhai's `for`: it holds the container (as `list_iterator` does, one
/// reference) and reads it afresh at each step, so a list that grows while it is iterated yields the new
/// items too; a dict's or set's keys are taken when the loop starts.
pub struct Items {
    source: PyObj,
    keys: Option<Vec<ObjId>>,
    pos: usize,
    /// Why this object cannot be iterated here, reported by the first step.
    refused: Option<String>,
}

impl Iterator for Items {
    type Item = RResult<Dynamic>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(why) = self.refused.take() {
            return Some(Err(why.into()));
        }
        let rt = self.source.runtime();
        let id = item_at(&rt.heap.borrow(), self.source.id(), self.keys.as_deref(), self.pos)?;
        self.pos += 1;
        Some(Ok(to_script(rt, id)))
    }
}

impl IntoIterator for PyObj {
    type Item = RResult<Dynamic>;
    type IntoIter = Items;

    /// A generator, or anything but a list, tuple, dict or set, is refused: a generator's next item runs
    /// script code, which needs a call's context (use `next(g)`).
    fn into_iter(self) -> Items {
        let (kind, keys) = {
            let h = self.runtime().heap.borrow();
            (h.get(self.id()).map(|o| o.kind()).ok(), h.keys(self.id()).ok())
        };
        let (keys, refused) = match kind {
            Some(Kind::List | Kind::Tuple) => (None, None),
            Some(Kind::Dict | Kind::Set | Kind::FrozenSet) => (keys, None),
            other => (
                Some(Vec::new()),
                Some(format!(
                    "TypeError: a Rhai `for` iterates lists, tuples, dicts and sets, not '{}' (use next())",
                    other.map_or("object", |k| k.type_name())
                )),
            ),
        };
        Items { source: self, keys, pos: 0, refused }
    }
}

/// Register the spellings.
pub fn register(engine: &mut Engine, rt: &Rt) {
    engine.register_iterator_result::<PyObj, Dynamic>();
    let r = rt.clone();
    engine.register_fn("contains", move |c: PyObj, x: Dynamic| ops::contains(&r, &Dynamic::from(c), &x));
    // `==` and `!=` between a handle and anything: Python's equality (an int object equals 1, a str "ab").
    macro_rules! equality {
        ($($a:ty, $b:ty);*) => {$(
            let r = rt.clone();
            engine.register_fn("==", move |a: $a, b: $b| ops::equal(&r.heap.borrow(), &Dynamic::from(a), &Dynamic::from(b)));
            let r = rt.clone();
            engine.register_fn("!=", move |a: $a, b: $b| !ops::equal(&r.heap.borrow(), &Dynamic::from(a), &Dynamic::from(b)));
        )*};
    }
    equality!(PyObj, PyObj; PyObj, INT; INT, PyObj; PyObj, ImmutableString; ImmutableString, PyObj; PyObj, f64; f64, PyObj; PyObj, bool; bool, PyObj);
    let r = rt.clone();
    // Rhai's `print` shows a type name when `to_string` fails: a text too big to make says so instead.
    let too_big = |e: Box<rhai::EvalAltResult>| format!("<{}>", super::ScriptError::from_rhai(&e).message);
    engine.register_fn("to_string", move |o: &mut PyObj| {
        let (h, v) = (r.heap.borrow(), Dynamic::from(o.clone()));
        super::python::check_text_size(&h, &v).map_or_else(too_big, |()| super::python::str_text(&h, &v))
    });
    let r = rt.clone();
    engine.register_fn("to_debug", move |o: &mut PyObj| {
        let (h, v) = (r.heap.borrow(), Dynamic::from(o.clone()));
        super::python::check_text_size(&h, &v).map_or_else(too_big, |()| super::python::repr(&h, &v))
    });
}
