//! The Memory view's data: the ledger at the cursor, its pinned arenas sparsest first, and their first
//! owners named as a user would find them (`#29330 Thing survivors[293]`); and, zoomed into one pool, the
//! objects keeping it in use. Built once per position.

use super::describe;
use crate::heap::Value;
use crate::heap::{ArenaUse, EdgeLabel, Ledger, ObjId};
use crate::timeline::Recording;
use crate::timeline::image::Image;
use crate::timeline::recording::Label;
use rustc_hash::FxHashMap;

/// Owners named per pinned arena; the rest are counted.
const NAMED_OWNERS: usize = 3;
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
        let mut named = owner_names(r, img, names, &wanted).into_iter();
        let owners = pinned.iter().take(NAMED_ARENAS).map(|a| named.by_ref().take(first(a).len()).collect()).collect();
        MemoryView { ledger, pinned, owners }
    }
}

/// What keeps one pool in use: how many objects have a block in it, and the first few named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolOwners {
    /// Objects with their block or storage in the pool.
    pub count: usize,
    /// The first [`NAMED_OWNERS`] of them, named.
    pub named: Vec<String>,
    /// Allocated blocks no live object owns: free-list blocks kept for reuse, the start-up population's.
    pub unowned: u64,
}

impl PoolOwners {
    /// The owners of pool `pool` of arena `arena` in `img` (a walk over the objects, done once per position).
    pub fn of(r: &Recording, img: &Image, names: &FxHashMap<ObjId, Vec<String>>, arena: u32, pool: usize) -> Self {
        let empty = PoolOwners { count: 0, named: Vec::new(), unowned: 0 };
        let Some(start) = img.alloc.pool_addr(arena, pool) else { return empty };
        let end = start + u64::from(img.alloc.pool_size());
        let inside = |a: u64| (start..end).contains(&a);
        let (mut ids, mut owned) = (Vec::new(), 0u64);
        for (id, o) in img.live_objects() {
            let n = u64::from(inside(o.addr)) + u64::from(inside(o.storage));
            if n > 0 {
                ids.push(id);
                owned += n;
            }
        }
        let used = img.alloc.pool(arena, pool).map_or(0, |p| u64::from(p.nused));
        let first: Vec<ObjId> = ids.iter().take(NAMED_OWNERS).copied().collect();
        PoolOwners { count: ids.len(), named: owner_names(r, img, names, &first), unowned: used.saturating_sub(owned) }
    }
}

/// `#29330 Thing survivors[293]`: each of `ids` with its type and the first name or container holding it.
fn owner_names(r: &Recording, img: &Image, names: &FxHashMap<ObjId, Vec<String>>, ids: &[ObjId]) -> Vec<String> {
    let holders = referrers(img, ids);
    let name = |id: ObjId| {
        let Some(o) = img.get(id) else { return id.to_string() };
        // A constant's value says which it is (`str 'arena_size'`); a bytes object's `b'…'` would not.
        let what = match r.label(id) {
            Some(Label::Value(Value::Bytes(_))) | None => describe::type_name(r, o).to_string(),
            Some(_) => describe::what(r, id, o),
        };
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
    ids.iter().map(|&id| name(id)).collect()
}

/// Who refers to each of `ids`, and by which edge: one pass over the heap's edges, however many ids.
pub fn referrers(img: &Image, ids: &[ObjId]) -> FxHashMap<ObjId, Vec<(ObjId, EdgeLabel)>> {
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
