//! What a call is about: the token scope it needs and what a 404 means for it.

use crate::registry::error::Missing;
use crate::registry::reference::RepositoryRef;

/// The scope that lists a registry's repositories.
const CATALOG_SCOPE: &str = "registry:catalog:*";

/// What a call is about: decides the token scope and the wording of a 404.
pub(super) enum Subject<'a> {
    /// `GET /v2/`: the API itself, no scope.
    Api,
    Catalog,
    Tags(&'a RepositoryRef),
    Manifest(&'a RepositoryRef, &'a str),
    Blob(&'a RepositoryRef, &'a str),
}

impl Subject<'_> {
    pub(super) fn scope(&self) -> Option<String> {
        match self {
            Subject::Api => None,
            Subject::Catalog => Some(CATALOG_SCOPE.to_owned()),
            Subject::Tags(repo) | Subject::Manifest(repo, _) | Subject::Blob(repo, _) => {
                Some(format!("repository:{}:pull", repo.repository()))
            }
        }
    }

    /// What a 404 means, refined by the registry's error code.
    pub(super) fn missing(&self, code: Option<&str>) -> Missing {
        let repository = |repo: &RepositoryRef| Missing::Repository {
            repository: repo.to_string(),
        };
        match self {
            Subject::Api => Missing::Api,
            Subject::Catalog => Missing::Catalog,
            Subject::Tags(repo) => repository(repo),
            Subject::Manifest(repo, _) | Subject::Blob(repo, _) if code == Some("NAME_UNKNOWN") => {
                repository(repo)
            }
            Subject::Manifest(repo, reference) if reference.contains(':') => Missing::Manifest {
                repository: repo.to_string(),
                digest: (*reference).to_owned(),
            },
            Subject::Manifest(repo, tag) => Missing::Tag {
                repository: repo.to_string(),
                tag: (*tag).to_owned(),
            },
            Subject::Blob(repo, digest) => Missing::Blob {
                repository: repo.to_string(),
                digest: (*digest).to_owned(),
            },
        }
    }
}
