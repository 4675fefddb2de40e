//! A container's writable layer as a collapsible tree: the files it added, changed and
//! deleted relative to its image (`docker diff`).

use std::collections::{HashMap, HashSet};

use crate::action::Action;
use crate::docker::{ChangeKind, ContainerId, FileChange};
use crate::text::natural::natural_cmp;

use super::filter::Filter;
use super::list::ListView;

/// One node of the tree: a path the engine listed, or a directory above one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeNode {
    pub path: String,
    /// The last path component.
    pub name: String,
    pub depth: usize,
    /// `None` for a directory that is only there because something below it changed.
    pub kind: Option<ChangeKind>,
    pub has_children: bool,
}

/// Counts per kind, for the title.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChangeCounts {
    pub added: usize,
    pub changed: usize,
    pub deleted: usize,
}

/// The open writable-layer view of one container.
#[derive(Debug, Clone)]
pub struct ChangesView {
    pub container: ContainerId,
    pub container_name: String,
    /// Nodes in tree order (parents before children, siblings by name).
    nodes: Vec<ChangeNode>,
    index_by_path: HashMap<String, usize>,
    pub counts: ChangeCounts,
    collapsed: HashSet<String>,
    pub view: ListView,
    pub filter: Filter,
    /// The diff has not arrived yet.
    pub loading: bool,
    pub error: Option<String>,
}

impl ChangesView {
    pub fn new(container: ContainerId, container_name: String) -> Self {
        ChangesView {
            container,
            container_name,
            nodes: Vec::new(),
            index_by_path: HashMap::new(),
            counts: ChangeCounts::default(),
            collapsed: HashSet::new(),
            view: ListView::default(),
            filter: Filter::default(),
            loading: true,
            error: None,
        }
    }

    /// The diff arrived.
    pub fn set_changes(&mut self, changes: Vec<FileChange>) {
        let previous = self.view.selected_key(&self.nodes, |n| n.path.clone());
        self.loading = false;
        self.error = None;
        self.counts = ChangeCounts::default();
        let mut by_components: HashMap<Vec<String>, Option<ChangeKind>> = HashMap::new();
        for change in changes {
            match change.kind {
                ChangeKind::Added => self.counts.added += 1,
                ChangeKind::Changed => self.counts.changed += 1,
                ChangeKind::Deleted => self.counts.deleted += 1,
            }
            let components: Vec<String> = change
                .path
                .split('/')
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect();
            for depth in 1..components.len() {
                by_components
                    .entry(components[..depth].to_vec())
                    .or_insert(None);
            }
            by_components.insert(components, Some(change.kind));
        }
        // Parents before their children, siblings in natural order (file_2 before file_10).
        let mut entries: Vec<(Vec<String>, Option<ChangeKind>)> =
            by_components.into_iter().collect();
        entries.sort_by(|(a, _), (b, _)| {
            a.iter()
                .zip(b)
                .map(|(x, y)| natural_cmp(x, y))
                .find(|order| order.is_ne())
                .unwrap_or_else(|| a.len().cmp(&b.len()))
        });
        self.nodes = entries
            .iter()
            .enumerate()
            .map(|(i, (components, kind))| ChangeNode {
                path: format!("/{}", components.join("/")),
                name: components
                    .last()
                    .cloned()
                    .unwrap_or_else(|| "/".to_string()),
                depth: components.len().saturating_sub(1),
                kind: *kind,
                has_children: entries.get(i + 1).is_some_and(|(next, _)| {
                    next.len() > components.len() && next.starts_with(components)
                }),
            })
            .collect();
        self.index_by_path = self
            .nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.path.clone(), i))
            .collect();
        self.rebuild(previous);
    }

    pub fn set_error(&mut self, message: String) {
        self.loading = false;
        self.error = Some(message);
    }

    pub fn visible_len(&self) -> usize {
        self.view.len()
    }

    pub fn visible_node(&self, i: usize) -> Option<&ChangeNode> {
        self.view.get(i).and_then(|n| self.nodes.get(n))
    }

    pub fn selected(&self) -> Option<&ChangeNode> {
        self.view.selected().and_then(|n| self.nodes.get(n))
    }

    pub fn is_collapsed(&self, path: &str) -> bool {
        self.collapsed.contains(path)
    }

    pub fn navigate(&mut self, action: Action) -> bool {
        self.view.navigate(action)
    }

    /// Opens or closes the selected directory.
    pub fn toggle_selected(&mut self) {
        let Some(node) = self.selected().filter(|n| n.has_children) else {
            return;
        };
        let path = node.path.clone();
        if !self.collapsed.remove(&path) {
            self.collapsed.insert(path);
        }
        self.refresh();
    }

    /// Re-applies the filter and the collapsed directories.
    pub fn refresh(&mut self) {
        let previous = self.view.selected_key(&self.nodes, |n| n.path.clone());
        self.rebuild(previous);
    }

    fn rebuild(&mut self, previous: Option<String>) {
        let terms = self.filter.terms();
        let shown = if terms.is_empty() {
            self.expanded_nodes()
        } else {
            self.matching_nodes(&terms)
        };
        let positions: Vec<usize> = (0..self.nodes.len()).collect();
        let nodes = &self.nodes;
        self.view.rebuild(
            &positions,
            |i| shown.contains(i),
            |a, b| a.cmp(b),
            |&i| nodes[i].path.clone(),
            previous,
        );
    }

    /// Nodes not hidden under a collapsed directory.
    fn expanded_nodes(&self) -> HashSet<usize> {
        let mut shown = HashSet::new();
        let mut hidden_under: Option<&str> = None;
        for (i, node) in self.nodes.iter().enumerate() {
            if let Some(prefix) = hidden_under {
                if is_below(&node.path, prefix) {
                    continue;
                }
                hidden_under = None;
            }
            shown.insert(i);
            if self.collapsed.contains(&node.path) {
                hidden_under = Some(&node.path);
            }
        }
        shown
    }

    /// Nodes whose path matches every term, with their directories, ignoring collapse.
    fn matching_nodes(&self, terms: &[String]) -> HashSet<usize> {
        let mut shown = HashSet::new();
        for (i, node) in self.nodes.iter().enumerate() {
            let path = node.path.to_lowercase();
            if terms.iter().all(|t| path.contains(t.as_str())) {
                shown.insert(i);
                let mut dir = node.path.as_str();
                while let Some((parent, _)) = dir.rsplit_once('/') {
                    match self.index_by_path.get(parent) {
                        Some(&j) if shown.insert(j) => dir = parent,
                        _ => break,
                    }
                }
            }
        }
        shown
    }
}

fn is_below(path: &str, dir: &str) -> bool {
    path.len() > dir.len() && path.starts_with(dir) && path.as_bytes()[dir.len()] == b'/'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(path: &str, kind: ChangeKind) -> FileChange {
        FileChange {
            path: path.into(),
            kind,
        }
    }

    fn view() -> ChangesView {
        let mut v = ChangesView::new(ContainerId("c".into()), "web".into());
        v.set_changes(vec![
            change("/etc", ChangeKind::Changed),
            change("/etc/hosts.new", ChangeKind::Added),
            change("/etc-old", ChangeKind::Added),
            change("/tmp/cache/a/b", ChangeKind::Added),
            change("/root/.ash_history", ChangeKind::Added),
            change("/etc/motd", ChangeKind::Deleted),
            change("/root", ChangeKind::Changed),
        ]);
        v
    }

    fn paths(v: &ChangesView) -> Vec<String> {
        (0..v.visible_len())
            .map(|i| v.visible_node(i).unwrap().path.clone())
            .collect()
    }

    #[test]
    fn builds_a_tree_with_parents_first_and_counts() {
        let v = view();
        assert_eq!(
            paths(&v),
            [
                "/etc",
                "/etc/hosts.new",
                "/etc/motd",
                "/etc-old",
                "/root",
                "/root/.ash_history",
                "/tmp",
                "/tmp/cache",
                "/tmp/cache/a",
                "/tmp/cache/a/b"
            ]
        );
        assert_eq!(
            v.counts,
            ChangeCounts {
                added: 4,
                changed: 2,
                deleted: 1
            }
        );
        let tmp = v.visible_node(6).unwrap();
        assert_eq!((tmp.kind, tmp.has_children, tmp.depth), (None, true, 0));
        assert_eq!(v.visible_node(9).unwrap().depth, 3);
        assert!(
            !v.visible_node(3).unwrap().has_children,
            "/etc-old is not below /etc"
        );
    }

    #[test]
    fn siblings_are_in_natural_order() {
        let mut v = ChangesView::new(ContainerId("c".repeat(64)), "web".into());
        v.set_changes(
            ["/d/file_10", "/d/file_2", "/d/file_1", "/d10", "/d2"]
                .into_iter()
                .map(|p| change(p, ChangeKind::Added))
                .collect(),
        );
        assert_eq!(
            paths(&v),
            ["/d", "/d/file_1", "/d/file_2", "/d/file_10", "/d2", "/d10"]
        );
    }

    #[test]
    fn collapsing_hides_children_and_keeps_the_selection() {
        let mut v = view();
        v.view.cursor.select(0, v.visible_len());
        v.toggle_selected();
        assert_eq!(paths(&v)[..3], ["/etc", "/etc-old", "/root"]);
        assert_eq!(v.selected().unwrap().path, "/etc");
        v.toggle_selected();
        assert_eq!(paths(&v).len(), 10);
    }

    #[test]
    fn filter_shows_matches_with_their_directories() {
        let mut v = view();
        v.filter.editor.set_text("B");
        v.refresh();
        assert_eq!(
            paths(&v),
            ["/tmp", "/tmp/cache", "/tmp/cache/a", "/tmp/cache/a/b"]
        );
        v.filter.editor.set_text("motd");
        v.refresh();
        assert_eq!(paths(&v), ["/etc", "/etc/motd"]);
    }
}
