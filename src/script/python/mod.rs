//! What Python scenarios lower to (`src/python/`): bindings that give every operator, call and builtin
//! CPython's semantics over the heap. Values are counted handles, Rhai `bool`s for `True`/`False` and `()`
//! for `None`; a plain Rhai number or string only passes through on its way to becoming an object.

mod calls;
mod inherit;
pub(crate) mod iter;
pub(crate) mod ops;
mod printf;
mod reduce;
mod text;
mod wrappers;

pub use calls::Signature;
pub(crate) use text::{check_text_size, repr, str_repr, str_text};

use super::args::RResult;
use super::handle::PyObj;
use super::runtime::{Rt, to_rhai};
use crate::heap::{Heap, Kind, ObjId, Value};
use rhai::{Dynamic, Engine};

/// One `assert` of a Python cell, as checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// The expression as written.
    pub expr: String,
    /// Whether it held.
    pub passed: bool,
    /// For a failed comparison, both sides.
    pub detail: Option<String>,
    /// 1-based line and column in the script.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
}

/// Register the Python bindings.
pub fn register(engine: &mut Engine, rt: &Rt) {
    ops::register(engine, rt);
    calls::register(engine, rt);
    inherit::register(engine, rt);
    wrappers::register(engine, rt);
    iter::register(engine, rt);
    text::register(engine, rt);
    reduce::register(engine, rt);
}

/// The object a value stands for, if it is a handle.
pub(crate) fn obj(v: &Dynamic) -> Option<ObjId> {
    v.read_lock::<PyObj>().map(|p| p.id())
}

/// A new reference returned by the heap, as a script value (`None` and bools become `()` and `bool`).
pub(crate) fn owned(rt: &Rt, h: &mut Heap, id: ObjId) -> Dynamic {
    match h.get(id).map(|o| o.kind()) {
        Ok(Kind::None) => {
            let _ = h.dec_root(id);
            Dynamic::UNIT
        }
        Ok(Kind::Bool) => {
            let b = matches!(h.value(id), Ok(Some(Value::Int(1))));
            let _ = h.dec_root(id);
            Dynamic::from(b)
        }
        _ => Dynamic::from(PyObj::owned(rt, id)),
    }
}

/// The type name of a value, as Python's messages say it.
pub(crate) fn type_name(h: &Heap, v: &Dynamic) -> String {
    if v.is_unit() {
        return "NoneType".into();
    }
    if v.is_bool() {
        return "bool".into();
    }
    match obj(v) {
        Some(id) => h.type_name(id).unwrap_or_default(),
        None => v.type_name().rsplit("::").next().unwrap_or_default().to_string(),
    }
}

/// A Python integer's value (ints and bools).
pub(crate) fn int_value(h: &Heap, v: &Dynamic) -> Option<i128> {
    if let Ok(b) = v.as_bool() {
        return Some(i128::from(b));
    }
    if let Ok(i) = v.as_int() {
        return Some(i128::from(i));
    }
    match h.value(obj(v)?) {
        Ok(Some(Value::Int(i))) => Some(*i),
        _ => None,
    }
}

/// An integer argument, or Python's TypeError.
pub(crate) fn int_arg(h: &Heap, v: &Dynamic) -> RResult<i64> {
    let i = int_value(h, v)
        .ok_or_else(|| format!("TypeError: '{}' object cannot be interpreted as an integer", type_name(h, v)))?;
    i64::try_from(i).map_err(|_| "OverflowError: Python int too large to convert to C long".into())
}

/// Wrap a heap result's error for the script.
pub(crate) fn heap<T>(r: crate::heap::HeapResult<T>) -> RResult<T> {
    r.map_err(to_rhai)
}
