//! Image archives: `docker save` (classic `manifest.json` + `<id>/layer.tar`, plain or
//! gzip-compressed) and OCI layouts (`index.json`, `blobs/sha256/…`, as a tar or a
//! directory). Read in one pass: layers are indexed as they stream by, identified by the
//! digest of their bytes, and ordered once the manifest (which may come last) is read.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;

use super::{
    ImagePlan, LayerInfo, LoadError, LoadEvent, ProgressTicker, Sink, index_blob, short_digest,
};
use crate::layerfs::compress::decompressed;
use crate::layerfs::index::normalise;
use crate::layerfs::tarscan::{TarKind, TarScanner};
use crate::registry::manifest::{Manifest, parse_config, parse_manifest};
use crate::registry::{Descriptor, ImageConfig, Platform};

/// Largest JSON document (manifest, config, index) kept from an archive.
const JSON_LIMIT: u64 = 16 * 1024 * 1024;
/// All JSON documents kept from one archive together.
const JSON_TOTAL_LIMIT: usize = 64 * 1024 * 1024;

/// Starts reading a saved image on a blocking thread (see [`read_path`]).
pub fn load_path(path: std::path::PathBuf, platform: Option<Platform>) -> super::LoadHandle {
    let (handle, mut sink) = super::ChannelSink::pair();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = read_path(&path, platform.as_ref(), &mut sink) {
            sink.fail(e);
        }
    });
    handle
}

/// Opens a saved image: a `docker save` tar (plain or gzip), an OCI layout tar, or an OCI
/// layout directory.
pub fn read_path(
    path: &Path,
    platform: Option<&Platform>,
    sink: &mut dyn Sink,
) -> Result<(), LoadError> {
    let name = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| LoadError::new(format!("cannot open {name}: {}", io_reason(&e))))?;
    if meta.is_dir() {
        return read_oci_dir(path, platform, sink);
    }
    let file = File::open(path)
        .map_err(|e| LoadError::new(format!("cannot open {name}: {}", io_reason(&e))))?;
    read_stream(file, &name, Some(meta.len()), None, platform, sink)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Reads an image archive stream (optionally gzip/zstd-compressed as a whole).
/// `plan`: the layers, when the caller knows them already (the engine told): then each layer
/// is placed the moment it has been hashed, and the archive's own manifest is not needed.
pub fn read_stream<R: Read + Send>(
    reader: R,
    name: &str,
    total_bytes: Option<u64>,
    plan: Option<ImagePlan>,
    platform: Option<&Platform>,
    sink: &mut dyn Sink,
) -> Result<(), LoadError> {
    let progress = Arc::clone(sink.progress_bytes());
    let counted = super::super::compress::HashingReader::new(reader).with_progress(progress);
    let (_, stream) = decompressed(counted).map_err(|e| LoadError::new(format!("{name}: {e}")))?;
    let mut ticker = ProgressTicker::new(plan.as_ref().map(|p| p.layers.len()), total_bytes);
    let plan_known = plan.is_some();
    if let Some(plan) = plan {
        sink.send(LoadEvent::Plan(plan))?;
    }
    let mut reader = ArchiveReader {
        name,
        jsons: HashMap::new(),
        json_bytes: 0,
        layers_by_path: HashMap::new(),
        layers_by_blob: HashMap::new(),
        links: HashMap::new(),
    };
    let mut scanner = TarScanner::new(stream);
    loop {
        if sink.cancel_flag().is_cancelled() {
            return Err(LoadError::cancelled());
        }
        let header = match scanner.next_header() {
            Ok(Some(h)) => h,
            Ok(None) => break,
            Err(e) => {
                if sink.cancel_flag().is_cancelled() {
                    return Err(LoadError::cancelled());
                }
                return Err(LoadError::new(format!("{name}: {e}")));
            }
        };
        let Some(parts) = normalise(&header.path) else {
            continue;
        };
        let path = String::from_utf8_lossy(&parts.join(&b'/')).into_owned();
        match header.kind {
            TarKind::Symlink | TarKind::HardLink => {
                // `docker save` links a layer listed twice to its first copy.
                let base = if header.kind == TarKind::Symlink {
                    path.rsplit_once('/').map_or("", |(dir, _)| dir).to_string()
                } else {
                    String::new()
                };
                let joined = if base.is_empty() {
                    header.link.clone()
                } else {
                    [base.as_bytes(), b"/", &header.link].concat()
                };
                if let Some(target) = normalise(&joined) {
                    let target = String::from_utf8_lossy(&target.join(&b'/')).into_owned();
                    reader.links.insert(path, target);
                }
                continue;
            }
            TarKind::File => {}
            _ => continue,
        }
        let mut entry = BufReader::with_capacity(
            64 * 1024,
            EntryReader {
                scanner: &mut scanner,
            },
        );
        let is_blob = path.starts_with("blobs/");
        let is_layer_name =
            path.ends_with(".tar") || path.ends_with(".tar.gz") || path.ends_with(".tgz");
        if !is_blob && !is_layer_name {
            if path.ends_with(".json") || path == "oci-layout" || path == "repositories" {
                let body = read_json_entry(&mut entry, header.size, name, &path)?;
                reader.keep_json(path, body)?;
            }
            continue;
        }
        // A blob may be JSON (manifest, config, index) or a layer: look before reading on.
        let looks_like_json = is_blob
            && header.size <= JSON_LIMIT
            && entry
                .fill_buf()
                .map_err(|e| LoadError::new(format!("{name}: {e}")))?
                .trim_ascii_start()
                .first()
                == Some(&b'{');
        let label = blob_label(&path);
        let blob = if looks_like_json {
            let body = read_json_entry(&mut entry, header.size, name, &path)?;
            if serde_json::from_slice::<serde::de::IgnoredAny>(&body).is_ok() {
                reader.keep_json(path, body)?;
                continue;
            }
            index_blob(&body[..], &label, sink.progress_bytes(), sink.cancel_flag())?
        } else {
            let counter = Arc::default();
            index_blob(&mut entry, &label, &counter, sink.cancel_flag())?
        };
        drop(entry);
        for warning in blob.index.warnings() {
            sink.send(LoadEvent::Warning(format!(
                "layer {}: {warning}",
                short_digest(&blob.diff_id)
            )))?;
        }
        let index = Arc::new(blob.index);
        reader
            .layers_by_path
            .insert(path.clone(), blob.diff_id.clone());
        reader
            .layers_by_blob
            .insert(blob.blob_digest.clone(), blob.diff_id.clone());
        sink.send(LoadEvent::Layer {
            diff_id: blob.diff_id,
            index,
            cached: false,
            locator: Some(path),
        })?;
        ticker.layers_done += 1;
        ticker.report(sink, true)?;
    }
    // Bytes after the archive's end (padding) still belong to it.
    let mut rest = scanner.into_inner();
    let _ = std::io::copy(&mut rest, &mut std::io::sink());
    if !plan_known {
        let plan = reader.plan(platform)?;
        sink.send(LoadEvent::Plan(plan))?;
    }
    ticker.report(sink, true)?;
    sink.send(LoadEvent::Done)
}

/// The current entry's data as a reader.
struct EntryReader<'a, R: Read> {
    scanner: &'a mut TarScanner<R>,
}

impl<R: Read> Read for EntryReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.scanner
            .read_data(buf)
            .map_err(|e| std::io::Error::other(e.to_string()))
    }
}

fn read_json_entry(
    entry: &mut impl Read,
    size: u64,
    name: &str,
    path: &str,
) -> Result<Vec<u8>, LoadError> {
    if size > JSON_LIMIT {
        return Err(LoadError::new(format!(
            "{name}: {path} is larger than 16 MiB"
        )));
    }
    let mut body = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    entry
        .take(JSON_LIMIT)
        .read_to_end(&mut body)
        .map_err(|e| LoadError::new(format!("{name}: {path}: {e}")))?;
    Ok(body)
}

/// `sha256:abc…` for a blob path, the path otherwise.
fn blob_label(path: &str) -> String {
    match path
        .strip_prefix("blobs/")
        .and_then(|rest| rest.split_once('/'))
    {
        Some((alg, hex)) => short_digest(&format!("{alg}:{hex}")).to_string(),
        None => path.to_string(),
    }
}

struct ArchiveReader<'a> {
    name: &'a str,
    /// JSON documents by archive path.
    jsons: HashMap<String, Vec<u8>>,
    json_bytes: usize,
    /// Layer diff IDs by archive path and by blob digest.
    layers_by_path: HashMap<String, String>,
    layers_by_blob: HashMap<String, String>,
    links: HashMap<String, String>,
}

#[derive(Deserialize)]
struct ClassicEntry {
    #[serde(rename = "Config")]
    config: String,
    #[serde(rename = "Layers", default)]
    layers: Vec<String>,
}

impl ArchiveReader<'_> {
    fn keep_json(&mut self, path: String, body: Vec<u8>) -> Result<(), LoadError> {
        self.json_bytes += body.len();
        if self.json_bytes > JSON_TOTAL_LIMIT {
            return Err(LoadError::new(format!(
                "{}: more than 64 MiB of JSON documents",
                self.name
            )));
        }
        self.jsons.insert(path, body);
        Ok(())
    }

    fn json(&self, path: &str) -> Option<&[u8]> {
        let path = self.links.get(path).map_or(path, String::as_str);
        self.jsons.get(path).map(Vec::as_slice)
    }

    fn blob_json(&self, digest: &str) -> Option<&[u8]> {
        let (alg, hex) = digest.split_once(':')?;
        self.json(&format!("blobs/{alg}/{hex}"))
    }

    fn bad(&self, what: impl std::fmt::Display) -> LoadError {
        LoadError::new(format!("{}: {what}", self.name))
    }

    /// The layer order, from `manifest.json` (docker save, also written by newer engines
    /// next to their OCI layout) or else `index.json`.
    fn plan(&self, platform: Option<&Platform>) -> Result<ImagePlan, LoadError> {
        if let Some(body) = self.json("manifest.json") {
            let entries: Vec<ClassicEntry> = serde_json::from_slice(body).map_err(|e| {
                self.bad(format!("manifest.json is not a docker save manifest ({e})"))
            })?;
            let entry = entries
                .first()
                .ok_or_else(|| self.bad("manifest.json lists no image"))?;
            let config_body = self
                .json(&entry.config)
                .ok_or_else(|| self.bad(format!("the image config {} is missing", entry.config)))?;
            let config = parse_config(config_body)
                .map_err(|e| self.bad(format!("the image config: {e}")))?;
            let mut diff_ids = Vec::new();
            for layer_path in &entry.layers {
                let resolved = self.links.get(layer_path).unwrap_or(layer_path);
                let diff_id = self.layers_by_path.get(resolved).ok_or_else(|| {
                    self.bad(format!(
                        "layer {layer_path} is listed but not in the archive"
                    ))
                })?;
                diff_ids.push(diff_id.clone());
            }
            if !config.diff_ids.is_empty() && config.diff_ids != diff_ids {
                return Err(self.bad("the layers do not match the image config's diff IDs"));
            }
            return Ok(plan_from(self.name, &config, &diff_ids, None));
        }
        let index = self.json("index.json").ok_or_else(|| {
            self.bad("neither manifest.json nor index.json: not an image archive")
        })?;
        let (config, manifest) = self.oci_image(index, platform)?;
        let mut diff_ids = Vec::new();
        for layer in &manifest.layers {
            let diff_id = self.layers_by_blob.get(&layer.digest).ok_or_else(|| {
                self.bad(format!(
                    "layer {} is listed but not in the archive",
                    short_digest(&layer.digest)
                ))
            })?;
            diff_ids.push(diff_id.clone());
        }
        if !config.diff_ids.is_empty() && config.diff_ids != diff_ids {
            return Err(self.bad("the layers do not match the image config's diff IDs"));
        }
        Ok(plan_from(
            self.name,
            &config,
            &diff_ids,
            Some(&manifest.layers),
        ))
    }

    fn oci_image(
        &self,
        index: &[u8],
        platform: Option<&Platform>,
    ) -> Result<(ImageConfig, crate::registry::ImageManifest), LoadError> {
        oci_image_with(
            index,
            platform,
            |digest| self.blob_json(digest).map(<[u8]>::to_vec),
            self.name,
        )
    }
}

/// Follows an OCI index (nested indexes too) to one image manifest and its config;
/// `blob` returns a JSON blob by digest.
pub(crate) fn oci_image_with(
    index: &[u8],
    platform: Option<&Platform>,
    blob: impl Fn(&str) -> Option<Vec<u8>>,
    name: &str,
) -> Result<(ImageConfig, crate::registry::ImageManifest), LoadError> {
    let bad = |what: String| LoadError::new(format!("{name}: {what}"));
    let mut body = index.to_vec();
    for _ in 0..8 {
        let (_, manifest) = parse_manifest(&body, None)
            .map_err(|e| bad(format!("an OCI index or manifest: {e}")))?;
        match manifest {
            Manifest::Index(index) => {
                let chosen = choose_platform(&index.manifests, platform)
                    .ok_or_else(|| bad(no_platform_message(&index.manifests, platform)))?;
                body = blob(&chosen.digest).ok_or_else(|| {
                    bad(format!(
                        "manifest {} is missing",
                        short_digest(&chosen.digest)
                    ))
                })?;
            }
            Manifest::Image(image) => {
                let config = blob(&image.config.digest).ok_or_else(|| {
                    bad(format!(
                        "the image config {} is missing",
                        short_digest(&image.config.digest)
                    ))
                })?;
                let config =
                    parse_config(&config).map_err(|e| bad(format!("the image config: {e}")))?;
                return Ok((config, image));
            }
        }
    }
    Err(bad("indexes nested more than 8 deep".into()))
}

/// The entry for `wanted` (os and architecture, variant when given), or the first one.
pub fn choose_platform<'a>(
    entries: &'a [Descriptor],
    wanted: Option<&Platform>,
) -> Option<&'a Descriptor> {
    match wanted {
        None => entries.first(),
        Some(w) => entries.iter().find(|d| {
            d.platform.as_ref().is_some_and(|p| {
                p.os == w.os
                    && p.architecture == w.architecture
                    && (w.variant.is_none() || p.variant == w.variant)
            })
        }),
    }
}

fn no_platform_message(entries: &[Descriptor], wanted: Option<&Platform>) -> String {
    let offered: Vec<String> = entries
        .iter()
        .filter_map(|d| d.platform.as_ref().map(ToString::to_string))
        .collect();
    match wanted {
        Some(w) => format!("no image for {w} (offered: {})", offered.join(", ")),
        None => "an index without images".into(),
    }
}

/// The plan: the config's history lines matched to the layers that made something.
pub(crate) fn plan_from(
    name: &str,
    config: &ImageConfig,
    diff_ids: &[String],
    descriptors: Option<&[Descriptor]>,
) -> ImagePlan {
    let mut steps = config
        .history
        .iter()
        .filter(|h| !h.empty_layer)
        .map(|h| h.created_by.clone());
    let layers = diff_ids
        .iter()
        .enumerate()
        .map(|(i, diff_id)| LayerInfo {
            diff_id: diff_id.clone(),
            created_by: steps.next().unwrap_or_default(),
            transfer_size: descriptors.and_then(|d| d.get(i)).map(|d| d.size),
        })
        .collect();
    ImagePlan {
        name: name.to_string(),
        layers,
        total_bytes: descriptors.map(|d| d.iter().map(|x| x.size).sum()),
    }
}

/// An OCI layout directory: manifests first, then each layer blob in order.
fn read_oci_dir(
    dir: &Path,
    platform: Option<&Platform>,
    sink: &mut dyn Sink,
) -> Result<(), LoadError> {
    let name = dir.display().to_string();
    let read_small = |rel: &str| -> Option<Vec<u8>> {
        let path = dir.join(rel);
        let len = std::fs::metadata(&path).ok()?.len();
        if len > JSON_LIMIT {
            return None;
        }
        std::fs::read(path).ok()
    };
    let blob_path = |digest: &str| -> Option<std::path::PathBuf> {
        let (alg, hex) = digest.split_once(':')?;
        let safe = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric());
        (safe(alg) && safe(hex)).then(|| dir.join("blobs").join(alg).join(hex))
    };
    let index = read_small("index.json")
        .ok_or_else(|| LoadError::new(format!("{name}: no index.json: not an OCI layout")))?;
    let (config, manifest) = oci_image_with(
        &index,
        platform,
        |digest| {
            let path = blob_path(digest)?;
            if std::fs::metadata(&path).ok()?.len() > JSON_LIMIT {
                return None;
            }
            std::fs::read(path).ok()
        },
        &name,
    )?;
    let total: u64 = manifest.layers.iter().map(|l| l.size).sum();
    // The plan comes first: diff IDs from the config (checked against each layer read).
    let plan = plan_from(&name, &config, &config.diff_ids, Some(&manifest.layers));
    if config.diff_ids.len() != manifest.layers.len() {
        return Err(LoadError::new(format!(
            "{name}: the manifest lists {} layers but the config {}",
            manifest.layers.len(),
            config.diff_ids.len()
        )));
    }
    let mut ticker = ProgressTicker::new(Some(plan.layers.len()), Some(total));
    sink.send(LoadEvent::Plan(plan))?;
    for (layer, diff_id) in manifest.layers.iter().zip(&config.diff_ids) {
        let label = short_digest(&layer.digest).to_string();
        let path = blob_path(&layer.digest)
            .ok_or_else(|| LoadError::new(format!("{name}: a layer with a bad digest {label}")))?;
        let file = File::open(&path)
            .map_err(|e| LoadError::new(format!("{name}: layer {label}: {}", io_reason(&e))))?;
        let progress = Arc::clone(sink.progress_bytes());
        let blob = index_blob(file, &label, &progress, sink.cancel_flag())?;
        if blob.blob_digest != layer.digest {
            return Err(LoadError::new(format!(
                "{name}: layer {label}: its content does not match its digest"
            )));
        }
        if &blob.diff_id != diff_id {
            return Err(LoadError::new(format!(
                "{name}: layer {label}: the uncompressed content does not match the config's diff ID"
            )));
        }
        sink.send(LoadEvent::Layer {
            diff_id: blob.diff_id,
            index: Arc::new(blob.index),
            cached: false,
            locator: layer
                .digest
                .split_once(':')
                .map(|(alg, hex)| format!("blobs/{alg}/{hex}")),
        })?;
        ticker.layers_done += 1;
        ticker.report(sink, true)?;
    }
    sink.send(LoadEvent::Done)
}
