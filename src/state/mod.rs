//! The model. `State::update` is pure: it takes a message, changes the state and returns
//! effects for the executor. No I/O, no clock, no terminal.

pub mod command;
pub mod filter;
pub mod images;
pub mod layers;
pub mod line_editor;
pub mod list;
pub mod popup;

use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::action::Action;
use crate::config::Config;
use crate::config::keymap::{KeyCombo, Keymap, Scope};
use crate::docker::{EngineError, EngineErrorKind, EngineEvent, EngineInfo, EventSubject, ImageId};
use crate::effect::Effect;
use crate::msg::Msg;

use command::{Command, CommandHistory, CommandLine};
use images::ImagesState;
use layers::LayersState;
use line_editor::Edit;
use popup::{Popup, Scroll, Severity};

/// The panes, in Tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pane {
    Images,
    Layers,
    Containers,
    Tags,
}

impl Pane {
    pub const ORDER: [Pane; 4] = [Pane::Images, Pane::Layers, Pane::Containers, Pane::Tags];

    /// The keymap table consulted while this pane has the focus.
    pub fn scope(self) -> Scope {
        match self {
            Pane::Images => Scope::Images,
            Pane::Layers => Scope::Layers,
            Pane::Containers => Scope::Containers,
            Pane::Tags => Scope::Tags,
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Pane::Images => "Images",
            Pane::Layers => "Layers",
            Pane::Containers => "Containers",
            Pane::Tags => "Tags",
        }
    }

    fn step(self, forward: bool) -> Pane {
        let i = Pane::ORDER.iter().position(|p| *p == self).unwrap_or(0);
        let n = Pane::ORDER.len();
        Pane::ORDER[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }
}

/// Where the engine connection stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineStatus {
    /// Connecting for the first time, or again after the event stream ended.
    Connecting,
    Connected(EngineInfo),
    /// Unreachable; another attempt follows after `retry_in`.
    Down {
        error: EngineError,
        attempt: u32,
        retry_in: Duration,
    },
}

/// The line at the bottom: the outcome of the last action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    pub text: String,
    pub severity: Severity,
}

/// Pause before reconnect attempt `attempt` (0-based): quick at first, then every 15 s.
pub fn backoff(attempt: u32) -> Duration {
    let millis = 250u64.saturating_mul(1 << attempt.min(6));
    Duration::from_millis(millis.min(15_000))
}

/// Everything wharf shows and knows; owned by the event loop alone.
#[derive(Debug)]
pub struct State {
    /// The engine address, for messages while it cannot be reached.
    pub engine_target: String,
    pub engine: EngineStatus,
    connect_attempts: u32,
    pub focus: Pane,
    pub images: ImagesState,
    pub layers: LayersState,
    pub popups: Vec<Popup>,
    pub command_line: Option<CommandLine>,
    command_history: CommandHistory,
    pub status: Option<StatusMessage>,
    pub keymap: Keymap,
    /// Set when the user asked to quit.
    pub quit: bool,
    /// Set by Ctrl-L: clear the terminal before the next frame.
    pub clear_screen: bool,
    images_loading: bool,
    images_reload_pending: bool,
}

impl State {
    pub fn new(config: &Config, engine_target: String) -> Self {
        State {
            engine_target,
            engine: EngineStatus::Connecting,
            connect_attempts: 0,
            focus: Pane::Images,
            images: ImagesState::new(
                config.images.sort,
                config.images.reverse,
                config.images.show_dangling,
            ),
            layers: LayersState::default(),
            popups: Vec::new(),
            command_line: None,
            command_history: CommandHistory::default(),
            status: None,
            keymap: config.keymap.clone(),
            quit: false,
            clear_screen: false,
            images_loading: false,
            images_reload_pending: false,
        }
    }

    /// Effects to run at start.
    pub fn start(&mut self) -> Vec<Effect> {
        vec![Effect::ConnectEngine {
            after: Duration::ZERO,
        }]
    }

    /// Applies one message.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let mut effects = Vec::new();
        match msg {
            Msg::Key(key) => self.on_key(key, &mut effects),
            Msg::Paste(text) => self.on_paste(&text, &mut effects),
            Msg::Resize => {}
            Msg::EngineConnected(info) => self.on_connected(info, &mut effects),
            Msg::EngineFailed(error) => self.on_connect_failed(error, &mut effects),
            Msg::ImagesLoaded(result) => self.on_images_loaded(result, &mut effects),
            Msg::ImageInspected { reference, result } => {
                self.on_image_inspected(reference, result, &mut effects)
            }
            Msg::HistoryLoaded { image, result } => {
                let result = match result {
                    Ok(records) => Ok(records),
                    Err(e) if e.kind == EngineErrorKind::Unreachable => {
                        self.engine_lost(e, &mut effects);
                        return effects;
                    }
                    Err(e) => Err(e.to_string()),
                };
                if let Some(next) = self.layers.loaded(image, result) {
                    effects.push(Effect::LoadHistory { image: next });
                }
            }
            Msg::EngineEvent(event) => self.on_engine_event(event, &mut effects),
            Msg::EventsEnded(error) => self.on_events_ended(error, &mut effects),
        }
        effects
    }

    // ----- engine -------------------------------------------------------------------------

    fn on_connected(&mut self, info: EngineInfo, effects: &mut Vec<Effect>) {
        self.engine = EngineStatus::Connected(info);
        self.connect_attempts = 0;
        self.layers.reset_requests();
        self.images_loading = false;
        effects.push(Effect::WatchEvents);
        self.load_images(effects);
        if let Some(image) = self.layers.reload() {
            effects.push(Effect::LoadHistory { image });
        }
    }

    fn on_connect_failed(&mut self, error: EngineError, effects: &mut Vec<Effect>) {
        let attempt = self.connect_attempts;
        self.connect_attempts = self.connect_attempts.saturating_add(1);
        let retry_in = backoff(attempt);
        self.engine = EngineStatus::Down {
            error,
            attempt: self.connect_attempts,
            retry_in,
        };
        effects.push(Effect::ConnectEngine { after: retry_in });
    }

    /// A request found the engine gone: reconnect (once) and say so.
    fn engine_lost(&mut self, error: EngineError, effects: &mut Vec<Effect>) {
        if !matches!(self.engine, EngineStatus::Connected(_)) {
            return;
        }
        self.layers.reset_requests();
        self.images_loading = false;
        self.on_connect_failed(error, effects);
    }

    fn on_events_ended(&mut self, error: Option<EngineError>, effects: &mut Vec<Effect>) {
        if !matches!(self.engine, EngineStatus::Connected(_)) {
            return;
        }
        match error {
            Some(e) if e.kind == EngineErrorKind::Unreachable => self.engine_lost(e, effects),
            _ => {
                // The stream closed (an engine restart, a proxy timeout): check the engine and
                // start over, reloading what may have changed meanwhile.
                self.engine = EngineStatus::Connecting;
                let retry_in = backoff(self.connect_attempts);
                self.connect_attempts = self.connect_attempts.saturating_add(1);
                effects.push(Effect::ConnectEngine { after: retry_in });
            }
        }
    }

    pub fn is_connected(&self) -> bool {
        matches!(self.engine, EngineStatus::Connected(_))
    }

    // ----- images -------------------------------------------------------------------------

    fn load_images(&mut self, effects: &mut Vec<Effect>) {
        if self.images_loading {
            self.images_reload_pending = true;
        } else {
            self.images_loading = true;
            effects.push(Effect::LoadImages);
        }
    }

    fn on_images_loaded(
        &mut self,
        result: Result<Vec<crate::docker::ImageRecord>, EngineError>,
        effects: &mut Vec<Effect>,
    ) {
        self.images_loading = false;
        match result {
            Ok(records) => {
                self.images.set_records(records);
                if std::mem::take(&mut self.images_reload_pending) {
                    self.load_images(effects);
                }
                self.sync_layers(effects);
            }
            Err(e) if e.kind == EngineErrorKind::Unreachable => self.engine_lost(e, effects),
            Err(e) => self.images.error = Some(e.to_string()),
        }
    }

    fn on_image_inspected(
        &mut self,
        reference: String,
        result: Result<Option<crate::docker::ImageRecord>, EngineError>,
        effects: &mut Vec<Effect>,
    ) {
        match result {
            Ok(Some(record)) => self.images.upsert(record),
            Ok(None) => {
                let gone = ImageId(reference);
                if self.images.remove(&gone) {
                    self.layers.forget(&gone);
                }
            }
            Err(e) if e.kind == EngineErrorKind::Unreachable => {
                return self.engine_lost(e, effects);
            }
            Err(_) => self.load_images(effects),
        }
        self.sync_layers(effects);
    }

    fn on_engine_event(&mut self, event: EngineEvent, effects: &mut Vec<Effect>) {
        match (event.subject, event.action.as_str()) {
            (EventSubject::Image, "delete") => {
                let id = ImageId(event.id);
                if self.images.remove(&id) {
                    self.layers.forget(&id);
                    self.sync_layers(effects);
                }
            }
            (EventSubject::Image, "tag" | "untag" | "pull" | "import" | "load" | "create") => {
                effects.push(Effect::InspectImage {
                    reference: event.id,
                })
            }
            (EventSubject::Image, "prune") | (EventSubject::Container, "commit") => {
                self.load_images(effects)
            }
            _ => {}
        }
    }

    /// Points the layers pane at the images pane's selection.
    fn sync_layers(&mut self, effects: &mut Vec<Effect>) {
        let (image, label) = match self.images.selected_row() {
            Some(row) => (Some(row.image.clone()), row.reference()),
            None => (None, String::new()),
        };
        if let Some(image) = self.layers.show(image, label) {
            if self.is_connected() {
                effects.push(Effect::LoadHistory { image });
            } else {
                self.layers.reset_requests();
            }
        }
    }

    // ----- keys ---------------------------------------------------------------------------

    fn on_key(&mut self, key: KeyEvent, effects: &mut Vec<Effect>) {
        let Some(combo) = KeyCombo::from_event(&key) else {
            return;
        };
        // A quit key with a modifier (Ctrl-C) works everywhere, even while typing.
        if !combo.mods.is_empty()
            && self.keymap.action_for(Scope::Global, combo) == Some(Action::Quit)
        {
            self.quit = true;
            return;
        }
        self.status = None;
        if !self.popups.is_empty() {
            self.on_popup_key(key, combo);
        } else if self.command_line.is_some() {
            self.on_command_key(key, effects);
        } else if self.focused_filter_editing() {
            self.on_filter_key(key, effects);
        } else if key.code == KeyCode::Esc && key.modifiers == KeyModifiers::NONE {
            self.clear_filter(effects);
        } else if let Some(action) = self.keymap.action_for(self.focus.scope(), combo) {
            self.on_action(action, effects);
        }
    }

    fn on_paste(&mut self, text: &str, effects: &mut Vec<Effect>) {
        if let Some(line) = self.command_line.as_mut() {
            line.editor.insert_str(text);
        } else if self.focused_filter_editing()
            && self.images.filter.editor.insert_str(text) == Edit::Changed
        {
            self.images.filter_changed();
            self.sync_layers(effects);
        }
    }

    fn on_popup_key(&mut self, key: KeyEvent, combo: KeyCombo) {
        let action = self.keymap.action_for(Scope::Global, combo);
        let Some(popup) = self.popups.last_mut() else {
            return;
        };
        let closes = matches!(key.code, KeyCode::Esc | KeyCode::Enter | KeyCode::Char('q'))
            || (matches!(popup, Popup::Help { .. }) && action == Some(Action::Help));
        if closes {
            self.popups.pop();
        } else if let Some(action) = action {
            popup.scroll_mut().navigate(action);
        }
    }

    fn on_command_key(&mut self, key: KeyEvent, effects: &mut Vec<Effect>) {
        let Some(line) = self.command_line.as_mut() else {
            return;
        };
        match key.code {
            KeyCode::Esc => self.command_line = None,
            KeyCode::Enter => {
                let text = line.editor.text().to_string();
                match command::parse(&text) {
                    Ok(command) => {
                        self.command_history.push(&text);
                        self.command_line = None;
                        self.run_command(command, effects);
                    }
                    Err(message) => {
                        self.command_history.push(&text);
                        line.message = Some(message);
                    }
                }
            }
            KeyCode::Tab => line.complete(),
            KeyCode::Up => line.older(&self.command_history),
            KeyCode::Down => line.newer(&self.command_history),
            _ => {
                if line.editor.handle_key(key) == Edit::Changed {
                    line.message = None;
                }
            }
        }
    }

    fn run_command(&mut self, command: Command, effects: &mut Vec<Effect>) {
        match command {
            Command::Quit => self.quit = true,
            Command::Help => self.on_action(Action::Help, effects),
            Command::Focus(pane) => self.focus = pane,
        }
    }

    fn focused_filter_editing(&self) -> bool {
        self.focus == Pane::Images && self.images.filter.editing
    }

    fn on_filter_key(&mut self, key: KeyEvent, effects: &mut Vec<Effect>) {
        match key.code {
            KeyCode::Esc => self.clear_filter(effects),
            KeyCode::Enter => self.images.filter.editing = false,
            KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown => {
                let action = match key.code {
                    KeyCode::Up => Action::Up,
                    KeyCode::Down => Action::Down,
                    KeyCode::PageUp => Action::PageUp,
                    _ => Action::PageDown,
                };
                self.images.navigate(action);
                self.sync_layers(effects);
            }
            _ => {
                if self.images.filter.editor.handle_key(key) == Edit::Changed {
                    self.images.filter_changed();
                    self.sync_layers(effects);
                }
            }
        }
    }

    fn clear_filter(&mut self, effects: &mut Vec<Effect>) {
        if self.focus == Pane::Images && self.images.filter.is_active() {
            self.images.filter.editing = false;
            self.images.filter.editor.clear();
            self.images.filter_changed();
            self.sync_layers(effects);
        }
    }

    fn on_action(&mut self, action: Action, effects: &mut Vec<Effect>) {
        match action {
            Action::Quit => self.quit = true,
            Action::Help => self.popups.push(Popup::Help {
                scroll: Scroll::default(),
            }),
            Action::CommandLine => self.command_line = Some(CommandLine::default()),
            Action::Redraw => self.clear_screen = true,
            Action::FocusNext => self.focus = self.focus.step(true),
            Action::FocusPrev => self.focus = self.focus.step(false),
            Action::FocusImages => self.focus = Pane::Images,
            Action::FocusLayers => self.focus = Pane::Layers,
            Action::FocusContainers => self.focus = Pane::Containers,
            Action::FocusTags => self.focus = Pane::Tags,
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => self.navigate(action, effects),
            Action::Open => self.open_selected(),
            Action::Filter if self.focus == Pane::Images => self.images.filter.editing = true,
            Action::Sort if self.focus == Pane::Images => {
                self.images.cycle_sort();
                self.sync_layers(effects);
            }
            Action::ReverseSort if self.focus == Pane::Images => {
                self.images.reverse_sort();
                self.sync_layers(effects);
            }
            Action::ToggleAll if self.focus == Pane::Images => {
                self.images.toggle_dangling();
                self.sync_layers(effects);
                let shown = if self.images.show_dangling {
                    "shown"
                } else {
                    "hidden"
                };
                self.info(format!("dangling images {shown}"));
            }
            other => self.error(format!(
                "\"{other}\" is not available in the {} pane",
                self.focus.title().to_lowercase()
            )),
        }
    }

    fn navigate(&mut self, action: Action, effects: &mut Vec<Effect>) {
        match self.focus {
            Pane::Images => {
                self.images.navigate(action);
                self.sync_layers(effects);
            }
            Pane::Layers => {
                self.layers.navigate(action);
            }
            Pane::Containers | Pane::Tags => {}
        }
    }

    fn open_selected(&mut self) {
        match self.focus {
            Pane::Images => {
                if self.images.selected_row().is_some() {
                    self.focus = Pane::Layers;
                }
            }
            Pane::Layers => {
                if let Some(row) = self.layers.selected_row() {
                    let mut body = if row.full_command.trim().is_empty() {
                        "(no command recorded)".to_string()
                    } else {
                        row.full_command.clone()
                    };
                    if !row.comment.is_empty() {
                        body.push_str("\n\nComment: ");
                        body.push_str(&row.comment);
                    }
                    body.push_str(&format!("\n\nLayer: {}", row.id));
                    self.popups.push(Popup::Detail {
                        title: format!("Layer of {}", self.layers.label),
                        body,
                        scroll: Scroll::default(),
                    });
                }
            }
            Pane::Containers | Pane::Tags => {}
        }
    }

    fn info(&mut self, text: String) {
        self.status = Some(StatusMessage {
            text,
            severity: Severity::Info,
        });
    }

    fn error(&mut self, text: String) {
        self.status = Some(StatusMessage {
            text,
            severity: Severity::Error,
        });
    }
}
