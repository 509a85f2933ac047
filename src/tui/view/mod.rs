//! Drawing: every frame is a pure function of the app (`draw(frame, &app)`), one module per panel.

mod detail;
mod gc;
pub mod header;
mod help;
pub mod layout;
mod memory;
pub mod objects;
pub mod pools;
mod script;
pub mod timeline;

use super::app::App;
use super::state::Panel;
use ratatui::Frame;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Paragraph, Wrap};

/// Draw the whole screen.
pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    let (w, h) = layout::MIN;
    if area.width < w || area.height < h {
        let t = app.ui.theme;
        let text = vec![
            Line::styled("heapscope needs a bigger terminal", t.title()),
            Line::raw(""),
            Line::raw(format!("It is {}×{}; the view needs at least {w}×{h}.", area.width, area.height)),
            Line::raw("Enlarge the window, or press q to quit."),
            Line::styled("(heapscope run --headless prints a report instead.)", t.dim()),
        ];
        let top = area.height.saturating_sub(text.len() as u16) / 2;
        let rect = Rect::new(area.x, area.y + top, area.width, area.height - top);
        f.render_widget(Paragraph::new(text).alignment(Alignment::Center).wrap(Wrap { trim: true }), rect);
        return;
    }
    let a = layout::areas(area, &app.ui, app.collecting());
    header::header(f, a.header, app);
    script::render(f, a.script, app);
    if app.ui.detail.is_some() {
        detail::render(f, a.objects, app);
    } else {
        objects::render(f, a.objects, app);
    }
    pools::render(f, a.pools, app);
    gc::render(f, a.gc, app);
    timeline::render(f, a.timeline, app);
    header::keybar(f, a.keybar, app);
    if app.ui.help {
        help::render(f, area, app);
    }
}

/// A panel's frame: its title, highlighted when it has the focus.
fn panel<'a>(app: &App, p: Panel, title: impl Into<Line<'a>>) -> Block<'a> {
    let t = app.ui.theme;
    let focused = app.ui.focus == p;
    Block::bordered()
        .border_type(if focused { BorderType::Thick } else { BorderType::Plain })
        .border_style(if focused { t.focus() } else { t.border() })
        .title(title.into().style(if focused { t.title() } else { t.text() }))
}

/// The first row to show so that `row` stays in view, near the middle once the list scrolls.
pub fn scroll(row: usize, visible: usize, len: usize) -> usize {
    row.saturating_sub(visible / 2).min(len.saturating_sub(visible))
}
