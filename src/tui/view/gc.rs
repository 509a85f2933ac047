//! The GC panel: a gauge per generation (count against threshold), the statistics, the last collection's
//! result, and during a collection its phase and each candidate's `gc_refs`.

use super::{panel, scroll};
use crate::heap::gc::Phase;
use crate::tui::app::App;
use crate::tui::describe::{self, n};
use crate::tui::state::Panel;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

/// What a phase does, in a line.
pub fn explain(p: Phase) -> &'static str {
    match p {
        Phase::Start => "the younger generations are merged into the one collected",
        Phase::UpdateRefs => "gc_refs = ob_refcnt for every candidate",
        Phase::SubtractRefs => "minus one for each reference from another candidate",
        Phase::MoveUnreachable => "gc_refs > 0 means referenced from outside: that and all it reaches survive",
        Phase::UntrackSurvivors => "tuples (and, in full collections, dicts) of atoms are untracked; survivors age",
        Phase::MoveLegacyFinalizers => "objects with a legacy tp_del, and all they reach, become uncollectable",
        Phase::HandleWeakrefs => "weakrefs to the garbage are cleared; callbacks outside it are called",
        Phase::FinalizeGarbage => "__del__ runs, once per object (PEP 442)",
        Phase::HandleResurrected => "whatever __del__ made reachable again survives",
        Phase::DeleteGarbage => "tp_clear breaks the cycles; reference counting frees the rest",
        Phase::HandleLegacyFinalizers => "the uncollectable go to gc.garbage",
        Phase::Finish => "statistics, and free lists cleared after a full collection",
        Phase::Stop => "gc.callbacks are told it stopped",
        Phase::Done => "finished",
    }
}

fn gauge(width: usize, count: u32, threshold: u32) -> String {
    let fill = if threshold == 0 { 0.0 } else { (f64::from(count) / f64::from(threshold)).min(1.0) };
    let full = (fill * width as f64).round() as usize;
    format!("{}{}", "█".repeat(full), "░".repeat(width - full))
}

/// Draw the panel.
pub fn render(f: &mut Frame, area: Rect, app: &App) {
    if area.is_empty() {
        return;
    }
    let t = app.ui.theme;
    let (r, img) = (&app.session.recording, &app.session.cursor.image);
    let g = &img.gc;
    let incremental = img.version.incremental_gc();
    let names: [&str; 3] = if incremental { ["young", "old·vis", "old·pen"] } else { ["gen 0", "gen 1", "gen 2"] };
    let bar = area.width.saturating_sub(40).clamp(4, 40) as usize;
    let heading = format!("{:<8}{:>w$}{:>8}", "", "count / threshold", "objects", w = bar + 16);
    let mut lines = vec![Line::styled(heading, t.dim())];
    for (i, name) in names.iter().enumerate() {
        let over = g.thresholds[i] > 0 && g.count[i] > g.thresholds[i];
        lines.push(Line::from(vec![
            Span::raw(format!("{name:<8}")),
            Span::styled(gauge(bar, g.count[i], g.thresholds[i]), if over { t.bad() } else { t.accent() }),
            Span::raw(format!(" {:>6} / {:<6}", n(u64::from(g.count[i])), n(u64::from(g.thresholds[i])))),
            Span::styled(format!(" {:>7}", n(g.list_len[i])), t.dim()),
        ]));
    }
    // gc.get_stats(), generation by generation.
    let per = |f: fn(&crate::heap::gc::GenStats) -> u64| g.stats.iter().map(|s| n(f(s))).collect::<Vec<_>>().join("/");
    lines.push(Line::styled(
        format!(
            "automatic {} · collections {} · collected {}",
            if g.enabled { "on" } else { "off" },
            per(|s| s.collections),
            per(|s| s.collected),
        ),
        t.dim(),
    ));
    lines.push(Line::styled(
        format!("uncollectable {} · frozen {} · gc.garbage {}", per(|s| s.uncollectable), n(g.list_len[3]), g.garbage),
        t.dim(),
    ));
    match &g.running {
        Some(run) if run.phase != Phase::Done => {
            lines.push(Line::from(vec![
                Span::styled(format!("collecting generation {}: ", run.generation), t.accent()),
                Span::styled(run.phase.c_name(), t.title()),
            ]));
            lines.push(Line::styled(format!("  {}", explain(run.phase)), t.dim()));
            lines.push(Line::styled(
                format!("  {:<7}{:<21}{:>7}{:>8}", "id", "candidate", "refcnt", "gc_refs"),
                t.dim(),
            ));
            let head = lines.len();
            let visible = (area.height as usize).saturating_sub(head + 3);
            let candidates = &app.cache.candidates;
            let top = scroll(app.ui.gc_row, visible, candidates.len());
            for (k, &(slot, refs)) in candidates.iter().enumerate().skip(top).take(visible) {
                let Some((id, o)) = img.at_slot(slot) else { continue };
                let verdict = if g.unreachable.contains(&slot) {
                    Span::styled("unreachable", t.bad())
                } else if run.phase > Phase::MoveUnreachable {
                    Span::styled("reachable", t.good())
                } else {
                    Span::raw("")
                };
                let mut what = describe::what(r, id, o);
                what.truncate(what.char_indices().nth(20).map_or(what.len(), |(i, _)| i));
                let line = Line::from(vec![
                    Span::raw(format!("  {:<7}{what:<21}{:>7}{:>8}  ", id.to_string(), n(u64::from(o.refcnt)), refs)),
                    verdict,
                ]);
                lines.push(if k == app.ui.gc_row && app.ui.focus == Panel::Gc {
                    line.style(t.selected())
                } else {
                    line
                });
            }
            if g.gc_refs.is_empty() {
                lines.push(Line::styled("  (gc_refs are computed by subtract_refs)", t.dim()));
            }
        }
        _ => match g.last {
            Some(last) => lines.push(Line::raw(format!(
                "last: generation {} found {} ({} collected, {} uncollectable)",
                last.generation,
                n(last.total()),
                n(last.collected),
                n(last.uncollectable)
            ))),
            None => lines.push(Line::styled("no collection yet", t.dim())),
        },
    }
    let p = Paragraph::new(lines).block(panel(app, Panel::Gc, " GC ")).wrap(ratatui::widgets::Wrap { trim: false });
    f.render_widget(p, area);
}
