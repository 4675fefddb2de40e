//! The files view (`f` on an image or a layer, `:files`): an image's layers on one side, the
//! file tree of the selected layer on the other, filled in as the layers stream in.
//!
//! The stacked filesystem ([`ImageFs`]) answers every question per layer without
//! rebuilding; this model keeps only what the user chose (layer, mode, open directories,
//! filter, sort) and the flat list of tree rows those choices give, rebuilt when a choice
//! changes (collapsed directories are not walked, so that list stays short).

use std::collections::HashSet;
use std::path::PathBuf;

use crate::action::Action;
use crate::layerfs::source::{Assembler, LoadEvent, Progress};
use crate::layerfs::stack::ROOT;
use crate::layerfs::view::TreeMode;
use crate::layerfs::{Change, Entry, EntryKind, ImageFs, Layer, PathId, WasteReport};
use crate::registry::Platform;

use super::file_content::{ContentPane, ContentRequestId};
use super::filter::Filter;
use super::list::ListCursor;

/// Which load a message is about: a view opened again starts a new one, and answers for
/// an old one are dropped.
pub type FilesLoadId = u64;

/// What to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FilesSource {
    /// A local image, by ID or name, read through the engine's export.
    Image { reference: String },
    /// A remote tag read from its registry without pulling; `platform` picks from a
    /// multi-platform index.
    Remote {
        reference: String,
        platform: Option<Platform>,
    },
    /// Typed on `:files`: a saved archive if `path` exists, else a local image, else a
    /// remote tag (decided by the executor, which may look at the disk and the engine).
    Typed {
        text: String,
        path: PathBuf,
        platform: Option<Platform>,
    },
}

/// Which side of the view the movement keys move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilesSide {
    Layers,
    Tree,
}

/// How the tree's siblings are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeSort {
    Name,
    /// Largest first (directories by what is under them).
    Size,
}

/// One row of the tree as the flat list holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlatRow {
    pub path: PathId,
    pub depth: u16,
    /// A directory with something to show under it.
    pub expandable: bool,
    pub expanded: bool,
}

/// A row with what the entry is at the selected layer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeLine<'a> {
    pub row: FlatRow,
    pub name: String,
    pub entry: Entry<'a>,
    pub change: Option<Change>,
}

/// The layer to select once the plan is known (`f` on a row of the layers pane): the
/// history rows from the oldest up to the chosen one, as (command, has files).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LayerWish {
    pub history: Vec<(String, bool)>,
}

/// The open files view.
#[derive(Debug)]
pub struct FilesView {
    pub load: FilesLoadId,
    /// What was opened, for the title.
    pub name: String,
    /// Boxed: the view is one variant of the open view, the others are small.
    pub assembler: Box<Assembler>,
    /// Still streaming.
    pub loading: bool,
    /// Opened while the engine was still connecting: the load starts once it answers (or
    /// fails, when an archive or a registry can still be read without it).
    pub awaiting_engine: bool,
    pub error: Option<String>,
    pub warnings: Vec<String>,
    pub layers: ListCursor,
    pub tree: ListCursor,
    pub side: FilesSide,
    pub mode: TreeMode,
    pub sort: TreeSort,
    /// In the whole-filesystem mode: only the paths the layer changed (and their parents).
    pub only_changes: bool,
    pub filter: Filter,
    /// Open directories in the whole-filesystem mode (closed by default).
    expanded: HashSet<PathId>,
    /// Closed directories in the changes mode (open by default).
    collapsed: HashSet<PathId>,
    rows: Vec<FlatRow>,
    wish: Option<LayerWish>,
    /// The waste numbers, once every layer is in.
    pub waste: Option<WasteReport>,
    /// What was opened, for reading a file's content again.
    pub source: Option<Box<FilesSource>>,
    /// A file's content shown over the tree (Enter on a file); Esc goes back to the tree.
    pub content: Option<Box<ContentPane>>,
    /// The last content read asked for.
    pub content_requests: ContentRequestId,
}

impl FilesView {
    pub fn new(load: FilesLoadId, name: String, wish: Option<LayerWish>) -> Self {
        FilesView {
            load,
            name,
            assembler: Box::default(),
            loading: true,
            awaiting_engine: false,
            error: None,
            warnings: Vec::new(),
            layers: ListCursor::default(),
            tree: ListCursor::default(),
            side: FilesSide::Tree,
            mode: TreeMode::Changes,
            sort: TreeSort::Name,
            only_changes: false,
            filter: Filter::default(),
            expanded: HashSet::new(),
            collapsed: HashSet::new(),
            rows: Vec::new(),
            wish,
            waste: None,
            source: None,
            content: None,
            content_requests: 0,
        }
    }

    pub fn fs(&self) -> &ImageFs {
        &self.assembler.fs
    }

    pub fn progress(&self) -> Progress {
        self.assembler.progress
    }

    /// Layers the image has (the plan's count), or those stacked before the plan is known.
    pub fn layer_total(&self) -> usize {
        self.assembler
            .plan()
            .map_or(self.fs().layer_count(), |p| p.layers.len())
    }

    pub fn layers_stacked(&self) -> usize {
        self.fs().layer_count()
    }

    /// The selected layer, when it is stacked.
    pub fn selected_layer(&self) -> Option<Layer> {
        let selected = self.layers.selected();
        (selected < self.layers_stacked())
            .then(|| Layer::try_from(selected).ok())
            .flatten()
    }

    /// The build step of layer `i`, as the image's config gives it.
    pub fn layer_command(&self, i: usize) -> &str {
        self.assembler
            .plan()
            .and_then(|p| p.layers.get(i))
            .map_or("", |l| l.created_by.as_str())
    }

    /// Declared bytes of layer `i`'s files, once it is stacked.
    pub fn layer_size(&self, i: usize) -> Option<u64> {
        let layer = Layer::try_from(i).ok()?;
        self.fs().layer_index(layer).map(|index| index.size())
    }

    /// One event of the load. Returns an error message when the load cannot go on.
    pub fn accept(&mut self, event: LoadEvent) -> Result<(), String> {
        let before = self.layers_stacked();
        let had_plan = self.assembler.plan().is_some();
        match event {
            LoadEvent::Warning(text) => self.warnings.push(text),
            LoadEvent::Done => {
                self.loading = false;
                self.waste = Some(self.fs().waste_report());
            }
            other => {
                self.assembler.accept(other).map_err(|e| e.message)?;
            }
        }
        if !had_plan && self.assembler.plan().is_some() {
            self.apply_wish();
        }
        let selected = self.layers.selected();
        if before <= selected && selected < self.layers_stacked() {
            // The selected layer just came in: its tree can show now.
            self.rebuild();
        }
        Ok(())
    }

    /// The load failed or was stopped.
    pub fn fail(&mut self, message: String) {
        self.loading = false;
        self.error = Some(message);
    }

    fn apply_wish(&mut self) {
        let Some(wish) = self.wish.take() else {
            return;
        };
        let total = self.layer_total();
        let commands: Vec<&str> = (0..total).map(|i| self.layer_command(i)).collect();
        let index = wish_layer(&wish, &commands);
        self.layers.select(index, total);
    }

    /// The rows of the tree (with a filter: the matches and their directories).
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// Row `i` with its entry at the selected layer.
    pub fn line(&self, i: usize) -> Option<TreeLine<'_>> {
        let row = *self.rows.get(i)?;
        let layer = self.selected_layer()?;
        let fs = self.fs();
        let change = fs.change_at(row.path, layer);
        let entry = match fs.entry_at(row.path, layer) {
            Some(entry) => entry,
            None => fs.entry_at(row.path, layer.checked_sub(1)?)?,
        };
        let name = String::from_utf8_lossy(fs.name(row.path)).into_owned();
        Some(TreeLine {
            row,
            name,
            entry,
            change,
        })
    }

    /// The tree as text, one row a line: indent, `/path`, and the change mark (tests, tools).
    pub fn tree_text(&self) -> Vec<String> {
        (0..self.row_count())
            .filter_map(|i| self.line(i))
            .map(|line| {
                let mark = match line.change {
                    Some(Change::Added) => " A",
                    Some(Change::Modified) => " C",
                    Some(Change::Deleted) => " D",
                    None => "",
                };
                format!(
                    "{}{}{mark}",
                    "  ".repeat(usize::from(line.row.depth)),
                    self.fs().display_path(line.row.path)
                )
            })
            .collect()
    }

    pub fn selected_line(&self) -> Option<TreeLine<'_>> {
        self.line(self.tree.selected())
    }

    /// Moves the side that has the keys.
    pub fn navigate(&mut self, action: Action) -> bool {
        if let Some(content) = &mut self.content {
            return content.scroll.navigate(action);
        }
        match self.side {
            FilesSide::Layers => {
                let moved = self.layers.navigate(action, self.layer_total());
                self.rebuild();
                moved
            }
            FilesSide::Tree => self.tree.navigate(action, self.rows.len()),
        }
    }

    /// The next (`forward`) or previous layer, whichever side has the keys.
    pub fn step_layer(&mut self, forward: bool) {
        let action = if forward { Action::Down } else { Action::Up };
        self.layers.navigate(action, self.layer_total());
        self.rebuild();
    }

    pub fn switch_side(&mut self) {
        self.side = match self.side {
            FilesSide::Layers => FilesSide::Tree,
            FilesSide::Tree => FilesSide::Layers,
        };
    }

    pub fn toggle_mode(&mut self) {
        self.mode = match self.mode {
            TreeMode::Whole => TreeMode::Changes,
            TreeMode::Changes => TreeMode::Whole,
        };
        self.rebuild();
    }

    pub fn toggle_only_changes(&mut self) {
        self.only_changes = !self.only_changes;
        self.rebuild();
    }

    pub fn toggle_sort(&mut self) {
        self.sort = match self.sort {
            TreeSort::Name => TreeSort::Size,
            TreeSort::Size => TreeSort::Name,
        };
        self.rebuild();
    }

    /// Opens or closes the selected directory.
    pub fn toggle_selected(&mut self) {
        let Some(row) = self.rows.get(self.tree.selected()).copied() else {
            return;
        };
        if !row.expandable {
            return;
        }
        let set = match self.mode {
            TreeMode::Whole => &mut self.expanded,
            TreeMode::Changes => &mut self.collapsed,
        };
        if !set.remove(&row.path) {
            set.insert(row.path);
        }
        self.rebuild();
    }

    /// Closes every directory, or opens every one when all are closed already.
    pub fn toggle_collapse_all(&mut self) {
        let any_open = self.rows.iter().any(|r| r.expanded);
        let dirs: HashSet<PathId> = if any_open {
            HashSet::new()
        } else {
            self.all_directories()
        };
        match (self.mode, any_open) {
            (TreeMode::Whole, true) => self.expanded.clear(),
            (TreeMode::Whole, false) => self.expanded = dirs,
            (TreeMode::Changes, true) => self.collapsed = self.all_directories(),
            (TreeMode::Changes, false) => self.collapsed.clear(),
        }
        self.rebuild();
    }

    fn all_directories(&self) -> HashSet<PathId> {
        let Some(layer) = self.selected_layer() else {
            return HashSet::new();
        };
        let fs = self.fs();
        (1..fs.path_count())
            .filter_map(|p| PathId::try_from(p).ok())
            .filter(|&p| {
                fs.entry_at(p, layer)
                    .is_some_and(|e| e.kind == EntryKind::Dir)
            })
            .collect()
    }

    /// The filter changed.
    pub fn refresh(&mut self) {
        self.rebuild();
    }

    /// Recomputes the rows for the current choices; the selection stays on the same path
    /// when it is still shown.
    pub fn rebuild(&mut self) {
        let previous = self.rows.get(self.tree.selected()).map(|r| r.path);
        let Some(layer) = self.selected_layer() else {
            self.rows.clear();
            self.tree.clamp(0);
            return;
        };
        let terms = self.filter.terms();
        let walk = Walk {
            fs: &self.assembler.fs,
            layer,
            mode: self.mode,
            only_changes: self.only_changes,
            sort: self.sort,
        };
        self.rows = walk.rows(&self.expanded, &self.collapsed, &terms);
        let position = previous
            .and_then(|p| self.rows.iter().position(|r| r.path == p))
            .unwrap_or(self.tree.selected());
        self.tree.select(position, self.rows.len());
    }
}

/// Which plan layer a history row stands for: the history is matched to the plan by
/// command from the oldest end; where commands are missing, by counting rows with files.
fn wish_layer(wish: &LayerWish, commands: &[&str]) -> usize {
    let mut next = 0usize;
    let mut chosen = 0usize;
    for (command, has_files) in &wish.history {
        let matches = commands
            .get(next)
            .is_some_and(|c| !c.is_empty() && c == command);
        let counts = matches || (commands.get(next).is_some_and(|c| c.is_empty()) && *has_files);
        if counts {
            chosen = next;
            next += 1;
        }
    }
    chosen.min(commands.len().saturating_sub(1))
}

/// One walk of the tree at a layer.
struct Walk<'a> {
    fs: &'a ImageFs,
    layer: Layer,
    mode: TreeMode,
    only_changes: bool,
    sort: TreeSort,
}

impl Walk<'_> {
    /// Whether `path` has a row, and its entry's kind and size.
    fn shown(&self, path: PathId) -> Option<(EntryKind, u64)> {
        let fs = self.fs;
        let change = fs.change_at(path, self.layer);
        let entry = match fs.entry_at(path, self.layer) {
            Some(entry) => entry,
            None if change == Some(Change::Deleted) && self.mode == TreeMode::Changes => {
                fs.entry_at(path, self.layer.checked_sub(1)?)?
            }
            None => return None,
        };
        let changes_only = self.mode == TreeMode::Changes || self.only_changes;
        if changes_only
            && change.is_none()
            && !(entry.kind == EntryKind::Dir && fs.has_changes_below(path, self.layer))
        {
            return None;
        }
        Some((entry.kind, entry.size))
    }

    /// Shown children of `path`, in the chosen order.
    fn children(&self, path: PathId) -> Vec<(PathId, EntryKind)> {
        let mut out: Vec<(PathId, EntryKind, u64)> = self
            .fs
            .children(path)
            .iter()
            .filter_map(|&c| self.shown(c).map(|(kind, size)| (c, kind, size)))
            .collect();
        if self.sort == TreeSort::Size {
            // Stable: equal sizes stay by name.
            out.sort_by_key(|c| std::cmp::Reverse(c.2));
        }
        out.into_iter().map(|(c, kind, _)| (c, kind)).collect()
    }

    fn rows(
        &self,
        expanded: &HashSet<PathId>,
        collapsed: &HashSet<PathId>,
        terms: &[String],
    ) -> Vec<FlatRow> {
        let keep = (!terms.is_empty()).then(|| self.matching(terms));
        let is_open = |path: PathId| match (&keep, self.mode) {
            (Some(_), _) => true,
            (None, TreeMode::Whole) => expanded.contains(&path),
            (None, TreeMode::Changes) => !collapsed.contains(&path),
        };
        let mut out = Vec::new();
        // Open directories: their shown children, the next to visit, their depth.
        type Level = (Vec<(PathId, EntryKind)>, usize, u16);
        let mut stack: Vec<Level> = vec![(self.children(ROOT), 0, 0)];
        while let Some((children, next, depth)) = stack.last_mut() {
            let Some(&(child, kind)) = children.get(*next) else {
                stack.pop();
                continue;
            };
            *next += 1;
            let depth = *depth;
            if keep.as_ref().is_some_and(|k| !k.contains(&child)) {
                continue;
            }
            let below = if kind == EntryKind::Dir {
                self.children(child)
            } else {
                Vec::new()
            };
            let below: Vec<(PathId, EntryKind)> = match &keep {
                Some(k) => below.into_iter().filter(|(c, _)| k.contains(c)).collect(),
                None => below,
            };
            let expandable = !below.is_empty();
            let open = expandable && is_open(child);
            out.push(FlatRow {
                path: child,
                depth,
                expandable,
                expanded: open,
            });
            if open {
                stack.push((below, 0, depth.saturating_add(1)));
            }
        }
        out
    }

    /// Paths whose full path holds every term, with their directories.
    fn matching(&self, terms: &[String]) -> HashSet<PathId> {
        let mut keep = HashSet::new();
        let mut stack = vec![ROOT];
        while let Some(dir) = stack.pop() {
            for (child, kind) in self.children(dir) {
                let path = self.fs.display_path(child).to_lowercase();
                if terms.iter().all(|t| path.contains(t.as_str())) {
                    let mut cur = child;
                    while cur != ROOT && keep.insert(cur) {
                        cur = self.fs.parent(cur);
                    }
                }
                if kind == EntryKind::Dir {
                    stack.push(child);
                }
            }
        }
        keep
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_history_row_maps_to_its_layer_by_command_then_by_files() {
        let wish = |rows: &[(&str, bool)]| LayerWish {
            history: rows.iter().map(|(c, f)| (c.to_string(), *f)).collect(),
        };
        let commands = ["ADD rootfs", "RUN make", "COPY app"];
        // ENV between layers has no layer of its own.
        let history = [("ADD rootfs", true), ("ENV A=1", false), ("RUN make", true)];
        assert_eq!(wish_layer(&wish(&history), &commands), 1);
        assert_eq!(wish_layer(&wish(&history[..2]), &commands), 0);
        // No commands in the config (docker import, commit): counted by rows with files.
        let bare = ["", "", ""];
        assert_eq!(
            wish_layer(&wish(&[("a", true), ("b", false), ("c", true)]), &bare),
            1
        );
    }
}
