//! Commit a container's writable layer: `c` (or `:commit CONTAINER REF`) opens the form, its
//! checks, the question before a tag moves, and the job that follows.

use crate::docker::{CommitRequest, ContainerId, ContainerRecord, validate_changes};
use crate::effect::Effect;
use crate::job::JobSpec;
use crate::model::form::{Field, Fields, Form};
use crate::model::popup::Pending;
use crate::registry::reference::Reference;
use crate::state::State;

use super::{OpenForm, parse_tagged};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitFields {
    pub container: ContainerId,
    pub container_name: String,
    pub image: Field,
    pub message: Field,
    pub author: Field,
    pub pause: Field,
    pub changes: Field,
}

impl Fields for CommitFields {
    fn fields(&self) -> Vec<&Field> {
        vec![
            &self.image,
            &self.message,
            &self.author,
            &self.pause,
            &self.changes,
        ]
    }
    fn fields_mut(&mut self) -> Vec<&mut Field> {
        vec![
            &mut self.image,
            &mut self.message,
            &mut self.author,
            &mut self.pause,
            &mut self.changes,
        ]
    }
}

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
    pub(crate) fn open_commit_form(&mut self) {
        let id = match self.changes_view() {
            Some(view) => Some(view.container.clone()),
            None => self.containers.selected().map(|r| r.id.clone()),
        };
        match id {
            Some(id) => self.open_commit_form_for(&id.0, None),
            None => self.error("select a container to commit"),
        }
    }

    /// Opens the commit form for a container named by ID or name, optionally filled in.
    pub(crate) fn open_commit_form_for(&mut self, container: &str, reference: Option<&str>) {
        let Some(record) = self.containers.find(container) else {
            self.error(format!("no container \"{container}\""));
            return;
        };
        let reference = reference.map_or_else(|| suggest_reference(record), str::to_string);
        let form = Form::new(
            format!("Commit container {}", record.name),
            CommitFields {
                container: record.id.clone(),
                container_name: record.name.clone(),
                image: Field::line("Image", "repository:tag for the new image", &reference),
                message: Field::line("Message", "optional, shown in the layer's comment", ""),
                author: Field::line("Author", "optional, e.g. Jane Doe <jane@example.com>", ""),
                pause: Field::switch("Pause", "pause the container while committing", true),
                changes: Field::several_lines(
                    "Changes",
                    // The key first: a narrow form cuts the end of the hint.
                    "optional; Alt-Enter adds a line (CMD, ENV, LABEL, EXPOSE, WORKDIR…)",
                ),
            },
        );
        self.form = Some(OpenForm::Commit(form));
        // A reference given with `:commit` is checked at once, as if it had been typed.
        self.check_form_live();
    }

    /// Enter in the commit form: check it; start the job or say what is wrong, keeping what
    /// was typed.
    pub(super) fn submit_commit(&mut self, effects: &mut Vec<Effect>) {
        let Some(OpenForm::Commit(form)) = self.form.as_mut() else {
            return;
        };
        let fields = &form.fields;
        if self.containers.get(&fields.container).is_none() {
            form.error = Some(format!(
                "container {} no longer exists — Esc closes this form",
                fields.container_name
            ));
            return;
        }
        let target = match parse_tagged(&fields.image.text()) {
            Ok(target) => target,
            Err(e) => return form.fail(|f| &mut f.image, e),
        };
        let changes = fields.changes.lines();
        if let Err(e) = validate_changes(&changes) {
            return form.fail(|f| &mut f.changes, e);
        }
        let familiar = target.familiar();
        let title = format!("commit {} → {familiar}", fields.container_name);
        let spec = JobSpec::Commit(CommitRequest {
            container: fields.container.clone(),
            repository: target.repository,
            tag: target.tag,
            message: fields.message.optional_text(),
            author: fields.author.optional_text(),
            pause: fields.pause.is_on(),
            changes,
        });
        let pending = Pending::StartJob { title, spec };
        match self.images.find(&familiar) {
            Some(existing) => {
                let current = existing.id.clone();
                self.ask_to_move_tag(&familiar, &current, "Committing", pending);
            }
            None => self.run_pending(pending, effects),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::{ContainerState, ImageId};

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
