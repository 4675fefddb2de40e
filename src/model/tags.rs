//! The tags pane model: the tags of one remote repository, their details fetched lazily
//! for the rows on screen (a few requests at a time, cached by digest), and the catalog of
//! a registry, page by page.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::action::Action;
use crate::docker::ImageRecord;
use crate::registry::{
    CatalogCursor, HarborProject, HarborRepository, HubRepository, HubSearchResult, OfferSource,
    OfferedRepositories, Page, PageCursor, RateLimit, RefusedName, RegistryError, RegistryHosts,
    RememberedRepositories, RemoteTag, RepositoryRef, TagDetail, TagOrder, tag_order,
};
use crate::text::natural::natural_cmp;

use super::filter::Filter;
use super::images::split_repo_tag;
use super::list::ListView;
use super::local_platforms::LocalPlatforms;
use crate::registry::compare::{DigestMatch, LocalImage, TagDigests, compare_with_local};

/// Requests for tag details in flight at once.
pub const MAX_IN_FLIGHT: usize = 4;
/// Rows fetched ahead when the pane has not been drawn yet.
const DEFAULT_WINDOW: usize = 30;
/// Tag details kept by digest (a few KiB each); the cache starts over beyond this.
const MAX_CACHED_DETAILS: usize = 5_000;
/// The next catalog page is asked for when the selection comes this close to the end.
const CATALOG_AHEAD: usize = 30;
/// Repositories asked for per catalog page.
pub const CATALOG_PAGE: u32 = 100;

/// How the tags are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TagSort {
    #[default]
    Name,
    /// Newest first: pushed (Hub, Harbor) or built (a config's `created`).
    Created,
    /// Worst vulnerabilities first (registries that scan: Harbor).
    Severity,
}

/// One remote tag and what is known about it so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagRow {
    pub name: String,
    pub digest: Option<String>,
    pub detail: Option<Arc<TagDetail>>,
    pub error: Option<String>,
    /// What the registry's own API said (Docker Hub, Harbor): dates, sizes, platforms,
    /// scans, so no config is fetched per tag.
    pub remote: Option<Arc<RemoteTag>>,
    requested: bool,
}

impl TagRow {
    /// The date the tag sorts by: pushed (from the registry's API) or built.
    pub fn date(&self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.remote
            .as_ref()
            .and_then(|r| r.date())
            .or_else(|| self.detail.as_ref().and_then(|d| d.created))
    }
}

/// A repository's tags as a registry's own API lists them, or as far as they loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteTagList {
    pub tags: Vec<RemoteTag>,
    /// Not every page was followed (too many, or a link that loops).
    pub truncated: bool,
    /// A later page failed; the tags of the pages before it are kept.
    pub stopped: Option<RegistryError>,
}

/// A registry failure as the pane shows it; `login_host` when a login may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteError {
    pub message: String,
    pub login_host: Option<String>,
}

impl RemoteError {
    pub fn from_registry(error: &RegistryError) -> Self {
        RemoteError {
            message: error.to_string(),
            login_host: error
                .is_unauthorized()
                .then(|| error.host().map(str::to_string))
                .flatten(),
        }
    }
}

/// The next request the tags pane wants made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagRequest {
    /// `HEAD` the tag's manifest for its digest.
    Digest(String),
    /// Fetch the tag's full detail.
    Detail(String),
}

/// A registry's repositories, page by page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogState {
    pub registry: String,
    /// In the registry's order, which is also the order its pages come in.
    pub repositories: Vec<RepositoryRef>,
    pub next: Option<CatalogCursor>,
    pub loading: bool,
    pub error: Option<RemoteError>,
    pub view: ListView,
    pub filter: Filter,
    pub generation: u64,
    // Registries people use (Hub, Harbor, no catalog):
    /// Where the rows come from, with what that API says about each.
    pub source: CatalogSource,
    /// The next page of a Hub or Harbor listing.
    pub page: Option<PageCursor>,
    /// The listing Esc goes back to (a Harbor project's repositories: the projects).
    pub parent: Option<Box<CatalogState>>,
    /// Names the registry listed that the reference grammar refuses: shown above the rows
    /// with the reason, never opened as something else, never dropped without a word.
    pub refused: Vec<RefusedName>,
}

/// What a catalog lists, besides a Distribution registry's `/v2/_catalog`. The entries run
/// parallel to `repositories` (Harbor's projects, which are not repositories, aside).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CatalogSource {
    /// `/v2/_catalog`.
    #[default]
    Distribution,
    /// The registry does not list its repositories: the configured and remembered ones.
    Offered {
        /// What the registry said, for the view.
        reason: String,
        sources: Vec<OfferSource>,
        /// Configured names the grammar refuses, shown so the config can be fixed.
        refused: Vec<RefusedName>,
    },
    /// A Harbor's projects; Enter lists a project's repositories.
    HarborProjects(Vec<HarborProject>),
    /// The repositories of one Harbor project.
    HarborRepositories {
        project: String,
        details: Vec<HarborRepository>,
    },
    /// The repositories of a Docker Hub namespace.
    HubNamespace {
        namespace: String,
        details: Vec<HubRepository>,
    },
    /// Docker Hub search results.
    HubSearch {
        term: String,
        results: Vec<HubSearchResult>,
    },
}

impl CatalogState {
    /// Whether the next page should be asked for: the selection is near the end of what is
    /// shown. With a filter that shows few, pages keep coming until the registry has no more.
    pub fn wants_more(&self) -> bool {
        !self.loading
            && self.error.is_none()
            && (self.next.is_some() || self.page.is_some())
            && self.view.cursor.selected() + CATALOG_AHEAD >= self.view.len()
    }

    /// The names rows are filtered and kept selected by.
    fn names(&self) -> Vec<String> {
        match &self.source {
            CatalogSource::HarborProjects(projects) => {
                projects.iter().map(|p| p.name.to_lowercase()).collect()
            }
            _ => self
                .repositories
                .iter()
                .map(|r| r.familiar().to_lowercase())
                .collect(),
        }
    }

    /// Re-applies the filter, keeping the selected repository.
    pub fn refresh(&mut self) {
        let names = self.names();
        let previous = self.view.selected_key(&names, |n| n.clone());
        self.rebuild(previous);
    }

    /// The selected Harbor project, when the catalog lists projects.
    pub fn selected_project(&self) -> Option<&HarborProject> {
        match &self.source {
            CatalogSource::HarborProjects(projects) => {
                self.view.selected().and_then(|i| projects.get(i))
            }
            _ => None,
        }
    }

    /// The selected repository, when the catalog lists repositories.
    pub fn selected_repository(&self) -> Option<&RepositoryRef> {
        match &self.source {
            CatalogSource::HarborProjects(_) => None,
            _ => self.view.selected().and_then(|i| self.repositories.get(i)),
        }
    }

    /// Rows in all (loaded so far).
    pub fn len(&self) -> usize {
        match &self.source {
            CatalogSource::HarborProjects(projects) => projects.len(),
            _ => self.repositories.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The registry does not list its repositories: offer these instead.
    pub fn offer(&mut self, reason: String, offered: OfferedRepositories) {
        self.loading = false;
        self.error = None;
        self.next = None;
        self.page = None;
        self.repositories = offered
            .repositories
            .iter()
            .map(|o| o.repository.clone())
            .collect();
        self.source = CatalogSource::Offered {
            reason,
            sources: offered.repositories.iter().map(|o| o.source).collect(),
            refused: offered.refused,
        };
        self.refresh();
    }

    /// A page of a Hub or Harbor listing arrived: its rows appended, its next page kept.
    pub fn add_page<T>(
        &mut self,
        page: Page<T>,
        repository: impl Fn(&T) -> Option<RepositoryRef>,
        append: impl FnOnce(&mut CatalogSource, Vec<T>),
    ) {
        self.repositories
            .extend(page.items.iter().filter_map(&repository));
        self.refused.extend(page.refused);
        append(&mut self.source, page.items);
        self.page = page.next;
        self.loading = false;
        self.refresh();
    }

    fn rebuild(&mut self, previous: Option<String>) {
        let terms = self.filter.terms();
        let names = self.names();
        self.view.rebuild(
            &names,
            |name| terms.iter().all(|t| name.contains(t.as_str())),
            |_, _| Ordering::Equal,
            |name| name.clone(),
            previous,
        );
    }
}

/// State of the tags pane.
#[derive(Debug, Clone, Default)]
pub struct TagsState {
    pub repository: Option<RepositoryRef>,
    /// Opened on purpose (`o`, `:repo`): the images selection does not replace it.
    pub pinned: bool,
    /// Changes with every new repository; answers for an older one are dropped.
    pub generation: u64,
    rows: Vec<TagRow>,
    pub view: ListView,
    pub sort: TagSort,
    pub reverse: bool,
    pub filter: Filter,
    pub loading: bool,
    pub loaded: bool,
    /// The registry's list was cut at wharf's limits.
    pub truncated: bool,
    pub error: Option<RemoteError>,
    details_by_digest: HashMap<String, Arc<TagDetail>>,
    in_flight: usize,
    pub catalog: Option<CatalogState>,
    /// The catalog these tags were opened from, for Esc to go back to.
    pub catalog_behind: Option<Box<CatalogState>>,
    /// Counts catalogs opened, so pages for an earlier one are dropped. Separate from
    /// `generation`: the repository's answers still in flight stay valid behind the catalog.
    catalogs_opened: u64,
    // Registries people use (Hub, Harbor, no catalog):
    /// The pull quota each registry announced with its last manifest answer.
    pub rate_limits: HashMap<String, RateLimit>,
    /// `[registries.hosts]` from the config.
    pub hosts: RegistryHosts,
    /// A later page of the tag list failed; what loaded before it is shown.
    pub stopped: Option<String>,
    /// The repositories opened before, per registry (from the data directory).
    pub remembered: RememberedRepositories,
    /// The platforms of the local images the tags are compared with.
    pub local_platforms: LocalPlatforms,
}

impl TagsState {
    /// An empty pane that knows the config's `[registries.hosts]`.
    pub fn with_hosts(hosts: RegistryHosts) -> Self {
        TagsState {
            hosts,
            ..TagsState::default()
        }
    }

    /// Points the pane at a repository (or none). Returns whether its tags should load.
    pub fn open(&mut self, repository: Option<RepositoryRef>, pinned: bool) -> bool {
        if repository == self.repository && self.error.is_none() && (self.loaded || self.loading) {
            self.pinned = self.pinned || pinned;
            return false;
        }
        self.generation += 1;
        self.repository = repository;
        self.pinned = pinned;
        self.rows.clear();
        self.view = ListView::default();
        self.stopped = None;
        if self.sort == TagSort::Severity {
            self.sort = TagSort::Name;
        }
        self.loaded = false;
        self.truncated = false;
        self.error = None;
        self.in_flight = 0;
        self.loading = self.repository.is_some();
        self.loading
    }

    /// Reloads the current repository: the tag list and what each tag points to (a tag may
    /// have moved; details of digests seen before come from the cache).
    pub fn reload(&mut self) -> bool {
        if self.repository.is_none() {
            return false;
        }
        self.generation += 1;
        self.loading = true;
        self.error = None;
        self.in_flight = 0;
        for row in &mut self.rows {
            row.requested = false;
            row.error = None;
            row.digest = None;
            row.detail = None;
        }
        true
    }

    /// The tag list arrived.
    pub fn set_tags(&mut self, mut names: Vec<String>, truncated: bool) {
        names.sort_by(|a, b| natural_cmp(a, b));
        names.dedup();
        let previous = self.view.selected_key(&self.rows, |r| r.name.clone());
        let old: HashMap<String, TagRow> =
            self.rows.drain(..).map(|r| (r.name.clone(), r)).collect();
        self.rows = names
            .into_iter()
            .map(|name| {
                old.get(&name).cloned().unwrap_or(TagRow {
                    name,
                    digest: None,
                    detail: None,
                    error: None,
                    remote: None,
                    requested: false,
                })
            })
            .collect();
        self.loading = false;
        self.loaded = true;
        self.truncated = truncated;
        self.error = None;
        self.rebuild(previous);
    }

    /// The tags arrived from the registry's own API, with what it says about each.
    pub fn set_remote_tags(&mut self, list: RemoteTagList) {
        let previous = self.view.selected_key(&self.rows, |r| r.name.clone());
        let old: HashMap<String, TagRow> =
            self.rows.drain(..).map(|r| (r.name.clone(), r)).collect();
        let mut seen = HashSet::new();
        self.rows = list
            .tags
            .into_iter()
            .filter(|tag| seen.insert(tag.name.clone()))
            .map(|tag| {
                let before = old.get(&tag.name);
                let digest = tag
                    .digest
                    .clone()
                    .or_else(|| before.and_then(|r| r.digest.clone()));
                TagRow {
                    name: tag.name.clone(),
                    requested: digest.is_some(),
                    digest,
                    detail: before.and_then(|r| r.detail.clone()),
                    error: None,
                    remote: Some(Arc::new(tag)),
                }
            })
            .collect();
        self.loading = false;
        self.loaded = true;
        self.truncated = list.truncated;
        self.stopped = list.stopped.map(|e| e.to_string());
        self.error = None;
        if self.sort == TagSort::Severity && !self.has_scans() {
            self.sort = TagSort::Name;
        }
        self.rebuild(previous);
    }

    /// True if the registry reports vulnerability scans for these tags.
    pub fn has_scans(&self) -> bool {
        self.rows
            .iter()
            .any(|r| r.remote.as_ref().is_some_and(|t| t.scan.is_some()))
    }

    /// The other listed tags with the same digest as `tag` (natural order).
    pub fn tags_sharing_digest(&self, tag: &str) -> Vec<&str> {
        crate::registry::other_tags_with_digest(
            self.rows
                .iter()
                .filter_map(|r| Some((r.name.as_str(), r.digest.as_deref()?))),
            tag,
        )
    }

    /// Asks for `tag`'s digest by `HEAD` (free on Docker Hub, and it brings the pull quota
    /// headers). Returns whether to ask.
    pub fn request_digest(&mut self, tag: &str) -> bool {
        let Some(row) = self.rows.iter_mut().find(|r| r.name == tag) else {
            return false;
        };
        if row.error.is_some() || (row.requested && row.digest.is_none()) {
            return false;
        }
        row.requested = true;
        self.in_flight += 1;
        true
    }

    /// The pull quota of the shown repository's registry, as last announced.
    pub fn rate_limit(&self) -> Option<&RateLimit> {
        self.repository
            .as_ref()
            .and_then(|r| self.rate_limits.get(r.registry()))
    }

    pub fn set_error(&mut self, error: RemoteError) {
        self.loading = false;
        self.error = Some(error);
    }

    /// A digest arrived; a detail cached for it is used at once.
    pub fn set_digest(&mut self, tag: &str, digest: String) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let cached = self.details_by_digest.get(&digest).cloned();
        if let Some(row) = self.rows.iter_mut().find(|r| r.name == tag) {
            row.digest = Some(digest);
            row.detail = cached;
            // The detail (if not cached) is the next request for this row, unless the
            // registry's API already said what the row shows.
            row.requested = row.detail.is_some() || row.remote.is_some();
        }
    }

    pub fn set_detail(&mut self, tag: &str, detail: TagDetail) {
        self.in_flight = self.in_flight.saturating_sub(1);
        let detail = Arc::new(detail);
        if self.details_by_digest.len() >= MAX_CACHED_DETAILS {
            self.details_by_digest.clear();
        }
        self.details_by_digest
            .insert(detail.digest.clone(), detail.clone());
        if let Some(row) = self.rows.iter_mut().find(|r| r.name == tag) {
            row.digest = Some(detail.digest.clone());
            row.detail = Some(detail);
        }
        if self.sort == TagSort::Created {
            self.refresh();
        }
    }

    pub fn set_row_error(&mut self, tag: &str, message: String) {
        self.in_flight = self.in_flight.saturating_sub(1);
        if let Some(row) = self.rows.iter_mut().find(|r| r.name == tag) {
            row.error = Some(message);
            row.requested = true;
        }
    }

    /// Enter on a tag wants its detail now, ahead of the rows on screen. Returns whether to
    /// ask for it: not when it is here, failed, or already on its way.
    pub fn request_detail(&mut self, tag: &str) -> bool {
        let Some(row) = self.rows.iter_mut().find(|r| r.name == tag) else {
            return false;
        };
        // A row from a registry's API is marked requested once its digest is known; its
        // detail (the history) is only fetched on demand.
        let detail_asked = row.requested && row.remote.is_none();
        if row.detail.is_some() || row.error.is_some() || detail_asked {
            return false;
        }
        row.requested = true;
        self.in_flight += 1;
        true
    }

    /// The requests to make now for rows on screen (and the selected one), up to the limit.
    /// `details` says whether full details may be fetched (they count as pulls on Docker Hub).
    pub fn next_requests(&mut self, details: bool) -> Vec<TagRequest> {
        let mut requests = Vec::new();
        if self.repository.is_none() || !self.loaded {
            return requests;
        }
        let window = self
            .view
            .cursor
            .visible_window(self.view.len(), DEFAULT_WINDOW);
        let selected = self.view.cursor.selected();
        let positions = std::iter::once(selected).chain(window);
        for position in positions {
            if self.in_flight >= MAX_IN_FLIGHT {
                break;
            }
            let Some(row) = self.view.get(position).and_then(|i| self.rows.get_mut(i)) else {
                continue;
            };
            if row.requested || row.error.is_some() {
                continue;
            }
            let request = match (&row.digest, &row.detail) {
                (None, _) => TagRequest::Digest(row.name.clone()),
                // A row from the registry's API needs no config fetch.
                (Some(_), None) if details && row.remote.is_none() => {
                    TagRequest::Detail(row.name.clone())
                }
                _ => continue,
            };
            row.requested = true;
            self.in_flight += 1;
            requests.push(request);
        }
        requests
    }

    pub fn visible_len(&self) -> usize {
        self.view.len()
    }

    pub fn visible_row(&self, i: usize) -> Option<&TagRow> {
        self.view.get(i).and_then(|r| self.rows.get(r))
    }

    pub fn selected(&self) -> Option<&TagRow> {
        self.view.selected().and_then(|r| self.rows.get(r))
    }

    /// The row of a tag, shown or not.
    pub fn row_named(&self, tag: &str) -> Option<&TagRow> {
        self.rows.iter().find(|r| r.name == tag)
    }

    pub fn total(&self) -> usize {
        self.rows.len()
    }

    pub fn navigate(&mut self, action: Action) -> bool {
        match self.catalog.as_mut() {
            Some(catalog) => catalog.view.navigate(action),
            None => self.view.navigate(action),
        }
    }

    pub fn cycle_sort(&mut self) {
        self.sort = match self.sort {
            TagSort::Name => TagSort::Created,
            TagSort::Created if self.has_scans() => TagSort::Severity,
            TagSort::Created | TagSort::Severity => TagSort::Name,
        };
        self.refresh();
    }

    pub fn reverse_sort(&mut self) {
        self.reverse = !self.reverse;
        self.refresh();
    }

    pub fn refresh(&mut self) {
        let previous = self.view.selected_key(&self.rows, |r| r.name.clone());
        self.rebuild(previous);
    }

    fn rebuild(&mut self, previous: Option<String>) {
        let terms = self.filter.terms();
        let (sort, reverse) = (self.sort, self.reverse);
        // Severity ranks come from the registry model's order, computed once.
        let ranks: HashMap<&str, usize> = if sort == TagSort::Severity {
            let remote: Vec<RemoteTag> = self
                .rows
                .iter()
                .map(|r| {
                    r.remote
                        .as_deref()
                        .cloned()
                        .unwrap_or_else(|| RemoteTag::named(r.name.clone()))
                })
                .collect();
            tag_order(&remote, TagOrder::Severity)
                .into_iter()
                .enumerate()
                .map(|(rank, i)| (self.rows[i].name.as_str(), rank))
                .collect()
        } else {
            HashMap::new()
        };
        let rank = |r: &TagRow| ranks.get(r.name.as_str()).copied().unwrap_or(usize::MAX);
        self.view.rebuild(
            &self.rows,
            |row| {
                let name = row.name.to_lowercase();
                terms.iter().all(|t| name.contains(t.as_str()))
            },
            |a, b| match sort {
                TagSort::Severity => {
                    let primary = rank(a).cmp(&rank(b));
                    if reverse { primary.reverse() } else { primary }
                }
                _ => compare(a, b, sort, reverse),
            },
            |row| row.name.clone(),
            previous,
        );
    }

    // ----- catalog ------------------------------------------------------------------------

    /// Starts browsing a registry's repositories; returns the generation to load with.
    pub fn open_catalog(&mut self, registry: String) -> u64 {
        self.catalogs_opened += 1;
        self.catalog_behind = None;
        self.catalog = Some(CatalogState {
            registry,
            repositories: Vec::new(),
            next: None,
            loading: true,
            error: None,
            view: ListView::default(),
            filter: Filter::default(),
            generation: self.catalogs_opened,
            source: CatalogSource::Distribution,
            page: None,
            parent: None,
            refused: Vec::new(),
        });
        self.catalogs_opened
    }

    /// Starts a catalog fed by a registry's own API (Harbor projects, a Hub namespace, a
    /// search); returns the generation to load with.
    pub fn open_listing(&mut self, registry: String, source: CatalogSource) -> u64 {
        let generation = self.open_catalog(registry);
        if let Some(catalog) = self.catalog.as_mut() {
            catalog.source = source;
        }
        generation
    }

    /// A catalog page arrived.
    pub fn add_catalog_page(
        &mut self,
        generation: u64,
        repositories: Vec<RepositoryRef>,
        refused: Vec<RefusedName>,
        next: Option<CatalogCursor>,
    ) {
        let Some(catalog) = self.catalog.as_mut().filter(|c| c.generation == generation) else {
            return;
        };
        catalog.repositories.extend(repositories);
        catalog.refused.extend(refused);
        catalog.next = next;
        catalog.loading = false;
        catalog.refresh();
    }
}

/// How a remote tag relates to the local images.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalStatus {
    /// The local tag of that name is this very image (for its platform).
    Same,
    /// The local tag of that name points to something else.
    Differs,
    /// The tag has no image for the local image's platform.
    OtherPlatforms,
    /// The local tag exists; whether it matches shows once the tag's details arrive.
    Checking,
    /// The local tag exists, and what the registry said does not settle it (its detail
    /// does: Enter).
    Unknown,
    /// No local tag of that name, but the image is local under another name.
    Elsewhere,
    /// Nothing local by that name or content.
    Absent,
}

/// What the local images say about one repository, gathered once per frame. It borrows
/// from the records: with thousands of images, copying their IDs every frame would show.
#[derive(Debug, Clone, Default)]
pub struct LocalIndex<'a> {
    /// The repository as the engine writes it in image names.
    familiar: String,
    /// The local image each tag of the repository names.
    tags: HashMap<&'a str, &'a ImageRecord>,
    /// Manifest digests this repository's registry gave any local image.
    digests: HashSet<&'a str>,
    /// Every local image ID.
    ids: HashSet<&'a str>,
    /// The local images' platforms, as far as the engine said them.
    platforms: Option<&'a LocalPlatforms>,
}

impl<'a> LocalIndex<'a> {
    /// Collects the local digests and tags of `repository` (names as the engine writes them).
    pub fn new(records: &'a [ImageRecord], repository: &RepositoryRef) -> Self {
        let familiar = repository.familiar();
        let mut index = LocalIndex::default();
        for record in records {
            index.ids.insert(&record.id.0);
            index.digests.extend(repository_digests(record, &familiar));
            for reference in &record.repo_tags {
                let (name, tag) = split_repo_tag(reference);
                if name == familiar {
                    index.tags.insert(tag, record);
                }
            }
        }
        LocalIndex { familiar, ..index }
    }

    /// Compares per platform where the engine said the local image's platform.
    pub fn with_platforms(self, platforms: &'a LocalPlatforms) -> Self {
        LocalIndex {
            platforms: Some(platforms),
            ..self
        }
    }

    /// The platform of the local image named by `tag`, once the engine said it.
    pub fn local_platform(&self, tag: &str) -> Option<&'a crate::registry::manifest::Platform> {
        let local = self.tags.get(tag)?;
        self.platforms?.get(&local.id.0)
    }

    /// How the local images relate to a remote tag, per platform
    /// ([`compare_with_local`]): an index digest is only ever compared with the digests the
    /// local image was pulled or pushed by, never with a platform manifest's digest.
    pub fn status(&self, row: &TagRow) -> LocalStatus {
        let remote = tag_digests(row);
        let Some(local) = self.tags.get(row.name.as_str()) else {
            let known = remote
                .digest
                .iter()
                .chain(
                    remote
                        .images
                        .iter()
                        .filter_map(|i| i.manifest_digest.as_ref()),
                )
                .any(|d| self.digests.contains(d.as_str()))
                || remote
                    .images
                    .iter()
                    .filter_map(|i| i.config_digest.as_deref())
                    .any(|id| self.ids.contains(id));
            return if known {
                LocalStatus::Elsewhere
            } else {
                LocalStatus::Absent
            };
        };
        let repo_digests: Vec<String> = repository_digests(local, &self.familiar)
            .map(str::to_owned)
            .collect();
        let verdict = match self.platforms.and_then(|p| p.get(&local.id.0)) {
            Some(platform) => compare_with_local(
                &LocalImage {
                    id: &local.id.0,
                    platform,
                    repo_digests: &repo_digests,
                },
                &remote,
            ),
            None => any_platform(&local.id.0, &repo_digests, &remote),
        };
        match verdict {
            DigestMatch::Same => LocalStatus::Same,
            DigestMatch::Different => LocalStatus::Differs,
            DigestMatch::PlatformMissing => LocalStatus::OtherPlatforms,
            DigestMatch::Unknown
                if row.detail.is_none() && row.remote.is_none() && row.error.is_none() =>
            {
                LocalStatus::Checking
            }
            DigestMatch::Unknown => LocalStatus::Unknown,
        }
    }
}

/// What the registry said a tag points to: its detail when fetched, else the row of its
/// own API, else the digest alone.
fn tag_digests(row: &TagRow) -> TagDigests {
    if let Some(detail) = &row.detail {
        TagDigests::from_detail(detail)
    } else if let Some(remote) = &row.remote {
        let mut digests = TagDigests::from_remote(remote);
        digests.digest = digests.digest.or_else(|| row.digest.clone());
        digests
    } else {
        TagDigests {
            digest: row.digest.clone(),
            images: Vec::new(),
        }
    }
}

/// The comparison before the engine said the local image's platform: any platform image
/// of the tag that is the local image settles it; config digests of every platform that
/// all differ say it is another image.
fn any_platform(id: &str, repo_digests: &[String], remote: &TagDigests) -> DigestMatch {
    let pulled_by = |d: &String| repo_digests.contains(d);
    let same = remote.digest.as_ref().is_some_and(pulled_by)
        || remote.images.iter().any(|image| {
            image.manifest_digest.as_ref().is_some_and(pulled_by)
                || image.config_digest.as_deref() == Some(id)
        });
    if same {
        DigestMatch::Same
    } else if !remote.images.is_empty() && remote.images.iter().all(|i| i.config_digest.is_some()) {
        DigestMatch::Different
    } else {
        DigestMatch::Unknown
    }
}

/// The manifest digests `record` carries for the repository named `familiar`.
fn repository_digests<'r>(
    record: &'r ImageRecord,
    familiar: &str,
) -> impl Iterator<Item = &'r str> {
    record
        .repo_digests
        .iter()
        .filter_map(|d| d.split_once('@'))
        .filter(move |(name, _)| *name == familiar)
        .map(|(_, digest)| digest)
}

/// Name in natural order; created newest first, unknown last. Ties by name.
fn compare(a: &TagRow, b: &TagRow, sort: TagSort, reverse: bool) -> Ordering {
    let by_name = || natural_cmp(&a.name, &b.name);
    let primary = match sort {
        TagSort::Name | TagSort::Severity => by_name(),
        TagSort::Created => match (a.date(), b.date()) {
            (Some(x), Some(y)) => y.cmp(&x).then_with(by_name),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => by_name(),
        },
    };
    if reverse { primary.reverse() } else { primary }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo() -> RepositoryRef {
        RepositoryRef::parse("localhost:5000/team/app").unwrap()
    }

    fn detail(tag: &str, digest: &str, created: i64) -> TagDetail {
        TagDetail {
            repository: repo(),
            tag: tag.into(),
            digest: digest.into(),
            media_type: "application/vnd.oci.image.manifest.v1+json".into(),
            compressed_size: 10,
            created: chrono::DateTime::from_timestamp(created, 0),
            platforms: vec![],
            default_platform: None,
            attestations: 0,
            history: vec![],
            layers: vec![],
        }
    }

    fn names(t: &TagsState) -> Vec<String> {
        (0..t.visible_len())
            .map(|i| t.visible_row(i).unwrap().name.clone())
            .collect()
    }

    #[test]
    fn tags_sort_naturally_and_reopen_only_when_the_repository_changes() {
        let mut t = TagsState::default();
        assert!(t.open(Some(repo()), false));
        let generation = t.generation;
        assert!(
            !t.open(Some(repo()), false),
            "same repository, already loading"
        );
        t.set_tags(
            vec!["1.10".into(), "1.9".into(), "latest".into(), "1.9".into()],
            false,
        );
        assert_eq!(names(&t), ["1.9", "1.10", "latest"]);
        assert_eq!(t.generation, generation);
        assert!(!t.open(None, false));
        assert!(t.repository.is_none());
    }

    #[test]
    fn requests_are_bounded_and_details_cached_by_digest() {
        let mut t = TagsState::default();
        t.open(Some(repo()), false);
        t.set_tags((0..50).map(|i| format!("v{i}")).collect(), false);
        let first = t.next_requests(true);
        assert_eq!(first.len(), MAX_IN_FLIGHT);
        assert_eq!(
            first[0],
            TagRequest::Digest("v0".into()),
            "the selected row first"
        );
        assert!(
            t.next_requests(true).is_empty(),
            "no more while the limit is reached"
        );
        // v0 and v1 share a digest: one detail serves both.
        t.set_digest("v0", "sha256:a".into());
        let next = t.next_requests(true);
        assert_eq!(next, [TagRequest::Detail("v0".into())]);
        t.set_detail("v0", detail("v0", "sha256:a", 100));
        t.set_digest("v1", "sha256:a".into());
        assert!(
            t.visible_row(1).unwrap().detail.is_some(),
            "v1 served from the cache"
        );
        // Without permission for details only digests are asked for.
        t.set_digest("v2", "sha256:b".into());
        assert!(
            t.next_requests(false)
                .iter()
                .all(|r| matches!(r, TagRequest::Digest(_)))
        );
    }

    #[test]
    fn created_sort_puts_unknown_last() {
        let mut t = TagsState::default();
        t.open(Some(repo()), false);
        t.set_tags(vec!["a".into(), "b".into(), "c".into()], false);
        t.next_requests(true);
        t.set_detail("a", detail("a", "sha256:1", 100));
        t.set_detail("c", detail("c", "sha256:3", 300));
        t.cycle_sort();
        assert_eq!(names(&t), ["c", "a", "b"]);
    }

    #[test]
    fn a_filter_asks_for_the_rows_it_brings_on_screen() {
        let mut t = TagsState::default();
        t.open(Some(repo()), true);
        t.set_tags((1..=1500).map(|i| format!("v1.{i}")).collect(), false);
        t.navigate(Action::Bottom);
        // The renderer scrolled to the end of 1500 rows, 15 at a time.
        assert_eq!(t.view.cursor.visible(t.visible_len(), 15), 1485..1500);
        for request in t.next_requests(false) {
            let TagRequest::Digest(tag) = request else {
                panic!("only digests were asked for");
            };
            t.set_digest(&tag, "sha256:a".into());
        }

        t.filter.editor.set_text("99");
        t.refresh();
        let asked = t.next_requests(false);
        let shown: Vec<String> = t
            .view
            .cursor
            .visible(t.visible_len(), 15)
            .map(|i| t.visible_row(i).unwrap().name.clone())
            .collect();
        assert_eq!(asked.len(), MAX_IN_FLIGHT, "{asked:?}");
        for request in asked {
            let TagRequest::Digest(tag) = request else {
                panic!("only digests were asked for");
            };
            assert!(shown.contains(&tag), "{tag} is not on screen: {shown:?}");
        }
    }

    #[test]
    fn filter_narrows_tags() {
        let mut t = TagsState::default();
        t.open(Some(repo()), true);
        t.set_tags(
            vec!["1.0-alpine".into(), "1.0".into(), "2.0-alpine".into()],
            false,
        );
        t.filter.editor.set_text("ALPINE");
        t.refresh();
        assert_eq!(names(&t), ["1.0-alpine", "2.0-alpine"]);
    }

    #[test]
    fn local_column_compares_the_local_tag_by_digest_or_image_id() {
        let record = |id: &str, tags: &[&str], digests: &[&str]| ImageRecord {
            id: crate::docker::ImageId(id.into()),
            repo_tags: tags.iter().map(|t| t.to_string()).collect(),
            repo_digests: digests.iter().map(|d| d.to_string()).collect(),
            created: 0,
            size: 0,
        };
        let records = vec![
            // Pushed as :1 once; the local :1 was moved to another image since.
            record(
                "sha256:old",
                &["team/base:1"],
                &["localhost:5000/team/app@sha256:m1"],
            ),
            record("sha256:new", &["localhost:5000/team/app:1"], &[]),
            // Removed and tagged again: no recorded digest, but the same image ID.
            record("sha256:cfg3", &["localhost:5000/team/app:3"], &[]),
            record(
                "sha256:four",
                &["localhost:5000/team/app:4"],
                &["localhost:5000/team/app@sha256:m4"],
            ),
            record("sha256:other", &["other:1"], &["other@sha256:m9"]),
        ];
        let index = LocalIndex::new(&records, &repo());
        let row = |name: &str, digest: &str, config: Option<&str>| TagRow {
            name: name.into(),
            digest: Some(digest.into()),
            detail: config.map(|config| {
                let mut detail = detail(name, digest, 0);
                detail
                    .platforms
                    .push(crate::registry::manifest::PlatformDetail {
                        platform: crate::registry::manifest::Platform {
                            os: "linux".into(),
                            architecture: "amd64".into(),
                            variant: None,
                        },
                        digest: digest.into(),
                        config_digest: config.into(),
                        compressed_size: 0,
                        created: None,
                    });
                Arc::new(detail)
            }),
            error: None,
            remote: None,
            requested: true,
        };
        let status = |row: TagRow| index.status(&row);

        assert_eq!(status(row("4", "sha256:m4", None)), LocalStatus::Same);
        assert_eq!(status(row("1", "sha256:m1", None)), LocalStatus::Checking);
        assert_eq!(
            status(row("1", "sha256:m1", Some("sha256:old"))),
            LocalStatus::Differs,
            "another local image has the pushed digest, but the local :1 is not it"
        );
        assert_eq!(status(row("3", "sha256:m3", None)), LocalStatus::Checking);
        assert_eq!(
            status(row("3", "sha256:m3", Some("sha256:cfg3"))),
            LocalStatus::Same,
            "the image ID is the config digest"
        );
        assert_eq!(
            status(row("2", "sha256:m1", None)),
            LocalStatus::Elsewhere,
            "no local :2, but its image is here"
        );
        assert_eq!(
            status(row("6", "sha256:m6", Some("sha256:new"))),
            LocalStatus::Elsewhere
        );
        assert_eq!(
            status(row("5", "sha256:m5", Some("sha256:zzz"))),
            LocalStatus::Absent
        );
        assert_eq!(
            status(row("9", "sha256:m9", None)),
            LocalStatus::Absent,
            "digests of other repositories do not count"
        );
        let hub = LocalIndex::new(&records, &RepositoryRef::parse("other").unwrap());
        assert_eq!(hub.status(&row("1", "sha256:m9", None)), LocalStatus::Same);
    }

    #[test]
    fn local_column_compares_the_local_images_platform_only() {
        use crate::docker::{ImageId, ImagePlatform};
        use crate::registry::RemotePlatform;
        use crate::registry::manifest::Platform;
        let plat = |arch: &str, variant: Option<&str>| Platform {
            os: "linux".into(),
            architecture: arch.into(),
            variant: variant.map(str::to_owned),
        };
        // An arm64 image pulled by its platform manifest's digest, tagged :1, :2 and :3.
        let records = vec![ImageRecord {
            id: ImageId("sha256:armcfg".into()),
            repo_tags: ["1", "2", "3"]
                .iter()
                .map(|t| format!("localhost:5000/team/app:{t}"))
                .collect(),
            repo_digests: vec!["localhost:5000/team/app@sha256:arm".into()],
            created: 0,
            size: 0,
        }];
        // A row as Docker Hub's or Harbor's API gives it: platform manifest digests only.
        let row = |name: &str, index: &str, platforms: &[(Platform, &str)]| TagRow {
            name: name.into(),
            digest: Some(index.into()),
            detail: None,
            error: None,
            remote: Some(Arc::new(RemoteTag {
                digest: Some(index.into()),
                platforms: platforms
                    .iter()
                    .map(|(platform, digest)| RemotePlatform {
                        platform: platform.clone(),
                        digest: Some((*digest).into()),
                        size: None,
                    })
                    .collect(),
                ..RemoteTag::named(name)
            })),
            requested: true,
        };
        let both = row(
            "1",
            "sha256:index1",
            &[
                (plat("amd64", None), "sha256:amd"),
                (plat("arm64", Some("v8")), "sha256:arm"),
            ],
        );
        let moved = row(
            "2",
            "sha256:index2",
            &[
                (plat("amd64", None), "sha256:amd"),
                (plat("arm64", Some("v8")), "sha256:arm2"),
            ],
        );
        let amd_only = row("3", "sha256:index3", &[(plat("amd64", None), "sha256:amd")]);

        let mut platforms = LocalPlatforms::default();
        let asked = platforms.to_ask(&records, &repo());
        assert_eq!(asked, [ImageId("sha256:armcfg".into())]);
        assert!(platforms.to_ask(&records, &repo()).is_empty(), "asked once");
        // Before the engine said the platform: a platform digest the image was pulled by
        // settles "same"; nothing else is proof.
        let index = LocalIndex::new(&records, &repo()).with_platforms(&platforms);
        assert_eq!(index.status(&both), LocalStatus::Same);
        assert_eq!(index.status(&moved), LocalStatus::Unknown);
        assert_eq!(index.status(&amd_only), LocalStatus::Unknown);

        platforms.set(
            &ImageId("sha256:armcfg".into()),
            Some(ImagePlatform {
                os: "linux".into(),
                architecture: "arm64".into(),
                variant: None,
            }),
        );
        let index = LocalIndex::new(&records, &repo()).with_platforms(&platforms);
        assert_eq!(
            index
                .local_platform("1")
                .map(ToString::to_string)
                .as_deref(),
            Some("linux/arm64")
        );
        assert_eq!(index.status(&both), LocalStatus::Same, "arm64 is arm64/v8");
        assert_eq!(
            index.status(&moved),
            LocalStatus::Unknown,
            "the index digest differs from the pulled platform digest: not proof"
        );
        assert_eq!(index.status(&amd_only), LocalStatus::OtherPlatforms);
        // The tag's index digest among the local repo digests: the same, whatever platforms.
        let by_index = row("1", "sha256:arm", &[]);
        assert_eq!(index.status(&by_index), LocalStatus::Same);
        // Another repository's image of that platform digest is not ours.
        assert_eq!(
            index.status(&row(
                "7",
                "sha256:index1",
                &[(plat("amd64", None), "sha256:amd")]
            )),
            LocalStatus::Absent
        );
        assert_eq!(
            index.status(&row(
                "7",
                "sha256:index9",
                &[(plat("arm64", None), "sha256:arm")]
            )),
            LocalStatus::Elsewhere,
            "no local :7, but its arm64 image is here"
        );
    }

    #[test]
    fn catalog_pages_append_and_stale_pages_are_dropped() {
        let mut t = TagsState::default();
        let generation = t.open_catalog("localhost:5000".into());
        t.add_catalog_page(generation, vec![repo()], Vec::new(), None);
        t.add_catalog_page(generation + 7, vec![repo(), repo()], Vec::new(), None);
        let catalog = t.catalog.as_ref().unwrap();
        assert_eq!(catalog.repositories.len(), 1);
        assert!(!catalog.loading);
    }
}
