//! What failed for want of credentials, kept so that `R` runs it again after a login.

use crate::effect::Effect;
use crate::job::JobSpec;
use crate::registry::RepositoryRef;
use crate::state::State;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retry {
    Job {
        title: String,
        spec: JobSpec,
    },
    Tags(RepositoryRef),
    /// A registry's catalog, by host.
    Catalog(String),
}

impl Retry {
    /// The registry a login would help with.
    pub fn registry(&self) -> Option<&str> {
        match self {
            Retry::Job { spec, .. } => spec.registry(),
            Retry::Tags(repository) => Some(repository.registry()),
            Retry::Catalog(registry) => Some(registry),
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Retry::Job { title, .. } => title.clone(),
            Retry::Tags(repository) => format!("the tags of {}", repository.familiar()),
            Retry::Catalog(registry) => format!("the catalog of {registry}"),
        }
    }
}

impl State {
    /// `R`: runs again what failed for want of credentials.
    pub(crate) fn retry_last(&mut self, effects: &mut Vec<Effect>) {
        match self.retry.take() {
            Some(Retry::Job { title, spec }) => self.start_job(title, spec, effects),
            Some(Retry::Tags(repository)) => {
                if self.tags.repository.as_ref() == Some(&repository) && self.tags.reload() {
                    self.load_tags(effects);
                } else {
                    self.open_repository(repository, effects);
                }
            }
            Some(Retry::Catalog(registry)) => self.browse_registry(Some(registry), effects),
            None => self.error("nothing to retry"),
        }
    }
}
