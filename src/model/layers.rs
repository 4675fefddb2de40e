//! The layers pane model: the history of the selected image, loaded one request at a time
//! and cached by image ID (an image's history never changes).

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::action::Action;
use crate::docker::{HistoryRecord, ImageId};

use super::list::ListCursor;

/// How many images' histories are kept.
const CACHE_IMAGES: usize = 64;

/// One layer as the pane shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LayerRow {
    pub id: String,
    pub created: i64,
    pub size: u64,
    /// The instruction with the `/bin/sh -c #(nop)` noise removed, on one line.
    pub command: String,
    /// The instruction exactly as the engine gave it.
    pub full_command: String,
    pub comment: String,
    /// A metadata-only layer (no files).
    pub empty: bool,
}

impl LayerRow {
    fn from_record(record: HistoryRecord) -> Self {
        LayerRow {
            command: display_command(&record.created_by),
            empty: record.size == 0,
            id: record.id,
            created: record.created,
            size: record.size,
            full_command: record.created_by,
            comment: record.comment,
        }
    }
}

/// Turns a history `CreatedBy` into the instruction a Dockerfile author would recognise.
pub fn display_command(created_by: &str) -> String {
    let mut text = created_by.trim();
    if let Some(rest) = text.strip_suffix("# buildkit") {
        text = rest.trim_end();
    }
    let text = if let Some(rest) = text.strip_prefix("/bin/sh -c #(nop)") {
        rest.trim().to_string()
    } else if let Some(rest) = strip_shell(text) {
        format!("RUN {rest}")
    } else if let Some(rest) = text.strip_prefix("RUN ").and_then(strip_shell) {
        format!("RUN {rest}")
    } else {
        text.to_string()
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `/bin/sh -c CMD` or `|2 A=1 B=2 /bin/sh -c CMD` (build args) → `CMD`.
fn strip_shell(text: &str) -> Option<&str> {
    let text = match text.strip_prefix('|') {
        Some(rest) => {
            let (count, mut rest) = rest.split_once(' ')?;
            let count: usize = count.parse().ok()?;
            for _ in 0..count {
                rest = rest.split_once(' ')?.1;
            }
            rest
        }
        None => text,
    };
    text.strip_prefix("/bin/sh -c ").map(str::trim)
}

/// State of the layers pane.
#[derive(Debug, Clone, Default)]
pub struct LayersState {
    cache: HashMap<ImageId, Arc<Vec<LayerRow>>>,
    recent: VecDeque<ImageId>,
    /// The image whose layers the pane shows (the images pane's selection).
    image: Option<ImageId>,
    /// How the title names that image, e.g. `nginx:1.15`.
    pub label: String,
    in_flight: Option<ImageId>,
    pub cursor: ListCursor,
    /// Loading the shown image's history failed.
    pub error: Option<String>,
}

impl LayersState {
    pub fn image(&self) -> Option<&ImageId> {
        self.image.as_ref()
    }

    /// Points the pane at another image. Returns the image to load, if a request should start.
    pub fn show(&mut self, image: Option<ImageId>, label: String) -> Option<ImageId> {
        self.label = label;
        if image == self.image {
            return None;
        }
        self.image = image;
        self.cursor = ListCursor::default();
        self.error = None;
        self.next_request()
    }

    /// A history answer arrived. Answers for an image that is no longer shown are cached but
    /// not shown. Returns the next image to load, if any.
    pub fn loaded(
        &mut self,
        image: ImageId,
        result: Result<Vec<HistoryRecord>, String>,
    ) -> Option<ImageId> {
        if self.in_flight.as_ref() == Some(&image) {
            self.in_flight = None;
        }
        match result {
            Ok(records) => {
                let rows = records.into_iter().map(LayerRow::from_record).collect();
                self.remember(image, Arc::new(rows));
            }
            Err(message) if self.image.as_ref() == Some(&image) => self.error = Some(message),
            Err(_) => {}
        }
        self.next_request()
    }

    /// Forgets an image that was removed.
    pub fn forget(&mut self, image: &ImageId) {
        self.cache.remove(image);
        self.recent.retain(|i| i != image);
    }

    /// Forgets every request in flight (the engine went away; its answers will not come).
    pub fn reset_requests(&mut self) {
        self.in_flight = None;
    }

    /// Asks again for the shown image (after a reconnect).
    pub fn reload(&mut self) -> Option<ImageId> {
        self.error = None;
        self.next_request()
    }

    /// The rows of the shown image, once loaded.
    pub fn rows(&self) -> Option<&[LayerRow]> {
        self.image
            .as_ref()
            .and_then(|i| self.cache.get(i))
            .map(|rows| rows.as_slice())
    }

    pub fn is_loading(&self) -> bool {
        self.image.is_some() && self.rows().is_none() && self.error.is_none()
    }

    pub fn selected_row(&self) -> Option<&LayerRow> {
        self.rows()
            .and_then(|rows| rows.get(self.cursor.selected()))
    }

    pub fn navigate(&mut self, action: Action) -> bool {
        let len = self.rows().map_or(0, <[LayerRow]>::len);
        self.cursor.navigate(action, len)
    }

    fn next_request(&mut self) -> Option<ImageId> {
        let wanted = self.image.as_ref()?;
        if self.in_flight.is_some() || self.cache.contains_key(wanted) || self.error.is_some() {
            return None;
        }
        self.in_flight = Some(wanted.clone());
        Some(wanted.clone())
    }

    fn remember(&mut self, image: ImageId, rows: Arc<Vec<LayerRow>>) {
        self.recent.retain(|i| i != &image);
        self.recent.push_back(image.clone());
        self.cache.insert(image, rows);
        while self.recent.len() > CACHE_IMAGES {
            if let Some(old) = self.recent.pop_front() {
                if Some(&old) != self.image.as_ref() {
                    self.cache.remove(&old);
                } else {
                    self.recent.push_back(old);
                    break;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> ImageId {
        ImageId(format!("sha256:{n:064}"))
    }

    fn history(commands: &[(&str, u64)]) -> Vec<HistoryRecord> {
        commands
            .iter()
            .map(|(c, size)| HistoryRecord {
                id: "<missing>".into(),
                created: 0,
                created_by: c.to_string(),
                size: *size,
                comment: String::new(),
                tags: vec![],
            })
            .collect()
    }

    #[test]
    fn nop_noise_is_removed() {
        assert_eq!(
            display_command("/bin/sh -c #(nop)  CMD [\"nginx\" \"-g\"]"),
            "CMD [\"nginx\" \"-g\"]"
        );
        assert_eq!(
            display_command("/bin/sh -c apt-get update &&     apt-get install x"),
            "RUN apt-get update && apt-get install x"
        );
        assert_eq!(
            display_command("RUN /bin/sh -c make # buildkit"),
            "RUN make"
        );
        assert_eq!(display_command("COPY . /src # buildkit"), "COPY . /src");
        assert_eq!(display_command("|2 A=1 B=2 /bin/sh -c make"), "RUN make");
        assert_eq!(display_command("sh -c echo x > /f"), "sh -c echo x > /f");
        assert_eq!(display_command(""), "");
    }

    #[test]
    fn one_request_at_a_time_and_stale_answers_are_not_shown() {
        let mut l = LayersState::default();
        assert_eq!(l.show(Some(id(1)), "a".into()), Some(id(1)));
        // Moving on while 1 is in flight does not start a second request.
        assert_eq!(l.show(Some(id(2)), "b".into()), None);
        assert!(l.is_loading());
        // 1's answer arrives: not shown, and 2 is requested next.
        assert_eq!(l.loaded(id(1), Ok(history(&[("one", 1)]))), Some(id(2)));
        assert!(l.rows().is_none());
        assert_eq!(
            l.loaded(id(2), Ok(history(&[("two", 2), ("base", 0)]))),
            None
        );
        assert_eq!(l.rows().unwrap()[0].command, "two");
        assert!(l.rows().unwrap()[1].empty);
        // Going back to 1 is served from the cache.
        assert_eq!(l.show(Some(id(1)), "a".into()), None);
        assert_eq!(l.rows().unwrap()[0].command, "one");
    }

    #[test]
    fn errors_show_for_the_current_image_only_and_do_not_loop() {
        let mut l = LayersState::default();
        l.show(Some(id(1)), "a".into());
        assert_eq!(l.loaded(id(1), Err("boom".into())), None);
        assert_eq!(l.error.as_deref(), Some("boom"));
        assert!(!l.is_loading());
        assert_eq!(l.reload(), Some(id(1)));
    }

    #[test]
    fn cache_is_bounded() {
        let mut l = LayersState::default();
        for n in 0..100u8 {
            l.show(Some(id(n)), String::new());
            l.loaded(id(n), Ok(history(&[("x", 1)])));
        }
        assert!(l.cache.len() <= CACHE_IMAGES);
        assert!(l.rows().is_some(), "the shown image stays cached");
    }
}
