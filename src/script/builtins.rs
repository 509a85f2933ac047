//! Python's builtins over the heap: constructors, containers, attributes, classes, `len`, `id`, `type`.

use super::args::{RResult, obj_arg, to_script, with_objs};
use super::handle::PyObj;
use super::runtime::{Rt, Runtime, to_rhai};
use crate::heap::{ClassSpec, Heap, Kind, ObjId, Value};
use rhai::{Array, Dynamic, Engine, FnPtr, INT, Map, NativeCallContext};

/// Run `f` on the heap, then any finalizer or callback it made due, and wrap the new reference it returns.
pub(crate) fn make(rt: &Rt, ctx: &NativeCallContext, f: impl FnOnce(&mut Heap) -> RResult<ObjId>) -> RResult<PyObj> {
    rt.flush();
    let id = f(&mut at_site(rt, ctx))?;
    let obj = PyObj::owned(rt, id);
    Runtime::run_calls(rt, ctx)?;
    Ok(obj)
}

/// Run `f` on the heap for its effect, then the calls it made due.
pub(crate) fn act<T>(rt: &Rt, ctx: &NativeCallContext, f: impl FnOnce(&mut Heap) -> RResult<T>) -> RResult<T> {
    rt.flush();
    let r = f(&mut at_site(rt, ctx))?;
    Runtime::run_calls(rt, ctx)?;
    Ok(r)
}

/// The heap, with allocations attributed to the script line of the call (tracemalloc's traceback).
fn at_site<'a>(rt: &'a Rt, ctx: &NativeCallContext) -> std::cell::RefMut<'a, Heap> {
    let mut heap = rt.heap.borrow_mut();
    heap.set_site(ctx.call_position().line().unwrap_or(0) as u32);
    heap
}

/// Register the builtins on `engine`.
pub fn register(engine: &mut Engine, rt: &Rt) {
    engine.register_type_with_name::<PyObj>("PyObject");
    register_constructors(engine, rt);
    register_containers(engine, rt);
    register_attributes(engine, rt);
    register_introspection(engine, rt);
    register_arithmetic(engine, rt);
}

fn register_constructors(engine: &mut Engine, rt: &Rt) {
    let r = rt.clone();
    engine.register_fn("int", move |ctx: NativeCallContext, v: INT| {
        make(&r, &ctx, |h| h.new_int_from_long(i128::from(v)).map_err(to_rhai))
    });
    let r = rt.clone();
    engine.register_fn("float", move |ctx: NativeCallContext, v: f64| {
        make(&r, &ctx, |h| h.new_float(v).map_err(to_rhai))
    });
    let r = rt.clone();
    engine.register_fn("str", move |ctx: NativeCallContext, v: &str| make(&r, &ctx, |h| h.new_str(v).map_err(to_rhai)));
    let r = rt.clone();
    engine.register_fn("bytes", move |ctx: NativeCallContext, n: INT| -> RResult<PyObj> {
        let n = u64::try_from(n).map_err(|_| "ValueError: negative count")?;
        make(&r, &ctx, |h| h.new_bytes(n).map_err(to_rhai))
    });
    // The empty constructors: `object()`, `list()`, `dict()`, `set()`.
    type Empty = fn(&mut Heap) -> crate::heap::HeapResult<ObjId>;
    for (name, new) in [
        ("object", Heap::new_object as Empty),
        ("list", Heap::new_list),
        ("dict", Heap::new_dict_call),
        ("set", Heap::new_set),
    ] {
        let r = rt.clone();
        engine.register_fn(name, move |ctx: NativeCallContext| make(&r, &ctx, |h| new(h).map_err(to_rhai)));
    }
    let r = rt.clone();
    engine.register_fn("list", move |ctx: NativeCallContext, items: Array| {
        make(&r, &ctx, |h| with_objs(h, &items, |h, ids| h.new_list_from(ids).map_err(to_rhai)))
    });
    let r = rt.clone();
    engine.register_fn("tuple", move |ctx: NativeCallContext, items: Array| {
        make(&r, &ctx, |h| with_objs(h, &items, |h, ids| h.new_tuple_built(ids).map_err(to_rhai)))
    });
    let r = rt.clone();
    engine.register_fn("range", move |ctx: NativeCallContext, stop: INT| {
        make(&r, &ctx, |h| h.new_range(0, stop, 1).map_err(to_rhai))
    });
    let r = rt.clone();
    engine.register_fn("range", move |ctx: NativeCallContext, start: INT, stop: INT| {
        make(&r, &ctx, |h| h.new_range(start, stop, 1).map_err(to_rhai))
    });
    let r = rt.clone();
    engine.register_fn("class", move |ctx: NativeCallContext, name: &str| {
        make(&r, &ctx, |h| h.new_class(name, ClassSpec::default()).map_err(to_rhai))
    });
    let r = rt.clone();
    engine.register_fn("class", move |ctx: NativeCallContext, name: &str, opts: Map| -> RResult<PyObj> {
        let mut spec = ClassSpec::default();
        let mut del_fn = None;
        for (k, v) in &opts {
            match k.as_str() {
                "slots" => {
                    let names: Vec<String> = v
                        .clone()
                        .into_typed_array::<rhai::ImmutableString>()
                        .map_err(|_| "TypeError: slots must be a list of names")?
                        .iter()
                        .map(|s| s.to_string())
                        .collect();
                    let mut heap = r.heap.borrow_mut();
                    spec.slots = Some(names.iter().map(|n| heap.intern(n)).collect());
                }
                "del" if v.is_fnptr() => {
                    spec.has_del = true;
                    del_fn = Some(v.clone_cast::<FnPtr>());
                }
                "del" => spec.has_del = v.as_bool().map_err(|_| "TypeError: del must be true or a closure")?,
                "legacy_del" => {
                    spec.legacy_del = v.as_bool().map_err(|_| "TypeError: legacy_del must be true or false")?
                }
                other => {
                    return Err(format!("TypeError: unknown class option `{other}` (slots, del, legacy_del)").into());
                }
            }
        }
        let class = make(&r, &ctx, |h| h.new_class(name, spec).map_err(to_rhai))?;
        if let Some(f) = del_fn {
            r.register_finalizer(class.id(), f);
        }
        Ok(class)
    });
    // Instances: Rhai cannot call a value and reserves `new`, so Python's `Node()` is `Node.create()`.
    let r = rt.clone();
    engine.register_fn("create", move |ctx: NativeCallContext, class: &mut PyObj| {
        let c = class.id();
        make(&r, &ctx, |h| h.new_instance(c).map_err(to_rhai))
    });
}

fn register_containers(engine: &mut Engine, rt: &Rt) {
    let r = rt.clone();
    engine.register_fn("append", move |ctx: NativeCallContext, l: &mut PyObj, x: Dynamic| {
        let l = l.id();
        act(&r, &ctx, |h| with_objs(h, &[x], |h, ids| h.list_append(l, ids[0]).map_err(to_rhai)))
    });
    // `l.extend(iterable)`: a Rhai array of values or another list/tuple; items are appended one by one.
    let r = rt.clone();
    engine.register_fn("extend", move |ctx: NativeCallContext, l: &mut PyObj, items: Array| {
        let l = l.id();
        act(&r, &ctx, |h| with_objs(h, &items, |h, ids| h.list_extend(l, ids).map_err(to_rhai)))
    });
    let r = rt.clone();
    engine.register_fn("extend", move |ctx: NativeCallContext, l: &mut PyObj, src: PyObj| {
        let l = l.id();
        act(&r, &ctx, |h| {
            let n = h.seq_len(src.id()).map_err(to_rhai)?;
            let items: Vec<ObjId> =
                (0..n as i64).map(|i| h.seq_get(src.id(), i)).collect::<Result<_, _>>().map_err(to_rhai)?;
            h.list_extend(l, &items).map_err(to_rhai)
        })
    });
    // `d.get(key)` and `d.get(key, default)`.
    let r = rt.clone();
    engine.register_fn("get", move |d: &mut PyObj, key: Dynamic| -> RResult<Dynamic> {
        let found = dict_lookup(&mut r.heap.borrow_mut(), d.id(), &key)?;
        Ok(found.map_or(Dynamic::UNIT, |id| to_script(&r, id)))
    });
    let r = rt.clone();
    engine.register_fn("get", move |d: &mut PyObj, key: Dynamic, default: Dynamic| -> RResult<Dynamic> {
        let found = dict_lookup(&mut r.heap.borrow_mut(), d.id(), &key)?;
        Ok(found.map_or(default, |id| to_script(&r, id)))
    });
    let r = rt.clone();
    engine.register_fn("insert", move |ctx: NativeCallContext, l: &mut PyObj, i: INT, x: Dynamic| {
        let l = l.id();
        act(&r, &ctx, |h| with_objs(h, &[x], |h, ids| h.list_insert(l, i, ids[0]).map_err(to_rhai)))
    });
    let r = rt.clone();
    engine.register_fn("pop", move |ctx: NativeCallContext, l: &mut PyObj| {
        let l = l.id();
        make(&r, &ctx, |h| h.list_pop(l, -1).map_err(to_rhai))
    });
    let r = rt.clone();
    engine.register_fn("pop", move |ctx: NativeCallContext, l: &mut PyObj, i: INT| {
        let l = l.id();
        make(&r, &ctx, |h| h.list_pop(l, i).map_err(to_rhai))
    });
    let r = rt.clone();
    engine.register_fn("clear", move |ctx: NativeCallContext, l: &mut PyObj| {
        let l = l.id();
        act(&r, &ctx, |h| match h.get(l).map_err(to_rhai)?.kind() {
            Kind::List => h.list_clear(l).map_err(to_rhai),
            k => Err(format!("AttributeError: '{}' object has no attribute 'clear'", k.type_name()).into()),
        })
    });
    let r = rt.clone();
    engine.register_fn("add", move |ctx: NativeCallContext, s: &mut PyObj, x: Dynamic| {
        let s = s.id();
        act(&r, &ctx, |h| with_objs(h, &[x], |h, ids| h.set_add(s, ids[0]).map_err(to_rhai)))
    });
    let r = rt.clone();
    engine.register_fn("len", move |o: &mut PyObj| -> RResult<INT> {
        super::python::iter::length(&r, o.id()).map(|n| n as INT)
    });
    let r = rt.clone();
    engine.register_fn("keys", move |o: &mut PyObj| -> RResult<Array> {
        let ids = r.heap.borrow().keys(o.id()).map_err(to_rhai)?;
        Ok(ids.into_iter().map(|id| to_script(&r, id)).collect())
    });
    let r = rt.clone();
    engine.register_indexer_get(move |ctx: NativeCallContext, o: &mut PyObj, i: INT| -> RResult<Dynamic> {
        let id = act(&r, &ctx, |h| h.seq_get(o.id(), i).map_err(to_rhai))?;
        Ok(to_script(&r, id))
    });
    let r = rt.clone();
    engine.register_indexer_set(move |ctx: NativeCallContext, o: &mut PyObj, i: INT, v: Dynamic| {
        let l = o.id();
        act(&r, &ctx, |h| {
            if h.get(l).map_err(to_rhai)?.kind() == Kind::Dict {
                with_objs(h, &[Dynamic::from(i), v], |h, ids| h.dict_set(l, ids[0], ids[1]).map_err(to_rhai))
            } else {
                with_objs(h, &[v], |h, ids| h.list_set(l, i, ids[0]).map_err(to_rhai))
            }
        })
    });
}

/// `obj.name` and `obj.name = value` reach attributes; on a dict, `d["key"]` reaches keys.
fn register_attributes(engine: &mut Engine, rt: &Rt) {
    let r = rt.clone();
    engine.register_indexer_get(move |o: &mut PyObj, name: &str| -> RResult<Dynamic> {
        let weak = r.weak_dict_data(o.id());
        let id = {
            let mut h = r.heap.borrow_mut();
            let obj = weak.unwrap_or(o.id());
            if h.get(obj).map_err(to_rhai)?.kind() == Kind::Dict {
                let found = dict_lookup(&mut h, obj, &Dynamic::from(name.to_string()))?;
                let value = found.ok_or_else(|| format!("KeyError: '{name}'"))?;
                // A WeakValueDictionary stores weakrefs: look through them.
                if weak.is_some() {
                    h.weakref_get(value).map_err(to_rhai)?.ok_or_else(|| format!("KeyError: '{name}'"))?
                } else {
                    value
                }
            } else {
                h.get_attr(obj, name).map_err(to_rhai)?
            }
        };
        Ok(to_script(&r, id))
    });
    let r = rt.clone();
    engine.register_indexer_set(move |ctx: NativeCallContext, o: &mut PyObj, name: &str, v: Dynamic| {
        let obj = o.id();
        if let Some(data) = r.weak_dict_data(obj) {
            return weak_dict_set(&r, &ctx, data, name, v);
        }
        act(&r, &ctx, |h| {
            // Only a dict key is an object; an attribute name is an interned identifier.
            if h.get(obj).map_err(to_rhai)?.kind() == Kind::Dict {
                with_objs(h, &[Dynamic::from(name.to_string()), v], |h, ids| {
                    h.dict_set(obj, ids[0], ids[1]).map_err(to_rhai)
                })
            } else {
                with_objs(h, &[v], |h, ids| h.set_attr(obj, name, ids[0]).map_err(to_rhai))
            }
        })
    });
    let r = rt.clone();
    engine.register_fn("delattr", move |ctx: NativeCallContext, o: &mut PyObj, name: &str| {
        let obj = o.id();
        act(&r, &ctx, |h| h.del_attr(obj, name).map_err(to_rhai))
    });
}

fn register_introspection(engine: &mut Engine, rt: &Rt) {
    let r = rt.clone();
    engine.register_fn("id", move |o: &mut PyObj| -> RResult<INT> {
        Ok(r.heap.borrow().get(o.id()).map_err(to_rhai)?.address() as INT)
    });
    let r = rt.clone();
    engine.register_fn("type", move |o: &mut PyObj| -> RResult<String> {
        r.heap.borrow().type_name(o.id()).map_err(to_rhai)
    });
    // `is` is a Rhai keyword: Python's `a is b` is `is_same(a, b)`.
    engine.register_fn("is_same", |a: &mut PyObj, b: PyObj| a.id() == b.id());
    let r = rt.clone();
    engine.register_fn("value", move |o: &mut PyObj| -> RResult<Dynamic> {
        let h = r.heap.borrow();
        Ok(match h.value(o.id()).map_err(to_rhai)? {
            Some(Value::Int(v)) => Dynamic::from(*v as INT),
            Some(Value::Float(f)) => Dynamic::from(*f),
            Some(Value::Str(s)) => Dynamic::from(s.to_string()),
            _ => return Err("TypeError: only int, float and str objects have a plain value".into()),
        })
    });
}

/// `d.get(key)`: the value for a key given as a handle or a plain Rhai value (borrowed id).
pub(crate) fn dict_lookup(h: &mut Heap, dict: ObjId, key: &Dynamic) -> RResult<Option<ObjId>> {
    let k = obj_arg(h, key)?;
    let found = h.dict_get(dict, k.id).map_err(to_rhai);
    k.done(h);
    found
}

/// `wvd[key] = value`: the dict stores a weakref whose callback removes the entry (`KeyedRef`).
pub(crate) fn weak_dict_set(rt: &Rt, ctx: &NativeCallContext, dict: ObjId, key: &str, v: Dynamic) -> RResult<()> {
    act(rt, ctx, |h| {
        with_objs(h, &[Dynamic::from(key.to_string()), v], |h, ids| {
            let cb = h.new_function(&[]).map_err(to_rhai)?;
            rt.register_native(cb, super::runtime::Callable::RemoveKey { dict, key: ids[0] });
            let w = h.new_weakref(ids[1], Some(cb)).map_err(to_rhai);
            h.dec_root(cb).map_err(to_rhai)?;
            let w = w?;
            let r = h.dict_set(dict, ids[0], w).map_err(to_rhai);
            h.dec_root(w).map_err(to_rhai)?;
            r
        })
    })
}

/// `a <op> b` on numbers: Python's arithmetic (a new object, small ints from the cache; ZeroDivisionError,
/// OverflowError past the simulated 128 bits), shared with the Python front end.
fn arith(rt: &Rt, ctx: &NativeCallContext, op: &str, a: &Dynamic, b: &Dynamic) -> RResult<PyObj> {
    let v = super::python::ops::binary(rt, ctx, op, a, b, false)?;
    v.read_lock::<PyObj>().map(|p| p.clone()).ok_or_else(|| "TypeError: arithmetic gave no object".into())
}

/// `+ - * / %` between number objects and plain numbers.
pub fn register_arithmetic(engine: &mut Engine, rt: &Rt) {
    for op in ["+", "-", "*", "/", "%"] {
        let r = rt.clone();
        engine.register_fn(op, move |ctx: NativeCallContext, a: PyObj, b: PyObj| {
            arith(&r, &ctx, op, &Dynamic::from(a), &Dynamic::from(b))
        });
        let r = rt.clone();
        engine.register_fn(op, move |ctx: NativeCallContext, a: PyObj, b: INT| {
            arith(&r, &ctx, op, &Dynamic::from(a), &b.into())
        });
        let r = rt.clone();
        engine.register_fn(op, move |ctx: NativeCallContext, a: INT, b: PyObj| {
            arith(&r, &ctx, op, &a.into(), &Dynamic::from(b))
        });
    }
}
