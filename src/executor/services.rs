//! What the executor talks to besides the engine: the docker CLI's credential store and
//! the registry client.

use std::sync::Arc;

use crate::registry::{ClientOptions, DockerConfig, RegistryClient};

/// What the executor talks to besides the engine.
#[derive(Clone, Default)]
pub struct Services {
    /// The docker CLI's credential store (`$DOCKER_CONFIG`), when one can be found.
    pub credentials: Option<DockerConfig>,
    pub registry: Registry,
    /// files view: where layer indexes are cached (none: every layer is read again).
    pub layer_cache: Option<crate::layerfs::cache::LayerCache>,
    /// Where the repositories opened per registry are remembered (for registries without
    /// a catalog); `None` remembers nothing.
    pub repository_memory: Option<crate::registry::RepositoryMemory>,
}

/// The registry client, built when first needed (building it reads the system's
/// certificates, which the first frame should not wait for) or handed in ready.
#[derive(Clone, Default)]
pub struct Registry {
    client: Arc<tokio::sync::OnceCell<Result<RegistryClient, String>>>,
    options: Option<ClientOptions>,
}

impl Registry {
    /// A client built with `options` on first use.
    pub fn build_on_first_use(options: ClientOptions) -> Self {
        Registry {
            client: Arc::default(),
            options: Some(options),
        }
    }

    /// A client that is already built.
    pub fn ready(client: RegistryClient) -> Self {
        Registry {
            client: Arc::new(tokio::sync::OnceCell::new_with(Some(Ok(client)))),
            options: None,
        }
    }

    /// The client, or why there is none.
    pub(super) async fn get(&self) -> Result<RegistryClient, String> {
        self.client
            .get_or_init(|| async {
                let Some(options) = self.options.clone() else {
                    return Err("no registry client was set up".to_string());
                };
                tokio::task::spawn_blocking(move || RegistryClient::new(options))
                    .await
                    .map_err(|e| e.to_string())
                    .and_then(|built| {
                        built.map_err(|e| format!("the registry client could not be set up: {e}"))
                    })
            })
            .await
            .clone()
    }

    /// After a login or logout: the client must read the credential store again.
    pub(super) fn forget_credentials(&self, registry: &str) {
        if let Some(Ok(client)) = self.client.get() {
            client.forget_credentials(registry);
        }
    }
}
