//! Drawing the TUI with 1,000,000 live objects (500,000 instances, each with an int attribute, in one list):
//! full frames rendered into a `TestBackend` at 100x30 and 200x60, with the object table, with the detail of
//! the million-item list open, and inside the pool map (target: at most 5 ms a frame). What a frame reads is
//! derived once per cursor move, so the cost of that (`App::refresh` after a seek) is printed too.

#[path = "common/million.rs"]
mod million;

use heapscope::timeline::record;
use heapscope::tui::action::Action;
use heapscope::tui::app::App;
use heapscope::tui::session::Session;
use heapscope::tui::state::{Panel, Sort, Ui};
use heapscope::tui::theme::Theme;
use heapscope::tui::update::update;
use heapscope::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::time::Instant;

/// Milliseconds per frame: (median, max) over `n` frames.
fn frames(app: &App, size: (u16, u16), n: usize) -> (f64, f64) {
    let mut t = Terminal::new(TestBackend::new(size.0, size.1)).expect("a test terminal");
    let mut ms: Vec<f64> = (0..n)
        .map(|_| {
            let start = Instant::now();
            t.draw(|f| view::draw(f, app)).expect("draws");
            start.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    (ms[n / 2], ms[n - 1])
}

fn report(what: &str, app: &App) {
    for size in [(100, 30), (200, 60)] {
        let (median, max) = frames(app, size, 60);
        println!("frame {}x{} {what}: median {median:.2} ms, max {max:.2} ms (target <= 5)", size.0, size.1);
    }
}

fn main() {
    let loaded = million::scenario(false);
    let recording = record(&loaded, Vec::new());
    let mut ui = Ui::new(Theme { color: true });
    ui.size = (200, 60);
    let mut app = App::new(Session::recorded(loaded, recording), ui);
    let t = Instant::now();
    update(&mut app, Action::End);
    println!(
        "live objects at the end: {}; seek to the end and derive the table: {:.1} ms",
        app.session.cursor.image.live,
        t.elapsed().as_secs_f64() * 1e3
    );
    report("with the object table", &app);
    app.ui.objects.sort = Sort::Refcount;
    app.ui.objects.reverse = true;
    let t = Instant::now();
    app.refresh();
    println!("re-deriving the table sorted by refcount: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    report("sorted by refcount", &app);
    // The list holding a million... half a million items, and every instance's referrers.
    app.ui.objects.selected =
        app.session.cursor.image.live_objects().find(|(_, o)| o.edges.len() > 1000).map(|(id, _)| id);
    let t = Instant::now();
    update(&mut app, Action::Enter);
    println!("opening the detail of the 500,000-item list: {:.1} ms", t.elapsed().as_secs_f64() * 1e3);
    report("with that detail open", &app);
    update(&mut app, Action::Back);
    update(&mut app, Action::Focus(Panel::Pools));
    update(&mut app, Action::Enter);
    report("zoomed into arena 0", &app);
}
