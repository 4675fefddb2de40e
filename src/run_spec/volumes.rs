//! `-v/--volume` values, with the docker CLI's grammar on Linux:
//! `[SOURCE:]TARGET[:OPTIONS]` where SOURCE is an absolute host path (a bind mount) or a
//! volume name, and no SOURCE means an anonymous volume.

use std::fmt;
use std::path::{Component, Path, PathBuf};

use super::{HostContext, is_restricted_name};

/// Where a mount's content comes from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MountSource {
    /// An absolute host path, bind-mounted.
    HostPath(String),
    /// A named volume (created by the engine if it does not exist).
    Named(String),
    /// A new volume of its own for this container (`-v /data`).
    Anonymous,
}

/// One `-v` value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct VolumeMount {
    pub source: MountSource,
    /// The absolute path inside the container.
    pub target: String,
    /// `ro`, `rw`, `z`, `nocopy`, `rshared` …, as given.
    pub options: Vec<String>,
}

impl VolumeMount {
    pub fn read_only(&self) -> bool {
        self.options.iter().any(|o| o == "ro")
    }

    /// The engine's `Binds` entry (`/host:/ctr:ro`, `name:/ctr`); anonymous volumes have none
    /// (they are listed in the container's `Volumes` instead).
    pub fn bind(&self) -> Option<String> {
        let source = match &self.source {
            MountSource::HostPath(path) => path,
            MountSource::Named(name) => name,
            MountSource::Anonymous => return None,
        };
        let mut bind = format!("{source}:{}", self.target);
        if !self.options.is_empty() {
            bind.push(':');
            bind.push_str(&self.options.join(","));
        }
        Some(bind)
    }
}

impl fmt::Display for VolumeMount {
    /// The `-v` value: `/host:/ctr:ro`, `name:/ctr`, `/ctr`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.bind() {
            Some(bind) => f.write_str(&bind),
            None => f.write_str(&self.target),
        }
    }
}

/// Mount options by group; at most one of each group may be given.
const OPTION_GROUPS: &[&[&str]] = &[
    &["ro", "rw"],
    &["z", "Z"],
    &[
        "shared", "rshared", "slave", "rslave", "private", "rprivate",
    ],
    &["nocopy"],
    &["consistent", "cached", "delegated"],
];

/// Parses one `-v` value. A source starting with `.` is a path relative to wharf's working
/// directory and `~` is the home directory (what a shell would have expanded).
pub fn parse_volume(text: &str, host: &dyn HostContext) -> Result<VolumeMount, String> {
    let bad = |why: String| format!("bad volume \"{text}\": {why}");
    let parts: Vec<&str> = text.split(':').collect();
    if parts.iter().any(|p| p.is_empty()) {
        return Err(bad("an empty part between colons".into()));
    }
    let (source, target, options) = match parts.as_slice() {
        [target] => (None, *target, None),
        [_, last] if parse_options(last).is_ok() => {
            return Err(bad(format!(
                "\"{last}\" looks like options, which need SOURCE:TARGET before them"
            )));
        }
        [source, target] => (Some(*source), *target, None),
        [source, target, options] => (Some(*source), *target, Some(*options)),
        _ => {
            return Err(bad(
                "too many colons; the form is [SOURCE:]TARGET[:OPTIONS]".into(),
            ));
        }
    };
    if !target.starts_with('/') {
        return Err(bad(format!(
            "the container path \"{target}\" must be absolute"
        )));
    }
    if target == "/" {
        return Err(bad("the container path cannot be /".into()));
    }
    let options = match options {
        Some(options) => parse_options(options).map_err(bad)?,
        None => Vec::new(),
    };
    let source = match source {
        None => MountSource::Anonymous,
        Some(source) => host_source(source, host).map_err(bad)?,
    };
    if source == MountSource::Anonymous && !options.is_empty() {
        return Err(bad("an anonymous volume takes no options".into()));
    }
    Ok(VolumeMount {
        source,
        target: target.to_string(),
        options,
    })
}

fn host_source(source: &str, host: &dyn HostContext) -> Result<MountSource, String> {
    if source.starts_with('/') {
        return Ok(MountSource::HostPath(normalize(Path::new(source))));
    }
    if source == "~" || source.starts_with("~/") {
        let home = host
            .var("HOME")
            .ok_or("~ stands for the home directory, but HOME is not set")?;
        let rest = source.trim_start_matches('~').trim_start_matches('/');
        return Ok(MountSource::HostPath(normalize(
            &Path::new(&home).join(rest),
        )));
    }
    if source.starts_with('.') {
        let cwd = host
            .current_dir()
            .ok_or("a relative path needs wharf's working directory, which is unknown")?;
        return Ok(MountSource::HostPath(normalize(&cwd.join(source))));
    }
    if is_restricted_name(source) {
        return Ok(MountSource::Named(source.to_string()));
    }
    Err(format!(
        "\"{source}\" is neither an absolute host path nor a volume name (letters, digits, _ . -, at least two characters)"
    ))
}

fn parse_options(text: &str) -> Result<Vec<String>, String> {
    let mut seen = [None::<&str>; 5];
    let mut options = Vec::new();
    for option in text.split(',') {
        let Some(group) = OPTION_GROUPS.iter().position(|g| g.contains(&option)) else {
            return Err(format!(
                "unknown option \"{option}\" (ro, rw, z, Z, nocopy, [r]shared, [r]slave, [r]private)"
            ));
        };
        if let Some(earlier) = seen[group] {
            return Err(format!("\"{earlier}\" and \"{option}\" cannot go together"));
        }
        seen[group] = Some(option);
        options.push(option.to_string());
    }
    Ok(options)
}

/// An absolute path with `.` and `..` resolved lexically, as `filepath.Abs` does.
fn normalize(path: &Path) -> String {
    let mut out = PathBuf::from("/");
    for component in path.components() {
        match component {
            Component::Normal(part) => out.push(part),
            Component::ParentDir => {
                out.pop();
            }
            Component::RootDir | Component::CurDir | Component::Prefix(_) => {}
        }
    }
    out.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::super::tests::FakeHost;
    use super::*;

    fn parse(text: &str) -> Result<VolumeMount, String> {
        parse_volume(text, &FakeHost::default())
    }

    #[test]
    fn binds_named_and_anonymous() {
        let bind = parse("/srv/data:/data:ro").unwrap();
        assert_eq!(bind.source, MountSource::HostPath("/srv/data".into()));
        assert!(bind.read_only());
        assert_eq!(bind.bind().as_deref(), Some("/srv/data:/data:ro"));
        let named = parse("cache:/var/cache").unwrap();
        assert_eq!(named.source, MountSource::Named("cache".into()));
        assert!(!named.read_only());
        assert_eq!(named.bind().as_deref(), Some("cache:/var/cache"));
        let anonymous = parse("/scratch").unwrap();
        assert_eq!(anonymous.source, MountSource::Anonymous);
        assert_eq!(anonymous.bind(), None);
        assert_eq!(anonymous.to_string(), "/scratch");
        assert_eq!(
            parse("/a:/b:rw,z,rshared").unwrap().options,
            ["rw", "z", "rshared"]
        );
    }

    #[test]
    fn relative_and_home_paths_are_made_absolute() {
        assert_eq!(
            parse("./data/../logs:/logs").unwrap().source,
            MountSource::HostPath("/work/project/logs".into())
        );
        assert_eq!(
            parse("~/reg:/var/lib/registry").unwrap().source,
            MountSource::HostPath("/home/user/reg".into())
        );
        assert_eq!(
            parse("/srv//x/./y/:/y").unwrap().source,
            MountSource::HostPath("/srv/x/y".into())
        );
    }

    #[test]
    fn bad_values_say_what_is_wrong() {
        for (text, reason) in [
            ("/data:rw", "need SOURCE:TARGET before them"),
            ("/a:data", "container path \"data\" must be absolute"),
            ("/a:/", "cannot be /"),
            ("/a:/b:rx", "unknown option \"rx\""),
            ("/a:/b:ro,rw", "\"ro\" and \"rw\" cannot go together"),
            ("/a:/b:ro:x", "too many colons"),
            ("a b:/b", "neither an absolute host path nor a volume name"),
            ("x:/b", "neither"),
            ("/a::/b", "empty part"),
        ] {
            let err = parse(text).unwrap_err();
            assert!(err.starts_with(&format!("bad volume \"{text}\"")), "{err}");
            assert!(err.contains(reason), "{text}: {err}");
        }
    }
}
