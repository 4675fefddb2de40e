//! wharf: a keyboard-driven terminal UI for Docker images, layers, containers and registries.
//!
//! One task owns [`state::State`]; terminal input and background results arrive as
//! [`msg::Msg`]; `State::update` returns [`effect::Effect`]s that the [`executor`] runs as
//! tasks; [`ui::draw`] renders the state when it changed.

pub mod action;
pub mod app;
pub mod cli;
pub mod config;
pub mod docker;
pub mod effect;
pub mod executor;
pub mod flows;
pub mod job;
pub mod model;
pub mod msg;

pub mod registry;
pub mod state;
pub mod text;
pub mod tui;
pub mod ui;
