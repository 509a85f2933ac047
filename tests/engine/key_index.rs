//! Big dicts and sets look keys up through an index: a seeded run of inserts, deletes and lookups on
//! containers far past the index's threshold agrees, after every operation, with a plain model of Python's
//! dict and set (insertion order, `1 == 1.0`, deletes leaving dummies), and the heap's invariants hold.

use crate::support::{assert_ok, heap};
use heapscope::heap::{Heap, ObjId, PyVersion, Value};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A new key object equal to `k`: an int, an integral float, or a str.
fn key(h: &mut Heap, rng: &mut ChaCha8Rng, k: i64) -> (ObjId, String) {
    match rng.random_range(0..3) {
        0 => (h.new_int(i128::from(k)).unwrap(), format!("n{k}")),
        1 => (h.new_float(k as f64).unwrap(), format!("n{k}")),
        _ => (h.new_str(&format!("s{k}")).unwrap(), format!("s{k}")),
    }
}

/// The model's name of a key object.
fn name(h: &Heap, id: ObjId) -> String {
    match h.value(id).unwrap() {
        Some(Value::Int(i)) => format!("n{i}"),
        Some(Value::Float(f)) => format!("n{}", *f as i64),
        Some(Value::Str(s)) => s.to_string(),
        other => panic!("unexpected key {other:?}"),
    }
}

#[test]
fn indexed_dicts_and_sets_agree_with_a_model_after_every_operation() {
    let mut rng = ChaCha8Rng::seed_from_u64(14);
    let mut h = heap(PyVersion::V3_13);
    let (d, s) = (h.new_dict().unwrap(), h.new_set().unwrap());
    let (mut dict_model, mut set_model): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    for step in 0..20_000 {
        let k = rng.random_range(0..300);
        let (kid, kname) = key(&mut h, &mut rng, k);
        let (c, model) = if rng.random_bool(0.6) { (d, &mut dict_model) } else { (s, &mut set_model) };
        let present = model.contains(&kname);
        let is_dict = c == d;
        match rng.random_range(0..10) {
            0..=5 if is_dict => {
                h.dict_set(d, kid, kid).unwrap();
                if !present {
                    model.push(kname.clone());
                }
            }
            0..=5 => {
                h.set_add(s, kid).unwrap();
                if !present {
                    model.push(kname.clone());
                }
            }
            6..=8 if is_dict => {
                assert_eq!(h.dict_del(d, kid).is_ok(), present, "del d[{kname}] at step {step}");
                model.retain(|m| *m != kname);
            }
            6..=8 => {
                assert_eq!(h.set_discard(s, kid).unwrap(), present, "s.discard({kname}) at step {step}");
                model.retain(|m| *m != kname);
            }
            _ if is_dict => assert_eq!(h.dict_get(d, kid).unwrap().is_some(), present, "{kname} in d, step {step}"),
            _ => assert_eq!(h.set_contains(s, kid).unwrap(), present, "{kname} in s, step {step}"),
        }
        h.dec_root(kid).unwrap();
        let order: Vec<String> = h.keys(c).unwrap().into_iter().map(|k| name(&h, k)).collect();
        if is_dict {
            assert_eq!(&order, model, "dict keys in insertion order at step {step}");
        } else {
            let (mut a, mut b) = (order.clone(), model.clone());
            a.sort();
            b.sort();
            assert_eq!(a, b, "set members at step {step}");
        }
        if step % 500 == 0 {
            assert_ok(&h);
        }
    }
    assert!(dict_model.len() > 100 && set_model.len() > 100, "the containers grew past the index threshold");
    assert_ok(&h);
}
