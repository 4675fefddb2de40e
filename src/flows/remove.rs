//! Remove: `d`/`D` and `:rmi [-f] NAME` ask first, saying exactly what goes and what stays.

use crate::docker::{EngineError, EngineErrorKind, RemoveOutcome};
use crate::effect::Effect;
use crate::model::popup::Pending;
use crate::state::State;
use crate::text::format;

use super::some_of;

/// The engine removed (or refused to remove) tags or an image.
#[derive(Debug, Clone)]
pub struct Removed {
    /// What was asked for, as the user named it.
    pub name: String,
    pub result: Result<RemoveOutcome, EngineError>,
}

impl State {
    /// `d` / `D`: asks before removing the selected tag (or untagged image); `force` also
    /// removes it from under containers.
    pub(crate) fn remove_selected(&mut self, force: bool) {
        let Some(row) = self.images.selected_row() else {
            return self.error("select an image to remove");
        };
        let name = if row.dangling {
            row.image.0.clone()
        } else {
            row.reference()
        };
        self.ask_remove(&name, force);
    }

    pub(crate) fn ask_remove(&mut self, name: &str, force: bool) {
        let Some(record) = self.images.find(name) else {
            return self.no_local_image(name);
        };
        let size = format::size(record.size);
        let by_id = record.id.0 == name || record.id.short() == name;
        let others: Vec<&str> = record
            .repo_tags
            .iter()
            .map(String::as_str)
            .filter(|t| *t != name)
            .collect();
        let mut body = if by_id {
            format!(
                "Remove image {} ({size}) with all its tags?",
                record.id.short()
            )
        } else {
            format!("Remove the tag {name} from image {}?", record.id.short())
        };
        if by_id && !record.repo_tags.is_empty() {
            let tags: Vec<&str> = record.repo_tags.iter().map(String::as_str).collect();
            body.push_str(&format!("\nTags that go: {}.", some_of(&tags)));
        }
        if !by_id && !others.is_empty() {
            body.push_str(&format!(
                "\nThe image stays: it keeps {}.",
                some_of(&others)
            ));
        } else {
            body.push_str(&format!(
                "\nThis deletes the image and those of its layers nothing else uses ({size})."
            ));
        }
        let users: Vec<&str> = self
            .containers
            .records()
            .iter()
            .filter(|c| c.image_id == record.id)
            .map(|c| c.name.as_str())
            .collect();
        if !users.is_empty() && (by_id || others.is_empty()) {
            body.push_str(&format!("\nContainers use it: {}.", some_of(&users)));
            if !force {
                body.push_str(" The engine will refuse; D forces it.");
            }
        }
        // Untagging one of several tags is the same with or without force.
        if force && (by_id || others.is_empty()) {
            body.push_str("\nForce: the image goes even if containers use it.");
        }
        let title = if force { "Force remove" } else { "Remove" };
        self.ask(
            title,
            body,
            ("Remove", "Keep"),
            false,
            Pending::Remove {
                name: name.to_string(),
                force,
            },
        );
    }

    /// The user said yes.
    pub(super) fn remove_now(&mut self, name: String, force: bool, effects: &mut Vec<Effect>) {
        // The engine refuses to remove an image with several names by its ID unless
        // forced; taking the names away one by one removes it with the last, and still
        // stops at containers that use it.
        let tags = self
            .images
            .find(&name)
            .filter(|r| !force && (r.id.0 == name || r.id.short() == name) && r.repo_tags.len() > 1)
            .map(|r| r.repo_tags.clone());
        let names = tags.unwrap_or_else(|| vec![name]);
        effects.push(Effect::RemoveImages { names, force });
    }

    pub(crate) fn on_removed(&mut self, removed: Removed) {
        let Removed { name, result } = removed;
        match result {
            Ok(outcome) => {
                let text = if outcome.deleted.is_empty() {
                    format!("removed {name}")
                } else {
                    format!(
                        "removed {name} ({} deleted)",
                        format::count(outcome.deleted.len(), "layer")
                    )
                };
                self.info(text);
            }
            Err(e) if e.kind == EngineErrorKind::Conflict => {
                self.error(format!("cannot remove {name}: {e} — D forces it"))
            }
            Err(e) => self.error(format!("cannot remove {name}: {e}")),
        }
    }
}
