//! The engine's event stream, reduced to image and container events.

use std::collections::HashMap;

use bollard::models::EventMessageTypeEnum;
use bollard::query_parameters::EventsOptions;
use futures::{Stream, StreamExt};

use super::engine::{Engine, EngineError};
use super::types::{EngineEvent, EventSubject};

impl Engine {
    /// Events about images and containers from now on. The stream ends when the engine
    /// closes it; the caller reconnects.
    pub fn events(&self) -> impl Stream<Item = Result<EngineEvent, EngineError>> + Send + 'static {
        let mut filters = HashMap::new();
        filters.insert(
            "type".to_string(),
            vec!["image".to_string(), "container".to_string()],
        );
        let engine = self.clone();
        self.docker
            .events(Some(EventsOptions {
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

fn event_from_message(message: bollard::models::EventMessage) -> Option<EngineEvent> {
    let subject = match message.typ? {
        EventMessageTypeEnum::IMAGE => EventSubject::Image,
        EventMessageTypeEnum::CONTAINER => EventSubject::Container,
        _ => return None,
    };
    let actor = message.actor?;
    let mut attributes = actor.attributes.unwrap_or_default();
    Some(EngineEvent {
        subject,
        // Container exec events read "exec_start: sh -c …"; the verb is what matters.
        action: message
            .action?
            .split(':')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string(),
        id: actor.id?,
        name: attributes.remove("name"),
    })
}
