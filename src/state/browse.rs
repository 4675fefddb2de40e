//! Browsing the registries people use: a registry that does not list its repositories
//! (the configured and remembered ones are offered), a Harbor's projects and their
//! repositories, a Docker Hub namespace, and Docker Hub search. All of them are the tags
//! pane's catalog, so Enter opens the selected repository's tags and Esc closes.

use crate::effect::Effect;
use crate::model::tags::{CatalogSource, RemoteError};
use crate::registry::reference::validate_registry;
use crate::registry::{
    HarborProject, HarborRepository, HubRepository, HubSearchResult, Page, RegistryError,
    RememberedRepositories, RepositoryRef, offered_repositories,
};

use super::{Pane, State};
use crate::flows::retry::Retry;

/// The names Docker Hub goes by in a `:registry` argument.
const HUB_NAMES: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

impl State {
    /// `:registry ARG`: a registry's catalog, or a Docker Hub namespace (`docker.io/NAME`).
    /// Returns false if `ARG` is not a Hub namespace (the caller lists the registry).
    pub(crate) fn browse_hub_namespace(&mut self, arg: &str, effects: &mut Vec<Effect>) -> bool {
        let Some((host, namespace)) = arg.trim().trim_end_matches('/').split_once('/') else {
            return false;
        };
        if !HUB_NAMES.contains(&host.to_ascii_lowercase().as_str()) {
            return false;
        }
        self.open_hub_namespace(namespace.to_string(), effects);
        true
    }

    /// The repositories of a Docker Hub namespace.
    pub(crate) fn open_hub_namespace(&mut self, namespace: String, effects: &mut Vec<Effect>) {
        if RepositoryRef::new("docker.io", &format!("{namespace}/x")).is_err() {
            return self.error(format!("\"{namespace}\" is not a Docker Hub namespace"));
        }
        self.focus = Pane::Tags;
        let generation = self.tags.open_listing(
            "docker.io".into(),
            CatalogSource::HubNamespace {
                namespace: namespace.clone(),
                details: Vec::new(),
            },
        );
        effects.push(Effect::LoadHubNamespace {
            generation,
            namespace,
            cursor: None,
        });
    }

    /// `:search TERM`: Docker Hub search results; Enter opens one's tags.
    pub(crate) fn search_hub(&mut self, term: String, effects: &mut Vec<Effect>) {
        let term = term.trim().to_string();
        if term.is_empty() {
            return self.error("usage: :search TERM");
        }
        self.focus = Pane::Tags;
        let generation = self.tags.open_listing(
            "docker.io".into(),
            CatalogSource::HubSearch {
                term: term.clone(),
                results: Vec::new(),
            },
        );
        effects.push(Effect::SearchHub {
            generation,
            term,
            cursor: None,
        });
    }

    /// The catalog said the registry does not list its repositories: offer the configured
    /// and remembered ones (and read the memory again, another wharf may have added some).
    pub(crate) fn offer_known_repositories(
        &mut self,
        error: &RegistryError,
        effects: &mut Vec<Effect>,
    ) {
        let hosts = &self.tags.hosts;
        let remembered = &self.tags.remembered;
        if let Some(catalog) = self.tags.catalog.as_mut() {
            let offered = offered_repositories(&catalog.registry, hosts, remembered);
            catalog.offer(error.to_string(), offered);
            effects.push(Effect::LoadRememberedRepositories);
        }
    }

    pub(crate) fn on_remembered(&mut self, remembered: RememberedRepositories) {
        self.tags.remembered = remembered;
        let hosts = &self.tags.hosts;
        let remembered = &self.tags.remembered;
        if let Some(catalog) = self.tags.catalog.as_mut()
            && let CatalogSource::Offered { reason, .. } = &catalog.source
        {
            let reason = reason.clone();
            let offered = offered_repositories(&catalog.registry, hosts, remembered);
            catalog.offer(reason, offered);
        }
    }

    /// Enter on a Harbor project: its repositories.
    pub(crate) fn open_harbor_project(
        &mut self,
        project: HarborProject,
        effects: &mut Vec<Effect>,
    ) {
        let Some(registry) = self.tags.catalog.as_ref().map(|c| c.registry.clone()) else {
            return;
        };
        if validate_registry(&registry).is_err() {
            return;
        }
        let projects = self.tags.catalog.take();
        let generation = self.tags.open_listing(
            registry.clone(),
            CatalogSource::HarborRepositories {
                project: project.name.clone(),
                details: Vec::new(),
            },
        );
        // Esc on the repositories goes back to the projects.
        if let Some(catalog) = self.tags.catalog.as_mut() {
            catalog.parent = projects.map(Box::new);
        }
        effects.push(Effect::LoadHarborRepositories {
            generation,
            registry,
            project: project.name,
            cursor: None,
        });
    }

    /// The next page of a Hub or Harbor listing, when the selection nears the end.
    pub(crate) fn more_listing(&mut self, effects: &mut Vec<Effect>) {
        let Some(catalog) = self.tags.catalog.as_mut() else {
            return;
        };
        if catalog.page.is_none() || !catalog.wants_more() {
            return;
        }
        let Some(cursor) = catalog.page.clone() else {
            return;
        };
        let generation = catalog.generation;
        let effect = match &catalog.source {
            CatalogSource::HarborProjects(_) => Effect::LoadHarborProjects {
                generation,
                registry: catalog.registry.clone(),
                cursor,
            },
            CatalogSource::HarborRepositories { project, .. } => Effect::LoadHarborRepositories {
                generation,
                registry: catalog.registry.clone(),
                project: project.clone(),
                cursor: Some(cursor),
            },
            CatalogSource::HubNamespace { namespace, .. } => Effect::LoadHubNamespace {
                generation,
                namespace: namespace.clone(),
                cursor: Some(cursor),
            },
            CatalogSource::HubSearch { term, .. } => Effect::SearchHub {
                generation,
                term: term.clone(),
                cursor: Some(cursor),
            },
            CatalogSource::Distribution | CatalogSource::Offered { .. } => return,
        };
        catalog.loading = true;
        effects.push(effect);
    }

    /// A listing page failed: what loaded stays; a refusal offers a login.
    pub(super) fn listing_failed(&mut self, generation: u64, error: &RegistryError) {
        let Some(catalog) = self.current_catalog(generation) else {
            return;
        };
        catalog.loading = false;
        catalog.page = None;
        let remote = RemoteError::from_registry(error);
        let retry = remote
            .login_host
            .is_some()
            .then(|| Retry::Catalog(catalog.registry.clone()));
        catalog.error = Some(remote);
        if retry.is_some() {
            self.retry = retry;
        }
    }

    /// The catalog on screen, if it is the one asked for under `generation`.
    pub(super) fn current_catalog(
        &mut self,
        generation: u64,
    ) -> Option<&mut crate::model::tags::CatalogState> {
        self.tags
            .catalog
            .as_mut()
            .filter(|c| c.generation == generation)
    }

    /// A page of a Hub or Harbor listing: added to the catalog it was asked for (after
    /// `prepare`), the next page asked for if the view needs it; a failure keeps what loaded.
    fn on_listing_page<T>(
        &mut self,
        generation: u64,
        result: Result<Page<T>, RegistryError>,
        prepare: impl FnOnce(&mut crate::model::tags::CatalogState),
        repository: impl Fn(&T) -> Option<RepositoryRef>,
        append: impl FnOnce(&mut CatalogSource, Vec<T>),
        effects: &mut Vec<Effect>,
    ) {
        match result {
            Ok(page) => {
                let Some(catalog) = self.current_catalog(generation) else {
                    return;
                };
                prepare(catalog);
                catalog.add_page(page, repository, append);
                self.more_listing(effects);
            }
            Err(error) => self.listing_failed(generation, &error),
        }
    }

    pub(crate) fn on_harbor_projects(
        &mut self,
        generation: u64,
        result: Result<Page<HarborProject>, RegistryError>,
        effects: &mut Vec<Effect>,
    ) {
        self.on_listing_page(
            generation,
            result,
            |catalog| {
                if !matches!(catalog.source, CatalogSource::HarborProjects(_)) {
                    catalog.source = CatalogSource::HarborProjects(Vec::new());
                    catalog.repositories.clear();
                    catalog.next = None;
                }
            },
            |_| None,
            |source, items| {
                if let CatalogSource::HarborProjects(projects) = source {
                    projects.extend(items);
                }
            },
            effects,
        );
    }

    pub(crate) fn on_harbor_repositories(
        &mut self,
        generation: u64,
        result: Result<Page<HarborRepository>, RegistryError>,
        effects: &mut Vec<Effect>,
    ) {
        self.on_listing_page(
            generation,
            result,
            |_| {},
            |r: &HarborRepository| Some(r.repository.clone()),
            |source, items| {
                if let CatalogSource::HarborRepositories { details, .. } = source {
                    details.extend(items);
                }
            },
            effects,
        );
    }

    pub(crate) fn on_hub_namespace(
        &mut self,
        generation: u64,
        result: Result<Page<HubRepository>, RegistryError>,
        effects: &mut Vec<Effect>,
    ) {
        self.on_listing_page(
            generation,
            result,
            |_| {},
            |r: &HubRepository| Some(r.repository.clone()),
            |source, items| {
                if let CatalogSource::HubNamespace { details, .. } = source {
                    details.extend(items);
                }
            },
            effects,
        );
    }

    pub(crate) fn on_hub_search(
        &mut self,
        generation: u64,
        result: Result<Page<HubSearchResult>, RegistryError>,
        effects: &mut Vec<Effect>,
    ) {
        self.on_listing_page(
            generation,
            result,
            |_| {},
            |r: &HubSearchResult| Some(r.repository.clone()),
            |source, items| {
                if let CatalogSource::HubSearch { results, .. } = source {
                    results.extend(items);
                }
            },
            effects,
        );
    }
}
