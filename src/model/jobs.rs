//! The jobs of this session: each with its title, status and last progress, oldest first;
//! the jobs pane lists them newest first.

use crate::action::Action;
use crate::job::{JobError, JobId, JobOutcome, JobSpec, Progress};

use super::list::ListCursor;

/// Where a job stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobStatus {
    Running,
    Succeeded(String),
    Failed(String),
    Cancelled,
}

/// The engine a job runs on, as the header names it: the context, or the address when
/// none (`prod`, `ssh://deploy@build-1`). A job keeps its engine when the user switches to
/// another, so its title names it while another is shown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JobEngine(pub String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub id: JobId,
    /// e.g. `commit web-1 → app:2`.
    pub title: String,
    pub engine: JobEngine,
    pub spec: JobSpec,
    pub status: JobStatus,
    pub progress: Progress,
    /// The user asked to cancel; the task has not stopped yet.
    pub cancelling: bool,
}

impl Job {
    pub fn is_running(&self) -> bool {
        self.status == JobStatus::Running
    }

    /// The title, naming the job's engine when the one shown now (`engine`) is another.
    pub fn title_seen_from(&self, engine: &str) -> std::borrow::Cow<'_, str> {
        if self.engine.0 == engine {
            self.title.as_str().into()
        } else {
            format!("{} (on {})", self.title, self.engine.0).into()
        }
    }
}

/// Every job of this session, oldest first.
#[derive(Debug, Clone, Default)]
pub struct Jobs {
    jobs: Vec<Job>,
    next_id: u64,
    pub cursor: ListCursor,
}

impl Jobs {
    /// Registers a new running job; the caller emits the effect that starts it.
    pub fn add(&mut self, title: String, spec: JobSpec, engine: JobEngine) -> JobId {
        self.next_id += 1;
        let id = JobId(self.next_id);
        self.jobs.push(Job {
            id,
            title,
            engine,
            spec,
            status: JobStatus::Running,
            progress: Progress::default(),
            cancelling: false,
        });
        id
    }

    pub fn get(&self, id: JobId) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id == id)
    }

    pub fn all(&self) -> &[Job] {
        &self.jobs
    }

    pub fn running(&self) -> impl Iterator<Item = &Job> {
        self.jobs.iter().filter(|j| j.is_running())
    }

    /// Replaces a running job's progress with a newer snapshot.
    pub fn set_progress(&mut self, id: JobId, progress: Progress) {
        if let Some(job) = self.jobs.iter_mut().find(|j| j.id == id && j.is_running()) {
            job.progress = progress;
        }
    }

    /// Records the end of a job; returns the job when it was running.
    pub fn finish(&mut self, id: JobId, result: &Result<JobOutcome, JobError>) -> Option<&Job> {
        let job = self
            .jobs
            .iter_mut()
            .find(|j| j.id == id && j.is_running())?;
        job.status = match result {
            Ok(outcome) => JobStatus::Succeeded(outcome.summary()),
            Err(JobError::Cancelled) => JobStatus::Cancelled,
            Err(JobError::Failed(message))
            | Err(JobError::Unauthorized { message, .. })
            | Err(JobError::Run { message, .. }) => JobStatus::Failed(message.clone()),
        };
        Some(job)
    }

    /// Marks a running job as being cancelled; returns whether it was running.
    pub fn request_cancel(&mut self, id: JobId) -> bool {
        match self.jobs.iter_mut().find(|j| j.id == id && j.is_running()) {
            Some(job) => {
                job.cancelling = true;
                true
            }
            None => false,
        }
    }

    /// The job under the cursor in the jobs view (newest first there).
    pub fn selected(&self) -> Option<&Job> {
        self.jobs.iter().rev().nth(self.cursor.selected())
    }

    pub fn navigate(&mut self, action: Action) -> bool {
        self.cursor.navigate(action, self.jobs.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::docker::CommitRequest;

    #[test]
    fn finish_and_cancel_only_touch_running_jobs() {
        let mut jobs = Jobs::default();
        let spec = JobSpec::Commit(CommitRequest {
            container: crate::docker::ContainerId("c".into()),
            repository: "app".into(),
            tag: "1".into(),
            message: None,
            author: None,
            pause: true,
            changes: vec![],
        });
        let a = jobs.add("commit".into(), spec.clone(), JobEngine::default());
        let b = jobs.add("commit".into(), spec, JobEngine::default());
        assert!(jobs.request_cancel(a));
        assert!(jobs.finish(a, &Err(JobError::Cancelled)).is_some());
        assert!(!jobs.request_cancel(a));
        assert!(
            jobs.finish(a, &Err(JobError::Failed("late".into())))
                .is_none()
        );
        assert_eq!(jobs.get(a).unwrap().status, JobStatus::Cancelled);
        assert_eq!(jobs.running().count(), 1);
        assert_eq!(jobs.selected().unwrap().id, b, "newest first");
    }
}
