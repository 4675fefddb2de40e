//! Open a remote repository's tags on purpose: `o` asks for it, `:repo NAME` opens it.

use std::net::IpAddr;

use crate::effect::Effect;
use crate::model::form::{Field, Fields, Form};
use crate::registry::RepositoryRef;
use crate::registry::reference::Reference;
use crate::state::State;

use super::{OpenForm, quoted};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepositoryFields {
    pub repository: Field,
}

impl Fields for RepositoryFields {
    fn fields(&self) -> Vec<&Field> {
        vec![&self.repository]
    }
    fn fields_mut(&mut self) -> Vec<&mut Field> {
        vec![&mut self.repository]
    }
}

impl State {
    /// `o`: a prompt for a repository.
    pub(crate) fn open_repository_form(&mut self) {
        let prefill = self
            .tags
            .repository
            .as_ref()
            .map(RepositoryRef::familiar)
            .unwrap_or_default();
        let form = Form::new(
            "Open a repository",
            RepositoryFields {
                repository: Field::line(
                    "Repository",
                    "e.g. nginx, localhost:5000/team/app, registry.example.com/app",
                    &prefill,
                ),
            },
        );
        self.form = Some(OpenForm::OpenRepository(form));
    }

    pub(super) fn submit_open_repository(&mut self, effects: &mut Vec<Effect>) {
        let Some(OpenForm::OpenRepository(form)) = self.form.as_mut() else {
            return;
        };
        let text = form.fields.repository.text();
        // A registry alone: its catalog, never Docker Hub's `library/HOST`.
        if let Some(host) = bare_registry(&text) {
            self.form = None;
            return self.browse_registry(Some(host), effects);
        }
        match parse_repository(&text) {
            Ok(repository) => {
                self.form = None;
                self.open_repository(repository, effects);
            }
            Err(e) => form.fail(|f| &mut f.repository, e),
        }
    }

    /// `:repo REF`.
    pub(crate) fn open_repository_text(&mut self, text: &str, effects: &mut Vec<Effect>) {
        match parse_repository(text) {
            Ok(repository) => self.open_repository(repository, effects),
            Err(e) => self.error(format!("cannot open {}: {e}", quoted(text))),
        }
    }
}

/// The text is a registry host alone: `registry.example.com`, `host:5000`, `localhost`,
/// `127.0.0.1:5000`, `[::1]:5000`. A name with a short number after the colon (`redis:7`,
/// `node:20`) is a Docker Hub repository with a tag, as docker reads it; a port has 4 or 5
/// digits here.
fn bare_registry(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.contains('/') || text.contains('@') {
        return None;
    }
    let (host, port) = if text.starts_with('[') {
        match text.rsplit_once("]:") {
            Some((host, port)) => (&text[..host.len() + 1], Some(port)),
            None => (text, None),
        }
    } else {
        match text.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (text, None),
        }
    };
    let is_port = |p: &str| (4..=5).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit());
    let registry_like = host.contains('.')
        || host == "localhost"
        || host.starts_with('[')
        || host.parse::<IpAddr>().is_ok()
        || port.is_some_and(is_port);
    let port_ok = port.is_none_or(|p| p.bytes().all(|b| b.is_ascii_digit()) && !p.is_empty());
    (registry_like && port_ok && crate::registry::reference::validate_registry(text).is_ok())
        .then(|| text.to_string())
}

/// A repository as typed: `nginx`, `localhost:5000/app`, or a full reference whose tag is
/// ignored.
fn parse_repository(text: &str) -> Result<RepositoryRef, String> {
    let text = text.trim();
    // `127.0.0.1:5000` alone would be read as Docker Hub's `library/127.0.0.1` at tag 5000.
    let host = text.split(':').next().unwrap_or_default();
    let is_registry = !text.contains('/')
        && (host == "localhost" || text.starts_with('[') || host.parse::<IpAddr>().is_ok());
    if is_registry {
        return Err(format!(
            "{text} is a registry; give REGISTRY/REPOSITORY, or list its repositories with :registry {text}"
        ));
    }
    RepositoryRef::parse(text)
        .or_else(|e| {
            Reference::parse(text)
                .map(|r| r.repository_ref().clone())
                .map_err(|_| e)
        })
        .map_err(|e| e.to_string())
}
