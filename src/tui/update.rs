//! `update`: one action applied to the app. Moving through time goes to the session; everything else is UI
//! state. The caches are refreshed after each action.

use super::action::Action;
use super::app::App;
use super::query::Query;
use super::state::{DetailUi, Panel, SPEEDS, Zoom};
use super::view::layout::{Areas, areas};
use ratatui::layout::{Position, Rect};

/// Rows a page key moves.
const PAGE: usize = 10;

/// Apply `action`.
pub fn update(app: &mut App, action: Action) {
    app.session.take_over();
    if !matches!(action, Action::Click(..) | Action::Wheel(..)) {
        app.ui.message = None;
    }
    match action {
        Action::Quit => app.quit = true,
        Action::Help => app.ui.help = !app.ui.help,
        Action::Back => back(app),
        Action::NextStop
        | Action::PrevStop
        | Action::NextStep
        | Action::PrevStep
        | Action::NextEvent
        | Action::PrevEvent
        | Action::Home
        | Action::End => travel(app, action),
        Action::Play => {
            if !app.ui.playing && app.session.at_end() && !app.session.running() {
                app.session.go_first_step();
            }
            app.ui.playing = !app.ui.playing;
        }
        Action::Faster => app.ui.speed = (app.ui.speed + 1).min(SPEEDS.len() - 1),
        Action::Slower => app.ui.speed = app.ui.speed.saturating_sub(1),
        Action::FocusNext => app.ui.focus = app.ui.focus.cycle(true),
        Action::FocusPrev => app.ui.focus = app.ui.focus.cycle(false),
        Action::Focus(p) => app.ui.focus = p,
        Action::Up => move_selection(app, -1),
        Action::Down => move_selection(app, 1),
        Action::PageUp => move_selection(app, -(PAGE as i64)),
        Action::PageDown => move_selection(app, PAGE as i64),
        Action::Enter => enter(app),
        Action::Reroot => {
            let row = app.ui.detail.as_ref().and_then(|d| app.cache.tree.get(d.row)).map(|r| r.id);
            if let Some(id) = row {
                app.ui.detail = Some(DetailUi { root: id, expanded: Vec::new(), row: 0 });
                app.ui.objects.selected = Some(id);
            }
        }
        Action::Filter => {
            app.ui.focus = Panel::Objects;
            app.ui.detail = None;
            app.ui.objects.editing = true;
        }
        Action::Type(c) => {
            app.ui.objects.filter.push(c);
            parse_filter(app);
        }
        Action::Erase => {
            app.ui.objects.filter.pop();
            parse_filter(app);
        }
        Action::Sort => app.ui.objects.sort = app.ui.objects.sort.next(),
        Action::Reverse => app.ui.objects.reverse = !app.ui.objects.reverse,
        Action::Collect => {
            app.ui.playing = false;
            let said = app.session.inject_collect();
            app.ui.message = Some((said, false));
        }
        Action::Maximize => app.ui.maximized = !app.ui.maximized,
        Action::Memory => {
            let ui = &mut app.ui;
            ui.zoom = if ui.zoom == Zoom::Memory && ui.focus == Panel::Pools { Zoom::Arenas } else { Zoom::Memory };
            ui.focus = Panel::Pools;
            ui.pool_cell = 0;
        }
        Action::Click(x, y) => click(app, x, y),
        Action::Wheel(x, y, up) => {
            if let Some(p) = panel_at(&areas(screen(app), &app.ui, app.collecting()), x, y) {
                app.ui.focus = p;
                move_selection(app, if up { -3 } else { 3 });
            }
        }
    }
    app.refresh();
}

/// One step of playback: the next stop, or the end of playing.
pub fn tick(app: &mut App) {
    if app.session.at_end() {
        if !app.session.running() {
            app.ui.playing = false;
        }
        return;
    }
    app.session.next_stop();
    app.ui.event_row = 0;
    app.refresh();
}

fn screen(app: &App) -> Rect {
    Rect::new(0, 0, app.ui.size.0, app.ui.size.1)
}

fn travel(app: &mut App, action: Action) {
    let s = &mut app.session;
    s.follow = false;
    match action {
        Action::NextStop => s.next_stop(),
        Action::PrevStop => s.prev_stop(),
        Action::NextStep => s.next_step(),
        Action::PrevStep => s.prev_step(),
        Action::NextEvent => s.step_event(1),
        Action::PrevEvent => s.step_event(-1),
        Action::Home => s.go_first_step(),
        _ => {
            s.go_end();
            s.follow = s.running();
        }
    }
    app.ui.event_row = 0;
}

fn parse_filter(app: &mut App) {
    let o = &mut app.ui.objects;
    match Query::parse(&o.filter) {
        Ok(q) => {
            o.query = q;
            o.error = None;
        }
        Err(e) => o.error = Some(e.0),
    }
}

fn back(app: &mut App) {
    let ui = &mut app.ui;
    if ui.help {
        ui.help = false;
    } else if ui.objects.editing {
        ui.objects.editing = false;
        ui.objects.filter.clear();
        ui.objects.query = Query::default();
        ui.objects.error = None;
    } else if ui.focus == Panel::Objects && ui.detail.is_some() {
        ui.detail = None;
    } else if ui.focus == Panel::Pools && ui.zoom != Zoom::Arenas {
        ui.zoom = match ui.zoom {
            Zoom::Pool(a, p) => {
                ui.pool_cell = p;
                Zoom::Arena(a)
            }
            Zoom::Arena(a) => {
                ui.pool_cell = a as usize;
                Zoom::Arenas
            }
            Zoom::Arenas | Zoom::Memory => Zoom::Arenas,
        };
    } else if ui.maximized {
        ui.maximized = false;
    }
}

fn step(v: usize, delta: i64, len: usize) -> usize {
    (v as i64 + delta).clamp(0, len.saturating_sub(1) as i64) as usize
}

fn move_selection(app: &mut App, delta: i64) {
    let layout = areas(screen(app), &app.ui, app.collecting());
    let ui = &mut app.ui;
    match ui.focus {
        Panel::Objects => match &mut ui.detail {
            Some(d) => d.row = step(d.row, delta, app.cache.tree.len()),
            None => {
                let o = &mut ui.objects;
                o.row = step(o.row, delta, app.cache.rows.len());
                let img = &app.session.cursor.image;
                o.selected = app.cache.rows.get(o.row).and_then(|&s| img.at_slot(s)).map(|(id, _)| id);
            }
        },
        Panel::Pools => {
            let n = match ui.zoom {
                Zoom::Memory => app.cache.ledger.as_ref().map_or(0, |m| m.pinned.len()),
                z => super::view::pools::cells(&app.session.cursor.image, z),
            };
            ui.pool_cell = step(ui.pool_cell, delta, n);
        }
        Panel::Gc => ui.gc_row = step(ui.gc_row, delta, app.session.cursor.image.gc.gc_refs.len()),
        Panel::Timeline => {
            // Only the rows the log shows: `before` of them up to the cursor's event, the rest after it.
            let (before, visible) = super::view::timeline::log_rows(layout.timeline);
            let back = app.session.cursor.event.saturating_sub(1).min(before as u64) as i64;
            let ahead = app.session.recording.events().saturating_sub(app.session.cursor.event) as i64;
            let forward = ahead.min(visible.saturating_sub(before + 1) as i64);
            ui.event_row = (ui.event_row - delta).clamp(-forward, back.max(-forward));
        }
        Panel::Script => {}
    }
}

fn enter(app: &mut App) {
    let ui = &mut app.ui;
    if ui.objects.editing {
        ui.objects.editing = false;
        return;
    }
    match ui.focus {
        Panel::Objects => match &mut ui.detail {
            Some(d) => {
                if let Some(row) = app.cache.tree.get(d.row).filter(|r| !r.cycle) {
                    let key = (row.dir, row.path.clone());
                    match d.expanded.iter().position(|e| *e == key) {
                        Some(i) => {
                            d.expanded.remove(i);
                        }
                        None => d.expanded.push(key),
                    }
                }
            }
            None => {
                if let Some(id) = ui.objects.selected {
                    ui.detail = Some(DetailUi { root: id, expanded: Vec::new(), row: 0 });
                }
            }
        },
        Panel::Pools if ui.zoom == Zoom::Memory => {
            let Some(a) = app.cache.ledger.as_ref().and_then(|m| m.pinned.get(ui.pool_cell)) else { return };
            let o = &mut ui.objects;
            o.filter = format!("arena={}", a.arena);
            o.query = Query::parse(&o.filter).unwrap_or_default();
            o.error = None;
            ui.detail = None;
            ui.focus = Panel::Objects;
            ui.message = Some((format!("arena {}'s objects; / esc clears the filter", a.arena), false));
        }
        Panel::Pools => {
            let img = &app.session.cursor.image;
            let before = ui.zoom;
            ui.zoom = match ui.zoom {
                Zoom::Arenas if img.alloc.arenas.get(ui.pool_cell).is_some_and(|a| a.addr != 0) => {
                    Zoom::Arena(ui.pool_cell as u32)
                }
                Zoom::Arena(a) if img.alloc.pool(a, ui.pool_cell).is_some_and(|p| p.class.is_some()) => {
                    Zoom::Pool(a, ui.pool_cell)
                }
                z => z,
            };
            if ui.zoom != before {
                // A new level starts at its first cell.
                ui.pool_cell = 0;
            }
        }
        Panel::Timeline => {
            let target = app.session.cursor.event as i64 - ui.event_row;
            app.session.follow = false;
            app.session.go_event(target.max(0) as u64);
            app.ui.event_row = 0;
        }
        Panel::Gc | Panel::Script => {}
    }
}

fn panel_at(a: &Areas, x: u16, y: u16) -> Option<Panel> {
    let p = Position::new(x, y);
    [
        (a.script, Panel::Script),
        (a.objects, Panel::Objects),
        (a.pools, Panel::Pools),
        (a.gc, Panel::Gc),
        (a.timeline, Panel::Timeline),
    ]
    .into_iter()
    .find(|(r, _)| r.contains(p))
    .map(|(_, panel)| panel)
}

fn click(app: &mut App, x: u16, y: u16) {
    let a = areas(screen(app), &app.ui, app.collecting());
    let Some(panel) = panel_at(&a, x, y) else { return };
    app.ui.focus = panel;
    match panel {
        // The table's first data row is below the border and the heading.
        Panel::Objects if app.ui.detail.is_none() => {
            let (first, visible) = super::view::objects::rows_at(a.objects, app);
            if y >= first {
                let offset = super::view::scroll(app.ui.objects.row, visible, app.cache.rows.len());
                let row = offset + (y - first) as usize;
                if row < app.cache.rows.len() {
                    move_selection(app, row as i64 - app.ui.objects.row as i64);
                }
            }
        }
        Panel::Timeline => {
            if let Some(event) = super::view::timeline::event_at(&a, &app.session, x, y) {
                app.session.follow = false;
                app.session.go_event(event);
                app.ui.event_row = 0;
            }
        }
        _ => {}
    }
}
