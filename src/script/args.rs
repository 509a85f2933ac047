//! Turning script values into heap objects and back.

use super::handle::PyObj;
use super::runtime::{Rt, to_rhai};
use crate::heap::{Heap, ObjId, Value};
use rhai::{Dynamic, EvalAltResult};

/// Script results.
pub type RResult<T> = Result<T, Box<EvalAltResult>>;

/// An object argument: a handle's object, or a fresh object made from a plain Rhai value (`5`, `"a"`,
/// `1.5`, `true`, `()`), which the caller releases after use.
pub struct ObjArg {
    /// The object.
    pub id: ObjId,
    fresh: bool,
}

impl ObjArg {
    /// Drop the reference a fresh object was created with (the heap keeps whatever edges now hold it).
    pub fn done(self, heap: &mut Heap) {
        if self.fresh {
            let _ = heap.dec_root(self.id);
        }
    }
}

/// The object a script value stands for.
pub fn obj_arg(heap: &mut Heap, v: &Dynamic) -> RResult<ObjArg> {
    if let Some(p) = v.read_lock::<PyObj>() {
        return Ok(ObjArg { id: p.id(), fresh: false });
    }
    let id = if let Ok(i) = v.as_int() {
        heap.new_int_from_long(i128::from(i))
    } else if let Ok(f) = v.as_float() {
        heap.new_float(f)
    } else if let Ok(b) = v.as_bool() {
        Ok(heap.new_bool(b))
    } else if let Some(s) = v.read_lock::<rhai::ImmutableString>() {
        heap.new_str(s.as_str())
    } else if v.is_unit() {
        Ok(heap.none())
    } else {
        return Err(format!(
            "TypeError: a {} is not a Python object here (make one with list(...), tuple(...), dict() ...)",
            v.type_name()
        )
        .into());
    }
    .map_err(to_rhai)?;
    Ok(ObjArg { id, fresh: true })
}

/// Run `f` with the objects for `values`, releasing fresh ones afterwards.
pub fn with_objs<T>(
    heap: &mut Heap,
    values: &[Dynamic],
    f: impl FnOnce(&mut Heap, &[ObjId]) -> RResult<T>,
) -> RResult<T> {
    let mut args = Vec::with_capacity(values.len());
    for v in values {
        match obj_arg(heap, v) {
            Ok(a) => args.push(a),
            Err(e) => {
                args.into_iter().for_each(|a| a.done(heap));
                return Err(e);
            }
        }
    }
    let ids: Vec<ObjId> = args.iter().map(|a| a.id).collect();
    let result = f(heap, &ids);
    args.into_iter().for_each(|a| a.done(heap));
    result
}

/// A script handle for a borrowed object: atomic values come back as plain Rhai values (ints, floats,
/// strings, bools, `()`), everything else as a handle.
pub fn to_script(rt: &Rt, id: ObjId) -> Dynamic {
    let plain = {
        let heap = rt.heap.borrow();
        match heap.get(id).map(|o| o.kind()) {
            Ok(crate::heap::Kind::None) => Some(Dynamic::UNIT),
            Ok(crate::heap::Kind::Bool) => match heap.value(id) {
                Ok(Some(Value::Int(v))) => Some(Dynamic::from(*v != 0)),
                _ => None,
            },
            _ => None,
        }
    };
    plain.unwrap_or_else(|| Dynamic::from(PyObj::borrowed(rt, id)))
}
