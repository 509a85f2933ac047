//! The TUI driven by actions on a recorded scenario: what `update` does to the state, and the main screens as
//! insta snapshots of a `TestBackend` (no colour, so they are plain text).

use heapscope::heap::gc::Phase;
use heapscope::scenario::load;
use heapscope::timeline::marks::MarkKind;
use heapscope::timeline::record;
use heapscope::tui::action::Action::{self, *};
use heapscope::tui::app::App;
use heapscope::tui::session::Session;
use heapscope::tui::state::{Panel, Ui, Zoom};
use heapscope::tui::theme::Theme;
use heapscope::tui::update::{tick, update};
use heapscope::tui::view::{self, header::position};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Duration;

pub(crate) fn app(scenario: &str, size: (u16, u16)) -> App {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios").join(scenario);
    let loaded = load(&path).unwrap();
    let recording = record(&loaded, Vec::new());
    let mut ui = Ui::new(Theme { color: false });
    ui.size = size;
    App::new(Session::recorded(loaded, recording), ui)
}

pub(crate) fn act(app: &mut App, actions: &[Action]) {
    for &a in actions {
        update(app, a);
    }
}

pub(crate) fn screen(app: &App) -> String {
    let (w, h) = app.ui.size;
    let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
    t.draw(|f| view::draw(f, app)).unwrap();
    t.backend().to_string()
}

#[track_caller]
pub(crate) fn at(app: &App, want: &str) {
    assert_eq!(position(app), want);
}

#[test]
fn stepping_moves_through_statements_steps_and_events_both_ways() {
    let mut a = app("classic-cycle.yaml", (100, 30));
    at(&a, "step 1/4 · line 22");
    act(&mut a, &[NextStop]);
    at(&a, "step 1/4 · line 23");
    act(&mut a, &[NextStop]);
    at(&a, "step 1/4 · done");
    act(&mut a, &[PrevStop, PrevStop]);
    at(&a, "step 1/4 · line 22");
    act(&mut a, &[NextStep]);
    at(&a, "step 2/4 · line 35");
    act(&mut a, &[NextStep, NextStep, PrevStep]);
    at(&a, "step 3/4 · line 50");
    act(&mut a, &[NextStop, PrevStep, PrevStep]);
    at(&a, "step 2/4 · line 35");
    act(&mut a, &[NextStep]);
    let e = a.session.cursor.event;
    act(&mut a, &[NextEvent, NextEvent]);
    assert_eq!(a.session.cursor.event, e + 2);
    let start = a.session.current().unwrap().event;
    assert!(start < e + 2, "the cursor is inside a statement");
    act(&mut a, &[PrevStop]);
    assert_eq!(a.session.cursor.event, start, "from inside a statement, back to its start");
    act(&mut a, &[PrevEvent]);
    assert_eq!(a.session.cursor.event, start - 1);
    act(&mut a, &[End]);
    assert!(a.session.at_end());
    act(&mut a, &[Home]);
    at(&a, "step 1/4 · line 22");
}

#[test]
fn a_collection_can_be_stepped_phase_by_phase_with_gc_refs() {
    let mut a = app("classic-cycle.yaml", (120, 40));
    act(&mut a, &[NextStep, NextStep, NextStep]);
    at(&a, "step 4/4 · line 61");
    let mut phases = Vec::new();
    for _ in 0..40 {
        update(&mut a, NextStop);
        if let Some(run) = a.session.cursor.image.gc.running.filter(|r| r.phase != Phase::Done) {
            phases.push(run.phase);
        }
        if a.session.current().is_some_and(|m| m.kind == MarkKind::StepEnd) {
            break;
        }
    }
    assert_eq!(&phases[..4], [Phase::Start, Phase::UpdateRefs, Phase::SubtractRefs, Phase::MoveUnreachable]);
    // Back to just after subtract_refs: the two nodes hold each other only, so their gc_refs are 0.
    act(&mut a, &[Home, NextStep, NextStep, NextStep]);
    while a.session.cursor.image.gc.running.is_none_or(|r| r.phase != Phase::MoveUnreachable) {
        update(&mut a, NextStop);
    }
    assert!(a.collecting());
    let img = &a.session.cursor.image;
    let zeros = img.gc.gc_refs.values().filter(|&&r| r == 0).count();
    assert!(zeros >= 2, "the cycle's nodes have no outside references: {:?}", img.gc.gc_refs);
    insta::assert_snapshot!("collecting_subtract_refs", screen(&a));
}

#[test]
fn tab_cycles_the_focus_and_clicks_focus_the_panel_under_them() {
    let mut a = app("classic-cycle.yaml", (100, 30));
    let mut seen = vec![a.ui.focus];
    for _ in 0..5 {
        update(&mut a, FocusNext);
        seen.push(a.ui.focus);
    }
    assert_eq!(seen, [Panel::Objects, Panel::Pools, Panel::Gc, Panel::Timeline, Panel::Script, Panel::Objects]);
    update(&mut a, FocusPrev);
    assert_eq!(a.ui.focus, Panel::Script);
    update(&mut a, Click(60, 20));
    assert_eq!(a.ui.focus, Panel::Pools);
    update(&mut a, Click(5, 27));
    assert_eq!(a.ui.focus, Panel::Timeline);
}

#[test]
fn the_filter_narrows_the_table_and_explains_mistakes() {
    let mut a = app("classic-cycle.yaml", (100, 30));
    act(&mut a, &[NextStep]);
    let all = a.cache.rows.len();
    update(&mut a, Filter);
    for c in "type=Node".chars() {
        update(&mut a, Type(c));
    }
    assert_eq!(a.cache.rows.len(), 2, "the two nodes");
    update(&mut a, Enter);
    assert!(!a.ui.objects.editing);
    update(&mut a, Filter);
    for c in " refcount>x".chars() {
        update(&mut a, Type(c));
    }
    assert_eq!(a.ui.objects.error.as_deref(), Some("`refcount` compares numbers; `x` is not one"));
    for _ in 0..10 {
        update(&mut a, Erase);
    }
    assert_eq!((a.ui.objects.filter.as_str(), a.ui.objects.error.as_deref()), ("type=Node ", None));
    assert_eq!(a.cache.rows.len(), 2, "each filter that parses takes effect as it is typed");
    update(&mut a, Back);
    assert_eq!(a.cache.rows.len(), all, "esc clears the filter");
}

#[test]
fn sorting_puts_the_most_referenced_first() {
    let mut a = app("classic-cycle.yaml", (100, 30));
    act(&mut a, &[NextStep, Sort, Sort, Reverse]);
    let img = &a.session.cursor.image;
    let counts: Vec<u32> = a.cache.rows.iter().map(|&s| img.at_slot(s).unwrap().1.refcnt).collect();
    assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
}

#[test]
fn the_detail_explains_the_refcount_and_walks_the_cycle() {
    let mut a = app("classic-cycle.yaml", (120, 40));
    act(&mut a, &[NextStep, NextStep]);
    at(&a, "step 3/4 · line 50");
    update(&mut a, Filter);
    for c in "name=a".chars() {
        update(&mut a, Type(c));
    }
    act(&mut a, &[Enter, Enter]);
    let d = a.ui.detail.as_ref().expect("the detail is open");
    let root = d.root;
    assert_eq!(a.cache.holders.len(), 1, "b.other refers to a");
    // Expand a's `.other` (b): b's `.other` leads back to a, a cycle.
    let other = a.cache.tree.iter().position(|r| r.via != heapscope::heap::EdgeLabel::Type).unwrap();
    a.ui.detail.as_mut().unwrap().row = other;
    update(&mut a, Enter);
    assert!(a.cache.tree.iter().any(|r| r.cycle && r.id == root), "the cycle back to a is marked");
    insta::assert_snapshot!("detail_of_a", screen(&a));
    update(&mut a, Back);
    assert!(a.ui.detail.is_none());
}

#[test]
fn the_pool_map_zooms_into_an_arena_and_a_pool_and_back() {
    let mut a = app("classic-cycle.yaml", (100, 30));
    act(&mut a, &[Focus(Panel::Pools), Enter]);
    assert_eq!(a.ui.zoom, Zoom::Arena(0));
    act(&mut a, &[Enter]);
    assert!(matches!(a.ui.zoom, Zoom::Pool(0, _)));
    insta::assert_snapshot!("pool_blocks", screen(&a));
    act(&mut a, &[Back, Back]);
    assert_eq!(a.ui.zoom, Zoom::Arenas);
}

#[test]
fn playback_steps_at_its_speed_and_stops_at_the_end() {
    let mut a = app("classic-cycle.yaml", (100, 30));
    act(&mut a, &[Play, Faster]);
    assert!(a.ui.playing);
    assert!((a.ui.tick() - 0.125).abs() < 1e-9, "8 stops a second");
    let before = a.session.mark;
    tick(&mut a);
    assert!(a.session.mark > before);
    for _ in 0..200 {
        tick(&mut a);
    }
    assert!(a.session.at_end() && !a.ui.playing);
    update(&mut a, Play);
    at(&a, "step 1/4 · line 22");
}

#[test]
fn g_injects_a_collection_here_and_the_rest_of_the_run_changes() {
    let mut a = app("classic-cycle.yaml", (100, 30));
    act(&mut a, &[NextStep, NextStep, NextStop, NextStop]);
    at(&a, "step 3/4 · done");
    update(&mut a, Collect);
    assert!(a.ui.message.as_ref().is_some_and(|(m, _)| m.contains("gc.collect()")));
    finish(&mut a);
    assert_eq!(a.session.current().map(|m| m.kind), Some(MarkKind::Extra), "the cursor waits at the injection");
    // The injected collection freed the cycle, so the scenario's own gc.collect() finds nothing.
    let last = &a.session.recording.steps.last().unwrap().1;
    assert!(last.checks.iter().any(|c| !c.passed && c.expr.contains("n ==")), "{:?}", last.checks);
    // Asking again at the same place changes nothing.
    let steps = a.session.recording.steps.len();
    act(&mut a, &[PrevStop, NextStop, Collect]);
    assert_eq!(a.ui.message.as_ref().map(|m| m.0.as_str()), Some("a gc.collect() is injected here already"));
    assert!(!a.session.running() && a.session.recording.steps.len() == steps);
}

/// Take in the rest of a re-run.
fn finish(a: &mut App) {
    for _ in 0..500 {
        a.session.poll(Duration::from_millis(20));
        if !a.session.running() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    a.refresh();
    assert!(!a.session.running());
}

#[test]
fn the_event_log_selection_stays_on_the_rows_shown() {
    let mut a = app("classic-cycle.yaml", (100, 30));
    act(&mut a, &[Focus(Panel::Timeline)]);
    for _ in 0..50 {
        update(&mut a, Up);
    }
    let (before, visible) = view::timeline::log_rows(
        view::layout::areas(ratatui::layout::Rect::new(0, 0, 100, 30), &a.ui, a.collecting()).timeline,
    );
    assert_eq!(a.ui.event_row, before as i64, "at most the rows above the cursor's event");
    for _ in 0..50 {
        update(&mut a, Down);
    }
    assert_eq!(a.ui.event_row, -((visible - before - 1) as i64));
    let at = a.session.cursor.event;
    update(&mut a, Enter);
    assert_eq!(a.session.cursor.event, at + (visible - before - 1) as u64, "enter goes to the event chosen");
}

#[test]
fn the_main_screens() {
    let mut a = app("classic-cycle.yaml", (100, 30));
    insta::assert_snapshot!("first_statement_100x30", screen(&a));
    update(&mut a, Help);
    insta::assert_snapshot!("help_100x30", screen(&a));
    update(&mut a, Help);
    a.ui.size = (80, 24);
    insta::assert_snapshot!("too_small", screen(&a));
    let mut big = app("generations.yaml", (140, 44));
    act(&mut big, &[End]);
    insta::assert_snapshot!("generations_end_140x44", screen(&big));
}

#[test]
fn statements_sharing_a_line_are_separate_stops() {
    let mut a = app("del-and-resurrection.yaml", (100, 30));
    act(&mut a, &[NextStep, NextStep]);
    let mut columns = Vec::new();
    for _ in 0..20 {
        if let Some((site, script)) = a.session.site()
            && script.first_line + site.line - 1 == 51
            && !columns.contains(&site.column)
        {
            columns.push(site.column);
        }
        update(&mut a, NextStop);
    }
    assert_eq!(columns, [1, 8], "`del a; del b;`: one stop at each");
}
