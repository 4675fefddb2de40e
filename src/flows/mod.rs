//! The flows: one module per thing a user does (pull, tag, push, remove, import, log in or
//! out, commit, open a repository, quit). A flow owns its form (named fields), its checks,
//! its questions, and what happens when its answer comes back; each extends
//! [`State`] with the handlers `state` calls.
//!
//! What flows share lives here: the open form, questions that hold the operation they guard,
//! and the parsing of a reference that names a tag.

pub mod commit;
// Remote engines: the contexts popup, `:context NAME`, switching engines.
pub mod context;
pub mod file_content; // files view: a file's content (issue 10)
pub mod files;
pub mod import;
pub mod login;
pub mod pull;
pub mod push;
pub mod quit;
pub mod remove;
pub mod repository;
pub mod retry;
// workflow: run, logs, lifecycle, shell, local registry
pub mod lifecycle;
// workflow: `:info`
pub mod engine_info;
pub mod logs;
pub mod run;
pub mod shell;
pub mod tag;

use crate::docker::ImageId;
use crate::effect::Effect;
use crate::model::drawn::Drawn;
use crate::model::form::{Form, FormKey, FormView};
use crate::model::popup::{Confirm, Pending, Popup};
use crate::registry::reference::Reference;
use crate::state::State;

/// The form on screen, by what it is for. Each kind has its own named fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OpenForm {
    Commit(Form<commit::CommitFields>),
    Pull(Form<pull::PullFields>),
    Tag(Form<tag::TagFields>),
    Import(Form<import::ImportFields>),
    Login(Form<login::LoginFields>),
    OpenRepository(Form<repository::RepositoryFields>),
    // workflow
    Run(Box<Form<run::RunFields>>),
    // files view (issue 10): where to save a file's content.
    SaveFile(Form<file_content::SaveFileFields>),
}

/// Runs `$body` with `$form` bound to the typed form, whichever kind is open.
macro_rules! each_form {
    ($open:expr, $form:ident => $body:expr) => {
        match $open {
            OpenForm::Commit($form) => $body,
            OpenForm::Pull($form) => $body,
            OpenForm::Tag($form) => $body,
            OpenForm::Import($form) => $body,
            OpenForm::Login($form) => $body,
            OpenForm::OpenRepository($form) => $body,
            OpenForm::Run($form) => $body,
            OpenForm::SaveFile($form) => $body,
        }
    };
}

impl OpenForm {
    pub fn view(&self) -> FormView<'_> {
        each_form!(self, form => form.view())
    }

    pub fn busy(&self) -> bool {
        each_form!(self, form => form.busy.is_some())
    }

    pub fn handle_key(&mut self, key: crossterm::event::KeyEvent) -> FormKey {
        each_form!(self, form => form.handle_key(key))
    }

    pub fn paste(&mut self, text: &str) {
        each_form!(self, form => form.paste(text))
    }

    fn clear_errors(&mut self) {
        each_form!(self, form => form.clear_errors())
    }
}

/// A parsed reference ready for the engine: repository as the CLI writes it, and tag.
pub(crate) struct Target {
    pub(crate) repository: String,
    pub(crate) tag: String,
    pub(crate) registry: String,
}

impl Target {
    pub(crate) fn familiar(&self) -> String {
        format!("{}:{}", self.repository, self.tag)
    }
}

/// Parses a reference that names a new or existing tag (no digest).
pub(crate) fn parse_tagged(text: &str) -> Result<Target, String> {
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

/// The error to show under a reference field while it is typed: none while it is empty or
/// ends with `:` (the tag comes next).
pub(crate) fn live_reference_error(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() || text.ends_with(':') {
        return None;
    }
    parse_tagged(text).err()
}

/// Typed input quoted in a message, its middle cut out when long, so that the reason
/// after it stays on screen.
pub(crate) fn quoted(text: &str) -> String {
    format!("\"{}\"", crate::text::shorten_middle(text.trim(), 60))
}

/// Names for a question, in natural order: all of a few, the first of many and how many
/// more, so a question about an image with hundreds of tags still fits on screen.
pub(crate) fn some_of(names: &[&str]) -> String {
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

impl State {
    /// Enter in a form: its flow checks the fields and starts its work.
    pub(crate) fn submit_form(&mut self, effects: &mut Vec<Effect>) {
        let Some(open) = self.form.as_mut() else {
            return;
        };
        open.clear_errors();
        match open {
            OpenForm::Commit(_) => self.submit_commit(effects),
            OpenForm::Pull(_) => self.submit_pull(effects),
            OpenForm::Tag(_) => self.submit_tag(effects),
            OpenForm::Import(_) => self.submit_import(effects),
            OpenForm::Login(_) => self.submit_login(effects),
            OpenForm::OpenRepository(_) => self.submit_open_repository(effects),
            OpenForm::Run(_) => self.submit_run(effects),
            OpenForm::SaveFile(_) => self.submit_save_file(effects),
        }
    }

    /// After each edit: reference fields say at once what is wrong with them.
    pub(crate) fn check_form_live(&mut self) {
        match self.form.as_mut() {
            Some(OpenForm::Tag(form)) => {
                form.fields.name.error = live_reference_error(&form.fields.name.text());
            }
            Some(OpenForm::Commit(form)) => {
                form.fields.image.error = live_reference_error(&form.fields.image.text());
            }
            Some(OpenForm::Import(form)) => {
                form.fields.image.error = live_reference_error(&form.fields.image.text());
            }
            _ => {}
        }
    }

    /// Tab in a form: a path field asks for completions; elsewhere Tab moves on.
    pub(crate) fn tab_in_form(&mut self, effects: &mut Vec<Effect>) -> bool {
        match &self.form {
            Some(OpenForm::Import(_)) => self.tab_in_import_form(effects),
            _ => false,
        }
    }

    /// A question holding the operation it guards.
    pub(crate) fn ask(
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
            buttons: Drawn::default(),
        })));
    }

    /// Asks before a name moves from the image it names to another one.
    pub(crate) fn ask_to_move_tag(
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

    /// Carries out an operation the user confirmed (or one that needed no question).
    pub(crate) fn run_pending(&mut self, pending: Pending, effects: &mut Vec<Effect>) {
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
            Pending::Remove { name, force } => self.remove_now(name, force, effects),
            Pending::Quit => self.quit = true,
            // workflow
            Pending::Lifecycle { containers, action } => {
                self.send_container_action(containers, action, effects)
            }
        }
    }

    /// A reference that names no local image; while the engine is away the local images are
    /// not known, and that is the thing to say.
    pub(crate) fn no_local_image(&mut self, name: &str) {
        if self.is_connected() {
            self.error(format!("there is no local image called {name}"));
        } else {
            self.error("not connected to the Docker engine: the local images are not known yet");
        }
    }
}
