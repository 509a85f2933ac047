//! Iteration: list comprehensions (`list_of`), generator expressions (`gen`) that are real generator objects
//! producing one value at a time, `next`, `sum` and `items`.
//!
//! `[f(i) for i in range(n)]` is `list_of(range(n), |i| f(i))`; `(f(i) for i in range(n))` is
//! `gen(range(n), |i| f(i))`.

use super::args::{RResult, obj_arg, to_script};
use super::builtins::act;
use super::handle::PyObj;
use super::runtime::{Rt, Runtime, to_rhai};
use crate::heap::{Heap, Kind, ObjId, Value};
use rhai::{Array, Dynamic, Engine, FnPtr, NativeCallContext};
use rustc_hash::FxHashMap;
use std::cell::RefCell;
use std::rc::Rc;

/// Where a generator is in its iterable, and what it computes.
pub(crate) struct GenState {
    source: ObjId,
    pos: i64,
    f: Option<FnPtr>,
}

/// The generators alive, by heap object.
pub(crate) type Generators = Rc<RefCell<FxHashMap<ObjId, GenState>>>;

/// The `pos`-th item of a range, list or tuple, as a new reference; `None` past the end.
fn item(heap: &mut Heap, source: ObjId, pos: i64) -> RResult<Option<ObjId>> {
    match heap.get(source).map_err(to_rhai)?.kind() {
        Kind::Range => {
            let Ok(Some(&Value::Range(start, stop, step))) = heap.value(source) else {
                return Err("TypeError: bad range".into());
            };
            let v = start + pos * step;
            if (step > 0 && v >= stop) || (step < 0 && v <= stop) {
                return Ok(None);
            }
            Ok(Some(heap.new_int_from_long(i128::from(v)).map_err(to_rhai)?))
        }
        Kind::List | Kind::Tuple => {
            if pos as usize >= heap.seq_len(source).map_err(to_rhai)? {
                return Ok(None);
            }
            let id = heap.seq_get(source, pos).map_err(to_rhai)?;
            heap.inc_root(id).map_err(to_rhai)?;
            Ok(Some(id))
        }
        k => Err(format!("TypeError: '{}' object is not iterable", k.type_name()).into()),
    }
}

/// Apply `f` (if any) to the item, returning the object the script gets.
fn apply(rt: &Rt, ctx: &NativeCallContext, f: &Option<FnPtr>, id: ObjId) -> RResult<Dynamic> {
    let x = Dynamic::from(PyObj::owned(rt, id));
    Runtime::run_calls(rt, ctx)?;
    match f {
        Some(f) => f.call_within_context::<Dynamic>(ctx, (x,)),
        None => Ok(x),
    }
}

/// Register the iteration builtins.
pub fn register(engine: &mut Engine, rt: &Rt) {
    let gens: Generators = rt.gens.clone();
    let r = rt.clone();
    engine.register_fn("list_of", move |ctx: NativeCallContext, src: PyObj, f: FnPtr| -> RResult<PyObj> {
        let list = act(&r, &ctx, |h| h.new_list().map_err(to_rhai))?;
        let list = PyObj::owned(&r, list);
        for pos in 0.. {
            let Some(id) = act(&r, &ctx, |h| item(h, src.id(), pos))? else { break };
            let v = apply(&r, &ctx, &Some(f.clone()), id)?;
            act(&r, &ctx, |h| {
                let a = obj_arg(h, &v)?;
                let res = h.list_append(list.id(), a.id).map_err(to_rhai);
                a.done(h);
                res
            })?;
        }
        Ok(list)
    });
    let (r, g) = (rt.clone(), gens.clone());
    engine.register_fn("gen", move |ctx: NativeCallContext, src: PyObj, f: FnPtr| -> RResult<PyObj> {
        let id = act(&r, &ctx, |h| h.new_generator(&[src.id()]).map_err(to_rhai))?;
        let mut gens = g.borrow_mut();
        gens.retain(|gid, _| r.heap.borrow().get(*gid).is_ok());
        gens.insert(id, GenState { source: src.id(), pos: 0, f: Some(f) });
        Ok(PyObj::owned(&r, id))
    });
    let r = rt.clone();
    let next = move |ctx: &NativeCallContext, it: &PyObj| generator_next(&r, ctx, it.id());
    let n = next.clone();
    engine.register_fn("next", move |ctx: NativeCallContext, it: PyObj| -> RResult<Dynamic> {
        n(&ctx, &it)?.ok_or_else(|| "StopIteration".into())
    });
    let n = next.clone();
    engine.register_fn("next", move |ctx: NativeCallContext, it: PyObj, default: Dynamic| -> RResult<Dynamic> {
        Ok(n(&ctx, &it)?.unwrap_or(default))
    });
    let (r, g) = (rt.clone(), gens.clone());
    engine.register_fn("sum", move |ctx: NativeCallContext, src: PyObj| -> RResult<Dynamic> {
        let is_gen = g.borrow().contains_key(&src.id());
        // bltinmodule.c's builtin_sum_impl adds ints in C until the result is made, so no int is made per item.
        let mut total: i128 = 0;
        for pos in 0.. {
            let v = if is_gen {
                match next(&ctx, &src)? {
                    Some(v) => v,
                    None => break,
                }
            } else {
                match act(&r, &ctx, |h| item(h, src.id(), pos))? {
                    Some(id) => Dynamic::from(PyObj::owned(&r, id)),
                    None => break,
                }
            };
            total = total.checked_add(plain_int(&r, &v)?).ok_or("sum() beyond 128 bits is not simulated")?;
        }
        // `sum()` makes its result with `PyLong_FromLong` on 3.11, `PyLong_FromSsize_t` from 3.12.
        let from_long = r.heap.borrow().profile().version == crate::heap::PyVersion::V3_11;
        let id =
            act(&r, &ctx, |h| if from_long { h.new_int_from_long(total) } else { h.new_int(total) }.map_err(to_rhai))?;
        Ok(Dynamic::from(PyObj::owned(&r, id)))
    });
    let r = rt.clone();
    engine.register_fn("items", move |ctx: NativeCallContext, src: PyObj| -> RResult<Array> {
        let mut out = Array::new();
        for pos in 0.. {
            let Some(id) = act(&r, &ctx, |h| item(h, src.id(), pos))? else { break };
            out.push(to_script(&r, id));
            r.release(id);
        }
        Ok(out)
    });
}

/// The next value of generator `id`, or `None` once it is exhausted.
pub(crate) fn generator_next(rt: &Rt, ctx: &NativeCallContext, id: ObjId) -> RResult<Option<Dynamic>> {
    let (source, pos, f) = {
        let mut gens = rt.gens.borrow_mut();
        let st = gens.get_mut(&id).ok_or("TypeError: object is not an iterator")?;
        st.pos += 1;
        (st.source, st.pos - 1, st.f.clone())
    };
    // The generator's frame keeps its iterable alive through an edge; it may be gone once exhausted.
    let Some(item) = act(rt, ctx, |h| if h.get(source).is_ok() { item(h, source, pos) } else { Ok(None) })? else {
        return Ok(None);
    };
    apply(rt, ctx, &f, item).map(Some)
}

/// The integer value of a script value (a Rhai int or an int object).
fn plain_int(rt: &Rt, v: &Dynamic) -> RResult<i128> {
    if let Ok(i) = v.as_int() {
        return Ok(i128::from(i));
    }
    // A bool is an int (`sum(x > 2 for x in xs)` counts).
    if let Ok(b) = v.as_bool() {
        return Ok(i128::from(b));
    }
    let id = v.read_lock::<PyObj>().map(|p| p.id()).ok_or("TypeError: unsupported operand type for sum()")?;
    match rt.heap.borrow().value(id).map_err(to_rhai)? {
        Some(Value::Int(i)) => Ok(*i),
        Some(Value::Float(_)) => Err("sum() of floats is not simulated yet".into()),
        _ => Err("TypeError: unsupported operand type(s) for +: 'int' and a non-int".into()),
    }
}
