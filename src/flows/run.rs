//! Run: `r` on an image opens the run form (one field per `docker run` flag), `:run [FLAGS]
//! IMAGE [CMD…]` runs at once. The container is created and started as a job; the
//! containers pane selects it once listed. A missing image is offered as a pull, after which
//! the run goes on by itself.

use crate::docker::{ContainerId, RunFailure};
use crate::effect::Effect;
use crate::job::JobSpec;
use crate::model::form::{Field, Fields, Form};
use crate::model::popup::Pending;
use crate::run_spec::{
    ProcessHost, RestartPolicy, RunSpec, parse_env, parse_publish, parse_volume,
};
use crate::state::{Pane, State};

use super::{OpenForm, quoted};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunFields {
    pub image: Field,
    pub command: Field,
    pub name: Field,
    pub ports: Field,
    pub volumes: Field,
    pub env: Field,
    pub restart: Field,
    pub workdir: Field,
    pub user: Field,
    pub entrypoint: Field,
    pub remove: Field,
    pub interactive: Field,
}

impl Fields for RunFields {
    fn fields(&self) -> Vec<&Field> {
        vec![
            &self.image,
            &self.command,
            &self.name,
            &self.ports,
            &self.volumes,
            &self.env,
            &self.restart,
            &self.workdir,
            &self.user,
            &self.entrypoint,
            &self.remove,
            &self.interactive,
        ]
    }
    fn fields_mut(&mut self) -> Vec<&mut Field> {
        vec![
            &mut self.image,
            &mut self.command,
            &mut self.name,
            &mut self.ports,
            &mut self.volumes,
            &mut self.env,
            &mut self.restart,
            &mut self.workdir,
            &mut self.user,
            &mut self.entrypoint,
            &mut self.remove,
            &mut self.interactive,
        ]
    }
}

/// What follows a run: the container to select once listed, and a run waiting for the pull
/// of its image.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunFollowUp {
    select: Option<ContainerId>,
    /// The pull job's reference and the run to start when it succeeds.
    after_pull: Option<(String, RunSpec)>,
}

/// The words of a field split like the command line splits them.
fn words(field: &Field) -> Result<Vec<String>, String> {
    crate::state::command::split_words(&field.text())
}

/// The spec the form describes; the error names the field at fault.
/// Picks the field an error belongs under.
type Pick = fn(&mut RunFields) -> &mut Field;

fn spec_from(fields: &RunFields) -> Result<RunSpec, (Pick, String)> {
    let host = ProcessHost;
    let mut spec = RunSpec::new(fields.image.text().trim());
    spec.command = words(&fields.command).map_err(|e| (pick_command as _, e))?;
    spec.name = fields.name.optional_text();
    for word in words(&fields.ports).map_err(|e| (pick_ports as _, e))? {
        for port in word.split(',').filter(|p| !p.is_empty()) {
            spec.publish
                .extend(parse_publish(port).map_err(|e| (pick_ports as _, e))?);
        }
    }
    for word in words(&fields.volumes).map_err(|e| (pick_volumes as _, e))? {
        spec.volumes
            .push(parse_volume(&word, &host).map_err(|e| (pick_volumes as _, e))?);
    }
    for line in fields.env.lines() {
        spec.env
            .push(parse_env(&line, &host).map_err(|e| (pick_env as _, e))?);
    }
    spec.restart =
        RestartPolicy::parse(fields.restart.text().trim()).map_err(|e| (pick_restart as _, e))?;
    spec.workdir = fields.workdir.optional_text();
    spec.user = fields.user.optional_text();
    spec.entrypoint = fields.entrypoint.optional_text();
    spec.remove_on_exit = fields.remove.is_on();
    spec.interactive = fields.interactive.is_on();
    spec.tty = fields.interactive.is_on();
    spec.validate().map_err(|e| (field_for(&e), e))?;
    Ok(spec)
}

fn pick_image(f: &mut RunFields) -> &mut Field {
    &mut f.image
}
fn pick_command(f: &mut RunFields) -> &mut Field {
    &mut f.command
}
fn pick_name(f: &mut RunFields) -> &mut Field {
    &mut f.name
}
fn pick_ports(f: &mut RunFields) -> &mut Field {
    &mut f.ports
}
fn pick_volumes(f: &mut RunFields) -> &mut Field {
    &mut f.volumes
}
fn pick_env(f: &mut RunFields) -> &mut Field {
    &mut f.env
}
fn pick_restart(f: &mut RunFields) -> &mut Field {
    &mut f.restart
}
fn pick_workdir(f: &mut RunFields) -> &mut Field {
    &mut f.workdir
}
fn pick_user(f: &mut RunFields) -> &mut Field {
    &mut f.user
}

/// The field a cross-field check speaks of.
fn field_for(message: &str) -> Pick {
    if message.contains("image") {
        pick_image
    } else if message.contains("container name") || message.contains("name \"") {
        pick_name
    } else if message.contains("working directory") {
        pick_workdir
    } else if message.contains("user") {
        pick_user
    } else {
        pick_restart
    }
}

impl State {
    /// `r` on an image: the run form for it.
    pub(crate) fn open_run_form(&mut self) {
        let image = self
            .images
            .selected_row()
            .map(|row| {
                if row.dangling {
                    row.image.0.clone()
                } else {
                    row.reference()
                }
            })
            .unwrap_or_default();
        self.open_run_form_with(&image);
    }

    pub(crate) fn open_run_form_with(&mut self, image: &str) {
        let fields = RunFields {
            image: Field::line("Image", "name:tag or ID", image),
            command: Field::line("Command", "empty: the image's own", ""),
            name: Field::line("Name", "--name; empty: the engine makes one up", ""),
            ports: Field::line("Ports", "-p, e.g. 8080:80 127.0.0.1:53:53/udp", ""),
            volumes: Field::line("Volumes", "-v, e.g. /srv/data:/data:ro cache:/cache", ""),
            env: Field::several_lines("Environment", "-e NAME=value, one a line (Alt-Enter)"),
            restart: Field::line("Restart", "no, always, unless-stopped, on-failure[:N]", ""),
            workdir: Field::line("Workdir", "-w, an absolute path", ""),
            user: Field::line("User", "-u user[:group]", ""),
            entrypoint: Field::line("Entrypoint", "--entrypoint", ""),
            remove: Field::switch("Remove on exit", "--rm", false),
            interactive: Field::switch("Shell (-it)", "attach a terminal after start", false),
        };
        let title = if image.is_empty() {
            "Run a container".to_string()
        } else {
            format!("Run {image}")
        };
        let mut form = Form::new(title, fields);
        if !image.is_empty() {
            form.focus_on(pick_command);
        }
        self.form = Some(OpenForm::Run(Box::new(form)));
    }

    pub(super) fn submit_run(&mut self, effects: &mut Vec<Effect>) {
        let Some(OpenForm::Run(form)) = self.form.as_mut() else {
            return;
        };
        match spec_from(&form.fields) {
            Ok(spec) => {
                self.form = None;
                self.run_now(spec, effects);
            }
            Err((pick, message)) => form.fail(pick, message),
        }
    }

    /// `:run` with a complete line, or a submitted form: start the job.
    pub(crate) fn run_now(&mut self, spec: RunSpec, effects: &mut Vec<Effect>) {
        if spec.attaches() {
            return self.run_attached(spec, effects);
        }
        let title = format!("run {}", spec.image);
        self.start_job(title, JobSpec::Run(Box::new(spec)), effects);
    }

    /// A container started: select it once the containers pane lists it.
    pub(crate) fn on_container_started(
        &mut self,
        container: ContainerId,
        name: String,
        effects: &mut Vec<Effect>,
    ) {
        self.info(format!("started container {name}"));
        self.run_follow_up.select = Some(container);
        self.select_started_container();
        self.load_containers(effects);
    }

    /// Selects the container once listed (after a run with a terminal).
    pub(crate) fn select_started(&mut self, id: ContainerId) {
        self.run_follow_up.select = Some(id);
        self.select_started_container();
    }

    /// After a containers list: select the container a run started, if listed.
    pub(crate) fn select_started_container(&mut self) {
        let Some(id) = self.run_follow_up.select.clone() else {
            return;
        };
        if self.containers.get(&id).is_none() {
            return;
        }
        if !self.containers.select_id(&id) {
            // A stopped (exited at once) container is hidden while only running ones show.
            self.containers.toggle_all();
            self.containers.select_id(&id);
        }
        self.run_follow_up.select = None;
        if self.view.is_none() && self.form.is_none() {
            self.focus = Pane::Containers;
        }
    }

    /// A run the engine refused: a missing image is offered as a pull that then runs.
    pub(crate) fn on_run_failed(&mut self, spec: &RunSpec, failure: RunFailure, message: String) {
        match failure {
            RunFailure::ImageMissing { image } => {
                let reference = match crate::registry::Reference::parse(&image) {
                    Ok(reference) => reference,
                    Err(_) => {
                        return self.error(format!("cannot run {}: {message}", quoted(&image)));
                    }
                };
                let pull = JobSpec::Pull {
                    repository: reference.repository_ref().familiar(),
                    tag_or_digest: reference.manifest_reference().to_string(),
                    registry: reference.registry().to_string(),
                };
                let familiar = reference.familiar();
                self.run_follow_up.after_pull = Some((format!("pull {familiar}"), spec.clone()));
                self.ask(
                    "Pull the image?",
                    format!(
                        "The engine has no image {familiar}.\nPull it, then run the container?"
                    ),
                    ("Pull and run", "Cancel"),
                    true,
                    Pending::StartJob {
                        title: format!("pull {familiar}"),
                        spec: pull,
                    },
                );
            }
            _ => self.error(format!("cannot run {}: {message}", spec.image)),
        }
    }

    /// A pull finished: the run that waited for it goes on; a failed pull drops it.
    pub(crate) fn after_pull(&mut self, title: &str, succeeded: bool, effects: &mut Vec<Effect>) {
        let waiting = self
            .run_follow_up
            .after_pull
            .as_ref()
            .is_some_and(|(pull, _)| pull == title);
        if !waiting {
            return;
        }
        if let Some((_, spec)) = self.run_follow_up.after_pull.take()
            && succeeded
        {
            self.run_now(spec, effects);
        }
    }
}
