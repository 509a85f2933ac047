//! `heap::mallocstats()` and Python's `heapscope.mallocstats()`: what `sys._debugmallocstats()` prints, as
//! numbers a scenario can rely on (the keys `src/scenario/heapscope.py` parses out of a real dump).

use super::args::RResult;
use super::builtins::make;
use super::handle::PyObj;
use super::runtime::{Rt, to_rhai};
use crate::heap::{Heap, HeapResult, MallocReport, ObjId};
use rhai::{Dynamic, Engine, INT, Map, NativeCallContext};

/// A value of the report: an int, a list, or a dict with its keys in the order Python's has them.
enum Stat {
    Int(u64),
    List(Vec<Stat>),
    Dict(Vec<(&'static str, Stat)>),
}

fn tree(r: MallocReport) -> Stat {
    let classes = r.classes.iter().map(|c| {
        let size = Stat::Int(u64::from(c.size));
        Stat::Dict(vec![
            ("size", size),
            ("pools", Stat::Int(c.pools)),
            ("used", Stat::Int(c.used)),
            ("avail", Stat::Int(c.avail)),
        ])
    });
    Stat::Dict(vec![
        ("classes", Stat::List(classes.collect())),
        ("arenas_allocated_total", Stat::Int(r.arenas_allocated_total)),
        ("arenas_reclaimed", Stat::Int(r.arenas_reclaimed)),
        ("arenas_highwater", Stat::Int(r.arenas_highwater)),
        ("arenas_current", Stat::Int(r.arenas_current)),
        ("arena_size", Stat::Int(r.arena_size)),
        ("pool_size", Stat::Int(r.pool_size)),
        ("allocated_bytes", Stat::Int(r.allocated_bytes)),
        ("available_bytes", Stat::Int(r.available_bytes)),
        ("unused_pools", Stat::Int(r.unused_pools)),
        ("pool_header_bytes", Stat::Int(r.pool_header_bytes)),
        ("quantization_bytes", Stat::Int(r.quantization_bytes)),
        ("arena_alignment_bytes", Stat::Int(r.arena_alignment_bytes)),
        ("free_lists", Stat::Dict(r.free_lists.into_iter().map(|(k, n)| (k, Stat::Int(n))).collect())),
    ])
}

fn to_rhai_value(v: Stat) -> Dynamic {
    match v {
        Stat::Int(n) => Dynamic::from(n as INT),
        Stat::List(items) => Dynamic::from_array(items.into_iter().map(to_rhai_value).collect()),
        Stat::Dict(entries) => {
            Dynamic::from_map(entries.into_iter().map(|(k, v)| (k.into(), to_rhai_value(v))).collect::<Map>())
        }
    }
}

/// Build `v` as objects of the simulated heap, as the real module builds its dicts and lists; the returned
/// object carries the caller's reference.
fn to_heap(h: &mut Heap, v: &Stat) -> HeapResult<ObjId> {
    match v {
        Stat::Int(n) => h.new_int(i128::from(*n)),
        Stat::List(items) => {
            let ids = items.iter().map(|i| to_heap(h, i)).collect::<HeapResult<Vec<_>>>()?;
            let list = h.new_list_from(&ids);
            ids.into_iter().try_for_each(|i| h.dec_root(i))?;
            list
        }
        Stat::Dict(entries) => {
            let d = h.new_dict()?;
            for (k, v) in entries {
                let (key, value) = (h.new_str_constant(k)?, to_heap(h, v)?);
                h.dict_set(d, key, value)?;
                h.dec_root(key)?;
                h.dec_root(value)?;
            }
            Ok(d)
        }
    }
}

/// Register `heap::mallocstats()` (a Rhai map) on `module`, and `py_mallocstats()` (a dict on the simulated
/// heap) for the Python front end.
pub fn register(engine: &mut Engine, module: &mut rhai::Module, rt: &Rt) {
    let r = rt.clone();
    module.set_native_fn("mallocstats", move || Ok(to_rhai_value(tree(r.heap.borrow().mallocstats()))));
    let r = rt.clone();
    engine.register_fn("py_mallocstats", move |ctx: NativeCallContext| -> RResult<PyObj> {
        let stats = tree(r.heap.borrow().mallocstats());
        make(&r, &ctx, |h| to_heap(h, &stats).map_err(to_rhai))
    });
}
