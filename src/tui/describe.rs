//! How objects, edges, generations and events read on screen, as Python would name them.

use crate::heap::gc::GcList;
use crate::heap::profile::class_size;
use crate::heap::{Cause, EdgeLabel, Event, Kind, ObjId, Value};
use crate::timeline::Recording;
use crate::timeline::image::{Image, ObjRec, oflags};
use crate::timeline::recording::Label;

/// `type(x).__name__`: a class's name for its instances, `type` for a class.
pub fn type_name<'r>(r: &'r Recording, o: &ObjRec) -> &'r str {
    if o.kind == Kind::Instance
        && let Some(class) = o.edges.iter().find(|e| e.label == EdgeLabel::Type)
        && let Some(Label::Class(n)) = r.label(class.target)
    {
        return r.name(*n);
    }
    if is_object_type(o) {
        return "type";
    }
    o.kind.type_name()
}

/// The one static plain object: the `object` type that every MRO ends with.
fn is_object_type(o: &ObjRec) -> bool {
    o.kind == Kind::Object && o.has(oflags::STATIC)
}

/// A short description of the value: `1000`, `'abc'`, `class Node`, `range(0, 10)`.
pub fn value(r: &Recording, id: ObjId) -> Option<String> {
    Some(match r.label(id)? {
        Label::Class(n) => format!("class {}", r.name(*n)),
        Label::Value(Value::Int(i)) => i.to_string(),
        Label::Value(Value::Float(f)) => format!("{f:?}"),
        Label::Value(Value::Str(s)) => {
            let quoted = format!("{s:?}");
            format!("'{}'", &quoted[1..quoted.len() - 1])
        }
        Label::Value(Value::Bytes(n)) => format!("b'…' ({n} bytes)"),
        Label::Value(Value::Range(a, b, 1)) => format!("range({a}, {b})"),
        Label::Value(Value::Range(a, b, s)) => format!("range({a}, {b}, {s})"),
    })
}

/// The type and, if known, the value: `int 1000`, `Node`, `type class Node`.
pub fn what(r: &Recording, id: ObjId, o: &ObjRec) -> String {
    let t = type_name(r, o);
    if is_object_type(o) {
        return "type object".to_string();
    }
    match value(r, id) {
        Some(v) => format!("{t} {v}"),
        None => t.to_string(),
    }
}

/// Where the collector has it: `0`, `1`, `2`, `frozen`, `untracked`, `immortal`, `candidate` (of the
/// collection running); on the incremental collector (3.14) `young` and `old`.
pub fn generation(img: &Image, id: ObjId, o: &ObjRec) -> &'static str {
    let incremental = img.version.incremental_gc();
    match img.gc_list(id) {
        Some(GcList::Permanent) => "frozen",
        Some(GcList::Gen0) if incremental => "young",
        Some(_) if incremental => "old",
        Some(GcList::Gen0) => "0",
        Some(GcList::Gen1) => "1",
        Some(GcList::Gen2) => "2",
        None if o.has(oflags::IMMORTAL) => "immortal",
        None if o.has(oflags::TRACKED) => "candidate",
        None => "untracked",
    }
}

/// An edge's label as Python spells the reference: `.next`, `[3]`, `__dict__`, `key #0`.
pub fn edge(r: &Recording, label: EdgeLabel) -> String {
    match label {
        EdgeLabel::Type => "__class__".into(),
        EdgeLabel::Dict => "__dict__".into(),
        EdgeLabel::Attr(n) => format!(".{}", r.name(n)),
        EdgeLabel::Internal(n) => r.name(n).to_string(),
        EdgeLabel::Item(i) => format!("[{i}]"),
        EdgeLabel::Key(i) => format!("key #{i}"),
        EdgeLabel::Value(i) => format!("value #{i}"),
    }
}

/// Thousands separated by commas.
pub fn n(v: u64) -> String {
    crate::heap::obmalloc::thousands(v)
}

/// A count in at most `width` characters: with separators when they fit, else `498k`, `4.3G`.
pub fn compact(v: u64, width: usize) -> String {
    let full = n(v);
    if full.len() <= width {
        return full;
    }
    let (x, unit) = match v {
        0..1_000_000 => (v as f64 / 1e3, "k"),
        1_000_000..1_000_000_000 => (v as f64 / 1e6, "M"),
        _ => (v as f64 / 1e9, "G"),
    };
    let one = format!("{x:.1}{unit}");
    if one.len() <= width { one } else { format!("{x:.0}{unit}") }
}

pub use crate::heap::ledger::human_bytes as bytes;

fn cause(r: &Recording, c: Cause) -> String {
    match c {
        Cause::Root => "name/temp".into(),
        Cause::Runtime => "runtime".into(),
        Cause::Edge(from, l) => format!("{from}{}", edge(r, l)),
        Cause::Dealloc(from) => format!("{from} freed"),
        Cause::GcClear(from) => format!("{from} tp_clear"),
    }
}

/// One event, for the event log: what happened and why.
pub fn event(r: &Recording, e: &Event) -> String {
    match *e {
        Event::BlockAlloc { addr, nbytes, class: Some(c) } => {
            format!("block {addr:#x} ({nbytes} B asked, class {} B)", class_size(usize::from(c)))
        }
        Event::BlockAlloc { addr, nbytes, class: None } => {
            format!("raw block {addr:#x} ({} asked)", bytes(u64::from(nbytes)))
        }
        Event::BlockFree { addr, .. } => format!("free block {addr:#x}"),
        Event::BlockResize { addr, from, to } => format!("block {addr:#x} resized in place: {from} → {to} B asked"),
        Event::BlockKept { addr, kept: true, .. } => format!("block {addr:#x} kept on a free list"),
        Event::BlockKept { addr, kept: false, .. } => format!("block {addr:#x} reused from a free list"),
        Event::ObjStorage { id, addr: 0 } => format!("{id} lets go of its storage block"),
        Event::ObjStorage { id, addr } => format!("{id} storage at {addr:#x}"),
        Event::PoolInit { pool, class } => {
            format!("pool {pool:#x} set up for {} B blocks", class_size(usize::from(class)))
        }
        Event::PoolFull { pool } => format!("pool {pool:#x} full: out of usedpools"),
        Event::PoolUsed { pool } => format!("pool {pool:#x} back in usedpools"),
        Event::PoolEmpty { pool } => format!("pool {pool:#x} empty: to its arena's freepools"),
        Event::ArenaNew { index, addr, .. } => format!("new arena {index} at {addr:#x}"),
        Event::ArenaFree { index, .. } => format!("arena {index} returned to the OS"),
        Event::ObjAlloc { id, kind, addr } => format!("new {} {id} at {addr:#x}", kind.type_name()),
        Event::ObjSize { id, size } => format!("{id} getsizeof {size}"),
        Event::ObjStatic { id, immortal, .. } => {
            format!("{id} is a static singleton{}", if immortal { ", immortal" } else { "" })
        }
        Event::ObjImmortal { id, .. } => format!("{id} interned: immortal from now on"),
        Event::ObjFree { id } => format!("{id} freed"),
        Event::IncRef { id, refcnt, cause: c } => format!("{id} refcnt {refcnt} (+{})", cause(r, c)),
        Event::DecRef { id, refcnt, cause: c } => format!("{id} refcnt {refcnt} (−{})", cause(r, c)),
        Event::Track { id, tracked: true } => format!("{id} tracked: joins generation 0"),
        Event::Track { id, tracked: false } => format!("{id} untracked"),
        Event::Finalize { id } => format!("{id}.__del__() runs"),
        Event::WeakrefCleared { weakref, callback } => {
            format!("weakref {weakref} cleared{}", if callback { ", its callback is due" } else { "" })
        }
        Event::EdgeInsert { owner, index } => format!("{owner}: insert at [{index}]"),
        Event::EdgeReplace { owner, index } => format!("{owner}: replace reference #{index}"),
        Event::EdgeDetach { owner, index } => format!("{owner}: reference #{index} moved out"),
        Event::EdgeAttach { owner, edge: e } => format!("{owner}{} moved in", edge(r, e.label)),
        Event::EdgesRelabeled { owner, from } => format!("{owner}: items from [{from}] renumbered"),
        Event::WeakrefNew { weakref, target } => format!("weakref {weakref} to {target}"),
        Event::GcMove { id, list } => format!("{id} → {}", list_name(list)),
        Event::GcTakeAll { list } => format!("collection takes all of {}", list_name(Some(list))),
        Event::GcPhase { generation, phase } => format!("gc (generation {generation}): {}", phase.c_name()),
        Event::GcRefs { id, refs } => format!("{id} gc_refs = {refs}"),
        Event::GcUnreachable { id } => format!("{id} is unreachable"),
        Event::GcCounts { count } => format!("gc.get_count() = ({}, {}, {})", count[0], count[1], count[2]),
        Event::GcDone { generation, collected, uncollectable, .. } => {
            format!("collection of generation {generation} done: {collected} collected, {uncollectable} uncollectable")
        }
        Event::GcConfig { thresholds: t, enabled } => {
            format!("gc thresholds ({}, {}, {}), {}", t[0], t[1], t[2], if enabled { "enabled" } else { "disabled" })
        }
        Event::GcGarbage { id, added } => {
            format!("{id} {} gc.garbage", if added { "appended to" } else { "released from" })
        }
    }
}

fn list_name(l: Option<GcList>) -> &'static str {
    match l {
        Some(GcList::Gen0) => "generation 0",
        Some(GcList::Gen1) => "generation 1",
        Some(GcList::Gen2) => "generation 2",
        Some(GcList::Permanent) => "the permanent generation",
        None => "no list (a candidate)",
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_shrink_to_their_column() {
        use super::compact;
        assert_eq!(compact(98_247, 6), "98,247");
        assert_eq!(compact(498_247, 6), "498.2k");
        assert_eq!(compact(4_294_967_295, 6), "4.3G");
        assert_eq!(compact(8_000_056, 6), "8.0M");
    }
}
