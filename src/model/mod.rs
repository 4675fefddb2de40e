//! The models behind the panes, popups and inputs: pure data with the operations the user
//! applies to them (navigate, filter, sort, edit). No I/O, no terminal, no knowledge of
//! flows: `state` owns one of each and `ui` draws them.

pub mod changes;
pub mod containers;
// Remote engines: the docker contexts popup.
pub mod contexts;
pub mod drawn;
pub mod file_content; // files view: a file's content (issue 10)
pub mod files;
pub mod filter;
pub mod form;
pub mod images;
pub mod jobs;
pub mod layers;
pub mod line_editor;
pub mod list;
// workflow
pub mod logs_view;
// Registries people use: per-platform comparison with the local image.
pub mod local_platforms;
pub mod path_completion;
pub mod popup;
pub mod tags;
