//! One layer's headers as a compact path tree: a node per path (no `String` per entry; names
//! live in one arena), whiteouts and opaque markers recorded as flags on the paths they
//! name, never as files.

use std::fmt;
use std::io::Read;

use super::names::{Arena, ChildIndex, Span};
use super::tarscan::{TarError, TarKind, TarScanner};

/// A node of a [`LayerIndex`]; 0 is the root.
pub type IndexId = u32;
pub const ROOT: IndexId = 0;

/// Most nodes one layer may hold: bounds memory on hostile input (a real layer with two
/// million files stays well under it).
const MAX_NODES: usize = 8_000_000;
/// Warnings kept per layer; the rest are counted.
const MAX_WARNINGS: usize = 20;

const EXPLICIT: u8 = 1;
const WHITEOUT: u8 = 2;
const OPAQUE: u8 = 4;
const HAS_CHILDREN: u8 = 8;
/// Some path below has an entry (not only whiteouts): the directory must exist.
const HAS_ENTRIES: u8 = 16;

/// What a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
pub enum EntryKind {
    Dir = 0,
    File = 1,
    Symlink = 2,
    HardLink = 3,
    /// Device, FIFO, anything without content to show.
    Other = 4,
}

impl EntryKind {
    pub fn from_u8(value: u8) -> Option<EntryKind> {
        Some(match value {
            0 => EntryKind::Dir,
            1 => EntryKind::File,
            2 => EntryKind::Symlink,
            3 => EntryKind::HardLink,
            4 => EntryKind::Other,
            _ => return None,
        })
    }

    /// One letter, `ls -l` style.
    pub fn letter(self) -> char {
        match self {
            EntryKind::Dir => 'd',
            EntryKind::File => '-',
            EntryKind::Symlink => 'l',
            EntryKind::HardLink => 'h',
            EntryKind::Other => 'c',
        }
    }
}

/// One path of a layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexNode {
    pub parent: IndexId,
    pub(crate) name: Span,
    pub(crate) link: Span,
    /// Declared size (regular files; 0 for everything else in practice).
    pub size: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub kind: EntryKind,
    pub(crate) flags: u8,
}

impl IndexNode {
    /// The layer has an entry for this path (not only entries below it, or a whiteout).
    pub fn is_explicit(&self) -> bool {
        self.flags & EXPLICIT != 0
    }
    /// The layer deletes this path from the layers below (`.wh.NAME`).
    pub fn is_whiteout(&self) -> bool {
        self.flags & WHITEOUT != 0
    }
    /// The layer hides everything the layers below have under this directory
    /// (`.wh..wh..opq`).
    pub fn is_opaque(&self) -> bool {
        self.flags & OPAQUE != 0
    }
    /// Some path of this layer lies below this one.
    pub fn has_children(&self) -> bool {
        self.flags & HAS_CHILDREN != 0
    }
    /// A directory the layer implies by entries below it, without an entry of its own.
    pub fn is_implied_dir(&self) -> bool {
        !self.is_explicit() && self.flags & HAS_ENTRIES != 0
    }
}

/// A layer's headers.
#[derive(Debug, Clone, Default)]
pub struct LayerIndex {
    pub(crate) nodes: Vec<IndexNode>,
    pub(crate) arena: Arena,
    /// Tar entries read (files, directories, links, whiteouts, markers).
    pub(crate) entries: u64,
    /// Sum of the declared sizes of all entries: the layer size dive reports.
    pub(crate) size: u64,
    pub(crate) warnings: Vec<String>,
    pub(crate) more_warnings: u64,
}

/// A layer that could not be read, named so the user knows which one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerError {
    pub layer: String,
    pub message: String,
}

impl LayerError {
    pub fn new(layer: &str, message: impl Into<String>) -> Self {
        LayerError {
            layer: layer.to_string(),
            message: message.into(),
        }
    }
}

impl fmt::Display for LayerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "layer {}: {}", self.layer, self.message)
    }
}

impl std::error::Error for LayerError {}

impl LayerIndex {
    /// Reads a whole (uncompressed) layer tar. `layer` names the layer in messages.
    pub fn read<R: Read>(reader: R, layer: &str) -> Result<LayerIndex, LayerError> {
        let mut scanner = TarScanner::new(reader);
        let mut builder = Builder::new(layer);
        loop {
            match scanner.next_header() {
                Ok(Some(header)) => builder.add(
                    &header.path,
                    &header.link,
                    header.kind,
                    header.mode,
                    header.uid,
                    header.gid,
                    header.size,
                )?,
                Ok(None) => break,
                Err(e) => return Err(tar_error(layer, e)),
            }
        }
        Ok(builder.finish())
    }

    /// Number of nodes, root included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Only the root: the layer changes nothing.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }

    pub fn node(&self, id: IndexId) -> &IndexNode {
        &self.nodes[id as usize]
    }

    pub fn nodes(&self) -> &[IndexNode] {
        &self.nodes
    }

    /// A node's own name (bytes as in the archive: may hold escape sequences; clean before
    /// drawing).
    pub fn name(&self, id: IndexId) -> &[u8] {
        self.arena.get(self.nodes[id as usize].name)
    }

    /// Symlink target as written, or hard-link target as a normalised path.
    pub fn link(&self, id: IndexId) -> &[u8] {
        self.arena.get(self.nodes[id as usize].link)
    }

    /// The node's path from the root, `a/b/c` (empty for the root).
    pub fn path(&self, id: IndexId) -> Vec<u8> {
        let mut parts = Vec::new();
        let mut cur = id;
        while cur != ROOT {
            parts.push(self.name(cur));
            cur = self.nodes[cur as usize].parent;
        }
        parts.reverse();
        parts.join(&b'/')
    }

    /// The node at `path` (`a/b/c`, normalised), if this layer has one. Linear in the layer
    /// size: for the rare look-up (a file's content, a hard link), not for drawing.
    pub fn find(&self, path: &[u8]) -> Option<IndexId> {
        let mut cur = ROOT;
        for part in path.split(|&b| b == b'/').filter(|p| !p.is_empty()) {
            cur = (1..self.nodes.len())
                .find(|&i| {
                    self.nodes[i].parent == cur && self.arena.get(self.nodes[i].name) == part
                })
                .and_then(|i| u32::try_from(i).ok())?;
        }
        Some(cur)
    }

    /// Tar entries read.
    pub fn entries(&self) -> u64 {
        self.entries
    }

    /// Sum of declared entry sizes (dive's layer size).
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Entries skipped or adjusted (`..` escaping the root, empty whiteout names), the
    /// first few; [`LayerIndex::more_warnings`] counts the rest.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    pub fn more_warnings(&self) -> u64 {
        self.more_warnings
    }

    /// Bytes of memory held (roughly), for the cache and benchmarks.
    pub fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<IndexNode>() + self.arena.len()
    }
}

pub(crate) fn tar_error(layer: &str, e: TarError) -> LayerError {
    LayerError::new(layer, e.to_string())
}

/// A path split into its parts, `.` dropped and `..` applied; `None` if it climbs above
/// the root. A leading `/` is dropped (tar's own rule).
pub fn normalise(path: &[u8]) -> Option<Vec<&[u8]>> {
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts)
}

const WH_PREFIX: &[u8] = b".wh.";
const WH_META_PREFIX: &[u8] = b".wh..wh.";
const WH_OPAQUE: &[u8] = b".wh..wh..opq";

/// Builds a [`LayerIndex`] entry by entry.
pub(crate) struct Builder<'a> {
    layer: &'a str,
    index: LayerIndex,
    children: ChildIndex,
}

impl<'a> Builder<'a> {
    pub(crate) fn new(layer: &'a str) -> Self {
        let mut index = LayerIndex::default();
        index.nodes.push(IndexNode {
            parent: ROOT,
            name: Span::EMPTY,
            link: Span::EMPTY,
            size: 0,
            mode: 0o755,
            uid: 0,
            gid: 0,
            kind: EntryKind::Dir,
            flags: 0,
        });
        Builder {
            layer,
            index,
            children: ChildIndex::default(),
        }
    }

    fn warn(&mut self, message: String) {
        if self.index.warnings.len() < MAX_WARNINGS {
            self.index.warnings.push(message);
        } else {
            self.index.more_warnings += 1;
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn add(
        &mut self,
        raw_path: &[u8],
        raw_link: &[u8],
        kind: TarKind,
        mode: u32,
        uid: u32,
        gid: u32,
        size: u64,
    ) -> Result<(), LayerError> {
        let Some(parts) = normalise(raw_path) else {
            self.warn(format!(
                "entry {} climbs above the root with '..'; skipped",
                String::from_utf8_lossy(raw_path)
            ));
            return Ok(());
        };
        let Some((&last, dirs)) = parts.split_last() else {
            return Ok(()); // the root itself ("./")
        };
        self.index.entries += 1;
        self.index.size = self.index.size.saturating_add(size);
        if last == WH_OPAQUE {
            let dir = self.ensure(dirs)?;
            self.index.nodes[dir as usize].flags |= OPAQUE | HAS_ENTRIES;
            self.mark_ancestors(dir);
            return Ok(());
        }
        if last.starts_with(WH_META_PREFIX) {
            return Ok(()); // aufs bookkeeping (.wh..wh.plnk, .wh..wh.aufs)
        }
        if let Some(target) = last.strip_prefix(WH_PREFIX) {
            if target.is_empty() {
                self.warn("a whiteout entry without a name; skipped".to_string());
                return Ok(());
            }
            let mut path = dirs.to_vec();
            path.push(target);
            let node = self.ensure(&path)?;
            self.index.nodes[node as usize].flags |= WHITEOUT;
            return Ok(());
        }
        let node = self.ensure(&parts)?;
        let kind = match kind {
            TarKind::File => EntryKind::File,
            TarKind::Dir => EntryKind::Dir,
            TarKind::Symlink => EntryKind::Symlink,
            TarKind::HardLink => EntryKind::HardLink,
            TarKind::Other => EntryKind::Other,
        };
        let link = match kind {
            EntryKind::Symlink => self.push_bytes(raw_link)?,
            EntryKind::HardLink => match normalise(raw_link) {
                Some(target) => self.push_bytes(&target.join(&b'/'))?,
                None => {
                    self.warn(format!(
                        "hard link {} points above the root; its target is dropped",
                        String::from_utf8_lossy(raw_path)
                    ));
                    Span::EMPTY
                }
            },
            _ => Span::EMPTY,
        };
        let entry = &mut self.index.nodes[node as usize];
        entry.kind = kind;
        entry.mode = mode;
        entry.uid = uid;
        entry.gid = gid;
        entry.size = size;
        entry.link = link;
        entry.flags |= EXPLICIT;
        self.mark_ancestors(node);
        Ok(())
    }

    /// Every directory above `node` holds an entry of this layer, so it exists.
    fn mark_ancestors(&mut self, node: IndexId) {
        let mut cur = self.index.nodes[node as usize].parent;
        while cur != ROOT {
            let n = &mut self.index.nodes[cur as usize];
            if n.flags & HAS_ENTRIES != 0 {
                break;
            }
            n.flags |= HAS_ENTRIES;
            cur = n.parent;
        }
    }

    fn push_bytes(&mut self, bytes: &[u8]) -> Result<Span, LayerError> {
        self.index
            .arena
            .push(bytes)
            .ok_or_else(|| LayerError::new(self.layer, "more than 4 GiB of names"))
    }

    /// The node at `parts`, made (as an implied directory) where missing.
    fn ensure(&mut self, parts: &[&[u8]]) -> Result<IndexId, LayerError> {
        let mut cur = ROOT;
        for &part in parts {
            let nodes = &self.index.nodes;
            let arena = &self.index.arena;
            let found = self
                .children
                .get(cur, part, |id| arena.get(nodes[id as usize].name));
            cur = match found {
                Some(id) => id,
                None => {
                    if self.index.nodes.len() >= MAX_NODES {
                        return Err(LayerError::new(
                            self.layer,
                            format!("more than {MAX_NODES} paths in one layer"),
                        ));
                    }
                    let name = self.push_bytes(part)?;
                    let id = u32::try_from(self.index.nodes.len()).unwrap_or(u32::MAX);
                    self.index.nodes.push(IndexNode {
                        parent: cur,
                        name,
                        link: Span::EMPTY,
                        size: 0,
                        mode: 0o755,
                        uid: 0,
                        gid: 0,
                        kind: EntryKind::Dir,
                        flags: 0,
                    });
                    self.index.nodes[cur as usize].flags |= HAS_CHILDREN;
                    self.children.insert(cur, part, id);
                    id
                }
            };
        }
        Ok(cur)
    }

    pub(crate) fn finish(mut self) -> LayerIndex {
        self.children.clear();
        self.index.nodes.shrink_to_fit();
        self.index.arena.shrink_to_fit();
        self.index
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn build(entries: &[(&str, TarKind, u64, &str)]) -> LayerIndex {
        let mut b = Builder::new("test");
        for &(path, kind, size, link) in entries {
            b.add(path.as_bytes(), link.as_bytes(), kind, 0o644, 1, 2, size)
                .unwrap();
        }
        b.finish()
    }

    fn by_path(index: &LayerIndex, path: &str) -> IndexNode {
        *index.node(
            index
                .find(path.as_bytes())
                .unwrap_or_else(|| panic!("{path} missing")),
        )
    }

    #[test]
    fn whiteouts_and_opaque_markers_are_flags_not_files() {
        let index = build(&[
            ("etc/", TarKind::Dir, 0, ""),
            ("etc/.wh.passwd", TarKind::File, 0, ""),
            ("var/.wh..wh..opq", TarKind::File, 0, ""),
            ("var/new", TarKind::File, 5, ""),
        ]);
        let passwd = by_path(&index, "etc/passwd");
        assert!(passwd.is_whiteout() && !passwd.is_explicit());
        let var = by_path(&index, "var");
        assert!(var.is_opaque() && var.is_implied_dir());
        assert!(index.find(b"etc/.wh.passwd").is_none());
        assert!(index.find(b"var/.wh..wh..opq").is_none());
        assert_eq!(index.entries(), 4);
        assert_eq!(index.size(), 5);
    }

    #[test]
    fn paths_are_normalised_and_escapes_skipped_with_a_warning() {
        let index = build(&[
            ("./a/./b/../c", TarKind::File, 1, ""),
            ("/abs/file", TarKind::File, 2, ""),
            ("../../etc/shadow", TarKind::File, 3, ""),
        ]);
        assert!(index.find(b"a/c").is_some());
        assert!(index.find(b"abs/file").is_some());
        assert!(index.find(b"etc/shadow").is_none());
        assert_eq!(index.warnings().len(), 1);
        assert!(index.warnings()[0].contains("../../etc/shadow"));
    }

    #[test]
    fn escape_sequences_in_names_are_kept_as_data() {
        let index = build(&[("bad\x1b[31mname", TarKind::File, 1, "")]);
        let id = index.find(b"bad\x1b[31mname").unwrap();
        assert_eq!(index.name(id), b"bad\x1b[31mname");
    }

    #[test]
    fn links_keep_their_targets() {
        let index = build(&[
            ("bin/busybox", TarKind::File, 10, ""),
            ("bin/sh", TarKind::Symlink, 0, "busybox"),
            ("bin/ash", TarKind::HardLink, 0, "./bin/busybox"),
        ]);
        assert_eq!(index.link(index.find(b"bin/sh").unwrap()), b"busybox");
        assert_eq!(index.link(index.find(b"bin/ash").unwrap()), b"bin/busybox");
    }

    #[test]
    fn a_long_path_is_kept_whole() {
        let long = "d".repeat(100) + "/" + &"x/".repeat(1990) + "file";
        assert!(long.len() >= 4000);
        let index = build(&[(&long, TarKind::File, 1, "")]);
        let id = index.find(long.as_bytes()).unwrap();
        assert_eq!(index.path(id), long.as_bytes());
    }
}
