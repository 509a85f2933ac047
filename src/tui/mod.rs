//! The interactive view (ratatui + crossterm): a scenario is recorded on its own thread while the screen
//! shows any point of the recording, stepping forwards and backwards by statement, step or heap event.
//!
//! The usual shape: [`state`] holds UI state only, [`action`] maps keys to [`action::Action`]s, [`update`]
//! applies them, [`view`] draws a frame from `&App`. The terminal is restored on every exit, panics included.

pub mod action;
pub mod app;
pub mod describe;
pub mod memory;
pub mod query;
pub mod session;
pub mod state;
pub mod theme;
pub mod update;
pub mod view;

use crate::scenario::Loaded;
use app::App;
use ratatui::crossterm::event::{self, DisableMouseCapture, EnableMouseCapture, Event, KeyEventKind};
use ratatui::crossterm::execute;
use session::Session;
use state::Ui;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Why the view could not run.
#[derive(Debug, thiserror::Error)]
pub enum TuiError {
    /// Not attached to a terminal.
    #[error(
        "the interactive view needs a terminal (standard input and output are not both one); use --headless for a report"
    )]
    NotATerminal,
    /// Talking to the terminal failed.
    #[error("the terminal failed: {0}")]
    Io(#[from] std::io::Error),
}

/// How the watched run ended, for the exit status.
#[derive(Debug)]
pub struct Outcome {
    /// How the run ended (`None`: the user quit first).
    pub end: Option<crate::timeline::recording::End>,
    /// Expectations that failed in the steps that ran.
    pub failed_checks: usize,
}

/// While the run is this young and still going, the view starts by following it.
const FOLLOW_AFTER: Duration = Duration::from_millis(250);

/// The terminal's settings before the view changed them, for [`restore_terminal_without_allocating`].
static SAVED_TERMIOS: std::sync::OnceLock<libc::termios> = std::sync::OnceLock::new();

fn save_terminal() {
    // SAFETY: `termios` is plain data; tcgetattr fills it.
    let mut t: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut t) } == 0 {
        let _ = SAVED_TERMIOS.set(t);
    }
}

/// When an allocation fails the process aborts with no unwinding, so neither ratatui's restore nor a panic
/// hook runs: put the terminal back by hand, without allocating (the line discipline as it was; mouse
/// reporting off; the main screen; the cursor shown).
fn restore_terminal_without_allocating() {
    const RESET: &[u8] = b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?1015l\x1b[?1049l\x1b[?25h\r\n\
        heapscope: out of memory; the terminal was restored\r\n";
    if let Some(t) = SAVED_TERMIOS.get() {
        // SAFETY: restores settings read from the same descriptor.
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, t) };
    }
    // SAFETY: writes a static buffer to standard output.
    unsafe { libc::write(libc::STDOUT_FILENO, RESET.as_ptr().cast(), RESET.len()) };
}

/// Open the view on `loaded` and run it until the user quits.
pub fn run(loaded: Loaded) -> Result<Outcome, TuiError> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(TuiError::NotATerminal);
    }
    save_terminal();
    crate::host_memory::on_allocation_failure(restore_terminal_without_allocating);
    let mut terminal = ratatui::try_init()?;
    // ratatui's hook (from `try_init`) leaves raw mode and the alternate screen before the message is
    // printed; this one hands the mouse back first. A panic of the recording thread is reported in the view
    // (the run's end says so), so it leaves the terminal alone.
    let restore_and_report = std::sync::Arc::new(std::panic::take_hook());
    let hook = restore_and_report.clone();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some(crate::timeline::RECORDER_THREAD) {
            return;
        }
        let _ = execute!(std::io::stdout(), DisableMouseCapture);
        hook(info);
    }));
    let result = execute!(std::io::stdout(), EnableMouseCapture)
        .map_err(TuiError::from)
        .and_then(|()| event_loop(&mut terminal, loaded));
    let _ = execute!(std::io::stdout(), DisableMouseCapture);
    ratatui::restore();
    crate::host_memory::clear_allocation_failure();
    // Back to ratatui's hook, and with it the default one it wraps.
    let _ = std::panic::take_hook();
    if let Ok(hook) = std::sync::Arc::try_unwrap(restore_and_report) {
        std::panic::set_hook(hook);
    }
    result
}

fn event_loop(terminal: &mut ratatui::DefaultTerminal, loaded: Loaded) -> Result<Outcome, TuiError> {
    let mut app = App::new(Session::start(loaded), Ui::new(theme::Theme::from_env()));
    let size = terminal.size()?;
    app.ui.size = (size.width, size.height);
    let (started, mut last_tick) = (Instant::now(), Instant::now());
    loop {
        if app.session.poll(Duration::from_millis(15)) {
            app.refresh();
        }
        if !app.session.taken() && app.session.running() && started.elapsed() > FOLLOW_AFTER && !app.session.follow {
            app.session.follow = true;
            app.session.go_end();
            app.refresh();
        }
        terminal.draw(|f| view::draw(f, &app))?;
        if app.quit {
            let r = &app.session.recording;
            return Ok(Outcome { end: r.end.clone(), failed_checks: r.failed_checks() });
        }
        let wait = if app.ui.playing {
            Duration::from_secs_f64(app.ui.tick()).saturating_sub(last_tick.elapsed())
        } else if app.session.running() {
            Duration::from_millis(30)
        } else {
            Duration::from_millis(500)
        };
        if event::poll(wait)? {
            let action = match event::read()? {
                Event::Key(k) if k.kind != KeyEventKind::Release => action::from_key(k, &app.ui),
                Event::Mouse(m) => action::from_mouse(m),
                Event::Resize(w, h) => {
                    app.ui.size = (w, h);
                    None
                }
                _ => None,
            };
            if let Some(a) = action {
                update::update(&mut app, a);
            }
        }
        if app.ui.playing && last_tick.elapsed().as_secs_f64() >= app.ui.tick() {
            update::tick(&mut app);
            last_tick = Instant::now();
        }
    }
}
