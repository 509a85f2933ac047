//! Functions, classes and methods: `def` makes a function object whose code is a Rhai closure; a call binds
//! arguments as CPython does (positional, keyword, defaults, `*args`, `**kwargs`); calling a class makes an
//! instance and runs `__init__`; `obj.m()` finds `m` on the class and passes `self` (no bound method is made,
//! as CPython's `LOAD_METHOD` makes none).

use super::super::args::{RResult, to_script, with_objs};
use super::super::builtins::{act, make};
use super::super::handle::PyObj;
use super::super::runtime::Rt;
use super::ops::{items, str_of};
use super::{heap, obj, owned, type_name};
use crate::heap::{ClassSpec, Kind, ObjId, PyVersion};
use rhai::{Array, Dynamic, Engine, FnPtr, INT, Map, NativeCallContext};

/// A Python function's parameters.
#[derive(Clone, Debug)]
pub struct Signature {
    name: String,
    /// Every parameter, `*args` and `**kwargs` last.
    params: Vec<String>,
    /// Defaults of the last positional parameters (the function object holds them).
    defaults: Vec<ObjId>,
    star: bool,
    starstar: bool,
}

impl Signature {
    fn positional(&self) -> usize {
        self.params.len() - usize::from(self.star) - usize::from(self.starstar)
    }
}

fn def(
    rt: &Rt,
    ctx: &NativeCallContext,
    name: &str,
    f: FnPtr,
    params: Array,
    defaults: Array,
    flags: INT,
) -> RResult<PyObj> {
    let func = make(rt, ctx, |h| with_objs(h, &defaults, |h, ids| heap(h.new_function(ids))))?;
    let default_ids = {
        let mut h = rt.heap.borrow_mut();
        let statics = |h: &mut crate::heap::Heap, d: &Dynamic| match d.as_bool() {
            Ok(b) => h.new_bool(b),
            Err(_) => h.none(),
        };
        defaults.iter().map(|d| obj(d).unwrap_or_else(|| statics(&mut h, d))).collect::<Vec<_>>()
    };
    let params = params.into_iter().map(|p| p.to_string()).collect();
    let sig = Signature {
        name: name.to_string(),
        params,
        defaults: default_ids,
        star: flags & 1 != 0,
        starstar: flags & 2 != 0,
    };
    rt.register_callable(func.id(), f);
    let mut sigs = rt.signatures.borrow_mut();
    if sigs.len() > 64 && sigs.len().is_power_of_two() {
        let h = rt.heap.borrow();
        sigs.retain(|id, _| h.get(*id).is_ok_and(|o| o.kind() == Kind::Function));
    }
    sigs.insert(func.id(), sig);
    Ok(func)
}

/// Bind a call's arguments to `sig`'s parameters.
fn bind(rt: &Rt, ctx: &NativeCallContext, sig: &Signature, mut args: Vec<Dynamic>, kw: Map) -> RResult<Vec<Dynamic>> {
    let n = sig.positional();
    let mut bound: Vec<Option<Dynamic>> = vec![None; n];
    let extra: Vec<Dynamic> = if args.len() > n { args.split_off(n) } else { Vec::new() };
    if !extra.is_empty() && !sig.star {
        return Err(format!(
            "TypeError: {}() takes {n} positional argument{} but {} were given",
            sig.name,
            if n == 1 { "" } else { "s" },
            n + extra.len()
        )
        .into());
    }
    for (slot, a) in bound.iter_mut().zip(args) {
        *slot = Some(a);
    }
    let mut rest = Map::new();
    for (k, v) in kw {
        match sig.params[..n].iter().position(|p| p.as_str() == k.as_str()) {
            Some(i) if bound[i].is_some() => {
                return Err(format!("TypeError: {}() got multiple values for argument '{k}'", sig.name).into());
            }
            Some(i) => bound[i] = Some(v),
            None if sig.starstar => {
                rest.insert(k, v);
            }
            None => return Err(format!("TypeError: {}() got an unexpected keyword argument '{k}'", sig.name).into()),
        }
    }
    let first_default = n - sig.defaults.len();
    let mut out = Vec::with_capacity(sig.params.len());
    let mut missing = Vec::new();
    for (i, slot) in bound.into_iter().enumerate() {
        match slot {
            Some(v) => out.push(v),
            None if i >= first_default => out.push(to_script(rt, sig.defaults[i - first_default])),
            None => {
                missing.push(format!("'{}'", sig.params[i]));
                out.push(Dynamic::UNIT);
            }
        }
    }
    if !missing.is_empty() {
        let s = if missing.len() == 1 { "" } else { "s" };
        return Err(format!(
            "TypeError: {}() missing {} required positional argument{s}: {}",
            sig.name,
            missing.len(),
            missing.join(" and ")
        )
        .into());
    }
    if sig.star {
        out.push(Dynamic::from(make(rt, ctx, |h| with_objs(h, &extra, |h, ids| heap(h.new_tuple_built(ids))))?));
    }
    if sig.starstar {
        let d = make(rt, ctx, |h| heap(h.new_dict()))?;
        for (k, v) in rest {
            act(rt, ctx, |h| {
                with_objs(h, &[Dynamic::from(k.to_string()), v], |h, ids| heap(h.dict_set(d.id(), ids[0], ids[1])))
            })?;
        }
        out.push(Dynamic::from(d));
    }
    Ok(out)
}

/// Call the Python function `f` with `args` (the caller's stack) and keywords.
pub(super) fn call_function(
    rt: &Rt,
    ctx: &NativeCallContext,
    f: ObjId,
    args: Vec<Dynamic>,
    kw: Map,
) -> RResult<Dynamic> {
    // Through 3.10 the arguments stay on the caller's stack while the callee's frame holds its own
    // references (`_PyEval_EvalCode` copies them into fastlocals); from 3.11 the frame takes them over.
    let stacked = rt.heap.borrow().profile().version < PyVersion::V3_11;
    invoke(rt, ctx, f, args, kw, stacked)
}

/// Run the Python function `f`; `stacked`: the caller keeps its own reference to each argument meanwhile.
pub(super) fn invoke(
    rt: &Rt,
    ctx: &NativeCallContext,
    f: ObjId,
    args: Vec<Dynamic>,
    kw: Map,
    stacked: bool,
) -> RResult<Dynamic> {
    let sig = rt.signatures.borrow().get(&f).cloned().ok_or("TypeError: object is not callable")?;
    let code = rt.callable(f).ok_or("TypeError: object is not callable")?;
    let held: Vec<Dynamic> = if stacked { args.clone() } else { Vec::new() };
    let bound = bind(rt, ctx, &sig, args, kw)?;
    let result = code.call_within_context::<Dynamic>(ctx, bound);
    drop(held);
    result
}

/// The value of a name that has none.
#[derive(Clone, Copy)]
pub struct Unbound;

/// Reading an unbound name: `NameError` for a global, `UnboundLocalError` (worded per version) for a local.
fn unbound(rt: &Rt, name: &str, local: bool) -> Box<rhai::EvalAltResult> {
    if !local {
        return format!("NameError: name '{name}' is not defined").into();
    }
    // Python/ceval.c: UNBOUNDLOCAL_ERROR_MSG changed wording in 3.11 (observed on 3.10 and 3.11).
    match rt.heap.borrow().profile().version < PyVersion::V3_11 {
        true => format!("UnboundLocalError: local variable '{name}' referenced before assignment").into(),
        false => {
            format!("UnboundLocalError: cannot access local variable '{name}' where it is not associated with a value")
                .into()
        }
    }
}

/// `f(*args, **kw)` for any callable value.
pub(super) fn call(rt: &Rt, ctx: &NativeCallContext, f: &Dynamic, args: Array, kw: Map) -> RResult<Dynamic> {
    let Some(id) = obj(f) else {
        return Err(format!("TypeError: '{}' object is not callable", type_name(&rt.heap.borrow(), f)).into());
    };
    let kind = heap(rt.heap.borrow().get(id))?.kind();
    match kind {
        Kind::Function => call_function(rt, ctx, id, args, kw),
        Kind::Class => {
            let inst = make(rt, ctx, |h| heap(h.new_instance(id)))?;
            let init = rt.heap.borrow().get_attr(id, "__init__").ok();
            if let Some(init) = init.filter(|&i| rt.heap.borrow().get(i).is_ok_and(|o| o.kind() == Kind::Function)) {
                // Calling a class is a C call on every version: the caller's stack keeps the arguments, and
                // `type_call` packs them into a tuple (`_PyObject_MakeTpCall`); `slot_tp_init` then passes
                // the new object and the arguments to `__init__` borrowed [obs 3.8-3.13 and Pyodide 3.14.2:
                // inside `__init__(self, v)` called as `P(x)`, `sys.getrefcount(self)` is 3 (2 from 3.14)
                // and `sys.getrefcount(v)` is 5 (4)].
                // With keywords, the caller's keyword values also sit in the kwargs dict, and
                // `_PyStack_UnpackDict` copies everything, `self` included, into a new argument array
                // [obs 3.8-3.13: `P(v=x)` gives 4 and 6, `P(x, w=x)` 4 and 10]. The dict is counted as
                // references to its values, not simulated as an object.
                let stack: Vec<Dynamic> = args.iter().chain(kw.values()).cloned().collect();
                let packed = make(rt, ctx, |h| with_objs(h, &args, |h, ids| heap(h.new_tuple(ids))))?;
                let mut all = vec![Dynamic::from(inst.clone())];
                all.extend(args);
                let (dict, unpacked): (Vec<Dynamic>, Vec<Dynamic>) = match kw.is_empty() {
                    true => (Vec::new(), Vec::new()),
                    false => (kw.values().cloned().collect(), all.iter().chain(kw.values()).cloned().collect()),
                };
                let r = invoke(rt, ctx, init, all, kw, false);
                drop((packed, stack, dict, unpacked));
                let r = r?;
                if !r.is_unit() {
                    return Err(format!(
                        "TypeError: __init__() should return None, not '{}'",
                        type_name(&rt.heap.borrow(), &r)
                    )
                    .into());
                }
            } else if !args.is_empty() || !kw.is_empty() {
                return Err(format!(
                    "TypeError: {}() takes no arguments",
                    rt.heap.borrow().type_name(inst.id()).unwrap_or_default()
                )
                .into());
            }
            Ok(Dynamic::from(inst))
        }
        Kind::WeakRef => {
            let target = heap(rt.heap.borrow().weakref_get(id))?;
            Ok(target.map_or(Dynamic::UNIT, |t| to_script(rt, t)))
        }
        k => Err(format!("TypeError: '{}' object is not callable", k.type_name()).into()),
    }
}

/// `obj.name(*args)`.
fn call_method(rt: &Rt, ctx: &NativeCallContext, o: Dynamic, name: &str, args: Array, kw: Map) -> RResult<Dynamic> {
    if let Some(id) = obj(&o) {
        let kind = heap(rt.heap.borrow().get(id))?.kind();
        let is_weak_dict = rt.weak_dict_data(id).is_some();
        if kind == Kind::Instance && !is_weak_dict {
            let class = heap(rt.heap.borrow().class_of(id))?.ok_or("TypeError: instance without class")?;
            let own = {
                let h = rt.heap.borrow();
                h.get_attr(id, name).ok().filter(|&v| h.get_attr(class, name).ok() != Some(v))
            };
            if let Some(v) = own {
                let f = to_script(rt, v);
                return call(rt, ctx, &f, args, kw);
            }
            let m = rt.heap.borrow().get_attr(class, name).map_err(|_| {
                format!(
                    "AttributeError: '{}' object has no attribute '{name}'",
                    rt.heap.borrow().type_name(id).unwrap_or_default()
                )
            })?;
            if rt.heap.borrow().get(m).is_ok_and(|x| x.kind().is_method_wrapper()) {
                return super::wrappers::call_through(rt, ctx, m, o, args, kw);
            }
            if rt.heap.borrow().get(m).is_ok_and(|x| x.kind() == Kind::Function) {
                let mut all = vec![o];
                all.extend(args);
                return call_function(rt, ctx, m, all, kw);
            }
            let f = to_script(rt, m);
            return call(rt, ctx, &f, args, kw);
        }
        if kind == Kind::Class {
            let m = heap(rt.heap.borrow().get_attr(id, name))?;
            if rt.heap.borrow().get(m).is_ok_and(|x| x.kind().is_method_wrapper()) {
                return super::wrappers::call_through(rt, ctx, m, o, args, kw);
            }
            let f = to_script(rt, m);
            return call(rt, ctx, &f, args, kw);
        }
    }
    if name == "format" && type_name(&rt.heap.borrow(), &o) == "str" {
        let text = {
            let h = rt.heap.borrow();
            super::printf::format(&h, &super::ops::str_of(&h, &o), &args, &kw)?
        };
        return Ok(Dynamic::from(super::super::builtins::make(rt, ctx, |h| heap(h.new_str(&text)))?));
    }
    if !kw.is_empty() {
        return Err(format!("TypeError: {name}() takes no keyword arguments here").into());
    }
    super::iter::builtin_method(rt, ctx, o, name, args)
}

fn getattr(rt: &Rt, ctx: &NativeCallContext, o: &Dynamic, name: &str) -> RResult<Dynamic> {
    if let Some(stat) = o.read_lock::<crate::script::tracemalloc::Statistic>() {
        if name == "traceback" {
            return Ok(Dynamic::from(stat.traceback()));
        }
        let v =
            stat.field(name).ok_or_else(|| format!("AttributeError: 'Statistic' object has no attribute '{name}'"))?;
        drop(stat);
        let id = heap(rt.heap.borrow_mut().new_int(i128::from(v)))?;
        return Ok(owned(rt, &mut rt.heap.borrow_mut(), id));
    }
    if let Some(frame) = o.read_lock::<crate::script::tracemalloc::Frame>() {
        let (file, line) = (frame.file.clone(), frame.line);
        drop(frame);
        let id = match name {
            "filename" => heap(rt.heap.borrow_mut().new_str_constant(&file))?,
            "lineno" => heap(rt.heap.borrow_mut().new_int(i128::from(line)))?,
            _ => return Err(format!("AttributeError: 'Frame' object has no attribute '{name}'").into()),
        };
        return Ok(owned(rt, &mut rt.heap.borrow_mut(), id));
    }
    let id = obj(o).ok_or_else(|| {
        format!("AttributeError: '{}' object has no attribute '{name}'", type_name(&rt.heap.borrow(), o))
    })?;
    let h = rt.heap.borrow();
    if h.get(id).is_ok_and(|x| x.kind() == Kind::Class) {
        match name {
            "__name__" => {
                let n = h.class_info(id).map(|c| h.name(c.name).to_string()).unwrap_or_default();
                drop(h);
                return Ok(Dynamic::from(make_str(rt, &n)?));
            }
            // The class's namespace behind a fresh mappingproxy: neither is simulated as an object.
            "__dict__" => {
                return Err("NotImplementedError: a class's `__dict__` (a mappingproxy) is not simulated".into());
            }
            _ => {}
        }
    }
    if name == "alive"
        && let Some(alive) = rt.finalize_alive(&h, id)
    {
        return Ok(Dynamic::from(alive));
    }
    if name == "__weakref__" && h.get(id).is_ok_and(|x| x.kind() == Kind::Instance) {
        return Err("NotImplementedError: reading `__weakref__` is not simulated (weakref.ref(x) is)".into());
    }
    let v = heap(h.get_attr(id, name))?;
    if h.get(v).is_ok_and(|x| x.kind().is_method_wrapper()) {
        drop(h);
        return super::wrappers::get(rt, ctx, v, o);
    }
    if h.get(v).is_ok_and(|x| x.kind() == Kind::Function) && h.get(id).is_ok_and(|x| x.kind() == Kind::Instance) {
        let own = h.class_of(id).ok().flatten().and_then(|c| h.get_attr(c, name).ok()) != Some(v);
        if !own {
            return Err(format!("TypeError: bound method objects (`obj.{name}` without a call) are not simulated yet: call `obj.{name}(...)`").into());
        }
    }
    drop(h);
    Ok(to_script(rt, v))
}

fn make_str(rt: &Rt, s: &str) -> RResult<PyObj> {
    let id = heap(rt.heap.borrow_mut().new_str(s))?;
    Ok(PyObj::owned(rt, id))
}

fn class(rt: &Rt, ctx: &NativeCallContext, name: &str, base: Dynamic, slots: Dynamic, has_del: bool) -> RResult<PyObj> {
    let base = match obj(&base) {
        Some(b) if rt.heap.borrow().get(b).is_ok_and(|o| o.kind() == Kind::Class) => Some(b),
        None if base.is_unit() => None,
        _ => {
            let what = type_name(&rt.heap.borrow(), &base);
            return Err(format!("TypeError: a base class must be a class, not '{what}'").into());
        }
    };
    let mut spec = ClassSpec { has_del, base, ..ClassSpec::default() };
    if let Some(names) = slots.read_lock::<Array>() {
        let mut h = rt.heap.borrow_mut();
        spec.slots = Some(names.iter().map(|n| h.intern(&n.to_string())).collect());
    }
    make(rt, ctx, |h| heap(h.new_class(name, spec)))
}

fn class_set(rt: &Rt, ctx: &NativeCallContext, class: &Dynamic, name: &str, v: Dynamic) -> RResult<()> {
    let c = obj(class).ok_or("TypeError: not a class")?;
    if name == "__del__"
        && let Some(f) = obj(&v).and_then(|f| rt.callable(f))
    {
        rt.register_finalizer(c, f);
    }
    act(rt, ctx, |h| with_objs(h, &[v], |h, ids| heap(h.set_attr(c, name, ids[0]))))
}

/// Register `py_def`, `py_class`, calls and attributes.
pub fn register(engine: &mut Engine, rt: &Rt) {
    let r = rt.clone();
    engine.register_fn(
        "py_def",
        move |ctx: NativeCallContext, name: &str, f: FnPtr, p: Array, d: Array, flags: INT| {
            def(&r, &ctx, name, f, p, d, flags)
        },
    );
    let r = rt.clone();
    engine.register_fn(
        "py_class",
        move |ctx: NativeCallContext, name: &str, base: Dynamic, slots: Dynamic, has_del: bool| {
            class(&r, &ctx, name, base, slots, has_del)
        },
    );
    let r = rt.clone();
    engine.register_fn("py_class_set", move |ctx: NativeCallContext, c: Dynamic, name: &str, v: Dynamic| {
        class_set(&r, &ctx, &c, name, v)
    });
    let r = rt.clone();
    engine.register_fn("py_call", move |ctx: NativeCallContext, f: Dynamic, args: Array, kw: Map| {
        call(&r, &ctx, &f, args, kw)
    });
    // Without keywords (most calls): no map to build.
    let r = rt.clone();
    engine.register_fn("py_call", move |ctx: NativeCallContext, f: Dynamic, args: Array| {
        call(&r, &ctx, &f, args, Map::new())
    });
    let r = rt.clone();
    engine.register_fn("py_callm", move |ctx: NativeCallContext, o: Dynamic, name: &str, args: Array, kw: Map| {
        call_method(&r, &ctx, o, name, args, kw)
    });
    let r = rt.clone();
    engine.register_fn("py_callm", move |ctx: NativeCallContext, o: Dynamic, name: &str, args: Array| {
        call_method(&r, &ctx, o, name, args, Map::new())
    });
    let r = rt.clone();
    engine.register_fn("py_getattr", move |ctx: NativeCallContext, o: Dynamic, name: &str| getattr(&r, &ctx, &o, name));
    let r = rt.clone();
    engine.register_fn("py_getattr", move |ctx: NativeCallContext, o: Dynamic, name: &str, default: Dynamic| {
        Ok::<_, Box<rhai::EvalAltResult>>(getattr(&r, &ctx, &o, name).unwrap_or(default))
    });
    let r = rt.clone();
    engine.register_fn("py_hasattr", move |ctx: NativeCallContext, o: Dynamic, name: &str| {
        getattr(&r, &ctx, &o, name).is_ok()
    });
    let r = rt.clone();
    engine.register_fn("py_setattr", move |ctx: NativeCallContext, o: Dynamic, name: &str, v: Dynamic| {
        let id = obj(&o).ok_or_else(|| {
            format!("AttributeError: '{}' object has no attribute '{name}'", type_name(&r.heap.borrow(), &o))
        })?;
        act(&r, &ctx, |h| with_objs(h, &[v], |h, ids| heap(h.set_attr(id, name, ids[0]))))
    });
    let r = rt.clone();
    engine.register_fn("py_delattr", move |ctx: NativeCallContext, o: Dynamic, name: &str| {
        let id = obj(&o).ok_or_else(|| {
            format!("AttributeError: '{}' object has no attribute '{name}'", type_name(&r.heap.borrow(), &o))
        })?;
        act(&r, &ctx, |h| heap(h.del_attr(id, name)))
    });
    let r = rt.clone();
    engine.register_fn("py_name", move |v: Dynamic| str_of(&r.heap.borrow(), &v));
    let r = rt.clone();
    engine.register_fn("py_fnptr", move |f: Dynamic| -> RResult<FnPtr> {
        obj(&f).and_then(|id| r.callable(id)).ok_or_else(|| "TypeError: a callback must be a Python function".into())
    });
    engine.register_fn("py_name_error", |name: &str| -> RResult<Dynamic> {
        Err(format!("NameError: name '{name}' is not defined").into())
    });
    // A name with no value (before its first binding, after `del`): not `None`, which is `()`.
    engine.register_type_with_name::<Unbound>("unbound");
    engine.register_fn("py_unbound", || Unbound);
    // `del name`: the name loses its value now, and what that frees is finalized inside the statement.
    let r = rt.clone();
    engine.register_fn("py_unbind", move |ctx: NativeCallContext, v: &mut Dynamic, name: &str, local: bool| {
        if v.is::<Unbound>() {
            return Err(unbound(&r, name, local));
        }
        drop(std::mem::replace(v, Dynamic::from(Unbound)));
        crate::script::runtime::Runtime::run_calls(&r, &ctx)
    });
    let r = rt.clone();
    engine.register_fn("py_set", move |ctx: NativeCallContext, v: &mut Dynamic, value: Dynamic| {
        drop(std::mem::replace(v, value));
        crate::script::runtime::Runtime::run_calls(&r, &ctx)
    });
    let r = rt.clone();
    engine.register_fn("py_load", move |v: Dynamic, name: &str, local: bool| -> RResult<Dynamic> {
        match v.is::<Unbound>() {
            true => Err(unbound(&r, name, local)),
            false => Ok(v),
        }
    });
    let r = rt.clone();
    engine.register_fn("py_raise", move |kind: &str, msg: Dynamic| -> RResult<()> {
        let text =
            if msg.is_unit() { String::new() } else { format!(": {}", super::text::str_text(&r.heap.borrow(), &msg)) };
        Err(format!("{kind}{text}").into())
    });
    let r = rt.clone();
    engine.register_fn("py_type", move |v: Dynamic| -> RResult<Dynamic> {
        let class = obj(&v).and_then(|id| r.heap.borrow().class_of(id).ok().flatten());
        match class {
            Some(c) => Ok(to_script(&r, c)),
            None => Err(format!(
                "TypeError: type() of a '{}' is not simulated yet: use isinstance()",
                type_name(&r.heap.borrow(), &v)
            )
            .into()),
        }
    });
    let r = rt.clone();
    engine.register_fn("py_isinstance", move |v: Dynamic, t: Dynamic| -> RResult<bool> {
        let h = r.heap.borrow();
        if let Some(name) = t.read_lock::<rhai::ImmutableString>() {
            let actual = type_name(&h, &v);
            return Ok(actual == name.as_str()
                || name.as_str() == "object"
                || (name.as_str() == "int" && actual == "bool"));
        }
        let t = obj(&t).ok_or("TypeError: isinstance() arg 2 must be a type")?;
        Ok(obj(&v).and_then(|id| h.class_of(id).ok().flatten()).is_some_and(|c| h.is_subclass(c, t)))
    });
    let r = rt.clone();
    engine.register_fn("py_unpack", move |v: Dynamic, n: INT| -> RResult<Array> {
        let id = obj(&v).ok_or("TypeError: cannot unpack a non-sequence")?;
        let ids = items(&r.heap.borrow(), id)?;
        if ids.len() != n as usize {
            let what = if ids.len() > n as usize {
                format!("too many values to unpack (expected {n})")
            } else {
                format!("not enough values to unpack (expected {n}, got {})", ids.len())
            };
            return Err(format!("ValueError: {what}").into());
        }
        Ok(ids.into_iter().map(|i| to_script(&r, i)).collect())
    });
    let r = rt.clone();
    engine.register_fn("py_obj", move |ctx: NativeCallContext, v: Dynamic| -> RResult<Dynamic> {
        if let Ok(i) = v.as_int() {
            let id = act(&r, &ctx, |h| heap(h.new_int(i128::from(i))))?;
            return Ok(owned(&r, &mut r.heap.borrow_mut(), id));
        }
        Ok(v)
    });
}
