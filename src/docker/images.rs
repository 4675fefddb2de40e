//! Local images: list, inspect, history, import.

use bollard::models::{ImageInspect, ImageSummary};
use bollard::query_parameters::{CreateImageOptions, ListImagesOptions};
use futures::{Stream, StreamExt};

use super::engine::Engine;
use super::error::{EngineError, EngineErrorKind};
use super::types::{HistoryRecord, ImageId, ImagePlatform, ImageRecord};

/// What to import and how to name it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportRequest {
    /// `repository` part of the new name (no tag), e.g. `custom-centos`.
    pub repository: String,
    pub tag: String,
    pub message: Option<String>,
    /// Dockerfile-style changes such as `CMD ["/bin/sh"]`, one per entry.
    pub changes: Vec<String>,
}

impl Engine {
    /// Every top-level image (no intermediate build layers).
    pub async fn list_images(&self) -> Result<Vec<ImageRecord>, EngineError> {
        let summaries = self
            .docker
            .list_images(Some(ListImagesOptions {
                all: false,
                ..ListImagesOptions::default()
            }))
            .await
            .map_err(|e| self.error(e))?;
        // `collect` reuses the summaries' allocation in place, which keeps their (much larger)
        // size; the list lives as long as the pane, so give the difference back.
        let mut records: Vec<ImageRecord> =
            summaries.into_iter().map(record_from_summary).collect();
        records.shrink_to_fit();
        Ok(records)
    }

    /// One image by ID or name; `None` when it no longer exists.
    pub async fn inspect_image(&self, id: &str) -> Result<Option<ImageRecord>, EngineError> {
        Ok(self
            .inspect_if_present(id)
            .await?
            .and_then(record_from_inspect))
    }

    /// The platform a local image is for (per-platform digest comparison with a registry);
    /// `None` when it no longer exists.
    pub async fn image_platform(&self, id: &ImageId) -> Result<Option<ImagePlatform>, EngineError> {
        Ok(self
            .inspect_if_present(&id.0)
            .await?
            .map(|inspect| ImagePlatform {
                os: inspect.os.unwrap_or_default(),
                architecture: inspect.architecture.unwrap_or_default(),
                variant: inspect.variant.filter(|v| !v.is_empty()),
            }))
    }

    /// The engine's inspect of an image; `None` when it no longer exists.
    async fn inspect_if_present(&self, id: &str) -> Result<Option<ImageInspect>, EngineError> {
        match self.docker.inspect_image(id).await {
            Ok(inspect) => Ok(Some(inspect)),
            Err(e) => {
                let err = self.error(e);
                if err.kind == EngineErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    /// The layers of an image, newest first.
    pub async fn image_history(&self, id: &ImageId) -> Result<Vec<HistoryRecord>, EngineError> {
        let items = self
            .docker
            .image_history(&id.0)
            .await
            .map_err(|e| self.error(e))?;
        Ok(items
            .into_iter()
            .map(|item| HistoryRecord {
                id: item.id,
                created: item.created,
                created_by: item.created_by,
                size: u64::try_from(item.size).unwrap_or(0),
                comment: item.comment,
                tags: item.tags,
            })
            .collect())
    }

    /// Streams a rootfs archive (tar, or tar compressed with gzip, bzip2 or xz; the engine
    /// unpacks it) into a new image and returns its ID.
    pub async fn import_image<S>(
        &self,
        request: &ImportRequest,
        archive: S,
    ) -> Result<ImageId, EngineError>
    where
        S: Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send + 'static,
    {
        let options = CreateImageOptions {
            from_src: Some("-".to_string()),
            repo: Some(request.repository.clone()),
            tag: Some(request.tag.clone()),
            message: request.message.clone(),
            changes: request.changes.clone(),
            ..CreateImageOptions::default()
        };
        // The engine answers only once it has the whole archive: allow long uploads.
        let mut stream = self
            .docker
            .clone()
            .with_timeout(std::time::Duration::from_secs(3600))
            .create_image(Some(options), Some(bollard::body_try_stream(archive)), None)
            .boxed();
        let mut image_id = None;
        while let Some(item) = stream.next().await {
            let info = item.map_err(|e| self.error(e))?;
            if let Some(status) = info.status
                && status.starts_with("sha256:")
            {
                image_id = Some(ImageId(status.trim().to_string()));
            }
        }
        image_id.ok_or_else(|| {
            EngineError::new(
                EngineErrorKind::Other,
                "the engine finished the import without naming the new image",
            )
        })
    }
}

fn record_from_summary(summary: ImageSummary) -> ImageRecord {
    ImageRecord {
        id: ImageId(summary.id),
        repo_tags: real_tags(summary.repo_tags),
        repo_digests: real_tags(summary.repo_digests),
        created: summary.created,
        size: u64::try_from(summary.size).unwrap_or(0),
    }
}

fn record_from_inspect(inspect: ImageInspect) -> Option<ImageRecord> {
    let created = inspect
        .created
        .as_deref()
        .and_then(|c| chrono::DateTime::parse_from_rfc3339(c).ok())
        .map_or(0, |t| t.timestamp());
    Some(ImageRecord {
        id: ImageId(inspect.id?),
        repo_tags: real_tags(inspect.repo_tags.unwrap_or_default()),
        repo_digests: real_tags(inspect.repo_digests.unwrap_or_default()),
        created,
        size: inspect
            .size
            .and_then(|s| u64::try_from(s).ok())
            .unwrap_or(0),
    })
}

/// Old engines report dangling images as `<none>:<none>`; an empty list says the same.
fn real_tags(tags: Vec<String>) -> Vec<String> {
    tags.into_iter()
        .filter(|t| t != "<none>:<none>" && t != "<none>@<none>")
        .collect()
}
