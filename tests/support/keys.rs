//! The input side of the pure flow tests (no I/O): keys as a terminal sends them, and
//! `State::update` without the tags pane's settle timer for the flows that do not cover it.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use wharf::effect::Effect;
use wharf::msg::Msg;
use wharf::state::State;

/// A key without modifiers.
pub fn press(code: KeyCode) -> Msg {
    Msg::Key(KeyEvent::new(code, KeyModifiers::NONE))
}

/// A character key as a terminal sends it (Shift with capitals).
pub fn ch(c: char) -> Msg {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Key(KeyEvent::new(KeyCode::Char(c), mods))
}

/// Ctrl and a character key.
pub fn ctrl(c: char) -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL))
}

pub fn alt_enter() -> Msg {
    Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::ALT))
}

/// `State::update` without the tags pane's debounce timer (`SettleTags`), which the flows
/// that use it do not cover: the effects left are the requests they check.
pub trait Feed {
    fn feed(&mut self, msg: Msg) -> Vec<Effect>;
}

impl Feed for State {
    fn feed(&mut self, msg: Msg) -> Vec<Effect> {
        self.update(msg)
            .into_iter()
            .filter(|e| !matches!(e, Effect::SettleTags { .. }))
            .collect()
    }
}

/// Feeds each message in turn; every effect, in order.
pub fn send_all(state: &mut State, msgs: impl IntoIterator<Item = Msg>) -> Vec<Effect> {
    msgs.into_iter().flat_map(|m| state.feed(m)).collect()
}

/// Types `text` key by key through [`Feed::feed`]; every effect, in order.
pub fn feed_text(state: &mut State, text: &str) -> Vec<Effect> {
    send_all(state, text.chars().map(ch))
}

/// `:TEXT` Enter through [`Feed::feed`]; the effects of Enter.
pub fn feed_command(state: &mut State, text: &str) -> Vec<Effect> {
    state.feed(ch(':'));
    feed_text(state, text);
    state.feed(press(KeyCode::Enter))
}
