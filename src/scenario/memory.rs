//! The memory ledger as reports carry it: the bytes held, their parts, and the arenas live objects pin,
//! with those objects named the way a Python user would find them (`survivors[3]`, `node.next`).

use crate::heap::ledger::human_bytes;
use crate::heap::{EdgeLabel, Heap, Ledger, ObjId, Part};
use serde::Serialize;
use std::collections::HashMap;

/// How many pinned arenas, and owners per arena, the text report names (JSON carries them all).
const NAMED_ARENAS: usize = 5;
const NAMED_OWNERS: usize = 3;

/// What the allocator holds after a step.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Memory {
    /// Bytes held from the OS: mapped arenas plus raw blocks; the parts sum to it.
    pub held: u64,
    /// The nonzero parts, in report order.
    pub parts: Vec<MemoryPart>,
    /// Arenas the allocated blocks would need if their pools were full.
    pub arenas_needed: u64,
    /// Arenas mapped with live blocks in them, sparsest first.
    pub pinned: Vec<Pinned>,
    /// Whether more arenas are mapped than the blocks need (when `pinned` is the answer to "why so much").
    pub fragmented: bool,
}

/// One part of the bytes held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemoryPart {
    /// `live`, `rounding`, `free_in_pools`, … (see `docs/scenarios.md`).
    pub name: &'static str,
    /// Its bytes.
    pub bytes: u64,
}

/// An arena kept mapped by live blocks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pinned {
    /// The arena's slot.
    pub arena: u32,
    /// What freeing its blocks would give back (`ARENA_SIZE`).
    pub bytes: u64,
    /// Live blocks in it.
    pub live_blocks: u64,
    /// Their bytes.
    pub live_bytes: u64,
    /// For a sparse arena, the ids of the objects owning those blocks; `null` for a dense one.
    pub objects: Option<Vec<u32>>,
    /// Those objects as the text report names them: `#12 bytes (survivors[0])`.
    #[serde(skip)]
    pub owners: Vec<String>,
}

impl Memory {
    /// The ledger of `h` now; `bindings` are the scenario's names, to say who holds an owner.
    pub fn of(h: &Heap, bindings: &[(String, ObjId)]) -> Memory {
        let l: Ledger = h.ledger();
        let pinned = l.pinned();
        let named: Vec<ObjId> = (pinned.iter().take(NAMED_ARENAS))
            .flat_map(|a| a.objects.iter().flatten().take(NAMED_OWNERS).copied())
            .collect();
        let holders = holders(h, &named);
        let name = |id: ObjId| describe(h, bindings, &holders, id);
        Memory {
            held: l.held,
            parts: l.nonzero().map(|(p, bytes)| MemoryPart { name: p.key(), bytes }).collect(),
            arenas_needed: l.arenas_needed,
            fragmented: l.fragmented(),
            pinned: (pinned.iter().enumerate())
                .map(|(i, a)| Pinned {
                    arena: a.arena,
                    bytes: a.bytes,
                    live_blocks: a.live_blocks,
                    live_bytes: a.live_bytes,
                    objects: a.objects.as_ref().map(|v| v.iter().map(|id| id.index()).collect()),
                    owners: match &a.objects {
                        Some(v) if i < NAMED_ARENAS => v.iter().take(NAMED_OWNERS).map(|&id| name(id)).collect(),
                        _ => Vec::new(),
                    },
                })
                .collect(),
        }
    }

    /// `held 8.0 MiB = live 74.7 KiB + free in pools 3.1 MiB + …`, the parts by label.
    pub fn summary(&self) -> String {
        let parts: Vec<String> =
            (self.parts.iter()).map(|p| format!("{} {}", label(p.name), human_bytes(p.bytes))).collect();
        format!("held {} = {}", human_bytes(self.held), parts.join(" + "))
    }

    /// What keeps arenas mapped: the free arena CPython keeps, and when fragmented a line per pinned arena
    /// (the sparsest few).
    pub fn pinning(&self) -> Vec<String> {
        let mut lines = Vec::new();
        if let Some(free) = self.parts.iter().find(|p| p.name == Part::FreeArenas.key()) {
            lines.push(format!(
                "free arenas {}: wholly free, yet kept mapped for the next allocation (CPython 3.9+, bpo-37257)",
                human_bytes(free.bytes)
            ));
        }
        if !self.fragmented {
            return lines;
        }
        lines.push(format!(
            "{} arenas hold live blocks that would fit in {}; the sparsest:",
            self.pinned.len(),
            self.arenas_needed.max(1)
        ));
        for a in self.pinned.iter().take(NAMED_ARENAS) {
            let blocks =
                if a.live_blocks == 1 { "1 live block".into() } else { format!("{} live blocks", a.live_blocks) };
            let mut line = format!("arena {} ({}) kept by {blocks}", a.arena, human_bytes(a.bytes));
            if !a.owners.is_empty() {
                let more = a.objects.as_ref().map_or(0, Vec::len).saturating_sub(a.owners.len());
                line += &format!(": {}", a.owners.join(", "));
                if more > 0 {
                    line += &format!(" and {more} more");
                }
            }
            lines.push(line);
        }
        if self.pinned.len() > NAMED_ARENAS {
            lines.push(format!("… and {} more arenas with live blocks", self.pinned.len() - NAMED_ARENAS));
        }
        lines
    }
}

/// A part's human label from its JSON name.
fn label(key: &str) -> &'static str {
    Part::ALL.iter().find(|p| p.key() == key).map_or("?", |p| p.label())
}

/// For each of `ids`, the objects referring to it and how: one pass over the heap, however many ids.
fn holders(h: &Heap, ids: &[ObjId]) -> HashMap<ObjId, Vec<(ObjId, EdgeLabel)>> {
    let mut found: HashMap<ObjId, Vec<_>> = ids.iter().map(|&id| (id, Vec::new())).collect();
    if ids.is_empty() {
        return found;
    }
    for from in h.object_ids() {
        for e in h.get(from).map(|o| o.referents()).unwrap_or_default() {
            if let Some(v) = found.get_mut(&e.target) {
                v.push((from, e.label));
            }
        }
    }
    found
}

/// `#12 bytes (survivors[0])`: the object, its type, and the first name or container holding it.
fn describe(
    h: &Heap,
    bindings: &[(String, ObjId)],
    holders: &HashMap<ObjId, Vec<(ObjId, EdgeLabel)>>,
    id: ObjId,
) -> String {
    let bound = |id: ObjId| bindings.iter().find(|(_, b)| *b == id).map(|(n, _)| n.clone());
    let ty = h.type_name(id).unwrap_or_default();
    let by = bound(id).or_else(|| {
        let &(from, label) = holders.get(&id)?.first()?;
        let edge = match label {
            EdgeLabel::Item(_) => super::export::edge_label(h, label),
            EdgeLabel::Attr(_) | EdgeLabel::Internal(_) | EdgeLabel::Dict => {
                format!(".{}", super::export::edge_label(h, label))
            }
            _ => format!(" ({})", super::export::edge_label(h, label)),
        };
        Some(match bound(from) {
            Some(name) => format!("{name}{edge}"),
            None => format!("{from}{edge}"),
        })
    });
    match by {
        Some(by) => format!("{id} {ty} ({by})"),
        None => format!("{id} {ty}"),
    }
}
