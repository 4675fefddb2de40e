//! Full-height views drawn over the panes.

pub mod files;
