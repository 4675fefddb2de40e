//! The engine's event stream, reduced to image and container events.

use std::collections::HashMap;

use bollard::models::EventMessageTypeEnum;
use bollard::query_parameters::EventsOptions;
use futures::{Stream, StreamExt};

use super::engine::Engine;
use super::error::EngineError;
use super::types::{EngineEvent, EventSubject};

impl Engine {
    /// Events about images and containers since `since` (Unix seconds; the engine replays
    /// what happened from then, which covers the moment between a list and this
    /// subscription). The stream ends when the engine closes it; the caller reconnects.
    pub fn events(
        &self,
        since: i64,
    ) -> impl Stream<Item = Result<EngineEvent, EngineError>> + Send + 'static {
        let mut filters = HashMap::new();
        filters.insert(
            "type".to_string(),
            vec!["image".to_string(), "container".to_string()],
        );
        let engine = self.clone();
        self.docker
            .events(Some(EventsOptions {
                since: Some(since.to_string()),
                filters: Some(filters),
                ..EventsOptions::default()
            }))
            .filter_map(move |item| {
                let result = match item {
                    Ok(message) => event_from_message(message).map(Ok),
                    Err(e) => Some(Err(engine.error(e))),
                };
                std::future::ready(result)
            })
    }
}

/// Image events that change what the images pane shows.
const IMAGE_ACTIONS: &[&str] = &[
    "tag", "untag", "delete", "pull", "push", "import", "load", "prune",
];

/// Container events that change what the containers pane shows. Exec, attach, resize and
/// the like (health checks fire exec events every few seconds) are left out so that they
/// cost nothing.
const CONTAINER_ACTIONS: &[&str] = &[
    "create",
    "start",
    "restart",
    "die",
    "stop",
    "kill",
    "pause",
    "unpause",
    "rename",
    "destroy",
    "commit",
    "health_status",
    "oom",
    "update",
];

fn event_from_message(message: bollard::models::EventMessage) -> Option<EngineEvent> {
    // Some actions carry details after a colon ("health_status: healthy").
    let action = message.action?.split(':').next()?.trim().to_string();
    let subject = match message.typ? {
        EventMessageTypeEnum::IMAGE if IMAGE_ACTIONS.contains(&action.as_str()) => {
            EventSubject::Image
        }
        EventMessageTypeEnum::CONTAINER if CONTAINER_ACTIONS.contains(&action.as_str()) => {
            EventSubject::Container
        }
        _ => return None,
    };
    let actor = message.actor?;
    let mut attributes = actor.attributes.unwrap_or_default();
    Some(EngineEvent {
        subject,
        action,
        id: actor.id?,
        name: attributes.remove("name"),
    })
}
