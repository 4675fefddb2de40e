//! Wasted space, by dive's definitions (wagoodman/dive, `filetree/efficiency.go` and
//! `image/analysis.go`), so the numbers can be compared with dive's:
//!
//! - Each layer's *leaves* (paths with nothing of that layer below them) are events on their
//!   path. A written path counts its declared size. A whiteout counts the size of everything
//!   under the deleted path when it was a directory in the layers below, and 0 when it was
//!   anything else.
//! - Per path: `cumulative` = the sum of its events, `min` = the smallest event. A path with
//!   two or more events is *inefficient*; its whole `cumulative` is wasted.
//! - `wasted_bytes` = Σ cumulative of inefficient paths; `efficiency` = Σ min / Σ cumulative
//!   over all paths (1 when nothing was seen); layer size = Σ declared sizes of the layer's
//!   entries; `user_size` = all layers but the first; `wasted_user_percent` =
//!   wasted / user size (a ratio, despite the name).
//!
//! Where we differ from dive, on purpose:
//! - **Opaque directories.** dive drops `.wh..wh..opq` entries when it builds a layer's tree,
//!   so what an opaque directory hides is never counted (and dive's tree still shows it).
//!   Here an opaque directory counts as a whiteout of each entry the layers below have in it
//!   and this layer does not write again (recursively into directories it writes again) —
//!   exactly the events a storage driver that writes per-file whiteouts (fuse-overlayfs, the
//!   naive diff) produces for the same change, so both give the same numbers.
//! - **A whiteout of a path that never existed.** dive's visitor fails on it, records the
//!   path with a minimum size of -1 and skips the rest of that layer's leaves; here it is
//!   ignored.

use std::collections::HashMap;

use super::index::{EntryKind, IndexId, LayerIndex};
use super::stack::{ImageFs, Layer, PathId};

#[derive(Debug, Clone, Copy, Default)]
struct PathWaste {
    cumulative: u64,
    min: u64,
    count: u32,
    first_layer: Layer,
}

/// Accumulates the events of each layer as it is stacked.
#[derive(Debug, Default, Clone)]
pub struct WasteTracker {
    paths: Vec<PathWaste>,
    /// Layers after the first that wrote a path (only for paths written more than once).
    more_layers: HashMap<PathId, Vec<Layer>>,
    layer_sizes: Vec<u64>,
}

/// One inefficient path.
#[derive(Debug, Clone, PartialEq)]
pub struct WastedPath {
    pub path: PathId,
    /// Events on the path (writes and deletions), dive's "Count".
    pub count: u32,
    /// Σ of the events' sizes, dive's "Wasted Space".
    pub wasted: u64,
    /// The layers that wrote or deleted it, oldest first.
    pub layers: Vec<Layer>,
}

/// The analysis of an image.
#[derive(Debug, Clone, PartialEq)]
pub struct WasteReport {
    pub size_bytes: u64,
    pub user_size_bytes: u64,
    pub wasted_bytes: u64,
    /// wasted / user size; NaN or infinite when the user layers are empty, as in dive.
    pub wasted_user_percent: f64,
    pub efficiency: f64,
    /// Largest waste first (ties by path).
    pub inefficient: Vec<WastedPath>,
}

impl WasteTracker {
    /// Records layer `layer`'s events; `fs` is still the image below it and `map` gives the
    /// stacked path of each node of `index`.
    pub(crate) fn observe(
        &mut self,
        fs: &ImageFs,
        layer: Layer,
        index: &LayerIndex,
        map: &[PathId],
    ) {
        self.layer_sizes.push(index.size());
        if self.paths.len() < fs.path_count() {
            self.paths.resize(fs.path_count(), PathWaste::default());
        }
        // Per stacked path: 0 not in this layer, 1 in it, 2 in it as a directory.
        let mut written: Option<Vec<u8>> = None;
        if index.node(0).is_opaque() {
            let written = written.get_or_insert_with(|| written_paths(fs, index, map));
            self.hidden_by_opaque(fs, layer, crate::layerfs::stack::ROOT, written);
        }
        for (i, node) in index.nodes().iter().enumerate().skip(1) {
            let path = map[i];
            if node.is_whiteout()
                && let Some(kind) = fs.current_kind(path)
            {
                let size = if kind == EntryKind::Dir {
                    fs.current_total(path)
                } else {
                    0
                };
                self.record(path, size, layer);
            }
            if node.is_explicit() && !node.has_children() {
                self.record(path, node.size, layer);
            }
            if node.is_opaque() {
                let written = written.get_or_insert_with(|| written_paths(fs, index, map));
                self.hidden_by_opaque(fs, layer, path, written);
            }
        }
    }

    /// Whiteout events for what the layers below have under the opaque `dir` and this layer
    /// does not write again.
    fn hidden_by_opaque(&mut self, fs: &ImageFs, layer: Layer, dir: PathId, written: &[u8]) {
        let mut stack = vec![dir];
        while let Some(cur) = stack.pop() {
            for &child in fs.children(cur) {
                let Some(kind) = fs.current_kind(child) else {
                    continue;
                };
                if written[child as usize] == 0 {
                    let size = if kind == EntryKind::Dir {
                        fs.current_total(child)
                    } else {
                        0
                    };
                    self.record(child, size, layer);
                } else if kind == EntryKind::Dir && written[child as usize] == 2 {
                    stack.push(child);
                }
            }
        }
    }

    fn record(&mut self, path: PathId, size: u64, layer: Layer) {
        let entry = &mut self.paths[path as usize];
        if entry.count == 0 {
            *entry = PathWaste {
                cumulative: size,
                min: size,
                count: 1,
                first_layer: layer,
            };
            return;
        }
        entry.cumulative = entry.cumulative.saturating_add(size);
        entry.min = entry.min.min(size);
        entry.count += 1;
        self.more_layers.entry(path).or_default().push(layer);
    }

    /// The numbers so far.
    pub fn report(&self) -> WasteReport {
        let size_bytes: u64 = self.layer_sizes.iter().sum();
        let user_size_bytes: u64 = self.layer_sizes.iter().skip(1).sum();
        let (mut min_sum, mut cumulative_sum, mut wasted) = (0u128, 0u128, 0u64);
        let mut inefficient = Vec::new();
        for (path, w) in self.paths.iter().enumerate() {
            if w.count == 0 {
                continue;
            }
            min_sum += u128::from(w.min);
            cumulative_sum += u128::from(w.cumulative);
            if w.count >= 2 {
                wasted = wasted.saturating_add(w.cumulative);
                let path = path as PathId;
                let mut layers = vec![w.first_layer];
                layers.extend(self.more_layers.get(&path).into_iter().flatten().copied());
                inefficient.push(WastedPath {
                    path,
                    count: w.count,
                    wasted: w.cumulative,
                    layers,
                });
            }
        }
        inefficient.sort_by(|a, b| b.wasted.cmp(&a.wasted).then(a.path.cmp(&b.path)));
        let efficiency = if cumulative_sum == 0 {
            1.0
        } else {
            min_sum as f64 / cumulative_sum as f64
        };
        WasteReport {
            size_bytes,
            user_size_bytes,
            wasted_bytes: wasted,
            wasted_user_percent: wasted as f64 / user_size_bytes as f64,
            efficiency,
            inefficient,
        }
    }
}

/// Which stacked paths the layer has a node for: 1, or 2 for a directory (written or
/// implied).
fn written_paths(fs: &ImageFs, index: &LayerIndex, map: &[PathId]) -> Vec<u8> {
    let mut written = vec![0u8; fs.path_count()];
    for (i, &path) in map.iter().enumerate().skip(1) {
        let node = index.node(i as IndexId);
        let dir = (node.is_explicit() && node.kind == EntryKind::Dir) || node.is_implied_dir();
        written[path as usize] = if dir { 2 } else { 1 };
    }
    written
}

#[cfg(test)]
mod tests {
    use crate::layerfs::stack::ImageFs;
    use crate::layerfs::stack::fixture::layer;

    fn report(layers: &[&[&str]]) -> super::WasteReport {
        let mut fs = ImageFs::new();
        for l in layers {
            fs.push_layer(layer(l)).unwrap();
        }
        fs.waste_report()
    }

    #[test]
    fn a_file_written_twice_wastes_both_writes() {
        let r = report(&[&["a=100", "b=10"], &["a=40"]]);
        assert_eq!(r.size_bytes, 150);
        assert_eq!(r.user_size_bytes, 40);
        assert_eq!(r.wasted_bytes, 140);
        // min: a 40 + b 10 = 50; cumulative: a 140 + b 10 = 150.
        assert!((r.efficiency - 50.0 / 150.0).abs() < 1e-12);
        assert!((r.wasted_user_percent - 140.0 / 40.0).abs() < 1e-12);
        assert_eq!(r.inefficient.len(), 1);
        assert_eq!((r.inefficient[0].count, r.inefficient[0].wasted), (2, 140));
        assert_eq!(r.inefficient[0].layers, [0, 1]);
    }

    #[test]
    fn deleting_a_file_counts_zero_and_a_directory_its_contents() {
        let r = report(&[&["f=30", "d/x=5", "d/y=7"], &[".wh.f", ".wh.d"]]);
        // f: 30 + 0 (min 0); d: whiteout of a directory = 12 (its only event; d/x, d/y once).
        assert_eq!(r.wasted_bytes, 30);
        let (f_min, f_cum) = (0, 30);
        let (min, cum) = (f_min + 5 + 7 + 12, f_cum + 5 + 7 + 12);
        assert!((r.efficiency - f64::from(min) / f64::from(cum)).abs() < 1e-12);
    }

    #[test]
    fn an_opaque_directory_counts_like_per_file_whiteouts() {
        let opaque = report(&[
            &["v/", "v/a=8", "v/b=4"],
            &["v/", "v/.wh..wh..opq", "v/a=2"],
        ]);
        let per_file = report(&[&["v/", "v/a=8", "v/b=4"], &["v/", "v/.wh.b", "v/a=2"]]);
        assert_eq!(opaque, per_file);
        assert_eq!(opaque.wasted_bytes, 10 + 4);
    }

    #[test]
    fn a_whiteout_of_a_never_existing_path_is_ignored() {
        let r = report(&[&["a=5"], &[".wh.nothing", "b=5"]]);
        assert_eq!(r.wasted_bytes, 0);
        assert_eq!(r.efficiency, 1.0);
    }

    #[test]
    fn an_empty_image_is_fully_efficient() {
        let r = report(&[&[]]);
        assert_eq!(r.efficiency, 1.0);
        assert!(r.wasted_user_percent.is_nan());
    }
}
