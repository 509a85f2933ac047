//! The title line (scenario, profile, step, line, event, playback, the run's state) and the key bar.

use crate::timeline::marks::{MarkKind, SETUP};
use crate::timeline::recording::End;
use crate::tui::action::bar;
use crate::tui::app::App;
use crate::tui::describe::n;
use crate::tui::state::SPEEDS;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// Where the cursor is, in words: `step 2/4 "Point them at each other" · line 14`.
pub fn position(app: &App) -> String {
    let s = &app.session;
    let steps = s.loaded.scenario.steps.len();
    let mut out = match s.current() {
        None => "start".to_string(),
        Some(m) if m.step == SETUP => "setup".to_string(),
        Some(m) => format!("step {}/{steps}", m.step + 1),
    };
    if let Some((site, script)) = s.site() {
        out += &format!(" · line {}", script.first_line + site.line - 1);
    }
    match s.current().map(|m| m.kind) {
        Some(MarkKind::StepEnd) => out += " · done",
        Some(MarkKind::GcPhase) => out += " · collecting",
        Some(MarkKind::Extra) => out += " · extra gc.collect()",
        _ => {}
    }
    out
}

/// The title line.
pub fn header(f: &mut Frame, area: Rect, app: &App) {
    let t = app.ui.theme;
    let s = &app.session;
    let r = &s.recording;
    let play = if app.ui.playing { format!("▶ {}/s", SPEEDS[app.ui.speed]) } else { "⏸".to_string() };
    let run = match &r.end {
        None if s.follow => Span::styled("● live, following", t.accent()),
        None => Span::styled("● recording…", t.accent()),
        Some(End::Finished) => match r.failed_checks() {
            0 => Span::styled("finished", t.dim()),
            n => Span::styled(format!("finished, {n} expectation{} failed", if n == 1 { "" } else { "s" }), t.bad()),
        },
        Some(End::Stopped) => Span::styled("stopped", t.dim()),
        Some(End::Failed(_)) => Span::styled("failed: see Script", t.bad()),
    };
    let sep = || Span::styled(" · ", t.dim());
    let mut spans = vec![
        Span::styled(" heapscope ", t.title()),
        Span::raw(r.name.clone()),
        sep(),
        Span::raw(format!("CPython {}", r.version)),
        sep(),
        Span::styled(position(app), t.accent()),
        sep(),
        Span::raw(format!("event {}/{}", n(s.cursor.event), n(r.events()))),
        sep(),
        Span::raw(play),
        sep(),
        run,
    ];
    if let Some((msg, error)) = &app.ui.message {
        spans.push(sep());
        spans.push(Span::styled(msg.clone(), if *error { t.bad() } else { t.accent() }));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}

/// The keys valid now.
pub fn keybar(f: &mut Frame, area: Rect, app: &App) {
    let t = app.ui.theme;
    let mut spans = Vec::new();
    for k in bar(&app.ui) {
        spans.push(Span::styled(k.keys.split(' ').next().unwrap_or(k.keys).to_string(), t.key()));
        spans.push(Span::raw(format!(" {} ", k.short)));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
