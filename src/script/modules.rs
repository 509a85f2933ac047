//! The `gc`, `sys` and `weakref` modules, with Python's names: `gc::collect()`, `sys::getrefcount(x)`, ...

use super::args::{RResult, to_script};
use super::builtins::act;
use super::handle::PyObj;
use super::runtime::{Callable, Rt, Runtime, to_rhai};
use crate::heap::gc::{DEBUG_COLLECTABLE, DEBUG_LEAK, DEBUG_SAVEALL, DEBUG_STATS, DEBUG_UNCOLLECTABLE};
use crate::heap::{ClassSpec, ObjId};
use rhai::{Array, Dynamic, Engine, FnPtr, INT, Map, Module, NativeCallContext};

fn handles(rt: &Rt, ids: Vec<ObjId>) -> Array {
    ids.into_iter().map(|id| to_script(rt, id)).collect()
}

/// Register `gc::`, `sys::`, `weakref::` and `heap::`.
pub fn register(engine: &mut Engine, rt: &Rt) {
    let mut heap = heap_module(rt);
    super::mallocstats::register(engine, &mut heap, rt);
    engine.register_static_module("heap", heap.into());
    engine.register_static_module("gc", gc_module(rt).into());
    engine.register_static_module("sys", sys_module(rt).into());
    engine.register_static_module("weakref", weakref_module(rt).into());
}

fn collect(rt: &Rt, ctx: &NativeCallContext, generation: INT) -> RResult<INT> {
    let done = act(rt, ctx, |h| h.gc_collect(generation).map_err(to_rhai))?;
    let result = done.or_else(|| rt.heap.borrow().gc_last_result()).map_or(0, |r| r.total());
    Ok(result as INT)
}

fn gc_module(rt: &Rt) -> Module {
    let mut m = Module::new();
    let r = rt.clone();
    m.set_native_fn("collect", move |ctx: NativeCallContext| collect(&r, &ctx, 2));
    let r = rt.clone();
    m.set_native_fn("collect", move |ctx: NativeCallContext, g: INT| collect(&r, &ctx, g));
    let r = rt.clone();
    m.set_native_fn("enable", move || {
        r.heap.borrow_mut().gc_set_enabled(true);
        Ok(())
    });
    let r = rt.clone();
    m.set_native_fn("disable", move || {
        r.heap.borrow_mut().gc_set_enabled(false);
        Ok(())
    });
    let r = rt.clone();
    m.set_native_fn("isenabled", move || Ok(r.heap.borrow().gc_is_enabled()));
    let r = rt.clone();
    m.set_native_fn("get_count", move || {
        Ok(r.heap.borrow().gc_count().iter().map(|&c| Dynamic::from(INT::from(c))).collect::<Array>())
    });
    let r = rt.clone();
    m.set_native_fn("get_threshold", move || {
        Ok(r.heap.borrow().gc_threshold().iter().map(|&c| Dynamic::from(INT::from(c))).collect::<Array>())
    });
    let r = rt.clone();
    m.set_native_fn("set_threshold", move |ctx: NativeCallContext, t0: INT, t1: INT, t2: INT| {
        // The thresholds are C ints (`gc_set_threshold_impl`'s "i|ii" arguments). A module function's error
        // carries no position unless it is given the call's.
        let fail = |m: String| Box::new(rhai::EvalAltResult::ErrorRuntime(m.into(), ctx.call_position()));
        let mut t = [0u32; 3];
        for (slot, v) in t.iter_mut().zip([t0, t1, t2]) {
            *slot = match v {
                v if v > INT::from(i32::MAX) => {
                    return Err(fail("OverflowError: signed integer is greater than maximum".into()));
                }
                v if v < INT::from(i32::MIN) => {
                    return Err(fail("OverflowError: signed integer is less than minimum".into()));
                }
                v => u32::try_from(v)
                    .map_err(|_| fail(format!("gc.set_threshold({v}): negative thresholds are not simulated")))?,
            };
        }
        r.heap.borrow_mut().gc_set_threshold(t);
        Ok(())
    });
    let r = rt.clone();
    m.set_native_fn("get_stats", move || {
        let heap = r.heap.borrow();
        let candidates = heap.profile().callback_info_candidates;
        Ok(heap
            .gc_stats()
            .iter()
            .map(|s| {
                let mut map = Map::new();
                map.insert("collections".into(), Dynamic::from(s.collections as INT));
                map.insert("collected".into(), Dynamic::from(s.collected as INT));
                map.insert("uncollectable".into(), Dynamic::from(s.uncollectable as INT));
                if candidates {
                    // 3.15 adds `candidates` and `duration` (no clock here: 0.0).
                    map.insert("candidates".into(), Dynamic::from(s.candidates as INT));
                    map.insert("duration".into(), Dynamic::from(0.0_f64));
                }
                Dynamic::from(map)
            })
            .collect::<Array>())
    });
    let r = rt.clone();
    m.set_native_fn("is_tracked", move |o: PyObj| r.heap.borrow().is_tracked(o.id()).map_err(to_rhai));
    let r = rt.clone();
    m.set_native_fn("is_finalized", move |o: PyObj| r.heap.borrow().gc_is_finalized(o.id()).map_err(to_rhai));
    let r = rt.clone();
    m.set_native_fn("get_referents", move |o: PyObj| {
        let ids = r.heap.borrow().gc_referents(o.id()).map_err(to_rhai)?;
        Ok(handles(&r, ids))
    });
    let r = rt.clone();
    m.set_native_fn("get_referrers", move |o: PyObj| {
        let ids = r.heap.borrow().gc_referrers(o.id()).map_err(to_rhai)?;
        Ok(handles(&r, ids))
    });
    let r = rt.clone();
    m.set_native_fn("get_objects", move || {
        let ids = r.heap.borrow().gc_objects(None);
        Ok(handles(&r, ids))
    });
    let r = rt.clone();
    m.set_native_fn("get_objects", move |g: INT| {
        let g =
            usize::try_from(g).ok().filter(|&g| g <= 2).ok_or("ValueError: generation parameter must be 0, 1 or 2")?;
        let ids = r.heap.borrow().gc_objects(Some(g));
        Ok(handles(&r, ids))
    });
    let r = rt.clone();
    m.set_native_fn("freeze", move || {
        r.heap.borrow_mut().gc_freeze();
        Ok(())
    });
    let r = rt.clone();
    m.set_native_fn("unfreeze", move || {
        r.heap.borrow_mut().gc_unfreeze();
        Ok(())
    });
    let r = rt.clone();
    m.set_native_fn("get_freeze_count", move || Ok(r.heap.borrow().gc_freeze_count() as INT));
    let r = rt.clone();
    m.set_native_fn("garbage", move || {
        let ids = r.heap.borrow().gc_garbage().to_vec();
        Ok(handles(&r, ids))
    });
    let r = rt.clone();
    m.set_native_fn("clear_garbage", move |ctx: NativeCallContext| {
        act(&r, &ctx, |h| h.gc_clear_garbage().map_err(to_rhai))
    });
    let r = rt.clone();
    m.set_native_fn("set_debug", move |flags: INT| {
        r.heap.borrow_mut().gc_set_debug(u32::try_from(flags).unwrap_or(0));
        Ok(())
    });
    let r = rt.clone();
    m.set_native_fn("get_debug", move || Ok(INT::from(r.heap.borrow().gc_debug())));
    // `gc.callbacks.append(cb)`: the closure becomes a heap function object the collector holds.
    let r = rt.clone();
    m.set_native_fn("add_callback", move |ctx: NativeCallContext, f: FnPtr| {
        act(&r, &ctx, |h| {
            let id = h.new_function(&[]).map_err(to_rhai)?;
            r.register_callable(id, f);
            h.gc_add_callback(id).map_err(to_rhai)?;
            h.dec_root(id).map_err(to_rhai)
        })
    });
    for (name, value) in [
        ("DEBUG_STATS", DEBUG_STATS),
        ("DEBUG_COLLECTABLE", DEBUG_COLLECTABLE),
        ("DEBUG_UNCOLLECTABLE", DEBUG_UNCOLLECTABLE),
        ("DEBUG_SAVEALL", DEBUG_SAVEALL),
        ("DEBUG_LEAK", DEBUG_LEAK),
    ] {
        m.set_var(name, INT::from(value));
    }
    m
}

fn sys_module(rt: &Rt) -> Module {
    let mut m = Module::new();
    // The argument is a reference of its own, as in CPython: a fresh object bound to one name gives 2.
    let r = rt.clone();
    m.set_native_fn("getrefcount", move |o: PyObj| Ok(r.heap.borrow().get(o.id()).map_err(to_rhai)?.refcnt() as INT));
    // `sys.getrefcount(x)` of a function's local `x`: from 3.14 the argument is a borrowed reference.
    let r = rt.clone();
    m.set_native_fn("getrefcount_of_local", move |o: PyObj| {
        let h = r.heap.borrow();
        let o = h.get(o.id()).map_err(to_rhai)?;
        let borrowed = h.profile().borrows_fast_locals && !o.is_immortal();
        Ok((o.refcnt() - u32::from(borrowed)) as INT)
    });
    let r = rt.clone();
    m.set_native_fn("getsizeof", move |o: PyObj| Ok(r.heap.borrow().getsizeof(o.id()).map_err(to_rhai)? as INT));
    // `sys.version_info[:2]`, e.g. `[3, 13]`: scenarios use it for version-dependent expectations.
    let r = rt.clone();
    m.set_native_fn("version_info", move || {
        let (major, minor) = r.heap.borrow().profile().version.version_info();
        Ok(vec![Dynamic::from(INT::from(major)), Dynamic::from(INT::from(minor))])
    });
    let r = rt.clone();
    m.set_native_fn("debugmallocstats", move || {
        let text = r.heap.borrow().debug_malloc_stats();
        text.lines().for_each(|l| r.print(l.to_string(), None));
        Ok(())
    });
    m
}

/// Make a weakref to `o` with an optional callback (a closure, or a built-in one) and, for `weakref.finalize`,
/// a registry reference that keeps it alive until it has run. The argument is released afterwards: if it was
/// the last reference, the object dies now and the callback runs, as in CPython.
fn make_weakref(rt: &Rt, ctx: &NativeCallContext, o: PyObj, callback: Option<Callable>) -> RResult<PyObj> {
    let target = o.id();
    let w = act(rt, ctx, |h| {
        let cb = match callback {
            Some(c) => {
                let cb = h.new_function(&[]).map_err(to_rhai)?;
                rt.register_native(cb, c);
                Some(cb)
            }
            None => None,
        };
        let w = h.new_weakref(target, cb).map_err(to_rhai);
        if let Some(cb) = cb {
            h.dec_root(cb).map_err(to_rhai)?;
        }
        w
    })?;
    let w = PyObj::owned(rt, w);
    drop(o);
    Runtime::run_calls(rt, ctx)?;
    Ok(w)
}

fn weakref_module(rt: &Rt) -> Module {
    let mut m = Module::new();
    let r = rt.clone();
    m.set_native_fn("ref", move |ctx: NativeCallContext, o: PyObj| make_weakref(&r, &ctx, o, None));
    let r = rt.clone();
    m.set_native_fn("ref", move |ctx: NativeCallContext, o: PyObj, f: FnPtr| {
        make_weakref(&r, &ctx, o, Some(Callable::Script(f)))
    });
    // `weakref.WeakValueDictionary()`: an instance of the class of that name whose `data` dict maps keys to
    // weakrefs that remove their entry on death (`Lib/weakref.py`'s `KeyedRef`). The class is made on first
    // use and kept by the module, as CPython's is at import.
    let r = rt.clone();
    m.set_native_fn("WeakValueDictionary", move |ctx: NativeCallContext| {
        let inst = act(&r, &ctx, |h| {
            let class = r.library_class(h, "WeakValueDictionary", ClassSpec::default()).map_err(to_rhai)?;
            let inst = h.new_instance(class).map_err(to_rhai)?;
            let data = h.new_dict().map_err(to_rhai)?;
            h.set_attr(inst, "data", data).map_err(to_rhai)?;
            h.dec_root(data).map_err(to_rhai)?;
            r.mark_weak_dict(inst, data);
            Ok(inst)
        })?;
        Ok(PyObj::owned(&r, inst))
    });
    // `weakref.finalize(obj, func)` (Lib/weakref.py): a finalize object (`__slots__ = ("__weakref__",)`)
    // whose `ref(obj, self)` calls it once `obj` dies, by refcount or in a collection; `_registry[self]`
    // keeps the object and that weakref alive until then.
    let r = rt.clone();
    m.set_native_fn("finalize", move |ctx: NativeCallContext, o: PyObj, f: FnPtr| {
        let fin = act(&r, &ctx, |h| {
            let slots = Some(vec![h.intern("__weakref__")]);
            let class = r.library_class(h, "finalize", ClassSpec { slots, ..ClassSpec::default() }).map_err(to_rhai)?;
            let fin = h.new_instance(class).map_err(to_rhai)?;
            r.register_native(fin, Callable::Finalize(f));
            let w = h.new_weakref(o.id(), Some(fin)).map_err(to_rhai)?;
            h.inc_root(fin).map_err(to_rhai)?;
            r.register_finalize(fin, w);
            Ok(fin)
        })?;
        drop(o);
        Runtime::run_calls(&r, &ctx)?;
        Ok(PyObj::owned(&r, fin))
    });
    // Calling a weakref, `w()` in Python, is `weakref::deref(w)`: the object or `()`.
    let r = rt.clone();
    m.set_native_fn("deref", move |w: PyObj| {
        let target = r.heap.borrow().weakref_get(w.id()).map_err(to_rhai)?;
        Ok(target.map_or(Dynamic::UNIT, |t| to_script(&r, t)))
    });
    let r = rt.clone();
    // `weakref::alive(w)`: a weakref's target is alive, or a finalize object has yet to run (`f.alive`).
    m.set_native_fn("alive", move |w: PyObj| {
        let h = r.heap.borrow();
        match r.finalize_alive(&h, w.id()) {
            Some(alive) => Ok(alive),
            None => Ok(h.weakref_get(w.id()).map_err(to_rhai)?.is_some()),
        }
    });
    let r = rt.clone();
    m.set_native_fn("getweakrefcount", move |o: PyObj| {
        let h = r.heap.borrow();
        // `type_new` registers every class in its base's `__subclasses__()`, a dict of weakrefs to it
        // (`add_subclass`), which is counted here but not simulated as objects [obs 3.8-3.13 and Pyodide:
        // `weakref.getweakrefcount(C)` is 1 for a fresh class].
        let registered = h.get(o.id()).map_err(to_rhai)?.kind() == crate::heap::Kind::Class;
        Ok((h.weakref_count(o.id()).map_err(to_rhai)? + usize::from(registered)) as INT)
    });
    m
}

/// `heap::`: what `sys._debugmallocstats()` prints, as numbers a scenario can check (Python has no API for
/// these; the names follow the dump's lines).
fn heap_module(rt: &Rt) -> Module {
    let mut m = Module::new();
    let r = rt.clone();
    m.set_native_fn("arenas", move || Ok(r.heap.borrow().allocator().stats().arenas_current as INT));
    let r = rt.clone();
    m.set_native_fn("arenas_allocated_total", move || {
        Ok(r.heap.borrow().allocator().stats().arenas_allocated_total as INT)
    });
    let r = rt.clone();
    m.set_native_fn("pools", move || {
        Ok(r.heap.borrow().allocator().stats().classes.iter().map(|c| c.pools).sum::<u64>() as INT)
    });
    let r = rt.clone();
    m.set_native_fn("bytes_in_blocks", move || Ok(r.heap.borrow().allocator().stats().allocated_bytes as INT));
    let r = rt.clone();
    m.set_native_fn("live_objects", move || Ok(r.heap.borrow().live_objects() as INT));
    m
}
