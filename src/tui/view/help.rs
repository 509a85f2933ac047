//! The help: every key, from the same table the key map uses, and what the numbers mean.

use crate::tui::action::{KEYS, Key, When};
use crate::tui::app::App;
use crate::tui::state::Panel;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};

fn entry(app: &App, k: &Key) -> Line<'static> {
    Line::from(vec![Span::styled(format!("{:>13} ", k.keys), app.ui.theme.accent()), Span::raw(k.what)])
}

/// Where a panel key applies, as its group's heading.
fn group(w: When) -> &'static str {
    match w {
        When::In(Panel::Objects) => "Objects",
        When::Detail => "Object detail",
        When::In(Panel::Pools) => "Pools",
        When::In(Panel::Timeline) => "Timeline",
        When::Typing => "Typing a filter",
        _ => "",
    }
}

/// Draw the help over the screen: the keys that work everywhere on the left, those of each panel on the
/// right, then how to read the numbers.
pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let t = app.ui.theme;
    let width = area.width.saturating_sub(4).min(120);
    let column = (width.saturating_sub(2) / 2) as usize;
    let left: Vec<Line> = std::iter::once(Line::styled("Anywhere", t.title()))
        .chain(KEYS.iter().filter(|k| k.when == When::Always).map(|k| entry(app, k)))
        .collect();
    let mut right: Vec<Line> = Vec::new();
    let mut last = "";
    for k in KEYS.iter().filter(|k| k.when != When::Always) {
        if group(k.when) != last {
            last = group(k.when);
            right.push(Line::styled(last, t.title()));
        }
        right.push(entry(app, k));
    }
    let mut lines = Vec::new();
    for i in 0..left.len().max(right.len()) {
        let l = left.get(i).cloned().unwrap_or_default();
        let pad = column.saturating_sub(l.width());
        let mut spans = l.spans;
        spans.push(Span::raw(" ".repeat(pad)));
        spans.extend(right.get(i).cloned().unwrap_or_default().spans);
        lines.push(Line::from(spans));
    }
    lines.push(Line::raw(""));
    for note in [
        "Filter: type=list refcount>1 gen=2 name=a size>=64 weak>0 id=12; ~ means contains; flags tracked \
         untracked immortal garbage named.",
        "refcnt is ob_refcnt: sys.getrefcount(x) prints one more (its argument). size is sys.getsizeof.",
        "gen: 0 1 2, frozen (gc.freeze), untracked, immortal, candidate (of the collection running).",
        "The source marks the statement about to run; [ and ] step through the heap events it causes.",
        "g re-runs the scenario with gc.collect() injected at the cursor (a last step at the end).",
        "Mouse: click a panel, a row, or the chart to jump there; the wheel scrolls.",
    ] {
        lines.push(Line::styled(note, t.dim()));
    }
    let height = (lines.len() as u16 + 4).min(area.height);
    let rect = Rect::new(area.x + (area.width - width) / 2, area.y + (area.height - height) / 2, width, height);
    f.render_widget(Clear, rect);
    let block = Block::bordered().title(Line::styled(" Help · any key closes ", t.title())).border_style(t.focus());
    f.render_widget(Paragraph::new(lines).block(block).wrap(Wrap { trim: false }), rect);
}
