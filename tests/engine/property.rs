//! A seeded random-operations test: after every one of 100,000 operations the heap's invariants hold, and
//! once every root of the (acyclic) graph is dropped, every object the run created is gone.

use crate::support::{Mirror, heap};
use heapscope::heap::{ClassSpec, Heap, ObjId, PyVersion};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A root the test holds, with a creation number: edges only go from newer to older objects, so the graph
/// stays acyclic and reference counting alone must free it all.
#[derive(Clone, Copy)]
struct Held {
    id: ObjId,
    seq: u64,
}

struct World {
    h: Heap,
    rng: ChaCha8Rng,
    held: Vec<Held>,
    seq: u64,
    classes: Vec<ObjId>,
}

impl World {
    fn hold(&mut self, id: ObjId) {
        self.seq += 1;
        self.held.push(Held { id, seq: self.seq });
    }

    fn pick(&mut self) -> Option<Held> {
        (!self.held.is_empty()).then(|| self.held[self.rng.random_range(0..self.held.len())])
    }

    /// Two held objects, newer first, if there are two distinct ones.
    fn pick_pair(&mut self) -> Option<(Held, Held)> {
        let (a, b) = (self.pick()?, self.pick()?);
        match a.seq.cmp(&b.seq) {
            std::cmp::Ordering::Greater => Some((a, b)),
            std::cmp::Ordering::Less => Some((b, a)),
            std::cmp::Ordering::Equal => None,
        }
    }

    fn drain_calls(&mut self) {
        while self.h.take_call().is_some() {
            self.h.finish_call().unwrap();
        }
    }

    fn create(&mut self) {
        let r = self.rng.random_range(0..11);
        let id = match r {
            0 => self.h.new_int(self.rng.random_range(-10..100_000)).unwrap(),
            1 => self.h.new_float(1.5).unwrap(),
            2 => {
                let len = self.rng.random_range(0..12);
                self.h.new_str(&"x".repeat(len)).unwrap()
            }
            3 => self.h.new_bytes(self.rng.random_range(0..700)).unwrap(),
            4 => {
                let items: Vec<ObjId> =
                    (0..self.rng.random_range(0..4)).filter_map(|_| self.pick()).map(|h| h.id).collect();
                self.h.new_tuple(&items).unwrap()
            }
            5 => self.h.new_list().unwrap(),
            6 => self.h.new_dict().unwrap(),
            7 => self.h.new_set().unwrap(),
            8 => self.h.new_object().unwrap(),
            _ => {
                let c = self.classes[self.rng.random_range(0..self.classes.len())];
                self.h.new_instance(c).unwrap()
            }
        };
        self.hold(id);
    }

    fn mutate(&mut self) {
        let Some((a, b)) = self.pick_pair() else { return };
        let h = &mut self.h;
        let kind = h.get(a.id).unwrap().kind();
        use heapscope::heap::Kind::*;
        let hashable = !matches!(h.get(b.id).unwrap().kind(), List | Dict | Set);
        // Errors (wrong types, unhashable keys, missing slots) are part of the API; they must leave the heap
        // consistent, which `check` verifies after every step.
        let _ = match (kind, self.rng.random_range(0..4)) {
            (List, 0) => h.list_append(a.id, b.id),
            (List, 1) => h.list_insert(a.id, self.rng.random_range(-3..3), b.id),
            (List, 2) => h.list_pop(a.id, -1).and_then(|x| h.dec_root(x)),
            (List, _) => h.list_set(a.id, 0, b.id),
            (Dict, 0..=1) if hashable => h.dict_set(a.id, b.id, b.id),
            (Dict, _) => h.dict_del(a.id, b.id),
            (Set, 0..=1) if hashable => h.set_add(a.id, b.id),
            (Set, _) => h.set_discard(a.id, b.id).map(|_| ()),
            (Instance, 0..=1) => h.set_attr(a.id, ["x", "y", "z"][self.rng.random_range(0..3)], b.id),
            (Instance, 2) => h.del_attr(a.id, "x"),
            (Instance, _) => h.new_weakref(a.id, Some(b.id)).and_then(|w| h.dec_root(w)),
            _ => h.inc_root(a.id).and_then(|_| h.dec_root(a.id)),
        };
        self.drain_calls();
    }

    fn drop_one(&mut self) {
        if self.held.is_empty() {
            return;
        }
        let i = self.rng.random_range(0..self.held.len());
        let gone = self.held.swap_remove(i);
        self.h.dec_root(gone.id).unwrap();
        self.drain_calls();
    }
}

#[test]
fn random_operations_keep_every_invariant_and_free_everything() {
    for (v, seed) in [(PyVersion::V3_8, 1u64), (PyVersion::V3_11, 2), (PyVersion::V3_13, 3)] {
        let mut h = heap(v);
        let mut mirror = Mirror::attach(&mut h);
        let mut classes = Vec::new();
        for (name, spec) in [
            ("Plain", ClassSpec::default()),
            ("WithDel", ClassSpec { has_del: true, ..Default::default() }),
            ("Slotted", ClassSpec { slots: Some(vec![h.intern("x"), h.intern("y")]), ..Default::default() }),
        ] {
            classes.push(h.new_class(name, spec).unwrap());
        }
        let baseline = h.user_objects();
        let mut w = World { h, rng: ChaCha8Rng::seed_from_u64(seed), held: Vec::new(), seq: 0, classes };
        let ops = 34_000;
        for step in 0..ops {
            match w.rng.random_range(0..10) {
                0..=3 if w.held.len() < 300 => w.create(),
                0..=6 => w.mutate(),
                _ => w.drop_one(),
            }
            if let Err(e) = w.h.check() {
                panic!("{v}, seed {seed}, step {step}: {e}");
            }
            mirror.assert_matches(&w.h, format!("{v}, seed {seed}, step {step}"));
        }
        while !w.held.is_empty() {
            w.drop_one();
        }
        w.h.check().unwrap();
        assert_eq!(w.h.user_objects(), baseline, "{v}: everything but the classes was freed");
    }
}
