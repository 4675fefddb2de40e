//! Starting, finishing, cancelling and inspecting jobs.

use crate::effect::Effect;

use super::State;
use crate::flows::retry::Retry;
use crate::job::{JobError, JobId, JobOutcome, JobSpec, Progress};
use crate::model::jobs::{JobEngine, JobStatus};
use crate::model::popup::{Popup, Scroll, Severity};

impl State {
    /// Registers a job and asks the executor to run it.
    pub(crate) fn start_job(&mut self, title: String, spec: JobSpec, effects: &mut Vec<Effect>) {
        let engine = JobEngine(self.engine_name().to_string());
        let id = self.jobs.add(title.clone(), spec.clone(), engine);
        effects.push(Effect::StartJob { id, spec });
        self.info(format!("started {title}"));
    }

    pub(crate) fn on_job_finished(
        &mut self,
        id: JobId,
        result: Result<JobOutcome, JobError>,
        effects: &mut Vec<Effect>,
    ) {
        let Some(job) = self.jobs.finish(id, &result) else {
            return;
        };
        let (title, spec) = (job.title.clone(), job.spec.clone());
        if result.is_err() {
            self.after_pull(&title, false, effects);
        }
        match result {
            Ok(JobOutcome::Created { image, reference }) => {
                self.select_when_listed(reference.clone(), effects);
                self.inspect_image(image.0, effects);
                self.info(format!("{title}: created {reference}"));
            }
            Ok(JobOutcome::Pulled { reference }) => {
                self.after_pull(&title, true, effects);
                self.select_when_listed(reference.clone(), effects);
                self.inspect_image(reference.clone(), effects);
                self.info(format!("pulled {reference}"));
            }
            Ok(JobOutcome::Pushed { reference, digest }) => {
                // The engine now knows the image's digest in that registry, and the registry
                // may now hold a tag the tags pane shows differently.
                self.inspect_image(reference.clone(), effects);
                self.reload_tags_of(&reference, effects);
                let digest = digest.map(|d| format!(" ({d})")).unwrap_or_default();
                self.info(format!("pushed {reference}{digest}"));
            }
            // workflow: run
            Ok(JobOutcome::Started { container, name }) => {
                self.on_container_started(container, name, effects)
            }
            Ok(JobOutcome::RegistryDeployed { host }) => {
                self.info(format!("the local registry answers at {host}"));
                self.focus = super::Pane::Tags;
                self.browse_registry(Some(host), effects);
            }
            Err(JobError::Run { failure, message }) => {
                if let JobSpec::Run(run) = &spec {
                    self.on_run_failed(run, failure, message);
                }
            }
            Err(JobError::Cancelled) => self.info(format!("{title}: cancelled")),
            Err(JobError::Unauthorized { registry, message }) => {
                let hint = self
                    .keymap
                    .hint(self.scope(), crate::action::Action::Login)
                    .map(|key| format!(" — press {key} to log in to {registry}"))
                    .unwrap_or_default();
                self.retry = Some(Retry::Job { title, spec });
                let first_line = message.lines().next().unwrap_or_default().to_string();
                self.error(format!("unauthorized: {first_line}{hint}"));
            }
            // workflow: the insecure-registry step is shown whole, it says what to change.
            Err(JobError::Failed(message)) if message.contains(crate::docker::DAEMON_JSON) => {
                self.error(format!("{title} failed: the engine refused the registry"));
                self.popups.push(Popup::Message {
                    title: format!("{title}: the engine's registry settings"),
                    body: format!(
                        "{message}\n\n:info shows the registries the engine lists as insecure now."
                    ),
                    severity: Severity::Error,
                    scroll: Scroll::default(),
                });
            }
            Err(JobError::Failed(message)) => {
                let first_line = message.lines().next().unwrap_or_default().to_string();
                self.error(format!("{title} failed: {first_line}"));
            }
        }
    }

    /// `x` in the jobs pane.
    pub(crate) fn cancel_selected_job(&mut self, effects: &mut Vec<Effect>) {
        let Some(id) = self
            .jobs
            .selected()
            .filter(|j| j.is_running())
            .map(|j| j.id)
        else {
            self.error("the selected job is not running");
            return;
        };
        if self.jobs.request_cancel(id) {
            effects.push(Effect::CancelJob { id });
            self.info("cancelling…");
        }
    }

    /// Enter in the jobs pane: the job's full result.
    pub(crate) fn open_job_detail(&mut self) {
        let Some(job) = self.jobs.selected() else {
            return;
        };
        let (body, severity) = match &job.status {
            JobStatus::Running => (running_detail(&job.progress), Severity::Info),
            JobStatus::Succeeded(summary) => (format!("Done: {summary}"), Severity::Info),
            JobStatus::Failed(message) => (format!("Failed:\n\n{message}"), Severity::Error),
            JobStatus::Cancelled => ("Cancelled.".to_string(), Severity::Info),
        };
        self.popups.push(Popup::Message {
            title: format!("Job {} — {}", job.id, job.title),
            body,
            severity,
            scroll: Scroll::default(),
        });
    }
}

/// A running job in full: what it says it is doing, then each layer's status and bytes.
fn running_detail(progress: &Progress) -> String {
    let mut text = format!("Running. {}", progress.message);
    if !progress.layers.is_empty() {
        text.push('\n');
    }
    for layer in &progress.layers {
        let bytes = if layer.total > 0 {
            format!(
                "  {} / {}",
                crate::text::format::size(layer.current),
                crate::text::format::size(layer.total)
            )
        } else {
            String::new()
        };
        text.push_str(&format!("\n{}  {}{bytes}", layer.id, layer.status));
    }
    text
}
