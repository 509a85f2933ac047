//! One object up close: what it is and where its block is, what holds each of its references ("why is the
//! refcount 3"), and its referents and referrers as trees with cycles marked.

use super::{panel, scroll};
use crate::heap::profile::class_size;
use crate::timeline::image::oflags;
use crate::tui::app::App;
use crate::tui::describe::{self, bytes, edge, n};
use crate::tui::state::{Direction, Panel};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Draw the detail in the Objects panel's place.
pub fn render(f: &mut Frame, area: Rect, app: &App) {
    let Some(d) = &app.ui.detail else { return };
    let t = app.ui.theme;
    let (r, img) = (&app.session.recording, &app.session.cursor.image);
    let Some(o) = img.get(d.root) else {
        let p = Paragraph::new(vec![
            Line::styled(format!("{} is not alive at this point of the run.", d.root), t.dim()),
            Line::styled("Step back to when it was, or press esc.", t.dim()),
        ]);
        f.render_widget(p.block(panel(app, Panel::Objects, format!(" Object {} ", d.root))), area);
        return;
    };
    let mut lines = vec![Line::from(vec![
        Span::styled(describe::what(r, d.root, o), t.title()),
        Span::raw(format!(
            " at {:#x} · sys.getsizeof {} · generation {} · {} weakref{}",
            o.addr,
            n(u64::from(o.size)),
            describe::generation(img, d.root, o),
            o.weakrefs,
            if o.weakrefs == 1 { "" } else { "s" }
        )),
    ])];
    lines.push(match img.alloc.locate(o.addr) {
        Some((arena, slot)) => {
            let pool_no = slot % img.alloc.pools_per_arena() as usize;
            let class = img.alloc.pool(arena, pool_no).and_then(|p| p.class).map_or(0, |c| class_size(usize::from(c)));
            Line::styled(
                format!("its block: arena {arena}, pool {pool_no}, {class}-byte blocks (highlighted in Pools)"),
                t.dim(),
            )
        }
        None if o.has(oflags::STATIC) => Line::styled("statically allocated: no pymalloc block", t.dim()),
        None => Line::styled(format!("its block: {} from the raw allocator", bytes(u64::from(o.size))), t.dim()),
    });
    if let Some(target) = img.weak_target(d.root) {
        let what = img.get(target).map_or(String::new(), |t| describe::what(r, target, t));
        lines.push(Line::raw(format!("a weak reference to {target} {what} (it does not count in its refcount)")));
    }
    holders(app, d.root, o, &mut lines);
    let first_tree = lines.len();
    let mut at = Vec::new();
    for dir in [Direction::Referents, Direction::Referrers] {
        let rows: Vec<_> = app.cache.tree.iter().enumerate().filter(|(_, row)| row.dir == dir).collect();
        let heading = match dir {
            Direction::Referents => format!("Referents ({}): what it refers to", o.edges.len()),
            Direction::Referrers => format!("Referrers ({}): what refers to it", app.cache.holders.len()),
        };
        lines.push(Line::styled(heading, t.title()));
        if rows.is_empty() {
            lines.push(Line::styled("  (none)", t.dim()));
        }
        for (i, row) in rows {
            at.push((i, lines.len()));
            let marker = if row.cycle {
                "↺"
            } else if row.open {
                "▾"
            } else {
                "▸"
            };
            let who = img.get(row.id).map_or("(freed)".to_string(), |c| describe::what(r, row.id, c));
            let text = match dir {
                Direction::Referents => format!("{} → {} {who}", edge(r, row.via), row.id),
                Direction::Referrers => format!("{} {who} via {}", row.id, edge(r, row.via)),
            };
            let indent = "  ".repeat(row.depth);
            let mut spans = vec![Span::raw(format!("{indent}{marker} ")), Span::raw(text)];
            if row.cycle {
                spans.push(Span::styled("  (cycle)", t.accent()));
            }
            if row.more > 0 {
                spans.push(Span::styled(format!("  … {} more", n(row.more as u64)), t.dim()));
            }
            let line = Line::from(spans);
            lines.push(if i == d.row && app.ui.focus == Panel::Objects { line.style(t.selected()) } else { line });
        }
    }
    let visible = area.height.saturating_sub(2) as usize;
    let selected_line = at.iter().find(|(i, _)| *i == d.row).map_or(0, |(_, l)| *l);
    let top = if selected_line < visible {
        0
    } else {
        scroll(selected_line, visible, lines.len()).max(first_tree.min(selected_line))
    };
    let title = format!(" Object {} · {} ", d.root, describe::type_name(r, o));
    f.render_widget(Paragraph::new(lines).block(panel(app, Panel::Objects, title)).scroll((top as u16, 0)), area);
}

/// "Why is the refcount N": every reference that counts, by who holds it.
fn holders(app: &App, id: crate::heap::ObjId, o: &crate::timeline::image::ObjRec, lines: &mut Vec<Line>) {
    let t = app.ui.theme;
    let r = &app.session.recording;
    let img = &app.session.cursor.image;
    let getrefcount = if o.has(oflags::IMMORTAL) { u64::from(o.refcnt) } else { u64::from(o.refcnt) + 1 };
    lines.push(Line::styled(
        format!("ob_refcnt {} (sys.getrefcount(x) would print {}) — held by:", n(u64::from(o.refcnt)), n(getrefcount)),
        t.accent(),
    ));
    if o.has(oflags::IMMORTAL) {
        lines.push(Line::raw("  nobody in particular: it is immortal (PEP 683), its count never changes"));
        return;
    }
    let names = app.cache.names.get(&id).map_or(&[][..], Vec::as_slice);
    for name in names {
        lines.push(Line::raw(format!("  the name {name}")));
    }
    for (from, label) in app.cache.holders.iter().take(super::super::app::TREE_CHILDREN) {
        let who = img.get(*from).map_or("?".to_string(), |f| describe::what(r, *from, f));
        lines.push(Line::raw(format!("  {from} {who}, as {}", edge(r, *label))));
    }
    let counted = names.len() as u64 + app.cache.holders.len() as u64;
    let rest = u64::from(o.refcnt).saturating_sub(counted);
    if rest > 0 {
        let why = if o.has(oflags::STATIC) {
            "the interpreter's own references to a static singleton"
        } else if o.has(oflags::GARBAGE) {
            "gc.garbage, or a temporary of the running statement"
        } else {
            "a temporary of the running statement, or the runtime (a finalizer call, a callback)"
        };
        lines.push(Line::styled(format!("  {} more: {why}", n(rest)), t.dim()));
    }
}
