//! The application: the session (data), the UI state, and what is derived from both — the object table's
//! rows, the bound names, the detail trees, the event log window — recomputed only when what they depend on
//! changes, so a frame never walks a million objects.

use super::describe;
use super::query::Facts;
use super::session::Session;
use super::state::{Direction, Sort, Ui};
use crate::heap::{EdgeLabel, Event, ObjId};
use crate::timeline::marks::{Bound, Frames};
use rustc_hash::FxHashMap;

/// Children shown per tree node before "… N more".
pub const TREE_CHILDREN: usize = 200;
/// Events shown around the cursor in the log.
pub const LOG_EVENTS: u64 = 64;
/// Raw blocks listed beside the pool map.
const RAW_SHOWN: usize = 4;

/// A row of the detail's trees.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeRow {
    /// Which tree.
    pub dir: Direction,
    /// Nesting below the root (1: the root's own referents or referrers).
    pub depth: usize,
    /// The object in this row.
    pub id: ObjId,
    /// The reference: the edge's label (from the parent to it, or from it to the parent).
    pub via: EdgeLabel,
    /// The object ids from the root down to this row.
    pub path: Vec<ObjId>,
    /// It is already on the path: a cycle, not expanded.
    pub cycle: bool,
    /// Expanded.
    pub open: bool,
    /// Rows left out under the parent (`… N more`), on the last shown.
    pub more: usize,
}

/// What is derived from the session and the UI.
#[derive(Default)]
pub struct Cache {
    key: Option<(u64, u64, Option<usize>, String, Sort, bool)>,
    /// The table's rows: object slots, filtered and sorted.
    pub rows: Vec<u32>,
    /// The call stack at the cursor.
    pub frames: Frames,
    /// Names bound to each object.
    pub names: FxHashMap<ObjId, Vec<String>>,
    /// The largest raw blocks: (address, bytes), largest first.
    pub raw: Vec<(u64, u64)>,
    /// The running collection's candidates with their `gc_refs`, in slot order.
    pub candidates: Vec<(u32, i32)>,
    detail_key: Option<(u64, u64, Option<usize>, ObjId, usize)>,
    /// The detail's tree rows, referents first.
    pub tree: Vec<TreeRow>,
    /// Edges to the detail's root.
    pub holders: Vec<(ObjId, EdgeLabel)>,
    log_key: Option<(u64, u64)>,
    /// Events around the cursor: (index, event).
    pub log: Vec<(u64, Event)>,
    ledger_key: Option<(u64, u64, Option<usize>, super::state::Zoom)>,
    /// The memory ledger at the cursor, while the Memory view shows.
    pub ledger: Option<super::memory::MemoryView>,
    /// The objects keeping the pool shown in use, while the pool map is zoomed into one.
    pub pool_owners: Option<super::memory::PoolOwners>,
}

/// Session, UI and caches.
pub struct App {
    /// The data.
    pub session: Session,
    /// The UI state.
    pub ui: Ui,
    /// What is derived.
    pub cache: Cache,
    /// Set by `q`.
    pub quit: bool,
}

impl App {
    /// An app over a session.
    pub fn new(session: Session, ui: Ui) -> App {
        let mut app = App { session, ui, cache: Cache::default(), quit: false };
        app.refresh();
        app
    }

    /// Recompute what changed inputs invalidated.
    pub fn refresh(&mut self) {
        let s = &self.session;
        let o = &self.ui.objects;
        let key = (s.generation, s.cursor.event, s.mark, o.filter.clone(), o.sort, o.reverse);
        if self.cache.key.as_ref() != Some(&key) {
            self.cache.frames = s.frames();
            self.cache.names = names(&self.cache.frames, &s.recording);
            let img = &s.cursor.image;
            let mut raw: Vec<(u64, u64)> = img.alloc.raw.iter().map(|(&a, &n)| (a, n)).collect();
            raw.sort_by_key(|x| std::cmp::Reverse(x.1));
            raw.truncate(RAW_SHOWN);
            self.cache.raw = raw;
            self.cache.candidates = img.gc.gc_refs.iter().map(|(&slot, &refs)| (slot, refs)).collect();
            self.cache.rows = rows(s, &self.ui, &self.cache.names);
            self.cache.key = Some(key);
            self.keep_selection();
        }
        self.refresh_detail();
        self.refresh_log();
        self.refresh_ledger();
    }

    /// The ledger is worked out only while the Memory view shows, and a pool's owners while the map is
    /// zoomed into it: once per position.
    fn refresh_ledger(&mut self) {
        use super::state::Zoom;
        let s = &self.session;
        let key = (s.generation, s.cursor.event, s.mark, self.ui.zoom);
        if self.cache.ledger_key == Some(key) {
            return;
        }
        let (r, img) = (&s.recording, &s.cursor.image);
        self.cache.ledger =
            (self.ui.zoom == Zoom::Memory).then(|| super::memory::MemoryView::of(r, img, &self.cache.names));
        self.cache.pool_owners = match self.ui.zoom {
            Zoom::Pool(a, p) => Some(super::memory::PoolOwners::of(r, img, &self.cache.names, a, p)),
            _ => None,
        };
        self.cache.ledger_key = Some(key);
        if let Some(m) = &self.cache.ledger {
            self.ui.pool_cell = self.ui.pool_cell.min(m.pinned.len().saturating_sub(1));
        }
    }

    /// Keep the selected object selected when the rows change; else keep the row number in range.
    fn keep_selection(&mut self) {
        let o = &mut self.ui.objects;
        let img = &self.session.cursor.image;
        let found = o.selected.and_then(|id| img.get(id).and(self.cache.rows.iter().position(|&s| s == id.index)));
        match found {
            Some(row) => o.row = row,
            None => o.row = o.row.min(self.cache.rows.len().saturating_sub(1)),
        }
        o.selected = self.cache.rows.get(o.row).and_then(|&s| img.at_slot(s)).map(|(id, _)| id);
    }

    fn refresh_detail(&mut self) {
        let Some(d) = &self.ui.detail else {
            self.cache.detail_key = None;
            return;
        };
        let s = &self.session;
        let key = (s.generation, s.cursor.event, s.mark, d.root, d.expanded.len());
        if self.cache.detail_key == Some(key) {
            return;
        }
        let img = &s.cursor.image;
        // One pass over every edge answers "who refers to" for the root and each expanded referrer.
        let mut wanted: Vec<ObjId> = vec![d.root];
        wanted.extend(d.expanded.iter().filter(|(dir, _)| *dir == Direction::Referrers).filter_map(|(_, p)| p.last()));
        let mut referrers = super::memory::referrers(img, &wanted);
        let mut tree = Vec::new();
        for dir in [Direction::Referents, Direction::Referrers] {
            let node = Node { id: d.root, root: d.root, dir, path: Vec::new() };
            grow(&mut tree, img, &referrers, &node, &d.expanded);
        }
        self.cache.holders = referrers.remove(&d.root).unwrap_or_default();
        self.cache.tree = tree;
        self.cache.detail_key = Some(key);
        if let Some(d) = &mut self.ui.detail {
            d.row = d.row.min(self.cache.tree.len().saturating_sub(1));
        }
    }

    fn refresh_log(&mut self) {
        let s = &self.session;
        let key = (s.recording.events(), s.cursor.event);
        if self.cache.log_key == Some(key) {
            return;
        }
        let from = s.cursor.event.saturating_sub(LOG_EVENTS / 2);
        let events = s.recording.events_from(from, LOG_EVENTS as usize);
        self.cache.log = (from..).zip(events).collect();
        self.cache.log_key = Some(key);
    }

    /// Whether the cursor is inside a collection.
    pub fn collecting(&self) -> bool {
        self.session.cursor.image.gc.running.is_some_and(|r| r.phase != crate::heap::gc::Phase::Done)
    }

    /// The selected object, if it lives at the cursor.
    pub fn selected(&self) -> Option<ObjId> {
        self.ui.objects.selected.filter(|&id| self.session.cursor.image.get(id).is_some())
    }
}

/// Each object's bound names, innermost frame first, qualified by the function outside `<module>`.
fn names(frames: &Frames, r: &crate::timeline::Recording) -> FxHashMap<ObjId, Vec<String>> {
    let mut out: FxHashMap<ObjId, Vec<String>> = FxHashMap::default();
    for f in frames.0.iter().rev() {
        for &(name, b) in &f.bindings {
            if let Bound::Obj(id) = b {
                let n = match f.function {
                    Some(func) => format!("{}:{}", r.string(func), r.string(name)),
                    None => r.string(name).to_string(),
                };
                out.entry(id).or_default().push(n);
            }
        }
    }
    out
}

/// The table's rows at the cursor: live objects passing the filter, sorted. A type name or generation is
/// only looked up when the filter or the sort needs it (a million objects in slot order take a few
/// milliseconds).
fn rows(s: &Session, ui: &Ui, names: &FxHashMap<ObjId, Vec<String>>) -> Vec<u32> {
    let (r, img) = (&s.recording, &s.cursor.image);
    let q = &ui.objects.query;
    let sort = ui.objects.sort;
    let mut keyed: Vec<(u64, &str, u32)> = Vec::new();
    for (id, o) in img.live_objects() {
        let key = match sort {
            Sort::Id | Sort::Type => 0,
            Sort::Refcount => u64::from(o.refcnt),
            Sort::Size => u64::from(o.size),
            Sort::Gen => describe::generation(img, id, o).as_bytes()[0].into(),
            Sort::Weak => u64::from(o.weakrefs),
        };
        let type_name = if sort == Sort::Type || !q.is_empty() { describe::type_name(r, o) } else { "" };
        if !q.is_empty() {
            let bound: Vec<&str> = names.get(&id).map_or_else(Vec::new, |v| v.iter().map(String::as_str).collect());
            let facts = Facts {
                id: u64::from(id.index),
                type_name,
                refcount: u64::from(o.refcnt),
                size: u64::from(o.size),
                generation: describe::generation(img, id, o),
                weakrefs: u64::from(o.weakrefs),
                names: &bound,
                tracked: o.has(crate::timeline::image::oflags::TRACKED),
                garbage: o.has(crate::timeline::image::oflags::GARBAGE),
                arenas: [o.addr, o.storage].map(|a| img.alloc.locate(a).map(|(arena, _)| arena)),
            };
            if !q.matches(&facts) {
                continue;
            }
        }
        keyed.push((key, type_name, id.index));
    }
    if sort != Sort::Id {
        // Stable, over rows already in slot order: equal keys stay in slot order (within a type, when sorting
        // by type), and presorted runs are cheap.
        keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
    }
    if ui.objects.reverse {
        keyed.reverse();
    }
    keyed.into_iter().map(|k| k.2).collect()
}

/// A tree node being expanded.
struct Node {
    id: ObjId,
    root: ObjId,
    dir: Direction,
    path: Vec<ObjId>,
}

/// Add the children of `node` (and, below expanded ones, theirs) to `out`.
fn grow(
    out: &mut Vec<TreeRow>,
    img: &crate::timeline::Image,
    referrers: &FxHashMap<ObjId, Vec<(ObjId, EdgeLabel)>>,
    node: &Node,
    expanded: &[(Direction, Vec<ObjId>)],
) {
    let children: Vec<(ObjId, EdgeLabel)> = match node.dir {
        Direction::Referents => {
            img.get(node.id).map_or_else(Vec::new, |o| o.edges.iter().map(|e| (e.target, e.label)).collect())
        }
        Direction::Referrers => referrers.get(&node.id).cloned().unwrap_or_default(),
    };
    let total = children.len();
    let shown = total.min(TREE_CHILDREN);
    for (k, (child, via)) in children.into_iter().take(TREE_CHILDREN).enumerate() {
        let mut path = node.path.clone();
        path.push(child);
        // Back at the root, or at an object already on the way down: a cycle.
        let cycle = child == node.root || node.path.contains(&child);
        let open = !cycle && expanded.iter().any(|(d, e)| *d == node.dir && *e == path);
        let more = if k + 1 == shown { total - shown } else { 0 };
        out.push(TreeRow { dir: node.dir, depth: path.len(), id: child, via, path: path.clone(), cycle, open, more });
        if open {
            let below = Node { id: child, root: node.root, dir: node.dir, path };
            grow(out, img, referrers, &below, expanded);
        }
    }
}
