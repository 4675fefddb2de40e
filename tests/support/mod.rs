//! Helpers shared by the integration tests. Each test binary uses a different part of them.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

pub mod engine;
pub mod headless;
pub mod registry;
