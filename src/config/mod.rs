//! The config file: where it lives, what it may say, and errors that name the line.

pub mod files; // files view: [files] (issue 10)
pub mod keymap;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use keymap::{KeyTables, Keymap};

/// How the images pane is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortKey {
    #[default]
    Name,
    Age,
    Size,
}

/// The `[engine]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineSection {
    /// Engine address, like `--host`; flags and `DOCKER_HOST` win over it.
    pub host: Option<String>,
    /// A docker context name, like `--context`.
    pub context: Option<String>,
    /// Remote engines: whether switching contexts in wharf also writes the docker CLI's
    /// `currentContext` (off: wharf leaves the user's docker setup alone).
    #[serde(default)]
    pub write_current_context: bool,
    /// Remote engines: how `ssh://` engines are reached.
    #[serde(default)]
    pub ssh: SshSection,
}

/// The `[engine.ssh]` table: the `ssh` program wharf runs for `ssh://` engines.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SshSection {
    /// The program (default `ssh` on `PATH`).
    pub program: Option<PathBuf>,
    /// Extra arguments before the destination (`-F`, `-i KEY`, `-o Key=Value`).
    pub options: Vec<String>,
    /// Seconds ssh may take to reach the host (`ConnectTimeout`; default 10).
    pub connect_timeout: Option<u64>,
}

/// The `[images]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ImagesSection {
    pub show_dangling: bool,
    pub sort: SortKey,
    pub reverse: bool,
}

impl Default for ImagesSection {
    fn default() -> Self {
        ImagesSection {
            show_dangling: true,
            sort: SortKey::Name,
            reverse: false,
        }
    }
}

/// The `[registries]` table.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistriesSection {
    /// Registries reached over plain HTTP although they are not on loopback.
    pub insecure: Vec<String>,
    // Registries people use (Hub, Harbor, no catalog): the Hub API's address and what to
    // offer per host when a registry does not list its repositories.
    /// Docker Hub's own API (tags with dates and sizes, namespaces, search); HTTPS, or plain
    /// HTTP on loopback. `None` is `https://hub.docker.com`.
    pub hub_api: Option<String>,
    /// `[registries.hosts."HOST"]`: per registry, e.g. `repositories = ["myns/app"]`.
    pub hosts: crate::registry::RegistryHosts,
}

// workflow
/// The `[local_registry]` table (`:deploy-registry`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LocalRegistrySection {
    /// The registry image to run; a mirror's name replaces `registry:2`.
    pub image: String,
}

impl Default for LocalRegistrySection {
    fn default() -> Self {
        LocalRegistrySection {
            image: "registry:2".to_string(),
        }
    }
}

/// The `[ui]` table.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct UiSection {
    /// Take the mouse (click to focus and select, wheel to move); off leaves it to the
    /// terminal's own text selection. `M` switches at run time.
    pub mouse: bool,
}

impl Default for UiSection {
    fn default() -> Self {
        UiSection { mouse: true }
    }
}

/// The whole file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct ConfigFile {
    engine: EngineSection,
    images: ImagesSection,
    registries: RegistriesSection,
    ui: UiSection,
    // files view (issue 10)
    files: files::FilesSection,
    keys: KeyTables,
    theme: BTreeMap<String, String>,
    // workflow
    local_registry: LocalRegistrySection,
}

/// Everything wharf reads from its config, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub engine: EngineSection,
    pub images: ImagesSection,
    pub registries: RegistriesSection,
    pub ui: UiSection,
    /// files view (issue 10): `[files]`, the layer index cache's cap.
    pub files: files::FilesSection,
    pub keymap: Keymap,
    /// `[theme]` as written: role → colour. The drawing builds its styles from it and
    /// reports a colour it cannot read.
    pub theme: BTreeMap<String, String>,
    /// The file the config came from, if any.
    pub source: Option<PathBuf>,
    // workflow
    pub local_registry: LocalRegistrySection,
}

/// A config problem, said so that the user can fix the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "config file {}", self.path.display())?;
        if let Some(line) = self.line {
            write!(f, ", line {line}")?;
            if let Some(column) = self.column {
                write!(f, ", column {column}")?;
            }
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The built-in configuration.
    pub fn defaults() -> Result<Self, ConfigError> {
        Config::from_file(ConfigFile::default(), None)
    }

    /// Where wharf looks for its config when `--config` is not given.
    pub fn default_path() -> Option<PathBuf> {
        directories::ProjectDirs::from("", "", "wharf").map(|d| d.config_dir().join("config.toml"))
    }

    /// Loads `explicit` (which must exist) or the default path (which may be missing).
    pub fn load(explicit: Option<&Path>) -> Result<Self, ConfigError> {
        let (path, must_exist) = match explicit {
            Some(p) => (p.to_path_buf(), true),
            None => match Config::default_path() {
                Some(p) => (p, false),
                None => return Config::defaults(),
            },
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&text, &path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !must_exist => Config::defaults(),
            Err(e) => Err(ConfigError {
                path,
                line: None,
                column: None,
                message: format!("cannot read it: {e}"),
            }),
        }
    }

    /// Parses config text; `path` is only used in messages.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| {
            let (line, column) = match e.span() {
                Some(span) => {
                    let (l, c) = line_and_column(text, span.start);
                    (Some(l), Some(c))
                }
                None => (None, None),
            };
            ConfigError {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        Config::from_file(file, Some(path)).map_err(|mut e| {
            e.line = e.line.or_else(|| locate_keys_line(text, &e.message));
            e
        })
    }

    fn from_file(file: ConfigFile, path: Option<&Path>) -> Result<Self, ConfigError> {
        let error = |message: String| ConfigError {
            path: path.map(Path::to_path_buf).unwrap_or_default(),
            line: None,
            column: None,
            message,
        };
        let keymap = Keymap::with_overrides(&file.keys).map_err(|e| error(e.0))?;
        Ok(Config {
            engine: file.engine,
            images: file.images,
            registries: file.registries,
            local_registry: file.local_registry,
            ui: file.ui,
            files: file.files,
            keymap,
            theme: file.theme,
            source: path.map(Path::to_path_buf),
        })
    }
}

/// 1-based line and column of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// For keymap errors found after parsing: the line of the first quoted key they mention.
fn locate_keys_line(text: &str, message: &str) -> Option<usize> {
    let quoted = message.split('"').nth(1)?;
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            l.starts_with(&format!("\"{quoted}\"")) || l.starts_with(&format!("{quoted} "))
        })
        .map(|i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("/home/u/.config/wharf/config.toml"))
    }

    // files view (issue 10)
    #[test]
    fn the_layer_cache_cap_reads_bytes_or_units_and_a_bad_one_names_its_line() {
        assert_eq!(parse("").unwrap().files.cache_size.0, 256 * 1024 * 1024);
        let config = parse("[files]\ncache_size = \"64MiB\"\n").unwrap();
        assert_eq!(config.files.cache_size.0, 64 * 1024 * 1024);
        assert_eq!(
            parse("[files]\ncache_size = 1000\n")
                .unwrap()
                .files
                .cache_size
                .0,
            1000
        );
        let error = parse("[files]\ncache_size = \"huge\"\n").unwrap_err();
        assert_eq!(error.line, Some(2));
        assert!(error.message.contains("not a size"), "{}", error.message);
    }

    #[test]
    fn empty_file_gives_defaults() {
        let config = parse("").unwrap();
        assert!(config.images.show_dangling);
        assert_eq!(config.images.sort, SortKey::Name);
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let err = parse("[images]\nshow_dangling = yes\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert_eq!(err.column, Some(17));
        let text = err.to_string();
        assert!(
            text.starts_with("config file /home/u/.config/wharf/config.toml, line 2"),
            "{text}"
        );
    }

    #[test]
    fn unknown_key_is_an_error() {
        let err = parse("[images]\nshow_dangle = true\n").unwrap_err();
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("show_dangle"), "{}", err.message);
    }

    #[test]
    fn keymap_clash_is_reported_with_its_line() {
        let err = parse("[keys.global]\n\"s\" = \"refresh\"\n").unwrap_err();
        assert!(
            err.message.contains("refresh") && err.message.contains("sort"),
            "{}",
            err.message
        );
        assert_eq!(err.line, Some(2));
    }

    #[test]
    fn missing_explicit_file_is_an_error() {
        let err = Config::load(Some(Path::new("/nonexistent/wharf.toml"))).unwrap_err();
        assert!(err.message.contains("cannot read"), "{err}");
    }

    #[test]
    fn example_config_is_valid() {
        let text = include_str!("../../config.example.toml");
        parse(text).unwrap();
    }
}
