//! Read-only questions about the heap: `sys.getsizeof`, `sys._debugmallocstats()`, live-object queries.

use super::core::Heap;
use super::error::HeapResult;
use super::freelist::{DICT_GENERAL_KEYS, DICT_SPLIT};
use super::ids::ObjId;
use super::object::Kind;
use super::profile::class_size;
use super::sizes::{self, BYTES_HEADER, DICT_OBJECT, FLOAT_SIZE, RANGE_SIZE, TUPLE_HEADER};
use super::values::Value;

/// One size class in use, as `sys._debugmallocstats()` prints it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClassReport {
    /// The block size.
    pub size: u32,
    /// Pools carved for it.
    pub pools: u64,
    /// Blocks in use.
    pub used: u64,
    /// Blocks available in its pools.
    pub avail: u64,
}

/// `sys._debugmallocstats()` as numbers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MallocReport {
    /// The size classes that have pools, smallest first.
    pub classes: Vec<ClassReport>,
    /// `# arenas allocated total`.
    pub arenas_allocated_total: u64,
    /// `# arenas reclaimed`.
    pub arenas_reclaimed: u64,
    /// `# arenas highwater mark`.
    pub arenas_highwater: u64,
    /// `# arenas allocated current`.
    pub arenas_current: u64,
    /// `ARENA_SIZE` (the `N arenas * SIZE bytes/arena` line): 256 KiB before 3.10, 1 MiB since.
    pub arena_size: u64,
    /// `POOL_SIZE` (the `N unused pools * SIZE bytes` line).
    pub pool_size: u64,
    /// `# bytes in allocated blocks`.
    pub allocated_bytes: u64,
    /// `# bytes in available blocks`.
    pub available_bytes: u64,
    /// `N unused pools`.
    pub unused_pools: u64,
    /// `# bytes lost to pool headers`.
    pub pool_header_bytes: u64,
    /// `# bytes lost to quantization`.
    pub quantization_bytes: u64,
    /// `# bytes lost to arena alignment`.
    pub arena_alignment_bytes: u64,
    /// Objects each type's free list keeps, in the dump's order (tuples summed over their lengths).
    pub free_lists: Vec<(&'static str, u64)>,
}

impl Heap {
    /// `sys.getsizeof(x)` under the profile (§4.1-4.2): `__sizeof__` plus the GC head for GC types plus the
    /// pre-header on 3.11+ managed-dict types. Not the bytes allocated (see `allocated_bytes`).
    pub fn getsizeof(&self, id: ObjId) -> HeapResult<u64> {
        let o = self.get(id)?;
        let p = &self.profile;
        let gc = p.sizes.gc_head;
        let value = self.values.get(&id.index);
        let n = match o.kind {
            // The one static `Kind::Object` is the `object` type (`StaticKey::ObjectType`).
            Kind::Object if o.is_static() => p.sizes.static_type,
            Kind::None | Kind::Object => 16,
            Kind::Bool | Kind::Int => match value {
                Some(Value::Int(v)) => sizes::int_size(p, *v),
                _ => sizes::int_size(p, 0),
            },
            Kind::Float => FLOAT_SIZE,
            Kind::Str => match value {
                Some(Value::Str(s)) => sizes::str_size(p, s),
                _ => sizes::str_size(p, ""),
            },
            Kind::Bytes => match value {
                Some(Value::Bytes(n)) => BYTES_HEADER + n,
                _ => BYTES_HEADER,
            },
            Kind::Tuple => gc + TUPLE_HEADER + 8 * o.refs.len() as u32,
            Kind::List => gc + sizes::LIST_OBJECT + 8 * o.aux,
            Kind::Dict if o.aux & DICT_SPLIT != 0 => gc + DICT_OBJECT + 8 * (o.aux & !DICT_SPLIT),
            Kind::Dict => {
                let size = o.aux & !DICT_GENERAL_KEYS;
                let keys = if size == 0 { 0 } else { sizes::dict_keys_size(p, size, o.aux & DICT_GENERAL_KEYS == 0) };
                gc + DICT_OBJECT + keys
            }
            Kind::Set | Kind::FrozenSet => sizes::set_getsizeof(p, o.aux),
            Kind::Range => RANGE_SIZE,
            Kind::Function => p.sizes.function,
            Kind::Generator => p.sizes.generator,
            Kind::WeakRef => p.sizes.weakref,
            Kind::Class => sizes::class_getsizeof(p, o.extra != 0),
            Kind::Descriptor => p.sizes.getset_descriptor,
            // `PyCellObject` is `ob_refcnt`, `ob_type`, `ob_ref` [obs 3.8-3.13: `sys.getsizeof` of a cell 40].
            Kind::Cell => gc + sizes::CELL_OBJECT,
            Kind::StaticMethod | Kind::ClassMethod | Kind::Property => sizes::wrapper_size(p, o.kind),
            Kind::ListIterator
            | Kind::TupleIterator
            | Kind::RangeIterator
            | Kind::DictKeyIterator
            | Kind::SetIterator
            | Kind::StrIterator
            | Kind::StrAsciiIterator => sizes::iterator_size(p, o.kind),
            Kind::Instance => {
                let class = self.class_of(id)?.and_then(|c| self.classes.get(&c.index));
                match class.and_then(|c| c.spec.slots.as_ref()) {
                    Some(slots) => gc + 16 + 8 * slots.len() as u32,
                    None => gc + p.sizes.preheader + p.sizes.instance_basic,
                }
            }
        };
        Ok(u64::from(n))
    }

    /// The bytes the allocator really handed this object: its blocks' usable sizes (size class or raw
    /// request). Static singletons own none.
    pub fn allocated_bytes(&self, id: ObjId) -> HeapResult<u64> {
        let o = self.get(id)?;
        if o.is_static() {
            return Ok(0);
        }
        let block = |a: u64| if a == 0 { 0 } else { self.alloc.block_size(a).unwrap_or(0) };
        Ok(block(o.block) + block(o.extra))
    }

    /// The addresses of the blocks an object owns (none for static singletons).
    pub fn owned_blocks(&self, id: ObjId) -> HeapResult<Vec<u64>> {
        let o = self.get(id)?;
        Ok(if o.is_static() { Vec::new() } else { [o.block, o.extra].into_iter().filter(|&a| a != 0).collect() })
    }

    /// The text `sys._debugmallocstats()` writes to stderr for this heap (§1.6).
    pub fn debug_malloc_stats(&self) -> String {
        let mut out = String::new();
        let map = self.profile.arena_map_root.map(|root| (root, self.profile.arena_map_bot));
        self.alloc.stats().write(&mut out, map);
        out.push('\n');
        self.free_lists.write_stats(&mut out);
        out
    }

    /// What `sys._debugmallocstats()` prints, as numbers (`heap::mallocstats()`, `heapscope.mallocstats()`).
    pub fn mallocstats(&self) -> MallocReport {
        let s = self.alloc.stats();
        let classes = (s.classes.iter().enumerate())
            .filter(|(_, c)| c.pools > 0)
            .map(|(i, c)| ClassReport { size: class_size(i), pools: c.pools, used: c.blocks, avail: c.avail })
            .collect();
        let mut free_lists: Vec<(&'static str, u64)> = Vec::new();
        for k in self.free_lists.kept() {
            match free_lists.iter_mut().find(|(name, _)| *name == k.type_name) {
                Some((_, n)) => *n += k.count as u64,
                None => free_lists.push((k.type_name, k.count as u64)),
            }
        }
        MallocReport {
            classes,
            arenas_allocated_total: s.arenas_allocated_total,
            arenas_reclaimed: s.arenas_allocated_total - s.arenas_current,
            arenas_highwater: s.arenas_highwater,
            arenas_current: s.arenas_current,
            arena_size: u64::from(s.arena_size),
            pool_size: u64::from(s.pool_size),
            allocated_bytes: s.allocated_bytes,
            available_bytes: s.available_bytes,
            unused_pools: s.unused_pools,
            pool_header_bytes: s.pool_header_bytes,
            quantization_bytes: s.quantization_bytes,
            arena_alignment_bytes: s.arena_alignment_bytes,
            free_lists,
        }
    }

    /// Bytes of the blocks the type free lists keep for reuse (allocated, but no live object's).
    pub fn free_list_bytes(&self) -> u64 {
        self.free_lists.held().filter_map(|b| self.alloc.block_size(b)).sum()
    }

    /// Empty every type free list, freeing the blocks (`_PyGC_ClearAllFreeLists`; a full collection does this).
    pub fn clear_free_lists(&mut self) -> HeapResult<()> {
        for (block, gc_object) in self.free_lists.clear() {
            self.alloc.free(block, &mut self.sink)?;
            if gc_object {
                self.gc_block_freed();
            }
        }
        self.note_gc_count();
        Ok(())
    }

    /// `type(x).__name__`: the class name for instances.
    pub fn type_name(&self, id: ObjId) -> HeapResult<String> {
        let o = self.get(id)?;
        if o.kind == Kind::Instance
            && let Some(info) = self.class_of(id)?.and_then(|c| self.classes.get(&c.index))
        {
            return Ok(self.name(info.name).to_string());
        }
        if o.kind == Kind::Object && o.is_static() {
            return Ok("type".to_string());
        }
        Ok(o.kind.type_name().to_string())
    }

    /// `gc.is_tracked(x)`.
    pub fn is_tracked(&self, id: ObjId) -> HeapResult<bool> {
        Ok(self.get(id)?.is_tracked())
    }

    /// Live objects that are not static singletons (what a user created and has not freed).
    pub fn user_objects(&self) -> u64 {
        self.object_ids().filter(|&id| !self.statics.contains(id)).count() as u64
    }
}
