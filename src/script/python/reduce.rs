//! The builtins that reduce an iterable, `min`, `max`, `any`, `all` and `sorted`, and `abs`. Each consumes
//! what it iterates as CPython's does (`any` and `all` stop at the first answer, leaving a generator where
//! CPython leaves it) and returns the objects CPython returns (`min` one of the items, `abs(5)` the same 5).

use super::super::args::{RResult, with_objs};
use super::super::builtins::make;
use super::super::runtime::Rt;
use super::iter::{Stop, collect, iter, next};
use super::ops::{binary, order, truth};
use super::{heap, obj};
use crate::heap::{Kind, PyVersion, Value};
use rhai::{Dynamic, Engine, NativeCallContext};
use std::cmp::Ordering;

/// `a < b` with Python's `<` (an error for types that do not compare).
fn less(rt: &Rt, a: &Dynamic, b: &Dynamic) -> RResult<bool> {
    Ok(order(&rt.heap.borrow(), a, b, "<")? == Ordering::Less)
}

/// `min(iterable)` / `max(iterable)`: the first item no other beats (`min_max` in bltinmodule.c keeps the
/// first of equal items).
fn extreme(rt: &Rt, ctx: &NativeCallContext, name: &str, source: Dynamic) -> RResult<Dynamic> {
    let mut it = iter(rt, source)?;
    let mut best: Option<Dynamic> = None;
    loop {
        let x = next(rt, ctx, &mut it)?;
        if x.is::<Stop>() {
            break;
        }
        best = Some(match best {
            None => x,
            Some(b) => {
                let better = if name == "min" { less(rt, &x, &b)? } else { less(rt, &b, &x)? };
                if better { x } else { b }
            }
        });
    }
    best.ok_or_else(|| {
        // The message changed in 3.12 (observed: "min() arg is an empty sequence" on 3.11).
        let text = match rt.heap.borrow().profile().version < PyVersion::V3_12 {
            true => "arg is an empty sequence",
            false => "iterable argument is empty",
        };
        format!("ValueError: {name}() {text}").into()
    })
}

/// `any(iterable)` (`want` true) or `all(iterable)` (`want` false): stops at the first item whose truth
/// is `want`.
fn quantify(rt: &Rt, ctx: &NativeCallContext, want: bool, source: Dynamic) -> RResult<bool> {
    let mut it = iter(rt, source)?;
    loop {
        let x = next(rt, ctx, &mut it)?;
        if x.is::<Stop>() {
            return Ok(!want);
        }
        if truth(&rt.heap.borrow(), &x) == want {
            return Ok(want);
        }
    }
}

/// `sorted(iterable)` of a list or tuple: `PySequence_List` (an empty list extended by the items) then
/// `list.sort()`, a stable sort by `<`. Other iterables go through `list_extend`'s length-hint path, whose
/// sizes differ per version (3.10 sizes `sorted(dict)` exactly, 3.13 by the hint): not simulated yet.
fn sorted(rt: &Rt, ctx: &NativeCallContext, source: Dynamic) -> RResult<Dynamic> {
    let kind = obj(&source).and_then(|id| rt.heap.borrow().get(id).ok().map(|o| o.kind()));
    if !matches!(kind, Some(Kind::List | Kind::Tuple)) {
        let name = super::type_name(&rt.heap.borrow(), &source);
        return Err(format!("sorted() of a '{name}' is not simulated yet: sort a list or a tuple").into());
    }
    let mut values = collect(rt, ctx, source)?;
    let mut failed = None;
    // Like `list.sort`, only `<` is asked: the stable sort reads `Less` and nothing else.
    values.sort_by(|a, b| match less(rt, a, b) {
        Ok(true) => Ordering::Less,
        Ok(false) => Ordering::Greater,
        Err(e) => {
            failed.get_or_insert(e);
            Ordering::Greater
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    let list = make(rt, ctx, |h| heap(h.new_list()))?;
    let id = list.id();
    super::super::builtins::act(rt, ctx, |h| with_objs(h, &values, |h, ids| heap(h.list_extend(id, ids))))?;
    Ok(Dynamic::from(list))
}

/// `abs(x)`: a non-negative int is returned as it is (`long_long`); a float always makes a new one
/// (`float_abs`); a negative number is negated.
fn abs(rt: &Rt, ctx: &NativeCallContext, x: Dynamic) -> RResult<Dynamic> {
    let zero = Dynamic::from(false);
    let value = obj(&x).and_then(|id| rt.heap.borrow().value(id).ok().flatten().cloned());
    match value {
        Some(Value::Int(i)) if i >= 0 && !x.is_bool() => Ok(x),
        Some(Value::Int(i)) if i < 0 => binary(rt, ctx, "-", &zero, &x, false),
        Some(Value::Float(f)) if f < 0.0 => binary(rt, ctx, "-", &zero, &x, false),
        Some(Value::Int(_) | Value::Float(_)) => binary(rt, ctx, "+", &zero, &x, false),
        _ if x.is_bool() => binary(rt, ctx, "+", &zero, &x, false),
        _ => {
            Err(format!("TypeError: bad operand type for abs(): '{}'", super::type_name(&rt.heap.borrow(), &x)).into())
        }
    }
}

/// Register the builtins.
pub fn register(engine: &mut Engine, rt: &Rt) {
    for name in ["min", "max"] {
        let r = rt.clone();
        engine.register_fn(format!("py_{name}"), move |ctx: NativeCallContext, source: Dynamic| {
            extreme(&r, &ctx, name, source)
        });
    }
    let r = rt.clone();
    engine.register_fn("py_any", move |ctx: NativeCallContext, s: Dynamic| quantify(&r, &ctx, true, s));
    let r = rt.clone();
    engine.register_fn("py_all", move |ctx: NativeCallContext, s: Dynamic| quantify(&r, &ctx, false, s));
    let r = rt.clone();
    engine.register_fn("py_sorted", move |ctx: NativeCallContext, s: Dynamic| sorted(&r, &ctx, s));
    let r = rt.clone();
    engine.register_fn("py_abs", move |ctx: NativeCallContext, x: Dynamic| abs(&r, &ctx, x));
}
