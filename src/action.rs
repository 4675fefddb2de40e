//! What the user asked for. Keys map to actions through the keymap; the names here are the
//! ones a config file uses (`q = "quit"`) and the help overlay shows.

use std::fmt;

macro_rules! actions {
    ($($variant:ident => $name:literal, $help:literal;)+) => {
        /// Something the user can ask for with a key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Action {
            $($variant,)+
        }

        impl Action {
            /// Every action, in the order the help overlay lists them.
            pub const ALL: &'static [Action] = &[$(Action::$variant,)+];

            /// The name used in config files.
            pub fn name(self) -> &'static str {
                match self {
                    $(Action::$variant => $name,)+
                }
            }

            /// A short description for the help overlay.
            pub fn help(self) -> &'static str {
                match self {
                    $(Action::$variant => $help,)+
                }
            }
        }
    };
}

actions! {
    Quit => "quit", "quit wharf";
    Help => "help", "show this help";
    CommandLine => "command", "open the : command line";
    Redraw => "redraw", "redraw the whole screen";
    Suspend => "suspend", "suspend wharf to the shell (fg resumes)";
    FocusNext => "focus_next", "next pane";
    FocusPrev => "focus_prev", "previous pane";
    FocusImages => "focus_images", "go to images";
    FocusLayers => "focus_layers", "go to layers";
    FocusContainers => "focus_containers", "go to containers";
    FocusTags => "focus_tags", "go to remote tags";
    FocusJobs => "focus_jobs", "go to jobs";
    Up => "up", "move up";
    Down => "down", "move down";
    PageUp => "page_up", "page up";
    PageDown => "page_down", "page down";
    Top => "top", "go to the first row";
    Bottom => "bottom", "go to the last row";
    Open => "open", "open the selected row";
    Filter => "filter", "filter rows (Esc clears)";
    Sort => "sort", "cycle the sort column";
    ReverseSort => "reverse_sort", "reverse the sort order";
    ToggleAll => "toggle_all", "show or hide dangling images / stopped containers";
    Refresh => "refresh", "reload this pane";
    JumpToImage => "jump_to_image", "select the container's image";
    Commit => "commit", "commit the container to an image";
    Pull => "pull", "pull an image";
    Tag => "tag", "tag the selected image";
    Push => "push", "push the selected tag";
    Login => "login", "log in to a registry";
    Import => "import", "import a rootfs tarball as an image";
    Remove => "remove", "remove the tag or image (asks first)";
    ForceRemove => "force_remove", "remove even if containers use it (asks first)";
    Logout => "logout", "log out of a registry";
    OpenRepository => "open_repository", "open a remote repository's tags";
    BrowseRegistry => "browse_registry", "list a registry's repositories";
    CancelJob => "cancel_job", "cancel the selected job";
    Retry => "retry", "retry what failed";
    ToggleMouse => "toggle_mouse", "let the terminal have the mouse (to select text), or take it back";
    // Remote engines and contexts.
    Contexts => "contexts", "docker contexts: switch the engine";
    // files view (issue 10)
    Files => "files", "look inside: the layers and their files";
    ToggleChanges => "toggle_changes", "this layer's changes, or the whole filesystem at it";
    OnlyChanges => "only_changes", "whole filesystem: only what this layer changed";
    CollapseAll => "collapse_all", "close every directory (again: open all)";
    SwitchSide => "switch_side", "move between the layers and the tree";
    NextLayer => "next_layer", "next layer";
    PrevLayer => "prev_layer", "previous layer";
    CancelLoad => "cancel_load", "stop reading the layers and close";
    // workflow: run, logs, lifecycle, shell
    Run => "run", "run a container from the image (opens the form)";
    Logs => "logs", "show the container's logs, following live";
    Shell => "shell", "open a shell in the running container";
    Mark => "mark", "mark or unmark the container (actions take the marked ones)";
    Start => "start", "start the container(s)";
    Stop => "stop", "stop the container(s)";
    Restart => "restart", "restart the container(s)";
    Pause => "pause", "pause the container(s)";
    Unpause => "unpause", "unpause the container(s)";
    Kill => "kill", "kill the container(s)";
    Rename => "rename", "rename the container";
    RemoveWithVolumes => "remove_volumes", "remove the container(s) and their anonymous volumes (asks first)";
    SearchNext => "search_next", "next search match";
    SearchPrevious => "search_previous", "previous search match";
    ToggleTimestamps => "timestamps", "show or hide timestamps";
    ToggleWrap => "wrap", "wrap long lines or cut them";
    SaveFile => "save_file", "save the file shown to a path";
}

impl Action {
    /// Looks an action up by its config name.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.iter().copied().find(|a| a.name() == name)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for action in Action::ALL {
            assert!(
                seen.insert(action.name()),
                "duplicate name {}",
                action.name()
            );
            assert_eq!(Action::from_name(action.name()), Some(*action));
        }
        assert_eq!(Action::from_name("no_such_action"), None);
    }
}
