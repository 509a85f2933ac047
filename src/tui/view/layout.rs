//! Where each panel goes: the same function places the panels for drawing and finds the panel under a click.

use crate::tui::state::{Panel, Ui};
use ratatui::layout::{Constraint, Layout, Rect};

/// The smallest screen the full layout fits.
pub const MIN: (u16, u16) = (100, 30);

/// Every panel's rectangle (empty when hidden).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Areas {
    /// The title line.
    pub header: Rect,
    /// Script: step, source, frames.
    pub script: Rect,
    /// Objects (or the detail).
    pub objects: Rect,
    /// Pools.
    pub pools: Rect,
    /// The collector.
    pub gc: Rect,
    /// Chart and event log.
    pub timeline: Rect,
    /// The key bar.
    pub keybar: Rect,
}

/// Lay the screen out: a title line, the four panels in two columns, the timeline across the bottom, the
/// key bar. The timeline grows with the terminal's height; a maximized panel takes the whole middle; while
/// the cursor is inside a collection, the GC panel gets the larger share of its column.
pub fn areas(area: Rect, ui: &Ui, collecting: bool) -> Areas {
    let timeline_rows = (area.height / 4).clamp(8, 16);
    let [header, body, keybar] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
    if ui.maximized {
        let mut a = Areas { header, keybar, ..Areas::default() };
        match ui.focus {
            Panel::Script => a.script = body,
            Panel::Objects => a.objects = body,
            Panel::Pools => a.pools = body,
            Panel::Gc => a.gc = body,
            Panel::Timeline => a.timeline = body,
        }
        return a;
    }
    let [middle, timeline] = Layout::vertical([Constraint::Min(0), Constraint::Length(timeline_rows)]).areas(body);
    let [left, right] = Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(middle);
    let script_share = if collecting { 35 } else { 58 };
    let [script, gc] =
        Layout::vertical([Constraint::Percentage(script_share), Constraint::Percentage(100 - script_share)])
            .areas(left);
    let [objects, pools] = Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(right);
    Areas { header, script, objects, pools, gc, timeline, keybar }
}
