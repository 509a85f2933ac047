//! The Timeline panel: bytes held, bytes in use and live objects over the whole run with the cursor on them, and the
//! event log around the cursor, each event with its cause.

use super::layout::Areas;
use super::panel;
use crate::tui::app::App;
use crate::tui::describe::{self, bytes, n};
use crate::tui::session::Session;
use crate::tui::state::Panel;
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Block, Chart, Dataset, GraphType, Paragraph};

/// The chart's and the log's rectangles inside the panel.
fn split(area: Rect) -> (Rect, Rect) {
    let inner = Block::bordered().inner(area);
    let [chart, log] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(inner);
    (chart, log)
}

/// The event log's rows in the panel at `area`: how many show before the cursor's event, and in all.
pub fn log_rows(area: Rect) -> (usize, usize) {
    window(split(area).1.height)
}

/// A log `height` rows high shows a third of them before the cursor's event.
fn window(height: u16) -> (usize, usize) {
    (height as usize / 3, height as usize)
}

/// The event a click at (x, y) on the chart points at.
pub fn event_at(a: &Areas, s: &Session, x: u16, y: u16) -> Option<u64> {
    let (chart, _) = split(a.timeline);
    if !chart.contains(ratatui::layout::Position::new(x, y)) || chart.width < 2 {
        return None;
    }
    let frac = f64::from(x - chart.x) / f64::from(chart.width - 1);
    Some((frac * s.recording.events() as f64).round() as u64)
}

/// Draw the panel.
pub fn render(f: &mut Frame, area: Rect, app: &App) {
    if area.is_empty() {
        return;
    }
    let t = app.ui.theme;
    let s = &app.session;
    let samples = &s.recording.samples;
    let peak = samples.peak;
    let title = Line::from(vec![
        Span::raw(" Timeline · "),
        Span::styled("held", t.held()),
        Span::raw(format!(" (max {}) · ", bytes(peak.held))),
        Span::styled("in use", t.accent()),
        Span::raw(format!(" (max {}) · ", bytes(peak.bytes))),
        Span::styled("live objects", t.good()),
        Span::raw(format!(" (max {}) ", n(peak.live))),
    ]);
    let block = panel(app, Panel::Timeline, title);
    f.render_widget(block, area);
    let (chart_area, log_area) = split(area);
    let end = s.recording.events().max(1);
    // Two points per column (braille), each the range of the samples in it: falls show as well as peaks.
    let columns = (chart_area.width as usize * 2).max(1);
    // Held and in use share a scale (in use never exceeds held); live objects have their own.
    let scale = |pts: Vec<(f64, f64)>, max: u64| -> Vec<(f64, f64)> {
        pts.into_iter().map(|(x, y)| (x, 100.0 * y / max.max(1) as f64)).collect()
    };
    let held_pts = scale(samples.points(columns, end, |t| t.held), peak.held);
    let b_pts = scale(samples.points(columns, end, |t| t.bytes), peak.held);
    let l_pts = scale(samples.points(columns, end, |t| t.live), peak.live);
    let end = end as f64;
    let x = s.cursor.event as f64;
    let cursor = [(x, 0.0), (x, 100.0)];
    let line =
        |style, data| Dataset::default().marker(Marker::Braille).graph_type(GraphType::Line).style(style).data(data);
    let datasets = vec![
        line(t.held(), &held_pts),
        line(t.accent(), &b_pts),
        line(t.good(), &l_pts),
        Dataset::default().marker(Marker::Block).graph_type(GraphType::Line).style(t.text()).data(&cursor),
    ];
    let chart =
        Chart::new(datasets).x_axis(Axis::default().bounds([0.0, end])).y_axis(Axis::default().bounds([0.0, 100.0]));
    f.render_widget(chart, chart_area);
    log(f, log_area, app);
}

fn log(f: &mut Frame, area: Rect, app: &App) {
    let t = app.ui.theme;
    let s = &app.session;
    let at = s.cursor.event;
    // The last applied event (at - 1) sits a third of the way down; later ones are still to come.
    let (before, visible) = window(area.height);
    let lines: Vec<Line> = app
        .cache
        .log
        .iter()
        .filter(|(i, _)| *i + before as u64 + 1 >= at)
        .take(visible)
        .map(|(i, e)| {
            let current = *i + 1 == at;
            let chosen = app.ui.focus == Panel::Timeline && (at as i64 - 1 - app.ui.event_row) == *i as i64;
            let mark = if current {
                "▶"
            } else if *i >= at {
                " "
            } else {
                "·"
            };
            let text = format!("{mark}{:>9} {}", n(*i + 1), describe::event(&s.recording, e));
            let style = if chosen {
                t.selected()
            } else if current {
                t.accent()
            } else if *i >= at {
                t.dim()
            } else {
                t.text()
            };
            Line::styled(text, style)
        })
        .collect();
    let lines = if lines.is_empty() { vec![Line::styled("no heap event yet", t.dim())] } else { lines };
    f.render_widget(Paragraph::new(lines), area);
}
