//! UI state only: which panel has focus, what is selected, filtered, zoomed, and whether playback runs. The
//! heap data lives in the session; what is derived from both lives in the caches.

use super::query::Query;
use super::theme::Theme;
use crate::heap::ObjId;

/// The panels, in tab order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Panel {
    /// The step, its source and the call stack.
    Script,
    /// Live objects (or one object's detail).
    Objects,
    /// Arenas, pools and blocks.
    Pools,
    /// The collector.
    Gc,
    /// The chart and the event log.
    Timeline,
}

impl Panel {
    /// Tab order.
    pub const ALL: [Panel; 5] = [Panel::Script, Panel::Objects, Panel::Pools, Panel::Gc, Panel::Timeline];

    /// The panel after this one (`forward`) or before it.
    pub fn cycle(self, forward: bool) -> Panel {
        let i = Panel::ALL.iter().position(|&p| p == self).unwrap_or(0);
        let n = Panel::ALL.len();
        Panel::ALL[if forward { (i + 1) % n } else { (i + n - 1) % n }]
    }

    /// Its name in titles and help.
    pub fn name(self) -> &'static str {
        match self {
            Panel::Script => "Script",
            Panel::Objects => "Objects",
            Panel::Pools => "Pools",
            Panel::Gc => "GC",
            Panel::Timeline => "Timeline",
        }
    }
}

/// What the object table is sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    /// Slot order (creation order, with reuse).
    Id,
    /// Type name.
    Type,
    /// `ob_refcnt`.
    Refcount,
    /// `sys.getsizeof`.
    Size,
    /// Generation.
    Gen,
    /// Weak references.
    Weak,
}

impl Sort {
    /// The next column (`s`).
    pub fn next(self) -> Sort {
        match self {
            Sort::Id => Sort::Type,
            Sort::Type => Sort::Refcount,
            Sort::Refcount => Sort::Size,
            Sort::Size => Sort::Gen,
            Sort::Gen => Sort::Weak,
            Sort::Weak => Sort::Id,
        }
    }

    /// The column's heading.
    pub fn name(self) -> &'static str {
        match self {
            Sort::Id => "id",
            Sort::Type => "type",
            Sort::Refcount => "refcnt",
            Sort::Size => "size",
            Sort::Gen => "gen",
            Sort::Weak => "weak",
        }
    }
}

/// The object table's state.
#[derive(Clone, Debug)]
pub struct ObjectsUi {
    /// Sort column.
    pub sort: Sort,
    /// Descending.
    pub reverse: bool,
    /// The filter as typed.
    pub filter: String,
    /// The filter in effect (the last one that parsed).
    pub query: Query,
    /// Why the typed filter does not parse.
    pub error: Option<String>,
    /// Typing into the filter.
    pub editing: bool,
    /// The selected row.
    pub row: usize,
    /// The selected object, kept across steps while it lives.
    pub selected: Option<ObjId>,
}

/// How far the pool map is zoomed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Zoom {
    /// Every arena, a row each.
    Arenas,
    /// One arena's pools.
    Arena(u32),
    /// One pool's blocks.
    Pool(u32, usize),
    /// The memory ledger: what is held, part by part, and the arenas live blocks pin (the selection).
    Memory,
}

/// Which way a detail tree goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    /// What the object refers to.
    Referents,
    /// What refers to it.
    Referrers,
}

/// The object detail's state.
#[derive(Clone, Debug)]
pub struct DetailUi {
    /// The object shown.
    pub root: ObjId,
    /// Expanded tree nodes, each as its path of object ids from the root (the root's own path is empty).
    pub expanded: Vec<(Direction, Vec<ObjId>)>,
    /// The selected tree row.
    pub row: usize,
}

/// Everything the UI remembers.
#[derive(Clone, Debug)]
pub struct Ui {
    /// The focused panel.
    pub focus: Panel,
    /// The object table.
    pub objects: ObjectsUi,
    /// The object detail, when open (it takes the Objects panel's place).
    pub detail: Option<DetailUi>,
    /// The pool map's zoom and selected cell.
    pub zoom: Zoom,
    /// The selected cell of the pool map.
    pub pool_cell: usize,
    /// The selected row of the GC candidates.
    pub gc_row: usize,
    /// The event log's selected row, counted back from the cursor (0: the event at the cursor).
    pub event_row: i64,
    /// Playing.
    pub playing: bool,
    /// Index into [`SPEEDS`].
    pub speed: usize,
    /// The help is open.
    pub help: bool,
    /// The focused panel fills the screen.
    pub maximized: bool,
    /// A message for the status line, and whether it is an error.
    pub message: Option<(String, bool)>,
    /// Colours or not.
    pub theme: Theme,
    /// The terminal's size (columns, rows), to place clicks.
    pub size: (u16, u16),
}

/// Playback speeds, in stops per second.
pub const SPEEDS: [f64; 10] = [0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

impl Ui {
    /// The state at start-up.
    pub fn new(theme: Theme) -> Ui {
        Ui {
            focus: Panel::Objects,
            objects: ObjectsUi {
                sort: Sort::Id,
                reverse: false,
                filter: String::new(),
                query: Query::default(),
                error: None,
                editing: false,
                row: 0,
                selected: None,
            },
            detail: None,
            zoom: Zoom::Arenas,
            pool_cell: 0,
            gc_row: 0,
            event_row: 0,
            playing: false,
            speed: 3,
            help: false,
            maximized: false,
            message: None,
            theme,
            size: (0, 0),
        }
    }

    /// Seconds between two stops while playing.
    pub fn tick(&self) -> f64 {
        1.0 / SPEEDS[self.speed]
    }
}
