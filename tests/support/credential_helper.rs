//! A fake `docker-credential-*` program for the tests that log in through a helper. It keeps
//! one JSON file per server in `<dir>/store/` and appends `<program> <verb>` for each call to
//! `<dir>/calls.log` (several helpers may share a directory).
//!
//! Stands alone (std only): `src/registry/credentials.rs` includes it with `#[path]` for its
//! unit tests, which cannot reach `tests/support` otherwise.

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

/// The helper: `get`, `store`, `erase` and `list`, as docker's protocol has them.
pub const FAKE_HELPER: &str = r#"#!/bin/sh
dir="$(dirname "$0")"
mkdir -p "$dir/store"
echo "$(basename "$0") $1" >> "$dir/calls.log"
input="$(cat)"
case "$1" in
  get|erase) server="$input" ;;
  store) server="$(printf '%s' "$input" | sed -n 's/.*"ServerURL":"\([^"]*\)".*/\1/p')" ;;
  list) echo '{}'; exit 0 ;;
  *) echo "unknown verb" ; exit 2 ;;
esac
file="$dir/store/$(printf '%s' "$server" | tr -c 'A-Za-z0-9.-' '_')"
case "$1" in
  get) if [ -f "$file" ]; then cat "$file"; else echo "credentials not found in native keychain"; exit 1; fi ;;
  store) printf '%s' "$input" > "$file" ;;
  erase) if [ -f "$file" ]; then rm "$file"; else echo "credentials not found in native keychain"; exit 1; fi ;;
esac
"#;

/// Installs [`FAKE_HELPER`] as `<dir>/docker-credential-<name>`.
pub fn install_fake_helper(dir: &Path, name: &str) {
    install_program(&dir.join(format!("docker-credential-{name}")), FAKE_HELPER);
}

/// Writes an executable from a separate process, so no file descriptor of this
/// multi-threaded process is open for writing when it runs (ETXTBSY).
pub fn install_program(path: &Path, script: &str) {
    let mut child = Command::new("sh")
        .args(["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh"])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
}

/// How many times the fake helpers in `dir` were called with `verb`.
pub fn helper_calls(dir: &Path, verb: &str) -> usize {
    calls(dir)
        .iter()
        .filter(|line| line.split_once(' ').is_some_and(|(_, v)| v == verb))
        .count()
}

/// Every call the fake helpers in `dir` logged, oldest first.
pub fn calls(dir: &Path) -> Vec<String> {
    std::fs::read_to_string(dir.join("calls.log"))
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}
