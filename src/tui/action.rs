//! What the user can do, and which key does it: one table serves the key map, the help screen and the key
//! bar, so they never disagree.

use super::state::{Panel, Ui};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

/// Everything that changes the state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Leave.
    Quit,
    /// Open or close the help.
    Help,
    /// Close, zoom out, cancel: one level back.
    Back,
    /// The next statement (or collection phase, or step end).
    NextStop,
    /// The previous one.
    PrevStop,
    /// The next scenario step.
    NextStep,
    /// This step's start, or the previous step's.
    PrevStep,
    /// One heap event forwards.
    NextEvent,
    /// One heap event back.
    PrevEvent,
    /// The start of the first step.
    Home,
    /// The end of what is recorded (following it while the run goes on).
    End,
    /// Play or pause.
    Play,
    /// Play faster.
    Faster,
    /// Play slower.
    Slower,
    /// Focus the next panel.
    FocusNext,
    /// Focus the previous panel.
    FocusPrev,
    /// Focus a panel (a click).
    Focus(Panel),
    /// Selection up.
    Up,
    /// Selection down.
    Down,
    /// A page up.
    PageUp,
    /// A page down.
    PageDown,
    /// Open what is selected: an object's detail, an arena or pool, a tree node, an event.
    Enter,
    /// In the detail: show the selected node's object as the root.
    Reroot,
    /// Start typing a filter.
    Filter,
    /// A character of the filter.
    Type(char),
    /// Delete the filter's last character.
    Erase,
    /// Sort by the next column.
    Sort,
    /// Reverse the sort.
    Reverse,
    /// Run `gc.collect()` here (re-running the rest).
    Collect,
    /// Make the focused panel fill the screen, or give it back.
    Maximize,
    /// Show the memory ledger in the Pools panel, or the pool map again.
    Memory,
    /// A click at a cell.
    Click(u16, u16),
    /// The wheel, at a cell: up (`true`) or down.
    Wheel(u16, u16, bool),
}

/// When a key applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// Everywhere.
    Always,
    /// In this panel.
    In(Panel),
    /// In the object detail.
    Detail,
    /// While typing a filter.
    Typing,
}

/// One line of the key table.
#[derive(Clone, Copy, Debug)]
pub struct Key {
    /// The keys as shown.
    pub keys: &'static str,
    /// What they do.
    pub what: &'static str,
    /// When.
    pub when: When,
    /// The word in the key bar (empty: not in the bar).
    pub short: &'static str,
}

const fn key(keys: &'static str, what: &'static str, when: When, short: &'static str) -> Key {
    Key { keys, what, when, short }
}

/// Every key, as the help lists them.
pub const KEYS: &[Key] = &[
    key("←/→ h/l", "previous / next statement", When::Always, "statement"),
    key("⇧←/⇧→ H/L", "previous / next step", When::Always, "step"),
    key("[ ]", "one heap event back / on", When::Always, "event"),
    key("space", "play / pause", When::Always, "play"),
    key("+ -", "play faster / slower", When::Always, ""),
    key("Home End", "first step / the end", When::Always, ""),
    key("tab ⇧tab", "next / previous panel", When::Always, "focus"),
    key("↑↓ PgUp PgDn", "move the selection", When::Always, ""),
    key("g", "run gc.collect() here", When::Always, "collect"),
    key("m", "memory: where the bytes held are", When::Always, "memory"),
    key("z", "maximize the panel", When::Always, ""),
    key("?", "this help", When::Always, "help"),
    key("q", "quit", When::Always, "quit"),
    key("enter", "open the object", When::In(Panel::Objects), "open"),
    key("/", "filter the table", When::In(Panel::Objects), "filter"),
    key("s S", "sort by next column / reverse", When::In(Panel::Objects), "sort"),
    key("enter", "expand / collapse the node", When::Detail, "expand"),
    key("o", "show the node's object", When::Detail, "show"),
    key("esc", "back to the table", When::Detail, "back"),
    key("enter esc", "zoom in / out; in memory: the arena's objects", When::In(Panel::Pools), "zoom"),
    key("enter", "go to the selected event", When::In(Panel::Timeline), "go"),
    key("enter esc", "keep / clear the filter", When::Typing, "keep/clear"),
];

/// The keys that apply now, for the key bar: moving through time first, then the focused panel's, then
/// the rest (the bar is cut at the screen's edge).
pub fn bar(ui: &Ui) -> Vec<&'static Key> {
    let now = |k: &Key| match k.when {
        When::Typing => ui.objects.editing,
        _ if ui.objects.editing => false,
        When::Always => true,
        When::Detail => ui.focus == Panel::Objects && ui.detail.is_some(),
        When::In(Panel::Objects) => ui.focus == Panel::Objects && ui.detail.is_none(),
        When::In(p) => ui.focus == p,
    };
    let keys: Vec<&Key> = KEYS.iter().filter(|k| !k.short.is_empty() && now(k)).collect();
    let (global, local): (Vec<&Key>, Vec<&Key>) = keys.into_iter().partition(|k| k.when == When::Always);
    let travel = global.len().min(4);
    global[..travel].iter().chain(&local).chain(&global[travel..]).copied().collect()
}

/// The action of a key press, given the state.
pub fn from_key(k: KeyEvent, ui: &Ui) -> Option<Action> {
    let shift = k.modifiers.contains(KeyModifiers::SHIFT);
    if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') {
        return Some(Action::Quit);
    }
    if ui.objects.editing {
        return match k.code {
            KeyCode::Enter => Some(Action::Enter),
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Backspace => Some(Action::Erase),
            KeyCode::Char(c) => Some(Action::Type(c)),
            _ => None,
        };
    }
    if ui.help {
        return match k.code {
            KeyCode::Char('q') => Some(Action::Quit),
            _ => Some(Action::Help),
        };
    }
    Some(match k.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Esc => Action::Back,
        KeyCode::Right if shift => Action::NextStep,
        KeyCode::Left if shift => Action::PrevStep,
        KeyCode::Right | KeyCode::Char('l') => Action::NextStop,
        KeyCode::Left | KeyCode::Char('h') => Action::PrevStop,
        KeyCode::Char('L') => Action::NextStep,
        KeyCode::Char('H') => Action::PrevStep,
        KeyCode::Char(']') => Action::NextEvent,
        KeyCode::Char('[') => Action::PrevEvent,
        KeyCode::Home => Action::Home,
        KeyCode::End => Action::End,
        KeyCode::Char(' ') => Action::Play,
        KeyCode::Char('+') | KeyCode::Char('=') => Action::Faster,
        KeyCode::Char('-') => Action::Slower,
        KeyCode::Tab => Action::FocusNext,
        KeyCode::BackTab => Action::FocusPrev,
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Enter => Action::Enter,
        KeyCode::Char('o') => Action::Reroot,
        KeyCode::Char('/') => Action::Filter,
        KeyCode::Char('s') => Action::Sort,
        KeyCode::Char('S') => Action::Reverse,
        KeyCode::Char('g') => Action::Collect,
        KeyCode::Char('z') => Action::Maximize,
        KeyCode::Char('m') => Action::Memory,
        _ => return None,
    })
}

/// The action of a mouse event.
pub fn from_mouse(m: MouseEvent) -> Option<Action> {
    match m.kind {
        MouseEventKind::Down(MouseButton::Left) => Some(Action::Click(m.column, m.row)),
        MouseEventKind::ScrollUp => Some(Action::Wheel(m.column, m.row, true)),
        MouseEventKind::ScrollDown => Some(Action::Wheel(m.column, m.row, false)),
        _ => None,
    }
}
