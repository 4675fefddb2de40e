//! Inside the layers: what each layer of an image adds, changes and deletes, the filesystem
//! as it is at each layer, and where space is wasted. Pure parts (no terminal, no engine):
//!
//! - [`index`]: one layer's headers as a compact path tree ([`LayerIndex`]), read with the
//!   bounded tar reader in [`tarscan`], gzip and zstd unwrapped by [`compress`].
//! - [`stack`]: the layers stacked ([`ImageFs`]): per-path history, so the tree at any layer
//!   and the changes of any layer are answered without rebuilding anything.
//! - [`waste`]: dive's efficiency, wasted bytes and inefficient paths.

pub mod analyze;
pub mod cache;
pub mod compress;
pub mod content;
pub mod index;
pub mod names;
pub mod source;
pub mod stack;
pub mod tarscan;
pub mod view;
pub mod waste;

pub use compress::Compression;
pub use index::{EntryKind, IndexNode, LayerError, LayerIndex};
pub use stack::{Change, Entry, ImageFs, Layer, PathId};
pub use waste::{WasteReport, WastedPath};
