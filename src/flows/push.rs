//! Push: `P` asks before sending the selected tag to its registry; `:push REF`, with the
//! reference typed out, pushes at once.

use crate::effect::Effect;
use crate::job::JobSpec;
use crate::model::popup::Pending;
use crate::state::State;

use super::{parse_tagged, quoted};

impl State {
    /// `P`: asks before pushing the selected tag to its registry.
    pub(crate) fn push_selected(&mut self) {
        let Some(row) = self.images.selected_row() else {
            return self.error("select an image to push");
        };
        if row.dangling {
            return self.error("an untagged image has no name to push; tag it first (t)");
        }
        let reference = row.reference();
        if let Some((title, spec)) = self.push_job(&reference) {
            let body = format!(
                "Push {reference} to {}?\nLayers the registry already has are not sent again.",
                spec.registry().unwrap_or_default()
            );
            self.ask(
                "Push",
                body,
                ("Push", "Cancel"),
                true,
                Pending::StartJob { title, spec },
            );
        }
    }

    /// `:push REF`: the user typed what to push, so it starts without a question.
    pub(crate) fn push_now(&mut self, text: &str, effects: &mut Vec<Effect>) {
        if let Some((title, spec)) = self.push_job(text) {
            self.start_job(title, spec, effects);
        }
    }

    /// The job that pushes a local tag, or `None` after saying what is wrong.
    fn push_job(&mut self, text: &str) -> Option<(String, JobSpec)> {
        let target = match parse_tagged(text) {
            Ok(target) => target,
            Err(e) => {
                self.error(format!("cannot push {}: {e}", quoted(text)));
                return None;
            }
        };
        let familiar = target.familiar();
        if self.images.find(&familiar).is_none() {
            self.no_local_image(&familiar);
            return None;
        }
        let spec = JobSpec::Push {
            repository: target.repository,
            tag: target.tag,
            registry: target.registry,
        };
        Some((format!("push {familiar}"), spec))
    }
}
