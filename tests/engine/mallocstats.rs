//! `sys._debugmallocstats()` against real dumps (`shared/reference/debugmallocstats/`): rebuild each dump's
//! state in the simulator with ordinary objects, then compare the text line by line.

use crate::support::{assert_ok, heap};
use heapscope::heap::{Heap, ObjId, PyVersion};
use std::collections::BTreeMap;

/// What a dump says, parsed.
#[derive(Default, Debug)]
struct Dump {
    /// class -> (pools, blocks in use, avail)
    classes: BTreeMap<usize, (u64, u64, u64)>,
    total: u64,
    current: u64,
    highwater: u64,
    /// free-list name -> count ("PyDictObjects", "3-sized PyTupleObjects", ...)
    free: BTreeMap<String, u64>,
    /// The dump without its `sys.version` header.
    text: Vec<String>,
}

fn value(line: &str) -> u64 {
    line.rsplit('=').next().unwrap().trim().replace(',', "").parse().unwrap()
}

fn parse(text: &str) -> Dump {
    let body = text.lines().skip_while(|l| !l.starts_with("Small block threshold"));
    let mut d = Dump { text: body.map(str::to_string).collect(), ..Default::default() };
    for line in &d.text {
        let f: Vec<&str> = line.split_whitespace().collect();
        if f.len() == 5 && f.iter().all(|x| x.parse::<u64>().is_ok()) {
            let n: Vec<u64> = f.iter().map(|x| x.parse().unwrap()).collect();
            d.classes.insert(n[0] as usize, (n[2], n[3], n[4]));
        } else if line.starts_with("# arenas allocated total") {
            d.total = value(line);
        } else if line.starts_with("# arenas allocated current") {
            d.current = value(line);
        } else if line.starts_with("# arenas highwater mark") {
            d.highwater = value(line);
        } else if let Some((count, rest)) = line.trim_start().split_once(" free ") {
            let name = rest.split(" * ").next().unwrap().to_string();
            d.free.insert(name, count.parse().unwrap());
        }
    }
    d
}

/// One object whose block falls in size class `class`.
fn object_of_class(h: &mut Heap, class: usize) -> ObjId {
    match class {
        0 => h.new_object().unwrap(),
        1 => h.new_int(1000).unwrap(), // 28 bytes
        c => h.new_bytes(u64::from(16 * (c as u32 + 1) - 33)).unwrap(),
    }
}

/// Replay arena history so that `total`, `highwater` and `current` come out as in the dump: fill arenas
/// with 512-byte blocks and free them (from 3.9 each round keeps one wholly free arena, bpo-37257; 3.8
/// reclaims them all).
fn replay_arena_history(h: &mut Heap, d: &Dump) {
    let p = *h.profile();
    let per_arena = (p.max_pools_in_arena() - u32::from(p.arena_misalignment != 0)) * p.blocks_per_pool(31);
    let fill_and_free = |h: &mut Heap, arenas: u64| {
        let blocks: Vec<ObjId> = (0..arenas * u64::from(per_arena)).map(|_| object_of_class(h, 31)).collect();
        for b in blocks {
            h.dec_root(b).unwrap();
        }
    };
    let mut needed = d.total - d.current;
    if !p.keeps_free_arena {
        while needed > 0 {
            let new = d.highwater.min(needed);
            fill_and_free(h, new);
            needed -= new;
        }
        return;
    }
    let mut kept = 0;
    while needed > 0 {
        let new = if kept == 0 { d.highwater.min(needed + 1) } else { (d.highwater - 1).min(needed) };
        fill_and_free(h, kept + new);
        needed -= new + kept - 1;
        kept = 1;
    }
}

/// Put `n` dead objects of each kind on the free lists, as the dump lists them.
fn fill_free_lists(h: &mut Heap, d: &Dump) {
    let mut dead = Vec::new();
    let count = |name: &str| d.free.get(name).copied().unwrap_or(0);
    let keys = count("PyDictKeysObjects");
    for i in 0..count("PyDictObjects") {
        let dict = h.new_dict().unwrap();
        if i < keys {
            let (k, v) = (h.new_str("ab").unwrap(), h.none());
            h.dict_set(dict, k, v).unwrap();
            h.dec_root(k).unwrap();
            h.dec_root(v).unwrap();
        }
        dead.push(dict);
    }
    dead.extend((0..count("PyFloatObjects")).map(|i| h.new_float(i as f64).unwrap()));
    dead.extend((0..count("PyListObjects")).map(|_| h.new_list().unwrap()));
    for len in 1..=20 {
        let items: Vec<ObjId> = (0..len).map(|_| h.none()).collect();
        for _ in 0..count(&format!("{len}-sized PyTupleObjects")) {
            dead.push(h.new_tuple(&items).unwrap());
        }
        for i in items {
            h.dec_root(i).unwrap();
        }
    }
    for o in dead {
        h.dec_root(o).unwrap();
    }
}

/// Allocate and free objects so that every size class has exactly the dump's pools, blocks and avail.
fn build_class_table(h: &mut Heap, d: &Dump) -> Vec<ObjId> {
    let p = *h.profile();
    let mut keep = Vec::new();
    for (&class, &(pools, blocks, _)) in &d.classes {
        let per_pool = u64::from(p.blocks_per_pool(class));
        let already = h.allocator().stats().classes[class].blocks;
        let fresh: Vec<ObjId> = (already..pools * per_pool).map(|_| object_of_class(h, class)).collect();
        // Free the surplus round-robin across pools, never emptying one, so the pool count stays put.
        let pool_of = |h: &Heap, id: ObjId| h.get(id).unwrap().address() / u64::from(p.pool_size);
        let mut by_pool: BTreeMap<u64, Vec<ObjId>> = BTreeMap::new();
        for id in fresh {
            by_pool.entry(pool_of(h, id)).or_default().push(id);
        }
        let mut surplus = pools * per_pool - blocks;
        while surplus > 0 {
            for ids in by_pool.values_mut().filter(|v| v.len() > 1) {
                if surplus == 0 {
                    break;
                }
                h.dec_root(ids.pop().unwrap()).unwrap();
                surplus -= 1;
            }
        }
        keep.extend(by_pool.into_values().flatten());
    }
    keep
}

/// Free lists heapscope does not simulate (C functions, frames, bound methods): present on 3.8/3.10 only.
fn simulated(line: &str) -> bool {
    !["PyCFunctionObjects", "PyFrameObjects", "PyMethodObjects"].iter().any(|n| line.contains(n))
}

const CASES: [(&str, PyVersion); 6] = [
    ("3.8.18", PyVersion::V3_8),
    ("3.9.18", PyVersion::V3_9),
    ("3.10.13", PyVersion::V3_10),
    ("3.11.7", PyVersion::V3_11),
    ("3.12.1", PyVersion::V3_12),
    ("3.13.0", PyVersion::V3_13),
];

/// A simulated heap rebuilt to match the dump of `file`, and the dump's text.
fn replica(file: &str, v: PyVersion) -> (Heap, Dump, Vec<ObjId>) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/debugmallocstats");
    let text = std::fs::read_to_string(dir.join(format!("{file}.txt"))).expect("the fixture is in the repository");
    let d = parse(&text);
    let mut h = heap(v);
    replay_arena_history(&mut h, &d);
    fill_free_lists(&mut h, &d);
    let keep = build_class_table(&mut h, &d);
    assert_ok(&h);
    (h, d, keep)
}

#[test]
fn debugmallocstats_reproduces_real_dumps() {
    for (file, v) in CASES {
        let (h, d, _keep) = replica(file, v);
        let ours = h.debug_malloc_stats();
        let want: Vec<&String> = d.text.iter().filter(|l| simulated(l)).collect();
        let got: Vec<&str> = ours.lines().filter(|l| simulated(l)).collect();
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert_eq!(g, w, "{file}: line {} of the stats differs", i + 1);
        }
        assert_eq!(got.len(), want.len(), "{file}: line count");
    }
}

/// `heap::mallocstats()` gives the numbers that `src/scenario/heapscope.py` (the module real CPython imports)
/// parses out of the same dump.
#[test]
fn mallocstats_numbers_are_what_the_real_module_parses() {
    let root = env!("CARGO_MANIFEST_DIR");
    for (file, v) in CASES {
        let (h, _, _keep) = replica(file, v);
        let r = h.mallocstats();
        let free: serde_json::Map<String, serde_json::Value> =
            r.free_lists.iter().map(|(k, n)| (k.to_string(), serde_json::json!(n))).collect();
        let mut ours = serde_json::json!({
            "classes": r.classes.iter().map(|c| serde_json::json!(
                {"size": c.size, "pools": c.pools, "used": c.used, "avail": c.avail})).collect::<Vec<_>>(),
            "arenas_allocated_total": r.arenas_allocated_total,
            "arenas_reclaimed": r.arenas_reclaimed,
            "arenas_highwater": r.arenas_highwater,
            "arenas_current": r.arenas_current,
            "arena_size": r.arena_size,
            "pool_size": r.pool_size,
            "allocated_bytes": r.allocated_bytes,
            "available_bytes": r.available_bytes,
            "unused_pools": r.unused_pools,
            "pool_header_bytes": r.pool_header_bytes,
            "quantization_bytes": r.quantization_bytes,
            "arena_alignment_bytes": r.arena_alignment_bytes,
            "free_lists": free,
        });
        let code = format!(
            "import sys, json; sys.path.insert(0, '{root}/src/scenario'); import heapscope; \
             print(json.dumps(heapscope.parse(open('{root}/tests/fixtures/debugmallocstats/{file}.txt').read())))"
        );
        let Ok(out) = std::process::Command::new("python3").arg("-c").arg(&code).output() else {
            println!("SKIP: no python3 on PATH to run src/scenario/heapscope.py");
            return;
        };
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let mut theirs: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // Both name the same free lists; the frames, C functions and bound methods the simulator has no
        // objects for (see `simulated`) are compared by name only.
        for side in [&mut ours, &mut theirs] {
            for never in ["frame", "builtin_function_or_method", "method"] {
                if let Some(n) = side["free_lists"].get_mut(never) {
                    *n = serde_json::json!("not simulated");
                }
            }
        }
        assert_eq!(ours, theirs, "{file}");
    }
}

/// The number on the dump line starting with `label` (the `= N` of a `printone` line).
fn dump_value(d: &Dump, label: &str) -> u64 {
    d.text.iter().find(|l| l.starts_with(label)).map(|l| value(l)).unwrap_or_else(|| panic!("no line {label:?}"))
}

/// The memory ledger of each rebuilt dump says what the real dump implies: arenas × size held (no raw blocks
/// were made), the bytes in allocated blocks split into live, rounding and free-list blocks, "available
/// blocks" as free space in pools, and the unused pools as empty pools plus wholly free arenas.
#[test]
fn the_ledger_of_a_real_dump_adds_up_to_what_the_dump_says() {
    use heapscope::heap::Part;
    for (file, v) in CASES {
        let (h, d, _keep) = replica(file, v);
        let l = h.ledger();
        let arena_bytes = d.current * u64::from(h.profile().arena_size);
        assert_eq!(l.held, arena_bytes + h.allocator().stats().raw_bytes, "{file}: held");
        assert_eq!(l.sum(), l.held, "{file}: parts add up");
        let allocated = dump_value(&d, "# bytes in allocated blocks");
        assert_eq!(l.part(Part::Live) + l.part(Part::Rounding) + l.part(Part::FreeLists), allocated, "{file}");
        assert_eq!(l.part(Part::FreeInPools), dump_value(&d, "# bytes in available blocks"), "{file}");
        let unused = d.text.iter().find(|t| t.contains("unused pools *")).map(|t| value(t)).unwrap();
        let free_arena_alignment = l.arenas.iter().filter(|a| a.used_pools == 0).count() as u64
            * u64::from(h.profile().pool_size)
            * u64::from(h.profile().arena_misalignment != 0);
        assert_eq!(l.part(Part::EmptyPools) + l.part(Part::FreeArenas), unused + free_arena_alignment, "{file}");
        assert_eq!(l.part(Part::PoolHeaders), dump_value(&d, "# bytes lost to pool headers"), "{file}");
        assert_eq!(l.part(Part::Quantization), dump_value(&d, "# bytes lost to quantization"), "{file}");
        assert_eq!(
            l.part(Part::ArenaAlignment) + free_arena_alignment,
            dump_value(&d, "# bytes lost to arena alignment"),
            "{file}"
        );
        let kept: u64 = d.free.iter().filter(|(n, _)| simulated(n)).map(|(_, &c)| c).sum();
        let kept_blocks: u64 = l.arenas.iter().map(|a| a.kept_blocks).sum();
        assert_eq!(kept_blocks, kept, "{file}: free-list blocks");
        assert_eq!(l.arenas.len() as u64, d.current, "{file}: one entry per mapped arena");
    }
}
