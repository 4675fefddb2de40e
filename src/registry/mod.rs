//! Remote registries: the reference grammar, the HTTP client and the docker CLI's credential store.
//!
//! - [`Reference`]: parse and normalise image references (`nginx` → `docker.io/library/nginx:latest`).
//! - [`RegistryClient`]: tags, manifests, configs, catalog pages and tag details over the
//!   registry HTTP API, with Basic and bearer-token auth, timeouts and size limits.
//! - [`DockerConfig`]: read and write credentials the way `docker login` does.
//!
//! This is the only module that uses reqwest. Call [`install_crypto_provider`] once at start.

pub mod auth;
pub mod client;
pub mod compare;
pub mod credentials;
pub mod error;
pub mod harbor;
pub mod hub;
pub mod known_repositories;
pub mod link;
pub mod listing;
pub mod manifest;
pub mod rate_limit;
pub mod reference;
pub mod refused;
pub mod remote_tag;

#[cfg(test)]
mod hostile_input;

pub use client::{CatalogCursor, CatalogPage, ClientOptions, RefusedName, RegistryClient, TagList};
pub use credentials::{CredentialError, Credentials, DockerConfig, Secret, StoredIn};
pub use error::{Missing, NoCatalogReason, RegistryError};
pub use harbor::{HarborArtifact, HarborProject, HarborRepository, HarborTag};
pub use hub::{HubRepository, HubSearchResult};
pub use known_repositories::{
    OfferSource, OfferedRepositories, OfferedRepository, RegistryHostConfig, RegistryHosts,
    RememberedRepositories, RepositoryMemory, offered_repositories,
};
pub use listing::{Listing, ListingEnd, Page, PageCursor};
pub use manifest::{
    Descriptor, FetchedManifest, HistoryEntry, ImageConfig, ImageIndex, ImageManifest, Manifest,
    ManifestHead, Platform, PlatformDetail, TagDetail,
};
pub use rate_limit::RateLimit;
pub use reference::{
    Reference, ReferenceError, RepositoryInput, RepositoryRef, bare_registry, is_loopback_host,
};
pub use remote_tag::{
    RemotePlatform, RemoteTag, ScanState, ScanSummary, Severity, TagOrder, other_tags_with_digest,
    sort_tags, tag_order, tags_sharing_digest,
};

/// Installs rustls' ring crypto provider for the process; a provider already installed stays.
///
/// reqwest is built without a provider of its own, so this must run before any TLS client
/// is built. [`RegistryClient::new`] calls it too.
pub fn install_crypto_provider() {
    // An error only means some provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
