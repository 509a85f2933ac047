//! `sys._debugmallocstats()`: the allocator's numbers, and CPython's exact text for them
//! (`_PyObject_DebugMallocStats` and `printone` in `Objects/obmalloc.c`, §1.6).

use super::Obmalloc;
use crate::heap::profile::{NB_SMALL_SIZE_CLASSES, POOL_OVERHEAD, SMALL_REQUEST_THRESHOLD, class_size};
use std::fmt::Write;

/// One row of the class table.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct ClassStats {
    /// Pools of this class with at least one block in use (empty pools are skipped, as CPython does).
    pub pools: u64,
    /// Blocks in use.
    pub blocks: u64,
    /// Free blocks in those pools, counting never-carved ones: `NUMBLOCKS - count` per pool.
    pub avail: u64,
}

/// Everything `_PyObject_DebugMallocStats` totals, computed the way it does: by walking every allocated
/// arena and every carved pool.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MallocStats {
    /// Per size class.
    pub classes: [ClassStats; NB_SMALL_SIZE_CLASSES],
    /// `ntimes_arena_allocated`.
    pub arenas_allocated_total: u64,
    /// `narenas_highwater`.
    pub arenas_highwater: u64,
    /// Arenas currently mapped.
    pub arenas_current: u64,
    /// Σ `nfreepools` over mapped arenas (empty cached pools plus never-carved pools).
    pub unused_pools: u64,
    /// Σ blocks in use × size.
    pub allocated_bytes: u64,
    /// Σ avail blocks × size.
    pub available_bytes: u64,
    /// Pools in use × `POOL_OVERHEAD`.
    pub pool_header_bytes: u64,
    /// Pools in use × `(POOL_SIZE - POOL_OVERHEAD) % size`.
    pub quantization_bytes: u64,
    /// `POOL_SIZE` per arena whose base is not pool-aligned.
    pub arena_alignment_bytes: u64,
    /// Raw-allocator blocks currently live and their bytes (not part of CPython's dump).
    pub raw_blocks: u64,
    /// Bytes in live raw blocks.
    pub raw_bytes: u64,
    /// `POOL_SIZE`.
    pub pool_size: u32,
    /// `ARENA_SIZE`.
    pub arena_size: u32,
}

impl MallocStats {
    /// Bytes mapped for arenas: `narenas * ARENA_SIZE`.
    pub fn arena_bytes(&self) -> u64 {
        self.arenas_current * u64::from(self.arena_size)
    }
}

impl Obmalloc {
    /// Walk the arenas the way `_PyObject_DebugMallocStats` does.
    pub fn stats(&self) -> MallocStats {
        let mut s = MallocStats {
            classes: [ClassStats::default(); NB_SMALL_SIZE_CLASSES],
            arenas_allocated_total: self.arenas.times_allocated,
            arenas_highwater: self.arenas.highwater,
            arenas_current: 0,
            unused_pools: 0,
            allocated_bytes: 0,
            available_bytes: 0,
            pool_header_bytes: 0,
            quantization_bytes: 0,
            arena_alignment_bytes: 0,
            raw_blocks: self.raw.len() as u64,
            raw_bytes: self.raw_bytes,
            pool_size: self.pool_size,
            arena_size: self.arena_size,
        };
        for ao in self.arenas.slots.iter().filter(|a| a.address != 0) {
            s.arenas_current += 1;
            s.unused_pools += u64::from(ao.nfreepools);
            if ao.address % u64::from(self.pool_size) != 0 {
                s.arena_alignment_bytes += u64::from(self.pool_size);
            }
            for pool in ao.pools.iter().filter(|p| p.count != 0) {
                let c = &mut s.classes[usize::from(pool.szidx)];
                let nblocks = (self.pool_size - POOL_OVERHEAD) / class_size(usize::from(pool.szidx));
                c.pools += 1;
                c.blocks += u64::from(pool.count);
                c.avail += u64::from(nblocks - pool.count);
            }
        }
        for (i, c) in s.classes.iter().enumerate() {
            let size = u64::from(class_size(i));
            s.allocated_bytes += c.blocks * size;
            s.available_bytes += c.avail * size;
            s.pool_header_bytes += c.pools * u64::from(POOL_OVERHEAD);
            s.quantization_bytes += c.pools * ((u64::from(self.pool_size) - u64::from(POOL_OVERHEAD)) % size);
        }
        s
    }

    /// Blocks currently allocated in size class `class` (kept incrementally, for cheap live views).
    pub fn blocks_in_use(&self, class: usize) -> u64 {
        self.blocks_in_use[class]
    }
}

/// `value` with thousands separators (`1,048,576`), as `printone` writes numbers.
pub fn thousands(value: u64) -> String {
    let digits = value.to_string();
    let mut grouped = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    grouped
}

/// `printone`: the label padded to 35 columns, `=`, then the value right-aligned in 21 columns with thousands
/// separators.
pub fn printone(out: &mut String, label: &str, value: u64) -> u64 {
    let _ = writeln!(out, "{label:<35}={:>21}", thousands(value));
    value
}

impl MallocStats {
    /// The text `_PyObject_DebugMallocStats` writes, including the arena-map section on 3.10+
    /// (`arena_map` = root/mid size and bottom node size). The type free-list lines come from the heap.
    pub fn write(&self, out: &mut String, arena_map: Option<(u32, u32)>) {
        let _ = writeln!(
            out,
            "Small block threshold = {SMALL_REQUEST_THRESHOLD}, in {NB_SMALL_SIZE_CLASSES} size classes.\n"
        );
        out.push_str("class   size   num pools   blocks in use  avail blocks\n");
        out.push_str("-----   ----   ---------   -------------  ------------\n");
        for (i, c) in self.classes.iter().enumerate().filter(|(_, c)| c.pools > 0) {
            let _ = writeln!(out, "{i:5} {:6} {:11} {:15} {:13}", class_size(i), c.pools, c.blocks, c.avail);
        }
        out.push('\n');
        printone(out, "# arenas allocated total", self.arenas_allocated_total);
        printone(out, "# arenas reclaimed", self.arenas_allocated_total - self.arenas_current);
        printone(out, "# arenas highwater mark", self.arenas_highwater);
        printone(out, "# arenas allocated current", self.arenas_current);
        let label = format!("{} arenas * {} bytes/arena", self.arenas_current, self.arena_size);
        printone(out, &label, self.arena_bytes());
        out.push('\n');
        let mut total = printone(out, "# bytes in allocated blocks", self.allocated_bytes);
        total += printone(out, "# bytes in available blocks", self.available_bytes);
        let label = format!("{} unused pools * {} bytes", self.unused_pools, self.pool_size);
        total += printone(out, &label, self.unused_pools * u64::from(self.pool_size));
        total += printone(out, "# bytes lost to pool headers", self.pool_header_bytes);
        total += printone(out, "# bytes lost to quantization", self.quantization_bytes);
        total += printone(out, "# bytes lost to arena alignment", self.arena_alignment_bytes);
        printone(out, "Total", total);
        debug_assert_eq!(total, self.arena_bytes(), "narenas * ARENA_SIZE == total");
        if let Some((root, bot)) = arena_map {
            // Every simulated arena lies under one mid and one bottom node of the radix tree, as in the
            // observed dumps ("# arena map mid nodes = 1").
            let (mid_nodes, bot_nodes) = (1, 1);
            out.push_str("\narena map counts\n");
            printone(out, "# arena map mid nodes", mid_nodes);
            printone(out, "# arena map bot nodes", bot_nodes);
            out.push('\n');
            let mut total = printone(out, "# bytes lost to arena map root", u64::from(root));
            total += printone(out, "# bytes lost to arena map mid", u64::from(root) * mid_nodes);
            total += printone(out, "# bytes lost to arena map bot", u64::from(bot) * bot_nodes);
            printone(out, "Total", total);
        }
    }
}
