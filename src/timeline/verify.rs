//! Does a replayed image say what the live heap says? The check behind the claim that a recording shows every
//! past moment exactly: tests run it after every random operation and collection case, and at the end of
//! every step of every bundled scenario under every profile.

use super::image::{Image, oflags};
use crate::heap::Heap;

/// The first difference between `image` and `heap`, described, or `None` when they agree on every object
/// (type, counts, address, size, tracking, generation, edges in order, weakrefs), the allocator's pools, arenas
/// and raw blocks, and the collector's counts, thresholds and statistics.
pub fn mismatch(image: &Image, heap: &Heap) -> Option<String> {
    if image.live != heap.live_objects() {
        return Some(format!("live objects: image {} heap {}", image.live, heap.live_objects()));
    }
    for id in heap.object_ids() {
        let o = heap.get(id).ok()?;
        let Some(r) = image.get(id) else { return Some(format!("{id} is missing from the image")) };
        let size = heap.getsizeof(id).ok()? as u32;
        let generation = heap.gc_generation(id).ok()?;
        let weak = heap.weakref_count(id).ok()? as u16;
        let same = r.kind == o.kind()
            && r.refcnt == o.refcnt()
            && r.roots == o.root_refs()
            && r.addr == o.address()
            && r.size == size
            && r.has(oflags::TRACKED) == o.is_tracked()
            && r.has(oflags::IMMORTAL) == o.is_immortal()
            && r.has(oflags::STATIC) == o.is_static()
            && image.gc_list(id).map(|l| l as u8) == generation
            && r.weakrefs == weak;
        if !same {
            return Some(format!(
                "{id}: image {r:?} (list {:?}) vs heap {:?} refcnt {} roots {} addr {:#x} size {size} tracked {} \
                 list {generation:?} weakrefs {weak}",
                image.gc_list(id),
                o.kind(),
                o.refcnt(),
                o.root_refs(),
                o.address(),
                o.is_tracked()
            ));
        }
        if !r.edges.iter().eq(o.referents().iter()) {
            let mine: Vec<_> = r.edges.iter().collect();
            return Some(format!("{id} edges: image {mine:?} vs heap {:?}", o.referents()));
        }
    }
    alloc_mismatch(image, heap).or_else(|| gc_mismatch(image, heap)).or_else(|| {
        let (mine, theirs) = (image.ledger(), heap.ledger());
        (mine != theirs).then(|| format!("memory ledger: image {mine:?} vs heap {theirs:?}"))
    })
}

fn alloc_mismatch(image: &Image, heap: &Heap) -> Option<String> {
    let a = heap.allocator();
    for (arena, pool, class, count) in a.pools() {
        let Some(p) = image.alloc.pool(arena, pool) else {
            return Some(format!("arena {arena} pool {pool} is missing from the image"));
        };
        if p.nused != count as u16 || (count > 0 && p.class != Some(class)) {
            return Some(format!("arena {arena} pool {pool}: image {:?}/{} heap {class}/{count}", p.class, p.nused));
        }
    }
    let raw: Vec<(u64, u64)> = a.raw_blocks().collect();
    let mine: Vec<(u64, u64)> = image.alloc.raw.iter().map(|(&k, &v)| (k, v)).collect();
    if raw != mine {
        return Some(format!("raw blocks: image {mine:?} heap {raw:?}"));
    }
    let stats = a.stats();
    if image.alloc.arenas_current != stats.arenas_current || image.alloc.arenas_highwater != stats.arenas_highwater {
        return Some(format!(
            "arenas: image {}/{} heap {}/{}",
            image.alloc.arenas_current, image.alloc.arenas_highwater, stats.arenas_current, stats.arenas_highwater
        ));
    }
    (image.alloc.block_bytes != stats.allocated_bytes)
        .then(|| format!("bytes in blocks: image {} heap {}", image.alloc.block_bytes, stats.allocated_bytes))
}

fn gc_mismatch(image: &Image, heap: &Heap) -> Option<String> {
    let g = &image.gc;
    // The generation lists' lengths (3.14 keeps its two old spaces in lists 1 and 2).
    let lens: Vec<u64> = (0..3).map(|i| heap.gc_list_len(i) as u64).chain([heap.gc_freeze_count() as u64]).collect();
    let same = g.list_len[..] == lens[..]
        && g.count == heap.gc_count()
        && g.thresholds == heap.gc_threshold()
        && g.enabled == heap.gc_is_enabled()
        && g.stats == heap.gc_stats()
        && (heap.gc_collection().is_some() || g.last == heap.gc_last_result())
        && g.garbage as usize == heap.gc_garbage().len();
    (!same).then(|| {
        format!(
            "gc: image lists {:?} count {:?} thresholds {:?} enabled {} stats {:?} last {:?} garbage {} vs heap {lens:?} \
             {:?} {:?} {} {:?} {:?} {}",
            g.list_len,
            g.count,
            g.thresholds,
            g.enabled,
            g.stats,
            g.last,
            g.garbage,
            heap.gc_count(),
            heap.gc_threshold(),
            heap.gc_is_enabled(),
            heap.gc_stats(),
            heap.gc_last_result(),
            heap.gc_garbage().len()
        )
    })
}
