//! Layer indexes kept on disk, keyed by the layer's content digest (its diff ID), so a base
//! layer shared by fifty images is read once and opening an image again skips its export.
//!
//! One file per layer in the platform's cache directory (`…/wharf/layers/sha256-<hex>.idx`):
//! a header (magic, format version, payload length, SHA-256 of the payload) and the payload.
//! Written to a temporary file then renamed, so a crash leaves no half entry; an entry whose
//! checksum, version or structure is wrong is deleted and read again from the source. A
//! size cap (default 256 MiB) evicts the least recently used entries (a hit touches the
//! file's modification time).

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::index::{EntryKind, IndexNode, LayerIndex};
use super::names::{Arena, Span};

const MAGIC: &[u8; 8] = b"WHARFIDX";
const VERSION: u32 = 1;
const HEADER_LEN: usize = 8 + 4 + 8 + 32;
/// Bytes per node in the file.
const NODE_LEN: usize = 4 * 5 + 8 + 4 * 3 + 2;

/// The default size cap.
pub const DEFAULT_CAP_BYTES: u64 = 256 * 1024 * 1024;

/// The on-disk cache of layer indexes.
#[derive(Debug, Clone)]
pub struct LayerCache {
    dir: PathBuf,
    cap_bytes: u64,
}

impl LayerCache {
    /// The cache in the platform's cache directory (`~/.cache/wharf/layers` on Linux), or
    /// `None` when the platform has none.
    pub fn open_default(cap_bytes: u64) -> Option<LayerCache> {
        let dirs = directories::ProjectDirs::from("", "", "wharf")?;
        Some(LayerCache::at(dirs.cache_dir().join("layers"), cap_bytes))
    }

    /// A cache in `dir` (made on first write).
    pub fn at(dir: PathBuf, cap_bytes: u64) -> LayerCache {
        LayerCache { dir, cap_bytes }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file for a digest; `None` for anything that is not `alg:hex` (so no digest can
    /// name a path outside the cache directory).
    fn file_for(&self, diff_id: &str) -> Option<PathBuf> {
        let (alg, hex) = diff_id.split_once(':')?;
        let ok = |s: &str, max: usize| {
            !s.is_empty()
                && s.len() <= max
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        };
        (ok(alg, 16) && ok(hex, 128)).then(|| self.dir.join(format!("{alg}-{hex}.idx")))
    }

    /// The cached index of a layer; a damaged entry is removed and reported as a miss.
    pub fn get(&self, diff_id: &str) -> Option<LayerIndex> {
        let path = self.file_for(diff_id)?;
        let bytes = fs::read(&path).ok()?;
        match decode(&bytes, diff_id) {
            Some(index) => {
                // Mark as recently used for eviction.
                if let Ok(file) = fs::File::options().append(true).open(&path) {
                    let _ = file.set_modified(std::time::SystemTime::now());
                }
                Some(index)
            }
            None => {
                let _ = fs::remove_file(&path);
                None
            }
        }
    }

    /// Whether a layer is cached (without reading it).
    pub fn contains(&self, diff_id: &str) -> bool {
        self.file_for(diff_id).is_some_and(|p| p.is_file())
    }

    /// Stores a layer's index, then evicts the oldest entries beyond the cap.
    pub fn put(&self, diff_id: &str, index: &LayerIndex) -> io::Result<()> {
        let path = self
            .file_for(diff_id)
            .ok_or_else(|| io::Error::other(format!("not a digest: {diff_id}")))?;
        let bytes = encode(index, diff_id);
        if bytes.len() as u64 > self.cap_bytes {
            return Ok(());
        }
        fs::create_dir_all(&self.dir)?;
        let tmp = self.dir.join(format!(
            ".tmp-{}-{}",
            std::process::id(),
            path.file_name().and_then(|n| n.to_str()).unwrap_or("x")
        ));
        {
            let mut file = fs::File::create(&tmp)?;
            // No fsync: an entry cut short by a crash fails its checksum and is read again,
            // and syncing each of an image's layers would cost more than reading them.
            file.write_all(&bytes)?;
        }
        fs::rename(&tmp, &path)?;
        self.evict()
    }

    /// Removes least recently used entries until the cache fits its cap.
    pub fn evict(&self) -> io::Result<()> {
        let mut entries = Vec::new();
        let mut total = 0u64;
        for entry in fs::read_dir(&self.dir)? {
            let entry = entry?;
            let name = entry.file_name();
            if !name.to_string_lossy().ends_with(".idx") {
                continue;
            }
            let meta = entry.metadata()?;
            total += meta.len();
            entries.push((
                meta.modified().unwrap_or(std::time::UNIX_EPOCH),
                meta.len(),
                entry.path(),
            ));
        }
        if total <= self.cap_bytes {
            return Ok(());
        }
        entries.sort();
        for (_, len, path) in entries {
            if total <= self.cap_bytes {
                break;
            }
            if fs::remove_file(&path).is_ok() {
                total -= len;
            }
        }
        Ok(())
    }

    /// Bytes the cache holds.
    pub fn size_bytes(&self) -> u64 {
        fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".idx"))
            .filter_map(|e| e.metadata().ok())
            .map(|m| m.len())
            .sum()
    }
}

fn encode(index: &LayerIndex, diff_id: &str) -> Vec<u8> {
    let mut p = Vec::with_capacity(index.nodes.len() * NODE_LEN + index.arena.len() + 256);
    put_bytes(&mut p, diff_id.as_bytes());
    p.extend_from_slice(&index.entries.to_le_bytes());
    p.extend_from_slice(&index.size.to_le_bytes());
    p.extend_from_slice(&index.more_warnings.to_le_bytes());
    p.extend_from_slice(&(index.warnings.len() as u32).to_le_bytes());
    for w in &index.warnings {
        put_bytes(&mut p, w.as_bytes());
    }
    p.extend_from_slice(&(index.nodes.len() as u32).to_le_bytes());
    for n in &index.nodes {
        for v in [n.parent, n.name.start, n.name.len, n.link.start, n.link.len] {
            p.extend_from_slice(&v.to_le_bytes());
        }
        p.extend_from_slice(&n.size.to_le_bytes());
        for v in [n.mode, n.uid, n.gid] {
            p.extend_from_slice(&v.to_le_bytes());
        }
        p.push(n.kind as u8);
        p.push(n.flags);
    }
    put_bytes(&mut p, index.arena.as_bytes());
    let mut out = Vec::with_capacity(HEADER_LEN + p.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(p.len() as u64).to_le_bytes());
    out.extend_from_slice(&Sha256::digest(&p));
    out.extend_from_slice(&p);
    out
}

fn put_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

/// Reads numbers and byte strings from a payload, failing on any overrun.
struct Cursor<'a> {
    bytes: &'a [u8],
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.bytes.len() {
            return None;
        }
        let (head, tail) = self.bytes.split_at(n);
        self.bytes = tail;
        Some(head)
    }
    fn u8(&mut self) -> Option<u8> {
        Some(self.take(1)?[0])
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
    fn bytes(&mut self) -> Option<&'a [u8]> {
        let len = usize::try_from(self.u64()?).ok()?;
        self.take(len)
    }
}

/// The index in `bytes`, if the header, checksum, digest and structure all hold.
fn decode(bytes: &[u8], diff_id: &str) -> Option<LayerIndex> {
    let mut c = Cursor { bytes };
    if c.take(8)? != MAGIC || c.u32()? != VERSION {
        return None;
    }
    let len = usize::try_from(c.u64()?).ok()?;
    let checksum = c.take(32)?;
    let payload = c.take(len)?;
    if !c.bytes.is_empty() || Sha256::digest(payload).as_slice() != checksum {
        return None;
    }
    let mut c = Cursor { bytes: payload };
    if c.bytes()? != diff_id.as_bytes() {
        return None;
    }
    let entries = c.u64()?;
    let size = c.u64()?;
    let more_warnings = c.u64()?;
    let warning_count = c.u32()?;
    let mut warnings = Vec::new();
    for _ in 0..warning_count.min(1000) {
        warnings.push(String::from_utf8_lossy(c.bytes()?).into_owned());
    }
    let node_count = c.u32()? as usize;
    if node_count == 0 || node_count > c.bytes.len() / NODE_LEN + 1 {
        return None;
    }
    let mut nodes = Vec::with_capacity(node_count);
    for _ in 0..node_count {
        let parent = c.u32()?;
        let name = Span {
            start: c.u32()?,
            len: c.u32()?,
        };
        let link = Span {
            start: c.u32()?,
            len: c.u32()?,
        };
        let size = c.u64()?;
        let (mode, uid, gid) = (c.u32()?, c.u32()?, c.u32()?);
        let kind = EntryKind::from_u8(c.u8()?)?;
        let flags = c.u8()?;
        nodes.push(IndexNode {
            parent,
            name,
            link,
            size,
            mode,
            uid,
            gid,
            kind,
            flags,
        });
    }
    let arena = c.bytes()?.to_vec();
    if !c.bytes.is_empty() {
        return None;
    }
    // Structure the stacking relies on: parents before children, names inside the arena.
    let arena_len = arena.len() as u64;
    let inside = |s: Span| u64::from(s.start) + u64::from(s.len) <= arena_len;
    for (i, n) in nodes.iter().enumerate().skip(1) {
        if n.parent as usize >= i || !inside(n.name) || !inside(n.link) || n.name.len == 0 {
            return None;
        }
    }
    Some(LayerIndex {
        nodes,
        arena: Arena::from_bytes(arena),
        entries,
        size,
        warnings,
        more_warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layerfs::stack::fixture::layer;

    const ID: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn same(a: &LayerIndex, b: &LayerIndex) {
        assert_eq!(a.nodes, b.nodes);
        assert_eq!(a.arena.as_bytes(), b.arena.as_bytes());
        assert_eq!((a.entries, a.size), (b.entries, b.size));
    }

    #[test]
    fn an_index_survives_the_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let cache = LayerCache::at(dir.path().join("layers"), DEFAULT_CAP_BYTES);
        let index = layer(&[
            "etc/",
            "etc/a=3",
            "bin/sh->busybox",
            "x/.wh.y",
            "v/.wh..wh..opq",
        ]);
        assert!(cache.get(ID).is_none());
        cache.put(ID, &index).unwrap();
        same(&cache.get(ID).unwrap(), &index);
    }

    #[test]
    fn a_damaged_entry_is_removed_and_missed() {
        let dir = tempfile::tempdir().unwrap();
        let cache = LayerCache::at(dir.path().to_path_buf(), DEFAULT_CAP_BYTES);
        let index = layer(&["a=1", "b/c=2"]);
        cache.put(ID, &index).unwrap();
        let path = cache.file_for(ID).unwrap();
        let mut bytes = fs::read(&path).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        fs::write(&path, &bytes).unwrap();
        assert!(cache.get(ID).is_none());
        assert!(!path.exists(), "the damaged entry is deleted");
        // Truncated, and from another format version: the same.
        cache.put(ID, &index).unwrap();
        let bytes = fs::read(&path).unwrap();
        fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        assert!(cache.get(ID).is_none());
        let mut other = encode(&index, ID);
        other[8] = 99;
        fs::write(&path, &other).unwrap();
        assert!(cache.get(ID).is_none());
    }

    #[test]
    fn digests_cannot_name_paths_outside_the_cache() {
        let cache = LayerCache::at(PathBuf::from("/nonexistent"), DEFAULT_CAP_BYTES);
        assert!(cache.file_for("sha256:../../etc").is_none());
        assert!(cache.file_for("nocolon").is_none());
    }

    #[test]
    fn the_least_recently_used_entries_go_first() {
        let dir = tempfile::tempdir().unwrap();
        let index = layer(&["a=1"]);
        let one = encode(&index, ID).len() as u64;
        let cache = LayerCache::at(dir.path().to_path_buf(), one * 2 + one / 2);
        let ids: Vec<String> = (0..3).map(|i| format!("sha256:{i:064}")).collect();
        let past = std::time::SystemTime::now() - std::time::Duration::from_secs(100);
        cache.put(&ids[0], &index).unwrap();
        cache.put(&ids[1], &index).unwrap();
        // Make the first older, then use it: the second is now the least recently used.
        for (i, id) in ids[..2].iter().enumerate() {
            let f = fs::File::options()
                .append(true)
                .open(cache.file_for(id).unwrap())
                .unwrap();
            f.set_modified(past + std::time::Duration::from_secs(i as u64))
                .unwrap();
        }
        assert!(cache.get(&ids[0]).is_some());
        cache.put(&ids[2], &index).unwrap();
        assert!(cache.contains(&ids[0]));
        assert!(!cache.contains(&ids[1]));
        assert!(cache.contains(&ids[2]));
    }
}
