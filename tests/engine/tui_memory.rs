//! The Memory view on fragmentation.py: the ledger's parts on one screen, the arenas survivors pin
//! sparsest first with the survivors named, and `enter` on an arena filters the table to its objects.

use crate::tui::{act, app, at, screen};
use heapscope::heap::Part;
use heapscope::tui::action::Action::*;
use heapscope::tui::state::{Panel, Zoom};

#[test]
fn the_memory_view_shows_what_is_held_and_which_objects_pin_it() {
    let mut a = app("fragmentation.py", (140, 44));
    act(&mut a, &[NextStep, NextStep, NextStep, PrevStop]);
    at(&a, "step 3/4 · done");
    act(&mut a, &[Memory]);
    assert_eq!((a.ui.focus, a.ui.zoom), (Panel::Pools, Zoom::Memory));
    let m = a.cache.ledger.as_ref().expect("the ledger is worked out for the view");
    assert_eq!(m.ledger.sum(), m.ledger.held, "the parts add up");
    assert!(m.ledger.fragmented());
    assert_eq!((m.pinned[0].arena, m.pinned[0].live_blocks), (7, 4), "the sparsest arena first");
    assert!(m.owners[0][0].ends_with(" survivors[296]"), "owners are named by who holds them: {:?}", m.owners[0]);
    let s = screen(&a);
    assert!(s.contains("8 arenas hold live blocks that would fit in 1"), "{s}");
    assert!(s.contains(&format!(
        "free in pools {}",
        heapscope::heap::ledger::human_bytes(m.ledger.part(Part::FreeInPools))
    )));
    insta::assert_snapshot!("memory_view_fragmented", s);

    act(&mut a, &[Enter]);
    assert_eq!((a.ui.focus, a.ui.objects.filter.as_str()), (Panel::Objects, "arena=7"));
    assert_eq!(a.cache.rows.len(), 4, "the table lists the 4 objects keeping arena 7");
    act(&mut a, &[Memory, Down, Enter]);
    assert_eq!(a.ui.objects.filter, "arena=5", "the next sparsest");
    act(&mut a, &[Memory, Back]);
    assert_eq!(a.ui.zoom, Zoom::Arenas, "esc leaves the Memory view for the pool map");
    assert!(a.cache.ledger.is_none(), "and the ledger is no longer kept");

    // Per pool on request: zoomed into the pool of a survivor, the panel says what keeps that pool in use.
    let survivor = a.cache.rows[0];
    let img = &a.session.cursor.image;
    let (_, o) = img.at_slot(survivor).unwrap();
    let (arena, slot) = img.alloc.locate(o.addr).unwrap();
    a.ui.zoom = Zoom::Pool(arena, slot % img.alloc.pools_per_arena() as usize);
    a.refresh();
    let owners = a.cache.pool_owners.clone().expect("a zoomed pool's owners are worked out");
    assert!(owners.count >= 1 && owners.named.iter().any(|n| n.contains(" survivors[")), "{owners:?}");
    assert!(screen(&a).contains(&format!("kept by {} object", owners.count)), "{}", screen(&a));
}

/// At the run's end the survivors are gone: one arena with live blocks, and the free arena 3.9+ keeps is
/// its own part.
#[test]
fn after_the_last_free_the_view_shows_the_arena_kept_free() {
    let mut a = app("fragmentation.py", (140, 44));
    act(&mut a, &[End, Memory]);
    let m = a.cache.ledger.as_ref().unwrap();
    assert!(!m.ledger.fragmented());
    assert_eq!(m.ledger.part(Part::FreeArenas), m.ledger.arena_size);
    let s = screen(&a);
    assert!(s.contains("free arenas 1.0 MiB"), "{s}");
    assert!(s.contains("1 arena with live blocks, as many as they need"), "{s}");
}
