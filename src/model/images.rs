//! The images pane model: one row per `repository:tag`, sorted, filtered, selected.

use std::cmp::Ordering;

use crate::action::Action;
use crate::config::SortKey;
use crate::docker::{ImageId, ImageRecord};

use super::filter::Filter;
use super::list::ListView;

/// Shown for the repository or tag of an untagged image, as the docker CLI does.
pub const NONE: &str = "<none>";

/// One row of the images pane.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRow {
    pub image: ImageId,
    pub repository: String,
    pub tag: String,
    pub dangling: bool,
    pub created: i64,
    pub size: u64,
    /// Lowercase `repository:tag id` for filtering.
    search: String,
}

impl ImageRow {
    /// `repository:tag`, or the short ID for a dangling image: what actions refer to.
    pub fn reference(&self) -> String {
        if self.dangling {
            self.image.short().to_string()
        } else {
            format!("{}:{}", self.repository, self.tag)
        }
    }

    fn key(&self) -> (ImageId, String, String) {
        (
            self.image.clone(),
            self.repository.clone(),
            self.tag.clone(),
        )
    }
}

/// Splits `repository:tag` at the tag colon, which is the last colon after the last slash
/// (`localhost:5000/app:1` → `localhost:5000/app`, `1`).
pub fn split_repo_tag(reference: &str) -> (&str, &str) {
    let name_start = reference.rfind('/').map_or(0, |i| i + 1);
    match reference[name_start..].rfind(':') {
        Some(i) => (
            &reference[..name_start + i],
            &reference[name_start + i + 1..],
        ),
        None => (reference, NONE),
    }
}

/// State of the images pane.
#[derive(Debug, Clone)]
pub struct ImagesState {
    records: Vec<ImageRecord>,
    rows: Vec<ImageRow>,
    /// Rows that pass the filter and the dangling switch, in sort order.
    pub view: ListView,
    pub sort: SortKey,
    pub reverse: bool,
    pub show_dangling: bool,
    pub filter: Filter,
    /// The first full list has arrived.
    pub loaded: bool,
    /// The last full load failed with this message.
    pub error: Option<String>,
}

impl ImagesState {
    pub fn new(sort: SortKey, reverse: bool, show_dangling: bool) -> Self {
        ImagesState {
            records: Vec::new(),
            rows: Vec::new(),
            view: ListView::default(),
            sort,
            reverse,
            show_dangling,
            filter: Filter::default(),
            loaded: false,
            error: None,
        }
    }

    /// Replaces every record (a full reload).
    pub fn set_records(&mut self, records: Vec<ImageRecord>) {
        self.records = records;
        self.loaded = true;
        self.error = None;
        self.rebuild_rows();
    }

    /// Adds or replaces one image. A tag can name one image only, so tags the new record
    /// carries are taken away from any other record (as the engine does when a tag moves).
    pub fn upsert(&mut self, record: ImageRecord) {
        for other in self.records.iter_mut().filter(|r| r.id != record.id) {
            other.repo_tags.retain(|t| !record.repo_tags.contains(t));
        }
        match self.records.iter_mut().find(|r| r.id == record.id) {
            Some(existing) => *existing = record,
            None => self.records.push(record),
        }
        self.rebuild_rows();
    }

    /// Drops an image that no longer exists; returns whether it was known.
    pub fn remove(&mut self, id: &ImageId) -> bool {
        let before = self.records.len();
        self.records.retain(|r| &r.id != id);
        let removed = self.records.len() != before;
        if removed {
            self.rebuild_rows();
        }
        removed
    }

    /// Finds a known image by full ID, short ID prefix or `repository:tag`.
    pub fn find(&self, id_or_name: &str) -> Option<&ImageRecord> {
        self.records.iter().find(|r| {
            r.id.0 == id_or_name
                || r.id.short() == id_or_name
                || r.repo_tags.iter().any(|t| t == id_or_name)
        })
    }

    pub fn records(&self) -> &[ImageRecord] {
        &self.records
    }

    /// Rows currently shown, in order.
    pub fn visible_len(&self) -> usize {
        self.view.len()
    }

    /// The `i`-th shown row.
    pub fn visible_row(&self, i: usize) -> Option<&ImageRow> {
        self.view.get(i).and_then(|r| self.rows.get(r))
    }

    pub fn selected_row(&self) -> Option<&ImageRow> {
        self.view.selected().and_then(|r| self.rows.get(r))
    }

    pub fn selected_image(&self) -> Option<&ImageId> {
        self.selected_row().map(|r| &r.image)
    }

    /// Total rows, including dangling ones and ones hidden by the filter.
    pub fn total_rows(&self) -> usize {
        self.rows.len()
    }

    pub fn dangling_count(&self) -> usize {
        self.rows.iter().filter(|r| r.dangling).count()
    }

    /// Moves the selection; returns whether the action was a navigation.
    pub fn navigate(&mut self, action: Action) -> bool {
        self.view.navigate(action)
    }

    /// Selects the row for `repository:tag` if it is shown.
    pub fn select_reference(&mut self, reference: &str) -> bool {
        let (repository, tag) = split_repo_tag(reference);
        self.view.select_where(&self.rows, |row| {
            row.repository == repository && row.tag == tag
        })
    }

    /// Selects the first shown row of an image.
    pub fn select_image(&mut self, id: &ImageId) -> bool {
        self.view.select_where(&self.rows, |row| &row.image == id)
    }

    /// `s`: name → age → size → name.
    pub fn cycle_sort(&mut self) {
        self.sort = match self.sort {
            SortKey::Name => SortKey::Age,
            SortKey::Age => SortKey::Size,
            SortKey::Size => SortKey::Name,
        };
        self.refresh_view();
    }

    /// `S`: the same column the other way round.
    pub fn reverse_sort(&mut self) {
        self.reverse = !self.reverse;
        self.refresh_view();
    }

    pub fn toggle_dangling(&mut self) {
        self.show_dangling = !self.show_dangling;
        self.refresh_view();
    }

    /// Re-applies filter and sort after the filter text changed.
    pub fn filter_changed(&mut self) {
        self.refresh_view();
    }

    fn rebuild_rows(&mut self) {
        let previous = self.view.selected_key(&self.rows, ImageRow::key);
        self.rows.clear();
        for record in &self.records {
            if record.repo_tags.is_empty() {
                let repository = record
                    .repo_digests
                    .first()
                    .and_then(|d| d.split_once('@'))
                    .map_or(NONE, |(repo, _)| repo);
                self.rows.push(make_row(record, repository, NONE, true));
            } else {
                for reference in &record.repo_tags {
                    let (repository, tag) = split_repo_tag(reference);
                    self.rows.push(make_row(record, repository, tag, false));
                }
            }
        }
        self.rebuild_view(previous);
    }

    /// Recomputes the shown rows after the sort, filter or dangling switch changed.
    fn refresh_view(&mut self) {
        let previous = self.view.selected_key(&self.rows, ImageRow::key);
        self.rebuild_view(previous);
    }

    fn rebuild_view(&mut self, previous: Option<(ImageId, String, String)>) {
        let terms = self.filter.terms();
        let (sort, reverse, show_dangling) = (self.sort, self.reverse, self.show_dangling);
        self.view.rebuild(
            &self.rows,
            |row| {
                (show_dangling || !row.dangling)
                    && terms.iter().all(|t| row.search.contains(t.as_str()))
            },
            |a, b| compare_rows(a, b, sort, reverse),
            ImageRow::key,
            previous,
        );
    }
}

fn make_row(record: &ImageRecord, repository: &str, tag: &str, dangling: bool) -> ImageRow {
    ImageRow {
        image: record.id.clone(),
        repository: repository.to_string(),
        tag: tag.to_string(),
        dangling,
        created: record.created,
        size: record.size,
        search: format!("{repository}:{tag} {}", record.id.short()).to_lowercase(),
    }
}

/// Name sorts A→Z; age sorts newest first; size sorts largest first. Ties fall back to
/// name so the order is stable between reloads. Dangling rows go last by name.
fn compare_rows(a: &ImageRow, b: &ImageRow, sort: SortKey, reverse: bool) -> Ordering {
    let by_name = || {
        a.dangling
            .cmp(&b.dangling)
            .then_with(|| a.repository.cmp(&b.repository))
            .then_with(|| crate::text::natural::natural_cmp(&a.tag, &b.tag))
            .then_with(|| a.image.cmp(&b.image))
    };
    let primary = match sort {
        SortKey::Name => by_name(),
        SortKey::Age => b.created.cmp(&a.created).then_with(by_name),
        SortKey::Size => b.size.cmp(&a.size).then_with(by_name),
    };
    if reverse { primary.reverse() } else { primary }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(id: &str, tags: &[&str], created: i64, size: u64) -> ImageRecord {
        ImageRecord {
            id: ImageId(format!("sha256:{id:0<64}")),
            repo_tags: tags.iter().map(|t| t.to_string()).collect(),
            repo_digests: vec![],
            created,
            size,
        }
    }

    fn names(state: &ImagesState) -> Vec<String> {
        (0..state.visible_len())
            .map(|i| {
                let r = state.visible_row(i).unwrap();
                format!("{}:{}", r.repository, r.tag)
            })
            .collect()
    }

    fn sample() -> ImagesState {
        let mut s = ImagesState::new(SortKey::Name, false, true);
        s.set_records(vec![
            record("a", &["nginx:1.15", "nginx:latest", "web:1"], 100, 300),
            record("b", &["alpine:3.9"], 300, 100),
            record("c", &[], 200, 200),
            record(
                "d",
                &[
                    "localhost:5000/team/app:1.10",
                    "localhost:5000/team/app:1.9",
                ],
                50,
                50,
            ),
        ]);
        s
    }

    #[test]
    fn one_row_per_tag_and_dangling_rows_last() {
        let s = sample();
        assert_eq!(
            names(&s),
            [
                "alpine:3.9",
                "localhost:5000/team/app:1.9",
                "localhost:5000/team/app:1.10",
                "nginx:1.15",
                "nginx:latest",
                "web:1",
                "<none>:<none>"
            ]
        );
        assert_eq!(s.total_rows(), 7);
        assert_eq!(s.records().len(), 4);
        assert_eq!(s.dangling_count(), 1);
    }

    #[test]
    fn split_handles_registry_ports() {
        assert_eq!(
            split_repo_tag("localhost:5000/app:1"),
            ("localhost:5000/app", "1")
        );
        assert_eq!(
            split_repo_tag("localhost:5000/app"),
            ("localhost:5000/app", NONE)
        );
        assert_eq!(split_repo_tag("nginx:1.15"), ("nginx", "1.15"));
        assert_eq!(split_repo_tag("[::1]:5000/x:y"), ("[::1]:5000/x", "y"));
    }

    #[test]
    fn sorting_cycles_and_reverses() {
        let mut s = sample();
        s.cycle_sort();
        assert_eq!(s.sort, SortKey::Age);
        assert_eq!(names(&s)[0], "alpine:3.9");
        s.cycle_sort();
        assert_eq!(s.sort, SortKey::Size);
        assert_eq!(names(&s)[0], "nginx:1.15");
        s.reverse_sort();
        // Ties (both tags of one image) reverse too.
        assert_eq!(names(&s)[0], "localhost:5000/team/app:1.10");
        s.cycle_sort();
        assert_eq!(s.sort, SortKey::Name);
        assert_eq!(names(&s)[0], "<none>:<none>", "reverse stays on");
    }

    #[test]
    fn filter_narrows_by_all_terms_case_insensitively() {
        let mut s = sample();
        s.filter.editor.set_text("NGINX late");
        s.filter_changed();
        assert_eq!(names(&s), ["nginx:latest"]);
        s.filter.editor.set_text("team");
        s.filter_changed();
        assert_eq!(names(&s).len(), 2);
        s.filter.editor.set_text("zzz");
        s.filter_changed();
        assert!(names(&s).is_empty());
        assert!(s.selected_row().is_none());
    }

    #[test]
    fn dangling_toggle_hides_untagged_images() {
        let mut s = sample();
        s.toggle_dangling();
        assert!(!names(&s).iter().any(|n| n.contains(NONE)));
        s.toggle_dangling();
        assert!(names(&s).iter().any(|n| n.contains(NONE)));
    }

    #[test]
    fn selection_survives_reload_and_sort() {
        let mut s = sample();
        assert!(s.select_reference("web:1"));
        s.cycle_sort();
        assert_eq!(s.selected_row().unwrap().reference(), "web:1");
        let records = s.records().to_vec();
        s.set_records(records);
        assert_eq!(s.selected_row().unwrap().reference(), "web:1");
    }

    #[test]
    fn selection_falls_back_to_the_same_position_when_its_row_goes() {
        let mut s = sample();
        s.select_reference("nginx:latest");
        let position = s.view.cursor.selected();
        let a = s.find("nginx:latest").unwrap().id.clone();
        s.remove(&a);
        assert_eq!(s.view.cursor.selected(), position.min(s.visible_len() - 1));
    }

    #[test]
    fn selection_follows_its_row_when_rows_are_added_before_it() {
        let mut s = sample();
        s.select_reference("web:1");
        s.upsert(record("f", &["aaa:1", "aab:1"], 1, 1));
        assert_eq!(s.selected_row().unwrap().reference(), "web:1");
    }

    #[test]
    fn upsert_moves_a_tag_from_its_old_image() {
        let mut s = sample();
        s.upsert(record("e", &["web:1"], 400, 10));
        let a = s.find("nginx:1.15").unwrap();
        assert!(!a.repo_tags.contains(&"web:1".to_string()));
        assert_eq!(s.find("web:1").unwrap().id.short(), "e00000000000");
    }
}
