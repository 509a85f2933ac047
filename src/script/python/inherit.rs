//! `super()` and the `__class__` cell: a method that uses `super()` closes over its class's cell, and
//! `super().name` looks `name` up along the MRO after that class.

use super::super::args::{RResult, to_script, with_objs};
use super::super::builtins::{act, make};
use super::super::handle::PyObj;
use super::super::runtime::Rt;
use super::calls::{call, call_function};
use super::{heap, obj, type_name};
use crate::heap::{Kind, ObjId};
use rhai::{Array, Dynamic, Engine, Map, NativeCallContext};

/// The class after `class` in `instance`'s MRO that has `name`, and the value found.
fn lookup(rt: &Rt, class: &Dynamic, instance: &Dynamic, name: &str) -> RResult<ObjId> {
    let h = rt.heap.borrow();
    let class = obj(class).filter(|&c| h.get(c).is_ok_and(|o| o.kind() == Kind::Class));
    let class = class.ok_or("TypeError: super() argument 1 must be a type")?;
    let of = obj(instance).and_then(|i| h.class_of(i).ok().flatten());
    if !of.is_some_and(|c| h.is_subclass(c, class)) {
        return Err("TypeError: super(type, obj): obj must be an instance or subtype of type".into());
    }
    let base = heap(h.class_info(class))?.spec.base;
    base.and_then(|b| h.get_attr(b, name).ok())
        .ok_or_else(|| format!("AttributeError: 'super' object has no attribute '{name}'").into())
}

/// `super().name(*args, **kw)`.
fn call_super(
    rt: &Rt,
    ctx: &NativeCallContext,
    class: &Dynamic,
    this: Dynamic,
    name: &str,
    args: Array,
    kw: Map,
) -> RResult<Dynamic> {
    let found = lookup(rt, class, &this, name)?;
    if rt.heap.borrow().get(found).is_ok_and(|o| o.kind() == Kind::Function) {
        // From 3.14 a plain call passes a borrowed `self` (`LOAD_FAST_BORROW`); `LOAD_SUPER_ATTR` hands the
        // callee a reference of its own [obs Pyodide 3.14.2 and 3.15.0rc1: `sys.getrefcount(self)` in the
        // base's `__init__` is 3 through `super()`, 2 through `P.__init__(self, v)`]. Through 3.13 the two
        // agree: 3.8-3.10 keep `self` in the bound method where a plain call keeps it on the stack, 3.11+
        // unpack the bound method [obs 3.8-3.13].
        let borrows = rt.heap.borrow().profile().borrows_fast_locals;
        let held = borrows.then(|| this.clone());
        let mut all = vec![this];
        all.extend(args);
        let result = call_function(rt, ctx, found, all, kw);
        drop(held);
        return result;
    }
    call(rt, ctx, &to_script(rt, found), args, kw)
}

/// Register `py_class_cell`, `py_closure`, `py_super_callm` and `py_super_getattr`.
pub fn register(engine: &mut Engine, rt: &Rt) {
    let r = rt.clone();
    engine.register_fn("py_class_cell", move |ctx: NativeCallContext, class: Dynamic| -> RResult<PyObj> {
        let class = obj(&class).ok_or("TypeError: not a class")?;
        make(&r, &ctx, |h| heap(h.new_cell(class)))
    });
    let r = rt.clone();
    engine.register_fn("py_closure", move |ctx: NativeCallContext, f: Dynamic, cell: Dynamic| -> RResult<Dynamic> {
        let func = obj(&f).ok_or("TypeError: not a function")?;
        act(&r, &ctx, |h| with_objs(h, &[cell], |h, ids| heap(h.set_closure(func, ids))))?;
        Ok(f)
    });
    let r = rt.clone();
    engine.register_fn(
        "py_super_callm",
        move |ctx: NativeCallContext, class: Dynamic, this: Dynamic, name: &str, args: Array, kw: Map| {
            call_super(&r, &ctx, &class, this, name, args, kw)
        },
    );
    let r = rt.clone();
    engine.register_fn(
        "py_super_callm",
        move |ctx: NativeCallContext, class: Dynamic, this: Dynamic, name: &str, args: Array| {
            call_super(&r, &ctx, &class, this, name, args, Map::new())
        },
    );
    let r = rt.clone();
    engine.register_fn("py_super_getattr", move |class: Dynamic, this: Dynamic, name: &str| -> RResult<Dynamic> {
        let found = lookup(&r, &class, &this, name)?;
        if r.heap.borrow().get(found).is_ok_and(|o| o.kind() == Kind::Function) {
            let what = type_name(&r.heap.borrow(), &this);
            return Err(format!(
                "TypeError: bound method objects (`super().{name}` of a '{what}' without a call) are not simulated yet"
            )
            .into());
        }
        Ok(to_script(&r, found))
    });
}
