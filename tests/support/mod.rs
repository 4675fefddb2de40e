//! Fixtures shared by the integration tests (`tests/it`) and the benchmarks. `engine.rs` and `pty.rs` stand alone (no `super::`), since
//! `benches/startup.rs` includes them with `#[path]`.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod action_fixtures;
pub mod credential_helper;
pub mod engine;
pub mod headless;
pub mod keys;
pub mod pty;
pub mod registry;
pub mod render;
pub mod sshd;
pub mod tls;
