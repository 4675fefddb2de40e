//! wharf: a keyboard-driven terminal UI for Docker images, layers, containers and registries.

pub mod registry;
