//! The `:` command line (k9s style): a line editor, the table of commands, Tab completion
//! and history.

use super::Pane;
use crate::model::line_editor::LineEditor;

/// A command the user typed, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Quit,
    Help,
    Focus(Pane),
    /// Opens the commit form for a container, filled in.
    Commit {
        container: String,
        reference: String,
    },
    Pull(String),
    Tag {
        source: String,
        target: String,
    },
    Push(String),
    Remove {
        name: String,
        force: bool,
    },
    /// Opens the import form, with what was given filled in.
    Import {
        path: Option<String>,
        reference: Option<String>,
    },
    Login(Option<String>),
    Logout(String),
    /// Opens a repository's tags.
    Repository(String),
    /// Lists a registry's repositories.
    Registry(String),
    /// Remote engines: the contexts popup, or a switch to the named context.
    Context(Option<String>),
    /// files view: an image, a saved archive or a remote tag, and a platform to pick.
    Files {
        target: String,
        platform: Option<String>,
    },
    /// Searches Docker Hub.
    Search(String),
    // workflow: run, logs, lifecycle, shell, local registry
    /// `:run` alone opens the form; with a complete line it runs at once.
    Run(Option<Box<crate::run_spec::RunSpec>>),
    /// Opens a container's logs.
    Logs(String),
    /// Start, stop, restart, pause, unpause or kill containers (none named: the marked or
    /// selected ones).
    Lifecycle {
        action: crate::docker::LifecycleAction,
        names: Vec<String>,
    },
    Rename {
        old: String,
        new: String,
    },
    /// `:deploy-registry [PORT] [DIR]`, checked.
    DeployRegistry {
        port: u16,
        data_dir: std::path::PathBuf,
    },
    /// A session in a running container; no command: its shell.
    Exec {
        container: String,
        command: Vec<String>,
    },
    // workflow: `:info`
    /// What the engine says about itself, its registry settings above all.
    Info,
    /// `:rm [-f] [-v] [NAME…]`.
    RemoveContainers {
        force: bool,
        volumes: bool,
        names: Vec<String>,
    },
}

/// One entry of the command table; the help overlay lists these.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandSpec {
    pub name: &'static str,
    pub aliases: &'static [&'static str],
    pub usage: &'static str,
    pub help: &'static str,
    /// What Tab completes in its arguments.
    pub names: Names,
}

/// The names a command's arguments take, for Tab completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Names {
    /// Nothing wharf knows a list of (flags, paths, ports, new names).
    Nothing,
    /// Every argument is a container.
    Containers,
    /// The first argument is a container; what follows is something else.
    FirstContainer,
    /// Every argument is an image reference.
    Images,
    /// A docker context.
    Contexts,
}

/// Every command, in the order help lists them.
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "quit",
        aliases: &["q", "q!"],
        usage: "",
        help: "quit wharf",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "help",
        aliases: &["h"],
        usage: "",
        help: "show the keys and commands",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "images",
        aliases: &["img"],
        usage: "",
        help: "go to the images pane",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "layers",
        aliases: &["history"],
        usage: "",
        help: "go to the layers pane",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "containers",
        aliases: &["ps"],
        usage: "",
        help: "go to the containers pane",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "tags",
        aliases: &[],
        usage: "",
        help: "go to the remote tags pane",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "jobs",
        aliases: &[],
        usage: "",
        help: "go to the jobs pane",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "commit",
        aliases: &[],
        usage: "CONTAINER REPOSITORY:TAG",
        help: "commit a container to a new image (opens the form)",
        names: Names::FirstContainer,
    },
    CommandSpec {
        name: "repo",
        aliases: &["repository"],
        usage: "REPOSITORY",
        help: "show a remote repository's tags",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "registry",
        aliases: &["catalog"],
        usage: "HOST",
        help: "list the repositories of a registry",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "pull",
        aliases: &[],
        usage: "REFERENCE",
        help: "pull an image",
        names: Names::Images,
    },
    CommandSpec {
        name: "tag",
        aliases: &[],
        usage: "SOURCE TARGET",
        help: "give an image another name",
        names: Names::Images,
    },
    CommandSpec {
        name: "push",
        aliases: &[],
        usage: "REFERENCE",
        help: "push a local tag to its registry",
        names: Names::Images,
    },
    CommandSpec {
        name: "rmi",
        aliases: &[],
        usage: "[-f] REFERENCE|ID",
        help: "remove a tag or an image (asks first)",
        names: Names::Images,
    },
    CommandSpec {
        name: "import",
        aliases: &[],
        usage: "[PATH [REPOSITORY:TAG]]",
        help: "import a rootfs tarball (opens the form)",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "login",
        aliases: &[],
        usage: "[REGISTRY]",
        help: "log in to a registry",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "logout",
        aliases: &[],
        usage: "REGISTRY",
        help: "erase the stored credentials of a registry",
        names: Names::Nothing,
    },
    // Remote engines and contexts.
    CommandSpec {
        name: "context",
        aliases: &["ctx"],
        usage: "[NAME]",
        help: "docker contexts; with NAME, switch to it",
        names: Names::Contexts,
    },
    // files view (issue 10)
    CommandSpec {
        name: "files",
        aliases: &["dive"],
        usage: "REF|PATH [OS/ARCH]",
        help: "layers and files of an image, archive or tag",
        names: Names::Images,
    },
    // Registries people use: Docker Hub search (`:registry docker.io/NAMESPACE` lists a
    // Hub namespace).
    CommandSpec {
        name: "search",
        aliases: &[],
        usage: "TERM",
        help: "search Docker Hub",
        names: Names::Nothing,
    },
    // workflow: run, logs, lifecycle, shell, local registry
    CommandSpec {
        name: "run",
        aliases: &[],
        usage: "[FLAGS] IMAGE [CMD…]",
        help: "run a container (alone: the form)",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "logs",
        aliases: &[],
        usage: "CONTAINER",
        help: "show a container's logs, following live",
        names: Names::Containers,
    },
    CommandSpec {
        name: "start",
        aliases: &[],
        usage: "[CONTAINER…]",
        help: "start containers (none: marked or selected)",
        names: Names::Containers,
    },
    CommandSpec {
        name: "stop",
        aliases: &[],
        usage: "[-t SECONDS] [CONTAINER…]",
        help: "stop containers (-t: seconds before SIGKILL)",
        names: Names::Containers,
    },
    CommandSpec {
        name: "restart",
        aliases: &[],
        usage: "[-t SECONDS] [CONTAINER…]",
        help: "restart containers",
        names: Names::Containers,
    },
    CommandSpec {
        name: "pause",
        aliases: &[],
        usage: "[CONTAINER…]",
        help: "pause containers",
        names: Names::Containers,
    },
    CommandSpec {
        name: "unpause",
        aliases: &[],
        usage: "[CONTAINER…]",
        help: "unpause containers",
        names: Names::Containers,
    },
    CommandSpec {
        name: "kill",
        aliases: &[],
        usage: "[-s SIGNAL] [CONTAINER…]",
        help: "kill containers (SIGKILL, or -s SIGNAL)",
        names: Names::Containers,
    },
    CommandSpec {
        name: "deploy-registry",
        aliases: &[],
        usage: "[PORT] [DIR]",
        help: "run a local registry, open its catalog",
        names: Names::Nothing,
    },
    CommandSpec {
        name: "exec",
        aliases: &["sh", "shell"],
        usage: "CONTAINER [CMD…]",
        help: "a shell (or CMD) in a running container",
        names: Names::FirstContainer,
    },
    CommandSpec {
        name: "rename",
        aliases: &[],
        usage: "OLD NEW",
        help: "rename a container",
        names: Names::FirstContainer,
    },
    CommandSpec {
        name: "rm",
        aliases: &[],
        usage: "[-f] [-v] [CONTAINER…]",
        help: "remove containers (asks; -f forces, -v volumes)",
        names: Names::Containers,
    },
    // workflow: `:info`
    CommandSpec {
        name: "info",
        aliases: &[],
        usage: "",
        help: "the engine: insecure registries, mirrors",
        names: Names::Nothing,
    },
];

/// Parses a command line (without the leading `:`).
/// `:stop [-t SECONDS] [CONTAINER…]`, `:restart [-t SECONDS] …`, `:kill [-s SIGNAL] …`
/// and the flagless others, with the docker CLI's spellings (`-t 5`, `--time=5`,
/// `--timeout 5`, `-s HUP`, `--signal=SIGHUP`).
fn lifecycle(
    command: &str,
    args: &[&str],
) -> Result<(crate::docker::LifecycleAction, Vec<String>), String> {
    use crate::docker::LifecycleAction as A;
    let (flags, value_flag): (&[&str], _) = match command {
        "stop" | "restart" => (&["-t", "--time", "--timeout"], "-t SECONDS"),
        "kill" => (&["-s", "--signal"], "-s SIGNAL"),
        _ => (&[], ""),
    };
    let mut value: Option<String> = None;
    let mut names = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        if !word.starts_with('-') {
            names.push(word.to_string());
            continue;
        }
        let (flag, inline) = match word.split_once('=') {
            Some((flag, inline)) => (flag, Some(inline)),
            None => (*word, None),
        };
        if !flags.contains(&flag) {
            return Err(if flags.is_empty() {
                format!(":{command} takes no flags, only container names")
            } else {
                format!("unknown flag \"{word}\"; :{command} takes {value_flag}")
            });
        }
        match inline.or_else(|| words.next().copied()) {
            Some(given) => value = Some(given.to_string()),
            None => return Err(format!("{flag} needs a value: :{command} {value_flag}")),
        }
    }
    let timeout = |value: Option<String>| -> Result<Option<u32>, String> {
        value
            .map(|v| {
                v.parse::<u32>()
                    .map_err(|_| format!("-t takes whole seconds (0 kills at once), not \"{v}\""))
            })
            .transpose()
    };
    let action = match command {
        "start" => A::Start,
        "stop" => A::Stop {
            timeout: timeout(value)?,
        },
        "restart" => A::Restart {
            timeout: timeout(value)?,
        },
        "pause" => A::Pause,
        "unpause" => A::Unpause,
        _ => {
            if let Some(signal) = &value
                && !signal
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+')
            {
                return Err(format!(
                    "-s takes a signal name or number (HUP, SIGTERM, 9), not \"{signal}\""
                ));
            }
            A::Kill { signal: value }
        }
    };
    Ok((action, names))
}

/// A command by its name or one of its aliases (lower case).
fn find_spec(name: &str) -> Option<&'static CommandSpec> {
    COMMANDS
        .iter()
        .find(|c| c.name == name || c.aliases.contains(&name))
}

pub fn parse(text: &str) -> Result<Command, String> {
    let words = split_words(text)?;
    let mut words = words.iter().map(String::as_str);
    let Some(name) = words.next() else {
        return Err("type a command; Tab completes, :help lists them".to_string());
    };
    let name = name.to_lowercase();
    let spec = find_spec(&name)
        .ok_or_else(|| format!("unknown command \"{name}\"; :help lists the commands"))?;
    let args: Vec<&str> = words.collect();
    let one_arg = |make: fn(String) -> Command| match args.as_slice() {
        [value] => Ok(make(value.to_string())),
        _ => Err(format!("usage: :{} {}", spec.name, spec.usage)),
    };
    let no_args = |command: Command| {
        if args.is_empty() {
            Ok(command)
        } else {
            Err(format!(":{} takes no arguments", spec.name))
        }
    };
    match spec.name {
        "quit" => no_args(Command::Quit),
        "help" => no_args(Command::Help),
        "images" => no_args(Command::Focus(Pane::Images)),
        "layers" => no_args(Command::Focus(Pane::Layers)),
        "containers" => no_args(Command::Focus(Pane::Containers)),
        "tags" => no_args(Command::Focus(Pane::Tags)),
        "jobs" => no_args(Command::Focus(Pane::Jobs)),
        "pull" => one_arg(Command::Pull),
        "repo" => one_arg(Command::Repository),
        "registry" => one_arg(Command::Registry),
        // Registries people use: Docker Hub search (several words are one term).
        "search" if !args.is_empty() => Ok(Command::Search(args.join(" "))),
        "search" => Err(format!("usage: :search {}", spec.usage)),
        "push" => one_arg(Command::Push),
        "rmi" => match args.as_slice() {
            ["-f" | "--force"] => Err(format!("usage: :rmi {}", spec.usage)),
            [name] => Ok(Command::Remove {
                name: name.to_string(),
                force: false,
            }),
            ["-f" | "--force", name] | [name, "-f" | "--force"] => Ok(Command::Remove {
                name: name.to_string(),
                force: true,
            }),
            _ => Err(format!("usage: :rmi {}", spec.usage)),
        },
        "logout" => one_arg(Command::Logout),
        "context" => match args.as_slice() {
            [] => Ok(Command::Context(None)),
            [name] => Ok(Command::Context(Some(name.to_string()))),
            _ => Err(format!("usage: :context {}", spec.usage)),
        },
        "login" => match args.as_slice() {
            [] => Ok(Command::Login(None)),
            [registry] => Ok(Command::Login(Some(registry.to_string()))),
            _ => Err(format!("usage: :login {}", spec.usage)),
        },
        "tag" => match args.as_slice() {
            [source, target] => Ok(Command::Tag {
                source: source.to_string(),
                target: target.to_string(),
            }),
            _ => Err(format!("usage: :tag {}", spec.usage)),
        },
        "import" => match args.as_slice() {
            [] => Ok(Command::Import {
                path: None,
                reference: None,
            }),
            [path] => Ok(Command::Import {
                path: Some(path.to_string()),
                reference: None,
            }),
            [path, reference] => Ok(Command::Import {
                path: Some(path.to_string()),
                reference: Some(reference.to_string()),
            }),
            _ => Err(format!("usage: :import {}", spec.usage)),
        },
        "commit" => match args.as_slice() {
            [container, reference] => Ok(Command::Commit {
                container: container.to_string(),
                reference: reference.to_string(),
            }),
            _ => Err(format!("usage: :commit {}", spec.usage)),
        },
        "files" => match args.as_slice() {
            [target] => Ok(Command::Files {
                target: target.to_string(),
                platform: None,
            }),
            [target, platform] => Ok(Command::Files {
                target: target.to_string(),
                platform: Some(platform.to_string()),
            }),
            _ => Err(format!("usage: :files {}", spec.usage)),
        },
        // workflow
        "logs" => one_arg(Command::Logs),
        "info" => no_args(Command::Info),
        "start" | "stop" | "restart" | "pause" | "unpause" | "kill" => {
            lifecycle(spec.name, &args).map(|(action, names)| Command::Lifecycle { action, names })
        }
        "deploy-registry" => crate::local_registry::LocalRegistryPlan::from_args(
            &args,
            crate::local_registry::LocalRegistryPlan::default_data_dir(),
        )
        .map(|plan| Command::DeployRegistry {
            port: plan.port,
            data_dir: plan.data_dir,
        }),
        "exec" => match args.split_first() {
            Some((container, command)) => Ok(Command::Exec {
                container: container.to_string(),
                command: command.iter().map(|w| w.to_string()).collect(),
            }),
            None => Err(format!("usage: :exec {}", spec.usage)),
        },
        "rename" => match args.as_slice() {
            [old, new] => Ok(Command::Rename {
                old: old.to_string(),
                new: new.to_string(),
            }),
            _ => Err(format!("usage: :rename {}", spec.usage)),
        },
        "rm" => {
            let (mut force, mut volumes, mut names) = (false, false, Vec::new());
            for arg in &args {
                match *arg {
                    "-f" | "--force" => force = true,
                    "-v" | "--volumes" => volumes = true,
                    "-fv" | "-vf" => (force, volumes) = (true, true),
                    flag if flag.starts_with('-') => {
                        return Err(format!(
                            "unknown flag \"{flag}\"; usage: :rm {}",
                            spec.usage
                        ));
                    }
                    name => names.push(name.to_string()),
                }
            }
            Ok(Command::RemoveContainers {
                force,
                volumes,
                names,
            })
        }
        "run" if args.is_empty() => Ok(Command::Run(None)),
        "run" => crate::run_spec::parse_run_args(&args, &crate::run_spec::ProcessHost)
            .map(|spec| Command::Run(Some(Box::new(spec)))),
        other => Err(format!(":{other} is not available yet")),
    }
}

/// Splits a command line into words as a shell would for the simple cases: spaces separate,
/// `"…"` and `'…'` quote (a path with spaces), a backslash escapes the next character.
pub(crate) fn split_words(text: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => words.extend(word.take()),
            '"' | '\'' => {
                let quoted = word.get_or_insert_with(String::new);
                loop {
                    match chars.next() {
                        Some(end) if end == c => break,
                        Some('\\') if c == '"' => quoted.extend(chars.next()),
                        Some(inner) => quoted.push(inner),
                        None => return Err(format!("a {c} quote is not closed")),
                    }
                }
            }
            '\\' => word.get_or_insert_with(String::new).extend(chars.next()),
            c => word.get_or_insert_with(String::new).push(c),
        }
    }
    words.extend(word);
    Ok(words)
}

/// The names Tab can complete arguments with: what the panes list now.
#[derive(Debug, Clone, Copy, Default)]
pub struct KnownNames<'a> {
    pub containers: &'a [crate::docker::ContainerRecord],
    pub images: &'a [crate::docker::ImageRecord],
    pub contexts: &'a [String],
}

impl KnownNames<'_> {
    fn for_argument(&self, names: Names, position: usize) -> Vec<&str> {
        let containers = || self.containers.iter().map(|c| c.name.as_str()).collect();
        match (names, position) {
            (Names::Containers, _) | (Names::FirstContainer, 0) => containers(),
            (Names::Images, _) => self
                .images
                .iter()
                .flat_map(|i| i.repo_tags.iter().map(String::as_str))
                .filter(|tag| !tag.starts_with("<none>"))
                .collect(),
            (Names::Contexts, _) => self.contexts.iter().map(String::as_str).collect(),
            (Names::Nothing | Names::FirstContainer, _) => Vec::new(),
        }
    }
}

/// Completes the word at the end of the line: the command name, or an argument from the
/// names the command takes (containers, images). Returns the new text and the candidates
/// when more than one fits.
pub fn complete(text: &str, known: &KnownNames) -> (String, Vec<String>) {
    let Some((command, rest)) = text.split_once(char::is_whitespace) else {
        let prefix = text.to_lowercase();
        let candidates: Vec<&str> = COMMANDS
            .iter()
            .map(|c| c.name)
            .filter(|n| n.starts_with(&prefix))
            .collect();
        return completed("", text, candidates);
    };
    let Some(spec) = find_spec(&command.to_lowercase()) else {
        return (text.to_string(), Vec::new());
    };
    // The word being typed is what follows the last blank ("" right after one).
    let word_start = text.len()
        - text
            .chars()
            .rev()
            .take_while(|c| !c.is_whitespace())
            .map(char::len_utf8)
            .sum::<usize>();
    let (before, word) = text.split_at(word_start);
    let position = rest[..rest.len() - word.len()].split_whitespace().count();
    let mut candidates: Vec<&str> = known
        .for_argument(spec.names, position)
        .into_iter()
        .filter(|name| name.starts_with(word))
        .collect();
    candidates.sort_unstable();
    candidates.dedup();
    completed(before, word, candidates)
}

/// Whether Tab at the end of `text` would complete a docker context (`:context NA`).
pub fn takes_contexts(text: &str) -> bool {
    text.split_once(char::is_whitespace)
        .and_then(|(command, _)| find_spec(&command.to_lowercase()))
        .is_some_and(|spec| spec.names == Names::Contexts)
}

/// `before` followed by the one candidate and a blank, or by what all candidates share.
fn completed(before: &str, word: &str, candidates: Vec<&str>) -> (String, Vec<String>) {
    match candidates.as_slice() {
        [] => (format!("{before}{word}"), Vec::new()),
        [only] => (format!("{before}{only} "), Vec::new()),
        many => (
            format!("{before}{}", common_prefix(many)),
            candidates.iter().map(|c| c.to_string()).collect(),
        ),
    }
}

fn common_prefix(words: &[&str]) -> String {
    let first = words[0];
    let mut end = first.len();
    for w in &words[1..] {
        end = end.min(
            first
                .char_indices()
                .zip(w.chars())
                .find(|((_, a), b)| a != b)
                .map_or(first.len().min(w.len()), |((i, _), _)| i),
        );
    }
    first[..end].to_string()
}

/// How many commands the history keeps.
const HISTORY_LEN: usize = 100;

/// Lines entered before, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandHistory {
    entries: Vec<String>,
}

impl CommandHistory {
    pub fn push(&mut self, line: &str) {
        let line = line.trim();
        if line.is_empty() || self.entries.last().is_some_and(|l| l == line) {
            return;
        }
        self.entries.push(line.to_string());
        if self.entries.len() > HISTORY_LEN {
            self.entries.remove(0);
        }
    }
}

/// The open command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandLine {
    pub editor: LineEditor,
    /// Position in the history while browsing with Up/Down (0 = newest).
    browsing: Option<usize>,
    /// What was typed before browsing started.
    draft: String,
    /// Candidates of the last Tab, or an error from the last Enter.
    pub message: Option<String>,
}

impl CommandLine {
    /// Up: an older line.
    pub fn older(&mut self, history: &CommandHistory) {
        let next = self.browsing.map_or(0, |i| i + 1);
        if next >= history.entries.len() {
            return;
        }
        if self.browsing.is_none() {
            self.draft = self.editor.text().to_string();
        }
        self.browsing = Some(next);
        let line = &history.entries[history.entries.len() - 1 - next];
        self.editor.set_text(line);
    }

    /// Down: a newer line, then back to the draft.
    pub fn newer(&mut self, history: &CommandHistory) {
        match self.browsing {
            None => {}
            Some(0) => {
                self.browsing = None;
                let draft = std::mem::take(&mut self.draft);
                self.editor.set_text(&draft);
            }
            Some(i) => {
                self.browsing = Some(i - 1);
                let line = &history.entries[history.entries.len() - i];
                self.editor.set_text(line);
            }
        }
    }

    /// Tab.
    pub fn complete(&mut self, known: &KnownNames) {
        let (text, candidates) = complete(self.editor.text(), known);
        self.editor.set_text(&text);
        self.message = (!candidates.is_empty()).then(|| candidates.join("  "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_commands_and_aliases() {
        assert_eq!(parse("q"), Ok(Command::Quit));
        assert_eq!(parse("  quit "), Ok(Command::Quit));
        assert_eq!(parse("IMAGES"), Ok(Command::Focus(Pane::Images)));
        assert_eq!(parse("layers"), Ok(Command::Focus(Pane::Layers)));
        assert!(parse("frobnicate").unwrap_err().contains("unknown command"));
        assert!(parse("help me").unwrap_err().contains("no arguments"));
        assert!(parse("").is_err());
        assert_eq!(
            parse("commit web-1 app:2"),
            Ok(Command::Commit {
                container: "web-1".into(),
                reference: "app:2".into()
            })
        );
        assert!(
            parse("commit web-1")
                .unwrap_err()
                .starts_with("usage: :commit")
        );
    }

    #[test]
    fn quotes_and_backslashes_keep_spaces_in_a_word() {
        let import = |path: &str, reference: &str| {
            Ok(Command::Import {
                path: Some(path.into()),
                reference: Some(reference.into()),
            })
        };
        assert_eq!(
            parse(r#"import "/tmp/dir with space/my rootfs.tar" qa/imp:1"#),
            import("/tmp/dir with space/my rootfs.tar", "qa/imp:1")
        );
        assert_eq!(
            parse(r"import /tmp/dir\ with\ space/my\ rootfs.tar qa/imp:1"),
            import("/tmp/dir with space/my rootfs.tar", "qa/imp:1")
        );
        assert_eq!(
            parse(r#"import '/tmp/it"s.tar' qa/imp:1"#),
            import(r#"/tmp/it"s.tar"#, "qa/imp:1")
        );
        assert_eq!(
            parse(r#"import /tmp/a""b.tar qa/imp:1"#),
            import("/tmp/ab.tar", "qa/imp:1")
        );
        assert_eq!(
            parse(r#"import "/tmp/open.tar qa/imp:1"#),
            Err("a \" quote is not closed".to_string())
        );
    }

    #[test]
    fn bare_import_opens_the_form_and_a_lone_force_flag_is_no_name() {
        assert_eq!(
            parse("import"),
            Ok(Command::Import {
                path: None,
                reference: None
            })
        );
        assert!(parse("rmi -f").unwrap_err().starts_with("usage: :rmi"));
        assert_eq!(
            parse("rmi -f app:1"),
            Ok(Command::Remove {
                name: "app:1".into(),
                force: true
            })
        );
    }

    #[test]
    fn tab_completes_unique_and_common_prefixes() {
        let none = KnownNames::default();
        let complete = |text: &str| complete(text, &none);
        assert_eq!(complete("ima"), ("images ".to_string(), vec![]));
        assert_eq!(
            complete("im"),
            ("im".to_string(), vec!["images".into(), "import".into()])
        );
        let (text, candidates) = complete("");
        assert_eq!(text, "");
        assert_eq!(candidates.len(), COMMANDS.len());
        assert_eq!(complete("zz"), ("zz".to_string(), vec![]));
        assert_eq!(common_prefix(&["layers", "later"]), "la");
    }

    #[test]
    fn tab_completes_container_and_image_arguments() {
        use crate::docker::{ContainerId, ContainerRecord, ContainerState, ImageId, ImageRecord};
        let container = |name: &str| ContainerRecord {
            id: ContainerId(format!("id-{name}")),
            name: name.into(),
            image: "app:1".into(),
            image_id: ImageId("sha256:1".into()),
            command: "sh".into(),
            created: 0,
            state: ContainerState::Running,
            status: "Up".into(),
            listed_at: 0,
            ports: Vec::new(),
        };
        let containers = [container("web-1"), container("web-2"), container("db")];
        let images = [ImageRecord {
            id: ImageId("sha256:1".into()),
            repo_tags: vec!["app:1".into(), "app:2".into(), "<none>:<none>".into()],
            repo_digests: Vec::new(),
            created: 0,
            size: 0,
        }];
        let contexts = ["default".to_string(), "lab".to_string()];
        let known = KnownNames {
            containers: &containers,
            images: &images,
            contexts: &contexts,
        };
        let complete = |text: &str| complete(text, &known);
        assert_eq!(complete("stop d"), ("stop db ".to_string(), vec![]));
        assert_eq!(
            complete("stop db w"),
            (
                "stop db web-".to_string(),
                vec!["web-1".into(), "web-2".into()]
            )
        );
        // An alias, and the image list for image commands.
        assert_eq!(complete("dive app:2"), ("dive app:2 ".to_string(), vec![]));
        assert_eq!(complete("rmi a").1, vec!["app:1", "app:2"]);
        // Only the first argument of :exec is a container; then comes its command.
        assert_eq!(complete("exec we").0, "exec web-");
        assert_eq!(complete("exec db s"), ("exec db s".to_string(), vec![]));
        // Commands whose arguments wharf has no list of, and unknown commands, keep the text.
        assert_eq!(complete("import ./a"), ("import ./a".to_string(), vec![]));
        assert_eq!(complete("nosuch x"), ("nosuch x".to_string(), vec![]));
        assert_eq!(complete("ctx l"), ("ctx lab ".to_string(), vec![]));
        assert!(takes_contexts("context ") && takes_contexts("ctx la"));
        assert!(!takes_contexts("context") && !takes_contexts("stop x"));
    }

    #[test]
    fn history_browses_back_and_returns_to_the_draft() {
        let mut history = CommandHistory::default();
        history.push("images");
        history.push("layers");
        history.push("layers");
        let mut line = CommandLine::default();
        line.editor.set_text("he");
        line.older(&history);
        assert_eq!(line.editor.text(), "layers");
        line.older(&history);
        assert_eq!(line.editor.text(), "images");
        line.older(&history);
        assert_eq!(line.editor.text(), "images", "stops at the oldest");
        line.newer(&history);
        assert_eq!(line.editor.text(), "layers");
        line.newer(&history);
        assert_eq!(line.editor.text(), "he");
    }
}
