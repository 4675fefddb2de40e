//! An image's layers as the engine knows them, and the engine's export (`docker save`) as a
//! byte stream, for the layer explorer.

use bytes::Bytes;
use futures::{Stream, StreamExt};

use super::engine::Engine;
use super::error::{EngineError, EngineErrorKind};
use super::types::ImageId;

/// What the engine says about an image's layers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageLayers {
    pub id: ImageId,
    /// Uncompressed layer digests, base first (`RootFS.Layers`).
    pub diff_ids: Vec<String>,
    /// The build steps, oldest first: command and the size the engine gives it (0 for
    /// steps that made no layer).
    pub history: Vec<(String, u64)>,
    pub os: String,
    pub architecture: String,
}

impl Engine {
    /// The layers of a local image; a missing image is a `NotFound` error naming it.
    pub async fn image_layers(&self, reference: &str) -> Result<ImageLayers, EngineError> {
        // Both by the reference, at once: one round trip instead of two.
        let (inspect, history) = tokio::join!(
            self.docker.inspect_image(reference),
            self.docker.image_history(reference)
        );
        let inspect = inspect.map_err(|e| {
            let err = self.error(e);
            if err.kind == EngineErrorKind::NotFound {
                EngineError::new(
                    EngineErrorKind::NotFound,
                    format!("no such image: {reference}"),
                )
            } else {
                err
            }
        })?;
        let id = inspect.id.ok_or_else(|| {
            EngineError::new(EngineErrorKind::Other, "the engine gave the image no ID")
        })?;
        let diff_ids = inspect.root_fs.and_then(|r| r.layers).unwrap_or_default();
        let mut history: Vec<(String, u64)> = history
            .map_err(|e| self.error(e))?
            .into_iter()
            .map(|h| (h.created_by, u64::try_from(h.size).unwrap_or(0)))
            .collect();
        history.reverse();
        Ok(ImageLayers {
            id: ImageId(id),
            diff_ids,
            history,
            os: inspect.os.unwrap_or_default(),
            architecture: inspect.architecture.unwrap_or_default(),
        })
    }

    /// The engine's export of one image (what `docker save` writes), as it streams.
    pub fn export_image(
        &self,
        id: &ImageId,
    ) -> impl Stream<Item = Result<Bytes, EngineError>> + Send + 'static {
        let engine = self.clone();
        self.docker
            .export_image(&id.0)
            .map(move |chunk| chunk.map_err(|e| engine.error(e)))
    }
}
