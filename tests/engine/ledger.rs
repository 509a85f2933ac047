//! The memory ledger on small heaps whose every byte can be worked out by hand.

use crate::support::{Mirror, assert_ok, heap};
use heapscope::heap::{Part, PyVersion};

/// Ten 1000s ask 28 bytes each (`sys.getsizeof(1000)` on 3.11) and get 32-byte blocks: 280 live bytes,
/// 40 of rounding, and the rest of their pool free.
#[test]
fn live_bytes_are_what_objects_asked_for_and_rounding_is_the_rest_of_their_blocks() {
    let mut h = heap(PyVersion::V3_11);
    let before = h.ledger();
    let ints: Vec<_> = (0..10).map(|i| h.new_int(1000 + i).unwrap()).collect();
    let l = h.ledger();
    assert_eq!(l.part(Part::Live) - before.part(Part::Live), 280);
    assert_eq!(l.part(Part::Rounding) - before.part(Part::Rounding), 40);
    assert_eq!(l.sum(), l.held);
    let owners = |a: &heapscope::heap::ArenaUse| a.objects.clone().unwrap_or_default();
    let arena = l.arenas.iter().find(|a| owners(a).contains(&ints[0])).expect("the ints' arena lists them");
    assert!(ints.iter().all(|i| owners(arena).contains(i)));
    for i in ints {
        h.dec_root(i).unwrap();
    }
    assert_eq!(h.ledger().part(Part::Live), before.part(Part::Live));
    assert_ok(&h);
}

/// fragmentation.py's story: survivors one in a hundred pin every arena; freeing them returns all but the
/// one free arena 3.9+ keeps (bpo-37257), which 3.8 returns too. The replayed image agrees throughout.
#[test]
fn survivors_pin_arenas_and_freeing_them_gives_the_arenas_back() {
    for (v, kept_free_arenas) in [(PyVersion::V3_8, 0), (PyVersion::V3_11, 1)] {
        let mut h = heap(v);
        let mut mirror = Mirror::attach(&mut h);
        let things: Vec<_> = (0..30_000).map(|_| h.new_bytes(200).unwrap()).collect();
        let peak = h.ledger();
        assert!(peak.arenas.len() >= 5, "{v:?}: {} arenas", peak.arenas.len());
        assert!(!peak.fragmented(), "{v:?}: a full heap needs its arenas");
        let survivors: Vec<_> = things.iter().copied().step_by(100).collect();
        for (i, t) in things.into_iter().enumerate() {
            if i % 100 != 0 {
                h.dec_root(t).unwrap();
            }
        }
        mirror.assert_matches(&h, format!("{v:?}"));
        let l = h.ledger();
        assert!(l.fragmented(), "{v:?}: 300 objects need one arena, {} are mapped", l.arenas.len());
        let pinned = l.pinned();
        assert!(pinned.iter().all(|a| a.is_sparse()), "{v:?}: a few survivors per arena");
        let listed: Vec<_> = pinned.iter().flat_map(|a| a.objects.clone().unwrap_or_default()).collect();
        assert_eq!(listed.len(), survivors.len(), "{v:?}: every survivor pins exactly one arena");
        assert!(listed.iter().all(|id| survivors.contains(id)));
        assert!(l.part(Part::FreeInPools) > 10 * l.part(Part::Live), "{v:?}: the freed space stays in pools");
        for s in survivors {
            h.dec_root(s).unwrap();
        }
        mirror.assert_matches(&h, format!("{v:?}"));
        let l = h.ledger();
        let free_arenas = l.arenas.iter().filter(|a| a.used_pools == 0).count();
        assert_eq!(free_arenas, kept_free_arenas, "{v:?}");
        assert_eq!(l.part(Part::FreeArenas), kept_free_arenas as u64 * l.arena_size, "{v:?}");
        assert_ok(&h);
    }
}

/// Free-list blocks are held but not live, and a full collection (which empties the lists) gives them back.
#[test]
fn free_list_blocks_are_their_own_part() {
    let mut h = heap(PyVersion::V3_12);
    h.clear_free_lists().unwrap();
    let floats: Vec<_> = (0..50).map(|i| h.new_float(f64::from(i)).unwrap()).collect();
    for f in floats {
        h.dec_root(f).unwrap();
    }
    let l = h.ledger();
    assert!(l.part(Part::FreeLists) >= 24 * 50 - 24 * 50 % 32, "{}", l.part(Part::FreeLists));
    h.gc_collect(2).unwrap();
    assert_eq!(h.ledger().part(Part::FreeLists), 0);
    assert_ok(&h);
}
