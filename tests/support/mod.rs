//! Fixtures shared by the integration tests (`tests/it`) and the benchmarks. `engine.rs`,
//! `pty.rs` and `net.rs` stand alone (no `super::`), and `sshd.rs` and `tls.rs` need only
//! `net.rs`, since `benches/startup.rs` and `benches/remote_latency.rs` include them with
//! `#[path]`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod action_fixtures;
pub mod api_fixtures;
pub mod api_server;
pub mod credential_helper;
pub mod engine;
pub mod forms;
pub mod headless;
pub mod images;
pub mod keys;
pub mod net;
pub mod pty;
pub mod registry;
pub mod registry_image;
pub mod render;
pub mod sshd;
pub mod tls;
