//! Committing a container: the form, its checks, the question before a tag moves, and the
//! job that follows.

use crate::docker::{CommitRequest, ContainerRecord, validate_changes};
use crate::effect::Effect;
use crate::registry::reference::Reference;

use super::actions::parse_tagged;
use super::{FormPurpose, State};
use crate::job::JobSpec;
use crate::model::form::{Field, Form};
use crate::model::popup::Pending;

/// Field positions in the commit form.
const IMAGE: usize = 0;
const MESSAGE: usize = 1;
const AUTHOR: usize = 2;
const PAUSE: usize = 3;
const CHANGES: usize = 4;

/// A name for the new image: the container's image repository, tagged with the container's
/// name (container names are valid tags), or `NAME:latest` when the image has no name.
pub fn suggest_reference(record: &ContainerRecord) -> String {
    let tag: String = record.name.chars().take(128).collect();
    let repository = (!record.image.starts_with("sha256:"))
        .then(|| Reference::parse(&record.image).ok())
        .flatten()
        .map(|r| r.repository_ref().familiar());
    match repository {
        Some(repository) => format!("{repository}:{tag}"),
        None => format!("{}:latest", record.name.to_lowercase()),
    }
}

impl State {
    /// `c`: the commit form for the selected container (or the one whose changes are open).
    pub(super) fn open_commit_form(&mut self) {
        let id = match &self.changes {
            Some(view) => Some(view.container.clone()),
            None => self.containers.selected().map(|r| r.id.clone()),
        };
        match id {
            Some(id) => self.open_commit_form_for(&id.0, None),
            None => self.error("select a container to commit"),
        }
    }

    /// Opens the commit form for a container named by ID or name, optionally filled in.
    pub(super) fn open_commit_form_for(&mut self, container: &str, reference: Option<&str>) {
        let Some(record) = self.containers.find(container) else {
            self.error(format!("no container \"{container}\""));
            return;
        };
        let reference = reference.map_or_else(|| suggest_reference(record), str::to_string);
        let form = Form::new(
            format!("Commit container {}", record.name),
            vec![
                Field::text("Image", "repository:tag for the new image", &reference),
                Field::text("Message", "optional, shown in the layer's comment", ""),
                Field::text("Author", "optional, e.g. Jane Doe <jane@example.com>", ""),
                Field::switch("Pause", "pause the container while committing", true),
                Field::lines(
                    "Changes",
                    // The key first: a narrow form cuts the end of the hint.
                    "optional; Alt-Enter adds a line (CMD, ENV, LABEL, EXPOSE, WORKDIR…)",
                ),
            ],
        );
        self.show_form(
            form,
            FormPurpose::Commit {
                container: record.id.clone(),
                container_name: record.name.clone(),
            },
        );
        // A reference given with `:commit` is checked at once, as if it had been typed.
        self.check_form_live();
    }

    /// Enter in the commit form: check it; start the job or say what is wrong, keeping what
    /// was typed.
    pub(super) fn submit_commit(&mut self, effects: &mut Vec<Effect>) {
        let Some(open) = self.form.as_mut() else {
            return;
        };
        let FormPurpose::Commit {
            container,
            container_name,
        } = open.purpose.clone()
        else {
            return;
        };
        let form = &mut open.form;

        if self.containers.get(&container).is_none() {
            form.error = Some(format!(
                "container {container_name} no longer exists — Esc closes this form"
            ));
            return;
        }
        let target = match parse_tagged(&form.text(IMAGE)) {
            Ok(target) => target,
            Err(e) => return form.fail(IMAGE, e),
        };
        let changes = form.lines(CHANGES);
        if let Err(e) = validate_changes(&changes) {
            return form.fail(CHANGES, e);
        }
        let familiar = target.familiar();
        let (repository, tag) = (target.repository, target.tag);
        let optional = |text: String| {
            let text = text.trim().to_string();
            (!text.is_empty()).then_some(text)
        };
        let spec = JobSpec::Commit(CommitRequest {
            container,
            repository,
            tag,
            message: optional(form.text(MESSAGE)),
            author: optional(form.text(AUTHOR)),
            pause: form.switch(PAUSE),
            changes,
        });
        let title = format!("commit {container_name} → {familiar}");

        match self.images.find(&familiar) {
            Some(existing) => {
                let current = existing.id.clone();
                self.ask_to_move_tag(
                    &familiar,
                    &current,
                    "Committing",
                    Pending::StartJob { title, spec },
                );
            }
            None => self.run_pending(Pending::StartJob { title, spec }, effects),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::{ContainerId, ContainerState, ImageId};

    fn record(name: &str, image: &str) -> ContainerRecord {
        ContainerRecord {
            id: ContainerId("c".into()),
            name: name.into(),
            image: image.into(),
            image_id: ImageId("sha256:1".into()),
            command: String::new(),
            created: 0,
            state: ContainerState::Running,
            status: String::new(),
            listed_at: 0,
            ports: vec![],
        }
    }

    #[test]
    fn suggestions_are_valid_references() {
        assert_eq!(
            suggest_reference(&record("web-1", "nginx:1.15")),
            "nginx:web-1"
        );
        assert_eq!(
            suggest_reference(&record("Api_2", "localhost:5000/team/app:1")),
            "localhost:5000/team/app:Api_2"
        );
        assert_eq!(
            suggest_reference(&record("Box", "sha256:abc")),
            "box:latest"
        );
        for suggestion in [
            suggest_reference(&record("web-1", "nginx:1.15")),
            suggest_reference(&record("Api_2", "localhost:5000/team/app:1")),
        ] {
            assert!(Reference::parse(&suggestion).is_ok(), "{suggestion}");
        }
    }
}
