//! `heapscope export`: the object graph as DOT (Graphviz) or the whole heap state as JSON.

use crate::heap::{EdgeLabel, Heap, ObjId};
use serde::Serialize;
use std::fmt::Write;

/// An edge's label as a viewer prints it.
pub fn edge_label(h: &Heap, label: EdgeLabel) -> String {
    match label {
        EdgeLabel::Type => "type".into(),
        EdgeLabel::Dict => "__dict__".into(),
        EdgeLabel::Attr(n) | EdgeLabel::Internal(n) => h.name(n).to_string(),
        EdgeLabel::Item(i) => format!("[{i}]"),
        EdgeLabel::Key(i) => format!("key {i}"),
        EdgeLabel::Value(i) => format!("value {i}"),
    }
}

fn generation(h: &Heap, id: ObjId) -> String {
    match h.gc_generation(id) {
        Ok(Some(3)) => "frozen".into(),
        Ok(Some(g)) => format!("gen {g}"),
        _ if h.get(id).is_ok_and(|o| o.is_immortal()) => "immortal".into(),
        _ => "untracked".into(),
    }
}

/// How a node is titled: `class Node` for a class, the type name otherwise.
fn title(h: &Heap, id: ObjId) -> String {
    match h.class_info(id) {
        Ok(info) => format!("class {}", h.name(info.name)),
        Err(_) => h.type_name(id).unwrap_or_default(),
    }
}

/// The graph in DOT: nodes labelled with type, refcount and generation; weak references dashed.
pub fn dot(h: &Heap) -> String {
    let mut out = String::from("digraph heap {\n  node [shape=box, fontname=\"monospace\"];\n");
    for id in h.object_ids() {
        let o = h.get(id).expect("listed objects are live");
        let rc = h.getrefcount(id).unwrap_or(0);
        let _ =
            writeln!(out, "  o{} [label=\"{}\\nrefcount {}\\n{}\"];", id.index(), title(h, id), rc, generation(h, id));
        for e in o.referents() {
            let _ = writeln!(out, "  o{} -> o{} [label=\"{}\"];", id.index(), e.target.index(), edge_label(h, e.label));
        }
        if let Ok(Some(t)) = h.weakref_get(id) {
            let _ = writeln!(out, "  o{} -> o{} [style=dashed, label=\"weak\"];", id.index(), t.index());
        }
    }
    out.push_str("}\n");
    out
}

#[derive(Serialize)]
struct JsonEdge {
    target: u32,
    label: String,
}

#[derive(Serialize)]
struct JsonObject {
    id: u32,
    address: u64,
    r#type: String,
    refcount: u64,
    getsizeof: u64,
    allocated: u64,
    gc: String,
    referents: Vec<JsonEdge>,
    weakref_to: Option<u32>,
}

#[derive(Serialize)]
struct JsonHeap {
    profile: String,
    gc_count: [u32; 3],
    arenas: u64,
    bytes_in_blocks: u64,
    memory: super::memory::Memory,
    objects: Vec<JsonObject>,
}

/// The whole heap state as JSON: every object with its edges, the allocator and collector totals, and the
/// memory ledger (as the JSON report has it per step); `bindings` name who holds what.
pub fn json(h: &Heap, bindings: &[(String, ObjId)]) -> String {
    let objects = h
        .object_ids()
        .map(|id| {
            let o = h.get(id).expect("listed objects are live");
            JsonObject {
                id: id.index(),
                address: o.address(),
                r#type: h.type_name(id).unwrap_or_default(),
                refcount: h.getrefcount(id).unwrap_or(0),
                getsizeof: h.getsizeof(id).unwrap_or(0),
                allocated: h.allocated_bytes(id).unwrap_or(0),
                gc: generation(h, id),
                referents: o
                    .referents()
                    .iter()
                    .map(|e| JsonEdge { target: e.target.index(), label: edge_label(h, e.label) })
                    .collect(),
                weakref_to: h.weakref_get(id).ok().flatten().map(|t| t.index()),
            }
        })
        .collect();
    let stats = h.allocator().stats();
    let state = JsonHeap {
        profile: h.profile().version.to_string(),
        gc_count: h.gc_count(),
        arenas: stats.arenas_current,
        bytes_in_blocks: stats.allocated_bytes,
        memory: super::memory::Memory::of(h, bindings),
        objects,
    };
    serde_json::to_string_pretty(&state).expect("heap state serializes")
}
