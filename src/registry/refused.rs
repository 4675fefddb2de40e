//! Names a registry listed that the reference grammar refuses: kept, with the reason, so the
//! catalog and listings can show them marked instead of dropping them.

use super::manifest::shorten;
use super::reference::RepositoryRef;

/// A repository name a registry listed that wharf cannot open, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusedName {
    /// The name as the registry sent it (may hold anything: strip before drawing).
    pub name: String,
    /// Why the grammar refuses it, for the user.
    pub reason: String,
}

impl RefusedName {
    /// Sorts a registry's name into an accepted repository or a refused name.
    pub fn check(registry: &str, name: &str) -> Result<RepositoryRef, RefusedName> {
        RepositoryRef::new(registry, name).map_err(|e| RefusedName {
            name: shorten(name),
            reason: e.to_string(),
        })
    }
}
