//! The Objects panel: live objects as a table (only the visible rows are built, so a million objects cost
//! what a screenful does), with the filter bar while typing.

use super::{panel, scroll};
use crate::tui::app::App;
use crate::tui::describe::{self, compact, n};
use crate::tui::state::{Panel, Sort};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};

/// Where the table's rows are in the panel at `area`: the first row's screen line and how many fit (the
/// border, the heading and, when shown, the filter bar take the rest). Clicks use it too.
pub fn rows_at(area: Rect, app: &App) -> (u16, usize) {
    let o = &app.ui.objects;
    let filter_bar = u16::from(o.editing || o.error.is_some() || !o.filter.is_empty());
    (area.y + 2, area.height.saturating_sub(3 + filter_bar) as usize)
}

/// Draw the panel.
pub fn render(f: &mut Frame, area: Rect, app: &App) {
    if area.is_empty() {
        return;
    }
    let t = app.ui.theme;
    let o = &app.ui.objects;
    let rows = &app.cache.rows;
    let live = app.session.cursor.image.live;
    let order = format!("{}{}", o.sort.name(), if o.reverse { " ↓" } else { "" });
    let shown = if o.query.is_empty() {
        format!(" Objects · {} live · by {order} ", n(live))
    } else {
        format!(" Objects · {} of {} live match · by {order} ", n(rows.len() as u64), n(live))
    };
    let block = panel(app, Panel::Objects, shown);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let editing = o.editing || o.error.is_some() || !o.filter.is_empty();
    let [table_area, filter_area] =
        Layout::vertical([Constraint::Min(0), Constraint::Length(u16::from(editing))]).areas(inner);
    if editing {
        let mut spans = vec![Span::styled("/ ", t.accent()), Span::raw(o.filter.clone())];
        if o.editing {
            spans.push(Span::styled("█", t.accent()));
        }
        if let Some(e) = &o.error {
            spans.push(Span::styled(format!("  {e}"), t.bad()));
        }
        f.render_widget(Paragraph::new(Line::from(spans)), filter_area);
    }
    let (_, visible) = rows_at(area, app);
    let top = scroll(o.row, visible, rows.len());
    let (r, img) = (&app.session.recording, &app.session.cursor.image);
    let body: Vec<Row> = rows[top..rows.len().min(top + visible)]
        .iter()
        .enumerate()
        .filter_map(|(k, &slot)| {
            let (id, obj) = img.at_slot(slot)?;
            let names = app.cache.names.get(&id).map(|v| v.join(", ")).unwrap_or_default();
            let row = Row::new(vec![
                Cell::from(id.to_string()),
                Cell::from(describe::what(r, id, obj)),
                Cell::from(names),
                Cell::from(Line::from(compact(u64::from(obj.refcnt), 6)).right_aligned()),
                Cell::from(Line::from(compact(u64::from(obj.size), 6)).right_aligned()),
                Cell::from(describe::generation(img, id, obj)),
                Cell::from(Line::from(obj.weakrefs.to_string()).right_aligned()),
            ]);
            Some(if top + k == o.row { row.style(t.selected()) } else { row })
        })
        .collect();
    let heading = |s: Sort, text: &'static str| {
        let style = if o.sort == s { t.accent() } else { t.dim() };
        Cell::from(Span::styled(text, style))
    };
    let header = Row::new(vec![
        heading(Sort::Id, "id"),
        heading(Sort::Type, "type"),
        Cell::from(Span::styled("names", t.dim())),
        heading(Sort::Refcount, "refcnt"),
        heading(Sort::Size, "size"),
        heading(Sort::Gen, "gen"),
        heading(Sort::Weak, "weak"),
    ]);
    let widths = [
        Constraint::Length(6),
        Constraint::Fill(3),
        Constraint::Fill(2),
        Constraint::Length(6),
        Constraint::Length(6),
        Constraint::Length(9),
        Constraint::Length(4),
    ];
    if rows.is_empty() {
        let why = if o.query.is_empty() { "no live objects yet" } else { "no object matches the filter" };
        f.render_widget(Paragraph::new(Line::styled(why, t.dim())), table_area);
        return;
    }
    f.render_widget(Table::new(body, widths).header(header).column_spacing(1), table_area);
}
