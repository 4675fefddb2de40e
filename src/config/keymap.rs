//! The keymap: which key does which action in which pane.
//!
//! Defaults live in `assets/keymap.toml`; the user's config overrides them key by key. Pane
//! scopes are looked up before `[global]`. A key that would mean two different actions in
//! the same pane because of the user's file is an error naming both, so a remap never
//! silently hides another binding.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::action::Action;

/// Where a binding applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    Global,
    Images,
    Layers,
    Containers,
    Tags,
    Jobs,
    Changes,
    Catalog,
    /// files view
    Files,
    // workflow
    Logs,
}

impl Scope {
    pub const ALL: &'static [Scope] = &[
        Scope::Global,
        Scope::Images,
        Scope::Layers,
        Scope::Containers,
        Scope::Tags,
        Scope::Jobs,
        Scope::Changes,
        Scope::Catalog,
        Scope::Files,
        Scope::Logs,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Scope::Global => "global",
            Scope::Images => "images",
            Scope::Layers => "layers",
            Scope::Containers => "containers",
            Scope::Tags => "tags",
            Scope::Jobs => "jobs",
            Scope::Changes => "changes",
            Scope::Catalog => "catalog",
            Scope::Files => "files",
            Scope::Logs => "logs",
        }
    }

    pub fn from_name(name: &str) -> Option<Scope> {
        Scope::ALL.iter().copied().find(|s| s.name() == name)
    }
}

/// A key with its modifiers, normalised so that `S` and `shift-s` are the same key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyCombo {
    pub code: KeyCode,
    pub mods: KeyModifiers,
}

impl KeyCombo {
    pub fn new(code: KeyCode, mods: KeyModifiers) -> Self {
        let mut mods = mods & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            // The character already says whether shift was held.
            KeyCode::Char(c) => {
                mods.remove(KeyModifiers::SHIFT);
                if mods.contains(KeyModifiers::CONTROL) {
                    KeyCode::Char(c.to_ascii_lowercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            KeyCode::BackTab => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::Tab if mods.contains(KeyModifiers::SHIFT) => {
                mods.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        KeyCombo { code, mods }
    }

    pub fn plain(code: KeyCode) -> Self {
        KeyCombo::new(code, KeyModifiers::NONE)
    }

    /// The combo for a terminal key event; `None` for key releases.
    pub fn from_event(event: &KeyEvent) -> Option<Self> {
        (event.kind != KeyEventKind::Release).then(|| KeyCombo::new(event.code, event.modifiers))
    }

    /// Parses `q`, `ctrl-c`, `shift-tab`, `alt-enter`, `pgdn`, `f5`, `-`, `ctrl--`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut rest = text;
        let mut mods = KeyModifiers::NONE;
        loop {
            let lower = rest.to_ascii_lowercase();
            let (prefix, modifier) = if lower.starts_with("ctrl-") {
                ("ctrl-", KeyModifiers::CONTROL)
            } else if lower.starts_with("alt-") {
                ("alt-", KeyModifiers::ALT)
            } else if lower.starts_with("shift-") {
                ("shift-", KeyModifiers::SHIFT)
            } else {
                break;
            };
            if rest.len() == prefix.len() {
                break;
            }
            mods |= modifier;
            rest = &rest[prefix.len()..];
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if mods.contains(KeyModifiers::SHIFT) && c.is_ascii_lowercase() {
                    KeyCode::Char(c.to_ascii_uppercase())
                } else {
                    KeyCode::Char(c)
                }
            }
            _ => named_key(&rest.to_ascii_lowercase())
                .ok_or_else(|| format!("unknown key \"{text}\""))?,
        };
        Ok(KeyCombo::new(code, mods))
    }
}

fn named_key(name: &str) -> Option<KeyCode> {
    Some(match name {
        "enter" | "return" => KeyCode::Enter,
        "esc" | "escape" => KeyCode::Esc,
        "tab" => KeyCode::Tab,
        "backtab" => KeyCode::BackTab,
        "backspace" => KeyCode::Backspace,
        "delete" | "del" => KeyCode::Delete,
        "insert" | "ins" => KeyCode::Insert,
        "home" => KeyCode::Home,
        "end" => KeyCode::End,
        "pgup" | "pageup" => KeyCode::PageUp,
        "pgdn" | "pagedown" => KeyCode::PageDown,
        "up" => KeyCode::Up,
        "down" => KeyCode::Down,
        "left" => KeyCode::Left,
        "right" => KeyCode::Right,
        "space" => KeyCode::Char(' '),
        f if f.starts_with('f') => {
            let n: u8 = f[1..].parse().ok()?;
            if !(1..=24).contains(&n) {
                return None;
            }
            KeyCode::F(n)
        }
        _ => return None,
    })
}

impl fmt::Display for KeyCombo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.mods.contains(KeyModifiers::CONTROL) {
            f.write_str("Ctrl-")?;
        }
        if self.mods.contains(KeyModifiers::ALT) {
            f.write_str("Alt-")?;
        }
        if self.mods.contains(KeyModifiers::SHIFT) {
            f.write_str("Shift-")?;
        }
        match self.code {
            KeyCode::Char(' ') => f.write_str("Space"),
            KeyCode::Char(c) if self.mods.contains(KeyModifiers::CONTROL) => {
                write!(f, "{}", c.to_ascii_uppercase())
            }
            KeyCode::Char(c) => write!(f, "{c}"),
            KeyCode::Enter => f.write_str("Enter"),
            KeyCode::Esc => f.write_str("Esc"),
            KeyCode::Tab => f.write_str("Tab"),
            KeyCode::BackTab => f.write_str("Shift-Tab"),
            KeyCode::Backspace => f.write_str("Backspace"),
            KeyCode::Delete => f.write_str("Del"),
            KeyCode::Insert => f.write_str("Ins"),
            KeyCode::Home => f.write_str("Home"),
            KeyCode::End => f.write_str("End"),
            KeyCode::PageUp => f.write_str("PgUp"),
            KeyCode::PageDown => f.write_str("PgDn"),
            KeyCode::Up => f.write_str("↑"),
            KeyCode::Down => f.write_str("↓"),
            KeyCode::Left => f.write_str("←"),
            KeyCode::Right => f.write_str("→"),
            KeyCode::F(n) => write!(f, "F{n}"),
            other => write!(f, "{other:?}"),
        }
    }
}

/// Where a binding came from, so a clash can be blamed on the user's file only.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Origin {
    Default,
    User { spelling: String },
}

#[derive(Debug, Clone)]
struct Binding {
    /// `None` when the user unbound the key with `"none"`.
    action: Option<Action>,
    origin: Origin,
}

/// A keymap error, phrased for the person editing the config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeymapError(pub String);

impl fmt::Display for KeymapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Key tables as read from a TOML file: scope name → key spelling → action name.
pub type KeyTables = BTreeMap<String, BTreeMap<String, String>>;

/// The live keymap.
#[derive(Debug, Clone)]
pub struct Keymap {
    scopes: HashMap<Scope, HashMap<KeyCombo, Binding>>,
}

const DEFAULT_KEYMAP: &str = include_str!("../../assets/keymap.toml");

impl Keymap {
    /// The built-in keymap alone.
    pub fn defaults() -> Result<Self, KeymapError> {
        Keymap::with_overrides(&KeyTables::new())
    }

    /// The built-in keymap with the user's tables applied key by key.
    pub fn with_overrides(user: &KeyTables) -> Result<Self, KeymapError> {
        let defaults: KeyTables = toml::from_str(DEFAULT_KEYMAP)
            .map_err(|e| KeymapError(format!("built-in keymap: {e}")))?;
        let mut keymap = Keymap {
            scopes: HashMap::new(),
        };
        keymap.apply(&defaults, |_| Origin::Default)?;
        keymap.apply(user, |spelling| Origin::User {
            spelling: spelling.to_string(),
        })?;
        keymap.check_shadowing()?;
        Ok(keymap)
    }

    fn apply(
        &mut self,
        tables: &KeyTables,
        origin_of: impl Fn(&str) -> Origin,
    ) -> Result<(), KeymapError> {
        for (scope_name, table) in tables {
            let scope = Scope::from_name(scope_name).ok_or_else(|| {
                KeymapError(format!(
                    "unknown key table [keys.{scope_name}]; known tables: {}",
                    Scope::ALL
                        .iter()
                        .map(|s| s.name())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
            // Spellings seen in this file for this scope, to catch "ctrl-s" next to "Ctrl-S".
            let mut seen: HashMap<KeyCombo, (&str, Option<Action>)> = HashMap::new();
            for (spelling, action_name) in table {
                let combo = KeyCombo::parse(spelling)
                    .map_err(|e| KeymapError(format!("[keys.{scope_name}]: {e}")))?;
                let action = if action_name == "none" {
                    None
                } else {
                    Some(Action::from_name(action_name).ok_or_else(|| {
                        KeymapError(format!(
                            "[keys.{scope_name}] \"{spelling}\": unknown action \"{action_name}\""
                        ))
                    })?)
                };
                if let Some((other_spelling, other_action)) = seen.get(&combo)
                    && *other_action != action
                {
                    return Err(KeymapError(format!(
                        "[keys.{scope_name}]: \"{other_spelling}\" and \"{spelling}\" are the same key \
                             but are bound to {} and {}",
                        describe(*other_action),
                        describe(action)
                    )));
                }
                seen.insert(combo, (spelling, action));
                self.scopes.entry(scope).or_default().insert(
                    combo,
                    Binding {
                        action,
                        origin: origin_of(spelling),
                    },
                );
            }
        }
        Ok(())
    }

    /// A pane binding and a global binding for the same key with different actions clash
    /// when the user's file made either of them.
    fn check_shadowing(&self) -> Result<(), KeymapError> {
        let Some(global) = self.scopes.get(&Scope::Global) else {
            return Ok(());
        };
        let mut scopes: Vec<_> = self.scopes.iter().collect();
        scopes.sort_by_key(|(scope, _)| **scope);
        for (scope, table) in scopes {
            if *scope == Scope::Global {
                continue;
            }
            let mut keys: Vec<_> = table.iter().collect();
            keys.sort_by_key(|(combo, _)| combo.to_string());
            for (combo, pane_binding) in keys {
                let Some(global_binding) = global.get(combo) else {
                    continue;
                };
                let (Some(pane_action), Some(global_action)) =
                    (pane_binding.action, global_binding.action)
                else {
                    continue;
                };
                let user_made = pane_binding.origin != Origin::Default
                    || global_binding.origin != Origin::Default;
                if pane_action != global_action && user_made {
                    return Err(KeymapError(format!(
                        "key \"{combo}\" is bound to \"{global_action}\" in [keys.global] and to \
                         \"{pane_action}\" in [keys.{}]; unbind one with \"none\"",
                        scope.name()
                    )));
                }
            }
        }
        Ok(())
    }

    /// The action a key triggers in a scope (the scope's table first, then global).
    pub fn action_for(&self, scope: Scope, combo: KeyCombo) -> Option<Action> {
        if let Some(binding) = self.scopes.get(&scope).and_then(|t| t.get(&combo)) {
            return binding.action;
        }
        self.scopes
            .get(&Scope::Global)
            .and_then(|t| t.get(&combo))
            .and_then(|b| b.action)
    }

    /// Every key that triggers `action` in `scope`, shortest first.
    pub fn keys_for(&self, scope: Scope, action: Action) -> Vec<KeyCombo> {
        let mut keys: Vec<KeyCombo> = self
            .bindings_in(scope)
            .into_iter()
            .filter(|(_, a)| *a == action)
            .map(|(k, _)| k)
            .collect();
        keys.sort_by_key(|k| {
            let text = k.to_string();
            (text.chars().count(), text)
        });
        keys
    }

    /// The first key for an action, for hints such as "? help".
    pub fn hint(&self, scope: Scope, action: Action) -> Option<String> {
        self.keys_for(scope, action).first().map(|k| k.to_string())
    }

    /// Effective bindings in a scope: the scope's own merged over global.
    fn bindings_in(&self, scope: Scope) -> Vec<(KeyCombo, Action)> {
        let mut effective: HashMap<KeyCombo, Option<Action>> = HashMap::new();
        if let Some(global) = self.scopes.get(&Scope::Global) {
            for (k, b) in global {
                effective.insert(*k, b.action);
            }
        }
        if scope != Scope::Global
            && let Some(table) = self.scopes.get(&scope)
        {
            for (k, b) in table {
                effective.insert(*k, b.action);
            }
        }
        effective
            .into_iter()
            .filter_map(|(k, a)| a.map(|a| (k, a)))
            .collect()
    }

    /// Bindings that belong to a scope itself (not inherited), grouped per action, in
    /// action order: what the help overlay lists under that scope's heading.
    pub fn own_bindings(&self, scope: Scope) -> Vec<(Action, Vec<KeyCombo>)> {
        let mut actions: Vec<Action> = self
            .scopes
            .get(&scope)
            .map(|t| t.values().filter_map(|b| b.action).collect())
            .unwrap_or_default();
        actions.sort();
        actions.dedup();
        actions
            .into_iter()
            .map(|a| {
                let keys = self
                    .keys_for(scope, a)
                    .into_iter()
                    .filter(|k| {
                        self.scopes
                            .get(&scope)
                            .and_then(|t| t.get(k))
                            .is_some_and(|b| b.action == Some(a))
                    })
                    .collect();
                (a, keys)
            })
            .collect()
    }
}

fn describe(action: Option<Action>) -> String {
    match action {
        Some(a) => format!("\"{a}\""),
        None => "\"none\"".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tables(toml_text: &str) -> KeyTables {
        toml::from_str(toml_text).unwrap()
    }

    fn key(text: &str) -> KeyCombo {
        KeyCombo::parse(text).unwrap()
    }

    #[test]
    fn parses_keys_and_normalises_shift() {
        assert_eq!(
            key("S"),
            KeyCombo::new(KeyCode::Char('S'), KeyModifiers::SHIFT)
        );
        assert_eq!(key("shift-s"), key("S"));
        assert_eq!(
            key("ctrl-c"),
            KeyCombo::new(KeyCode::Char('c'), KeyModifiers::CONTROL)
        );
        assert_eq!(key("Ctrl-C"), key("ctrl-c"));
        assert_eq!(key("shift-tab"), key("backtab"));
        assert_eq!(key("-"), KeyCombo::plain(KeyCode::Char('-')));
        assert_eq!(
            key("ctrl--"),
            KeyCombo::new(KeyCode::Char('-'), KeyModifiers::CONTROL)
        );
        assert_eq!(key("f5"), KeyCombo::plain(KeyCode::F(5)));
        assert_eq!(key("space"), KeyCombo::plain(KeyCode::Char(' ')));
        assert!(KeyCombo::parse("hyper-x").is_err());
        assert!(KeyCombo::parse("f99").is_err());
        assert!(KeyCombo::parse("").is_err());
    }

    #[test]
    fn display_is_readable() {
        assert_eq!(key("ctrl-l").to_string(), "Ctrl-L");
        assert_eq!(key("backtab").to_string(), "Shift-Tab");
        assert_eq!(key("pgdn").to_string(), "PgDn");
        assert_eq!(key("?").to_string(), "?");
    }

    #[test]
    fn defaults_resolve_pane_then_global() {
        let km = Keymap::defaults().unwrap();
        assert_eq!(km.action_for(Scope::Images, key("q")), Some(Action::Quit));
        assert_eq!(km.action_for(Scope::Images, key("s")), Some(Action::Sort));
        assert_eq!(km.action_for(Scope::Layers, key("s")), None);
        assert_eq!(
            km.action_for(Scope::Images, key("ctrl-c")),
            Some(Action::Quit)
        );
        assert_eq!(km.hint(Scope::Images, Action::Help).as_deref(), Some("?"));
    }

    #[test]
    fn user_remap_overrides_key_by_key() {
        let km = Keymap::with_overrides(&tables(
            r#"
            [images]
            z = "sort"
            s = "none"
            "#,
        ))
        .unwrap();
        assert_eq!(km.action_for(Scope::Images, key("z")), Some(Action::Sort));
        assert_eq!(km.action_for(Scope::Images, key("s")), None);
        assert_eq!(km.keys_for(Scope::Images, Action::Sort), vec![key("z")]);
        // Untouched defaults stay.
        assert_eq!(
            km.action_for(Scope::Images, key("S")),
            Some(Action::ReverseSort)
        );
    }

    #[test]
    fn clash_between_global_and_pane_names_both_actions() {
        let err = Keymap::with_overrides(&tables(
            r#"
            [global]
            s = "refresh"
            "#,
        ))
        .unwrap_err();
        assert!(err.0.contains("\"refresh\""), "{err}");
        assert!(err.0.contains("\"sort\""), "{err}");
        assert!(err.0.contains("[keys.images]"), "{err}");
    }

    #[test]
    fn clash_between_two_spellings_in_one_table() {
        let err = Keymap::with_overrides(&tables(
            r#"
            [global]
            "ctrl-x" = "quit"
            "Ctrl-X" = "help"
            "#,
        ))
        .unwrap_err();
        assert!(
            err.0.contains("\"quit\"") && err.0.contains("\"help\""),
            "{err}"
        );
    }

    #[test]
    fn unknown_action_and_table_are_errors() {
        let err = Keymap::with_overrides(&tables("[images]\nx = \"explode\"\n")).unwrap_err();
        assert!(err.0.contains("explode"), "{err}");
        let err = Keymap::with_overrides(&tables("[nowhere]\nx = \"quit\"\n")).unwrap_err();
        assert!(err.0.contains("nowhere"), "{err}");
    }

    #[test]
    fn unbinding_global_lets_a_pane_take_the_key() {
        let km = Keymap::with_overrides(&tables(
            r#"
            [global]
            q = "none"
            "ctrl-q" = "quit"
            [images]
            q = "sort"
            "#,
        ))
        .unwrap();
        assert_eq!(km.action_for(Scope::Images, key("q")), Some(Action::Sort));
        assert_eq!(km.action_for(Scope::Layers, key("q")), None);
        assert_eq!(
            km.action_for(Scope::Layers, key("ctrl-q")),
            Some(Action::Quit)
        );
    }
}
