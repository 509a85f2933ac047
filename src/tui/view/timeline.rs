//! The Timeline panel: bytes in use and live objects over the whole run with the cursor on them, and the
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
    let (max_bytes, max_live) = (s.recording.peak.0.max(1), s.recording.peak.1.max(1));
    let title = Line::from(vec![
        Span::raw(" Timeline · "),
        Span::styled("bytes in use", t.accent()),
        Span::raw(format!(" (max {}) · ", bytes(max_bytes))),
        Span::styled("live objects", t.good()),
        Span::raw(format!(" (max {}) ", n(max_live))),
    ]);
    let block = panel(app, Panel::Timeline, title);
    f.render_widget(block, area);
    let (chart_area, log_area) = split(area);
    let end = s.recording.events().max(1) as f64;
    // At most two points per column: the largest of the samples falling in it.
    let columns = (chart_area.width as usize * 2).max(1);
    let mut b_pts: Vec<(f64, f64)> = Vec::with_capacity(columns);
    let mut l_pts: Vec<(f64, f64)> = Vec::with_capacity(columns);
    for chunk in samples.chunks(samples.len().div_ceil(columns).max(1)) {
        let x = chunk[0].event as f64;
        let (b, l) = chunk.iter().fold((0, 0), |(b, l), s| (b.max(s.bytes), l.max(s.live)));
        b_pts.push((x, 100.0 * b as f64 / max_bytes as f64));
        l_pts.push((x, 100.0 * l as f64 / max_live as f64));
    }
    let x = s.cursor.event as f64;
    let cursor = [(x, 0.0), (x, 100.0)];
    let datasets = vec![
        Dataset::default().marker(Marker::Braille).graph_type(GraphType::Line).style(t.accent()).data(&b_pts),
        Dataset::default().marker(Marker::Braille).graph_type(GraphType::Line).style(t.good()).data(&l_pts),
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
