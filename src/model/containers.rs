//! The containers pane model: running containers by default, all with `a`.

use std::cmp::Ordering;

use crate::action::Action;
use crate::docker::{ContainerId, ContainerRecord};
use crate::text::natural::natural_cmp;

use super::filter::Filter;
use super::list::ListView;

/// Columns the containers pane sorts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ContainerSort {
    #[default]
    Name,
    Age,
    State,
}

impl ContainerSort {
    pub fn name(self) -> &'static str {
        match self {
            ContainerSort::Name => "name",
            ContainerSort::Age => "age",
            ContainerSort::State => "state",
        }
    }
}

/// State of the containers pane.
#[derive(Debug, Clone, Default)]
pub struct ContainersState {
    records: Vec<ContainerRecord>,
    /// Lowercase text each record is filtered on, parallel to `records`.
    search: Vec<String>,
    pub view: ListView,
    pub sort: ContainerSort,
    pub reverse: bool,
    /// Show stopped and created containers too.
    pub show_all: bool,
    pub filter: Filter,
    pub loaded: bool,
    pub error: Option<String>,
    /// Containers marked with Space: lifecycle actions take these over the selection.
    marked: std::collections::BTreeSet<ContainerId>,
}

impl ContainersState {
    /// Replaces every record (a full reload).
    pub fn set_records(&mut self, records: Vec<ContainerRecord>) {
        let previous = self.view.selected_key(&self.records, |r| r.id.clone());
        self.search = records.iter().map(search_text).collect();
        self.records = records;
        // A container that went cannot stay marked.
        let records = &self.records;
        self.marked.retain(|id| records.iter().any(|r| &r.id == id));
        self.loaded = true;
        self.error = None;
        self.rebuild(previous);
    }

    pub fn get(&self, id: &ContainerId) -> Option<&ContainerRecord> {
        self.records.iter().find(|r| &r.id == id)
    }

    /// Finds a container by full ID, ID prefix or name.
    pub fn find(&self, id_or_name: &str) -> Option<&ContainerRecord> {
        let name = id_or_name.trim_start_matches('/');
        self.records
            .iter()
            .find(|r| r.name == name || r.id.0 == id_or_name)
            .or_else(|| {
                (id_or_name.len() >= 4)
                    .then(|| self.records.iter().find(|r| r.id.0.starts_with(id_or_name)))
                    .flatten()
            })
    }

    pub fn records(&self) -> &[ContainerRecord] {
        &self.records
    }

    pub fn visible_len(&self) -> usize {
        self.view.len()
    }

    pub fn visible_row(&self, i: usize) -> Option<&ContainerRecord> {
        self.view.get(i).and_then(|r| self.records.get(r))
    }

    pub fn selected(&self) -> Option<&ContainerRecord> {
        self.view.selected().and_then(|r| self.records.get(r))
    }

    /// Space: marks the selected container, or unmarks it; returns whether it is marked now.
    pub fn toggle_mark(&mut self) -> Option<bool> {
        let id = self.selected()?.id.clone();
        if self.marked.remove(&id) {
            Some(false)
        } else {
            self.marked.insert(id);
            Some(true)
        }
    }

    /// Esc: unmarks every container; returns whether any was marked.
    pub fn clear_marks(&mut self) -> bool {
        let had = !self.marked.is_empty();
        self.marked.clear();
        had
    }

    pub fn is_marked(&self, id: &ContainerId) -> bool {
        self.marked.contains(id)
    }

    /// The marked containers, in the list's order.
    pub fn marked(&self) -> Vec<&ContainerRecord> {
        self.records
            .iter()
            .filter(|r| self.marked.contains(&r.id))
            .collect()
    }

    pub fn running_count(&self) -> usize {
        self.records.iter().filter(|r| r.state.is_up()).count()
    }

    pub fn navigate(&mut self, action: Action) -> bool {
        self.view.navigate(action)
    }

    pub fn select_id(&mut self, id: &ContainerId) -> bool {
        self.view.select_where(&self.records, |r| &r.id == id)
    }

    pub fn cycle_sort(&mut self) {
        self.sort = match self.sort {
            ContainerSort::Name => ContainerSort::Age,
            ContainerSort::Age => ContainerSort::State,
            ContainerSort::State => ContainerSort::Name,
        };
        self.refresh();
    }

    pub fn reverse_sort(&mut self) {
        self.reverse = !self.reverse;
        self.refresh();
    }

    pub fn toggle_all(&mut self) {
        self.show_all = !self.show_all;
        self.refresh();
    }

    /// Re-applies filter and sort after the filter text changed.
    pub fn refresh(&mut self) {
        let previous = self.view.selected_key(&self.records, |r| r.id.clone());
        self.rebuild(previous);
    }

    fn rebuild(&mut self, previous: Option<ContainerId>) {
        let terms = self.filter.terms();
        let (sort, reverse, show_all) = (self.sort, self.reverse, self.show_all);
        let search = &self.search;
        let records = &self.records;
        // Rows are records; their search text sits at the same index.
        let positions: Vec<usize> = (0..records.len()).collect();
        let mut view = std::mem::take(&mut self.view);
        view.rebuild(
            &positions,
            |&i| {
                (show_all || records[i].state.is_up())
                    && terms.iter().all(|t| search[i].contains(t.as_str()))
            },
            |&a, &b| compare(&records[a], &records[b], sort, reverse),
            |&i| records[i].id.clone(),
            previous,
        );
        self.view = view;
    }
}

fn search_text(record: &ContainerRecord) -> String {
    let ports: Vec<String> = record.ports.iter().map(ToString::to_string).collect();
    format!(
        "{} {} {} {} {}",
        record.name,
        record.image,
        record.status,
        record.id.short(),
        ports.join(" ")
    )
    .to_lowercase()
}

/// Name A→Z; age newest first; state up before stopped. Ties fall back to name.
fn compare(
    a: &ContainerRecord,
    b: &ContainerRecord,
    sort: ContainerSort,
    reverse: bool,
) -> Ordering {
    let by_name = || natural_cmp(&a.name, &b.name).then_with(|| a.id.cmp(&b.id));
    let primary = match sort {
        ContainerSort::Name => by_name(),
        ContainerSort::Age => b.created.cmp(&a.created).then_with(by_name),
        ContainerSort::State => b
            .state
            .is_up()
            .cmp(&a.state.is_up())
            .then_with(|| a.state.cmp(&b.state))
            .then_with(by_name),
    };
    if reverse { primary.reverse() } else { primary }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::{ContainerState, ImageId};

    fn record(name: &str, state: ContainerState, created: i64) -> ContainerRecord {
        ContainerRecord {
            id: ContainerId(format!("{name:0>64}")),
            name: name.into(),
            image: "busybox".into(),
            image_id: ImageId("sha256:1".into()),
            command: "sh".into(),
            created,
            state,
            status: match state {
                ContainerState::Running => "Up 3 minutes".into(),
                ContainerState::Created => "Created".into(),
                _ => "Exited (0) 1 hour ago".into(),
            },
            listed_at: 0,
            ports: vec![],
        }
    }

    fn names(s: &ContainersState) -> Vec<String> {
        (0..s.visible_len())
            .map(|i| s.visible_row(i).unwrap().name.clone())
            .collect()
    }

    fn sample() -> ContainersState {
        let mut s = ContainersState::default();
        s.set_records(vec![
            record("web-10", ContainerState::Running, 3),
            record("web-9", ContainerState::Running, 2),
            record("old", ContainerState::Exited, 1),
            record("fresh", ContainerState::Created, 4),
        ]);
        s
    }

    #[test]
    fn running_only_until_toggled() {
        let mut s = sample();
        assert_eq!(names(&s), ["web-9", "web-10"]);
        s.toggle_all();
        assert_eq!(names(&s), ["fresh", "old", "web-9", "web-10"]);
        assert_eq!(s.running_count(), 2);
    }

    #[test]
    fn sorts_and_filters_keep_the_selection() {
        let mut s = sample();
        s.toggle_all();
        s.select_id(&s.find("old").unwrap().id.clone());
        s.cycle_sort();
        assert_eq!(names(&s), ["fresh", "web-10", "web-9", "old"]);
        assert_eq!(s.selected().unwrap().name, "old");
        s.cycle_sort();
        assert_eq!(s.sort, ContainerSort::State);
        assert_eq!(names(&s), ["web-9", "web-10", "fresh", "old"]);
        s.filter.editor.set_text("exited");
        s.refresh();
        assert_eq!(names(&s), ["old"]);
    }

    #[test]
    fn find_by_name_id_prefix() {
        let s = sample();
        assert_eq!(s.find("/web-9").unwrap().name, "web-9");
        let old_id = s.find("old").unwrap().id.0.clone();
        assert_eq!(s.find(&old_id).unwrap().name, "old");
        assert_eq!(
            s.find("000").map(|r| r.name.as_str()),
            None,
            "prefixes under 4 chars never match"
        );
        assert!(s.find("nope").is_none());
    }
}
