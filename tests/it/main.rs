//! The integration tests: one binary, so bollard, reqwest and the rest link once.
//! Each module is one concern; `support` holds the fixtures they share.

// Test code: a failed expectation is a test failure, helpers outside #[test] fns included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../support/mod.rs"]
mod support;

mod actions_engine;
mod actions_flows;
mod architecture;
mod containers_engine;
mod containers_flows;
mod engine_images;
mod file_content; // files view: a file's content (issue 10)
mod files_view; // files view (issue 10)
mod layerfs_engine;
mod layerfs_formats;
mod layerfs_remote;
mod live_updates;
mod local_registry;
mod mouse_and_time;
mod pty;
mod pty_actions;
mod pty_commit;
// Remote engines: switching contexts in the real binary.
mod pty_contexts;
mod pty_shell;
mod registry_auth;
mod registry_compare;
mod registry_content;
mod registry_faults;
mod registry_harbor;
mod registry_hub;
// Registries people use: the LOCAL column per platform, the open prompt's bare host.
mod registry_local_platform;
mod registry_more_flows;
mod registry_no_catalog;
// Registries people use (Hub, Harbor, no catalog): wiring to the UI.
mod registries_ui;
mod remote_contexts;
mod remote_ssh;
// Remote engines: switching contexts, lost connections.
mod remote_switch;
mod remote_switch_flows;
mod remote_tls;
mod snapshots_actions;
mod snapshots_columns;
mod snapshots_containers;
mod snapshots_foundation;
mod snapshots_registries;
// Remote engines: the contexts popup, the header's connection states.
mod snapshots_remote;
mod snapshots_tags;
// workflow wiring
mod snapshots_workflow;
mod tags_ui;
mod update_flows;
mod workflow_engine;
// workflow wiring
mod workflow_flows;
mod workflow_wiring_engine;
// workflow: `:info`
mod engine_info;
