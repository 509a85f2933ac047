//! Random object graphs with random cycles, collected at random moments (seeded): nothing reachable from a
//! root is ever freed, the heap's invariants hold after every step, and once every root is gone a full
//! collection leaves only what `gc.garbage` keeps alive.

use crate::support::Mirror;
use heapscope::heap::{ClassSpec, Heap, Kind, ObjId, Profile, PyVersion};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashSet;

/// Everything reachable from `from` by strong edges.
fn reachable(h: &Heap, from: impl IntoIterator<Item = ObjId>) -> HashSet<ObjId> {
    let mut seen = HashSet::new();
    let mut stack: Vec<ObjId> = from.into_iter().collect();
    while let Some(id) = stack.pop() {
        if seen.insert(id) {
            stack.extend(h.get(id).unwrap().referents().iter().map(|e| e.target));
        }
    }
    seen
}

fn run_calls(h: &mut Heap) {
    while h.take_call().is_some() {
        h.finish_call().unwrap();
    }
}

#[test]
fn collections_never_free_the_reachable_and_free_all_garbage() {
    for (v, seed) in [
        (PyVersion::V3_8, 11u64),
        (PyVersion::V3_10, 12),
        (PyVersion::V3_12, 13),
        (PyVersion::V3_13, 14),
        (PyVersion::V3_14_1, 15),
    ] {
        let mut h = Heap::new(Profile::for_version(v));
        let mut mirror = Mirror::attach(&mut h);
        h.gc_set_threshold([60, 5, 5]);
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let classes: Vec<ObjId> = [
            ClassSpec::default(),
            ClassSpec { has_del: true, ..Default::default() },
            ClassSpec { legacy_del: true, ..Default::default() },
        ]
        .into_iter()
        .enumerate()
        .map(|(i, spec)| h.new_class(&format!("C{i}"), spec).unwrap())
        .collect();
        let mut roots: Vec<ObjId> = Vec::new();
        for step in 0..12_000 {
            match rng.random_range(0..20) {
                0..=5 if roots.len() < 200 => {
                    // Mostly plain instances and containers; `__del__` now and then, a legacy finalizer rarely
                    // (everything it reaches becomes uncollectable).
                    let id = match rng.random_range(0..1000) {
                        0..=1 => h.new_instance(classes[2]).unwrap(),
                        2..=80 => h.new_instance(classes[1]).unwrap(),
                        81..=300 => h.new_list().unwrap(),
                        301..=450 => h.new_dict().unwrap(),
                        _ => h.new_instance(classes[0]).unwrap(),
                    };
                    run_calls(&mut h);
                    roots.push(id);
                }
                0..=12 if roots.len() >= 2 => {
                    let (a, mut b) = (roots[rng.random_range(0..roots.len())], roots[rng.random_range(0..roots.len())]);
                    // A legacy finalizer makes everything it reaches uncollectable; let it reach only itself so
                    // most garbage stays collectable.
                    if h.class_of(a).unwrap() == Some(classes[2]) {
                        b = a;
                    }
                    let _ = match h.get(a).unwrap().kind() {
                        Kind::List => h.list_append(a, b),
                        Kind::Dict => h.new_int(rng.random_range(1000..1100)).and_then(|k| {
                            let r = h.dict_set(a, k, b);
                            h.dec_root(k).and(r)
                        }),
                        _ => h.set_attr(a, ["p", "q"][rng.random_range(0..2)], b),
                    };
                    run_calls(&mut h);
                }
                13..=17 if !roots.is_empty() => {
                    let gone = roots.swap_remove(rng.random_range(0..roots.len()));
                    h.dec_root(gone).unwrap();
                    run_calls(&mut h);
                }
                _ => {
                    let must_live = reachable(&h, roots.iter().copied().chain(classes.iter().copied()));
                    if rng.random_bool(0.5) {
                        h.gc_collect(rng.random_range(0..3)).unwrap();
                    } else {
                        h.statement_boundary();
                    }
                    run_calls(&mut h);
                    for id in must_live {
                        assert!(h.get(id).is_ok(), "{v} step {step}: reachable {id} was freed");
                    }
                }
            }
            h.statement_boundary();
            run_calls(&mut h);
            if let Err(e) = h.check() {
                panic!("{v}, seed {seed}, step {step}: {e}");
            }
            mirror.assert_matches(&h, format!("{v}, seed {seed}, step {step}"));
        }
        for r in roots.drain(..) {
            h.dec_root(r).unwrap();
            run_calls(&mut h);
        }
        h.gc_collect(2).unwrap();
        run_calls(&mut h);
        h.check().unwrap();
        mirror.assert_matches(&h, format!("{v}: after the last collection"));
        // Statics (the `object` type every MRO ends with) are not heap objects.
        let kept: HashSet<ObjId> = reachable(&h, h.gc_garbage().iter().copied().chain(classes.iter().copied()))
            .into_iter()
            .filter(|&id| !h.get(id).unwrap().is_static())
            .collect();
        let live: HashSet<ObjId> = h.object_ids().filter(|&id| !h.get(id).unwrap().is_static()).collect();
        assert_eq!(live, kept, "{v}: after the last full collection only gc.garbage (and the classes) remain");
        let stats = h.gc_stats();
        let (collected, uncollectable): (u64, u64) = (stats.iter().map(|s| s.collected).sum(), stats[2].uncollectable);
        println!(
            "{v}: collected {collected}, uncollectable {uncollectable}, collections {:?}",
            stats.map(|s| s.collections)
        );
        assert!(collected > 100 && uncollectable > 0, "{v}: the run collected cycles ({collected}, {uncollectable})");
        assert!(stats[0].collections > 50, "{v}: automatic collections ran ({})", stats[0].collections);
    }
}
