//! Why the credential store could not be read or written.

use std::fmt;
use std::path::PathBuf;

/// Why the credential store could not be read or written. Never contains a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialError {
    /// Neither `$DOCKER_CONFIG` nor a home directory is known.
    NoConfigDir,
    /// The config file exists but cannot be read.
    Read {
        /// The file.
        path: PathBuf,
        /// The OS error.
        detail: String,
    },
    /// The config file is not valid JSON.
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's complaint (line and column).
        detail: String,
    },
    /// The config file is JSON of the wrong shape.
    Shape {
        /// The file.
        path: PathBuf,
        /// What is wrong, e.g. `"auths" must be an object`.
        detail: String,
    },
    /// An `auths` entry cannot be decoded.
    InvalidEntry {
        /// The file.
        path: PathBuf,
        /// The entry's key.
        key: String,
        /// What is wrong with it.
        detail: &'static str,
    },
    /// The config file cannot be written.
    Write {
        /// The file.
        path: PathBuf,
        /// The OS error.
        detail: String,
    },
    /// A helper name that is not a plain program-name suffix.
    InvalidHelperName {
        /// The name from config.json.
        name: String,
    },
    /// `docker-credential-<name>` is not installed.
    HelperNotFound {
        /// The helper's name.
        name: String,
    },
    /// The helper failed.
    HelperFailed {
        /// The helper's name.
        name: String,
        /// `get`, `store`, `erase` or `list`.
        verb: &'static str,
        /// The first line of its error message.
        message: String,
    },
    /// The helper printed something other than the protocol's JSON.
    HelperBadOutput {
        /// The helper's name.
        name: String,
        /// The verb.
        verb: &'static str,
    },
    /// The helper did not finish in time and was stopped.
    HelperTimedOut {
        /// The helper's name.
        name: String,
        /// The verb.
        verb: &'static str,
        /// The timeout.
        seconds: u64,
    },
    /// The background task running the blocking work failed.
    Task(String),
}

impl fmt::Display for CredentialError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use CredentialError as E;
        match self {
            E::NoConfigDir => {
                f.write_str("cannot find the docker config directory: set DOCKER_CONFIG or HOME")
            }
            E::Read { path, detail } => write!(f, "cannot read {}: {detail}", path.display()),
            E::Parse { path, detail } => {
                write!(f, "{} is not valid JSON: {detail}", path.display())
            }
            E::Shape { path, detail } => write!(f, "{}: {detail}", path.display()),
            E::InvalidEntry { path, key, detail } => {
                write!(f, "{}: the entry for {key:?} {detail}", path.display())
            }
            E::Write { path, detail } => write!(f, "cannot write {}: {detail}", path.display()),
            E::InvalidHelperName { name } => {
                write!(
                    f,
                    "invalid credential helper name {name:?} in docker's config.json"
                )
            }
            E::HelperNotFound { name } => write!(
                f,
                "credential helper docker-credential-{name} is not installed (not found in PATH)"
            ),
            E::HelperFailed {
                name,
                verb,
                message,
            } => write!(f, "docker-credential-{name} {verb} failed: {message}"),
            E::HelperBadOutput { name, verb } => write!(
                f,
                "docker-credential-{name} {verb} printed something other than the expected JSON"
            ),
            E::HelperTimedOut {
                name,
                verb,
                seconds,
            } => write!(
                f,
                "docker-credential-{name} {verb} did not finish within {seconds} s and was stopped"
            ),
            E::Task(detail) => write!(f, "credential store task failed: {detail}"),
        }
    }
}

impl std::error::Error for CredentialError {}
