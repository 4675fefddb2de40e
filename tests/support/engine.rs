//! The real Docker engine for integration tests.
//!
//! - [`engine_or_skip`] connects the way wharf does (its own `Engine::connect` to the target
//!   `docker::target::resolve` finds in the environment). Without an engine a test prints why
//!   and returns early, except under `CI=true`, where a missing engine is a failure.
//! - [`Rootfs`] builds a runnable root filesystem archive (Debian's static busybox plus applet
//!   symlinks) in memory, deterministically, as tar or tar.gz.
//! - [`Scratch`] hands out unique names (`wharf-test-<pid>-<counter>-…`) and removes exactly the
//!   containers, volumes and images a test registered with it when it is dropped, also when the test
//!   panics.
//! - [`import_test_image`] imports through wharf's engine layer (`Engine::import_image`).
//! - [`docker`] runs the docker CLI for setup steps the engine layer does not offer yet.

use std::future::Future;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use wharf::docker::target::{self, TargetInputs};
use wharf::docker::{Engine, EngineInfo, ImageId, ImportRequest};

/// The config change most test images are imported with.
pub const CMD_SH: &str = r#"CMD ["/bin/sh"]"#;

/// Where Debian's `busybox-static` puts its binary.
pub const BUSYBOX: &str = "/bin/busybox";

/// Every name a test makes starts with this, followed by the process ID.
pub const PREFIX: &str = "wharf-test";

/// Applets linked to busybox in every test rootfs.
const APPLETS: &[&str] = &[
    "sh", "echo", "sleep", "cat", "rm", "mkdir", "touch", "ls", "true", "false", "env", "head",
    "printf", "mv", "cp", "ln", "chmod", "wc", "grep", "sed", "id", "uname", "dd", "sync",
];

/// Modification time of every archive entry, so the same inputs give the same bytes.
const MTIME: u64 = 1_600_000_000;

/// Whether this run is CI (`CI=true`), where a missing engine fails instead of skipping.
pub fn is_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Says why the test cannot run: a skip normally, a failure under `CI=true`.
pub fn skip<T>(why: &str) -> Option<T> {
    assert!(
        !is_ci(),
        "no Docker engine, and CI=true makes that a failure: {why}"
    );
    eprintln!("skipping: no Docker engine ({why})");
    None
}

/// Connects to the engine the environment names, as wharf would; `None` (after printing
/// why) when there is none. Under `CI=true` a missing engine panics.
pub async fn engine_or_skip() -> Option<Engine> {
    connect_or_skip().await.map(|(engine, _)| engine)
}

/// Like [`engine_or_skip`], also returning what the engine said about itself.
pub async fn connect_or_skip() -> Option<(Engine, EngineInfo)> {
    let target = match target::resolve(&TargetInputs::from_env()) {
        Ok(target) => target,
        Err(e) => return skip(&format!("cannot resolve the engine address: {e}")),
    };
    match Engine::connect(&target).await {
        Ok(connected) => Some(connected),
        Err(e) if e.message.contains(&target.host) => skip(&e.to_string()),
        Err(e) => skip(&format!("{}: {e}", target.host)),
    }
}

/// For tests that are not async: whether an engine is reachable (same skip rules).
pub fn engine_available_or_skip() -> bool {
    block_on(engine_or_skip()).is_some()
}

/// Runs a future to completion on a small runtime of its own.
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime for the test")
        .block_on(future)
}

// ----- names and cleanup ---------------------------------------------------------------------

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A name no other test (in this or another process) uses: `wharf-test-<pid>-<n>-<label>`.
/// Lowercase, so it is a valid repository name when `label` is.
pub fn unique_name(label: &str) -> String {
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("{PREFIX}-{}-{n}-{label}", std::process::id())
}

/// The images and containers one test made. Dropping it removes them (containers first,
/// then images newest first so children go before their parents), and nothing else.
#[derive(Debug, Default)]
pub struct Scratch {
    images: Vec<String>,
    containers: Vec<String>,
    volumes: Vec<String>,
}

impl Scratch {
    pub fn new() -> Self {
        Scratch::default()
    }

    /// Remembers an image (ID or reference) to remove at the end.
    pub fn track_image(&mut self, reference: impl Into<String>) {
        self.images.push(reference.into());
    }

    /// Remembers a container (name or ID) to remove at the end.
    pub fn track_container(&mut self, name: impl Into<String>) {
        self.containers.push(name.into());
    }

    /// Remembers a named volume to remove at the end (after the containers using it).
    pub fn track_volume(&mut self, name: impl Into<String>) {
        self.volumes.push(name.into());
    }

    /// `docker tag SOURCE TARGET`, tracked.
    pub fn tag(&mut self, source: &str, target: &str) {
        self.track_image(target);
        docker(&["tag", source, target]);
    }

    /// A new container name from `label`, tracked.
    fn container_name(&mut self, label: &str) -> String {
        let name = unique_name(label);
        self.track_container(&name);
        name
    }

    /// Runs `COMMAND` in a new container of `image` to completion (`docker run` without
    /// `--rm`, so it can be committed) and returns the container's name.
    pub fn run_to_completion(&mut self, image: &str, command: &[&str]) -> String {
        let name = self.container_name("ctr");
        docker(&[&["run", "--name", name.as_str(), image][..], command].concat());
        name
    }

    /// Runs `COMMAND` (or the image's own) in a throwaway container of `image` (`docker run
    /// --rm`, named after `label` and tracked in case it outlives the run); its trimmed
    /// output. Panics when the run fails.
    pub fn run_once(&mut self, label: &str, image: &str, command: &[&str]) -> String {
        let name = self.container_name(label);
        docker(
            &[
                &["run", "--rm", "--name", name.as_str(), image][..],
                command,
            ]
            .concat(),
        )
    }

    /// `docker commit -m MESSAGE CONTAINER REFERENCE`, tracked; returns the new image's ID.
    pub fn commit(&mut self, container: &str, reference: &str, message: &str) -> ImageId {
        self.track_image(reference);
        let id = docker(&["commit", "-m", message, container, reference]);
        self.track_image(&id);
        ImageId(id)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for container in self.containers.iter().rev() {
            remove_quietly(&["rm", "-f", "-v", container]);
        }
        for volume in self.volumes.iter().rev() {
            remove_quietly(&["volume", "rm", "-f", volume]);
        }
        for image in self.images.iter().rev() {
            remove_quietly(&["rmi", "-f", image]);
        }
    }
}

/// Runs a removal; "no such" answers are fine (the test or an earlier step removed it).
fn remove_quietly(args: &[&str]) {
    match Command::new("docker").args(args).output() {
        Ok(out) if out.status.success() => {}
        Ok(out) => {
            let stderr = String::from_utf8_lossy(&out.stderr);
            if !stderr.contains("No such") {
                eprintln!(
                    "cleanup: docker {} failed: {}",
                    args.join(" "),
                    stderr.trim()
                );
            }
        }
        Err(e) => eprintln!("cleanup: cannot run docker {}: {e}", args.join(" ")),
    }
}

// ----- the docker CLI ------------------------------------------------------------------------

/// Runs the docker CLI and returns its trimmed stdout; panics with its stderr on failure.
pub fn docker(args: &[&str]) -> String {
    let out = docker_output(args);
    assert!(
        out.status.success(),
        "docker {} failed ({}): {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr).trim()
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs the docker CLI and returns whatever happened.
pub fn docker_output(args: &[&str]) -> Output {
    Command::new("docker")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run docker {}: {e}", args.join(" ")))
}

/// `docker image inspect --format FORMAT REFERENCE`, trimmed; `None` when there is no such
/// image.
pub fn inspect_image(reference: &str, format: &str) -> Option<String> {
    let out = docker_output(&["image", "inspect", "--format", format, reference]);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The engine has `reference` as the image `id`, and knows it by `repository@digest` (as
/// after a pull of what a push made).
pub fn assert_image_known_by_digest(reference: &str, id: &str, repository: &str, digest: &str) {
    assert_eq!(inspect_image(reference, "{{.Id}}").as_deref(), Some(id));
    let digests = inspect_image(reference, "{{json .RepoDigests}}").unwrap();
    assert!(
        digests.contains(&format!("{repository}@{digest}")),
        "{digests}"
    );
}

/// The engine's size in bytes of an image, as `docker image inspect` reports it.
pub fn inspected_size(reference: &str) -> u64 {
    let text = docker(&["image", "inspect", "--format", "{{.Size}}", reference]);
    text.parse()
        .unwrap_or_else(|e| panic!("size {text:?} of {reference}: {e}"))
}

// ----- root filesystems ----------------------------------------------------------------------

/// A root filesystem for a runnable test image: `/bin/busybox` from the host, applet
/// symlinks, a few empty directories and any extra files.
#[derive(Debug, Clone)]
pub struct Rootfs {
    busybox: Vec<u8>,
    files: Vec<(String, Vec<u8>)>,
}

impl Rootfs {
    /// Busybox and its applets. Panics with a hint when `busybox-static` is missing.
    pub fn busybox() -> Self {
        let busybox = std::fs::read(BUSYBOX).unwrap_or_else(|e| {
            panic!("cannot read {BUSYBOX} ({e}); install Debian's busybox-static")
        });
        Rootfs {
            busybox,
            files: Vec::new(),
        }
    }

    /// Adds a regular file (mode 0644); `path` is relative to `/`, e.g. `etc/motd`.
    pub fn file(mut self, path: &str, contents: impl Into<Vec<u8>>) -> Self {
        self.files
            .push((path.trim_start_matches('/').to_string(), contents.into()));
        self
    }

    /// The archive as an uncompressed tar.
    pub fn tar(&self) -> Vec<u8> {
        let mut builder = tar::Builder::new(Vec::new());
        for dir in ["bin/", "etc/", "root/", "tmp/"] {
            let mode = if dir == "tmp/" { 0o1777 } else { 0o755 };
            let mut header = entry_header(tar::EntryType::Directory, mode, 0);
            builder
                .append_data(&mut header, dir, std::io::empty())
                .expect("tar: directory");
        }
        let mut header = entry_header(tar::EntryType::Regular, 0o755, self.busybox.len() as u64);
        builder
            .append_data(&mut header, "bin/busybox", self.busybox.as_slice())
            .expect("tar: busybox");
        for applet in APPLETS {
            let mut header = entry_header(tar::EntryType::Symlink, 0o777, 0);
            builder
                .append_link(&mut header, format!("bin/{applet}"), "busybox")
                .expect("tar: symlink");
        }
        for (path, contents) in &self.files {
            let mut header = entry_header(tar::EntryType::Regular, 0o644, contents.len() as u64);
            builder
                .append_data(&mut header, path, contents.as_slice())
                .expect("tar: file");
        }
        builder.into_inner().expect("tar: finish")
    }

    /// The archive as tar compressed with gzip (header without a timestamp).
    pub fn tar_gz(&self) -> Vec<u8> {
        use std::io::Write;
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        encoder.write_all(&self.tar()).expect("gzip");
        encoder.finish().expect("gzip: finish")
    }
}

fn entry_header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_size(size);
    header.set_mtime(MTIME);
    header.set_uid(0);
    header.set_gid(0);
    header
}

// ----- importing through wharf ---------------------------------------------------------------

/// `repository:tag` → (`repository`, `tag`); no tag means `latest`.
pub fn split_reference(reference: &str) -> (&str, &str) {
    let name_start = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[name_start..].rfind(':') {
        Some(i) => (
            &reference[..name_start + i],
            &reference[name_start + i + 1..],
        ),
        None => (reference, "latest"),
    }
}

/// Imports a busybox rootfs as `reference` through wharf's engine layer, with Dockerfile-style
/// `changes` such as `CMD ["/bin/sh"]`; the image is removed when `scratch` is dropped.
pub async fn import_test_image(
    engine: &Engine,
    scratch: &mut Scratch,
    reference: &str,
    changes: &[&str],
) -> ImageId {
    import_archive(engine, scratch, reference, Rootfs::busybox().tar(), changes).await
}

/// Imports any archive (tar, tar.gz …) as `reference` through `Engine::import_image`.
pub async fn import_archive(
    engine: &Engine,
    scratch: &mut Scratch,
    reference: &str,
    archive: Vec<u8>,
    changes: &[&str],
) -> ImageId {
    // Tracked before the import so a half-finished import is cleaned up too.
    scratch.track_image(reference);
    let (repository, tag) = split_reference(reference);
    let request = ImportRequest {
        repository: repository.to_string(),
        tag: tag.to_string(),
        message: Some(format!("imported by {}", env!("CARGO_CRATE_NAME"))),
        changes: changes.iter().map(|c| c.to_string()).collect(),
    };
    let body = futures::stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from(archive))]);
    let id = engine
        .import_image(&request, body)
        .await
        .unwrap_or_else(|e| panic!("importing {reference} through wharf failed: {e}"));
    scratch.track_image(&id.0);
    id
}

/// The docker CLI with `config` as its config directory and nothing else choosing an engine
/// (`DOCKER_HOST`, `DOCKER_CONTEXT` removed); fails the test when it fails. Its output.
pub fn docker_in(config: &std::path::Path, args: &[&str]) -> String {
    let out = Command::new("docker")
        .args(args)
        .env("DOCKER_CONFIG", config)
        .env_remove("DOCKER_HOST")
        .env_remove("DOCKER_CONTEXT")
        .output()
        .expect("run docker");
    assert!(
        out.status.success(),
        "docker {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}
