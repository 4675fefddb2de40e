//! Fixtures shared by the integration tests (`tests/it`) and the benchmarks. `engine.rs` and `pty.rs` stand alone (no `super::`), since
//! `benches/startup.rs` includes them with `#[path]`.
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
pub mod pty;
pub mod registry;
pub mod registry_image;
pub mod render;
