//! Repositories wharf can offer for registries that do not list theirs (Aliyun ACR, GitLab,
//! ECR, GHCR, Docker Hub's registry API): the ones named in the config and the ones opened
//! before.
//!
//! - [`RegistryHostConfig`] is `[registries.hosts."HOST"] repositories = [...]` in the config.
//! - [`RememberedRepositories`] is the pure list of repositories opened per registry (the
//!   last 50, newest first); [`RepositoryMemory`] keeps it in a small JSON file in the data
//!   directory, written atomically. A corrupt file is ignored and rewritten.
//! - [`offered_repositories`] merges both for a registry's catalog view.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::reference::{RepositoryRef, bare_registry, validate_registry};
use super::refused::RefusedName;

/// Repositories remembered per registry.
pub const REMEMBERED_PER_REGISTRY: usize = 50;
/// Registries remembered (the least recently used go first).
pub const REMEMBERED_REGISTRIES: usize = 100;
/// The file in the data directory.
pub const MEMORY_FILE: &str = "repositories.json";
/// A memory file larger than this is not ours: it is ignored (and replaced on next write).
const MEMORY_FILE_LIMIT: u64 = 1024 * 1024;
const FORMAT_VERSION: u32 = 1;

/// `[registries.hosts."HOST"]` in the config: what wharf should know about one registry.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistryHostConfig {
    /// Repositories to offer when the registry does not list its own (`myns/app`).
    pub repositories: Vec<String>,
}

/// `[registries.hosts]`: per registry host as written in references.
pub type RegistryHosts = BTreeMap<String, RegistryHostConfig>;

/// The repositories opened per registry, newest first; registries most recently used first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RememberedRepositories {
    registries: Vec<(String, Vec<String>)>,
}

impl RememberedRepositories {
    /// Puts a repository first in its registry's list (and the registry first), keeping the
    /// last [`REMEMBERED_PER_REGISTRY`] per registry and [`REMEMBERED_REGISTRIES`] registries.
    pub fn remember(&mut self, repo: &RepositoryRef) {
        let registry = repo.registry().to_owned();
        let mut repositories = match self.registries.iter().position(|(r, _)| *r == registry) {
            Some(i) => self.registries.remove(i).1,
            None => Vec::new(),
        };
        repositories.retain(|r| r != repo.repository());
        repositories.insert(0, repo.repository().to_owned());
        repositories.truncate(REMEMBERED_PER_REGISTRY);
        self.registries.insert(0, (registry, repositories));
        self.registries.truncate(REMEMBERED_REGISTRIES);
    }

    /// The repositories opened on a registry, newest first.
    pub fn for_registry(&self, registry: &str) -> Vec<RepositoryRef> {
        self.registries
            .iter()
            .find(|(r, _)| r == registry)
            .map(|(_, names)| {
                names
                    .iter()
                    .filter_map(|name| RepositoryRef::new(registry, name).ok())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// True if nothing is remembered.
    pub fn is_empty(&self) -> bool {
        self.registries.is_empty()
    }

    fn from_file(file: MemoryFile) -> RememberedRepositories {
        let mut remembered = RememberedRepositories::default();
        for entry in file.registries.into_iter().take(REMEMBERED_REGISTRIES) {
            if validate_registry(&entry.registry).is_err()
                || remembered
                    .registries
                    .iter()
                    .any(|(r, _)| *r == entry.registry)
            {
                continue;
            }
            let mut names: Vec<String> = Vec::new();
            for name in entry.repositories {
                let valid = RepositoryRef::new(&entry.registry, &name)
                    .is_ok_and(|repo| repo.repository() == name);
                if valid && !names.contains(&name) && names.len() < REMEMBERED_PER_REGISTRY {
                    names.push(name);
                }
            }
            if !names.is_empty() {
                remembered.registries.push((entry.registry, names));
            }
        }
        remembered
    }

    fn to_file(&self) -> MemoryFile {
        MemoryFile {
            version: FORMAT_VERSION,
            registries: self
                .registries
                .iter()
                .map(|(registry, repositories)| MemoryEntry {
                    registry: registry.clone(),
                    repositories: repositories.clone(),
                })
                .collect(),
        }
    }
}

#[derive(Serialize, Deserialize)]
struct MemoryFile {
    version: u32,
    registries: Vec<MemoryEntry>,
}

#[derive(Serialize, Deserialize)]
struct MemoryEntry {
    registry: String,
    repositories: Vec<String>,
}

/// What loading the memory file found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemoryLoad {
    /// No file yet.
    Missing,
    /// Read.
    Read,
    /// Unreadable or not ours (broken JSON, too large, another format): ignored; the next
    /// write replaces it.
    Ignored(String),
}

/// The file that keeps [`RememberedRepositories`] between runs.
#[derive(Debug, Clone)]
pub struct RepositoryMemory {
    path: PathBuf,
}

impl RepositoryMemory {
    /// `repositories.json` in wharf's data directory (`~/.local/share/wharf` on Linux).
    pub fn in_data_dir() -> Option<RepositoryMemory> {
        directories::ProjectDirs::from("", "", "wharf")
            .map(|dirs| RepositoryMemory::at(dirs.data_dir().join(MEMORY_FILE)))
    }

    /// A memory file at an explicit path.
    pub fn at(path: impl Into<PathBuf>) -> RepositoryMemory {
        RepositoryMemory { path: path.into() }
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the file; a missing or corrupt one gives an empty memory. Blocking.
    pub fn load(&self) -> (RememberedRepositories, MemoryLoad) {
        let ignored = |why: String| (RememberedRepositories::default(), MemoryLoad::Ignored(why));
        let metadata = match std::fs::metadata(&self.path) {
            Ok(metadata) => metadata,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return (RememberedRepositories::default(), MemoryLoad::Missing);
            }
            Err(e) => return ignored(e.to_string()),
        };
        if metadata.len() > MEMORY_FILE_LIMIT {
            return ignored(format!("larger than {MEMORY_FILE_LIMIT} bytes"));
        }
        let bytes = match std::fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(e) => return ignored(e.to_string()),
        };
        match serde_json::from_slice::<MemoryFile>(&bytes) {
            Ok(file) if file.version == FORMAT_VERSION => {
                (RememberedRepositories::from_file(file), MemoryLoad::Read)
            }
            Ok(file) => ignored(format!("format version {}", file.version)),
            Err(e) => ignored(e.to_string()),
        }
    }

    /// Remembers that `repo` was opened: load, add, write back atomically. Returns the new
    /// memory. Blocking.
    pub fn remember(&self, repo: &RepositoryRef) -> std::io::Result<RememberedRepositories> {
        let _writing = lock_writes();
        let (mut remembered, _) = self.load();
        remembered.remember(repo);
        self.save(&remembered)?;
        Ok(remembered)
    }

    /// Writes the memory: a temp file in the same directory, then a rename, so a crash or a
    /// second wharf never leaves half a file. Blocking.
    pub fn save(&self, remembered: &RememberedRepositories) -> std::io::Result<()> {
        let dir = self.path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)?;
        let json = serde_json::to_vec_pretty(&remembered.to_file())?;
        let name = self
            .path
            .file_name()
            .map_or_else(|| MEMORY_FILE.into(), |n| n.to_string_lossy().into_owned());
        let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let written = (|| {
            let mut file = std::fs::File::create(&temp)?;
            file.write_all(&json)?;
            file.write_all(b"\n")?;
            file.sync_all()?;
            std::fs::rename(&temp, &self.path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        written
    }

    /// [`RepositoryMemory::load`] on tokio's blocking pool.
    pub async fn load_async(&self) -> (RememberedRepositories, MemoryLoad) {
        let this = self.clone();
        tokio::task::spawn_blocking(move || this.load())
            .await
            .unwrap_or_else(|e| {
                (
                    RememberedRepositories::default(),
                    MemoryLoad::Ignored(e.to_string()),
                )
            })
    }

    /// [`RepositoryMemory::remember`] on tokio's blocking pool.
    pub async fn remember_async(
        &self,
        repo: &RepositoryRef,
    ) -> std::io::Result<RememberedRepositories> {
        let (this, repo) = (self.clone(), repo.clone());
        tokio::task::spawn_blocking(move || this.remember(&repo))
            .await
            .map_err(std::io::Error::other)?
    }
}

/// One load-modify-save of the memory file at a time in this process.
fn lock_writes() -> std::sync::MutexGuard<'static, ()> {
    static WRITES: std::sync::Mutex<()> = std::sync::Mutex::new(());
    WRITES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Where an offered repository comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfferSource {
    /// Named in `[registries.hosts."HOST"] repositories`.
    Configured,
    /// Opened before on this registry.
    OpenedBefore,
}

/// A repository offered in place of a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfferedRepository {
    /// The repository.
    pub repository: RepositoryRef,
    /// Why it is offered.
    pub source: OfferSource,
}

/// What a registry without a catalog can offer: configured repositories (in the config's
/// order), then the ones opened before (newest first), each once; configured names the
/// grammar refuses are kept, marked, so the config can be fixed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfferedRepositories {
    /// The repositories to list.
    pub repositories: Vec<OfferedRepository>,
    /// Configured names that are not valid repositories of this registry.
    pub refused: Vec<RefusedName>,
}

/// The repositories to offer for `registry`: from the config's `hosts` and the memory.
pub fn offered_repositories(
    registry: &str,
    hosts: &RegistryHosts,
    remembered: &RememberedRepositories,
) -> OfferedRepositories {
    let mut offered = OfferedRepositories::default();
    let configured = hosts
        .iter()
        .filter(|(host, _)| normalise_host(host).as_deref() == Some(registry))
        .flat_map(|(_, config)| config.repositories.iter());
    for name in configured {
        let name = name.trim();
        let path = name
            .strip_prefix(registry)
            .and_then(|rest| rest.strip_prefix('/'))
            .unwrap_or(name);
        match RefusedName::check(registry, path) {
            Ok(repository) => push_once(&mut offered, repository, OfferSource::Configured),
            Err(refused) => offered.refused.push(refused),
        }
    }
    for repository in remembered.for_registry(registry) {
        push_once(&mut offered, repository, OfferSource::OpenedBefore);
    }
    offered
}

fn push_once(offered: &mut OfferedRepositories, repository: RepositoryRef, source: OfferSource) {
    if !offered
        .repositories
        .iter()
        .any(|o| o.repository == repository)
    {
        offered
            .repositories
            .push(OfferedRepository { repository, source });
    }
}

/// A config host key as written in references (`index.docker.io` is `docker.io`).
fn normalise_host(host: &str) -> Option<String> {
    bare_registry(host).or_else(|| {
        let host = host.trim();
        validate_registry(host).is_ok().then(|| host.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(text: &str) -> RepositoryRef {
        RepositoryRef::parse(text).unwrap()
    }

    #[test]
    fn remembering_puts_newest_first_and_keeps_fifty() {
        let mut memory = RememberedRepositories::default();
        for n in 0..60 {
            memory.remember(&repo(&format!("registry.example.com/ns/app{n}")));
        }
        memory.remember(&repo("registry.example.com/ns/app10"));
        let list = memory.for_registry("registry.example.com");
        assert_eq!(list.len(), REMEMBERED_PER_REGISTRY);
        assert_eq!(
            list[0].repository(),
            "ns/app10",
            "reopened goes first, once"
        );
        assert_eq!(list[1].repository(), "ns/app59");
        assert_eq!(
            list.iter().filter(|r| r.repository() == "ns/app10").count(),
            1
        );
        assert!(
            !list.iter().any(|r| r.repository() == "ns/app9"),
            "oldest dropped"
        );
        assert!(memory.for_registry("other.example.com").is_empty());
    }

    #[test]
    fn registries_are_bounded_too() {
        let mut memory = RememberedRepositories::default();
        for n in 0..(REMEMBERED_REGISTRIES + 5) {
            memory.remember(&repo(&format!("r{n}.example.com/app")));
        }
        assert!(memory.for_registry("r0.example.com").is_empty());
        assert_eq!(
            memory
                .for_registry(&format!("r{}.example.com", REMEMBERED_REGISTRIES + 4))
                .len(),
            1
        );
    }

    #[test]
    fn the_file_round_trips_and_a_corrupt_one_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let memory = RepositoryMemory::at(dir.path().join("nested/repositories.json"));
        let (empty, how) = memory.load();
        assert!(empty.is_empty());
        assert_eq!(how, MemoryLoad::Missing);

        memory
            .remember(&repo("registry.cn-hangzhou.aliyuncs.com/myns/app"))
            .unwrap();
        memory
            .remember(&repo("registry.cn-hangzhou.aliyuncs.com/myns/base"))
            .unwrap();
        let (loaded, how) = memory.load();
        assert_eq!(how, MemoryLoad::Read);
        let names: Vec<String> = loaded
            .for_registry("registry.cn-hangzhou.aliyuncs.com")
            .iter()
            .map(|r| r.repository().to_owned())
            .collect();
        assert_eq!(names, ["myns/base", "myns/app"]);
        let leftovers: Vec<_> = std::fs::read_dir(memory.path().parent().unwrap())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "no temp file left behind");

        for garbage in [
            &b"{\"version\":1,\"registries\":[{\"registry\""[..],
            b"\x00\xff\xfe",
            b"{\"version\":99,\"registries\":[]}",
            b"[]",
        ] {
            std::fs::write(memory.path(), garbage).unwrap();
            let (loaded, how) = memory.load();
            assert!(loaded.is_empty());
            assert!(matches!(how, MemoryLoad::Ignored(_)), "{how:?}");
            memory.remember(&repo("localhost:5000/app")).unwrap();
            let (loaded, how) = memory.load();
            assert_eq!(how, MemoryLoad::Read, "rewritten");
            assert_eq!(loaded.for_registry("localhost:5000").len(), 1);
        }
        // Entries that are not valid repositories are dropped on load.
        std::fs::write(
            memory.path(),
            r#"{"version":1,"registries":[
                {"registry":"localhost:5000","repositories":["ok","Bad","../x","ok"]},
                {"registry":"bad host","repositories":["x"]}]}"#,
        )
        .unwrap();
        let (loaded, _) = memory.load();
        let names: Vec<String> = loaded
            .for_registry("localhost:5000")
            .iter()
            .map(|r| r.repository().to_owned())
            .collect();
        assert_eq!(names, ["ok"]);
        assert!(loaded.for_registry("bad host").is_empty());
    }

    #[test]
    fn a_huge_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let memory = RepositoryMemory::at(dir.path().join(MEMORY_FILE));
        std::fs::write(memory.path(), vec![b' '; 2 * 1024 * 1024]).unwrap();
        assert!(matches!(memory.load().1, MemoryLoad::Ignored(_)));
    }

    #[test]
    fn configured_then_opened_before_each_once() {
        let hosts: RegistryHosts = toml::from_str::<BTreeMap<String, RegistryHostConfig>>(
            r#"
            ["registry.cn-hangzhou.aliyuncs.com"]
            repositories = ["myns/app", "myns/base", "MyNs/Bad", "registry.cn-hangzhou.aliyuncs.com/myns/full"]
            ["other.example.com"]
            repositories = ["x/y"]
            "#,
        )
        .unwrap();
        let mut memory = RememberedRepositories::default();
        memory.remember(&repo("registry.cn-hangzhou.aliyuncs.com/myns/app"));
        memory.remember(&repo("registry.cn-hangzhou.aliyuncs.com/myns/opened"));
        let offered = offered_repositories("registry.cn-hangzhou.aliyuncs.com", &hosts, &memory);
        let listed: Vec<(&str, OfferSource)> = offered
            .repositories
            .iter()
            .map(|o| (o.repository.repository(), o.source))
            .collect();
        assert_eq!(
            listed,
            [
                ("myns/app", OfferSource::Configured),
                ("myns/base", OfferSource::Configured),
                ("myns/full", OfferSource::Configured),
                ("myns/opened", OfferSource::OpenedBefore),
            ]
        );
        assert_eq!(offered.refused.len(), 1);
        assert_eq!(offered.refused[0].name, "MyNs/Bad");
        // Docker Hub's legacy name in the config is Docker Hub.
        let hub: RegistryHosts =
            toml::from_str("[\"index.docker.io\"]\nrepositories = [\"library/nginx\"]\n").unwrap();
        let offered = offered_repositories("docker.io", &hub, &RememberedRepositories::default());
        assert_eq!(offered.repositories[0].repository.familiar(), "nginx");
        // Unknown keys in a host table are an error, as everywhere in the config.
        assert!(toml::from_str::<RegistryHosts>("[\"h\"]\nrepos = []\n").is_err());
    }
}
