//! `:info`: what the engine says about itself, above all its registry settings (the
//! insecure registries and mirrors that decide whether a push over plain HTTP works).

use crate::docker::{EngineDetails, EngineError};
use crate::effect::Effect;
use crate::model::popup::{Popup, Scroll};
use crate::state::State;
use crate::text::clean;

/// The popup's title; tests find the popup by it.
pub const TITLE: &str = "Engine";

impl State {
    /// `:info`: ask the engine; the popup opens when it answers.
    pub(crate) fn request_engine_info(&mut self, effects: &mut Vec<Effect>) {
        self.info("asking the engine…");
        effects.push(Effect::LoadEngineDetails);
    }

    pub(crate) fn on_engine_details(&mut self, result: Result<EngineDetails, EngineError>) {
        match result {
            Ok(details) => {
                self.status = None;
                self.popups.push(Popup::Detail {
                    title: TITLE.to_string(),
                    body: describe(&details),
                    scroll: Scroll::default(),
                });
            }
            Err(e) => self.error(format!("engine info: {}", e.message)),
        }
    }
}

/// The popup's text: one `Label: value` line each, then the registry settings as lists.
/// Every value is cleaned of control characters (the engine's words are outside data).
pub fn describe(details: &EngineDetails) -> String {
    let field = |label: &str, value: &str| {
        let value = clean(value);
        let value = if value.trim().is_empty() { "?" } else { &value };
        format!("{label}: {value}\n")
    };
    let mut body = String::new();
    body.push_str(&field("Name", &details.name));
    body.push_str(&field(
        "Version",
        &format!("{} (API {})", details.version, details.api_version),
    ));
    body.push_str(&field(
        "OS/Arch",
        &format!("{}/{}", details.os_type, details.architecture),
    ));
    body.push_str(&field("Operating system", &details.operating_system));
    body.push_str(&field("Kernel", &details.kernel));
    body.push_str(&field("Storage driver", &details.storage_driver));
    body.push_str(&field("Root dir", &details.root_dir));
    list(
        &mut body,
        "Insecure registries (plain HTTP or unchecked certificates allowed)",
        &details.registry.insecure_registries,
    );
    list(&mut body, "Registry mirrors", &details.registry.mirrors);
    body.push_str(&format!(
        "\nBoth are set in {} (\"insecure-registries\", \"registry-mirrors\"); the engine reads it when it starts.",
        crate::docker::DAEMON_JSON
    ));
    body
}

fn list(body: &mut String, title: &str, items: &[String]) {
    body.push_str(&format!("\n{title}:\n"));
    if items.is_empty() {
        body.push_str("(none)\n");
    }
    for item in items {
        body.push_str(&format!("- {}\n", clean(item)));
    }
}
