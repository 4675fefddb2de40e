//! A remote tag, read straight from its registry without pulling: manifest (the chosen
//! platform's, for an index), config, then each layer blob streamed through the indexer.
//! Nothing reaches the engine. The registry client's credentials and auth flow are the
//! tags pane's.

use std::sync::Arc;

use futures::StreamExt;

use super::archive::{choose_platform, plan_from};
use super::{
    ChannelSink, ChunkReader, LoadError, LoadEvent, LoadHandle, ProgressTicker, Sink, index_blob,
    short_digest,
};
use crate::layerfs::cache::LayerCache;
use crate::registry::{Manifest, Platform, Reference, RegistryClient};

/// Starts reading `reference` from its registry. `platform` picks from a multi-platform
/// index (the first image when `None`). Needs a tokio runtime.
pub fn load_remote(
    client: RegistryClient,
    reference: Reference,
    platform: Option<Platform>,
    cache: Option<LayerCache>,
) -> LoadHandle {
    let (handle, sink) = ChannelSink::pair();
    tokio::spawn(async move {
        if let Err(e) = run(&client, &reference, platform.as_ref(), cache, &sink).await {
            sink.fail_async(e).await;
        }
    });
    handle
}

async fn run(
    client: &RegistryClient,
    reference: &Reference,
    platform: Option<&Platform>,
    cache: Option<LayerCache>,
    sink: &ChannelSink,
) -> Result<(), LoadError> {
    let name = reference.familiar();
    let repo = reference.repository_ref();
    let registry_error = |e: crate::registry::RegistryError| LoadError::new(e.to_string());
    let fetched = client
        .manifest(repo, reference.manifest_reference())
        .await
        .map_err(registry_error)?;
    let manifest = match fetched.manifest {
        Manifest::Image(image) => image,
        Manifest::Index(index) => {
            let chosen = choose_platform(&index.manifests, platform).ok_or_else(|| {
                let offered: Vec<String> = index
                    .manifests
                    .iter()
                    .filter_map(|d| d.platform.as_ref().map(ToString::to_string))
                    .collect();
                LoadError::new(format!(
                    "{name} has no image for {} (it offers {})",
                    platform.map_or_else(|| "any platform".to_string(), ToString::to_string),
                    offered.join(", ")
                ))
            })?;
            match client
                .manifest(repo, &chosen.digest)
                .await
                .map_err(registry_error)?
                .manifest
            {
                Manifest::Image(image) => image,
                Manifest::Index(_) => {
                    return Err(LoadError::new(format!("{name}: an index inside an index")));
                }
            }
        }
    };
    let config = client
        .image_config(repo, &manifest.config)
        .await
        .map_err(registry_error)?;
    if config.diff_ids.len() != manifest.layers.len() {
        return Err(LoadError::new(format!(
            "{name}: the manifest lists {} layers but the config {}",
            manifest.layers.len(),
            config.diff_ids.len()
        )));
    }
    let plan = plan_from(&name, &config, &config.diff_ids, Some(&manifest.layers));
    let mut ticker = ProgressTicker::new(Some(plan.layers.len()), plan.total_bytes);
    sink.send_async(LoadEvent::Plan(plan)).await?;
    for (layer, diff_id) in manifest.layers.iter().zip(&config.diff_ids) {
        if let Some(index) = cached(cache.as_ref(), diff_id).await {
            sink.send_async(LoadEvent::Layer {
                diff_id: diff_id.clone(),
                index,
                cached: true,
                locator: Some(layer.digest.clone()),
            })
            .await?;
            ticker.layers_done += 1;
            continue;
        }
        let label = short_digest(&layer.digest).to_string();
        let blob = client
            .blob_stream(repo, &layer.digest)
            .await
            .map_err(|e| LoadError::new(format!("layer {label}: {e}")))?;
        let (tx, reader) = ChunkReader::channel(16);
        let cancel = sink.cancel_flag().clone();
        let mut chunks = blob.chunks;
        let forward = tokio::spawn(async move {
            while let Some(chunk) = chunks.next().await {
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
        let progress = Arc::clone(sink.progress_bytes());
        let cancel = sink.cancel_flag().clone();
        let label_for_reader = label.clone();
        let indexed = tokio::task::spawn_blocking(move || {
            index_blob(reader, &label_for_reader, &progress, &cancel)
        })
        .await
        .map_err(|e| LoadError::new(format!("layer {label}: the reader stopped: {e}")))?;
        forward.abort();
        let indexed = indexed?;
        if indexed.blob_digest != layer.digest {
            return Err(LoadError::new(format!(
                "layer {label}: the registry sent content with another digest ({})",
                short_digest(&indexed.blob_digest)
            )));
        }
        if &indexed.diff_id != diff_id {
            return Err(LoadError::new(format!(
                "layer {label}: its uncompressed content does not match the config's diff ID"
            )));
        }
        let index = Arc::new(indexed.index);
        if let Some(cache) = &cache {
            let (cache, id, index) = (cache.clone(), diff_id.clone(), Arc::clone(&index));
            let _ = tokio::task::spawn_blocking(move || cache.put(&id, &index)).await;
        }
        sink.send_async(LoadEvent::Layer {
            diff_id: diff_id.clone(),
            index,
            cached: false,
            locator: Some(layer.digest.clone()),
        })
        .await?;
        ticker.layers_done += 1;
        sink.send_async(LoadEvent::Progress(ticker.snapshot(sink.progress_bytes())))
            .await?;
    }
    sink.send_async(LoadEvent::Done).await
}

/// A layer's index from the cache, read off the runtime's threads.
async fn cached(
    cache: Option<&LayerCache>,
    diff_id: &str,
) -> Option<Arc<crate::layerfs::LayerIndex>> {
    let cache = cache?.clone();
    let id = diff_id.to_string();
    tokio::task::spawn_blocking(move || cache.get(&id).map(Arc::new))
        .await
        .ok()
        .flatten()
}
