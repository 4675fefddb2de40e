//! The files view's loads: a local image through the engine's export, a saved archive, or a
//! remote tag from its registry, streamed through the layer indexer; each event becomes a
//! message as it comes, so the first layer shows while the rest still arrive. Aborting the
//! task drops the load's handle, which stops the reader.

use tokio::sync::mpsc;

use crate::docker::Engine;
use crate::flows::files::FilesMsg;
use crate::layerfs::cache::LayerCache;
use crate::layerfs::source::{LoadEvent, LoadHandle, archive, engine, registry};
use crate::model::files::{FilesLoadId, FilesSource};
use crate::msg::Msg;
use crate::registry::{Platform, Reference, RegistryClient};

use super::services::Registry;

/// What a load may read from.
pub(super) struct FilesContext {
    pub engine: Option<Engine>,
    pub registry: Registry,
    pub cache: Option<LayerCache>,
}

/// Runs one load to its end, sending every event (or the failure) as a message.
pub(super) async fn run(
    load: FilesLoadId,
    source: FilesSource,
    context: FilesContext,
    tx: mpsc::UnboundedSender<Msg>,
) {
    let failed = |message: String| Msg::Files(FilesMsg::Failed { load, message });
    let mut handle = match open(source, context).await {
        Ok(handle) => handle,
        Err(message) => {
            let _ = tx.send(failed(message));
            return;
        }
    };
    while let Some(event) = handle.events.recv().await {
        match event {
            Ok(event) => {
                let done = matches!(event, LoadEvent::Done);
                if tx
                    .send(Msg::Files(FilesMsg::Event { load, event }))
                    .is_err()
                    || done
                {
                    return;
                }
            }
            Err(error) => {
                let _ = tx.send(failed(error.message));
                return;
            }
        }
    }
    let _ = tx.send(failed("the layers stopped coming before the end".into()));
}

async fn open(source: FilesSource, context: FilesContext) -> Result<LoadHandle, String> {
    Ok(match resolve(source, &context).await? {
        Origin::Archive { path, platform } => archive::load_path(path, platform),
        Origin::Engine { engine, reference } => {
            engine::load_local_image(engine, reference, context.cache)
        }
        Origin::Remote {
            client,
            reference,
            platform,
        } => registry::load_remote(client, reference, platform, context.cache),
    })
}

/// Where a source's layers are read from, once decided.
pub(super) enum Origin {
    Archive {
        path: std::path::PathBuf,
        platform: Option<Platform>,
    },
    Engine {
        engine: Engine,
        reference: String,
    },
    Remote {
        client: RegistryClient,
        reference: Reference,
        platform: Option<Platform>,
    },
}

/// Decides where a source is: the same answer for the load and for reading a file again.
pub(super) async fn resolve(source: FilesSource, context: &FilesContext) -> Result<Origin, String> {
    match source {
        FilesSource::Image { reference } => {
            let engine = context.engine.clone().ok_or_else(not_connected)?;
            Ok(Origin::Engine { engine, reference })
        }
        FilesSource::Remote {
            reference,
            platform,
        } => remote(&reference, platform, context).await,
        FilesSource::Typed {
            text,
            path,
            platform,
        } => {
            if tokio::fs::metadata(&path).await.is_ok() {
                return Ok(Origin::Archive { path, platform });
            }
            if let Some(engine) = &context.engine
                && matches!(engine.inspect_image(&text).await, Ok(Some(_)))
            {
                return Ok(Origin::Engine {
                    engine: engine.clone(),
                    reference: text,
                });
            }
            if names_a_registry(&text) {
                return remote(&text, platform, context).await;
            }
            let engine = if context.engine.is_some() {
                "no local image"
            } else {
                "no engine to ask for an image"
            };
            Err(format!(
                "{text}: no such file, {engine} of that name, and no registry in the name \
                 (a remote tag is REGISTRY/REPOSITORY:TAG)"
            ))
        }
    }
}

async fn remote(
    text: &str,
    platform: Option<Platform>,
    context: &FilesContext,
) -> Result<Origin, String> {
    let reference = Reference::parse(text).map_err(|e| format!("{text}: {e}"))?;
    let client = context.registry.get().await?;
    Ok(Origin::Remote {
        client,
        reference,
        platform,
    })
}

/// `host.name/…`, `host:port/…`, `localhost/…`: a reference that says which registry.
fn names_a_registry(text: &str) -> bool {
    text.split_once('/').is_some_and(|(first, _)| {
        first.contains('.') || first.contains(':') || first == "localhost"
    })
}

fn not_connected() -> String {
    "not connected to the Docker engine: a local image cannot be read".to_string()
}

#[cfg(test)]
mod tests {
    use super::names_a_registry;

    #[test]
    fn only_a_name_with_a_host_goes_to_a_registry() {
        assert!(names_a_registry("127.0.0.1:5000/app:1"));
        assert!(names_a_registry("localhost/app"));
        assert!(names_a_registry("ghcr.io/owner/app:1"));
        assert!(!names_a_registry("library/busybox:1"));
        assert!(!names_a_registry("busybox"));
    }
}
