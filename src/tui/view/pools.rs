//! The Pools panel: pymalloc's arenas as rows of pools coloured by how full they are, zoomable into one arena
//! (each pool with its size class) and into one pool (each block); the raw allocator's blocks and the totals
//! beside.

use super::panel;
use crate::timeline::Image;
use crate::tui::app::App;
use crate::tui::describe::{bytes, n};
use crate::tui::state::{Panel, Zoom};
use crate::tui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// How many cells the current zoom level has (arenas, pools, or blocks), for moving the selection.
pub fn cells(img: &Image, zoom: Zoom) -> usize {
    match zoom {
        Zoom::Arenas => img.alloc.arenas.len(),
        Zoom::Arena(a) => img.alloc.arenas.get(a as usize).map_or(0, |x| usize::from(x.pools)),
        Zoom::Pool(a, p) => img.alloc.pool(a, p).and_then(|p| p.class).map_or(0, |c| blocks_per_pool(img, c)),
        // The Memory view's rows are the ledger's pinned arenas (`App::cache`), not the image's.
        Zoom::Memory => 0,
    }
}

fn class_size(c: u8) -> u32 {
    crate::heap::profile::class_size(usize::from(c))
}

fn blocks_per_pool(img: &Image, c: u8) -> usize {
    ((img.alloc.pool_size() - crate::heap::profile::POOL_OVERHEAD) / class_size(c)) as usize
}

/// How full a pool is (0.0-1.0) and its size class, if it was ever used.
fn fill(img: &Image, arena: u32, pool: usize) -> (f64, Option<u8>) {
    match img.alloc.pool(arena, pool) {
        Some(p) => match p.class {
            Some(c) => (f64::from(p.nused) / blocks_per_pool(img, c) as f64, Some(c)),
            None => (0.0, None),
        },
        None => (0.0, None),
    }
}

/// A map cell: how full (the character) and, in colour, which size class (`class`: its block size).
fn cell(t: Theme, fill: f64, class: Option<u32>, selected: bool) -> Span<'static> {
    let style = if selected { t.selected() } else { t.class(class) };
    Span::styled(Theme::heat_char(fill).to_string(), style)
}

/// The selected object's block: (arena, pool number, block number).
fn selected_block(app: &App) -> Option<(u32, usize, usize)> {
    let img = &app.session.cursor.image;
    let o = img.get(app.selected()?)?;
    let (arena, slot) = img.alloc.locate(o.addr)?;
    let pool = slot % img.alloc.pools_per_arena() as usize;
    let c = img.alloc.pool(arena, pool)?.class?;
    let start = img.alloc.pool_addr(arena, pool)? + u64::from(crate::heap::profile::POOL_OVERHEAD);
    Some((arena, pool, ((o.addr - start) / u64::from(class_size(c))) as usize))
}

/// Draw the panel.
pub fn render(f: &mut Frame, area: Rect, app: &App) {
    if area.is_empty() {
        return;
    }
    if app.ui.zoom == Zoom::Memory {
        return super::memory::render(f, area, app);
    }
    let t = app.ui.theme;
    let img = &app.session.cursor.image;
    let al = &img.alloc;
    let title = match app.ui.zoom {
        Zoom::Arenas | Zoom::Memory => " Pools · arenas × pools ".to_string(),
        Zoom::Arena(a) => format!(" Pools · arena {a} "),
        Zoom::Pool(a, p) => format!(" Pools · arena {a} · pool {p} "),
    };
    let block = panel(app, Panel::Pools, title);
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [map, side] = Layout::horizontal([Constraint::Min(20), Constraint::Length(24)]).areas(inner);
    let mark = selected_block(app);
    let cursor = |i: usize| app.ui.focus == Panel::Pools && app.ui.pool_cell == i;
    let mut lines: Vec<Line> = Vec::new();
    match app.ui.zoom {
        Zoom::Arenas | Zoom::Memory => {
            let width = map.width.saturating_sub(9) as usize;
            // Only the rows that fit, scrolled to the selected arena.
            let rows = map.height as usize;
            let top = super::scroll(app.ui.pool_cell, rows, al.arenas.len());
            for (a, ar) in al.arenas.iter().enumerate().skip(top).take(rows) {
                let mut spans =
                    vec![Span::styled(format!("arena {a:<2} "), if cursor(a) { t.selected() } else { t.dim() })];
                if ar.addr == 0 {
                    spans.push(Span::styled("(returned to the OS)", t.dim()));
                } else {
                    // One cell per pool when they fit, else each cell stands for several (their mean fill).
                    let per = usize::from(ar.pools).div_ceil(width.max(1)).max(1);
                    for chunk in (0..usize::from(ar.pools)).collect::<Vec<_>>().chunks(per) {
                        let fills: Vec<(f64, Option<u8>)> = chunk.iter().map(|&p| fill(img, a as u32, p)).collect();
                        let mean = fills.iter().map(|f| f.0).sum::<f64>() / chunk.len() as f64;
                        let class = fills.iter().find_map(|f| f.1).map(class_size);
                        let here = mark.is_some_and(|(ma, mp, _)| ma == a as u32 && chunk.contains(&mp));
                        spans.push(cell(t, mean, class, here));
                    }
                }
                lines.push(Line::from(spans));
            }
            if al.arenas.is_empty() {
                lines.push(Line::styled("no arena mapped yet", t.dim()));
            }
        }
        Zoom::Arena(a) => {
            let per_row = (map.width / 5).max(1) as usize;
            let n_pools = al.arenas.get(a as usize).map_or(0, |x| usize::from(x.pools));
            for row in (0..n_pools).collect::<Vec<_>>().chunks(per_row) {
                let mut spans = Vec::new();
                for &p in row {
                    let (fl, class) = fill(img, a, p);
                    let label = class.map_or(" -- ".to_string(), |c| format!("{:>3}", class_size(c)));
                    let here = mark.is_some_and(|(ma, mp, _)| ma == a && mp == p);
                    let style = if cursor(p) || here { t.selected() } else { t.class(class.map(class_size)) };
                    spans.push(Span::styled(format!("{label}{}", Theme::heat_char(fl)), style));
                    spans.push(Span::raw(" "));
                }
                lines.push(Line::from(spans));
            }
        }
        Zoom::Pool(a, p) => {
            if let Some(pool) = al.pool(a, p) {
                let total = cells(img, app.ui.zoom);
                let per_row = map.width.max(1) as usize;
                for row in (0..total).collect::<Vec<_>>().chunks(per_row) {
                    let size = pool.class.map(class_size);
                    let spans: Vec<Span> = row
                        .iter()
                        .map(|&b| {
                            let used = if pool.is_allocated(b) { 1.0 } else { 0.0 };
                            cell(t, used, size, cursor(b) || mark == Some((a, p, b)))
                        })
                        .collect();
                    lines.push(Line::from(spans));
                }
            }
        }
    }
    f.render_widget(Paragraph::new(lines), map);
    f.render_widget(Paragraph::new(side_lines(app)), side);
}

/// What keeps a zoomed-in pool in use, then the totals, the legend and the raw allocator's blocks.
fn side_lines(app: &App) -> Vec<Line<'static>> {
    let t = app.ui.theme;
    let img = &app.session.cursor.image;
    let al = &img.alloc;
    let mut lines = vec![
        Line::raw(format!("arenas {} mapped", al.arenas_current)),
        Line::styled(format!(" +{} −{} peak {}", al.arenas_allocated, al.arenas_freed, al.arenas_highwater), t.dim()),
        Line::raw(format!("in use {}", bytes(al.bytes_in_use()))),
        Line::styled(format!(" of {} held", bytes(al.bytes_held(img.arena_size()))), t.dim()),
        Line::raw(format!("blocks {}", n(al.blocks))),
        Line::from(vec![
            Span::raw("fill "),
            cell(t, 0.0, None, false),
            Span::raw("0 "),
            cell(t, 0.2, None, false),
            cell(t, 0.5, None, false),
            cell(t, 0.8, None, false),
            Span::raw(" "),
            cell(t, 1.0, None, false),
            Span::raw("full"),
        ]),
    ];
    if t.color {
        let mut spans = vec![Span::raw("size≤")];
        for b in Theme::CLASS_BANDS {
            spans.push(Span::styled("█", t.class(Some(b))));
            spans.push(Span::raw(format!("{b} ")));
        }
        lines.push(Line::from(spans));
    }
    if let Some(owners) = &app.cache.pool_owners {
        // Zoomed into a pool: what keeps it in use (freeing them would empty it) comes first.
        let mut first = Vec::new();
        let objects =
            if owners.count == 1 { "1 object".to_string() } else { format!("{} objects", n(owners.count as u64)) };
        first.push(Line::styled(format!("kept by {objects}"), t.accent()));
        for name in &owners.named {
            first.push(Line::raw(format!(" {name}")));
        }
        if owners.count > owners.named.len() {
            first.push(Line::styled(format!(" … {} more", n((owners.count - owners.named.len()) as u64)), t.dim()));
        }
        if owners.unowned > 0 {
            first.push(Line::styled(format!("+{} blocks of free lists", n(owners.unowned)), t.dim()));
            first.push(Line::styled(" or the start-up heap", t.dim()));
        }
        lines.splice(0..0, first);
    }
    lines.push(Line::raw(format!("raw blocks {} ({})", al.raw.len(), bytes(al.raw_bytes))));
    for &(addr, size) in &app.cache.raw {
        lines.push(Line::styled(format!("  {addr:#x} {}", bytes(size)), t.dim()));
    }
    lines
}
