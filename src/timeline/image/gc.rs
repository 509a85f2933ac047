//! The collector of a replayed heap: counts, thresholds, statistics, and the collection in progress.

use crate::heap::gc::{CollectResult, GenStats, Phase};
use crate::heap::profile::Profile;

/// Generation lists a `gc_list` byte can name (three generations and the permanent one).
pub const LISTS: usize = 4;

/// A collection as far as the events have told it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Running {
    /// The generation being collected.
    pub generation: u8,
    /// The phase that runs next.
    pub phase: Phase,
}

/// The collector's state at one point of a recording.
#[derive(Clone, Debug)]
pub struct GcImage {
    /// `gc.get_count()`.
    pub count: [u32; 3],
    /// `gc.get_threshold()`.
    pub thresholds: [u32; 3],
    /// `gc.isenabled()`.
    pub enabled: bool,
    /// `gc.get_stats()`.
    pub stats: [GenStats; 3],
    /// The last finished collection.
    pub last: Option<CollectResult>,
    /// The collection in progress.
    pub running: Option<Running>,
    /// Candidates' `gc_refs` after `subtract_refs`, by slot (during a collection).
    pub gc_refs: imbl::OrdMap<u32, i32>,
    /// Candidates `move_unreachable` found unreachable, by slot (during a collection).
    pub unreachable: imbl::OrdSet<u32>,
    /// Objects in each generation list.
    pub list_len: [u64; LISTS],
    /// Objects `gc.garbage` holds.
    pub garbage: u32,
    /// Bumped whenever a collection takes a list; see [`GcImage::taken`].
    pub(crate) epoch: u32,
    /// The epoch at which each list was last emptied by a collection: an object stamped earlier left it then.
    pub(crate) taken: [u32; LISTS],
}

impl GcImage {
    /// A collector that has done nothing, with `profile`'s thresholds.
    pub fn new(profile: &Profile) -> GcImage {
        GcImage {
            count: [0; 3],
            thresholds: profile.thresholds,
            enabled: true,
            stats: [GenStats::default(); 3],
            last: None,
            running: None,
            gc_refs: imbl::OrdMap::new(),
            unreachable: imbl::OrdSet::new(),
            list_len: [0; LISTS],
            garbage: 0,
            epoch: 0,
            taken: [0; LISTS],
        }
    }

    /// A collection finished.
    pub fn done(&mut self, result: CollectResult, counted: bool, candidates: u64) {
        if counted && let Some(s) = self.stats.get_mut(result.generation) {
            s.collections += 1;
            s.collected += result.collected;
            s.uncollectable += result.uncollectable;
            s.candidates += candidates;
        }
        self.last = Some(result);
        self.running = None;
        self.gc_refs = imbl::OrdMap::new();
        self.unreachable = imbl::OrdSet::new();
    }
}
