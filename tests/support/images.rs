//! Image archives written by the tests themselves: layer tars with whiteouts and opaque
//! markers, the classic `docker save` layout (manifest last, layers out of order) and OCI
//! layouts with gzip or zstd layers; and dive's waste numbers computed the plain way, to
//! check the implementation against.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use sha2::{Digest, Sha256};

/// One entry of a layer.
#[derive(Debug, Clone)]
pub enum E {
    Dir(&'static str),
    File(&'static str, Vec<u8>),
    Symlink(&'static str, &'static str),
    HardLink(&'static str, &'static str),
    /// `.wh.NAME` for this path.
    Whiteout(&'static str),
    /// `DIR/.wh..wh..opq`.
    Opaque(&'static str),
}

pub fn file(path: &'static str, size: usize) -> E {
    E::File(path, vec![b'x'; size])
}

pub fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    format!("sha256:{}", hex(&digest))
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn header(kind: tar::EntryType, mode: u32, size: u64) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(1_600_000_000);
    h.set_uid(0);
    h.set_gid(0);
    h
}

/// The layer as an uncompressed tar.
pub fn layer_tar(entries: &[E]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        match e {
            E::Dir(p) => {
                let mut h = header(tar::EntryType::Directory, 0o755, 0);
                b.append_data(
                    &mut h,
                    format!("{}/", p.trim_end_matches('/')),
                    std::io::empty(),
                )
                .unwrap();
            }
            E::File(p, data) if p.starts_with('/') || p.contains("..") => {
                // The tar crate refuses such names: write them into the header ourselves.
                let mut h = header(tar::EntryType::Regular, 0o644, data.len() as u64);
                h.as_old_mut().name[..p.len()].copy_from_slice(p.as_bytes());
                h.set_cksum();
                b.append(&h, data.as_slice()).unwrap();
            }
            E::File(p, data) => {
                let mut h = header(tar::EntryType::Regular, 0o644, data.len() as u64);
                b.append_data(&mut h, p, data.as_slice()).unwrap();
            }
            E::Symlink(p, t) => {
                let mut h = header(tar::EntryType::Symlink, 0o777, 0);
                b.append_link(&mut h, p, t).unwrap();
            }
            E::HardLink(p, t) => {
                let mut h = header(tar::EntryType::Link, 0o644, 0);
                b.append_link(&mut h, p, t).unwrap();
            }
            E::Whiteout(p) => {
                let (dir, name) = p.rsplit_once('/').map_or(("", *p), |(d, n)| (d, n));
                let path = if dir.is_empty() {
                    format!(".wh.{name}")
                } else {
                    format!("{dir}/.wh.{name}")
                };
                let mut h = header(tar::EntryType::Regular, 0o644, 0);
                b.append_data(&mut h, path, std::io::empty()).unwrap();
            }
            E::Opaque(d) => {
                let mut h = header(tar::EntryType::Regular, 0o644, 0);
                b.append_data(&mut h, format!("{d}/.wh..wh..opq"), std::io::empty())
                    .unwrap();
            }
        }
    }
    b.into_inner().unwrap()
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).unwrap();
    gz.finish().unwrap()
}

pub fn zstd(bytes: &[u8]) -> Vec<u8> {
    ruzstd::encoding::compress_to_vec(bytes, ruzstd::encoding::CompressionLevel::Fastest)
}

/// The image config for these layer tars.
pub fn config_json(tars: &[Vec<u8>]) -> Vec<u8> {
    let diff_ids: Vec<String> = tars.iter().map(|t| sha256(t)).collect();
    let history: Vec<serde_json::Value> = (0..tars.len())
        .map(|i| serde_json::json!({"created": "2024-01-01T00:00:00Z", "created_by": format!("step {i}")}))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-01-01T00:00:00Z",
        "config": {"Cmd": ["/bin/sh"]},
        "history": history,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }))
    .unwrap()
}

fn append_file(b: &mut tar::Builder<Vec<u8>>, path: &str, data: &[u8]) {
    let mut h = header(tar::EntryType::Regular, 0o644, data.len() as u64);
    b.append_data(&mut h, path, data).unwrap();
}

/// A `docker save` archive (loadable by `docker load`): layer directories first, in reverse
/// order, then the config, and `manifest.json` last.
pub fn docker_save(tars: &[Vec<u8>], repo_tag: &str) -> Vec<u8> {
    let config = config_json(tars);
    let config_name = format!("{}.json", &sha256(&config)[7..]);
    let mut b = tar::Builder::new(Vec::new());
    let mut layer_paths = Vec::new();
    for (i, t) in tars.iter().enumerate() {
        // Directory names need only be unique; make them differ from the digest.
        layer_paths.push(format!("{:064x}/layer.tar", i + 1));
        let _ = t;
    }
    for (i, t) in tars.iter().enumerate().rev() {
        let dir = layer_paths[i].trim_end_matches("/layer.tar").to_string();
        append_file(&mut b, &format!("{dir}/VERSION"), b"1.0");
        append_file(&mut b, &format!("{dir}/json"), br#"{"id":"x"}"#);
        append_file(&mut b, &layer_paths[i], t);
    }
    append_file(&mut b, &config_name, &config);
    let manifest = serde_json::json!([{
        "Config": config_name,
        "RepoTags": [repo_tag],
        "Layers": layer_paths,
    }]);
    append_file(
        &mut b,
        "manifest.json",
        &serde_json::to_vec(&manifest).unwrap(),
    );
    b.into_inner().unwrap()
}

/// How an OCI layout stores a layer.
#[derive(Debug, Clone, Copy)]
pub enum Packing {
    Plain,
    Gzip,
    Zstd,
}

/// The files of an OCI layout (path, bytes), blobs first and `index.json` last.
pub fn oci_layout(layers: &[(Vec<u8>, Packing)]) -> Vec<(String, Vec<u8>)> {
    let tars: Vec<Vec<u8>> = layers.iter().map(|(t, _)| t.clone()).collect();
    let config = config_json(&tars);
    let mut files = Vec::new();
    let mut descriptors = Vec::new();
    for (tar, packing) in layers {
        let (bytes, media) = match packing {
            Packing::Plain => (tar.clone(), "application/vnd.oci.image.layer.v1.tar"),
            Packing::Gzip => (gzip(tar), "application/vnd.oci.image.layer.v1.tar+gzip"),
            Packing::Zstd => (zstd(tar), "application/vnd.oci.image.layer.v1.tar+zstd"),
        };
        let digest = sha256(&bytes);
        descriptors
            .push(serde_json::json!({"mediaType": media, "digest": digest, "size": bytes.len()}));
        files.push((format!("blobs/sha256/{}", &digest[7..]), bytes));
    }
    let config_digest = sha256(&config);
    let manifest = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config.len()},
        "layers": descriptors,
    }))
    .unwrap();
    let manifest_digest = sha256(&manifest);
    let index = serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": [{
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": manifest_digest,
            "size": manifest.len(),
            "platform": {"os": "linux", "architecture": "amd64"},
        }],
    }))
    .unwrap();
    files.push((format!("blobs/sha256/{}", &config_digest[7..]), config));
    files.push((format!("blobs/sha256/{}", &manifest_digest[7..]), manifest));
    files.push((
        "oci-layout".into(),
        br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec(),
    ));
    files.push(("index.json".into(), index));
    files
}

pub fn write_dir(dir: &std::path::Path, files: &[(String, Vec<u8>)]) {
    for (path, bytes) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
    }
}

pub fn as_tar(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, bytes) in files {
        append_file(&mut b, path, bytes);
    }
    b.into_inner().unwrap()
}

/// dive's numbers, the plain way: per layer, its leaf entries; a whiteout counts the size of
/// what was under a directory (0 for anything else); per path the sum and the minimum.
#[derive(Debug, Clone, PartialEq)]
pub struct Waste {
    pub size: u64,
    pub user_size: u64,
    pub wasted: u64,
    pub efficiency: f64,
    /// (path, count, wasted), largest first.
    pub paths: Vec<(String, u32, u64)>,
}

/// Only for layers with per-file whiteouts (no opaque markers): what dive computes.
pub fn dive_waste(layers: &[Vec<E>]) -> Waste {
    // Stacked view: path → (is_dir, size).
    let mut stacked: BTreeMap<String, (bool, u64)> = BTreeMap::new();
    let mut per_path: BTreeMap<String, (u64, u64, u32)> = BTreeMap::new();
    let mut sizes = Vec::new();
    let record = |per_path: &mut BTreeMap<String, (u64, u64, u32)>, path: String, size: u64| {
        let e = per_path.entry(path).or_insert((0, u64::MAX, 0));
        e.0 += size;
        e.1 = e.1.min(size);
        e.2 += 1;
    };
    for layer in layers {
        let paths: Vec<(String, &E)> = layer
            .iter()
            .map(|e| {
                let p = match e {
                    E::Dir(p)
                    | E::File(p, _)
                    | E::Symlink(p, _)
                    | E::HardLink(p, _)
                    | E::Whiteout(p) => p.trim_end_matches('/').to_string(),
                    E::Opaque(_) => panic!("dive_waste: no opaque markers"),
                };
                (p, e)
            })
            .collect();
        let parents: BTreeSet<String> = paths
            .iter()
            .flat_map(|(p, _)| {
                let parts: Vec<&str> = p.split('/').collect();
                (1..parts.len())
                    .map(move |n| parts[..n].join("/"))
                    .collect::<Vec<_>>()
            })
            .collect();
        let size: u64 = layer
            .iter()
            .map(|e| {
                if let E::File(_, d) = e {
                    d.len() as u64
                } else {
                    0
                }
            })
            .sum();
        sizes.push(size);
        for (p, e) in &paths {
            match e {
                E::Whiteout(_) => {
                    let Some(&(is_dir, _)) = stacked.get(p) else {
                        continue;
                    };
                    let under: u64 = if is_dir {
                        stacked
                            .range(format!("{p}/")..)
                            .take_while(|(k, _)| k.starts_with(&format!("{p}/")))
                            .map(|(_, (_, s))| s)
                            .sum()
                    } else {
                        0
                    };
                    // The whiteout node sits in the parent directory, which is then no leaf.
                    record(&mut per_path, p.clone(), under);
                }
                _ if parents.contains(p) => {}
                E::File(_, d) => record(&mut per_path, p.clone(), d.len() as u64),
                _ => record(&mut per_path, p.clone(), 0),
            }
        }
        for (p, e) in &paths {
            if let E::Whiteout(_) = e {
                stacked.retain(|k, _| k != p && !k.starts_with(&format!("{p}/")));
            }
        }
        for (p, e) in &paths {
            let entry = match e {
                E::Dir(_) => (true, 0),
                E::File(_, d) => (false, d.len() as u64),
                E::Symlink(..) | E::HardLink(..) => (false, 0),
                _ => continue,
            };
            let parts: Vec<&str> = p.split('/').collect();
            for n in 1..parts.len() {
                stacked.entry(parts[..n].join("/")).or_insert((true, 0));
            }
            stacked.insert(p.clone(), entry);
        }
    }
    let (mut min_sum, mut cum_sum, mut wasted) = (0u64, 0u64, 0u64);
    let mut list = Vec::new();
    for (p, (cum, min, count)) in &per_path {
        min_sum += min;
        cum_sum += cum;
        if *count >= 2 {
            wasted += cum;
            list.push((format!("/{p}"), *count, *cum));
        }
    }
    list.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    Waste {
        size: sizes.iter().sum(),
        user_size: sizes.iter().skip(1).sum(),
        wasted,
        efficiency: if cum_sum == 0 {
            1.0
        } else {
            min_sum as f64 / cum_sum as f64
        },
        paths: list,
    }
}
