//! Log in and out like `docker login`/`docker logout`: the engine checks the password, the
//! credentials go where the docker CLI keeps them; after a login, `R` retries what failed
//! for want of it.

use crate::action::Action;
use crate::effect::Effect;
use crate::model::form::{Field, Fields, Form};
use crate::registry::Credentials;
use crate::registry::reference::{Reference, validate_registry};
use crate::state::State;

use super::OpenForm;
use super::retry::Retry;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginFields {
    pub registry: Field,
    pub username: Field,
    pub password: Field,
}

impl Fields for LoginFields {
    fn fields(&self) -> Vec<&Field> {
        vec![&self.registry, &self.username, &self.password]
    }
    fn fields_mut(&mut self) -> Vec<&mut Field> {
        vec![&mut self.registry, &mut self.username, &mut self.password]
    }
}

/// What the executor reports back.
#[derive(Debug, Clone)]
pub enum LoginMsg {
    /// A login was checked and, when accepted, stored; `Ok` says where.
    LoggedIn {
        registry: String,
        result: Result<String, LoginFailure>,
    },
    /// Credentials were erased; `Ok` says from where, or `None` when none were stored.
    LoggedOut {
        registry: String,
        result: Result<Option<String>, String>,
    },
}

/// Why a login did not go through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginFailure {
    /// The registry refused the username or password.
    Rejected(String),
    /// Something else: the registry was unreachable, the credential store failed.
    Failed(String),
}

impl State {
    /// `L`: registry (from the last refusal, the selected image, or Docker Hub), username,
    /// password.
    pub(crate) fn open_login_form(&mut self, registry: Option<&str>) {
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
            LoginFields {
                registry: Field::line(
                    "Registry",
                    "host[:port], docker.io for Docker Hub",
                    &registry,
                ),
                username: Field::line("Username", "", ""),
                password: Field::secret("Password", "or an access token; never shown or logged"),
            },
        )
        .with_focus(|f| &mut f.username);
        self.form = Some(OpenForm::Login(form));
    }

    pub(super) fn submit_login(&mut self, effects: &mut Vec<Effect>) {
        let Some(OpenForm::Login(form)) = self.form.as_mut() else {
            return;
        };
        let registry = form.fields.registry.text().trim().to_string();
        if let Err(e) = validate_registry(&registry) {
            return form.fail(|f| &mut f.registry, e.to_string());
        }
        let username = form.fields.username.text().trim().to_string();
        if username.is_empty() {
            return form.fail(|f| &mut f.username, "give a username".to_string());
        }
        let password = form.fields.password.text();
        if password.is_empty() {
            return form.fail(
                |f| &mut f.password,
                "give the password or token".to_string(),
            );
        }
        form.busy = Some(format!(
            "checking the credentials for {registry} with the engine…"
        ));
        effects.push(Effect::Login {
            registry,
            credentials: Credentials::password(username, password),
        });
    }

    pub(crate) fn on_login_msg(&mut self, msg: LoginMsg) {
        match msg {
            LoginMsg::LoggedIn { registry, result } => self.on_logged_in(registry, result),
            LoginMsg::LoggedOut { registry, result } => self.on_logged_out(registry, result),
        }
    }

    fn on_logged_in(&mut self, registry: String, result: Result<String, LoginFailure>) {
        // Only the form that sent this login (still waiting, same registry) takes the answer;
        // one opened meanwhile for another registry is left alone.
        let waiting = match self.form.as_mut() {
            Some(OpenForm::Login(form))
                if form.busy.is_some() && form.fields.registry.text().trim() == registry =>
            {
                Some(form)
            }
            _ => None,
        };
        match result {
            Ok(stored_in) => {
                if waiting.is_some() {
                    self.form = None;
                }
                let retry = self
                    .retry
                    .as_ref()
                    .filter(|r| r.registry() == Some(registry.as_str()))
                    .map(Retry::describe);
                match (retry, self.keymap.hint(self.scope(), Action::Retry)) {
                    (Some(what), Some(key)) => self.info(format!(
                        "logged in to {registry} (stored in {stored_in}) — press {key} to retry {what}"
                    )),
                    _ => self.info(format!("logged in to {registry} (stored in {stored_in})")),
                }
            }
            Err(LoginFailure::Rejected(message)) => match waiting {
                Some(form) => {
                    form.busy = None;
                    form.fail(
                        |f| &mut f.password,
                        "wrong username or password".to_string(),
                    );
                    form.error = Some(format!("{registry} said: {message}"));
                }
                None => self.error(format!("login to {registry} refused: {message}")),
            },
            Err(LoginFailure::Failed(message)) => match waiting {
                Some(form) => {
                    form.busy = None;
                    form.error = Some(message);
                }
                None => self.error(format!("login to {registry} failed: {message}")),
            },
        }
    }

    /// `:logout HOST`: the host is checked like everywhere else before anything is erased.
    pub(crate) fn logout(&mut self, registry: &str, effects: &mut Vec<Effect>) {
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

    fn on_logged_out(&mut self, registry: String, result: Result<Option<String>, String>) {
        match result {
            Ok(Some(from)) => self.info(format!("logged out of {registry} (erased from {from})")),
            Ok(None) => self.info(format!("not logged in to {registry}: nothing was stored")),
            Err(e) => self.error(format!("cannot log out of {registry}: {e}")),
        }
    }
}
