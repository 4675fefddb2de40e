//! Fixtures for [`super::api_server`]: the answers of the registries' own APIs, each module
//! written to the published description it names at its top.

pub mod harbor;
pub mod hub;
