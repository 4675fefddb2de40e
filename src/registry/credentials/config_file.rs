//! `config.json` itself: reading it as JSON that keeps unknown keys in order, finding and
//! writing `auths` entries the way docker does, and replacing the file atomically (0600).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_PAD_INDIFFERENT};
use serde::Serialize;
use serde_json::{Map, Value};

use super::error::CredentialError;
use super::secret::{Credentials, Secret};

/// The docker CLI's config file in its directory.
pub(super) const CONFIG_FILE: &str = "config.json";

/// Which store holds a registry's credentials.
pub(super) enum Store {
    Helper(String),
    File,
}

/// `config.json` as a JSON object, so unknown keys survive a rewrite in their order.
pub(super) struct ConfigFile {
    pub(super) path: PathBuf,
    root: Map<String, Value>,
}

impl ConfigFile {
    /// Reads the file; a missing or empty file is an empty config.
    pub(super) fn load(path: PathBuf) -> Result<ConfigFile, CredentialError> {
        let text = match fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Vec::new(),
            Err(e) => {
                return Err(CredentialError::Read {
                    path,
                    detail: e.to_string(),
                });
            }
        };
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(ConfigFile {
                path,
                root: Map::new(),
            });
        }
        let value: Value = match serde_json::from_slice(&text) {
            Ok(value) => value,
            Err(e) => {
                return Err(CredentialError::Parse {
                    path,
                    detail: e.to_string(),
                });
            }
        };
        match value {
            Value::Object(root) => Ok(ConfigFile { path, root }),
            _ => Err(CredentialError::Shape {
                path,
                detail: "the top level must be a JSON object".into(),
            }),
        }
    }

    fn shape_error(&self, detail: String) -> CredentialError {
        CredentialError::Shape {
            path: self.path.clone(),
            detail,
        }
    }

    pub(super) fn auths(&self) -> Result<Option<&Map<String, Value>>, CredentialError> {
        match self.root.get("auths") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Object(auths)) => Ok(Some(auths)),
            Some(_) => Err(self.shape_error("\"auths\" must be an object".into())),
        }
    }

    pub(super) fn creds_store(&self) -> Result<Option<&str>, CredentialError> {
        match self.root.get("credsStore") {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(self.shape_error("\"credsStore\" must be a string".into())),
        }
    }

    /// `credHelpers[key]`, matching legacy key spellings too.
    fn cred_helper(&self, key: &str) -> Result<Option<&str>, CredentialError> {
        let helpers = match self.root.get("credHelpers") {
            None | Some(Value::Null) => return Ok(None),
            Some(Value::Object(helpers)) => helpers,
            Some(_) => return Err(self.shape_error("\"credHelpers\" must be an object".into())),
        };
        let Some((matched, value)) = find_entry(helpers, key) else {
            return Ok(None);
        };
        match value {
            Value::String(name) if !name.is_empty() => Ok(Some(name)),
            Value::String(_) => Ok(None),
            _ => Err(self.shape_error(format!("\"credHelpers\".{matched:?} must be a string"))),
        }
    }

    /// docker's order: a per-registry helper, else the default store, else the file.
    pub(super) fn store_for(&self, key: &str) -> Result<Store, CredentialError> {
        if let Some(helper) = self.cred_helper(key)? {
            return Ok(Store::Helper(helper.to_owned()));
        }
        if let Some(store) = self.creds_store()? {
            return Ok(Store::Helper(store.to_owned()));
        }
        Ok(Store::File)
    }

    /// Credentials written inline in `auths`.
    pub(super) fn file_credentials(
        &self,
        key: &str,
    ) -> Result<Option<Credentials>, CredentialError> {
        let Some(auths) = self.auths()? else {
            return Ok(None);
        };
        let Some((matched, entry)) = find_entry(auths, key) else {
            return Ok(None);
        };
        let invalid = |detail| CredentialError::InvalidEntry {
            path: self.path.clone(),
            key: matched.to_owned(),
            detail,
        };
        let Value::Object(entry) = entry else {
            return Err(invalid("must be an object"));
        };
        let field = |name: &str| entry.get(name).and_then(Value::as_str).unwrap_or("");
        let (username, password) = if field("auth").is_empty() {
            (field("username").to_owned(), field("password").to_owned())
        } else {
            let decoded = STANDARD_PAD_INDIFFERENT
                .decode(field("auth").trim())
                .map_err(|_| invalid("has an \"auth\" value that is not valid base64"))?;
            let decoded = String::from_utf8(decoded)
                .map_err(|_| invalid("has an \"auth\" value that is not UTF-8"))?;
            let (username, password) = decoded
                .split_once(':')
                .ok_or_else(|| invalid("has an \"auth\" value without \"user:password\""))?;
            (username.to_owned(), password.to_owned())
        };
        let token = field("identitytoken");
        if !token.is_empty() {
            return Ok(Some(Credentials::identity_token(username, token)));
        }
        if username.is_empty() && password.is_empty() {
            return Ok(None);
        }
        Ok(Some(Credentials::password(username, password)))
    }

    fn auths_mut(&mut self) -> Result<&mut Map<String, Value>, CredentialError> {
        let path = self.path.clone();
        let auths = self
            .root
            .entry("auths")
            .or_insert_with(|| Value::Object(Map::new()));
        if auths.is_null() {
            *auths = Value::Object(Map::new());
        }
        auths.as_object_mut().ok_or(CredentialError::Shape {
            path,
            detail: "\"auths\" must be an object".into(),
        })
    }

    /// Sets `auths[key]`, keeping its position when it exists.
    pub(super) fn set_auth_entry(
        &mut self,
        key: &str,
        entry: Map<String, Value>,
    ) -> Result<(), CredentialError> {
        self.auths_mut()?
            .insert(key.to_owned(), Value::Object(entry));
        Ok(())
    }

    /// Removes every `auths` entry for the registry; true if any was there.
    pub(super) fn remove_auth_entries(&mut self, key: &str) -> Result<bool, CredentialError> {
        if self.auths()?.is_none() {
            return Ok(false);
        }
        let auths = self.auths_mut()?;
        let before = auths.len();
        let host = hostname_of(key);
        auths.retain(|k, _| hostname_of(k) != host);
        Ok(auths.len() != before)
    }

    /// Sets or removes `currentContext`; an existing key keeps its place.
    pub(super) fn set_current_context(&mut self, name: Option<&str>) {
        match name {
            Some(name) => {
                self.root
                    .insert("currentContext".into(), Value::String(name.to_owned()));
            }
            None => {
                self.root.shift_remove("currentContext");
            }
        }
    }

    /// Writes the file atomically: temp file in the same directory, fsync, rename; mode 0600.
    pub(super) fn save(&self) -> Result<(), CredentialError> {
        let write_error = |e: io::Error| CredentialError::Write {
            path: self.path.clone(),
            detail: e.to_string(),
        };
        let mut bytes = Vec::new();
        // docker writes config.json tab-indented.
        let mut serializer = serde_json::Serializer::with_formatter(
            &mut bytes,
            serde_json::ser::PrettyFormatter::with_indent(b"\t"),
        );
        self.root
            .serialize(&mut serializer)
            .map_err(|e| write_error(io::Error::other(e)))?;
        // Replace a symlinked config.json's target, not the link (docker does the same).
        let target = match fs::symlink_metadata(&self.path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                fs::canonicalize(&self.path).map_err(write_error)?
            }
            _ => self.path.clone(),
        };
        write_atomically(&target, &bytes).map_err(write_error)
    }
}

/// The entry for `key`: exact key first, then any legacy spelling of the same host.
fn find_entry<'a>(map: &'a Map<String, Value>, key: &str) -> Option<(&'a str, &'a Value)> {
    if let Some((k, v)) = map.get_key_value(key) {
        return Some((k, v));
    }
    let host = hostname_of(key);
    map.iter()
        .find(|(k, _)| hostname_of(k) == host)
        .map(|(k, v)| (k.as_str(), v))
}

/// docker's `ConvertToHostname`: drop the scheme and path; Docker Hub's names are one host.
fn hostname_of(key: &str) -> &str {
    let without_scheme = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = without_scheme.split('/').next().unwrap_or(without_scheme);
    match host {
        "docker.io" | "index.docker.io" | "registry-1.docker.io" => "index.docker.io",
        other => other,
    }
}

/// An `auths` entry as docker writes it.
pub(super) fn encode_entry(credentials: &Credentials) -> Map<String, Value> {
    let mut entry = Map::new();
    let (password, token) = match credentials.secret() {
        Secret::Password(password) => (password.as_str(), None),
        Secret::IdentityToken(token) => ("", Some(token)),
    };
    if !credentials.username().is_empty() || !password.is_empty() {
        let auth = STANDARD.encode(format!("{}:{password}", credentials.username()));
        entry.insert("auth".into(), Value::String(auth));
    }
    if let Some(token) = token {
        entry.insert("identitytoken".into(), Value::String(token.clone()));
    }
    entry
}

/// Writes `bytes` to `path` so that readers see the old or the new file, never a mix.
fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    create_private_dir(dir)?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| CONFIG_FILE.into());
    let temp = dir.join(format!(
        ".{file_name}.tmp-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = open_private(&temp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temp, path)?;
        // Make the rename itself durable; not all filesystems allow syncing a directory.
        if let Ok(dir) = fs::File::open(dir) {
            let _ = dir.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

#[cfg(unix)]
fn open_private(path: &Path) -> io::Result<fs::File> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let file = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    // The umask can only remove bits; set them exactly anyway.
    file.set_permissions(fs::Permissions::from_mode(0o600))?;
    Ok(file)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> io::Result<fs::File> {
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    fs::create_dir_all(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostnames_of_keys() {
        assert_eq!(
            hostname_of("https://index.docker.io/v1/"),
            "index.docker.io"
        );
        assert_eq!(hostname_of("docker.io"), "index.docker.io");
        assert_eq!(hostname_of("http://localhost:5000/v2/"), "localhost:5000");
        assert_eq!(hostname_of("localhost:5000"), "localhost:5000");
    }
}
