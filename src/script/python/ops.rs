//! Operators with Python's semantics: arithmetic on ints (to 128 bits) and floats, `+`/`*` on sequences,
//! comparisons, `is`, `in`, truth, subscripts and slices.

use super::super::args::{RResult, obj_arg, with_objs};
use super::super::builtins::{act, dict_lookup, weak_dict_set};
use super::super::handle::PyObj;
use super::super::runtime::Rt;
use super::{heap, int_arg, obj, owned, type_name};
use crate::heap::{Heap, Kind, ObjId, Value};
use rhai::{Array, Dynamic, Engine, INT, NativeCallContext};

/// A value as Python arithmetic sees it.
enum Num {
    Int(i128),
    Float(f64),
}

fn num(h: &Heap, v: &Dynamic) -> Option<Num> {
    if let Ok(b) = v.as_bool() {
        return Some(Num::Int(i128::from(b)));
    }
    // Rhai's own numbers, where a Rhai script compares a handle with one.
    if let Ok(i) = v.as_int() {
        return Some(Num::Int(i128::from(i)));
    }
    if let Ok(f) = v.as_float() {
        return Some(Num::Float(f));
    }
    match h.value(obj(v)?) {
        Ok(Some(Value::Int(i))) => Some(Num::Int(*i)),
        Ok(Some(Value::Float(f))) => Some(Num::Float(*f)),
        _ => None,
    }
}

fn float(n: &Num) -> f64 {
    match n {
        Num::Int(i) => *i as f64,
        Num::Float(f) => *f,
    }
}

const OPS: &[(&str, &str)] = &[
    ("add", "+"),
    ("sub", "-"),
    ("mul", "*"),
    ("truediv", "/"),
    ("floordiv", "//"),
    ("mod", "%"),
    ("pow", "**"),
    ("lshift", "<<"),
    ("rshift", ">>"),
    ("or", "|"),
    ("xor", "^"),
    ("and", "&"),
];

fn overflow() -> Box<rhai::EvalAltResult> {
    "OverflowError: integers beyond 128 bits are not simulated".into()
}

fn int_op(op: &str, a: i128, b: i128) -> RResult<Option<Num>> {
    let zero = || -> Box<rhai::EvalAltResult> {
        format!("ZeroDivisionError: integer {} by zero", if op == "%" { "modulo" } else { "division" }).into()
    };
    Ok(Some(Num::Int(match op {
        "+" => a.checked_add(b).ok_or_else(overflow)?,
        "-" => a.checked_sub(b).ok_or_else(overflow)?,
        "*" => a.checked_mul(b).ok_or_else(overflow)?,
        "//" if b == 0 => return Err(zero()),
        "//" => a.div_euclid(b) - i128::from(b < 0 && a.rem_euclid(b) != 0),
        "%" if b == 0 => return Err(zero()),
        "%" => {
            let r = a.rem_euclid(b);
            if b < 0 && r != 0 { r + b } else { r }
        }
        "**" if b < 0 => return Ok(Some(Num::Float((a as f64).powf(b as f64)))),
        "**" => a.checked_pow(u32::try_from(b).map_err(|_| overflow())?).ok_or_else(overflow)?,
        "<<" => {
            a.checked_shl(u32::try_from(b).map_err(|_| overflow())?).filter(|r| r >> b == a).ok_or_else(overflow)?
        }
        ">>" => a >> b.min(127),
        "|" => a | b,
        "^" => a ^ b,
        "&" => a & b,
        "/" if b == 0 => return Err("ZeroDivisionError: division by zero".into()),
        "/" => return Ok(Some(Num::Float(a as f64 / b as f64))),
        _ => return Ok(None),
    })))
}

fn float_op(op: &str, a: f64, b: f64) -> RResult<Option<Num>> {
    if matches!(op, "/" | "//" | "%") && b == 0.0 {
        return Err("ZeroDivisionError: float division by zero".into());
    }
    Ok(Some(Num::Float(match op {
        "+" => a + b,
        "-" => a - b,
        "*" => a * b,
        "/" => a / b,
        "//" => (a / b).floor(),
        "%" => a - b * (a / b).floor(),
        "**" => a.powf(b),
        _ => return Ok(None),
    })))
}

/// `a <op> b`: a new object, as CPython's number and sequence protocols make it.
pub(crate) fn binary(
    rt: &Rt,
    ctx: &NativeCallContext,
    op: &str,
    a: &Dynamic,
    b: &Dynamic,
    in_place: bool,
) -> RResult<Dynamic> {
    let mut h = rt.heap.borrow_mut();
    let result = match (num(&h, a), num(&h, b)) {
        (Some(Num::Int(x)), Some(Num::Int(y))) => {
            let sum = int_op(op, x, y)?;
            if let (Some(Num::Int(v)), "+" | "-") = (&sum, op) {
                // `long_add` / `long_sub`: magnitudes add when the signs agree for `+`, differ for `-`.
                let added = ((x < 0) == (y < 0)) == (op == "+");
                let id = heap(h.new_int_sum(*v, x, y, added))?;
                return Ok(owned(rt, &mut h, id));
            }
            sum
        }
        (Some(x), Some(y)) => float_op(op, float(&x), float(&y))?,
        _ => None,
    };
    if let Some(n) = result {
        let id = heap(match n {
            Num::Int(i) => h.new_int_from_long(i),
            Num::Float(f) => h.new_float(f),
        })?;
        return Ok(owned(rt, &mut h, id));
    }
    let kinds =
        (obj(a).and_then(|i| h.get(i).ok().map(|o| o.kind())), obj(b).and_then(|i| h.get(i).ok().map(|o| o.kind())));
    let fail = |h: &Heap| -> Box<rhai::EvalAltResult> {
        format!("TypeError: unsupported operand type(s) for {op}: '{}' and '{}'", type_name(h, a), type_name(h, b))
            .into()
    };
    match (op, kinds) {
        ("+", (Some(Kind::Str), Some(Kind::Str))) => {
            let text = format!("{}{}", str_of(&h, a), str_of(&h, b));
            let id = heap(h.new_str(&text))?;
            Ok(Dynamic::from(PyObj::owned(rt, id)))
        }
        ("*", (Some(Kind::Str), _)) => {
            let n = int_arg(&h, b).map_err(|_| fail(&h))?.max(0) as usize;
            let part = str_of(&h, a);
            heap(h.check_room((part.len() as u64).saturating_mul(n as u64)))?;
            let text = part.repeat(n);
            let id = heap(h.new_str(&text))?;
            Ok(Dynamic::from(PyObj::owned(rt, id)))
        }
        ("+", (Some(k @ (Kind::List | Kind::Tuple)), Some(k2))) if k == k2 => {
            let (x, y) = (obj(a).expect("a list"), obj(b).expect("a list"));
            let items: Vec<ObjId> = items(&h, x)?.into_iter().chain(items(&h, y)?).collect();
            if in_place && k == Kind::List {
                drop(h);
                act(rt, ctx, |h| heap(h.list_extend(x, &items[items.len() - items_len(h, y)..])))?;
                return Ok(a.clone());
            }
            let id = heap(if k == Kind::List { h.new_list_from(&items) } else { h.new_tuple(&items) })?;
            Ok(Dynamic::from(PyObj::owned(rt, id)))
        }
        ("*", (Some(k @ (Kind::List | Kind::Tuple)), _)) => {
            let n = int_arg(&h, b).map_err(|_| fail(&h))?.max(0) as usize;
            let src = items(&h, obj(a).expect("a list"))?;
            heap(h.check_room((src.len() as u64 * 8).saturating_mul(n as u64)))?;
            let all: Vec<ObjId> = std::iter::repeat_n(src, n).flatten().collect();
            let id = heap(if k == Kind::List { h.new_list_from(&all) } else { h.new_tuple(&all) })?;
            Ok(Dynamic::from(PyObj::owned(rt, id)))
        }
        ("%", (Some(Kind::Str), _)) => {
            let fmt = str_of(&h, a);
            drop(h);
            let text = super::printf::percent(rt, &fmt, b)?;
            let id = heap(rt.heap.borrow_mut().new_str(&text))?;
            Ok(Dynamic::from(PyObj::owned(rt, id)))
        }
        _ => Err(fail(&h)),
    }
}

fn items_len(h: &Heap, id: ObjId) -> usize {
    h.seq_len(id).unwrap_or(0)
}

/// A list's or tuple's items (borrowed).
pub(crate) fn items(h: &Heap, id: ObjId) -> RResult<Vec<ObjId>> {
    let n = heap(h.seq_len(id))?;
    (0..n as i64).map(|i| heap(h.seq_get(id, i))).collect()
}

/// The text of a str object.
pub(crate) fn str_of(h: &Heap, v: &Dynamic) -> String {
    if let Some(s) = v.read_lock::<rhai::ImmutableString>() {
        return s.to_string();
    }
    match obj(v).map(|id| h.value(id)) {
        Some(Ok(Some(Value::Str(s)))) => s.to_string(),
        _ => String::new(),
    }
}

/// Python truth.
pub(crate) fn truth(h: &Heap, v: &Dynamic) -> bool {
    if v.is_unit() {
        return false;
    }
    if let Ok(b) = v.as_bool() {
        return b;
    }
    if let Ok(i) = v.as_int() {
        return i != 0;
    }
    let Some(id) = obj(v) else { return true };
    let Ok(o) = h.get(id) else { return true };
    match (o.kind(), h.value(id)) {
        (_, Ok(Some(Value::Int(i)))) => *i != 0,
        (_, Ok(Some(Value::Float(f)))) => *f != 0.0,
        (_, Ok(Some(Value::Str(s)))) => !s.is_empty(),
        (_, Ok(Some(Value::Bytes(n)))) => *n != 0,
        (_, Ok(Some(Value::Range(a, b, s)))) => {
            if *s > 0 {
                a < b
            } else {
                a > b
            }
        }
        (Kind::List | Kind::Tuple, _) => h.seq_len(id).unwrap_or(0) > 0,
        (Kind::Dict | Kind::Set | Kind::FrozenSet, _) => h.keys(id).map(|k| !k.is_empty()).unwrap_or(false),
        _ => true,
    }
}

/// Python `==`.
pub(crate) fn equal(h: &Heap, a: &Dynamic, b: &Dynamic) -> bool {
    if let (Some(x), Some(y)) = (num(h, a), num(h, b)) {
        return float(&x) == float(&y);
    }
    match (obj(a), obj(b)) {
        (Some(x), Some(y)) => same_value(h, x, y, 0),
        _ if a.is_string() || b.is_string() => text(h, a).is_some_and(|x| text(h, b) == Some(x)),
        _ => a.is_unit() && b.is_unit(),
    }
}

/// The text of a str object or of a Rhai string.
fn text(h: &Heap, v: &Dynamic) -> Option<String> {
    if let Some(s) = v.read_lock::<rhai::ImmutableString>() {
        return Some(s.to_string());
    }
    match h.value(obj(v)?) {
        Ok(Some(Value::Str(s))) => Some(s.to_string()),
        _ => None,
    }
}

/// `x == y` for objects: containers compare by their items, as `list_richcompare`, `tuplerichcompare`,
/// `dict_equal` and `set_richcompare` do (identity first, as `PyObject_RichCompare`'s callers do for
/// items); a container nested deeper than CPython's recursion limit compares unequal here rather than raise.
fn same_value(h: &Heap, x: ObjId, y: ObjId, depth: usize) -> bool {
    if x == y {
        return true;
    }
    let kinds = (h.get(x).map(|o| o.kind()), h.get(y).map(|o| o.kind()));
    let items_equal = |p: Vec<ObjId>, q: Vec<ObjId>| {
        p.len() == q.len() && p.iter().zip(&q).all(|(a, b)| same_value(h, *a, *b, depth + 1))
    };
    match kinds {
        _ if depth > 1000 => false,
        (Ok(Kind::List), Ok(Kind::List)) | (Ok(Kind::Tuple), Ok(Kind::Tuple)) => {
            items_equal(items(h, x).unwrap_or_default(), items(h, y).unwrap_or_default())
        }
        (Ok(Kind::Dict), Ok(Kind::Dict)) => {
            let keys = h.keys(x).unwrap_or_default();
            keys.len() == h.keys(y).map_or(0, |k| k.len())
                && keys.iter().all(|&k| match (h.dict_get(x, k), h.dict_get(y, k)) {
                    (Ok(Some(a)), Ok(Some(b))) => same_value(h, a, b, depth + 1),
                    _ => false,
                })
        }
        (Ok(Kind::Set), Ok(Kind::Set)) => {
            let (p, q) = (h.keys(x).unwrap_or_default(), h.keys(y).unwrap_or_default());
            p.len() == q.len() && p.iter().all(|a| q.iter().any(|b| h.py_eq(*a, *b)))
        }
        _ => h.py_eq(x, y),
    }
}

pub(crate) fn order(h: &Heap, a: &Dynamic, b: &Dynamic, op: &str) -> RResult<std::cmp::Ordering> {
    if let (Some(x), Some(y)) = (num(h, a), num(h, b)) {
        return float(&x).partial_cmp(&float(&y)).ok_or_else(|| "comparison with nan".into());
    }
    let is_str = |v: &Dynamic| obj(v).is_some_and(|id| matches!(h.value(id), Ok(Some(Value::Str(_)))));
    if is_str(a) && is_str(b) {
        return Ok(str_of(h, a).cmp(&str_of(h, b)));
    }
    let seq = |v: &Dynamic| obj(v).filter(|&id| h.get(id).is_ok_and(|o| matches!(o.kind(), Kind::Tuple | Kind::List)));
    if let (Some(x), Some(y)) = (seq(a), seq(b)) {
        // Lexicographic, as tuples and lists compare.
        let (xs, ys) = (items(h, x)?, items(h, y)?);
        for (p, q) in xs.iter().zip(&ys) {
            if !h.py_eq(*p, *q) {
                let (p, q) = (h.value(*p).ok().flatten().cloned(), h.value(*q).ok().flatten().cloned());
                return match (p, q) {
                    (Some(Value::Int(p)), Some(Value::Int(q))) => Ok(p.cmp(&q)),
                    _ => Err(format!("TypeError: '{op}' between these items is not simulated").into()),
                };
            }
        }
        return Ok(xs.len().cmp(&ys.len()));
    }
    Err(format!("TypeError: '{op}' not supported between instances of '{}' and '{}'", type_name(h, a), type_name(h, b))
        .into())
}

/// `x in container`.
pub(crate) fn contains(rt: &Rt, container: &Dynamic, x: &Dynamic) -> RResult<bool> {
    let Some(c) = obj(container) else {
        return Err(format!(
            "TypeError: argument of type '{}' is not iterable",
            type_name(&rt.heap.borrow(), container)
        )
        .into());
    };
    let c = rt.weak_dict_data(c).unwrap_or(c);
    let mut h = rt.heap.borrow_mut();
    match heap(h.get(c))?.kind() {
        Kind::List | Kind::Tuple => {
            let k = obj_arg(&mut h, x)?;
            let found = items(&h, c)?.into_iter().any(|i| h.py_eq(i, k.id));
            k.done(&mut h);
            Ok(found)
        }
        Kind::Dict => Ok(dict_lookup(&mut h, c, x)?.is_some()),
        Kind::Set | Kind::FrozenSet => {
            let k = obj_arg(&mut h, x)?;
            let found = heap(h.set_contains(c, k.id));
            k.done(&mut h);
            found
        }
        Kind::Str => Ok(str_of(&h, container).contains(&str_of(&h, x))),
        k => Err(format!("TypeError: argument of type '{}' is not iterable", k.type_name()).into()),
    }
}

/// A sequence index, negative from the end, or IndexError.
fn index(h: &Heap, seq: ObjId, key: &Dynamic, what: &str) -> RResult<i64> {
    let n = heap(h.seq_len(seq))? as i64;
    let i = int_arg(h, key)
        .map_err(|_| format!("TypeError: {what} indices must be integers, not '{}'", type_name(h, key)))?;
    let j = if i < 0 { i + n } else { i };
    if j < 0 || j >= n {
        return Err(format!("IndexError: {what} index out of range").into());
    }
    Ok(j)
}

fn getitem(rt: &Rt, ctx: &NativeCallContext, o: &Dynamic, key: &Dynamic) -> RResult<Dynamic> {
    if let Some(a) = o.read_lock::<Array>() {
        let i = int_arg(&rt.heap.borrow(), key)?;
        let j = if i < 0 { i + a.len() as i64 } else { i };
        return a.get(j as usize).cloned().ok_or_else(|| "IndexError: list index out of range".into());
    }
    if let Some(t) = o.read_lock::<crate::script::tracemalloc::Traceback>() {
        return Ok(Dynamic::from(t.frame(int_arg(&rt.heap.borrow(), key)?)?));
    }
    let Some(id) = obj(o) else {
        return Err(format!("TypeError: '{}' object is not subscriptable", type_name(&rt.heap.borrow(), o)).into());
    };
    let weak = rt.weak_dict_data(id);
    let mut h = rt.heap.borrow_mut();
    let target = weak.unwrap_or(id);
    let found = match heap(h.get(target))?.kind() {
        Kind::List | Kind::Tuple => {
            let what = if h.get(target).map(|o| o.kind()) == Ok(Kind::List) { "list" } else { "tuple" };
            let i = index(&h, target, key, what)?;
            heap(h.seq_get(target, i))?
        }
        Kind::Dict => {
            let v =
                dict_lookup(&mut h, target, key)?.ok_or_else(|| format!("KeyError: {}", super::text::repr(&h, key)))?;
            if weak.is_some() {
                heap(h.weakref_get(v))?.ok_or_else(|| format!("KeyError: {}", super::text::repr(&h, key)))?
            } else {
                v
            }
        }
        Kind::Str => {
            let s: Vec<char> = str_of(&h, o).chars().collect();
            let i = int_arg(&h, key)?;
            let j = if i < 0 { i + s.len() as i64 } else { i };
            let c = s.get(j as usize).ok_or("IndexError: string index out of range")?;
            let id = heap(h.new_str(&c.to_string()))?;
            return Ok(Dynamic::from(PyObj::owned(rt, id)));
        }
        k => return Err(format!("TypeError: '{}' object is not subscriptable", k.type_name()).into()),
    };
    heap(h.inc_root(found))?;
    let v = owned(rt, &mut h, found);
    drop(h);
    super::super::runtime::Runtime::run_calls(rt, ctx)?;
    Ok(v)
}

fn setitem(rt: &Rt, ctx: &NativeCallContext, o: &Dynamic, key: Dynamic, v: Dynamic) -> RResult<()> {
    let id = obj(o).ok_or("TypeError: object does not support item assignment")?;
    if let Some(data) = rt.weak_dict_data(id) {
        let key = str_of(&rt.heap.borrow(), &key);
        return weak_dict_set(rt, ctx, data, &key, v);
    }
    act(rt, ctx, |h| match heap(h.get(id))?.kind() {
        Kind::Dict => with_objs(h, &[key, v], |h, ids| heap(h.dict_set(id, ids[0], ids[1]))),
        Kind::List => {
            let i = index(h, id, &key, "list")?;
            with_objs(h, &[v], |h, ids| heap(h.list_set(id, i, ids[0])))
        }
        k => Err(format!("TypeError: '{}' object does not support item assignment", k.type_name()).into()),
    })
}

fn delitem(rt: &Rt, ctx: &NativeCallContext, o: &Dynamic, key: Dynamic) -> RResult<()> {
    let id = obj(o).ok_or("TypeError: object does not support item deletion")?;
    let id = rt.weak_dict_data(id).unwrap_or(id);
    act(rt, ctx, |h| match heap(h.get(id))?.kind() {
        Kind::Dict => {
            let k = obj_arg(h, &key)?;
            let found = heap(h.dict_get(id, k.id));
            let r = match found {
                Ok(Some(_)) => heap(h.dict_del(id, k.id)),
                Ok(None) => Err(format!("KeyError: {}", super::text::repr(h, &key)).into()),
                Err(e) => Err(e),
            };
            k.done(h);
            r
        }
        Kind::List => {
            let i = index(h, id, &key, "list")?;
            heap(h.list_del(id, i))
        }
        k => Err(format!("TypeError: '{}' object doesn't support item deletion", k.type_name()).into()),
    })
}

fn getslice(rt: &Rt, o: &Dynamic, lo: &Dynamic, hi: &Dynamic, step: &Dynamic) -> RResult<Dynamic> {
    let mut h = rt.heap.borrow_mut();
    let bound = |h: &Heap, v: &Dynamic, n: i64, default: i64| -> RResult<i64> {
        if v.is_unit() {
            return Ok(default);
        }
        let i = int_arg(h, v)?;
        Ok(if i < 0 { (i + n).max(0) } else { i.min(n) })
    };
    if !step.is_unit() {
        return Err("TypeError: slices with a step are not simulated yet".into());
    }
    if let Some(a) = o.read_lock::<Array>() {
        let n = a.len() as i64;
        let (l, u) = (bound(&h, lo, n, 0)?, bound(&h, hi, n, n)?);
        return Ok(Dynamic::from_array(a[l as usize..u.max(l) as usize].to_vec()));
    }
    let id = obj(o).ok_or("TypeError: object is not subscriptable")?;
    let kind = heap(h.get(id))?.kind();
    let n = match kind {
        Kind::Str => str_of(&h, o).chars().count() as i64,
        _ => heap(h.seq_len(id))? as i64,
    };
    let (l, u) = (bound(&h, lo, n, 0)? as usize, bound(&h, hi, n, n)? as usize);
    let u = u.max(l);
    let new = match kind {
        Kind::List => {
            let part = items(&h, id)?[l..u].to_vec();
            h.new_list_from(&part)
        }
        Kind::Tuple => {
            let part = items(&h, id)?[l..u].to_vec();
            h.new_tuple(&part)
        }
        Kind::Str => {
            let s: String = str_of(&h, o).chars().skip(l).take(u - l).collect();
            h.new_str(&s)
        }
        k => return Err(format!("TypeError: '{}' object is not subscriptable", k.type_name()).into()),
    };
    let id = heap(new)?;
    Ok(Dynamic::from(PyObj::owned(rt, id)))
}

/// Register the operators.
pub fn register(engine: &mut Engine, rt: &Rt) {
    for &(name, op) in OPS {
        let r = rt.clone();
        engine.register_fn(format!("py_{name}"), move |ctx: NativeCallContext, a: Dynamic, b: Dynamic| {
            binary(&r, &ctx, op, &a, &b, false)
        });
        let r = rt.clone();
        engine.register_fn(format!("py_i{name}"), move |ctx: NativeCallContext, a: Dynamic, b: Dynamic| {
            binary(&r, &ctx, op, &a, &b, true)
        });
    }
    let r = rt.clone();
    engine.register_fn("py_neg", move |ctx: NativeCallContext, a: Dynamic| {
        let zero = Dynamic::from(false);
        binary(&r, &ctx, "-", &zero, &a, false)
    });
    let r = rt.clone();
    engine.register_fn("py_pos", move |ctx: NativeCallContext, a: Dynamic| {
        let zero = Dynamic::from(false);
        binary(&r, &ctx, "+", &zero, &a, false)
    });
    let r = rt.clone();
    engine.register_fn("py_invert", move |ctx: NativeCallContext, a: Dynamic| {
        let minus_one = Dynamic::from(PyObj::owned(&r, heap(r.heap.borrow_mut().new_int(-1))?));
        binary(&r, &ctx, "^", &a, &minus_one, false)
    });
    let r = rt.clone();
    engine.register_fn("py_truth", move |v: Dynamic| truth(&r.heap.borrow(), &v));
    let r = rt.clone();
    engine.register_fn("py_eq", move |a: Dynamic, b: Dynamic| equal(&r.heap.borrow(), &a, &b));
    let r = rt.clone();
    engine.register_fn("py_ne", move |a: Dynamic, b: Dynamic| !equal(&r.heap.borrow(), &a, &b));
    for (name, op, want) in [
        ("py_lt", "<", [true, false, false]),
        ("py_le", "<=", [true, true, false]),
        ("py_gt", ">", [false, false, true]),
        ("py_ge", ">=", [false, true, true]),
    ] {
        let r = rt.clone();
        engine.register_fn(name, move |a: Dynamic, b: Dynamic| -> RResult<bool> {
            let o = order(&r.heap.borrow(), &a, &b, op)?;
            Ok(match o {
                std::cmp::Ordering::Less => want[0],
                std::cmp::Ordering::Equal => want[1],
                std::cmp::Ordering::Greater => want[2],
            })
        });
    }
    engine.register_fn("py_is", |a: Dynamic, b: Dynamic| match (obj(&a), obj(&b)) {
        (Some(x), Some(y)) => x == y,
        (None, None) => {
            (a.is_unit() && b.is_unit()) || (a.as_bool().ok().is_some() && a.as_bool().ok() == b.as_bool().ok())
        }
        _ => false,
    });
    let r = rt.clone();
    engine.register_fn("py_in", move |x: Dynamic, c: Dynamic| contains(&r, &c, &x));
    let r = rt.clone();
    engine.register_fn("py_getitem", move |ctx: NativeCallContext, o: Dynamic, k: Dynamic| getitem(&r, &ctx, &o, &k));
    let r = rt.clone();
    engine.register_fn("py_setitem", move |ctx: NativeCallContext, o: Dynamic, k: Dynamic, v: Dynamic| {
        setitem(&r, &ctx, &o, k, v)
    });
    let r = rt.clone();
    engine.register_fn("py_delitem", move |ctx: NativeCallContext, o: Dynamic, k: Dynamic| delitem(&r, &ctx, &o, k));
    let r = rt.clone();
    engine.register_fn("py_getslice", move |o: Dynamic, lo: Dynamic, hi: Dynamic, st: Dynamic| {
        getslice(&r, &o, &lo, &hi, &st)
    });
    let r = rt.clone();
    engine.register_fn("py_i64", move |v: Dynamic| -> RResult<INT> { int_arg(&r.heap.borrow(), &v) });
}
