//! Where layers come from: a saved archive (no engine), the engine's export of a local
//! image, or a registry (without pulling). Every source streams: each layer is indexed as
//! its bytes pass (decompressed, hashed, headers kept, contents dropped), and reported as a
//! [`LoadEvent`] at once, so the first layer is usable while the rest still arrive.
//!
//! The readers are synchronous (they run on a blocking thread); [`LoadHandle`] is what the
//! async side holds: a channel of events and a cancel switch.

pub mod archive;
pub mod engine;
pub mod registry;

use std::collections::HashMap;
use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tokio::sync::mpsc;

use super::compress::{Compression, HashingReader, decompressed};
use super::index::{LayerError, LayerIndex};
use super::stack::ImageFs;

/// One layer of the image, as the manifest and config describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerInfo {
    /// Digest of the uncompressed layer (the config's `rootfs.diff_ids` entry).
    pub diff_id: String,
    /// The build step that made it, when the config says.
    pub created_by: String,
    /// Bytes to transfer for it, when known (compressed size in a registry).
    pub transfer_size: Option<u64>,
}

/// The image's layers in order, base first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImagePlan {
    /// What was opened (reference or path), for titles.
    pub name: String,
    pub layers: Vec<LayerInfo>,
    /// Bytes the source will read in all, when known.
    pub total_bytes: Option<u64>,
}

/// What a source reports, in order: `Plan` (possibly after some layers, for archives whose
/// manifest comes last), `Layer`s and `Progress`, then `Done`.
#[derive(Debug, Clone)]
pub enum LoadEvent {
    Plan(ImagePlan),
    /// A layer indexed (or found in the cache).
    Layer {
        diff_id: String,
        index: Arc<LayerIndex>,
        cached: bool,
        /// Where the layer's bytes are in the source, to read a file from it again: the
        /// archive entry (`<id>/layer.tar`, `blobs/sha256/<hex>`) or the registry blob
        /// digest; `None` when only the diff ID is known (a cached layer of a local image).
        locator: Option<String>,
    },
    Progress(Progress),
    /// Something odd but not fatal (a layer listed twice, entries skipped).
    Warning(String),
    Done,
}

/// How far a load is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub bytes: u64,
    pub total_bytes: Option<u64>,
    pub layers_done: usize,
    pub layers_total: Option<usize>,
}

/// Why a load stopped, phrased for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub message: String,
}

impl LoadError {
    pub fn new(message: impl Into<String>) -> Self {
        LoadError {
            message: message.into(),
        }
    }

    pub fn cancelled() -> Self {
        LoadError::new("cancelled")
    }
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for LoadError {}

impl From<LayerError> for LoadError {
    fn from(e: LayerError) -> Self {
        LoadError::new(e.to_string())
    }
}

/// Shared between the reader thread and whoever may cancel it.
#[derive(Debug, Clone, Default)]
pub struct CancelFlag(Arc<AtomicBool>);

impl CancelFlag {
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Where a reader sends its events.
pub trait Sink {
    /// Sends an event; `Err` when nobody listens any more or the load was cancelled.
    fn send(&mut self, event: LoadEvent) -> Result<(), LoadError>;
    fn cancel_flag(&self) -> &CancelFlag;
    /// Shared byte counter the readers add to as data passes.
    fn progress_bytes(&self) -> &Arc<AtomicU64>;
}

/// The async side of a load: events in order, ending with `Done` or an error. Dropping it
/// cancels the load.
#[derive(Debug)]
pub struct LoadHandle {
    pub events: mpsc::Receiver<Result<LoadEvent, LoadError>>,
    cancel: CancelFlag,
}

impl LoadHandle {
    pub fn cancel(&self) {
        self.cancel.cancel();
    }

    /// Waits for the whole image: the stacked filesystem and the plan.
    pub async fn collect(mut self) -> Result<LoadedImage, LoadError> {
        let mut assembler = Assembler::default();
        while let Some(event) = self.events.recv().await {
            let event = event?;
            if matches!(event, LoadEvent::Done) {
                return assembler.finish();
            }
            assembler.accept(event)?;
        }
        Err(LoadError::new("the load stopped without finishing"))
    }
}

impl Drop for LoadHandle {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

/// The sending side given to a reader on a blocking thread.
pub struct ChannelSink {
    tx: mpsc::Sender<Result<LoadEvent, LoadError>>,
    cancel: CancelFlag,
    bytes: Arc<AtomicU64>,
}

impl ChannelSink {
    /// A handle and its sink.
    pub fn pair() -> (LoadHandle, ChannelSink) {
        let (tx, rx) = mpsc::channel(64);
        let cancel = CancelFlag::default();
        (
            LoadHandle {
                events: rx,
                cancel: cancel.clone(),
            },
            ChannelSink {
                tx,
                cancel,
                bytes: Arc::default(),
            },
        )
    }

    /// Ends the load with an error (nobody may be listening any more: ignored then).
    pub fn fail(&self, error: LoadError) {
        let _ = self.tx.blocking_send(Err(error));
    }

    /// Async variant of [`Sink::send`], for sources that run on the runtime.
    pub async fn send_async(&self, event: LoadEvent) -> Result<(), LoadError> {
        if self.cancel.is_cancelled() {
            return Err(LoadError::cancelled());
        }
        self.tx
            .send(Ok(event))
            .await
            .map_err(|_| LoadError::cancelled())
    }

    pub async fn fail_async(&self, error: LoadError) {
        let _ = self.tx.send(Err(error)).await;
    }
}

impl Sink for ChannelSink {
    fn send(&mut self, event: LoadEvent) -> Result<(), LoadError> {
        if self.cancel.is_cancelled() {
            return Err(LoadError::cancelled());
        }
        self.tx
            .blocking_send(Ok(event))
            .map_err(|_| LoadError::cancelled())
    }
    fn cancel_flag(&self) -> &CancelFlag {
        &self.cancel
    }
    fn progress_bytes(&self) -> &Arc<AtomicU64> {
        &self.bytes
    }
}

/// A sink that keeps everything, for synchronous callers and tests.
#[derive(Default)]
pub struct VecSink {
    pub events: Vec<LoadEvent>,
    cancel: CancelFlag,
    bytes: Arc<AtomicU64>,
}

impl Sink for VecSink {
    fn send(&mut self, event: LoadEvent) -> Result<(), LoadError> {
        self.events.push(event);
        Ok(())
    }
    fn cancel_flag(&self) -> &CancelFlag {
        &self.cancel
    }
    fn progress_bytes(&self) -> &Arc<AtomicU64> {
        &self.bytes
    }
}

/// A whole image, loaded.
#[derive(Debug)]
pub struct LoadedImage {
    pub plan: ImagePlan,
    pub fs: ImageFs,
    /// Where each layer is in its source, by diff ID (see [`LoadEvent::Layer`]).
    pub locators: HashMap<String, String>,
}

/// Stacks layers as they arrive, in the plan's order, whatever order they come in: the
/// pure part a view's state would hold.
#[derive(Debug, Default)]
pub struct Assembler {
    pub fs: ImageFs,
    plan: Option<ImagePlan>,
    /// Layers received, by diff ID, not stacked yet (or needed again: a diff ID may repeat).
    received: HashMap<String, Arc<LayerIndex>>,
    /// Where each layer is in its source (see [`LoadEvent::Layer`]).
    locators: HashMap<String, String>,
    pub progress: Progress,
}

impl Assembler {
    pub fn plan(&self) -> Option<&ImagePlan> {
        self.plan.as_ref()
    }

    /// Where a layer is in its source, when known.
    pub fn locator(&self, diff_id: &str) -> Option<&str> {
        self.locators.get(diff_id).map(String::as_str)
    }

    /// Takes one event; returns how many layers are stacked now.
    pub fn accept(&mut self, event: LoadEvent) -> Result<usize, LoadError> {
        match event {
            LoadEvent::Plan(plan) => self.plan = Some(plan),
            LoadEvent::Layer {
                diff_id,
                index,
                locator,
                ..
            } => {
                if let Some(locator) = locator {
                    self.locators.insert(diff_id.clone(), locator);
                }
                self.received.insert(diff_id, index);
            }
            LoadEvent::Progress(p) => self.progress = p,
            LoadEvent::Warning(_) | LoadEvent::Done => {}
        }
        self.stack_ready()?;
        Ok(self.fs.layer_count())
    }

    fn stack_ready(&mut self) -> Result<(), LoadError> {
        let Some(plan) = &self.plan else {
            return Ok(());
        };
        while let Some(next) = plan.layers.get(self.fs.layer_count()) {
            let Some(index) = self.received.get(&next.diff_id) else {
                break;
            };
            self.fs
                .push_layer(Arc::clone(index))
                .map_err(LoadError::new)?;
        }
        Ok(())
    }

    /// The image once every layer is in; an error names a layer that never came.
    pub fn finish(mut self) -> Result<LoadedImage, LoadError> {
        self.stack_ready()?;
        let plan = self
            .plan
            .ok_or_else(|| LoadError::new("no image manifest was found"))?;
        if let Some(missing) = plan.layers.get(self.fs.layer_count()) {
            return Err(LoadError::new(format!(
                "layer {} is listed by the image but was not found",
                short_digest(&missing.diff_id)
            )));
        }
        Ok(LoadedImage {
            plan,
            fs: self.fs,
            locators: self.locators,
        })
    }
}

/// `sha256:0123456789ab` (12 hex digits), for messages.
pub fn short_digest(digest: &str) -> &str {
    let end = digest.find(':').map_or(0, |i| i + 1) + 12;
    digest.get(..end).unwrap_or(digest)
}

/// A layer blob read through: its index and both digests.
#[derive(Debug)]
pub struct IndexedBlob {
    pub index: LayerIndex,
    /// Digest of the uncompressed tar.
    pub diff_id: String,
    /// Digest of the bytes as stored (equal to `diff_id` when uncompressed).
    pub blob_digest: String,
    pub compression: Compression,
    pub blob_bytes: u64,
}

/// Decompresses, hashes and indexes one layer blob, reading it to the end.
pub fn index_blob<R: Read + Send>(
    reader: R,
    label: &str,
    progress: &Arc<AtomicU64>,
    cancel: &CancelFlag,
) -> Result<IndexedBlob, LoadError> {
    let cancellable = Cancellable {
        inner: reader,
        cancel: cancel.clone(),
    };
    let mut outer = HashingReader::new(cancellable).with_progress(Arc::clone(progress));
    let layer_error = |message: String| LoadError::from(LayerError::new(label, message));
    let (compression, inner) = decompressed(&mut outer).map_err(layer_error)?;
    let mut diff = HashingReader::new(inner);
    let index = LayerIndex::read(&mut diff, label).map_err(|e| {
        if cancel.is_cancelled() {
            LoadError::cancelled()
        } else {
            e.into()
        }
    })?;
    let (diff_id, _) = diff
        .finish()
        .map_err(|e| layer_error(format!("reading failed after the archive's end: {e}")))?;
    let (blob_digest, blob_bytes) = outer
        .finish()
        .map_err(|e| layer_error(format!("reading failed: {e}")))?;
    Ok(IndexedBlob {
        index,
        diff_id,
        blob_digest,
        compression,
        blob_bytes,
    })
}

/// A reader that fails once the load is cancelled, so a blocked read loop ends.
struct Cancellable<R> {
    inner: R,
    cancel: CancelFlag,
}

impl<R: Read> Read for Cancellable<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancel.is_cancelled() {
            return Err(std::io::Error::other("cancelled"));
        }
        self.inner.read(buf)
    }
}

/// A synchronous reader over chunks sent from an async task (the engine's export, a
/// registry blob): bounded, so the producer waits while the indexer works.
pub struct ChunkReader {
    rx: mpsc::Receiver<Result<bytes::Bytes, String>>,
    current: bytes::Bytes,
    failed: Option<String>,
}

impl ChunkReader {
    /// A reader and the sender for its chunks (`Err` ends the stream with that error).
    pub fn channel(chunks: usize) -> (mpsc::Sender<Result<bytes::Bytes, String>>, ChunkReader) {
        let (tx, rx) = mpsc::channel(chunks);
        (
            tx,
            ChunkReader {
                rx,
                current: bytes::Bytes::new(),
                failed: None,
            },
        )
    }
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if let Some(why) = &self.failed {
            return Err(std::io::Error::other(why.clone()));
        }
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(Ok(chunk)) => self.current = chunk,
                Some(Err(why)) => {
                    self.failed = Some(why.clone());
                    return Err(std::io::Error::other(why));
                }
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        let _ = self.current.split_to(n);
        Ok(n)
    }
}

/// Sends a progress event now and then (at most every 100 ms), and at layer ends.
pub(crate) struct ProgressTicker {
    last: std::time::Instant,
    pub layers_done: usize,
    pub layers_total: Option<usize>,
    pub total_bytes: Option<u64>,
}

impl ProgressTicker {
    pub(crate) fn new(layers_total: Option<usize>, total_bytes: Option<u64>) -> Self {
        ProgressTicker {
            last: std::time::Instant::now(),
            layers_done: 0,
            layers_total,
            total_bytes,
        }
    }

    pub(crate) fn snapshot(&self, bytes: &Arc<AtomicU64>) -> Progress {
        Progress {
            bytes: bytes.load(Ordering::Relaxed),
            total_bytes: self.total_bytes,
            layers_done: self.layers_done,
            layers_total: self.layers_total,
        }
    }

    pub(crate) fn report(&mut self, sink: &mut dyn Sink, force: bool) -> Result<(), LoadError> {
        if !force && self.last.elapsed() < std::time::Duration::from_millis(100) {
            return Ok(());
        }
        self.last = std::time::Instant::now();
        let bytes = sink.progress_bytes().load(Ordering::Relaxed);
        sink.send(LoadEvent::Progress(Progress {
            bytes,
            total_bytes: self.total_bytes,
            layers_done: self.layers_done,
            layers_total: self.layers_total,
        }))
    }
}
