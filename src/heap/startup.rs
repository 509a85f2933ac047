//! The heap a script's first line finds: type free lists stocked by the interpreter's own start-up.

use super::core::Heap;
use super::error::HeapResult;
use super::object::Kind;
use super::profile::startup_free_lists;
use super::sizes::{self, DICT_MINSIZE, DICT_OBJECT, FLOAT_SIZE, LIST_OBJECT};

impl Heap {
    /// Stock the free lists as a real interpreter's start-up leaves them for the script
    /// (`profile::startup_free_lists`): each entry is a block allocated before the script ran, so tracemalloc
    /// never sees it, and a script's first lists, dicts, floats and small tuples reuse them as CPython's do.
    pub fn stock_startup_free_lists(&mut self) -> HeapResult<()> {
        let s = startup_free_lists(self.profile.version);
        let p = self.profile;
        let gc = p.sizes.gc_head;
        let stock = |h: &mut Heap, kind: Kind, aux: u32, nbytes: u32, count: u16| -> HeapResult<()> {
            for _ in 0..count {
                let block = h.alloc.malloc(nbytes as usize, &mut h.sink)?;
                let kept = h.keep_block(kind, aux, block);
                debug_assert!(kept, "start-up counts stay within the free lists' capacity");
            }
            Ok(())
        };
        stock(self, Kind::Dict, 0, gc + DICT_OBJECT, s.dicts)?;
        stock(self, Kind::Float, 0, FLOAT_SIZE, s.floats)?;
        stock(self, Kind::List, 0, gc + LIST_OBJECT, s.lists)?;
        for (n, &count) in (1..=p.free_lists.tuple_max_len).zip(&s.tuples) {
            stock(self, Kind::Tuple, n, sizes::tuple_size(&p, n), count)?;
        }
        for _ in 0..s.dict_keys {
            let block = self.alloc.malloc(sizes::dict_keys_size(&p, DICT_MINSIZE, true) as usize, &mut self.sink)?;
            self.keep_keys(Kind::Dict, DICT_MINSIZE, block);
        }
        Ok(())
    }
}
