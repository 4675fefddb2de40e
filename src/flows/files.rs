//! Opening the files view (`f` on an image, a layer or a remote tag; `:files REF|PATH`),
//! taking the layers as they stream in, and stopping the stream (`x`, Esc, closing).

use crate::effect::Effect;
use crate::layerfs::source::LoadEvent;
use crate::model::files::{FilesLoadId, FilesSource, FilesView, LayerWish};
use crate::registry::Platform;
use crate::state::{EngineStatus, OpenView, Pane, State};

/// What a files load reports.
#[derive(Clone)]
pub enum FilesMsg {
    /// One event of the stream, in order.
    Event { load: FilesLoadId, event: LoadEvent },
    /// The load stopped: the reason, phrased for the user.
    Failed { load: FilesLoadId, message: String },
}

// A layer's index may hold 200,000 paths: the log gets a summary, not the index.
impl std::fmt::Debug for FilesMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FilesMsg::Event { load, event } => {
                let what = match event {
                    LoadEvent::Plan(plan) => format!("Plan({} layers)", plan.layers.len()),
                    LoadEvent::Layer {
                        diff_id, cached, ..
                    } => format!("Layer({diff_id}, cached: {cached})"),
                    LoadEvent::Progress(p) => format!("{p:?}"),
                    LoadEvent::Warning(w) => format!("Warning({w})"),
                    LoadEvent::Done => "Done".to_string(),
                };
                write!(f, "FilesEvent {{ load: {load}, {what} }}")
            }
            FilesMsg::Failed { load, message } => {
                write!(f, "FilesFailed {{ load: {load}, {message:?} }}")
            }
        }
    }
}

impl State {
    /// The files view, when it is the open view.
    pub(crate) fn files_view(&self) -> Option<&FilesView> {
        match &self.view {
            Some(OpenView::Files(view)) => Some(view),
            _ => None,
        }
    }

    pub(crate) fn files_view_mut(&mut self) -> Option<&mut FilesView> {
        match &mut self.view {
            Some(OpenView::Files(view)) => Some(view),
            _ => None,
        }
    }

    /// `f`: the selected image, layer or remote tag, by the focused pane.
    pub(crate) fn open_files_here(&mut self, effects: &mut Vec<Effect>) {
        match self.focus {
            Pane::Images => {
                let Some(row) = self.images.selected_row() else {
                    return self.error("select an image to look inside");
                };
                let (reference, name) = (row.image.0.clone(), row.reference());
                self.open_files(FilesSource::Image { reference }, name, None, effects);
            }
            Pane::Layers => {
                let (Some(image), Some(rows)) = (self.layers.image(), self.layers.rows()) else {
                    return self.error("select a layer to look inside");
                };
                let selected = self
                    .layers
                    .cursor
                    .selected()
                    .min(rows.len().saturating_sub(1));
                // The history is newest first; the wish runs from the oldest to the chosen.
                let history = rows[selected..]
                    .iter()
                    .rev()
                    .map(|r| (r.full_command.clone(), !r.empty))
                    .collect();
                let source = FilesSource::Image {
                    reference: image.0.clone(),
                };
                let name = self.layers.label.clone();
                self.open_files(source, name, Some(LayerWish { history }), effects);
            }
            Pane::Tags if self.tags.catalog.is_none() => {
                let (Some(row), Some(repository)) =
                    (self.tags.selected(), self.tags.repository.as_ref())
                else {
                    return self.error("select a tag to look inside");
                };
                let reference = format!("{}:{}", repository.familiar(), row.name);
                let source = FilesSource::Remote {
                    reference: reference.clone(),
                    platform: self.engine_platform(),
                };
                self.open_files(source, reference, None, effects);
            }
            _ => self.error("\"files\" works on an image, a layer or a remote tag"),
        }
    }

    /// `:files REF|PATH [PLATFORM]`.
    pub(crate) fn open_files_typed(
        &mut self,
        text: &str,
        platform: Option<&str>,
        effects: &mut Vec<Effect>,
    ) {
        let platform = match platform.map(parse_platform).transpose() {
            Ok(platform) => platform.or_else(|| self.engine_platform()),
            Err(message) => return self.error(message),
        };
        let path = crate::flows::import::expand_home(text, self.home.as_deref());
        let source = FilesSource::Typed {
            text: text.to_string(),
            path,
            platform,
        };
        self.open_files(source, text.to_string(), None, effects);
    }

    /// `wharf files REF|PATH [--platform OS/ARCH]`: as `:files`, before the first frame.
    pub fn open_files_at_start(&mut self, target: &str, platform: Option<&str>) -> Vec<Effect> {
        let mut effects = Vec::new();
        self.open_files_typed(target, platform, &mut effects);
        effects
    }

    fn open_files(
        &mut self,
        source: FilesSource,
        name: String,
        wish: Option<LayerWish>,
        effects: &mut Vec<Effect>,
    ) {
        self.close_files(effects);
        self.files_loads = self.files_loads.wrapping_add(1);
        let load = self.files_loads;
        let mut view = FilesView::new(load, name, wish);
        view.source = Some(Box::new(source.clone()));
        // Typed in the first instants (or given on the command line, `wharf files REF`): a
        // local image cannot be looked up before the engine answers, so wait for it.
        view.awaiting_engine = self.engine == EngineStatus::Connecting;
        let send = !view.awaiting_engine;
        self.view = Some(OpenView::Files(view));
        if send {
            effects.push(Effect::OpenFiles { load, source });
        }
    }

    /// The engine answered or failed: a files view opened while it was connecting starts
    /// its load now, with the engine's platform when none was typed.
    pub(crate) fn start_awaiting_files(&mut self, effects: &mut Vec<Effect>) {
        let engine_platform = self.engine_platform();
        let Some(view) = self
            .files_view_mut()
            .filter(|view| view.awaiting_engine && view.loading)
        else {
            return;
        };
        view.awaiting_engine = false;
        let Some(mut source) = view.source.as_deref().cloned() else {
            return;
        };
        if let FilesSource::Typed { platform, .. } | FilesSource::Remote { platform, .. } =
            &mut source
        {
            *platform = platform.take().or(engine_platform);
        }
        view.source = Some(Box::new(source.clone()));
        effects.push(Effect::OpenFiles {
            load: view.load,
            source,
        });
    }

    /// Closes the files view if it is open, stopping its stream; everything it held goes.
    pub(crate) fn close_files(&mut self, effects: &mut Vec<Effect>) {
        if let Some(view) = self.files_view() {
            if view.loading {
                effects.push(Effect::CancelFiles { load: view.load });
            }
            self.view = None;
        }
    }

    /// `x`: stop reading and close.
    pub(crate) fn cancel_files(&mut self, effects: &mut Vec<Effect>) {
        let Some(view) = self.files_view() else {
            return;
        };
        let (loading, done, total) = (view.loading, view.layers_stacked(), view.layer_total());
        self.close_files(effects);
        if loading {
            self.info(format!(
                "stopped reading the layers ({done} of {total} read)"
            ));
        }
    }

    pub(crate) fn on_files_msg(&mut self, msg: FilesMsg, effects: &mut Vec<Effect>) {
        let load = match &msg {
            FilesMsg::Event { load, .. } | FilesMsg::Failed { load, .. } => *load,
        };
        let Some(view) = self
            .files_view_mut()
            .filter(|v| v.load == load && v.loading)
        else {
            return; // A view closed or opened again since: its stream is stopped.
        };
        match msg {
            FilesMsg::Event { event, .. } => {
                let done = matches!(event, LoadEvent::Done);
                if let Err(message) = view.accept(event) {
                    view.fail(message.clone());
                    effects.push(Effect::CancelFiles { load });
                    self.error(message);
                } else if done {
                    let layers = view.layers_stacked();
                    let name = view.name.clone();
                    self.info(format!(
                        "{}: {}",
                        crate::text::clean(&name),
                        crate::text::format::count(layers, "layer")
                    ));
                }
            }
            FilesMsg::Failed { message, .. } => {
                let message = crate::text::clean(&message).into_owned();
                view.fail(message.clone());
                self.error(message);
            }
        }
    }

    /// The engine's platform, the default pick from a multi-platform index.
    fn engine_platform(&self) -> Option<Platform> {
        match &self.engine {
            EngineStatus::Connected(info) if !info.os.is_empty() && !info.arch.is_empty() => {
                Some(Platform {
                    os: info.os.clone(),
                    architecture: info.arch.clone(),
                    variant: None,
                })
            }
            _ => None,
        }
    }
}

/// `os/arch[/variant]`.
fn parse_platform(text: &str) -> Result<Platform, String> {
    Platform::parse(text).ok_or_else(|| format!("a platform is os/arch[/variant], not {text:?}"))
}
