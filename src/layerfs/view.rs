//! The rows a file tree shows at one layer, computed for the visible window only: what a
//! view's state asks for each frame. Nothing is rebuilt per layer: rows come from the
//! per-path histories of [`ImageFs`], so moving to another layer costs the rows on screen.

use std::collections::HashSet;

use super::index::EntryKind;
use super::stack::{Change, Entry, ImageFs, Layer, PathId, ROOT};

/// What the tree shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TreeMode {
    /// The filesystem as it is at the layer, changed paths marked.
    Whole,
    /// Only what the layer added, modified or deleted (and the directories above them).
    Changes,
}

/// One row of the tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeRow<'a> {
    pub path: PathId,
    pub depth: u16,
    /// The entry at the layer; for a deleted path, as it was just below the layer.
    pub entry: Entry<'a>,
    pub change: Option<Change>,
    /// A directory with something to show under it.
    pub expandable: bool,
    pub expanded: bool,
}

/// Rows `skip..skip + take` of the tree at `layer`, directories opened where `expanded`
/// holds them, children by name.
pub fn rows<'a>(
    fs: &'a ImageFs,
    layer: Layer,
    mode: TreeMode,
    expanded: &HashSet<PathId>,
    skip: usize,
    take: usize,
) -> Vec<TreeRow<'a>> {
    let mut out = Vec::with_capacity(take);
    let mut seen = 0usize;
    // Depth-first with an explicit stack of (children, next index, depth).
    let mut stack: Vec<(&[PathId], usize, u16)> = vec![(fs.children(ROOT), 0, 0)];
    while let Some((children, next, depth)) = stack.last_mut() {
        let Some(&child) = children.get(*next) else {
            stack.pop();
            continue;
        };
        *next += 1;
        let depth = *depth;
        let Some(row) = row_for(fs, layer, mode, child, depth, expanded) else {
            continue;
        };
        let open = row.expanded;
        if seen >= skip {
            out.push(row);
            if out.len() >= take {
                break;
            }
        }
        seen += 1;
        if open {
            stack.push((fs.children(child), 0, depth + 1));
        }
    }
    out
}

fn row_for<'a>(
    fs: &'a ImageFs,
    layer: Layer,
    mode: TreeMode,
    path: PathId,
    depth: u16,
    expanded: &HashSet<PathId>,
) -> Option<TreeRow<'a>> {
    let change = fs.change_at(path, layer);
    let entry = match fs.entry_at(path, layer) {
        Some(entry) => entry,
        // Deleted by this layer: shown in the changes view, as it was.
        None if change == Some(Change::Deleted) && mode == TreeMode::Changes => {
            fs.entry_at(path, layer.checked_sub(1)?)?
        }
        None => return None,
    };
    let is_dir = entry.kind == EntryKind::Dir;
    let below = is_dir && fs.has_changes_below(path, layer);
    if mode == TreeMode::Changes && change.is_none() && !below {
        return None;
    }
    let expandable = is_dir
        && match mode {
            TreeMode::Whole => fs.children_at(path, layer).next().is_some(),
            TreeMode::Changes => below,
        };
    Some(TreeRow {
        path,
        depth,
        entry,
        change,
        expandable,
        expanded: expandable && expanded.contains(&path),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layerfs::stack::fixture::layer;

    #[test]
    fn whole_and_changes_views_window_the_tree() {
        let mut fs = ImageFs::new();
        fs.push_layer(layer(&["a/", "a/x=1", "a/y=2", "b=3"]))
            .unwrap();
        fs.push_layer(layer(&["a/", "a/.wh.x", "a/z=4"])).unwrap();
        let a = fs.find(b"a").unwrap();
        let open: HashSet<PathId> = [a].into();
        let names = |rows: Vec<TreeRow<'_>>| -> Vec<String> {
            rows.iter()
                .map(|r| {
                    format!(
                        "{}{}{}",
                        "  ".repeat(r.depth.into()),
                        fs.display_path(r.path),
                        match r.change {
                            Some(Change::Added) => " A",
                            Some(Change::Modified) => " M",
                            Some(Change::Deleted) => " D",
                            None => "",
                        }
                    )
                })
                .collect()
        };
        assert_eq!(
            names(rows(&fs, 1, TreeMode::Whole, &open, 0, 10)),
            ["/a", "  /a/y", "  /a/z A", "/b"]
        );
        assert_eq!(
            names(rows(&fs, 1, TreeMode::Whole, &open, 1, 2)),
            ["  /a/y", "  /a/z A"]
        );
        assert_eq!(
            names(rows(&fs, 1, TreeMode::Changes, &open, 0, 10)),
            ["/a", "  /a/x D", "  /a/z A"]
        );
        assert_eq!(
            names(rows(&fs, 0, TreeMode::Whole, &HashSet::new(), 0, 10)),
            ["/a A", "/b A"]
        );
    }
}
