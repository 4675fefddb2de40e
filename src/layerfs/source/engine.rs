//! A local image, read through the engine's export (`docker save`), streamed: never held in
//! memory, never written to disk. The engine names the layers (`RootFS.Layers`) before the
//! export starts, so each layer is placed the moment its bytes have been hashed, whatever
//! order the archive holds them in. When every layer is in the cache, there is no export.

use std::sync::Arc;

use futures::StreamExt;

use super::archive::read_stream;
use super::{
    ChannelSink, ChunkReader, ImagePlan, LayerInfo, LoadError, LoadEvent, LoadHandle, Sink,
};
use crate::docker::{Engine, ImageLayers};
use crate::layerfs::cache::LayerCache;

/// Starts reading a local image (by name or ID). Needs a tokio runtime.
pub fn load_local_image(
    engine: Engine,
    reference: String,
    cache: Option<LayerCache>,
) -> LoadHandle {
    let (handle, sink) = ChannelSink::pair();
    tokio::spawn(async move {
        if let Err(e) = run(engine, &reference, cache, sink.clone_handle()).await {
            sink.fail_async(e).await;
        }
    });
    handle
}

impl ChannelSink {
    fn clone_handle(&self) -> ChannelSink {
        ChannelSink {
            tx: self.tx.clone(),
            cancel: self.cancel.clone(),
            bytes: Arc::clone(&self.bytes),
        }
    }
}

async fn run(
    engine: Engine,
    reference: &str,
    cache: Option<LayerCache>,
    sink: ChannelSink,
) -> Result<(), LoadError> {
    let layers = engine
        .image_layers(reference)
        .await
        .map_err(|e| LoadError::new(e.to_string()))?;
    let plan = plan_of(reference, &layers);
    if let Some(cache) = &cache
        && let Some(indexes) = all_cached(cache, &plan).await
    {
        sink.send_async(LoadEvent::Plan(plan)).await?;
        for (diff_id, index) in indexes {
            sink.send_async(LoadEvent::Layer {
                diff_id,
                index,
                cached: true,
                locator: None,
            })
            .await?;
        }
        return sink.send_async(LoadEvent::Done).await;
    }
    let (tx, reader) = ChunkReader::channel(16);
    let mut export = Box::pin(engine.export_image(&layers.id));
    let cancel = sink.cancel.clone();
    let forward = tokio::spawn(async move {
        while let Some(chunk) = export.next().await {
            if cancel.is_cancelled() {
                break;
            }
            let item = chunk.map_err(|e| e.to_string());
            let failed = item.is_err();
            if tx.send(item).await.is_err() || failed {
                break;
            }
        }
    });
    let name = reference.to_string();
    let result = tokio::task::spawn_blocking(move || {
        let mut sink = CachingSink { inner: sink, cache };
        let result = read_stream(reader, &name, None, Some(plan), None, &mut sink);
        if let Err(e) = &result {
            sink.inner.fail(e.clone());
        }
    })
    .await;
    forward.abort();
    result.map_err(|e| LoadError::new(format!("the reader stopped: {e}")))
}

/// The plan from what the engine said: layers and, for their commands, the history steps
/// that made a layer (the engine's history does not say which did; steps of size 0 are taken
/// for metadata unless there are too few steps left for the layers left).
fn plan_of(reference: &str, layers: &ImageLayers) -> ImagePlan {
    let mut infos = Vec::with_capacity(layers.diff_ids.len());
    let mut steps = layers.history.iter().peekable();
    for (i, diff_id) in layers.diff_ids.iter().enumerate() {
        let layers_left = layers.diff_ids.len() - i;
        let mut created_by = String::new();
        while let Some((command, size)) = steps.next() {
            let steps_left = steps.len() + 1;
            if *size > 0 || steps_left <= layers_left {
                created_by = command.clone();
                break;
            }
        }
        infos.push(LayerInfo {
            diff_id: diff_id.clone(),
            created_by,
            transfer_size: None,
        });
    }
    ImagePlan {
        name: reference.to_string(),
        layers: infos,
        total_bytes: None,
    }
}

/// Every layer's index from the cache, or `None` if one is missing.
pub(crate) async fn all_cached(
    cache: &LayerCache,
    plan: &ImagePlan,
) -> Option<Vec<(String, Arc<crate::layerfs::LayerIndex>)>> {
    let cache = cache.clone();
    let ids: Vec<String> = plan.layers.iter().map(|l| l.diff_id.clone()).collect();
    tokio::task::spawn_blocking(move || {
        if !ids.iter().all(|id| cache.contains(id)) {
            return None;
        }
        let mut seen: std::collections::HashMap<String, Arc<crate::layerfs::LayerIndex>> =
            Default::default();
        let mut out = Vec::new();
        for id in ids {
            let index = match seen.get(&id) {
                Some(index) => Arc::clone(index),
                None => {
                    let index = Arc::new(cache.get(&id)?);
                    seen.insert(id.clone(), Arc::clone(&index));
                    index
                }
            };
            out.push((id, index));
        }
        Some(out)
    })
    .await
    .ok()
    .flatten()
}

/// Stores each layer indexed from the source in the cache on its way to the consumer.
pub(crate) struct CachingSink<S> {
    pub(crate) inner: S,
    pub(crate) cache: Option<LayerCache>,
}

impl<S: Sink> Sink for CachingSink<S> {
    fn send(&mut self, event: LoadEvent) -> Result<(), LoadError> {
        if let (
            Some(cache),
            LoadEvent::Layer {
                diff_id,
                index,
                cached: false,
                ..
            },
        ) = (&self.cache, &event)
        {
            // A cache that cannot be written is no reason to stop reading the image.
            let _ = cache.put(diff_id, index);
        }
        self.inner.send(event)
    }
    fn cancel_flag(&self) -> &super::CancelFlag {
        self.inner.cancel_flag()
    }
    fn progress_bytes(&self) -> &Arc<std::sync::atomic::AtomicU64> {
        self.inner.progress_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::ImageId;

    #[test]
    fn commands_go_to_the_layers_that_made_something() {
        let layers = ImageLayers {
            id: ImageId("sha256:x".into()),
            diff_ids: vec!["sha256:a".into(), "sha256:b".into()],
            history: vec![
                ("ADD rootfs".into(), 100),
                ("ENV X=1".into(), 0),
                ("RUN true".into(), 0),
            ],
            os: "linux".into(),
            architecture: "amd64".into(),
        };
        let plan = plan_of("img", &layers);
        assert_eq!(plan.layers[0].created_by, "ADD rootfs");
        // Two steps left of size 0 for one layer: the last one made it (an empty layer).
        assert_eq!(plan.layers[1].created_by, "RUN true");
    }
}
