//! The image actions: pull, tag, push, remove, import, login and logout — their forms,
//! their checks, their questions and what happens when the engine answers.

use std::path::PathBuf;

use crate::docker::{EngineError, EngineErrorKind, ImageId, RemoveOutcome, validate_changes};
use crate::effect::Effect;
use crate::msg::LoginFailure;
use crate::registry::Credentials;
use crate::registry::reference::{Reference, validate_registry};

use super::{FormPurpose, OpenForm, State};
use crate::job::JobSpec;
use crate::model::form::{Field, FieldValue, Form};
use crate::model::images::ImageRow;
use crate::model::path_completion::PathCompletion;
use crate::model::popup::{Confirm, Pending, Popup};

/// Field positions in the import form.
const IMPORT_FILE: usize = 0;
const IMPORT_IMAGE: usize = 1;
const IMPORT_MESSAGE: usize = 2;
const IMPORT_CHANGES: usize = 3;

/// Field positions in the login form.
const LOGIN_REGISTRY: usize = 0;
const LOGIN_USERNAME: usize = 1;
const LOGIN_PASSWORD: usize = 2;

/// Something that failed for want of credentials and can run again after a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Retry {
    Job {
        title: String,
        spec: JobSpec,
    },
    Tags(crate::registry::RepositoryRef),
    /// A registry's catalog, by host.
    Catalog(String),
}

impl Retry {
    fn registry(&self) -> Option<&str> {
        match self {
            Retry::Job { spec, .. } => spec.registry(),
            Retry::Tags(repository) => Some(repository.registry()),
            Retry::Catalog(registry) => Some(registry),
        }
    }

    fn describe(&self) -> String {
        match self {
            Retry::Job { title, .. } => title.clone(),
            Retry::Tags(repository) => format!("the tags of {}", repository.familiar()),
            Retry::Catalog(registry) => format!("the catalog of {registry}"),
        }
    }
}

/// A parsed reference ready for the engine: repository as the CLI writes it, and tag.
pub(super) struct Target {
    pub(super) repository: String,
    pub(super) tag: String,
    pub(super) registry: String,
}

impl Target {
    pub(super) fn familiar(&self) -> String {
        format!("{}:{}", self.repository, self.tag)
    }
}

/// Parses a reference that names a new or existing tag (no digest).
pub(super) fn parse_tagged(text: &str) -> Result<Target, String> {
    let reference = Reference::parse(text.trim()).map_err(|e| e.to_string())?;
    if reference.digest().is_some() {
        return Err("a digest cannot be used here; give a tag".to_string());
    }
    Ok(Target {
        repository: reference.repository_ref().familiar(),
        tag: reference.tag().unwrap_or("latest").to_string(),
        registry: reference.registry().to_string(),
    })
}

/// Typed input quoted in a message, its middle cut out when long, so that the reason
/// after it stays on screen.
pub(super) fn quoted(text: &str) -> String {
    format!("\"{}\"", crate::text::shorten_middle(text.trim(), 60))
}

/// Names for a question, in natural order: all of a few, the first of many and how many
/// more, so a question about an image with hundreds of tags still fits on screen.
fn some_of(names: &[&str]) -> String {
    const SHOWN: usize = 8;
    let mut names = names.to_vec();
    names.sort_by(|a, b| crate::text::natural::natural_cmp(a, b));
    if names.len() <= SHOWN {
        return names.join(", ");
    }
    format!(
        "{} and {} more",
        names[..SHOWN - 1].join(", "),
        names.len() - (SHOWN - 1)
    )
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
    // ----- pull ---------------------------------------------------------------------------

    /// `p`: a prompt offering the selected image's name (to refresh it).
    pub(super) fn open_pull_form(&mut self, prefill: Option<String>) {
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
            vec![Field::text(
                "Image",
                "e.g. nginx:1.25, registry.example.com:5000/team/app:2, app@sha256:…",
                &prefill,
            )],
        );
        self.show_form(form, FormPurpose::Pull);
    }

    fn submit_pull(&mut self, effects: &mut Vec<Effect>) {
        let Some(open) = self.form.as_mut() else {
            return;
        };
        match pull_job(&open.form.text(0)) {
            Ok((title, spec)) => {
                self.form = None;
                self.start_job(title, spec, effects);
            }
            Err(e) => open.form.fail(0, e),
        }
    }

    /// Pulls a reference right away (a remote tag chosen in the tags pane, `:pull REF`).
    pub(super) fn pull_now(&mut self, text: &str, effects: &mut Vec<Effect>) {
        match pull_job(text) {
            Ok((title, spec)) => self.start_job(title, spec, effects),
            Err(e) => self.error(format!("cannot pull {}: {e}", quoted(text))),
        }
    }

    // ----- tag ----------------------------------------------------------------------------

    /// `t`: a prompt for the new name of the selected image.
    pub(super) fn open_tag_form(&mut self) {
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
            vec![Field::text("New name", "registry/repository:tag", prefill)],
        );
        self.show_form(form, FormPurpose::Tag { source, label });
        self.check_form_live();
    }

    /// `:tag SRC DST`: the same checks and questions as the form, which opens only when
    /// something needs fixing.
    pub(super) fn tag_by_command(&mut self, source: &str, target: &str, effects: &mut Vec<Effect>) {
        let Some(record) = self.images.find(source) else {
            return self.no_local_image(source);
        };
        let id = record.id.0.clone();
        self.open_tag_form_for(id.clone(), source.to_string(), target);
        self.submit_tag(id, effects);
    }

    fn submit_tag(&mut self, source: String, effects: &mut Vec<Effect>) {
        let Some(open) = self.form.as_mut() else {
            return;
        };
        let target = match parse_tagged(&open.form.text(0)) {
            Ok(target) => target,
            Err(e) => return open.form.fail(0, e),
        };
        let familiar = target.familiar();
        let pending = Pending::Tag {
            source: source.clone(),
            repository: target.repository,
            tag: target.tag,
        };
        match self.images.find(&familiar) {
            Some(existing) if existing.id.0 == source => {
                if let Some(open) = self.form.as_mut() {
                    open.form
                        .fail(0, format!("the image is already called {familiar}"));
                }
            }
            Some(existing) => {
                let current = existing.id.clone();
                self.ask_to_move_tag(&familiar, &current, "Tagging", pending);
            }
            None => self.run_pending(pending, effects),
        }
    }

    pub(super) fn on_tagged(
        &mut self,
        target: String,
        result: Result<(), EngineError>,
        effects: &mut Vec<Effect>,
    ) {
        match result {
            Ok(()) => {
                self.select_when_listed(target.clone(), effects);
                self.info(format!("tagged {target}"));
            }
            Err(e) => self.error(format!("cannot tag {target}: {e}")),
        }
    }

    // ----- push ---------------------------------------------------------------------------

    /// `P`: asks before pushing the selected tag to its registry.
    pub(super) fn push_selected(&mut self) {
        let Some(row) = self.images.selected_row() else {
            return self.error("select an image to push");
        };
        if row.dangling {
            return self.error("an untagged image has no name to push; tag it first (t)");
        }
        let reference = row.reference();
        self.ask_push(&reference);
    }

    pub(super) fn ask_push(&mut self, text: &str) {
        let target = match parse_tagged(text) {
            Ok(target) => target,
            Err(e) => return self.error(format!("cannot push {}: {e}", quoted(text))),
        };
        let familiar = target.familiar();
        if self.images.find(&familiar).is_none() {
            return self.no_local_image(&familiar);
        }
        let body = format!(
            "Push {familiar} to {}?\nLayers the registry already has are not sent again.",
            target.registry
        );
        let spec = JobSpec::Push {
            repository: target.repository,
            tag: target.tag,
            registry: target.registry,
        };
        self.ask(
            "Push",
            body,
            ("Push", "Cancel"),
            true,
            Pending::StartJob {
                title: format!("push {familiar}"),
                spec,
            },
        );
    }

    // ----- remove -------------------------------------------------------------------------

    /// `d` / `D`: asks before removing the selected tag (or untagged image); `force` also
    /// removes it from under containers.
    pub(super) fn remove_selected(&mut self, force: bool) {
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

    pub(super) fn ask_remove(&mut self, name: &str, force: bool) {
        let Some(record) = self.images.find(name) else {
            return self.no_local_image(name);
        };
        let size = crate::text::format::size(record.size);
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

    pub(super) fn on_removed(&mut self, name: String, result: Result<RemoveOutcome, EngineError>) {
        match result {
            Ok(outcome) => {
                let text = if outcome.deleted.is_empty() {
                    format!("removed {name}")
                } else {
                    format!(
                        "removed {name} ({} deleted)",
                        crate::text::format::count(outcome.deleted.len(), "layer")
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

    // ----- import -------------------------------------------------------------------------

    /// `i`: the import form.
    pub(super) fn open_import_form(&mut self, path: Option<&str>, reference: Option<&str>) {
        let form = Form::new(
            "Import a rootfs tarball",
            vec![
                Field::text(
                    "File",
                    "a .tar, .tar.gz, .tar.bz2 or .tar.xz rootfs; Tab completes the path",
                    path.unwrap_or(""),
                ),
                Field::text(
                    "Image",
                    "repository:tag for the new image",
                    reference.unwrap_or(""),
                ),
                Field::text("Message", "optional", ""),
                Field::lines(
                    "Changes",
                    "optional, e.g. CMD [\"/bin/sh\"]; Alt-Enter adds a line",
                ),
            ],
        );
        self.show_form(form, FormPurpose::Import);
        self.check_form_live();
    }

    fn submit_import(&mut self, effects: &mut Vec<Effect>) {
        let Some(open) = self.form.as_mut() else {
            return;
        };
        let path = open.form.text(IMPORT_FILE).trim().to_string();
        if path.is_empty() {
            return open
                .form
                .fail(IMPORT_FILE, "give the archive's path".to_string());
        }
        if let Err(e) = parse_tagged(&open.form.text(IMPORT_IMAGE)) {
            return open.form.fail(IMPORT_IMAGE, e);
        }
        if let Err(e) = validate_changes(&open.form.lines(IMPORT_CHANGES)) {
            return open.form.fail(IMPORT_CHANGES, e);
        }
        open.form.busy = Some("checking the file…".to_string());
        effects.push(Effect::CheckImportFile {
            path: expand_home(&path),
        });
    }

    pub(super) fn on_import_file_checked(
        &mut self,
        path: PathBuf,
        result: Result<u64, String>,
        effects: &mut Vec<Effect>,
    ) {
        let Some(open) = self
            .form
            .as_mut()
            .filter(|o| o.purpose == FormPurpose::Import)
        else {
            return;
        };
        open.form.busy = None;
        if expand_home(open.form.text(IMPORT_FILE).trim()) != path {
            return; // The user edited the path meanwhile; they will submit again.
        }
        let size = match result {
            Ok(size) => size,
            Err(e) => return open.form.fail(IMPORT_FILE, e),
        };
        let Ok(target) = parse_tagged(&open.form.text(IMPORT_IMAGE)) else {
            return;
        };
        let optional = open.form.text(IMPORT_MESSAGE).trim().to_string();
        let spec = JobSpec::Import {
            path,
            size,
            repository: target.repository.clone(),
            tag: target.tag.clone(),
            message: (!optional.is_empty()).then_some(optional),
            changes: open.form.lines(IMPORT_CHANGES),
        };
        self.form = None;
        self.start_job(format!("import → {}", target.familiar()), spec, effects);
    }

    /// Tab in the file field asks for completions; other fields move on.
    pub(super) fn tab_in_form(&mut self, effects: &mut Vec<Effect>) -> bool {
        let Some(open) = self.form.as_ref() else {
            return false;
        };
        if open.purpose != FormPurpose::Import || open.form.focus != IMPORT_FILE {
            return false;
        }
        effects.push(Effect::CompletePath {
            typed: open.form.text(IMPORT_FILE),
        });
        true
    }

    pub(super) fn on_path_completed(&mut self, typed: String, completion: PathCompletion) {
        let Some(open) = self
            .form
            .as_mut()
            .filter(|o| o.purpose == FormPurpose::Import)
        else {
            return;
        };
        if open.form.text(IMPORT_FILE) != typed {
            return; // Typed on meanwhile.
        }
        if completion.text == typed && completion.candidates.is_empty() {
            // Nothing to complete: Tab moves on, as everywhere else.
            open.form.focus = IMPORT_IMAGE;
            return;
        }
        open.form.set_text(IMPORT_FILE, &completion.text);
        if let Some(field) = open.form.fields.get_mut(IMPORT_FILE) {
            field.error =
                (!completion.candidates.is_empty()).then(|| completion.candidates.join("  "));
        }
    }

    // ----- login / logout -----------------------------------------------------------------

    /// `L`: registry (from the last refusal, the selected image, or Docker Hub), username,
    /// password.
    pub(super) fn open_login_form(&mut self, registry: Option<&str>) {
        let registry = registry
            .map(str::to_string)
            .or_else(|| {
                self.retry
                    .as_ref()
                    .and_then(Retry::registry)
                    .map(str::to_string)
            })
            .or_else(|| {
                self.images
                    .selected_row()
                    .filter(|r| !r.dangling)
                    .and_then(|r| Reference::parse(&r.reference()).ok())
                    .map(|r| r.registry().to_string())
            })
            .unwrap_or_else(|| "docker.io".to_string());
        let form = Form::new(
            "Log in to a registry",
            vec![
                Field::text(
                    "Registry",
                    "host[:port], docker.io for Docker Hub",
                    &registry,
                ),
                Field::text("Username", "", ""),
                Field::secret("Password", "or an access token; never shown or logged"),
            ],
        )
        .with_focus(LOGIN_USERNAME);
        self.show_form(form, FormPurpose::Login);
    }

    fn submit_login(&mut self, effects: &mut Vec<Effect>) {
        let Some(open) = self.form.as_mut() else {
            return;
        };
        let registry = open.form.text(LOGIN_REGISTRY).trim().to_string();
        if let Err(e) = validate_registry(&registry) {
            return open.form.fail(LOGIN_REGISTRY, e.to_string());
        }
        let username = open.form.text(LOGIN_USERNAME).trim().to_string();
        if username.is_empty() {
            return open
                .form
                .fail(LOGIN_USERNAME, "give a username".to_string());
        }
        let password = open.form.text(LOGIN_PASSWORD);
        if password.is_empty() {
            return open
                .form
                .fail(LOGIN_PASSWORD, "give the password or token".to_string());
        }
        open.form.busy = Some(format!(
            "checking the credentials for {registry} with the engine…"
        ));
        effects.push(Effect::Login {
            registry,
            credentials: Credentials::password(username, password),
        });
    }

    pub(super) fn on_login_finished(
        &mut self,
        registry: String,
        result: Result<String, LoginFailure>,
    ) {
        // Only the form that sent this login (still waiting, same registry) takes the answer;
        // one opened meanwhile for another registry is left alone.
        let open = self.form.as_mut().filter(|o| {
            o.purpose == FormPurpose::Login
                && o.form.busy.is_some()
                && o.form.text(LOGIN_REGISTRY).trim() == registry
        });
        match result {
            Ok(stored_in) => {
                if open.is_some() {
                    self.form = None;
                }
                let retry = self
                    .retry
                    .as_ref()
                    .filter(|r| r.registry() == Some(registry.as_str()))
                    .map(Retry::describe);
                match (retry, self.keymap.hint(self.scope(), crate::action::Action::Retry)) {
                    (Some(what), Some(key)) => self.info(format!(
                        "logged in to {registry} (stored in {stored_in}) — press {key} to retry {what}"
                    )),
                    _ => self.info(format!("logged in to {registry} (stored in {stored_in})")),
                }
            }
            Err(LoginFailure::Rejected(message)) => match open {
                Some(open) => {
                    open.form.busy = None;
                    open.form
                        .fail(LOGIN_PASSWORD, "wrong username or password".to_string());
                    open.form.error = Some(format!("{registry} said: {message}"));
                }
                None => self.error(format!("login to {registry} refused: {message}")),
            },
            Err(LoginFailure::Failed(message)) => match open {
                Some(open) => {
                    open.form.busy = None;
                    open.form.error = Some(message);
                }
                None => self.error(format!("login to {registry} failed: {message}")),
            },
        }
    }

    /// `:logout HOST`: the host is checked like everywhere else before anything is erased.
    pub(super) fn logout(&mut self, registry: &str, effects: &mut Vec<Effect>) {
        // `docker logout` also takes the server address as stored (`https://host/v1/`).
        let address = registry.trim();
        let host = address
            .split_once("://")
            .map_or(address, |(_, rest)| rest)
            .split('/')
            .next()
            .unwrap_or_default();
        if let Err(e) = validate_registry(host) {
            return self.error(format!("cannot log out: {e}"));
        }
        effects.push(Effect::Logout {
            registry: address.to_string(),
        });
    }

    pub(super) fn on_logout_finished(
        &mut self,
        registry: String,
        result: Result<Option<String>, String>,
    ) {
        match result {
            Ok(Some(from)) => self.info(format!("logged out of {registry} (erased from {from})")),
            Ok(None) => self.info(format!("not logged in to {registry}: nothing was stored")),
            Err(e) => self.error(format!("cannot log out of {registry}: {e}")),
        }
    }

    /// `R`: runs again what failed for want of credentials.
    pub(super) fn retry_last(&mut self, effects: &mut Vec<Effect>) {
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

    // ----- shared -------------------------------------------------------------------------

    /// Enter in a form: each purpose checks its fields and starts its work.
    pub(super) fn submit_form(&mut self, effects: &mut Vec<Effect>) {
        let Some(open) = self.form.as_mut() else {
            return;
        };
        open.form.clear_errors();
        match open.purpose.clone() {
            FormPurpose::Commit { .. } => self.submit_commit(effects),
            FormPurpose::Pull => self.submit_pull(effects),
            FormPurpose::Tag { source, .. } => self.submit_tag(source, effects),
            FormPurpose::Import => self.submit_import(effects),
            FormPurpose::Login => self.submit_login(effects),
            FormPurpose::OpenRepository => self.submit_open_repository(effects),
        }
    }

    /// After each edit: reference fields say at once what is wrong with them.
    pub(super) fn check_form_live(&mut self) {
        let Some(open) = self.form.as_mut() else {
            return;
        };
        let field = match open.purpose {
            FormPurpose::Tag { .. } | FormPurpose::Commit { .. } => 0,
            FormPurpose::Import => IMPORT_IMAGE,
            FormPurpose::Pull | FormPurpose::Login | FormPurpose::OpenRepository => return,
        };
        let text = open.form.text(field);
        let error = if text.trim().is_empty() || text.trim().ends_with(':') {
            None // Still typing.
        } else {
            parse_tagged(&text).err()
        };
        if let Some(f) = open.form.fields.get_mut(field) {
            if matches!(f.value, FieldValue::Text(_)) {
                f.error = error;
            }
        }
    }

    /// Puts a form on screen.
    pub(super) fn show_form(&mut self, form: Form, purpose: FormPurpose) {
        self.form = Some(OpenForm { form, purpose });
    }

    /// Asks before a name moves from the image it names to another one.
    pub(super) fn ask_to_move_tag(
        &mut self,
        name: &str,
        current: &ImageId,
        doing: &str,
        pending: Pending,
    ) {
        let body = format!(
            "{name} names image {}.\n{doing} moves the name; that image keeps its other tags, \
             or shows as <none> if it has none.",
            current.short()
        );
        self.ask(
            "Move the tag?",
            body,
            ("Move it", "Keep it"),
            false,
            pending,
        );
    }

    /// A question holding the operation it guards.
    pub(super) fn ask(
        &mut self,
        title: &str,
        body: String,
        (yes, no): (&str, &str),
        yes_selected: bool,
        pending: Pending,
    ) {
        self.popups.push(Popup::Confirm(Box::new(Confirm {
            title: title.to_string(),
            body,
            yes: yes.to_string(),
            no: no.to_string(),
            yes_selected,
            pending,
        })));
    }

    /// Carries out an operation the user confirmed (or one that needed no question).
    pub(super) fn run_pending(&mut self, pending: Pending, effects: &mut Vec<Effect>) {
        match pending {
            Pending::StartJob { title, spec } => {
                self.form = None;
                self.start_job(title, spec, effects);
            }
            Pending::Tag {
                source,
                repository,
                tag,
            } => {
                self.form = None;
                effects.push(Effect::TagImage {
                    source,
                    repository,
                    tag,
                });
            }
            Pending::Remove { name, force } => {
                // The engine refuses to remove an image with several names by its ID unless
                // forced; taking the names away one by one removes it with the last, and
                // still stops at containers that use it.
                let tags = self
                    .images
                    .find(&name)
                    .filter(|r| {
                        !force && (r.id.0 == name || r.id.short() == name) && r.repo_tags.len() > 1
                    })
                    .map(|r| r.repo_tags.clone());
                let names = tags.unwrap_or_else(|| vec![name]);
                effects.push(Effect::RemoveImages { names, force });
            }
            Pending::Quit => self.quit = true,
        }
    }

    /// A reference that names no local image; while the engine is away the local images are
    /// not known, and that is the thing to say.
    fn no_local_image(&mut self, name: &str) {
        if matches!(self.engine, super::EngineStatus::Connected(_)) {
            self.error(format!("there is no local image called {name}"));
        } else {
            self.error("not connected to the Docker engine: the local images are not known yet");
        }
    }

    /// `q`, `:quit`, Ctrl-C: quits, but asks first while jobs run, since quitting ends
    /// them (the engine drops a pull or push whose connection closes). Asked twice (Ctrl-C
    /// again on the question), it quits.
    pub(super) fn request_quit(&mut self) {
        let running: Vec<&str> = self.jobs.running().map(|j| j.title.as_str()).collect();
        let asked = matches!(
            self.popups.last(),
            Some(Popup::Confirm(question)) if question.pending == Pending::Quit
        );
        if running.is_empty() || asked {
            self.quit = true;
            return;
        }
        let body = format!(
            "{} still running: {}.\nQuitting stops {}; a pull or push can be started again later.",
            crate::text::format::count(running.len(), "job"),
            some_of(&running),
            if running.len() == 1 { "it" } else { "them" },
        );
        self.ask("Quit", body, ("Quit", "Stay"), false, Pending::Quit);
    }
}

/// `~/x` → `$HOME/x`, as a shell would.
pub fn expand_home(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => directories::BaseDirs::new()
            .map(|d| d.home_dir().join(rest))
            .unwrap_or_else(|| PathBuf::from(path)),
        None => PathBuf::from(path),
    }
}
