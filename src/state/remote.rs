//! The tags pane's flows: which repository it shows, loading its tags and their details,
//! browsing a registry's catalog, and the tag detail popup.

use std::time::Duration;

use crate::effect::Effect;
use crate::registry::reference::Reference;
use crate::registry::{
    CatalogPage, ManifestHead, RegistryError, RepositoryRef, TagDetail, TagList,
};

use super::{Pane, State};
use crate::flows::retry::Retry;
use crate::model::popup::{Popup, Scroll};
use crate::model::tags::{CATALOG_PAGE, RemoteError, RemoteTagList, TagRequest};

/// How long the images selection must rest on a repository before its tags load.
const SETTLE: Duration = Duration::from_millis(300);

impl State {
    /// After the images selection moved: follow it, unless a repository was opened on purpose.
    pub(crate) fn follow_selection_with_tags(&mut self, effects: &mut Vec<Effect>) {
        if self.tags.pinned || self.tags.catalog.is_some() {
            return;
        }
        let wanted = self.followed_repository();
        // Already showing it, or already waiting for it: an image event that re-lists the
        // images must not restart the pause (on a busy engine it would never end).
        if wanted == self.tags.repository || wanted == self.tags_settle_for {
            return;
        }
        self.tags_settle_for = wanted;
        self.tags_settle_generation += 1;
        effects.push(Effect::SettleTags {
            generation: self.tags_settle_generation,
            after: SETTLE,
        });
    }

    /// The repository the tags pane is about to show: the selection moved to a named image
    /// of another repository and the pause before loading is not over.
    pub fn tags_pending(&self) -> Option<RepositoryRef> {
        if self.tags.pinned || self.tags.catalog.is_some() {
            return None;
        }
        self.followed_repository()
            .filter(|r| Some(r) != self.tags.repository.as_ref())
    }

    /// The repository the tags pane follows for the selected image: its own, except on
    /// Docker Hub for an image that did not come from there (no digest from Hub): a name
    /// made here is not sent to Docker Hub just because the selection passed over it.
    fn followed_repository(&self) -> Option<RepositoryRef> {
        let repository = self.selected_repository()?;
        (!self.made_here_for_docker_hub(&repository)).then_some(repository)
    }

    /// The selected image's Docker Hub repository when the tags pane does not follow it
    /// (see `followed_repository`); the pane says how to look it up anyway.
    pub fn tags_not_followed(&self) -> Option<RepositoryRef> {
        if self.tags.pinned || self.tags.catalog.is_some() {
            return None;
        }
        self.selected_repository()
            .filter(|repository| self.made_here_for_docker_hub(repository))
    }

    fn made_here_for_docker_hub(&self, repository: &RepositoryRef) -> bool {
        if repository.registry() != "docker.io" {
            return false;
        }
        let Some(row) = self.images.selected_row() else {
            return false;
        };
        let known_there = self.images.find(&row.reference()).is_some_and(|record| {
            record.repo_digests.iter().any(|digest| {
                Reference::parse(digest).is_ok_and(|d| d.repository_ref() == repository)
            })
        });
        !known_there
    }

    /// The repository of the selected local image, if it has a name.
    fn selected_repository(&self) -> Option<RepositoryRef> {
        let row = self.images.selected_row().filter(|r| !r.dangling)?;
        Reference::parse(&row.reference())
            .ok()
            .map(|r| r.repository_ref().clone())
    }

    pub(crate) fn on_tags_settled(&mut self, generation: u64, effects: &mut Vec<Effect>) {
        if generation != self.tags_settle_generation {
            return;
        }
        self.tags_settle_for = None;
        if self.tags.pinned {
            return;
        }
        let repository = self.followed_repository();
        if self.tags.open(repository, false) {
            self.load_tags(effects);
        }
    }

    /// Opens a repository's tags on purpose (`o`, `:repo`, Enter in the catalog).
    pub(crate) fn open_repository(&mut self, repository: RepositoryRef, effects: &mut Vec<Effect>) {
        self.tags.catalog = None;
        self.tags.catalog_behind = None;
        self.focus = Pane::Tags;
        // Offered again when its registry does not list its repositories.
        effects.push(Effect::RememberRepository {
            repository: repository.clone(),
        });
        if self.tags.open(Some(repository), true) {
            self.load_tags(effects);
        }
    }

    /// Reloads the tags pane if it shows the repository of `reference`.
    pub(crate) fn reload_tags_of(&mut self, reference: &str, effects: &mut Vec<Effect>) {
        let repository = Reference::parse(reference)
            .ok()
            .map(|r| r.repository_ref().clone());
        if repository.is_some() && repository == self.tags.repository && self.tags.reload() {
            self.load_tags(effects);
        }
    }

    pub(crate) fn load_tags(&mut self, effects: &mut Vec<Effect>) {
        self.ask_local_platforms(effects);
        if let Some(repository) = self.tags.repository.clone() {
            effects.push(Effect::LoadTags {
                generation: self.tags.generation,
                repository,
            });
        }
    }

    pub(crate) fn on_tags_loaded(
        &mut self,
        generation: u64,
        result: Result<TagList, RegistryError>,
        effects: &mut Vec<Effect>,
    ) {
        if generation != self.tags.generation {
            return;
        }
        match result {
            Ok(list) => {
                self.tags.set_tags(list.tags, list.truncated);
                self.pump_tag_details(effects);
            }
            Err(error) => self.remote_failed(&error, None),
        }
    }

    /// The tags arrived from Docker Hub's or Harbor's API. On Docker Hub, one `HEAD` for the
    /// selected tag (not counted as a pull) brings the pull quota for the title.
    pub(crate) fn on_remote_tags_loaded(
        &mut self,
        generation: u64,
        result: Result<RemoteTagList, RegistryError>,
        effects: &mut Vec<Effect>,
    ) {
        if generation != self.tags.generation {
            return;
        }
        match result {
            Ok(list) => {
                self.tags.set_remote_tags(list);
                if let Some(repository) = self.tags.repository.clone()
                    && repository.is_docker_hub()
                    && self.tags.rate_limit().is_none()
                    && let Some(tag) = self.tags.selected().map(|r| r.name.clone())
                    && self.tags.request_digest(&tag)
                {
                    effects.push(Effect::LoadTagDigest {
                        generation,
                        repository,
                        tag,
                    });
                }
                self.pump_tag_details(effects);
            }
            Err(error) => self.remote_failed(&error, None),
        }
    }

    /// Asks the engine the platform of the shown repository's local images not asked yet:
    /// a tag is compared with the local image for that image's platform.
    pub(crate) fn ask_local_platforms(&mut self, effects: &mut Vec<Effect>) {
        let Some(repository) = self.tags.repository.as_ref() else {
            return;
        };
        let wanted = self
            .tags
            .local_platforms
            .to_ask(self.images.records(), repository);
        effects.extend(
            wanted
                .into_iter()
                .map(|image| Effect::InspectImagePlatform { image }),
        );
    }

    pub(crate) fn on_image_platform(
        &mut self,
        image: crate::docker::ImageId,
        result: Result<Option<crate::docker::ImagePlatform>, crate::docker::EngineError>,
    ) {
        // A failure is asked again on the next look; the column compares across platforms
        // meanwhile.
        self.tags.local_platforms.set(&image, result.ok().flatten());
    }

    /// Records a registry failure; a refusal remembers what to retry after a login.
    fn remote_failed(&mut self, error: &RegistryError, tag: Option<&str>) {
        let remote = RemoteError::from_registry(error);
        if remote.login_host.is_some()
            && let Some(repository) = self.tags.repository.clone()
        {
            self.retry = Some(Retry::Tags(repository));
        }
        match tag {
            Some(tag) => self.tags.set_row_error(tag, remote.message),
            None => self.tags.set_error(remote),
        }
    }

    /// Asks for what the rows on screen still lack, a few requests at a time. Full details
    /// count as pulls on Docker Hub, so there they are fetched only while the pane has the
    /// focus.
    pub(crate) fn pump_tag_details(&mut self, effects: &mut Vec<Effect>) {
        let Some(repository) = self.tags.repository.clone() else {
            return;
        };
        let details = self.focus == Pane::Tags || !repository.is_docker_hub();
        let generation = self.tags.generation;
        for request in self.tags.next_requests(details) {
            effects.push(match request {
                TagRequest::Digest(tag) => Effect::LoadTagDigest {
                    generation,
                    repository: repository.clone(),
                    tag,
                },
                TagRequest::Detail(tag) => Effect::LoadTagDetail {
                    generation,
                    repository: repository.clone(),
                    tag,
                },
            });
        }
    }

    pub(crate) fn on_tag_digest_loaded(
        &mut self,
        generation: u64,
        tag: String,
        result: Result<ManifestHead, RegistryError>,
        effects: &mut Vec<Effect>,
    ) {
        if generation != self.tags.generation {
            return;
        }
        match result {
            Ok(head) => self.tags.set_digest(&tag, head.digest),
            Err(error) => self.remote_failed(&error, Some(&tag)),
        }
        self.pump_tag_details(effects);
    }

    pub(crate) fn on_tag_detail_loaded(
        &mut self,
        generation: u64,
        tag: String,
        result: Result<TagDetail, RegistryError>,
        effects: &mut Vec<Effect>,
    ) {
        if generation != self.tags.generation {
            return;
        }
        match result {
            Ok(detail) => self.tags.set_detail(&tag, detail),
            Err(error) => self.remote_failed(&error, Some(&tag)),
        }
        self.pump_tag_details(effects);
    }

    /// Enter on a tag: its detail (fetched now if it is not here yet).
    pub(crate) fn open_tag_detail(&mut self, effects: &mut Vec<Effect>) {
        let (Some(row), Some(repository)) = (self.tags.selected(), self.tags.repository.clone())
        else {
            return;
        };
        let tag = row.name.clone();
        let repository_shown = repository.clone();
        // Docker Hub's API said what the popup shows; a manifest GET would count as a pull.
        let described = row.remote.is_some() && repository.is_docker_hub();
        if !described && self.tags.request_detail(&tag) {
            effects.push(Effect::LoadTagDetail {
                generation: self.tags.generation,
                repository,
                tag: tag.clone(),
            });
        }
        self.popups.push(Popup::TagDetail {
            repository: repository_shown,
            tag,
            scroll: Scroll::default(),
        });
    }

    /// `p` on a remote tag: pull it.
    pub(crate) fn pull_selected_tag(&mut self, effects: &mut Vec<Effect>) {
        let (Some(row), Some(repository)) = (self.tags.selected(), self.tags.repository.as_ref())
        else {
            return self.error("select a tag to pull");
        };
        let reference = format!("{}:{}", repository.familiar(), row.name);
        self.pull_now(&reference, effects);
    }

    /// `:registry HOST`, `b`: the registry's repositories.
    pub(crate) fn browse_registry(&mut self, registry: Option<String>, effects: &mut Vec<Effect>) {
        if let Some(arg) = &registry
            && self.browse_hub_namespace(arg, effects)
        {
            return;
        }
        // `b` on a Docker Hub repository: its namespace, from Hub's API.
        if registry.is_none()
            && let Some(repository) = self.tags.repository.clone()
            && repository.is_docker_hub()
            && let Some((namespace, _)) = repository.repository().split_once('/')
        {
            return self.open_hub_namespace(namespace.to_string(), effects);
        }
        let registry = registry
            .or_else(|| {
                self.tags
                    .repository
                    .as_ref()
                    .map(|r| r.registry().to_string())
            })
            .or_else(|| self.selected_repository().map(|r| r.registry().to_string()));
        let Some(registry) = registry else {
            return self.error("which registry? use :registry HOST");
        };
        if let Err(e) = crate::registry::reference::validate_registry(&registry) {
            return self.error(e.to_string());
        }
        self.focus = Pane::Tags;
        let generation = self.tags.open_catalog(registry.clone());
        effects.push(Effect::LoadCatalog {
            generation,
            registry,
            cursor: None,
            page_size: CATALOG_PAGE,
        });
    }

    pub(crate) fn on_catalog_loaded(
        &mut self,
        generation: u64,
        result: Result<CatalogPage, RegistryError>,
        effects: &mut Vec<Effect>,
    ) {
        if self.current_catalog(generation).is_none() {
            return;
        }
        match result {
            Ok(page) => {
                self.tags
                    .add_catalog_page(generation, page.repositories, page.refused, page.next);
                self.more_catalog(effects);
            }
            Err(error) if error.is_no_catalog() => self.offer_known_repositories(&error, effects),
            // As for a Hub or Harbor page (a registry's catalog has no page cursor to drop).
            Err(error) => self.listing_failed(generation, &error),
        }
    }

    /// Loads the next catalog page when the selection nears the end of what is loaded.
    pub(crate) fn more_catalog(&mut self, effects: &mut Vec<Effect>) {
        self.more_listing(effects);
        let Some(catalog) = self.tags.catalog.as_mut() else {
            return;
        };
        if catalog.wants_more() {
            catalog.loading = true;
            effects.push(Effect::LoadCatalog {
                generation: catalog.generation,
                registry: catalog.registry.clone(),
                cursor: catalog.next.clone(),
                page_size: CATALOG_PAGE,
            });
        }
    }

    /// Enter in the catalog: that repository's tags.
    pub(crate) fn open_catalog_selection(&mut self, effects: &mut Vec<Effect>) {
        if let Some(project) = self
            .tags
            .catalog
            .as_ref()
            .and_then(|c| c.selected_project())
            .cloned()
        {
            return self.open_harbor_project(project, effects);
        }
        let selected = self
            .tags
            .catalog
            .as_ref()
            .and_then(|c| c.selected_repository())
            .cloned();
        if let Some(repository) = selected {
            let catalog = self.tags.catalog.take();
            self.open_repository(repository, effects);
            // Esc on these tags goes back to the catalog, where it was.
            self.tags.catalog_behind = catalog.map(Box::new);
        }
    }
}
