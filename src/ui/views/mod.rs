//! Full-height views drawn over the panes.

pub mod file_content; // files view: a file's content (issue 10)
pub mod files;
