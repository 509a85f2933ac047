//! Iteration as CPython does it: `iter()` makes an iterator that holds its list, tuple or dict (a range's
//! iterator copies the bounds and lets the range go); `for` takes one item at a time. Also the containers'
//! constructors from iterables and their methods.

use super::super::args::{RResult, obj_arg, to_script, with_objs};
use super::super::builtins::{act, make};
use super::super::handle::PyObj;
use super::super::runtime::Rt;
use super::ops::{items, str_of};
use super::{heap, int_arg, obj, owned, type_name};
use crate::heap::{Heap, Kind, ObjId, PyVersion, Value};
use rhai::{Array, Dynamic, Engine, INT, NativeCallContext};

/// A Python iterator in a script variable.
#[derive(Clone)]
pub enum PyIter {
    /// `range_iterator`: its object (held as long as the loop runs), and the bounds it copied.
    Range { _it: PyObj, next: i64, stop: i64, step: i64 },
    /// `list_iterator`, `tuple_iterator`, `str_iterator`, a dict's or set's key iterator: its object, which
    /// holds the container until exhausted (`source` is borrowed through it).
    Items { it: PyObj, source: ObjId, keys: Option<Vec<ObjId>>, pos: usize, done: bool },
    /// A generator is its own iterator.
    Generator(PyObj),
    /// A list heapscope keeps outside the heap (tracemalloc statistics).
    Array(Array, usize),
}

/// The end of iteration.
#[derive(Clone, Copy)]
pub struct Stop;

pub(crate) fn iter(rt: &Rt, v: Dynamic) -> RResult<PyIter> {
    if v.is::<PyIter>() {
        return Ok(v.cast::<PyIter>());
    }
    if v.is_array() {
        return Ok(PyIter::Array(v.cast::<Array>(), 0));
    }
    let Some(id) = obj(&v) else {
        return Err(format!("TypeError: '{}' object is not iterable", type_name(&rt.heap.borrow(), &v)).into());
    };
    let id = rt.weak_dict_data(id).unwrap_or(id);
    let (kind, bounds, keys) = {
        let h = rt.heap.borrow();
        let kind = heap(h.get(id))?.kind();
        let bounds = match h.value(id) {
            Ok(Some(&Value::Range(start, stop, step))) => Some((start, stop, step)),
            _ => None,
        };
        let keys = matches!(kind, Kind::Dict | Kind::Set | Kind::FrozenSet).then(|| h.keys(id)).transpose();
        (kind, bounds, heap(keys)?)
    };
    if kind == Kind::Generator {
        return Ok(PyIter::Generator(v.cast::<PyObj>()));
    }
    if !matches!(kind, Kind::Range | Kind::List | Kind::Tuple | Kind::Str | Kind::Dict | Kind::Set | Kind::FrozenSet) {
        return Err(format!("TypeError: '{}' object is not iterable", kind.type_name()).into());
    }
    // `GET_ITER`: the iterator is an object of its own (a `for` loop's, on the frame's stack).
    let it = heap(rt.heap.borrow_mut().new_iterator(id))?;
    let it = PyObj::owned(rt, it);
    Ok(match bounds {
        Some((start, stop, step)) => PyIter::Range { _it: it, next: start, stop, step },
        None => PyIter::Items { it, source: id, keys, pos: 0, done: false },
    })
}

pub(crate) fn next(rt: &Rt, ctx: &NativeCallContext, it: &mut PyIter) -> RResult<Dynamic> {
    let stop = Dynamic::from(Stop);
    match it {
        PyIter::Range { next, stop: end, step, .. } => {
            if (*step > 0 && *next >= *end) || (*step < 0 && *next <= *end) {
                return Ok(stop);
            }
            let v = *next;
            *next += *step;
            let id = act(rt, ctx, |h| heap(h.new_int_from_long(i128::from(v))))?;
            Ok(owned(rt, &mut rt.heap.borrow_mut(), id))
        }
        PyIter::Items { it, source, keys, pos, done } => {
            if *done {
                return Ok(stop);
            }
            let h = rt.heap.borrow();
            let source = *source;
            let id = match keys {
                Some(k) => k.get(*pos).copied(),
                None if h.get(source).is_ok_and(|o| o.kind() == Kind::Str) => {
                    let c = match h.value(source) {
                        Ok(Some(Value::Str(s))) => s.chars().nth(*pos),
                        _ => None,
                    };
                    drop(h);
                    *pos += 1;
                    return match c {
                        Some(c) => Ok(Dynamic::from(make(rt, ctx, |h| heap(h.new_str(&c.to_string())))?)),
                        None => exhausted(rt, ctx, it, done),
                    };
                }
                None => item_at(&h, source, None, *pos),
            };
            drop(h);
            *pos += 1;
            match id {
                Some(id) => Ok(to_script(rt, id)),
                None => exhausted(rt, ctx, it, done),
            }
        }
        PyIter::Generator(g) => Ok(super::super::iteration::generator_next(rt, ctx, g.id())?.unwrap_or(stop)),
        PyIter::Array(a, pos) => {
            *pos += 1;
            Ok(a.get(*pos - 1).cloned().unwrap_or(stop))
        }
    }
}

/// Every item of an iterable, as new references.
pub(crate) fn collect(rt: &Rt, ctx: &NativeCallContext, v: Dynamic) -> RResult<Vec<Dynamic>> {
    let mut it = iter(rt, v)?;
    let mut out = Vec::new();
    loop {
        let x = next(rt, ctx, &mut it)?;
        if x.is::<Stop>() {
            return Ok(out);
        }
        out.push(x);
    }
}

/// `list.append` and friends, `dict.get` and friends, `set.add`, `str.join`, tracemalloc's snapshots.
pub(crate) fn builtin_method(
    rt: &Rt,
    ctx: &NativeCallContext,
    o: Dynamic,
    name: &str,
    args: Array,
) -> RResult<Dynamic> {
    if let Some(snap) = o.read_lock::<crate::script::tracemalloc::Snapshot>() {
        let h = rt.heap.borrow();
        let text = |v: &Dynamic| str_of(&h, v);
        return match (name, &args[..]) {
            ("statistics", [key]) => {
                Ok(Dynamic::from_array(snap.statistics(&text(key))?.into_iter().map(Dynamic::from).collect()))
            }
            ("compare_to", [old, key]) => {
                let old = old
                    .read_lock::<crate::script::tracemalloc::Snapshot>()
                    .ok_or("TypeError: compare_to() needs a Snapshot")?;
                Ok(Dynamic::from_array(snap.compare_to(&old, &text(key))?.into_iter().map(Dynamic::from).collect()))
            }
            _ => Err(format!(
                "AttributeError: 'Snapshot' object has no attribute '{name}' (simulated: statistics, compare_to)"
            )
            .into()),
        };
    }
    let id = obj(&o).ok_or_else(|| {
        format!("AttributeError: '{}' object has no attribute '{name}'", type_name(&rt.heap.borrow(), &o))
    })?;
    let target = rt.weak_dict_data(id).unwrap_or(id);
    let kind = heap(rt.heap.borrow().get(target))?.kind();
    let unit = |r: RResult<()>| r.map(|()| Dynamic::UNIT);
    let none_or = |found: Option<ObjId>, default: Dynamic| found.map_or(default, |v| to_script(rt, v));
    match (kind, name, &args[..]) {
        (Kind::List, "append", [x]) => {
            unit(act(rt, ctx, |h| with_objs(h, std::slice::from_ref(x), |h, ids| heap(h.list_append(target, ids[0])))))
        }
        (Kind::List, "extend", [src]) => {
            let values = collect(rt, ctx, src.clone())?;
            unit(act(rt, ctx, |h| with_objs(h, &values, |h, ids| heap(h.list_extend(target, ids)))))
        }
        (Kind::List, "insert", [i, x]) => {
            let i = int_arg(&rt.heap.borrow(), i)?;
            unit(act(rt, ctx, |h| {
                with_objs(h, std::slice::from_ref(x), |h, ids| heap(h.list_insert(target, i, ids[0])))
            }))
        }
        (Kind::List, "pop", []) | (Kind::List, "pop", [_]) => {
            let i = args.first().map_or(Ok(-1), |i| int_arg(&rt.heap.borrow(), i))?;
            if heap(rt.heap.borrow().seq_len(target))? == 0 {
                return Err("IndexError: pop from empty list".into());
            }
            let id = act(rt, ctx, |h| heap(h.list_pop(target, i)))?;
            Ok(owned(rt, &mut rt.heap.borrow_mut(), id))
        }
        (Kind::List, "remove", [x]) => {
            let at = {
                let mut h = rt.heap.borrow_mut();
                let k = obj_arg(&mut h, x)?;
                let at = items(&h, target)?.into_iter().position(|i| h.py_eq(i, k.id));
                k.done(&mut h);
                at.ok_or("ValueError: list.remove(x): x not in list")?
            };
            unit(act(rt, ctx, |h| heap(h.list_del(target, at as i64))))
        }
        (Kind::List, "clear", []) => unit(act(rt, ctx, |h| heap(h.list_clear(target)))),
        (Kind::Dict, "get", [k]) | (Kind::Dict, "get", [k, _]) => {
            let found = super::super::builtins::dict_lookup(&mut rt.heap.borrow_mut(), target, k)?;
            let weak = rt.weak_dict_data(id).is_some();
            let found = if weak { found.and_then(|w| rt.heap.borrow().weakref_get(w).ok().flatten()) } else { found };
            Ok(none_or(found, args.get(1).cloned().unwrap_or(Dynamic::UNIT)))
        }
        (Kind::Dict, "setdefault", [k, d]) => {
            let found = super::super::builtins::dict_lookup(&mut rt.heap.borrow_mut(), target, k)?;
            if let Some(v) = found {
                return Ok(to_script(rt, v));
            }
            act(rt, ctx, |h| with_objs(h, &[k.clone(), d.clone()], |h, ids| heap(h.dict_set(target, ids[0], ids[1]))))?;
            Ok(d.clone())
        }
        (Kind::Dict, "pop", [k]) => {
            let found = super::super::builtins::dict_lookup(&mut rt.heap.borrow_mut(), target, k)?
                .ok_or_else(|| format!("KeyError: {}", super::text::repr(&rt.heap.borrow(), k)))?;
            let v = to_script(rt, found);
            act(rt, ctx, |h| with_objs(h, std::slice::from_ref(k), |h, ids| heap(h.dict_del(target, ids[0]))))?;
            Ok(v)
        }
        (Kind::Dict, "clear", []) => {
            let keys = heap(rt.heap.borrow().keys(target))?;
            unit(act(rt, ctx, |h| keys.iter().try_for_each(|&k| heap(h.dict_del(target, k)))))
        }
        (Kind::Set, "add", [x]) => {
            unit(act(rt, ctx, |h| with_objs(h, std::slice::from_ref(x), |h, ids| heap(h.set_add(target, ids[0])))))
        }
        (Kind::Set, "discard", [x]) => unit(act(rt, ctx, |h| {
            with_objs(h, std::slice::from_ref(x), |h, ids| heap(h.set_discard(target, ids[0])).map(|_| ()))
        })),
        (Kind::Str, "join", [src]) => {
            let parts = collect(rt, ctx, src.clone())?;
            let sep = str_of(&rt.heap.borrow(), &o);
            let text = parts.iter().map(|p| str_of(&rt.heap.borrow(), p)).collect::<Vec<_>>().join(&sep);
            Ok(Dynamic::from(make(rt, ctx, |h| heap(h.new_str(&text)))?))
        }
        (Kind::Str, "upper" | "lower" | "strip", []) => {
            let s = str_of(&rt.heap.borrow(), &o);
            let t = match name {
                "upper" => s.to_uppercase(),
                "lower" => s.to_lowercase(),
                _ => s.trim().to_string(),
            };
            Ok(Dynamic::from(make(rt, ctx, |h| heap(h.new_str(&t)))?))
        }
        (Kind::Str, "startswith" | "endswith", [x]) => {
            let h = rt.heap.borrow();
            if super::type_name(&h, x) != "str" {
                return Err(format!("TypeError: str.{name}() of a non-str is not simulated").into());
            }
            let (s, affix) = (str_of(&h, &o), str_of(&h, x));
            Ok(Dynamic::from(if name == "startswith" { s.starts_with(&affix) } else { s.ends_with(&affix) }))
        }
        (Kind::Dict, "keys" | "values" | "items", []) => {
            Err(format!("TypeError: dict.{name}() views are not simulated yet: iterate over the dict itself").into())
        }
        (k, _, _) => Err(format!(
            "AttributeError: '{}' object has no attribute '{name}' (or this call of it is not simulated)",
            k.type_name()
        )
        .into()),
    }
}

/// Register iteration and the constructors from iterables.
pub fn register(engine: &mut Engine, rt: &Rt) {
    engine.register_type_with_name::<PyIter>("iterator");
    engine.register_type_with_name::<Stop>("StopIteration");
    let r = rt.clone();
    engine.register_fn("py_iter", move |v: Dynamic| iter(&r, v));
    let r = rt.clone();
    engine.register_fn("py_next", move |ctx: NativeCallContext, it: &mut PyIter| next(&r, &ctx, it));
    engine.register_fn("py_stop", |v: &mut Dynamic| v.is::<Stop>());
    engine.register_fn("py_take", |v: &mut Dynamic| std::mem::take(v));
    // An expression statement's value, released as the statement ends (Rhai would keep it until the next
    // statement ends), with the finalizers that makes due.
    let r = rt.clone();
    engine.register_fn("py_drop", move |ctx: NativeCallContext, v: Dynamic| {
        drop(v);
        crate::script::runtime::Runtime::run_calls(&r, &ctx)
    });
    let r = rt.clone();
    engine.register_fn("py_builtin_next", move |ctx: NativeCallContext, it: Dynamic| -> RResult<Dynamic> {
        let x = builtin_next(&r, &ctx, it)?;
        if x.is::<Stop>() { Err("StopIteration".into()) } else { Ok(x) }
    });
    let r = rt.clone();
    engine.register_fn(
        "py_builtin_next",
        move |ctx: NativeCallContext, it: Dynamic, default: Dynamic| -> RResult<Dynamic> {
            let x = builtin_next(&r, &ctx, it)?;
            Ok(if x.is::<Stop>() { default } else { x })
        },
    );
    let r = rt.clone();
    engine.register_fn("py_list", move |ctx: NativeCallContext, v: Dynamic| {
        let values = collect(&r, &ctx, v)?;
        make(&r, &ctx, |h| with_objs(h, &values, |h, ids| heap(h.new_list_from(ids))))
    });
    let r = rt.clone();
    engine.register_fn("py_tuple", move |ctx: NativeCallContext, v: Dynamic| {
        let values = collect(&r, &ctx, v)?;
        make(&r, &ctx, |h| with_objs(h, &values, |h, ids| heap(h.new_tuple_built(ids))))
    });
    let r = rt.clone();
    engine.register_fn("py_set", move |ctx: NativeCallContext, v: Dynamic| -> RResult<PyObj> {
        let values = collect(&r, &ctx, v)?;
        set_of(&r, &ctx, values)
    });
    let r = rt.clone();
    engine.register_fn("py_set_of", move |ctx: NativeCallContext, values: Array| set_of(&r, &ctx, values));
    let r = rt.clone();
    engine.register_fn("py_dict_of", move |ctx: NativeCallContext, kv: Array| -> RResult<PyObj> {
        let d = make(&r, &ctx, |h| heap(h.new_dict()))?;
        for pair in kv.chunks(2) {
            act(&r, &ctx, |h| with_objs(h, pair, |h, ids| heap(h.dict_set(d.id(), ids[0], ids[1]))))?;
        }
        Ok(d)
    });
    let r = rt.clone();
    engine.register_fn("py_build_list", move |ctx: NativeCallContext, items: Array| -> RResult<PyObj> {
        make(&r, &ctx, |h| with_objs(h, &items, |h, ids| heap(h.new_list_built(ids))))
    });
    let r = rt.clone();
    engine.register_fn("py_list_display", move |ctx: NativeCallContext, t: PyObj| -> RResult<PyObj> {
        let ids = items(&r.heap.borrow(), t.id())?;
        // 3.8 builds the list from the stack (BUILD_LIST n); from 3.9 it extends an empty list.
        if r.heap.borrow().profile().version == PyVersion::V3_8 {
            return make(&r, &ctx, |h| heap(h.new_list_from(&ids)));
        }
        let l = make(&r, &ctx, |h| heap(h.new_list()))?;
        act(&r, &ctx, |h| heap(h.list_extend(l.id(), &ids)))?;
        Ok(l)
    });
    let r = rt.clone();
    engine.register_fn("py_append", move |ctx: NativeCallContext, l: &mut PyObj, x: Dynamic| {
        let l = l.id();
        act(&r, &ctx, |h| with_objs(h, &[x], |h, ids| heap(h.list_append(l, ids[0]))))
    });
    let r = rt.clone();
    engine.register_fn("py_range", move |ctx: NativeCallContext, a: Dynamic, b: Dynamic, c: Dynamic| {
        let (a, b, c) = {
            let h = r.heap.borrow();
            (int_arg(&h, &a)?, int_arg(&h, &b)?, int_arg(&h, &c)?)
        };
        make(&r, &ctx, |h| heap(h.new_range(a, b, c)))
    });
    let r = rt.clone();
    engine.register_fn("py_gen_source", move |v: Dynamic| -> RResult<PyObj> {
        v.try_cast::<PyObj>()
            .filter(|p| {
                r.heap.borrow().get(p.id()).is_ok_and(|o| matches!(o.kind(), Kind::Range | Kind::List | Kind::Tuple))
            })
            .ok_or_else(|| {
                "TypeError: a generator expression over this iterable is not simulated yet (range, list or tuple)"
                    .into()
            })
    });
    // Through 3.11 a comprehension is a function called with a frame of its own (inlined by PEP 709).
    let r = rt.clone();
    engine.register_fn("py_comprehension_frame", move |ctx: NativeCallContext| -> RResult<Dynamic> {
        if r.heap.borrow().profile().version >= PyVersion::V3_12 {
            return Ok(Dynamic::UNIT);
        }
        Ok(Dynamic::from(make(&r, &ctx, |h| heap(h.new_function(&[])))?))
    });
    let r = rt.clone();
    engine.register_fn("py_len", move |ctx: NativeCallContext, v: Dynamic| -> RResult<Dynamic> {
        if let Some(a) = v.read_lock::<Array>() {
            let n = a.len() as INT;
            return Ok(Dynamic::from(make(&r, &ctx, |h| heap(h.new_int(i128::from(n))))?));
        }
        let id = obj(&v)
            .ok_or_else(|| format!("TypeError: object of type '{}' has no len()", type_name(&r.heap.borrow(), &v)))?;
        let n = length(&r, id)?;
        let id = act(&r, &ctx, |h| heap(h.new_int(n)))?;
        Ok(owned(&r, &mut r.heap.borrow_mut(), id))
    });
}

/// `len(x)` of an object (a `WeakValueDictionary` counts its live entries).
pub(crate) fn length(rt: &Rt, id: ObjId) -> RResult<i128> {
    let id = rt.weak_dict_data(id).unwrap_or(id);
    let h = rt.heap.borrow();
    Ok(match (heap(h.get(id))?.kind(), h.value(id)) {
        (Kind::Dict | Kind::Set | Kind::FrozenSet, _) => heap(h.keys(id))?.len() as i128,
        (Kind::List | Kind::Tuple, _) => heap(h.seq_len(id))? as i128,
        (_, Ok(Some(Value::Str(s)))) => s.chars().count() as i128,
        (_, Ok(Some(Value::Bytes(n)))) => i128::from(*n),
        (_, Ok(Some(Value::Range(a, b, s)))) => (((b - a) + s - s.signum()) / s).max(0) as i128,
        (k, _) => return Err(format!("TypeError: object of type '{}' has no len()", k.type_name()).into()),
    })
}

/// The item an iterator at `pos` yields: a dict's or set's `keys` (taken when it started), else the list's
/// or tuple's item there now (a list that grows while it is iterated yields its new items).
pub(crate) fn item_at(h: &Heap, source: ObjId, keys: Option<&[ObjId]>, pos: usize) -> Option<ObjId> {
    match keys {
        Some(k) => k.get(pos).copied(),
        None => (pos < h.seq_len(source).ok()?).then(|| h.seq_get(source, pos as i64).ok()).flatten(),
    }
}

/// The iterator ran out: it lets go of its container at once (`listiter_next` sets `it_seq = NULL`).
fn exhausted(rt: &Rt, ctx: &NativeCallContext, it: &PyObj, done: &mut bool) -> RResult<Dynamic> {
    *done = true;
    let id = it.id();
    act(rt, ctx, |h| heap(h.iterator_exhausted(id)))?;
    Ok(Dynamic::from(Stop))
}

fn builtin_next(rt: &Rt, ctx: &NativeCallContext, it: Dynamic) -> RResult<Dynamic> {
    if let Some(g) = obj(&it).filter(|&g| rt.gens.borrow().contains_key(&g)) {
        return Ok(super::super::iteration::generator_next(rt, ctx, g)?.unwrap_or(Dynamic::from(Stop)));
    }
    if it.is::<PyIter>() {
        return Err("TypeError: next() on an iter() object is not simulated yet: use a for loop".into());
    }
    Err(format!("TypeError: '{}' object is not an iterator", type_name(&rt.heap.borrow(), &it)).into())
}

fn set_of(rt: &Rt, ctx: &NativeCallContext, values: Vec<Dynamic>) -> RResult<PyObj> {
    let s = make(rt, ctx, |h| heap(h.new_set()))?;
    act(rt, ctx, |h| with_objs(h, &values, |h, ids| ids.iter().try_for_each(|&i| heap(h.set_add(s.id(), i)))))?;
    Ok(s)
}
