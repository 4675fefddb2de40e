//! Pull: `p` offers the selected image's name (to refresh it), `:pull REF` and the tags
//! pane pull at once. The pull itself is a job.

use crate::effect::Effect;
use crate::job::JobSpec;
use crate::model::form::{Field, Fields, Form};
use crate::model::images::ImageRow;
use crate::registry::reference::Reference;
use crate::state::State;

use super::{OpenForm, quoted};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullFields {
    pub image: Field,
}

impl Fields for PullFields {
    fn fields(&self) -> Vec<&Field> {
        vec![&self.image]
    }
    fn fields_mut(&mut self) -> Vec<&mut Field> {
        vec![&mut self.image]
    }
}

/// The title and spec of a pull job for a typed reference.
fn pull_job(text: &str) -> Result<(String, JobSpec), String> {
    let reference = Reference::parse(text.trim()).map_err(|e| e.to_string())?;
    let spec = JobSpec::Pull {
        repository: reference.repository_ref().familiar(),
        tag_or_digest: reference.manifest_reference().to_string(),
        registry: reference.registry().to_string(),
    };
    Ok((format!("pull {}", reference.familiar()), spec))
}

impl State {
    /// `p`: a prompt offering the selected image's name (to refresh it).
    pub(crate) fn open_pull_form(&mut self, prefill: Option<String>) {
        let prefill = prefill
            .or_else(|| {
                self.images
                    .selected_row()
                    .filter(|r| !r.dangling)
                    .map(ImageRow::reference)
            })
            .unwrap_or_default();
        let form = Form::new(
            "Pull an image",
            PullFields {
                image: Field::line(
                    "Image",
                    "e.g. nginx:1.25, registry.example.com:5000/team/app:2, app@sha256:…",
                    &prefill,
                ),
            },
        );
        self.form = Some(OpenForm::Pull(form));
    }

    pub(super) fn submit_pull(&mut self, effects: &mut Vec<Effect>) {
        let Some(OpenForm::Pull(form)) = self.form.as_mut() else {
            return;
        };
        match pull_job(&form.fields.image.text()) {
            Ok((title, spec)) => {
                self.form = None;
                self.start_job(title, spec, effects);
            }
            Err(e) => form.fail(|f| &mut f.image, e),
        }
    }

    /// Pulls a reference right away (a remote tag chosen in the tags pane, `:pull REF`).
    pub(crate) fn pull_now(&mut self, text: &str, effects: &mut Vec<Effect>) {
        match pull_job(text) {
            Ok((title, spec)) => self.start_job(title, spec, effects),
            Err(e) => self.error(format!("cannot pull {}: {e}", quoted(text))),
        }
    }
}
