//! Colours and text styles. The default theme uses only the 16 ANSI colours so it follows
//! the user's terminal palette; without colour the selection stays visible through reverse
//! video and bold.

use std::collections::BTreeMap;
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};

/// Styles for each role on screen.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub border: Style,
    pub border_focused: Style,
    pub title: Style,
    pub header: Style,
    pub selection: Style,
    /// Selection in a pane that does not have the focus.
    pub selection_unfocused: Style,
    pub dim: Style,
    pub accent: Style,
    pub key: Style,
    pub error: Style,
    pub warning: Style,
    pub ok: Style,
    pub added: Style,
    pub changed: Style,
    pub deleted: Style,
}

/// Theme roles a config file may colour, with their default ANSI colour.
const ROLES: &[(&str, Color)] = &[
    ("border", Color::DarkGray),
    ("border_focused", Color::Cyan),
    ("title", Color::Reset),
    ("header", Color::Yellow),
    ("selection_fg", Color::Black),
    ("selection_bg", Color::Cyan),
    ("dim", Color::DarkGray),
    ("accent", Color::Cyan),
    ("key", Color::Yellow),
    ("error", Color::Red),
    ("warning", Color::Yellow),
    ("ok", Color::Green),
    ("added", Color::Green),
    ("changed", Color::Yellow),
    ("deleted", Color::Red),
];

impl Theme {
    /// Builds the theme from `[theme]` overrides.
    pub fn from_config(overrides: &BTreeMap<String, String>) -> Result<Self, String> {
        let mut colours: BTreeMap<&str, Color> = ROLES.iter().copied().collect();
        for (role, value) in overrides {
            let slot = colours.get_mut(role.as_str()).ok_or_else(|| {
                format!(
                    "[theme] has no role \"{role}\"; roles are {}",
                    ROLES.iter().map(|(r, _)| *r).collect::<Vec<_>>().join(", ")
                )
            })?;
            *slot = parse_colour(value)
                .ok_or_else(|| format!("[theme] {role}: \"{value}\" is not a colour (use an ANSI name such as \"light-blue\", an index 0-255 or \"#rrggbb\")"))?;
        }
        let fg = |role: &str| Style::new().fg(colours.get(role).copied().unwrap_or(Color::Reset));
        Ok(Theme {
            border: fg("border"),
            border_focused: fg("border_focused").add_modifier(Modifier::BOLD),
            title: fg("title").add_modifier(Modifier::BOLD),
            header: fg("header").add_modifier(Modifier::BOLD),
            selection: Style::new()
                .fg(colours.get("selection_fg").copied().unwrap_or(Color::Black))
                .bg(colours.get("selection_bg").copied().unwrap_or(Color::Cyan)),
            selection_unfocused: Style::new().add_modifier(Modifier::REVERSED),
            dim: fg("dim"),
            accent: fg("accent"),
            key: fg("key").add_modifier(Modifier::BOLD),
            error: fg("error"),
            warning: fg("warning"),
            ok: fg("ok"),
            added: fg("added"),
            changed: fg("changed"),
            deleted: fg("deleted"),
        })
    }

    /// The built-in colour theme.
    pub fn default_colours() -> Self {
        Theme::from_config(&BTreeMap::new()).unwrap_or_else(|_| Theme::monochrome())
    }

    /// No colour at all: emphasis through bold, dim and reverse video only.
    pub fn monochrome() -> Self {
        let plain = Style::new();
        Theme {
            border: plain,
            border_focused: plain.add_modifier(Modifier::BOLD),
            title: plain.add_modifier(Modifier::BOLD),
            header: plain.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            selection: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            selection_unfocused: plain.add_modifier(Modifier::REVERSED),
            dim: plain.add_modifier(Modifier::DIM),
            accent: plain.add_modifier(Modifier::BOLD),
            key: plain.add_modifier(Modifier::BOLD),
            error: plain.add_modifier(Modifier::BOLD),
            warning: plain.add_modifier(Modifier::BOLD),
            ok: plain,
            added: plain,
            changed: plain,
            deleted: plain,
        }
    }
}

fn parse_colour(value: &str) -> Option<Color> {
    let normalised = value.trim().replace('_', "-");
    Color::from_str(&normalised).ok()
}

/// Whether the user asked for no colour through the `NO_COLOR` convention.
pub fn no_color_env(value: Option<&std::ffi::OsStr>) -> bool {
    value.is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_theme_uses_only_ansi_colours() {
        let theme = Theme::default_colours();
        for style in [
            theme.border,
            theme.selection,
            theme.accent,
            theme.error,
            theme.added,
        ] {
            for colour in [style.fg, style.bg].into_iter().flatten() {
                assert!(
                    !matches!(colour, Color::Rgb(..) | Color::Indexed(..)),
                    "{colour:?} is not one of the 16 ANSI colours"
                );
            }
        }
    }

    #[test]
    fn overrides_apply_and_bad_values_are_named() {
        let mut overrides = BTreeMap::new();
        overrides.insert("accent".to_string(), "light_blue".to_string());
        overrides.insert("selection_bg".to_string(), "#102030".to_string());
        let theme = Theme::from_config(&overrides).unwrap();
        assert_eq!(theme.accent.fg, Some(Color::LightBlue));
        assert_eq!(theme.selection.bg, Some(Color::Rgb(0x10, 0x20, 0x30)));

        overrides.insert("sparkle".to_string(), "red".to_string());
        let err = Theme::from_config(&overrides).unwrap_err();
        assert!(err.contains("sparkle"), "{err}");
        let mut bad = BTreeMap::new();
        bad.insert("accent".to_string(), "blurple".to_string());
        let err = Theme::from_config(&bad).unwrap_err();
        assert!(err.contains("blurple"), "{err}");
    }

    #[test]
    fn the_example_config_theme_builds() {
        let text = include_str!("../../config.example.toml");
        let config = crate::config::Config::parse(text, std::path::Path::new("example")).unwrap();
        Theme::from_config(&config.theme).unwrap();
    }

    #[test]
    fn monochrome_keeps_selection_visible() {
        let theme = Theme::monochrome();
        assert!(theme.selection.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(theme.selection.fg, None);
        assert_eq!(theme.selection.bg, None);
    }

    #[test]
    fn no_color_env_follows_the_convention() {
        assert!(!no_color_env(None));
        assert!(!no_color_env(Some(std::ffi::OsStr::new(""))));
        assert!(no_color_env(Some(std::ffi::OsStr::new("1"))));
    }
}
