//! The Memory view (a mode of the Pools panel, `m`): the bytes held as one stacked bar of the ledger's
//! parts, a legend that names them, and the arenas live blocks pin, sparsest first, with the objects that
//! do it. `enter` on an arena filters the Objects table to it.

use super::panel;
use crate::heap::Part;
use crate::tui::app::App;
use crate::tui::describe::{bytes, n};
use crate::tui::memory::MemoryView;
use crate::tui::state::Panel;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draw the view in the Pools panel's `area`.
pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let Some(m) = app.cache.ledger.as_ref() else { return };
    let l = &m.ledger;
    let arenas = if l.arenas.len() == 1 { "1 arena".to_string() } else { format!("{} arenas", l.arenas.len()) };
    let title = format!(" Pools · memory · held {} in {arenas} · m: pool map ", bytes(l.held));
    let block = panel(app, Panel::Pools, title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let (width, height) = (inner.width as usize, inner.height as usize);
    // The bar, then its legend, but always room for the verdict and the sparsest arena.
    let mut lines = vec![bar(app, m, width)];
    let keep = 1 + m.pinned.len().min(1);
    lines.extend(legend(app, m, width).into_iter().take(height.saturating_sub(1 + keep)));
    lines.push(verdict(m));
    let rows = height.saturating_sub(lines.len());
    lines.extend(pinned(app, m, rows, width));
    f.render_widget(Paragraph::new(lines), inner);
}

/// The parts as one bar `width` cells wide, each part's cells in proportion to its bytes (largest
/// remainders get the spare cells, so the bar is always full).
fn bar(app: &App, m: &MemoryView, width: usize) -> Line<'static> {
    let parts: Vec<(Part, u64)> = m.ledger.nonzero().collect();
    let held = m.ledger.held.max(1);
    let mut cells: Vec<(usize, u64)> = (parts.iter())
        .map(|&(_, b)| {
            let exact = b as u128 * width as u128;
            ((exact / u128::from(held)) as usize, (exact % u128::from(held)) as u64)
        })
        .collect();
    let spare = width.saturating_sub(cells.iter().map(|c| c.0).sum());
    let mut order: Vec<usize> = (0..cells.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(cells[i].1));
    for &i in order.iter().take(spare) {
        cells[i].0 += 1;
    }
    let t = app.ui.theme;
    let spans = parts.iter().zip(&cells).map(|(&(p, _), &(n, _))| {
        let (ch, style) = t.part(p);
        Span::styled(ch.to_string().repeat(n), style)
    });
    Line::from(spans.collect::<Vec<_>>())
}

/// Each part with its bytes and share, as many to a line as fit.
fn legend(app: &App, m: &MemoryView, width: usize) -> Vec<Line<'static>> {
    let t = app.ui.theme;
    let held = m.ledger.held.max(1) as f64;
    let mut lines = Vec::new();
    let mut line: Vec<Span> = Vec::new();
    let mut used = 0;
    for (p, b) in m.ledger.nonzero() {
        let (ch, style) = t.part(p);
        let share = 100.0 * b as f64 / held;
        let share = if share < 1.0 { "<1".to_string() } else { format!("{share:.0}") };
        let text = format!(" {} {} {share}%  ", p.label(), bytes(b));
        let len = 1 + text.chars().count();
        if used + len > width && !line.is_empty() {
            lines.push(Line::from(std::mem::take(&mut line)));
            used = 0;
        }
        line.push(Span::styled(ch.to_string(), style));
        line.push(if p.is_live() { Span::raw(text) } else { Span::styled(text, t.dim()) });
        used += len;
    }
    lines.push(Line::from(line));
    lines
}

/// Whether the arenas are more than the live blocks need.
fn verdict(m: &MemoryView) -> Line<'static> {
    let l = &m.ledger;
    let holding = m.pinned.len();
    if l.fragmented() {
        Line::raw(format!(
            "{holding} arenas hold live blocks that would fit in {}: freeing these gives them back",
            l.arenas_needed.max(1)
        ))
    } else {
        Line::raw(format!(
            "{holding} arena{} with live blocks, as many as they need",
            if holding == 1 { "" } else { "s" }
        ))
    }
}

/// The pinned arenas, `rows` of them around the selection.
fn pinned(app: &App, m: &MemoryView, rows: usize, width: usize) -> Vec<Line<'static>> {
    let t = app.ui.theme;
    let focused = app.ui.focus == Panel::Pools;
    let top = super::scroll(app.ui.pool_cell, rows, m.pinned.len());
    (m.pinned.iter().enumerate().skip(top).take(rows))
        .map(|(i, a)| {
            let blocks =
                if a.live_blocks == 1 { "1 block".to_string() } else { format!("{} blocks", n(a.live_blocks)) };
            let mut text = format!("arena {:<3} {:>9} kept by {blocks:<12} ", a.arena, bytes(a.bytes));
            match (m.owners.get(i), &a.objects) {
                (Some(named), Some(all)) if !named.is_empty() => {
                    text += &named.join(", ");
                    if all.len() > named.len() {
                        text += &format!(" +{} more", all.len() - named.len());
                    }
                }
                _ => text += &format!("{} in them", bytes(a.live_bytes)),
            }
            let text: String = text.chars().take(width).collect();
            if focused && i == app.ui.pool_cell { Line::styled(text, t.selected()) } else { Line::raw(text) }
        })
        .collect()
}
