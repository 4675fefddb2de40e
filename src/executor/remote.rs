//! The tags pane's registry calls that pick an API: Docker Hub's own API for Hub
//! repositories, Harbor's for a Harbor, the Distribution API otherwise; and the pull quota
//! each manifest answer brings.

use crate::model::tags::RemoteTagList;
use crate::msg::Msg;
use crate::registry::harbor::tag_rows;
use crate::registry::{
    CatalogCursor, Listing, ListingEnd, RegistryClient, RegistryError, RepositoryMemory,
    RepositoryRef,
};

use super::Executor;

/// A repository's tags, from the richest API the registry offers.
pub(super) async fn load_tags(
    client: &RegistryClient,
    repository: &RepositoryRef,
    generation: u64,
) -> Msg {
    let remote = if repository.is_docker_hub() {
        Some(remote_list(client.hub_tags(repository).await, |tags| tags))
    } else if client
        .is_harbor(repository.registry())
        .await
        .unwrap_or(false)
    {
        // An artifact without tags gives no row: the pane lists tags.
        Some(remote_list(
            client.harbor_artifacts(repository).await,
            |a| tag_rows(&a),
        ))
    } else {
        None
    };
    match remote {
        Some(result) => Msg::RemoteTagsLoaded { generation, result },
        None => Msg::TagsLoaded {
            generation,
            result: client.tags(repository).await,
        },
    }
}

/// A listing as the pane takes it: an error only if nothing at all loaded.
fn remote_list<T>(
    listing: Listing<T>,
    rows: impl FnOnce(Vec<T>) -> Vec<crate::registry::RemoteTag>,
) -> Result<RemoteTagList, RegistryError> {
    let (truncated, stopped) = match listing.end {
        ListingEnd::Complete => (false, None),
        ListingEnd::Truncated => (true, None),
        ListingEnd::Failed(error) if listing.items.is_empty() => return Err(error),
        ListingEnd::Failed(error) => (false, Some(error)),
    };
    Ok(RemoteTagList {
        tags: rows(listing.items),
        truncated,
        stopped,
    })
}

/// A catalog page: a Harbor's first page is its projects (its `/v2/_catalog` is for system
/// administrators only); otherwise the Distribution catalog.
pub(super) async fn load_catalog(
    client: &RegistryClient,
    registry: &str,
    cursor: Option<CatalogCursor>,
    page_size: u32,
    generation: u64,
) -> Msg {
    let result = match cursor {
        Some(cursor) => client.catalog_next_page(&cursor).await,
        None if client.is_harbor(registry).await.unwrap_or(false) => {
            return Msg::HarborProjectsLoaded {
                generation,
                result: client.harbor_projects_page(registry, None).await,
            };
        }
        None => client.catalog_page(registry, page_size).await,
    };
    Msg::CatalogLoaded { generation, result }
}

/// Remembers a repository opened on purpose; the new list comes back. A memory that cannot
/// be written is not worth a message: the repository is still open.
pub(super) fn remember(memory: &RepositoryMemory, repository: &RepositoryRef) -> Msg {
    match memory.remember(repository) {
        Ok(remembered) => Msg::RepositoriesRemembered(remembered),
        Err(_) => Msg::RepositoriesRemembered(memory.load().0),
    }
}

impl Executor {
    /// A manifest request (`HEAD` for a digest, or a tag's detail): its answer, then the
    /// pull quota the registry announced with it, for the pane's title.
    pub(super) fn manifest_call<T, F, Fut>(
        &self,
        registry: String,
        request: F,
        wrap: impl FnOnce(Result<T, RegistryError>) -> Msg + Send + 'static,
    ) where
        T: Send + 'static,
        F: FnOnce(RegistryClient) -> Fut + Send + 'static,
        Fut: Future<Output = Result<T, RegistryError>> + Send + 'static,
    {
        let services = self.services.registry.clone();
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let client = match services.get().await {
                Ok(client) => client,
                Err(why) => {
                    let _ = tx.send(wrap(Err(RegistryError::Setup(why))));
                    return;
                }
            };
            let result = request(client.clone()).await;
            let _ = tx.send(wrap(result));
            if let Some(limit) = client.rate_limit(&registry) {
                let _ = tx.send(Msg::RateLimitSeen { registry, limit });
            }
        });
    }
}
