//! The recording's byte format for heap events: a tag byte, then LEB128 varints, with object indexes and
//! addresses stored as zig-zag deltas from the previous ones (neighbouring events touch neighbouring objects and
//! blocks), so a typical event takes 4 to 8 bytes instead of `size_of::<Event>()` (32).
//!
//! The delta state makes the stream sequential: a reader starts at the beginning or at a checkpoint's saved
//! [`CodecState`].

use crate::heap::gc::{GcList, Phase};
use crate::heap::{Cause, Edge, EdgeLabel, Event, Kind, Name, ObjId};

/// What the deltas are relative to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CodecState {
    last_addr: u64,
    last_index: u32,
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(d: i64) -> u64 {
    ((d << 1) ^ (d >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

/// Appends encoded events to a buffer.
#[derive(Default)]
pub struct Encoder {
    state: CodecState,
}

impl Encoder {
    fn id(&mut self, out: &mut Vec<u8>, id: ObjId) {
        put(out, zigzag(i64::from(id.index) - i64::from(self.state.last_index)));
        put(out, u64::from(id.generation));
        self.state.last_index = id.index;
    }

    fn addr(&mut self, out: &mut Vec<u8>, a: u64) {
        put(out, zigzag(a.wrapping_sub(self.state.last_addr) as i64));
        self.state.last_addr = a;
    }

    fn label(&mut self, out: &mut Vec<u8>, l: EdgeLabel) {
        let (tag, n) = match l {
            EdgeLabel::Type => (0, 0),
            EdgeLabel::Dict => (1, 0),
            EdgeLabel::Attr(n) => (2, n.0),
            EdgeLabel::Item(i) => (3, i),
            EdgeLabel::Key(i) => (4, i),
            EdgeLabel::Value(i) => (5, i),
            EdgeLabel::Internal(n) => (6, n.0),
        };
        out.push(tag);
        put(out, u64::from(n));
    }

    fn cause(&mut self, out: &mut Vec<u8>, c: Cause) {
        match c {
            Cause::Root => out.push(0),
            Cause::Runtime => out.push(1),
            Cause::Edge(from, l) => {
                out.push(2);
                self.id(out, from);
                self.label(out, l);
            }
            Cause::Dealloc(from) => {
                out.push(3);
                self.id(out, from);
            }
            Cause::GcClear(from) => {
                out.push(4);
                self.id(out, from);
            }
        }
    }

    /// Append `e` to `out`.
    pub fn encode(&mut self, e: &Event, out: &mut Vec<u8>) {
        match *e {
            Event::BlockAlloc { addr, nbytes, class } => {
                out.push(0);
                self.addr(out, addr);
                put(out, u64::from(nbytes));
                out.push(class.unwrap_or(u8::MAX));
            }
            Event::BlockFree { addr, nbytes } => {
                out.push(1);
                self.addr(out, addr);
                put(out, u64::from(nbytes));
            }
            Event::BlockResize { addr, from, to } => {
                out.push(38);
                self.addr(out, addr);
                put(out, u64::from(from));
                put(out, u64::from(to));
            }
            Event::BlockKept { addr, nbytes, kept } => {
                out.push(39 + u8::from(kept));
                self.addr(out, addr);
                put(out, u64::from(nbytes));
            }
            Event::ObjStorage { id, addr } => {
                out.push(41);
                self.id(out, id);
                self.addr(out, addr);
            }
            Event::PoolInit { pool, class } => {
                out.push(2);
                self.addr(out, pool);
                out.push(class);
            }
            Event::PoolFull { pool } | Event::PoolUsed { pool } | Event::PoolEmpty { pool } => {
                out.push(match e {
                    Event::PoolFull { .. } => 3,
                    Event::PoolUsed { .. } => 4,
                    _ => 5,
                });
                self.addr(out, pool);
            }
            Event::ArenaNew { index, pools, addr, first_pool } => {
                out.push(6);
                put(out, u64::from(index));
                out.push(pools);
                self.addr(out, addr);
                self.addr(out, first_pool);
            }
            Event::ArenaFree { index, addr } => {
                out.push(7);
                put(out, u64::from(index));
                self.addr(out, addr);
            }
            Event::ObjAlloc { id, kind, addr } => {
                out.push(8);
                self.id(out, id);
                out.push(kind as u8);
                self.addr(out, addr);
            }
            Event::ObjFree { id } => {
                out.push(9);
                self.id(out, id);
            }
            Event::IncRef { id, refcnt, cause } | Event::DecRef { id, refcnt, cause } => {
                out.push(if matches!(e, Event::IncRef { .. }) { 10 } else { 11 });
                self.id(out, id);
                put(out, u64::from(refcnt));
                self.cause(out, cause);
            }
            Event::Track { id, tracked } => {
                out.push(12 + u8::from(tracked));
                self.id(out, id);
            }
            Event::Finalize { id } => {
                out.push(14);
                self.id(out, id);
            }
            Event::WeakrefCleared { weakref, callback } => {
                out.push(15 + u8::from(callback));
                self.id(out, weakref);
            }
            Event::ObjSize { id, size } => {
                out.push(17);
                self.id(out, id);
                put(out, u64::from(size));
            }
            Event::ObjImmortal { id, refcnt } => {
                out.push(37);
                self.id(out, id);
                put(out, u64::from(refcnt));
            }
            Event::ObjStatic { id, refcnt, immortal } => {
                out.push(18 + u8::from(immortal));
                self.id(out, id);
                put(out, u64::from(refcnt));
            }
            Event::EdgeInsert { owner, index }
            | Event::EdgeReplace { owner, index }
            | Event::EdgeDetach { owner, index } => {
                out.push(match e {
                    Event::EdgeInsert { .. } => 20,
                    Event::EdgeReplace { .. } => 21,
                    _ => 22,
                });
                self.id(out, owner);
                put(out, u64::from(index));
            }
            Event::EdgeAttach { owner, edge } => {
                out.push(23);
                self.id(out, owner);
                self.id(out, edge.target);
                self.label(out, edge.label);
            }
            Event::EdgesRelabeled { owner, from } => {
                out.push(24);
                self.id(out, owner);
                put(out, u64::from(from));
            }
            Event::WeakrefNew { weakref, target } => {
                out.push(25);
                self.id(out, weakref);
                self.id(out, target);
            }
            Event::GcMove { id, list } => {
                out.push(26);
                self.id(out, id);
                out.push(list.map_or(u8::MAX, |l| l as u8));
            }
            Event::GcTakeAll { list } => {
                out.push(27);
                out.push(list as u8);
            }
            Event::GcPhase { generation, phase } => {
                out.push(28);
                out.push(generation);
                out.push(phase as u8);
            }
            Event::GcRefs { id, refs } => {
                out.push(29);
                self.id(out, id);
                put(out, zigzag(i64::from(refs)));
            }
            Event::GcUnreachable { id } => {
                out.push(30);
                self.id(out, id);
            }
            Event::GcCounts { count } => {
                out.push(31);
                count.iter().for_each(|&c| put(out, u64::from(c)));
            }
            Event::GcDone { generation, counted, collected, uncollectable, candidates } => {
                out.push(32);
                out.push(generation | if counted { 0x80 } else { 0 });
                put(out, u64::from(collected));
                put(out, u64::from(uncollectable));
                put(out, u64::from(candidates));
            }
            Event::GcConfig { thresholds, enabled } => {
                out.push(33 + u8::from(enabled));
                thresholds.iter().for_each(|&t| put(out, u64::from(t)));
            }
            Event::GcGarbage { id, added } => {
                out.push(35 + u8::from(added));
                self.id(out, id);
            }
        }
    }
}

/// Reads events back.
pub struct Decoder<'a> {
    bytes: &'a [u8],
    pos: usize,
    state: CodecState,
}

impl<'a> Decoder<'a> {
    /// Read `bytes` from offset `pos`, where the writer's state was `state`.
    pub fn new(bytes: &'a [u8], pos: usize, state: CodecState) -> Decoder<'a> {
        Decoder { bytes, pos, state }
    }

    /// Where the next event starts, and the state to resume there.
    pub fn position(&self) -> (usize, CodecState) {
        (self.pos, self.state)
    }

    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    fn get(&mut self) -> u64 {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = self.byte();
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 || shift >= 63 {
                return v;
            }
            shift += 7;
        }
    }

    fn u32(&mut self) -> u32 {
        self.get() as u32
    }

    fn id(&mut self) -> ObjId {
        let index = (i64::from(self.state.last_index) + unzigzag(self.get())) as u32;
        self.state.last_index = index;
        ObjId { index, generation: self.u32() }
    }

    fn addr(&mut self) -> u64 {
        let a = self.state.last_addr.wrapping_add(unzigzag(self.get()) as u64);
        self.state.last_addr = a;
        a
    }

    fn label(&mut self) -> EdgeLabel {
        let tag = self.byte();
        let n = self.u32();
        match tag {
            0 => EdgeLabel::Type,
            1 => EdgeLabel::Dict,
            2 => EdgeLabel::Attr(Name(n)),
            3 => EdgeLabel::Item(n),
            4 => EdgeLabel::Key(n),
            5 => EdgeLabel::Value(n),
            _ => EdgeLabel::Internal(Name(n)),
        }
    }

    fn cause(&mut self) -> Cause {
        match self.byte() {
            0 => Cause::Root,
            1 => Cause::Runtime,
            2 => {
                let from = self.id();
                Cause::Edge(from, self.label())
            }
            3 => Cause::Dealloc(self.id()),
            _ => Cause::GcClear(self.id()),
        }
    }

    fn list(b: u8) -> Option<GcList> {
        [GcList::Gen0, GcList::Gen1, GcList::Gen2, GcList::Permanent].get(usize::from(b)).copied()
    }
}

impl Iterator for Decoder<'_> {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let tag = self.byte();
        Some(match tag {
            0 => {
                let addr = self.addr();
                let nbytes = self.u32();
                let class = Some(self.byte()).filter(|&c| c != u8::MAX);
                Event::BlockAlloc { addr, nbytes, class }
            }
            1 => {
                let addr = self.addr();
                Event::BlockFree { addr, nbytes: self.u32() }
            }
            38 => {
                let addr = self.addr();
                let from = self.u32();
                Event::BlockResize { addr, from, to: self.u32() }
            }
            39 | 40 => {
                let addr = self.addr();
                Event::BlockKept { addr, nbytes: self.u32(), kept: tag == 40 }
            }
            41 => {
                let id = self.id();
                Event::ObjStorage { id, addr: self.addr() }
            }
            2 => {
                let pool = self.addr();
                Event::PoolInit { pool, class: self.byte() }
            }
            3 => Event::PoolFull { pool: self.addr() },
            4 => Event::PoolUsed { pool: self.addr() },
            5 => Event::PoolEmpty { pool: self.addr() },
            6 => {
                let index = self.u32();
                let pools = self.byte();
                let addr = self.addr();
                Event::ArenaNew { index, pools, addr, first_pool: self.addr() }
            }
            7 => {
                let index = self.u32();
                Event::ArenaFree { index, addr: self.addr() }
            }
            8 => {
                let id = self.id();
                let kind = Kind::ALL[usize::from(self.byte()).min(Kind::ALL.len() - 1)];
                Event::ObjAlloc { id, kind, addr: self.addr() }
            }
            9 => Event::ObjFree { id: self.id() },
            10 | 11 => {
                let id = self.id();
                let refcnt = self.u32();
                let cause = self.cause();
                if tag == 10 { Event::IncRef { id, refcnt, cause } } else { Event::DecRef { id, refcnt, cause } }
            }
            12 | 13 => Event::Track { id: self.id(), tracked: tag == 13 },
            14 => Event::Finalize { id: self.id() },
            15 | 16 => Event::WeakrefCleared { weakref: self.id(), callback: tag == 16 },
            17 => {
                let id = self.id();
                Event::ObjSize { id, size: self.u32() }
            }
            18 | 19 => {
                let id = self.id();
                Event::ObjStatic { id, refcnt: self.u32(), immortal: tag == 19 }
            }
            20..=22 => {
                let owner = self.id();
                let index = self.u32();
                match tag {
                    20 => Event::EdgeInsert { owner, index },
                    21 => Event::EdgeReplace { owner, index },
                    _ => Event::EdgeDetach { owner, index },
                }
            }
            23 => {
                let owner = self.id();
                let target = self.id();
                Event::EdgeAttach { owner, edge: Edge { target, label: self.label() } }
            }
            24 => {
                let owner = self.id();
                Event::EdgesRelabeled { owner, from: self.u32() }
            }
            25 => {
                let weakref = self.id();
                Event::WeakrefNew { weakref, target: self.id() }
            }
            26 => {
                let id = self.id();
                Event::GcMove { id, list: Self::list(self.byte()) }
            }
            27 => Event::GcTakeAll { list: Self::list(self.byte()).unwrap_or(GcList::Gen0) },
            28 => {
                let generation = self.byte();
                let phase = Phase::ALL[usize::from(self.byte()).min(Phase::ALL.len() - 1)];
                Event::GcPhase { generation, phase }
            }
            29 => {
                let id = self.id();
                Event::GcRefs { id, refs: unzigzag(self.get()) as i32 }
            }
            30 => Event::GcUnreachable { id: self.id() },
            31 => Event::GcCounts { count: [self.u32(), self.u32(), self.u32()] },
            32 => {
                let g = self.byte();
                let (collected, uncollectable) = (self.u32(), self.u32());
                Event::GcDone {
                    generation: g & 0x7f,
                    counted: g & 0x80 != 0,
                    collected,
                    uncollectable,
                    candidates: self.u32(),
                }
            }
            33 | 34 => Event::GcConfig { thresholds: [self.u32(), self.u32(), self.u32()], enabled: tag == 34 },
            37 => {
                let id = self.id();
                Event::ObjImmortal { id, refcnt: self.u32() }
            }
            _ => Event::GcGarbage { id: self.id(), added: tag == 36 },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enum_tables_follow_declaration_order() {
        assert!(Kind::ALL.iter().enumerate().all(|(i, &k)| k as usize == i));
        assert!(Phase::ALL.iter().enumerate().all(|(i, &p)| p as usize == i));
    }
}
