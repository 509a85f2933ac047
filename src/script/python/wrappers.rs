//! `@staticmethod`, `@classmethod` and `@property`: the wrapper objects a class's namespace holds, and what
//! looking them up through an instance or the class does (`tp_descr_get`).

use super::super::args::{RResult, to_script, with_objs};
use super::super::builtins::make;
use super::super::handle::PyObj;
use super::super::runtime::Rt;
use super::calls::{call, call_function, invoke};
use super::{heap, obj};
use crate::heap::{Kind, ObjId};
use rhai::{Array, Dynamic, Engine, Map, NativeCallContext};

/// The class a lookup through `receiver` binds a `classmethod` to: the class itself, or an instance's class.
fn class_of(rt: &Rt, receiver: &Dynamic) -> RResult<ObjId> {
    let h = rt.heap.borrow();
    let id = obj(receiver).ok_or("TypeError: not an object")?;
    match heap(h.get(id))?.kind() {
        Kind::Class => Ok(id),
        _ => heap(h.class_of(id))?.ok_or_else(|| "TypeError: instance without class".into()),
    }
}

/// `receiver.name` where the class holds `wrapper`: a `staticmethod` gives its function, a `property` runs
/// its getter. The instance stays on the caller's stack while `LOAD_ATTR` runs the getter, whose frame has a
/// reference of its own [obs 3.8-3.13: `sys.getrefcount(self)` in a getter read as `k.p` is 4].
pub fn get(rt: &Rt, ctx: &NativeCallContext, wrapper: ObjId, receiver: &Dynamic) -> RResult<Dynamic> {
    let (kind, func) = {
        let h = rt.heap.borrow();
        (heap(h.get(wrapper))?.kind(), heap(h.wrapped_function(wrapper))?)
    };
    let on_instance = rt.heap.borrow().get(obj(receiver).unwrap_or(wrapper)).is_ok_and(|o| o.kind() == Kind::Instance);
    match kind {
        Kind::StaticMethod => Ok(to_script(rt, func)),
        // `receiver` is the caller's own reference meanwhile (the stack's).
        Kind::Property if on_instance => invoke(rt, ctx, func, vec![receiver.clone()], Map::new(), false),
        Kind::Property => Ok(to_script(rt, wrapper)),
        _ => {
            Err("TypeError: bound method objects (a classmethod without a call) are not simulated yet: call it".into())
        }
    }
}

/// `receiver.name(*args)` where the class holds `wrapper`. A `classmethod` call passes the class first; through
/// 3.10 its bound method keeps it meanwhile, where a plain call keeps `self` on the stack [obs 3.8-3.13:
/// `sys.getrefcount(cls)` is one more on 3.8-3.10, as for `self`].
pub fn call_through(
    rt: &Rt,
    ctx: &NativeCallContext,
    wrapper: ObjId,
    receiver: Dynamic,
    args: Array,
    kw: Map,
) -> RResult<Dynamic> {
    let (kind, func) = {
        let h = rt.heap.borrow();
        (heap(h.get(wrapper))?.kind(), heap(h.wrapped_function(wrapper))?)
    };
    match kind {
        Kind::StaticMethod => call_function(rt, ctx, func, args, kw),
        Kind::ClassMethod => {
            // Called on the class, the class itself is the argument: `LOAD_METHOD` leaves no other
            // reference to it on the stack [obs 3.11: `sys.getrefcount(cls)` is 6 for `C.make(v)` with the
            // name, `__mro__` and two getsets].
            let class = class_of(rt, &receiver)?;
            let class = if obj(&receiver) == Some(class) { receiver } else { to_script(rt, class) };
            let mut all = vec![class];
            all.extend(args);
            call_function(rt, ctx, func, all, kw)
        }
        _ => {
            let value = get(rt, ctx, wrapper, &receiver)?;
            call(rt, ctx, &value, args, kw)
        }
    }
}

/// Register `py_wrap(kind, function)`, what a decorator line lowers to, and `py_call_lines_split()`: whether
/// the profile's tracer reports a decorator's line again for its call (3.11+).
pub fn register(engine: &mut Engine, rt: &Rt) {
    let r = rt.clone();
    engine
        .register_fn("py_call_lines_split", move || r.heap.borrow().profile().version >= crate::heap::PyVersion::V3_11);
    let r = rt.clone();
    engine.register_fn("py_wrap", move |ctx: NativeCallContext, kind: &str, f: Dynamic| -> RResult<PyObj> {
        let kind = match kind {
            "staticmethod" => Kind::StaticMethod,
            "classmethod" => Kind::ClassMethod,
            _ => Kind::Property,
        };
        make(&r, &ctx, |h| with_objs(h, &[f], |h, ids| heap(h.new_wrapper(kind, ids[0]))))
    });
}
