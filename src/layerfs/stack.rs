//! The layers stacked: one path tree for the whole image, and for every path its history
//! (which layer's entry is visible from which layer on, or none), and for every directory
//! the history of the size of what is under it.
//!
//! Layers are applied in order, once each, as they arrive ([`ImageFs::push_layer`]); after
//! that, any question about any layer — is this path there at layer N, what is it, how big
//! is this directory, what did layer N change — is a binary search in a short history.
//! Moving the view from one layer to another therefore costs what the rows on screen cost,
//! not what the image holds.
//!
//! Overlay rules (the OCI image spec's): `.wh.NAME` deletes `NAME` and everything under it
//! from the layers below; an opaque directory (`.wh..wh..opq`) keeps the directory but hides
//! everything the layers below put under it; a non-directory replacing a directory hides
//! what was under it; a path recreated in the same layer that deletes it is visible.

use std::sync::Arc;

use super::index::{EntryKind, IndexId, IndexNode, LayerIndex};
use super::names::{Arena, ChildIndex, Span};
use super::waste::{WasteReport, WasteTracker};

/// A path of the stacked image; 0 is the root.
pub type PathId = u32;
pub const ROOT: PathId = 0;

/// A layer position (0 = the base layer).
pub type Layer = u16;

/// Most layers an image may have here (the engine's own limit is 127).
pub const MAX_LAYERS: usize = 4096;

const NONE: u32 = u32::MAX;

/// From `layer` on (until the next record), the path is the entry `entry` of that layer's
/// index, or absent when `entry` is `NONE`.
#[derive(Debug, Clone, Copy)]
struct StateRecord {
    layer: Layer,
    /// Node of layer `layer`'s index, or NONE.
    entry: u32,
}

#[derive(Debug, Clone, Copy)]
struct SizeRecord {
    layer: Layer,
    size: u64,
}

#[derive(Debug, Clone, Default)]
struct PathNode {
    parent: PathId,
    name: Span,
    /// Every child any layer ever had, sorted by name once the layer that added them is in.
    children: Vec<PathId>,
    states: Vec<StateRecord>,
    /// Directories only: total size under the directory from that layer on.
    sizes: Vec<SizeRecord>,
}

/// One path as it is at some layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry<'a> {
    pub path: PathId,
    /// The layer whose entry this is (the one that last wrote the path).
    pub layer: Layer,
    pub kind: EntryKind,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    /// Files: the declared size. Directories: the size of everything under them.
    pub size: u64,
    /// Symlink target, or hard-link target path.
    pub link: &'a [u8],
    /// A directory no layer has an entry for (only paths below it).
    pub implied: bool,
}

/// What a layer did to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Change {
    Added,
    Modified,
    Deleted,
}

/// The image so far: the layers pushed, in order.
#[derive(Debug)]
pub struct ImageFs {
    arena: Arena,
    nodes: Vec<PathNode>,
    lookup: ChildIndex,
    layers: Vec<AppliedLayer>,
    /// At the top layer: the size of each path's own entry, and of it plus everything
    /// under it; kept while applying.
    own: Vec<u64>,
    total: Vec<u64>,
    waste: WasteTracker,
}

#[derive(Debug)]
struct AppliedLayer {
    index: Arc<LayerIndex>,
    /// Paths whose state this layer changed, in the order it changed them.
    touched: Vec<PathId>,
    /// Directories with a changed path somewhere below, sorted (for the changes view).
    changed_below: Vec<PathId>,
}

impl ImageFs {
    pub fn new() -> Self {
        ImageFs {
            arena: Arena::default(),
            nodes: vec![PathNode::default()],
            lookup: ChildIndex::default(),
            layers: Vec::new(),
            own: vec![0],
            total: vec![0],
            waste: WasteTracker::default(),
        }
    }

    /// Layers applied so far.
    pub fn layer_count(&self) -> usize {
        self.layers.len()
    }

    /// Wasted space in the layers stacked so far (dive's definitions; see [`super::waste`]).
    pub fn waste_report(&self) -> WasteReport {
        self.waste.report()
    }

    /// The index of an applied layer.
    pub fn layer_index(&self, layer: Layer) -> Option<&Arc<LayerIndex>> {
        self.layers.get(usize::from(layer)).map(|l| &l.index)
    }

    /// Paths known in any layer (root included).
    pub fn path_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn name(&self, path: PathId) -> &[u8] {
        self.arena.get(self.nodes[path as usize].name)
    }

    pub fn parent(&self, path: PathId) -> PathId {
        self.nodes[path as usize].parent
    }

    /// `a/b/c` (empty for the root).
    pub fn path_bytes(&self, path: PathId) -> Vec<u8> {
        let mut parts = Vec::new();
        let mut cur = path;
        while cur != ROOT {
            parts.push(self.name(cur));
            cur = self.nodes[cur as usize].parent;
        }
        parts.reverse();
        parts.join(&b'/')
    }

    /// `/a/b/c`, lossy UTF-8 (still to be cleaned before drawing).
    pub fn display_path(&self, path: PathId) -> String {
        format!("/{}", String::from_utf8_lossy(&self.path_bytes(path)))
    }

    /// The path `a/b/c` if any layer has it.
    pub fn find(&self, path: &[u8]) -> Option<PathId> {
        let mut cur = ROOT;
        for part in path.split(|&b| b == b'/').filter(|p| !p.is_empty()) {
            cur = self.child(cur, part)?;
        }
        Some(cur)
    }

    fn child(&self, parent: PathId, name: &[u8]) -> Option<PathId> {
        let (nodes, arena) = (&self.nodes, &self.arena);
        self.lookup
            .get(parent, name, |id| arena.get(nodes[id as usize].name))
    }

    /// Every child any layer had, sorted by name (filter with [`ImageFs::entry_at`]).
    pub fn children(&self, path: PathId) -> &[PathId] {
        &self.nodes[path as usize].children
    }

    /// Paths whose state layer `layer` changed (added, replaced, deleted), in the order the
    /// layer changed them.
    pub fn touched(&self, layer: Layer) -> &[PathId] {
        self.layers
            .get(usize::from(layer))
            .map_or(&[][..], |l| &l.touched)
    }

    /// The path as it is once layers `0..=layer` are stacked; `None` if absent then.
    pub fn entry_at(&self, path: PathId, layer: Layer) -> Option<Entry<'_>> {
        if path == ROOT {
            return Some(Entry {
                path,
                layer: 0,
                kind: EntryKind::Dir,
                mode: 0o755,
                uid: 0,
                gid: 0,
                size: self.dir_size_at(ROOT, layer),
                link: &[],
                implied: true,
            });
        }
        let record = self.state_at(path, layer)?;
        let index = &self.layers[usize::from(record.layer)].index;
        let node = index.node(record.entry);
        let size = if node.kind == EntryKind::Dir {
            self.dir_size_at(path, layer)
        } else {
            node.size
        };
        Some(Entry {
            path,
            layer: record.layer,
            kind: node.kind,
            mode: node.mode,
            uid: node.uid,
            gid: node.gid,
            size,
            link: index.link(record.entry),
            implied: !node.is_explicit(),
        })
    }

    /// Whether the path exists at `layer`.
    pub fn exists_at(&self, path: PathId, layer: Layer) -> bool {
        path == ROOT || self.state_at(path, layer).is_some()
    }

    fn state_at(&self, path: PathId, layer: Layer) -> Option<StateRecord> {
        let states = &self.nodes[path as usize].states;
        let at = states.partition_point(|r| r.layer <= layer);
        let record = *states.get(at.checked_sub(1)?)?;
        (record.entry != NONE).then_some(record)
    }

    fn dir_size_at(&self, path: PathId, layer: Layer) -> u64 {
        let sizes = &self.nodes[path as usize].sizes;
        let at = sizes.partition_point(|r| r.layer <= layer);
        at.checked_sub(1).map_or(0, |i| sizes[i].size)
    }

    /// What layer `layer` did to `path`, if anything: added (absent below), modified (there
    /// below, written again; a directory only when its mode or owner changed), deleted.
    pub fn change_at(&self, path: PathId, layer: Layer) -> Option<Change> {
        let states = &self.nodes[path as usize].states;
        let at = states.partition_point(|r| r.layer < layer);
        let record = states.get(at).filter(|r| r.layer == layer)?;
        let before = layer
            .checked_sub(1)
            .and_then(|below| self.entry_at(path, below));
        match (before, record.entry != NONE) {
            (None, true) => Some(Change::Added),
            (None, false) => None,
            (Some(_), false) => Some(Change::Deleted),
            (Some(old), true) => {
                let node = self.layers[usize::from(layer)].index.node(record.entry);
                let same_dir = old.kind == EntryKind::Dir
                    && node.kind == EntryKind::Dir
                    && (node.is_implied_dir()
                        || (old.mode, old.uid, old.gid) == (node.mode, node.uid, node.gid));
                (!same_dir).then_some(Change::Modified)
            }
        }
    }

    /// Stacks the next layer on top. Returns its position.
    pub fn push_layer(&mut self, index: Arc<LayerIndex>) -> Result<Layer, String> {
        if self.layers.len() >= MAX_LAYERS {
            return Err(format!("more than {MAX_LAYERS} layers"));
        }
        let layer =
            Layer::try_from(self.layers.len()).map_err(|_| "too many layers".to_string())?;
        let map = self.map_paths(&index)?;
        let mut waste = std::mem::take(&mut self.waste);
        waste.observe(self, layer, &index, &map);
        self.waste = waste;
        let mut apply = Apply {
            fs: self,
            layer,
            touched: Vec::new(),
            dirty_dirs: Vec::new(),
        };
        apply.run(&index, &map);
        let touched = apply.finish();
        let changed_below = self.ancestors_of(&touched);
        self.layers.push(AppliedLayer {
            index,
            touched,
            changed_below,
        });
        Ok(layer)
    }

    /// Every directory above one of `paths`, sorted.
    fn ancestors_of(&self, paths: &[PathId]) -> Vec<PathId> {
        let mut seen = std::collections::HashSet::new();
        for &p in paths {
            let mut cur = self.nodes[p as usize].parent;
            while seen.insert(cur) && cur != ROOT {
                cur = self.nodes[cur as usize].parent;
            }
        }
        let mut out: Vec<PathId> = seen.into_iter().collect();
        out.sort_unstable();
        out
    }

    /// Whether layer `layer` changed something below directory `path`.
    pub fn has_changes_below(&self, path: PathId, layer: Layer) -> bool {
        self.layers
            .get(usize::from(layer))
            .is_some_and(|l| l.changed_below.binary_search(&path).is_ok())
    }

    /// The stacked path of every node of a layer's index, created where new.
    pub(crate) fn map_paths(&mut self, index: &LayerIndex) -> Result<Vec<PathId>, String> {
        let mut map = vec![ROOT; index.len()];
        let mut parents_with_new_children = Vec::new();
        for i in 1..index.len() {
            let node = index.node(i as IndexId);
            let parent = map[node.parent as usize];
            let name = index.name(i as IndexId);
            map[i] = match self.child(parent, name) {
                Some(id) => id,
                None => {
                    let id = PathId::try_from(self.nodes.len())
                        .ok()
                        .filter(|&id| id != NONE)
                        .ok_or("more than 4 billion paths")?;
                    let span = self.arena.push(name).ok_or("more than 4 GiB of names")?;
                    self.nodes.push(PathNode {
                        parent,
                        name: span,
                        ..PathNode::default()
                    });
                    self.own.push(0);
                    self.total.push(0);
                    self.lookup.insert(parent, name, id);
                    let siblings = &mut self.nodes[parent as usize].children;
                    if siblings.is_empty() || !parents_with_new_children.ends_with(&[parent]) {
                        parents_with_new_children.push(parent);
                    }
                    siblings.push(id);
                    id
                }
            };
        }
        parents_with_new_children.sort_unstable();
        parents_with_new_children.dedup();
        for parent in parents_with_new_children {
            let mut children = std::mem::take(&mut self.nodes[parent as usize].children);
            children.sort_by(|&a, &b| self.name(a).cmp(self.name(b)));
            self.nodes[parent as usize].children = children;
        }
        Ok(map)
    }

    /// Visible children of `path` at `layer`, sorted by name.
    pub fn children_at(&self, path: PathId, layer: Layer) -> impl Iterator<Item = PathId> + '_ {
        self.children(path)
            .iter()
            .copied()
            .filter(move |&c| self.exists_at(c, layer))
    }

    /// The size under the root at `layer`.
    pub fn total_size_at(&self, layer: Layer) -> u64 {
        self.dir_size_at(ROOT, layer)
    }

    /// Memory held, roughly (for benchmarks).
    pub fn heap_bytes(&self) -> usize {
        let per_node: usize = self
            .nodes
            .iter()
            .map(|n| {
                n.children.capacity() * 4
                    + n.states.capacity() * std::mem::size_of::<StateRecord>()
                    + n.sizes.capacity() * std::mem::size_of::<SizeRecord>()
            })
            .sum();
        self.nodes.capacity() * std::mem::size_of::<PathNode>()
            + per_node
            + self.arena.len()
            + self.total.capacity() * 16
            + self
                .layers
                .iter()
                .map(|l| {
                    (l.touched.capacity() + l.changed_below.capacity()) * 4 + l.index.heap_bytes()
                })
                .sum::<usize>()
    }

    /// The current (top) total under `path`, used while analysing the next layer.
    pub(crate) fn current_total(&self, path: PathId) -> u64 {
        self.total[path as usize]
    }

    /// The kind of `path` at the top layer, if present.
    pub(crate) fn current_kind(&self, path: PathId) -> Option<EntryKind> {
        if path == ROOT {
            return Some(EntryKind::Dir);
        }
        let record = *self.nodes[path as usize].states.last()?;
        (record.entry != NONE).then(|| {
            self.layers[usize::from(record.layer)]
                .index
                .node(record.entry)
                .kind
        })
    }
}

impl Default for ImageFs {
    fn default() -> Self {
        ImageFs::new()
    }
}

/// Applying one layer on top of the current state.
struct Apply<'a> {
    fs: &'a mut ImageFs,
    layer: Layer,
    touched: Vec<PathId>,
    dirty_dirs: Vec<PathId>,
}

impl Apply<'_> {
    fn run(&mut self, index: &LayerIndex, map: &[PathId]) {
        // Parents come before their children in an index, so a directory's whiteout or
        // opaque marker is applied before the entries this layer puts under it.
        if index.node(0).is_opaque() {
            self.remove_children(ROOT);
        }
        for (i, node) in index.nodes().iter().enumerate().skip(1) {
            let path = map[i];
            if node.is_whiteout() {
                self.remove_subtree(path);
            }
            if node.is_opaque() {
                self.remove_children(path);
            }
            if node.is_explicit() {
                if node.kind != EntryKind::Dir && self.kind_of(path, index) == Some(EntryKind::Dir)
                {
                    self.remove_children(path);
                }
                self.put(path, i as IndexId, node);
            } else if node.is_implied_dir() && self.kind_of(path, index) != Some(EntryKind::Dir) {
                // Absent, or a file where this layer puts paths below: an implied directory.
                self.put(path, i as IndexId, node);
            }
        }
    }

    /// The kind of the path as applied so far (this layer's puts included).
    fn kind_of(&self, path: PathId, index: &LayerIndex) -> Option<EntryKind> {
        let record = *self.fs.nodes[path as usize].states.last()?;
        if record.entry == NONE {
            return None;
        }
        if record.layer == self.layer {
            return Some(index.node(record.entry).kind);
        }
        Some(
            self.fs.layers[usize::from(record.layer)]
                .index
                .node(record.entry)
                .kind,
        )
    }

    fn is_present(&self, path: PathId) -> bool {
        self.fs.nodes[path as usize]
            .states
            .last()
            .is_some_and(|r| r.entry != NONE)
    }

    fn record_state(&mut self, path: PathId, entry: u32) {
        let states = &mut self.fs.nodes[path as usize].states;
        match states.last_mut() {
            Some(last) if last.layer == self.layer => last.entry = entry,
            _ => {
                states.push(StateRecord {
                    layer: self.layer,
                    entry,
                });
                self.touched.push(path);
            }
        }
    }

    /// Adds `delta` to the totals of `from` and every directory above it.
    fn add_up(&mut self, from: PathId, delta: i128) {
        if delta == 0 {
            return;
        }
        let mut cur = from;
        loop {
            let total = &mut self.fs.total[cur as usize];
            *total = u64::try_from(i128::from(*total) + delta).unwrap_or(0);
            self.dirty_dirs.push(cur);
            if cur == ROOT {
                break;
            }
            cur = self.fs.nodes[cur as usize].parent;
        }
    }

    fn put(&mut self, path: PathId, entry: IndexId, node: &IndexNode) {
        let old_own = if self.is_present(path) {
            self.fs.own[path as usize]
        } else {
            0
        };
        self.record_state(path, entry);
        self.fs.own[path as usize] = node.size;
        self.add_up(path, i128::from(node.size) - i128::from(old_own));
        if node.kind == EntryKind::Dir {
            self.dirty_dirs.push(path);
        }
    }

    /// Deletes `path` and everything under it (from the layers below).
    fn remove_subtree(&mut self, path: PathId) {
        if path == ROOT {
            self.remove_children(path);
            return;
        }
        if !self.is_present(path) {
            return;
        }
        let total = self.fs.total[path as usize];
        let parent = self.fs.nodes[path as usize].parent;
        self.add_up(parent, -i128::from(total));
        let mut stack = vec![path];
        while let Some(cur) = stack.pop() {
            if !self.is_present(cur) {
                continue;
            }
            self.record_state(cur, NONE);
            if !self.fs.nodes[cur as usize].sizes.is_empty() || self.fs.total[cur as usize] != 0 {
                self.dirty_dirs.push(cur);
            }
            self.fs.own[cur as usize] = 0;
            self.fs.total[cur as usize] = 0;
            stack.extend(self.fs.nodes[cur as usize].children.iter().copied());
        }
    }

    fn remove_children(&mut self, path: PathId) {
        let children = self.fs.nodes[path as usize].children.clone();
        for child in children {
            self.remove_subtree(child);
        }
    }

    /// Records the new directory sizes; returns the paths the layer touched.
    fn finish(mut self) -> Vec<PathId> {
        self.dirty_dirs.sort_unstable();
        self.dirty_dirs.dedup();
        for &path in &self.dirty_dirs {
            let size = self.fs.total[path as usize];
            let sizes = &mut self.fs.nodes[path as usize].sizes;
            match sizes.last_mut() {
                Some(last) if last.layer == self.layer => last.size = size,
                Some(last) if last.size == size => {}
                _ => sizes.push(SizeRecord {
                    layer: self.layer,
                    size,
                }),
            }
        }
        self.touched
    }
}

/// Layer indexes written by hand, for tests here and in `waste`.
#[cfg(test)]
pub(crate) mod fixture {
    use std::sync::Arc;

    use crate::layerfs::index::{Builder, LayerIndex};
    use crate::layerfs::tarscan::TarKind;

    /// `"path"` a directory when it ends in `/`; `"path=N"` a file of N bytes;
    /// `"path->target"` a symlink; `"path=>target"` a hard link; `.wh.` names as written.
    pub(crate) fn layer(entries: &[&str]) -> Arc<LayerIndex> {
        let mut b = Builder::new("fixture");
        for spec in entries {
            let (path, kind, size, link) = if let Some((p, t)) = spec.split_once("=>") {
                (p, TarKind::HardLink, 0, t)
            } else if let Some((p, t)) = spec.split_once("->") {
                (p, TarKind::Symlink, 0, t)
            } else if let Some((p, n)) = spec.split_once('=') {
                (p, TarKind::File, n.parse().unwrap(), "")
            } else if spec.ends_with('/') {
                (*spec, TarKind::Dir, 0, "")
            } else {
                (*spec, TarKind::File, 0, "")
            };
            b.add(path.as_bytes(), link.as_bytes(), kind, 0o644, 0, 0, size)
                .unwrap();
        }
        Arc::new(b.finish())
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::layer;
    use super::*;

    fn image(layers: &[&[&str]]) -> ImageFs {
        let mut fs = ImageFs::new();
        for l in layers {
            fs.push_layer(layer(l)).unwrap();
        }
        fs
    }

    /// Every present path at `layer` with its size, as `path=size` lines (dirs end in /).
    fn listing(fs: &ImageFs, layer: Layer) -> Vec<String> {
        let mut out = Vec::new();
        let mut stack = vec![ROOT];
        while let Some(p) = stack.pop() {
            for c in fs
                .children_at(p, layer)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
            {
                let e = fs.entry_at(c, layer).unwrap();
                let slash = if e.kind == EntryKind::Dir { "/" } else { "" };
                out.push(format!("{}{slash}={}", fs.display_path(c), e.size));
                stack.push(c);
            }
        }
        out.sort();
        out
    }

    fn change(fs: &ImageFs, path: &str, layer: Layer) -> Option<Change> {
        fs.change_at(fs.find(path.as_bytes()).unwrap(), layer)
    }

    #[test]
    fn add_change_delete() {
        let fs = image(&[
            &["etc/", "etc/a=10", "etc/b=20"],
            &["etc/", "etc/a=15", "etc/c=5"],
            &["etc/", "etc/.wh.b"],
        ]);
        assert_eq!(listing(&fs, 0), ["/etc/=30", "/etc/a=10", "/etc/b=20"]);
        assert_eq!(
            listing(&fs, 1),
            ["/etc/=40", "/etc/a=15", "/etc/b=20", "/etc/c=5"]
        );
        assert_eq!(listing(&fs, 2), ["/etc/=20", "/etc/a=15", "/etc/c=5"]);
        assert_eq!(change(&fs, "etc/a", 1), Some(Change::Modified));
        assert_eq!(change(&fs, "etc/c", 1), Some(Change::Added));
        assert_eq!(change(&fs, "etc/b", 2), Some(Change::Deleted));
        assert_eq!(
            change(&fs, "etc", 1),
            None,
            "a directory written again unchanged"
        );
        assert_eq!(fs.total_size_at(0), 30);
        assert_eq!(fs.total_size_at(2), 20);
        // Going back down answers the same as before the upper layers existed.
        assert_eq!(fs.entry_at(fs.find(b"etc/b").unwrap(), 1).unwrap().size, 20);
    }

    #[test]
    fn deleting_a_directory_deletes_everything_under_it() {
        let fs = image(&[&["a/b/c=1", "a/b/d=2", "a/e=4"], &[".wh.a"]]);
        assert_eq!(listing(&fs, 1), Vec::<String>::new());
        for p in ["a", "a/b", "a/b/c", "a/e"] {
            assert_eq!(change(&fs, p, 1), Some(Change::Deleted), "{p}");
        }
        assert_eq!(fs.total_size_at(1), 0);
    }

    #[test]
    fn an_opaque_directory_hides_everything_below_it_from_lower_layers() {
        let fs = image(&[
            &["var/", "var/cache/", "var/cache/old=100", "var/keep=1"],
            &["var/", "var/.wh..wh..opq", "var/new=7"],
        ]);
        assert_eq!(listing(&fs, 1), ["/var/=7", "/var/new=7"]);
        assert_eq!(change(&fs, "var/cache/old", 1), Some(Change::Deleted));
        assert_eq!(change(&fs, "var/keep", 1), Some(Change::Deleted));
        assert_eq!(change(&fs, "var/new", 1), Some(Change::Added));
        assert!(fs.exists_at(fs.find(b"var").unwrap(), 1));
    }

    #[test]
    fn an_opaque_marker_before_the_directory_entry_works_too() {
        let fs = image(&[&["d/x=1"], &["d/.wh..wh..opq", "d/", "d/y=2"]]);
        assert_eq!(listing(&fs, 1), ["/d/=2", "/d/y=2"]);
    }

    #[test]
    fn delete_then_recreate() {
        // Across layers, and within one layer (whiteout and new entry in the same tar).
        let fs = image(&[
            &["app/", "app/old=50", "cfg=3"],
            &[".wh.app"],
            &["app/", "app/new=5"],
            &[".wh.cfg", "cfg=9"],
        ]);
        assert_eq!(listing(&fs, 2), ["/app/=5", "/app/new=5", "/cfg=3"]);
        assert_eq!(change(&fs, "app", 2), Some(Change::Added));
        assert!(!fs.exists_at(fs.find(b"app/old").unwrap(), 2));
        assert_eq!(listing(&fs, 3), ["/app/=5", "/app/new=5", "/cfg=9"]);
        assert_eq!(change(&fs, "cfg", 3), Some(Change::Modified));
    }

    #[test]
    fn a_whiteout_of_a_path_that_never_existed_changes_nothing() {
        let fs = image(&[&["a=1"], &[".wh.ghost", "dir/.wh.ghost2"]]);
        assert_eq!(listing(&fs, 1), ["/a=1"]);
        assert_eq!(change(&fs, "ghost", 1), None);
        assert!(fs.touched(1).is_empty());
    }

    #[test]
    fn links_keep_their_targets_and_a_file_may_replace_a_directory() {
        let fs = image(&[
            &[
                "bin/busybox=100",
                "bin/sh->busybox",
                "bin/ash=>bin/busybox",
                "d/x=4",
            ],
            &["d=2"],
        ]);
        let sh = fs.entry_at(fs.find(b"bin/sh").unwrap(), 0).unwrap();
        assert_eq!((sh.kind, sh.link), (EntryKind::Symlink, &b"busybox"[..]));
        let ash = fs.entry_at(fs.find(b"bin/ash").unwrap(), 0).unwrap();
        assert_eq!(
            (ash.kind, ash.link),
            (EntryKind::HardLink, &b"bin/busybox"[..])
        );
        assert_eq!(
            listing(&fs, 1),
            [
                "/bin/=100",
                "/bin/ash=0",
                "/bin/busybox=100",
                "/bin/sh=0",
                "/d=2"
            ]
        );
        assert_eq!(change(&fs, "d/x", 1), Some(Change::Deleted));
    }

    #[test]
    fn an_opaque_root_hides_every_lower_path() {
        let fs = image(&[&["a=1", "d/x=2"], &[".wh..wh..opq", "b=3"]]);
        assert_eq!(listing(&fs, 1), ["/b=3"]);
    }

    #[test]
    fn implied_directories_appear_and_touched_lists_the_layer_changes() {
        let fs = image(&[&["a/b/c=1"]]);
        let a = fs.entry_at(fs.find(b"a").unwrap(), 0).unwrap();
        assert!(a.implied && a.kind == EntryKind::Dir);
        let touched: Vec<String> = fs.touched(0).iter().map(|&p| fs.display_path(p)).collect();
        assert_eq!(touched, ["/a", "/a/b", "/a/b/c"]);
    }
}
