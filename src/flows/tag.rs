//! Tag: `t` asks for the selected image's new name, `:tag SRC DST` does it at once. Moving a
//! name that another image has is asked first.

use crate::docker::EngineError;
use crate::effect::Effect;
use crate::model::form::{Field, Fields, Form};
use crate::model::popup::Pending;
use crate::state::State;

use super::{OpenForm, parse_tagged};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagFields {
    /// The image to name, by ID.
    pub source: String,
    /// How the image is shown in the title.
    pub label: String,
    pub name: Field,
}

impl Fields for TagFields {
    fn fields(&self) -> Vec<&Field> {
        vec![&self.name]
    }
    fn fields_mut(&mut self) -> Vec<&mut Field> {
        vec![&mut self.name]
    }
}

/// The engine made (or refused) a tag.
#[derive(Debug, Clone)]
pub struct Tagged {
    /// `repository:tag`.
    pub target: String,
    pub result: Result<(), EngineError>,
}

impl State {
    /// `t`: a prompt for the new name of the selected image.
    pub(crate) fn open_tag_form(&mut self) {
        let Some(row) = self.images.selected_row() else {
            return self.error("select an image to tag");
        };
        let (source, label) = (row.image.0.clone(), row.reference());
        let prefill = if row.dangling {
            String::new()
        } else {
            format!("{}:", row.repository)
        };
        self.open_tag_form_for(source, label, &prefill);
    }

    fn open_tag_form_for(&mut self, source: String, label: String, prefill: &str) {
        let form = Form::new(
            format!("Tag {label}"),
            TagFields {
                source,
                label,
                name: Field::line("New name", "registry/repository:tag", prefill),
            },
        );
        self.form = Some(OpenForm::Tag(form));
        self.check_form_live();
    }

    /// `:tag SRC DST`: the same checks and questions as the form, which opens only when
    /// something needs fixing.
    pub(crate) fn tag_by_command(&mut self, source: &str, target: &str, effects: &mut Vec<Effect>) {
        let Some(record) = self.images.find(source) else {
            return self.no_local_image(source);
        };
        let id = record.id.0.clone();
        self.open_tag_form_for(id, source.to_string(), target);
        self.submit_tag(effects);
    }

    pub(super) fn submit_tag(&mut self, effects: &mut Vec<Effect>) {
        let Some(OpenForm::Tag(form)) = self.form.as_mut() else {
            return;
        };
        let target = match parse_tagged(&form.fields.name.text()) {
            Ok(target) => target,
            Err(e) => return form.fail(|f| &mut f.name, e),
        };
        let source = form.fields.source.clone();
        let familiar = target.familiar();
        let pending = Pending::Tag {
            source: source.clone(),
            repository: target.repository,
            tag: target.tag,
        };
        match self.images.find(&familiar) {
            Some(existing) if existing.id.0 == source => {
                form.fail(
                    |f| &mut f.name,
                    format!("the image is already called {familiar}"),
                );
            }
            Some(existing) => {
                let current = existing.id.clone();
                self.ask_to_move_tag(&familiar, &current, "Tagging", pending);
            }
            None => self.run_pending(pending, effects),
        }
    }

    pub(crate) fn on_tagged(&mut self, tagged: Tagged, effects: &mut Vec<Effect>) {
        let Tagged { target, result } = tagged;
        match result {
            Ok(()) => {
                self.select_when_listed(target.clone(), effects);
                self.info(format!("tagged {target}"));
            }
            Err(e) => self.error(format!("cannot tag {target}: {e}")),
        }
    }
}
