//! `docker run` as data: [`RunSpec`] holds what a `:run [FLAGS] IMAGE [CMD…]` line or the
//! run form asks for; [`parse_run_args`] reads the line's words with the docker CLI's flag
//! syntax; [`RunSpec::to_args`] writes them back. Pure: the engine call that creates the
//! container from a spec lives in `docker/run.rs`.
//!
//! The parser takes words already split with the shell's quoting rules (the `:` command line
//! splits them; a form has one field per value), so quoting errors are the splitter's.

mod parse;
mod ports;
mod volumes;

use std::borrow::Cow;
use std::fmt;
use std::path::PathBuf;

pub use parse::{RUN_USAGE, parse_run_args};
pub use ports::{HostPorts, PortPublish, Protocol, parse_publish};
pub use volumes::{MountSource, VolumeMount, parse_volume};

/// What a new container should be: image, command and the common `docker run` options.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RunSpec {
    /// The image reference or ID.
    pub image: String,
    /// Arguments after the image; empty keeps the image's own CMD.
    pub command: Vec<String>,
    /// `--name`; `None` lets the engine make one up.
    pub name: Option<String>,
    /// `-p`: one entry per published container port.
    pub publish: Vec<PortPublish>,
    /// `-v`.
    pub volumes: Vec<VolumeMount>,
    /// `-e`: `NAME=value`, or a bare `NAME` (unset in the container) when wharf's own
    /// environment has no such variable, as the docker CLI passes it.
    pub env: Vec<String>,
    /// `--restart`.
    pub restart: RestartPolicy,
    /// `-w`: an absolute path in the container.
    pub workdir: Option<String>,
    /// `-u`: `user`, `uid`, `user:group`.
    pub user: Option<String>,
    /// `--entrypoint`; `Some("")` clears the image's entrypoint.
    pub entrypoint: Option<String>,
    /// `--rm`: the engine removes the container when it stops.
    pub remove_on_exit: bool,
    /// `-i`: keep stdin open.
    pub interactive: bool,
    /// `-t`: give the container a terminal.
    pub tty: bool,
    /// `-d`: do not attach even with `-i`/`-t`.
    pub detach: bool,
}

/// `--restart`: what the engine does when the container stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RestartPolicy {
    #[default]
    No,
    Always,
    UnlessStopped,
    /// Restart after a non-zero exit, at most `max_retries` times (`None`: no limit).
    OnFailure {
        max_retries: Option<u32>,
    },
}

impl RestartPolicy {
    /// `no`, `always`, `unless-stopped`, `on-failure`, `on-failure:N`.
    pub fn parse(text: &str) -> Result<RestartPolicy, String> {
        let (name, count) = match text.split_once(':') {
            Some((name, count)) => (name, Some(count)),
            None => (text, None),
        };
        let policy = match name {
            "no" | "" => RestartPolicy::No,
            "always" => RestartPolicy::Always,
            "unless-stopped" => RestartPolicy::UnlessStopped,
            "on-failure" => {
                let max_retries = match count {
                    None => None,
                    Some(count) => Some(count.parse::<u32>().map_err(|_| {
                        format!("bad restart policy \"{text}\": \"{count}\" is not a retry count")
                    })?),
                };
                return Ok(RestartPolicy::OnFailure { max_retries });
            }
            _ => {
                return Err(format!(
                    "bad restart policy \"{text}\": use no, always, unless-stopped or on-failure[:N]"
                ));
            }
        };
        match count {
            Some(_) => Err(format!(
                "bad restart policy \"{text}\": only on-failure takes a retry count"
            )),
            None => Ok(policy),
        }
    }

    /// The engine's name for the policy.
    pub fn name(self) -> &'static str {
        match self {
            RestartPolicy::No => "no",
            RestartPolicy::Always => "always",
            RestartPolicy::UnlessStopped => "unless-stopped",
            RestartPolicy::OnFailure { .. } => "on-failure",
        }
    }
}

impl fmt::Display for RestartPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RestartPolicy::OnFailure {
                max_retries: Some(n),
            } => write!(f, "on-failure:{n}"),
            other => f.write_str(other.name()),
        }
    }
}

/// What the parser needs from the machine wharf runs on: the environment (`-e NAME` takes
/// wharf's value, `~` is `$HOME`) and the working directory (`-v ./data:/data`).
pub trait HostContext {
    fn var(&self, name: &str) -> Option<String>;
    fn current_dir(&self) -> Option<PathBuf>;
}

/// wharf's own process environment and working directory.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProcessHost;

impl HostContext for ProcessHost {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok()
    }

    fn current_dir(&self) -> Option<PathBuf> {
        std::env::current_dir().ok()
    }
}

/// Parses one `-e` value: `NAME=value` as given; a bare `NAME` takes wharf's value, or stays
/// bare (the variable is unset in the container) when wharf has none, as with docker.
pub fn parse_env(text: &str, host: &dyn HostContext) -> Result<String, String> {
    let (name, value) = match text.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (text, None),
    };
    if name.is_empty() {
        return Err(format!(
            "bad environment variable \"{text}\": the name before = is empty"
        ));
    }
    if name.chars().any(char::is_whitespace) {
        return Err(format!(
            "bad environment variable \"{text}\": the name has a space in it"
        ));
    }
    Ok(match (value, host.var(name)) {
        (Some(_), _) => text.to_string(),
        (None, Some(value)) => format!("{name}={value}"),
        (None, None) => name.to_string(),
    })
}

/// Names the engine accepts for containers and volumes: `[a-zA-Z0-9][a-zA-Z0-9_.-]+`.
pub(crate) fn is_restricted_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && name.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

impl RunSpec {
    /// A spec that runs `image` with its own command and nothing else.
    pub fn new(image: impl Into<String>) -> Self {
        RunSpec {
            image: image.into(),
            ..RunSpec::default()
        }
    }

    /// The checks that span fields; [`parse_run_args`] runs them, and a form should too.
    pub fn validate(&self) -> Result<(), String> {
        validate_image(&self.image)?;
        if let Some(name) = &self.name {
            validate_container_name(name)?;
        }
        if let Some(workdir) = &self.workdir
            && !workdir.starts_with('/')
        {
            return Err(format!(
                "bad working directory \"{workdir}\": it must be an absolute path"
            ));
        }
        if self.user.as_deref() == Some("") {
            return Err("the user (-u) is empty".to_string());
        }
        if self.remove_on_exit && self.restart != RestartPolicy::No {
            return Err(format!(
                "--rm and --restart {} cannot go together: a container removed when it stops is never restarted",
                self.restart
            ));
        }
        Ok(())
    }

    /// Whether wharf should attach the terminal after starting (`-it` without `-d`).
    pub fn attaches(&self) -> bool {
        self.interactive && self.tty && !self.detach
    }

    /// The `docker run` arguments (after `run`) that give this spec back.
    pub fn to_args(&self) -> Vec<String> {
        let mut args = Vec::new();
        let mut flag = |name: &str, value: String| {
            args.push(name.to_string());
            args.push(value);
        };
        if let Some(name) = &self.name {
            flag("--name", name.clone());
        }
        for port in &self.publish {
            flag("-p", port.to_string());
        }
        for volume in &self.volumes {
            flag("-v", volume.to_string());
        }
        for env in &self.env {
            flag("-e", env.clone());
        }
        if self.restart != RestartPolicy::No {
            flag("--restart", self.restart.to_string());
        }
        if let Some(workdir) = &self.workdir {
            flag("-w", workdir.clone());
        }
        if let Some(user) = &self.user {
            flag("-u", user.clone());
        }
        if let Some(entrypoint) = &self.entrypoint {
            flag("--entrypoint", entrypoint.clone());
        }
        for (on, switch) in [
            (self.remove_on_exit, "--rm"),
            (self.interactive, "-i"),
            (self.tty, "-t"),
            (self.detach, "-d"),
        ] {
            if on {
                args.push(switch.to_string());
            }
        }
        args.push(self.image.clone());
        args.extend(self.command.iter().cloned());
        args
    }

    /// The line a user would type: `docker run -p 8080:80 'my image'`-style quoting that the
    /// `:` command line splits back into the same words.
    pub fn command_line(&self) -> String {
        let mut line = String::from("docker run");
        for arg in self.to_args() {
            line.push(' ');
            line.push_str(&quote_word(&arg));
        }
        line
    }
}

/// A word quoted for a POSIX shell (and wharf's command line): as is when it is plain,
/// else in single quotes.
pub fn quote_word(word: &str) -> Cow<'_, str> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        return Cow::Borrowed(word);
    }
    Cow::Owned(format!("'{}'", word.replace('\'', r"'\''")))
}

fn validate_image(image: &str) -> Result<(), String> {
    if image.is_empty() {
        return Err("no image given".to_string());
    }
    if let Some(hex) = image.strip_prefix("sha256:")
        && hex.len() == 64
        && hex.chars().all(|c| c.is_ascii_hexdigit())
    {
        return Ok(());
    }
    crate::registry::Reference::parse(image)
        .map(|_| ())
        .map_err(|e| format!("\"{image}\" is not an image name: {e}"))
}

fn validate_container_name(name: &str) -> Result<(), String> {
    if is_restricted_name(name) {
        Ok(())
    } else {
        Err(format!(
            "bad container name \"{name}\": use letters, digits and _ . - (at least two characters, starting with a letter or digit)"
        ))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A machine with a fixed environment and working directory.
    pub(crate) struct FakeHost {
        pub vars: HashMap<String, String>,
    }

    impl Default for FakeHost {
        fn default() -> Self {
            FakeHost {
                vars: [("HOME", "/home/user"), ("EDITOR", "vi")]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            }
        }
    }

    impl HostContext for FakeHost {
        fn var(&self, name: &str) -> Option<String> {
            self.vars.get(name).cloned()
        }

        fn current_dir(&self) -> Option<PathBuf> {
            Some(PathBuf::from("/work/project"))
        }
    }

    #[test]
    fn restart_policies() {
        assert_eq!(RestartPolicy::parse("no"), Ok(RestartPolicy::No));
        assert_eq!(RestartPolicy::parse("always"), Ok(RestartPolicy::Always));
        assert_eq!(
            RestartPolicy::parse("unless-stopped"),
            Ok(RestartPolicy::UnlessStopped)
        );
        assert_eq!(
            RestartPolicy::parse("on-failure"),
            Ok(RestartPolicy::OnFailure { max_retries: None })
        );
        assert_eq!(
            RestartPolicy::parse("on-failure:3"),
            Ok(RestartPolicy::OnFailure {
                max_retries: Some(3)
            })
        );
        assert_eq!(
            RestartPolicy::OnFailure {
                max_retries: Some(3)
            }
            .to_string(),
            "on-failure:3"
        );
        for (text, reason) in [
            ("sometimes", "use no, always"),
            ("always:3", "only on-failure takes a retry count"),
            ("on-failure:x", "\"x\" is not a retry count"),
            ("on-failure:-1", "\"-1\" is not a retry count"),
        ] {
            let err = RestartPolicy::parse(text).unwrap_err();
            assert!(
                err.contains(&format!("\"{text}\"")) && err.contains(reason),
                "{err}"
            );
        }
    }

    #[test]
    fn env_values_and_bare_names() {
        let host = FakeHost::default();
        assert_eq!(parse_env("A=1", &host).unwrap(), "A=1");
        assert_eq!(parse_env("A=", &host).unwrap(), "A=");
        assert_eq!(parse_env("A=b=c", &host).unwrap(), "A=b=c");
        assert_eq!(parse_env("EDITOR", &host).unwrap(), "EDITOR=vi");
        assert_eq!(parse_env("UNSET_HERE", &host).unwrap(), "UNSET_HERE");
        assert!(parse_env("=x", &host).unwrap_err().contains("\"=x\""));
        assert!(parse_env("A B=1", &host).unwrap_err().contains("space"));
    }

    #[test]
    fn names() {
        for good in ["ab", "web-1", "a.b_c", "0x"] {
            assert!(is_restricted_name(good), "{good}");
        }
        for bad in ["", "a", "-ab", ".ab", "a b", "a/b", "ä-b"] {
            assert!(!is_restricted_name(bad), "{bad}");
        }
    }

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(quote_word("8080:80"), "8080:80");
        assert_eq!(quote_word("a b"), "'a b'");
        assert_eq!(quote_word(""), "''");
        assert_eq!(quote_word("it's"), r"'it'\''s'");
        assert_eq!(quote_word("$HOME"), "'$HOME'");
    }

    #[test]
    fn validation_spans_fields() {
        let mut spec = RunSpec::new("busybox");
        assert!(spec.validate().is_ok());
        spec.remove_on_exit = true;
        spec.restart = RestartPolicy::Always;
        assert!(
            spec.validate()
                .unwrap_err()
                .contains("--rm and --restart always")
        );
        let mut spec = RunSpec::new("Busybox");
        assert!(
            spec.validate()
                .unwrap_err()
                .starts_with("\"Busybox\" is not an image name")
        );
        spec.image = format!("sha256:{}", "a".repeat(64));
        assert!(spec.validate().is_ok());
        spec.workdir = Some("tmp".into());
        assert!(spec.validate().unwrap_err().contains("absolute"));
        spec.workdir = None;
        spec.name = Some("a".into());
        assert!(
            spec.validate()
                .unwrap_err()
                .contains("bad container name \"a\"")
        );
    }
}
