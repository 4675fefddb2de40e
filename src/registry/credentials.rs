//! The docker CLI's credential store, read and written the way `docker login` does.
//!
//! `config.json` lives in `$DOCKER_CONFIG`, else `~/.docker`. For a registry the store that
//! applies is the first of: `credHelpers[registry]`, `credsStore`, `auths[registry]`.
//! Writing keeps every key of `config.json` it does not own, in order, and replaces the file
//! atomically with mode 0600.
//!
//! The methods are blocking (file and process work). From async code use the `*_async`
//! variants, which run them on tokio's blocking pool.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::Map;

use self::config_file::{CONFIG_FILE, ConfigFile, Store, encode_entry};
use self::helper::Helper;
use super::reference::credential_key_for;

mod config_file;
mod error;
mod helper;
mod secret;

pub use error::CredentialError;
pub use secret::{Credentials, Secret};

const DEFAULT_HELPER_TIMEOUT: Duration = Duration::from_secs(20);

/// Where `store` put the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredIn {
    /// In the named credential helper (`docker-credential-<name>`).
    Helper(String),
    /// In `auths` of this config file.
    ConfigFile(PathBuf),
}

/// One load-modify-save of config.json at a time in this process: two logins finishing
/// together must not drop each other's entry.
fn lock_writes() -> std::sync::MutexGuard<'static, ()> {
    static WRITES: std::sync::Mutex<()> = std::sync::Mutex::new(());
    WRITES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The docker CLI's config directory and how to reach its credential helpers.
#[derive(Debug, Clone)]
pub struct DockerConfig {
    dir: PathBuf,
    helper_dir: Option<PathBuf>,
    helper_timeout: Duration,
}

impl DockerConfig {
    /// The directory docker uses: `$DOCKER_CONFIG`, else `~/.docker`.
    pub fn from_env() -> Result<DockerConfig, CredentialError> {
        let dir = match std::env::var_os("DOCKER_CONFIG").filter(|d| !d.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => directories::BaseDirs::new()
                .map(|dirs| dirs.home_dir().join(".docker"))
                .ok_or(CredentialError::NoConfigDir)?,
        };
        Ok(DockerConfig::at(dir))
    }

    /// A config directory given explicitly.
    pub fn at(dir: impl Into<PathBuf>) -> DockerConfig {
        DockerConfig {
            dir: dir.into(),
            helper_dir: None,
            helper_timeout: DEFAULT_HELPER_TIMEOUT,
        }
    }

    /// Looks for `docker-credential-*` helpers in `dir` before `PATH`.
    pub fn with_helper_dir(mut self, dir: impl Into<PathBuf>) -> DockerConfig {
        self.helper_dir = Some(dir.into());
        self
    }

    /// Stops helpers that run longer than `timeout` (default 20 s).
    pub fn with_helper_timeout(mut self, timeout: Duration) -> DockerConfig {
        self.helper_timeout = timeout;
        self
    }

    /// The config directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// `<dir>/config.json`.
    pub fn config_path(&self) -> PathBuf {
        self.dir.join(CONFIG_FILE)
    }

    /// The credentials for a registry as named in references (`docker.io`, `localhost:5000`). Blocking.
    pub fn get(&self, registry: &str) -> Result<Option<Credentials>, CredentialError> {
        let key = credential_key_for(registry);
        let file = ConfigFile::load(self.config_path())?;
        match file.store_for(key)? {
            Store::Helper(name) => self.helper(&name)?.get(key),
            Store::File => file.file_credentials(key),
        }
    }

    /// Stores credentials where `docker login` would: the helper that applies, else `auths`. Blocking.
    pub fn store(
        &self,
        registry: &str,
        credentials: &Credentials,
    ) -> Result<StoredIn, CredentialError> {
        let key = credential_key_for(registry);
        let _writing = lock_writes();
        // Load first: a broken config.json stops the login before anything is written.
        let mut file = ConfigFile::load(self.config_path())?;
        match file.store_for(key)? {
            Store::Helper(name) => {
                let helper = self.helper(&name)?;
                helper.store(key, credentials)?;
                // docker records the registry in `auths` without secrets, so it can list logins.
                file.set_auth_entry(key, Map::new())?;
                file.save()?;
                Ok(StoredIn::Helper(helper.name().to_owned()))
            }
            Store::File => {
                file.set_auth_entry(key, encode_entry(credentials))?;
                file.save()?;
                Ok(StoredIn::ConfigFile(file.path))
            }
        }
    }

    /// Erases a registry's credentials from its helper and from `auths` (all key spellings);
    /// `Ok(false)` when nothing was stored. Blocking.
    pub fn erase(&self, registry: &str) -> Result<bool, CredentialError> {
        let key = credential_key_for(registry);
        let _writing = lock_writes();
        let mut file = ConfigFile::load(self.config_path())?;
        let mut erased = false;
        if let Store::Helper(name) = file.store_for(key)? {
            erased = self.helper(&name)?.erase(key)?;
        }
        if file.remove_auth_entries(key)? {
            file.save()?;
            erased = true;
        }
        Ok(erased)
    }

    /// The credential helper that applies to a registry, if any (for telling the user). Blocking.
    pub fn helper_for(&self, registry: &str) -> Result<Option<String>, CredentialError> {
        let file = ConfigFile::load(self.config_path())?;
        Ok(match file.store_for(credential_key_for(registry))? {
            Store::Helper(name) => Some(name),
            Store::File => None,
        })
    }

    /// Makes `name` the docker CLI's current context (`currentContext`), as `docker context
    /// use` does; `None` or `"default"` removes the key. Every other key stays, in order;
    /// the file is replaced atomically with mode 0600. Whether the context exists is the
    /// caller's to check. Blocking.
    pub fn set_current_context(&self, name: Option<&str>) -> Result<(), CredentialError> {
        let _writing = lock_writes();
        let mut file = ConfigFile::load(self.config_path())?;
        file.set_current_context(name.filter(|n| !n.is_empty() && *n != "default"));
        file.save()
    }

    /// [`DockerConfig::get`] on tokio's blocking pool.
    pub async fn get_async(&self, registry: &str) -> Result<Option<Credentials>, CredentialError> {
        let (this, registry) = (self.clone(), registry.to_owned());
        blocking(move || this.get(&registry)).await
    }

    /// [`DockerConfig::store`] on tokio's blocking pool.
    pub async fn store_async(
        &self,
        registry: &str,
        credentials: &Credentials,
    ) -> Result<StoredIn, CredentialError> {
        let (this, registry, credentials) =
            (self.clone(), registry.to_owned(), credentials.clone());
        blocking(move || this.store(&registry, &credentials)).await
    }

    /// [`DockerConfig::erase`] on tokio's blocking pool.
    pub async fn erase_async(&self, registry: &str) -> Result<bool, CredentialError> {
        let (this, registry) = (self.clone(), registry.to_owned());
        blocking(move || this.erase(&registry)).await
    }

    fn helper(&self, name: &str) -> Result<Helper, CredentialError> {
        Helper::locate(name, self.helper_dir.as_deref(), self.helper_timeout)
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, CredentialError> + Send + 'static,
) -> Result<T, CredentialError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| CredentialError::Task(e.to_string()))?
}

/// The integration tests' fake `docker-credential-*` program, shared so there is one copy.
#[cfg(test)]
#[allow(dead_code, clippy::unwrap_used)]
#[path = "../../tests/support/credential_helper.rs"]
mod fake_credential_helper;

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde_json::Value;
    use std::fs;
    use std::os::unix::fs::PermissionsExt;

    use super::fake_credential_helper::{
        calls, install_fake_helper as fake_helper, install_program,
    };

    fn write_config(dir: &Path, json: &str) {
        fs::write(dir.join("config.json"), json).unwrap();
    }

    fn read_config(dir: &Path) -> Value {
        serde_json::from_slice(&fs::read(dir.join("config.json")).unwrap()).unwrap()
    }

    fn setup() -> (tempfile::TempDir, tempfile::TempDir, DockerConfig) {
        let config_dir = tempfile::tempdir().unwrap();
        let helper_dir = tempfile::tempdir().unwrap();
        let config = DockerConfig::at(config_dir.path()).with_helper_dir(helper_dir.path());
        (config_dir, helper_dir, config)
    }

    #[test]
    fn debug_never_shows_secrets() {
        let c = Credentials::password("bob", "hunter2");
        let t = Credentials::identity_token("bob", "refresh-me");
        assert_eq!(
            format!("{c:?}"),
            "Credentials { username: \"bob\", secret: Password(<redacted>) }"
        );
        assert!(!format!("{t:?}").contains("refresh-me"));
        assert_eq!(c.secret().expose(), "hunter2");
    }

    #[test]
    fn current_context_is_written_and_removed_keeping_other_keys() {
        let (dir, _h, config) = setup();
        write_config(
            dir.path(),
            r#"{"auths":{"localhost:5000":{"auth":"eDp5"}},"currentContext":"old","zzz":{"kept":true}}"#,
        );
        config.set_current_context(Some("remote")).unwrap();
        let written = read_config(dir.path());
        assert_eq!(written["currentContext"], "remote");
        assert_eq!(written["zzz"]["kept"], true);
        let keys: Vec<_> = written.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["auths", "currentContext", "zzz"]);
        let mode = fs::metadata(dir.path().join("config.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);

        config.set_current_context(Some("default")).unwrap();
        let written = read_config(dir.path());
        assert!(written.get("currentContext").is_none());
        let keys: Vec<_> = written.as_object().unwrap().keys().cloned().collect();
        assert_eq!(keys, ["auths", "zzz"]);

        let fresh = tempfile::tempdir().unwrap();
        DockerConfig::at(fresh.path().join("new"))
            .set_current_context(Some("remote"))
            .unwrap();
        assert_eq!(
            read_config(&fresh.path().join("new"))["currentContext"],
            "remote"
        );
    }

    #[test]
    fn a_broken_config_is_not_overwritten_by_a_context_switch() {
        let (dir, _h, config) = setup();
        write_config(dir.path(), "{broken");
        assert!(matches!(
            config.set_current_context(Some("remote")),
            Err(CredentialError::Parse { .. })
        ));
        assert_eq!(
            fs::read_to_string(dir.path().join("config.json")).unwrap(),
            "{broken"
        );
    }

    #[test]
    fn missing_or_empty_config_means_no_credentials() {
        let (dir, _h, config) = setup();
        assert_eq!(config.get("localhost:5000").unwrap(), None);
        write_config(dir.path(), "  \n");
        assert_eq!(config.get("localhost:5000").unwrap(), None);
    }

    #[test]
    fn reads_auths_with_legacy_key_forms() {
        let (dir, _h, config) = setup();
        let auth = STANDARD.encode("alice:pa:ss");
        write_config(
            dir.path(),
            &format!(
                r#"{{"auths": {{
                    "https://registry.example.com/v1/": {{"auth": "{auth}"}},
                    "localhost:5000": {{"auth": "{auth}"}},
                    "https://index.docker.io/v1/": {{"auth": "{}", "identitytoken": "idt"}},
                    "empty.example.com": {{}}
                }}}}"#,
                STANDARD.encode("hubuser:")
            ),
        );
        let c = config.get("registry.example.com").unwrap().unwrap();
        assert_eq!(c.username(), "alice");
        assert_eq!(c.secret(), &Secret::Password("pa:ss".into()));
        assert!(config.get("localhost:5000").unwrap().is_some());
        assert_eq!(
            config.get("127.0.0.1:5000").unwrap(),
            None,
            "hosts match exactly"
        );
        let hub = config.get("docker.io").unwrap().unwrap();
        assert_eq!(hub, Credentials::identity_token("hubuser", "idt"));
        assert_eq!(config.get("empty.example.com").unwrap(), None);
    }

    #[test]
    fn lookup_order_helper_then_store_then_auths() {
        let (dir, helpers, config) = setup();
        fake_helper(helpers.path(), "perhost");
        fake_helper(helpers.path(), "default");
        let inline = STANDARD.encode("inline:pw");
        write_config(
            dir.path(),
            &format!(
                r#"{{"credHelpers": {{"a.example.com": "perhost"}},
                    "auths": {{"a.example.com": {{"auth": "{inline}"}},
                               "b.example.com": {{"auth": "{inline}"}}}}}}"#
            ),
        );
        // Put different credentials in each helper's store.
        Helper::locate("perhost", Some(helpers.path()), DEFAULT_HELPER_TIMEOUT)
            .unwrap()
            .store("a.example.com", &Credentials::password("from-perhost", "1"))
            .unwrap();
        Helper::locate("default", Some(helpers.path()), DEFAULT_HELPER_TIMEOUT)
            .unwrap()
            .store("b.example.com", &Credentials::password("from-default", "2"))
            .unwrap();

        // credHelpers wins over auths.
        assert_eq!(
            config.get("a.example.com").unwrap().unwrap().username(),
            "from-perhost"
        );
        // Without credsStore, other hosts come from auths.
        assert_eq!(
            config.get("b.example.com").unwrap().unwrap().username(),
            "inline"
        );

        // With credsStore, it replaces auths for hosts without their own helper.
        let mut root = read_config(dir.path());
        root["credsStore"] = Value::String("default".into());
        write_config(dir.path(), &root.to_string());
        assert_eq!(
            config.get("b.example.com").unwrap().unwrap().username(),
            "from-default"
        );
        assert_eq!(
            config.get("a.example.com").unwrap().unwrap().username(),
            "from-perhost"
        );
        // The store's "credentials not found" means none, not an error.
        assert_eq!(config.get("c.example.com").unwrap(), None);
        assert_eq!(
            config.helper_for("c.example.com").unwrap().as_deref(),
            Some("default")
        );

        let log = calls(helpers.path());
        assert!(
            log.contains(&"docker-credential-perhost get".to_string()),
            "{log:?}"
        );
        assert!(
            log.contains(&"docker-credential-default get".to_string()),
            "{log:?}"
        );
    }

    #[test]
    fn helper_identity_tokens_and_special_characters() {
        let (dir, helpers, config) = setup();
        fake_helper(helpers.path(), "fake");
        write_config(dir.path(), r#"{"credsStore": "fake"}"#);
        let tricky = Credentials::password("bob", "abc>>>def+/= \"quoted\" 'x'");
        assert_eq!(
            config.store("localhost:5000", &tricky).unwrap(),
            StoredIn::Helper("fake".into())
        );
        assert_eq!(config.get("localhost:5000").unwrap(), Some(tricky));

        let token = Credentials::identity_token("ignored", "refresh-token");
        config.store("docker.io", &token).unwrap();
        let got = config.get("docker.io").unwrap().unwrap();
        assert_eq!(got.secret(), &Secret::IdentityToken("refresh-token".into()));
        assert_eq!(got.username(), "");

        // The file records the logins without secrets, keyed as docker keys them.
        let root = read_config(dir.path());
        assert_eq!(root["auths"]["localhost:5000"], serde_json::json!({}));
        assert_eq!(
            root["auths"]["https://index.docker.io/v1/"],
            serde_json::json!({})
        );
        assert!(
            !fs::read_to_string(dir.path().join("config.json"))
                .unwrap()
                .contains("abc>>>")
        );

        assert!(
            config.erase("localhost:5000").unwrap(),
            "the helper held it"
        );
        assert_eq!(config.get("localhost:5000").unwrap(), None);
        assert!(
            read_config(dir.path())["auths"]
                .get("localhost:5000")
                .is_none()
        );
        // Erasing what is not there is fine, and says so.
        assert!(!config.erase("localhost:5000").unwrap());
    }

    #[test]
    fn store_round_trip_keeps_unknown_keys_and_mode() {
        let (dir, _h, config) = setup();
        let original = r#"{
	"auths": {
		"other.example.com": {"auth": "b3RoZXI6cHc=", "email": "x@y"},
		"localhost:5000": {"auth": "b2xkOm9sZA=="}
	},
	"currentContext": "remote",
	"proxies": {"default": {"httpProxy": "http://proxy:3128"}},
	"zeta": [1, 2.5, {"nested": null}],
	"alpha": "kept in place"
}"#;
        write_config(dir.path(), original);
        fs::set_permissions(
            dir.path().join("config.json"),
            fs::Permissions::from_mode(0o644),
        )
        .unwrap();
        let stored = config
            .store("localhost:5000", &Credentials::password("new", "p@ss:word"))
            .unwrap();
        assert_eq!(stored, StoredIn::ConfigFile(dir.path().join("config.json")));

        let before: Value = serde_json::from_str(original).unwrap();
        let after = read_config(dir.path());
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            keys(&after),
            keys(&before),
            "top-level keys and their order"
        );
        for key in ["currentContext", "proxies", "zeta", "alpha"] {
            assert_eq!(after[key], before[key], "{key} unchanged");
        }
        assert_eq!(
            after["auths"]["other.example.com"],
            before["auths"]["other.example.com"]
        );
        assert_eq!(
            keys(&after["auths"]),
            keys(&before["auths"]),
            "entry order kept"
        );
        assert_eq!(
            after["auths"]["localhost:5000"]["auth"],
            Value::String(STANDARD.encode("new:p@ss:word"))
        );
        let mode = fs::metadata(dir.path().join("config.json"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(
            config.get("localhost:5000").unwrap(),
            Some(Credentials::password("new", "p@ss:word"))
        );
        // No temp files left behind.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names, vec!["config.json"]);

        assert!(config.erase("localhost:5000").unwrap(), "it was in auths");
        let after_erase = read_config(dir.path());
        assert!(after_erase["auths"].get("localhost:5000").is_none());
        assert_eq!(
            after_erase["auths"]["other.example.com"],
            before["auths"]["other.example.com"]
        );
    }

    #[test]
    fn store_creates_the_directory_and_identity_token_entries() {
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("nested").join(".docker");
        let config = DockerConfig::at(&dir);
        config
            .store("docker.io", &Credentials::identity_token("hubuser", "idt"))
            .unwrap();
        let root = read_config(&dir);
        assert_eq!(
            root["auths"]["https://index.docker.io/v1/"],
            serde_json::json!({"auth": STANDARD.encode("hubuser:"), "identitytoken": "idt"})
        );
        let mode = fs::metadata(&dir).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o700);
        let text = fs::read_to_string(dir.join("config.json")).unwrap();
        assert!(
            text.contains("\n\t\"auths\""),
            "tab-indented like docker: {text}"
        );
    }

    #[test]
    fn logins_finishing_together_keep_each_other() {
        let base = tempfile::tempdir().unwrap();
        let config = DockerConfig::at(base.path());
        let hosts: Vec<String> = (0..16)
            .map(|i| format!("registry{i}.example.com"))
            .collect();
        std::thread::scope(|scope| {
            for host in &hosts {
                let config = config.clone();
                scope.spawn(move || {
                    config
                        .store(host, &Credentials::password("u", "p"))
                        .unwrap();
                });
            }
        });
        let root = read_config(base.path());
        for host in &hosts {
            assert!(root["auths"].get(host).is_some(), "{host} was lost: {root}");
        }
    }

    #[test]
    fn symlinked_config_is_written_through() {
        let (dir, _h, _) = setup();
        let real_dir = tempfile::tempdir().unwrap();
        fs::write(real_dir.path().join("real.json"), r#"{"keep": true}"#).unwrap();
        std::os::unix::fs::symlink(
            real_dir.path().join("real.json"),
            dir.path().join("config.json"),
        )
        .unwrap();
        let config = DockerConfig::at(dir.path());
        config
            .store("h:1", &Credentials::password("u", "p"))
            .unwrap();
        assert!(
            fs::symlink_metadata(dir.path().join("config.json"))
                .unwrap()
                .file_type()
                .is_symlink()
        );
        let real: Value =
            serde_json::from_slice(&fs::read(real_dir.path().join("real.json")).unwrap()).unwrap();
        assert_eq!(real["keep"], Value::Bool(true));
        assert!(real["auths"]["h:1"]["auth"].is_string());
    }

    #[test]
    fn broken_config_is_an_error_naming_the_file_and_is_left_alone() {
        let (dir, _h, config) = setup();
        let path = dir.path().join("config.json");
        write_config(dir.path(), r#"{"auths": {"x": "#);
        let e = config.get("x").unwrap_err();
        assert!(matches!(e, CredentialError::Parse { .. }));
        assert!(e.to_string().contains(&path.display().to_string()), "{e}");
        let e = config
            .store("x", &Credentials::password("u", "p"))
            .unwrap_err();
        assert!(matches!(e, CredentialError::Parse { .. }));
        assert_eq!(fs::read_to_string(&path).unwrap(), r#"{"auths": {"x": "#);

        write_config(dir.path(), r#"{"auths": []}"#);
        let e = config.get("x").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{}: \"auths\" must be an object", path.display())
        );
        write_config(dir.path(), "[1]");
        assert!(matches!(
            config.get("x").unwrap_err(),
            CredentialError::Shape { .. }
        ));
        write_config(dir.path(), r#"{"auths": {"x": {"auth": "!!!notbase64"}}}"#);
        let e = config.get("x").unwrap_err();
        assert!(matches!(e, CredentialError::InvalidEntry { .. }), "{e}");
        assert!(
            !e.to_string().contains("!!!"),
            "no secret material in errors: {e}"
        );
    }

    #[test]
    fn helper_problems_are_clear_errors() {
        let (dir, helpers, config) = setup();
        write_config(dir.path(), r#"{"credsStore": "absent"}"#);
        let e = config.get("h:1").unwrap_err();
        assert_eq!(
            e,
            CredentialError::HelperNotFound {
                name: "absent".into()
            }
        );

        write_config(dir.path(), r#"{"credsStore": "../../bin/sh"}"#);
        assert!(matches!(
            config.get("h:1").unwrap_err(),
            CredentialError::InvalidHelperName { .. }
        ));

        install_program(
            &helpers.path().join("docker-credential-broken"),
            "#!/bin/sh\necho 'keychain locked' ; exit 3\n",
        );
        write_config(dir.path(), r#"{"credsStore": "broken"}"#);
        let e = config.get("h:1").unwrap_err();
        assert_eq!(
            e.to_string(),
            "docker-credential-broken get failed: keychain locked"
        );

        install_program(
            &helpers.path().join("docker-credential-garbage"),
            "#!/bin/sh\necho 'secret-stuff{'\n",
        );
        write_config(dir.path(), r#"{"credsStore": "garbage"}"#);
        let e = config.get("h:1").unwrap_err();
        assert!(matches!(e, CredentialError::HelperBadOutput { .. }));
        assert!(!e.to_string().contains("secret-stuff"));

        install_program(
            &helpers.path().join("docker-credential-hang"),
            "#!/bin/sh\nexec sleep 600\n",
        );
        write_config(dir.path(), r#"{"credsStore": "hang"}"#);
        let quick = config
            .clone()
            .with_helper_timeout(Duration::from_millis(300));
        let started = std::time::Instant::now();
        let e = quick.get("h:1").unwrap_err();
        assert!(matches!(e, CredentialError::HelperTimedOut { .. }), "{e}");
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[tokio::test]
    async fn async_wrappers_work_from_a_runtime() {
        let (_dir, _h, config) = setup();
        let creds = Credentials::password("u", "p");
        config.store_async("h:1", &creds).await.unwrap();
        assert_eq!(config.get_async("h:1").await.unwrap(), Some(creds));
        assert!(config.erase_async("h:1").await.unwrap());
        assert_eq!(config.get_async("h:1").await.unwrap(), None);
    }
}
