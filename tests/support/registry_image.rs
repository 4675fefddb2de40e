//! A `registry:2`-like image built without network: Debian's `/usr/bin/docker-registry` as
//! `/bin/registry`, the shared libraries `ldd` lists for it, and a config that listens on
//! :5000 and stores under `/var/lib/registry` (as the official image does), imported through
//! wharf's engine layer.

use std::path::Path;
use std::process::Command;

use wharf::docker::{Engine, ImageId};

use super::engine::{Scratch, import_archive};

const REGISTRY_BIN: &str = "/usr/bin/docker-registry";

/// The official image's config, trimmed: listen on :5000, store under /var/lib/registry.
const CONFIG: &str = "version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
  delete:
    enabled: true
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
";

/// The image's config changes: what the official image runs and declares.
const CHANGES: &[&str] = &[
    r#"ENTRYPOINT ["/bin/registry"]"#,
    r#"CMD ["serve", "/etc/docker/registry/config.yml"]"#,
    "EXPOSE 5000",
    "VOLUME /var/lib/registry",
];

/// Imports the image as `reference` (removed with `scratch`).
pub async fn import_registry_image(
    engine: &Engine,
    scratch: &mut Scratch,
    reference: &str,
) -> ImageId {
    import_archive(engine, scratch, reference, registry_rootfs(), CHANGES).await
}

/// The root filesystem as a tar archive.
pub fn registry_rootfs() -> Vec<u8> {
    let binary = std::fs::read(REGISTRY_BIN).unwrap_or_else(|e| {
        panic!("cannot read {REGISTRY_BIN} ({e}); install Debian's docker-registry")
    });
    let mut builder = tar::Builder::new(Vec::new());
    let mut directories: Vec<String> = vec![
        "bin/".into(),
        "etc/".into(),
        "etc/docker/".into(),
        "etc/docker/registry/".into(),
        "tmp/".into(),
        "var/".into(),
        "var/lib/".into(),
        "var/lib/registry/".into(),
    ];
    let libraries = shared_libraries(REGISTRY_BIN);
    for library in &libraries {
        let mut parent = String::new();
        for part in library
            .trim_start_matches('/')
            .split('/')
            .rev()
            .skip(1)
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            parent.push_str(part);
            parent.push('/');
            if !directories.contains(&parent) {
                directories.push(parent.clone());
            }
        }
    }
    for directory in &directories {
        let mode = if directory == "tmp/" { 0o1777 } else { 0o755 };
        append(
            &mut builder,
            directory,
            tar::EntryType::Directory,
            mode,
            &[],
        );
    }
    append(
        &mut builder,
        "bin/registry",
        tar::EntryType::Regular,
        0o755,
        &binary,
    );
    for library in &libraries {
        // fs::read follows the symlinks the loader paths usually are.
        let contents =
            std::fs::read(library).unwrap_or_else(|e| panic!("cannot read {library}: {e}"));
        append(
            &mut builder,
            library.trim_start_matches('/'),
            tar::EntryType::Regular,
            0o755,
            &contents,
        );
    }
    append(
        &mut builder,
        "etc/docker/registry/config.yml",
        tar::EntryType::Regular,
        0o644,
        CONFIG.as_bytes(),
    );
    builder.into_inner().expect("tar: finish")
}

fn append(
    builder: &mut tar::Builder<Vec<u8>>,
    path: &str,
    kind: tar::EntryType,
    mode: u32,
    contents: &[u8],
) {
    let mut header = tar::Header::new_gnu();
    header.set_entry_type(kind);
    header.set_mode(mode);
    header.set_size(contents.len() as u64);
    header.set_mtime(1_600_000_000);
    header.set_uid(0);
    header.set_gid(0);
    builder
        .append_data(&mut header, path, contents)
        .unwrap_or_else(|e| panic!("tar: {path}: {e}"));
}

/// The absolute paths of the shared libraries (and the loader) `ldd` lists for `binary`.
fn shared_libraries(binary: &str) -> Vec<String> {
    let output = Command::new("ldd")
        .arg(binary)
        .output()
        .unwrap_or_else(|e| panic!("cannot run ldd: {e}"));
    let text = String::from_utf8_lossy(&output.stdout);
    if text.contains("not a dynamic executable") || text.contains("statically linked") {
        return Vec::new();
    }
    text.lines()
        .filter_map(|line| {
            // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
            let path = match line.split_once("=>") {
                Some((_, rest)) => rest.split_whitespace().next()?,
                None => line.split_whitespace().next()?,
            };
            (path.starts_with('/') && Path::new(path).exists()).then(|| path.to_string())
        })
        .collect()
}
