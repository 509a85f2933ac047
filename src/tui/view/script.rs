//! The Script panel: the step's title and narration, the source with the statement about to run marked, the
//! call stack's frames with their names, and, once a step is done, its expectations and what it printed.

use super::{panel, scroll};
use crate::timeline::marks::{Bound, MarkKind, SETUP};
use crate::timeline::recording::End;
use crate::tui::app::App;
use crate::tui::state::Panel;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

/// Draw the panel.
pub fn render(f: &mut Frame, area: Rect, app: &App) {
    if area.is_empty() {
        return;
    }
    let t = app.ui.theme;
    let s = &app.session;
    let r = &s.recording;
    let mark = s.current();
    let step = mark.map(|m| m.step).filter(|&i| i != SETUP).map(usize::from);
    let mut lines: Vec<Line> = Vec::new();
    match step.and_then(|i| s.loaded.scenario.steps.get(i)) {
        Some(st) => {
            lines.push(Line::styled(st.title.clone(), t.title()));
            // The YAML wraps narration by hand; paragraphs (split by blank lines) are re-wrapped to the panel.
            for para in st.narration.trim().split("\n\n") {
                let joined: Vec<&str> = para.lines().map(str::trim).collect();
                lines.push(Line::styled(joined.join(" "), t.dim()));
            }
        }
        None => lines.push(Line::styled(if mark.is_some() { "Setup" } else { "Before the run" }, t.title())),
    }
    if let Some(End::Failed(e)) = &r.end
        && s.at_end()
    {
        lines.push(Line::raw(""));
        lines.extend(e.lines().map(|l| Line::styled(crate::safe_text::neutralised(l).into_owned(), t.bad())));
    }
    lines.push(Line::raw(""));
    // The script holding the current statement; at a step's start or end, the step's own.
    let site = s.site();
    let script = site.map(|(_, sc)| sc).or_else(|| r.scripts.iter().rfind(|sc| sc.step == step));
    let body_top = lines.len();
    if let Some(sc) = script {
        let current = site.map(|(si, _)| si.line);
        let column = site.map_or(1, |(si, _)| si.column);
        let width = (sc.first_line + sc.text.lines().count()).to_string().len();
        for (i, text) in sc.text.lines().enumerate().skip(sc.shown_from - 1) {
            let text = crate::safe_text::neutralised(text);
            let here = current == Some(i + 1) && mark.is_some_and(|m| m.kind != MarkKind::StepEnd);
            let number = format!("{:>width$} ", sc.first_line + i);
            let mut spans = vec![Span::styled(if here { "▶" } else { " " }, t.accent()), Span::styled(number, t.dim())];
            if here {
                // Several statements can share a line: the one about to run is marked from its first column.
                let split = text.char_indices().nth(column.saturating_sub(1)).map_or(text.len(), |(b, _)| b);
                spans.push(Span::raw(text[..split].to_string()));
                spans.push(Span::styled(text[split..].to_string(), t.selected()));
            } else {
                spans.push(Span::raw(text.to_string()));
            }
            lines.push(Line::from(spans));
        }
    }
    let body_len = lines.len() - body_top;
    // At a step's end its outcome is what to see: the expectations and what it printed are kept in view.
    let mut outcome_end = None;
    if let Some((_, report)) = r.steps.iter().find(|(i, _)| Some(*i) == step)
        && mark.is_some_and(|m| m.kind == MarkKind::StepEnd)
    {
        lines.push(Line::raw(""));
        for c in &report.checks {
            let (mark, style) = if c.passed { ("✓ ", t.good()) } else { ("✗ ", t.bad()) };
            let mut spans = vec![Span::styled(mark, style), Span::raw(c.expr.clone())];
            if let Some(d) = &c.detail {
                spans.push(Span::styled(format!("  ({d})"), t.dim()));
            }
            lines.push(Line::from(spans));
        }
        for l in &report.log {
            lines.push(Line::styled(format!("| {l}"), t.dim()));
        }
        outcome_end = Some(lines.len());
    }
    lines.push(Line::raw(""));
    lines.push(Line::styled("Frames", t.title()));
    for frame in app.cache.frames.0.iter() {
        let name = frame.function.map_or("<module>", |fnc| r.string(fnc));
        let mut spans = vec![Span::styled(format!("{name}: "), t.accent())];
        if frame.bindings.is_empty() {
            spans.push(Span::styled("(no names)", t.dim()));
        }
        for (k, (n, b)) in frame.bindings.iter().enumerate() {
            let value = match b {
                Bound::Obj(id) => match s.cursor.image.get(*id) {
                    Some(o) => format!("{id} {}", crate::tui::describe::what(r, *id, o)),
                    None => format!("{id} (freed)"),
                },
                Bound::Int(i) => i.to_string(),
                Bound::Bool(b) => if *b { "true" } else { "false" }.to_string(),
            };
            spans.push(Span::raw(format!("{}{} = {value}", if k > 0 { ", " } else { "" }, r.string(*n))));
        }
        lines.push(Line::from(spans));
    }
    // Keep the current line in view, counting the rows wrapped lines take above it.
    let (inner, width) = (area.height.saturating_sub(2) as usize, area.width.saturating_sub(2).max(1) as usize);
    let rows = |ls: &[Line]| ls.iter().map(|l| l.width().div_ceil(width).max(1)).sum::<usize>();
    let current_row = match outcome_end {
        Some(end) => rows(&lines[..end]),
        None => site
            .map_or(0, |(si, sc)| rows(&lines[..(body_top + si.line).saturating_sub(sc.shown_from).min(lines.len())])),
    };
    let total = rows(&lines[..outcome_end.unwrap_or(body_top + body_len).min(lines.len())]);
    let top = if current_row < inner { 0 } else { scroll(current_row, inner, total) };
    let title = match (mark.map(|m| m.kind), site) {
        (Some(MarkKind::StepEnd), _) => " Script · step done, expectations checked ".to_string(),
        (_, Some((si, sc))) => format!(
            " Script · {} line {} ",
            sc.file.file_name().map_or(String::new(), |f| f.to_string_lossy().into()),
            sc.first_line + si.line - 1
        ),
        _ => " Script ".to_string(),
    };
    let p = Paragraph::new(lines)
        .block(panel(app, Panel::Script, title))
        .wrap(Wrap { trim: false })
        .scroll((top as u16, 0));
    f.render_widget(p, area);
}
