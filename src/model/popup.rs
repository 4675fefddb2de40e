//! Popups stacked over the panes. The top one gets the keys.

use crate::action::Action;

use crate::job::JobSpec;

use super::drawn::{Area, Drawn};

/// A vertical scroll position the renderer clamps to what the text needs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scroll {
    pub offset: usize,
    /// Largest useful offset, recorded by the renderer.
    pub max: Drawn<usize>,
    /// Lines visible at once, recorded by the renderer.
    pub page: Drawn<usize>,
}

impl Scroll {
    /// Applies a navigation action; returns whether it was one.
    pub fn navigate(&mut self, action: Action) -> bool {
        let page = self.page.get().max(1);
        let max = self.max.get();
        self.offset = match action {
            Action::Up => self.offset.saturating_sub(1),
            Action::Down => self.offset.saturating_add(1),
            Action::PageUp => self.offset.saturating_sub(page),
            Action::PageDown => self.offset.saturating_add(page),
            Action::Top => 0,
            Action::Bottom => max,
            _ => return false,
        }
        .min(max);
        true
    }
}

/// How a message popup is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Info,
    Error,
}

/// An operation that waits for the user's yes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pending {
    /// Start a job (and close the form that prepared it).
    StartJob { title: String, spec: JobSpec },
    /// Name an image (moving the name from another image).
    Tag {
        source: String,
        repository: String,
        tag: String,
    },
    /// Remove a tag or an image.
    Remove { name: String, force: bool },
    /// Quit although jobs are running.
    Quit,
    // workflow
    /// Apply a lifecycle action (remove) to containers, by name.
    Lifecycle {
        containers: Vec<String>,
        action: crate::docker::LifecycleAction,
    },
}

/// A yes/no question holding the operation it guards: only "yes" produces the effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Confirm {
    pub title: String,
    /// Exactly what will happen.
    pub body: String,
    pub yes: String,
    pub no: String,
    /// Which answer Enter takes.
    pub yes_selected: bool,
    pub pending: Pending,
    /// Where the yes and no buttons were drawn, for clicks.
    pub buttons: Drawn<(Area, Area)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    /// A question; y/n answer it, Enter takes the highlighted answer, Esc is no.
    Confirm(Box<Confirm>),
    /// Keys and commands, generated from the live keymap.
    Help { scroll: Scroll },
    /// A long text, e.g. a layer's full command.
    Detail {
        title: String,
        body: String,
        scroll: Scroll,
    },
    /// A remote tag's detail; the content comes from the tags pane's rows while the pane
    /// still shows `repository`.
    TagDetail {
        repository: crate::registry::RepositoryRef,
        tag: String,
        scroll: Scroll,
    },
    /// The docker contexts, to switch the engine (`E`, `:context`).
    Contexts(super::contexts::ContextsPopup),
    /// Something the user must read.
    Message {
        title: String,
        body: String,
        severity: Severity,
        scroll: Scroll,
    },
}

impl Popup {
    /// The scroll position of a text popup.
    pub fn scroll_mut(&mut self) -> Option<&mut Scroll> {
        match self {
            Popup::Help { scroll }
            | Popup::Detail { scroll, .. }
            | Popup::Message { scroll, .. }
            | Popup::TagDetail { scroll, .. } => Some(scroll),
            Popup::Confirm(_) | Popup::Contexts(_) => None,
        }
    }
}
