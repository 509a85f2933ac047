//! The Memory view's data: the ledger at the cursor, its pinned arenas sparsest first, and their first
//! owners named as a user would find them (`#29330 Thing survivors[293]`). Built once per position.

use super::describe;
use crate::heap::{ArenaUse, EdgeLabel, Ledger, ObjId};
use crate::timeline::Recording;
use crate::timeline::image::Image;
use rustc_hash::FxHashMap;

/// Owners named per pinned arena; the rest are counted.
pub const NAMED_OWNERS: usize = 3;
/// Pinned arenas whose owners are named (the list shows the sparsest first).
const NAMED_ARENAS: usize = 32;

/// The ledger at one position, ready to draw.
#[derive(Clone, Debug)]
pub struct MemoryView {
    /// The ledger.
    pub ledger: Ledger,
    /// Arenas with live blocks, sparsest first.
    pub pinned: Vec<ArenaUse>,
    /// For the first pinned arenas, their first owners described.
    pub owners: Vec<Vec<String>>,
}

impl MemoryView {
    /// The view of `img`; `names` are the bound names at the cursor.
    pub fn of(r: &Recording, img: &Image, names: &FxHashMap<ObjId, Vec<String>>) -> MemoryView {
        let ledger = img.ledger();
        let pinned: Vec<ArenaUse> = ledger.pinned().into_iter().cloned().collect();
        let first = |a: &ArenaUse| a.objects.iter().flatten().take(NAMED_OWNERS).copied().collect::<Vec<_>>();
        let wanted: Vec<ObjId> = pinned.iter().take(NAMED_ARENAS).flat_map(first).collect();
        let holders = holders(img, &wanted);
        let name = |id: ObjId| {
            let Some(o) = img.get(id) else { return id.to_string() };
            let what = describe::type_name(r, o);
            let by = names.get(&id).and_then(|n| n.first().cloned()).or_else(|| {
                let &(from, label) = holders.get(&id)?.first()?;
                let edge = match label {
                    EdgeLabel::Attr(_) | EdgeLabel::Item(_) => describe::edge(r, label),
                    EdgeLabel::Key(_) | EdgeLabel::Value(_) => format!(" ({})", describe::edge(r, label)),
                    _ => format!(".{}", describe::edge(r, label)),
                };
                Some(match names.get(&from).and_then(|n| n.first()) {
                    Some(n) => format!("{n}{edge}"),
                    None => format!("{from}{edge}"),
                })
            });
            match by {
                Some(by) => format!("{id} {what} {by}"),
                None => format!("{id} {what}"),
            }
        };
        let owners = pinned.iter().take(NAMED_ARENAS).map(|a| first(a).into_iter().map(name).collect()).collect();
        MemoryView { ledger, pinned, owners }
    }
}

/// Who refers to each of `ids`: one pass over the heap's edges.
fn holders(img: &Image, ids: &[ObjId]) -> FxHashMap<ObjId, Vec<(ObjId, EdgeLabel)>> {
    let mut found: FxHashMap<ObjId, Vec<_>> = ids.iter().map(|&id| (id, Vec::new())).collect();
    if ids.is_empty() {
        return found;
    }
    for (from, o) in img.live_objects() {
        for e in o.edges.iter() {
            if let Some(v) = found.get_mut(&e.target) {
                v.push((from, e.label));
            }
        }
    }
    found
}
