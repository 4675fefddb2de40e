//! The engine's event stream, reduced to image and container events.

use bollard::models::{EventMessage, EventMessageTypeEnum};
use futures::{Stream, StreamExt};

use super::engine::Engine;
use super::error::EngineError;
use super::raw::{error_message, json_lines, read_body};
use super::transfer::escape_query;
use super::types::{EngineEvent, EventSubject};

impl Engine {
    /// Events about images and containers since `since` (Unix seconds; the engine replays
    /// what happened from then, which covers the moment between a list and this
    /// subscription). The stream ends when the engine closes it; the caller reconnects.
    /// A lost connection ends it with an `Unreachable` error that says why (ssh's reason).
    pub fn events(
        &self,
        since: i64,
    ) -> impl Stream<Item = Result<EngineEvent, EngineError>> + Send + 'static {
        let engine = self.clone();
        futures::stream::once(async move { engine.subscribe_events(since).await }).flat_map(
            |subscribed| match subscribed {
                Ok(events) => events.boxed(),
                Err(e) => futures::stream::iter([Err(e)]).boxed(),
            },
        )
    }

    /// Like [`Engine::events`], but returns once the engine has accepted the subscription,
    /// so the caller knows live updates are on (or why not).
    pub async fn subscribe_events(
        &self,
        since: i64,
    ) -> Result<
        impl Stream<Item = Result<EngineEvent, EngineError>> + Send + 'static + use<>,
        EngineError,
    > {
        // A raw request: bollard's event stream reduces transport failures to bare text.
        let filters = r#"{"type":["image","container"]}"#;
        let path = format!("/events?since={since}&filters={}", escape_query(filters));
        let (status, body) = self.raw().send("GET", &path, &[], None).await?;
        if status >= 400 {
            let body = read_body(body, 64 * 1024).await?;
            return Err(EngineError::answered(Some(status), error_message(&body)));
        }
        Ok(json_lines::<EventMessage>(body).filter_map(|item| {
            std::future::ready(match item {
                Ok(message) => event_from_message(message).map(Ok),
                Err(e) => Some(Err(e)),
            })
        }))
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

fn event_from_message(message: EventMessage) -> Option<EngineEvent> {
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
