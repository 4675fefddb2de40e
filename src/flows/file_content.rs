//! files view: a file's content (Enter on a regular file in the tree) and saving it (`w`
//! while it is shown, a form with the path). The executor reads the layer that wrote the
//! file again; the bytes stay only while the content is shown.

use std::path::PathBuf;

use crate::effect::Effect;
use crate::layerfs::EntryKind;
use crate::layerfs::content::regular_file_path;
use crate::model::file_content::{ContentPane, ContentRequest, ContentRequestId, FileBytes};
use crate::model::files::FilesLoadId;
use crate::model::form::{Field, Fields, Form};
use crate::state::State;

use super::OpenForm;
use super::import::expand_home;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveFileFields {
    pub file: Field,
    pub overwrite: Field,
}

impl Fields for SaveFileFields {
    fn fields(&self) -> Vec<&Field> {
        vec![&self.file, &self.overwrite]
    }
    fn fields_mut(&mut self) -> Vec<&mut Field> {
        vec![&mut self.file, &mut self.overwrite]
    }
}

/// What the executor answers about a file's content.
#[derive(Clone)]
pub enum ContentMsg {
    Read {
        load: FilesLoadId,
        request: ContentRequestId,
        result: Result<FileBytes, String>,
    },
    Saved {
        path: PathBuf,
        result: Result<u64, String>,
    },
}

impl std::fmt::Debug for ContentMsg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ContentMsg::Read {
                load,
                request,
                result,
            } => write!(
                f,
                "ContentRead {{ load: {load}, request: {request}, {result:?} }}"
            ),
            ContentMsg::Saved { path, result } => {
                write!(f, "ContentSaved {{ {}, {result:?} }}", path.display())
            }
        }
    }
}

impl State {
    /// Enter in the files view: a directory opens or closes, a file's content is read.
    pub(crate) fn open_in_files(&mut self, effects: &mut Vec<Effect>) {
        let Some(view) = self.files_view_mut() else {
            return;
        };
        if view.content.is_some() {
            return;
        }
        let Some((kind, path, writer, size)) = view.selected_line().map(|line| {
            (
                line.entry.kind,
                line.row.path,
                line.entry.layer,
                line.entry.size,
            )
        }) else {
            return;
        };
        if kind == EntryKind::Dir {
            view.toggle_selected();
            return;
        }
        let fs = view.fs();
        let selected = view.selected_layer();
        if selected.is_some_and(|layer| fs.entry_at(path, layer).is_none()) {
            return self.error("this layer deletes the file: there is no content to show");
        }
        let layer = usize::from(writer);
        let path_bytes = fs.path_bytes(path);
        let display = fs.display_path(path);
        let Some(index) = fs.layer_index(writer).cloned() else {
            return;
        };
        if let Err(message) = regular_file_path(&index, &path_bytes) {
            let message = format!("{}: {message}", crate::text::clean(&display));
            return self.error(message);
        }
        let Some(diff_id) = view
            .assembler
            .plan()
            .and_then(|p| p.layers.get(layer))
            .map(|l| l.diff_id.clone())
        else {
            return self.error("the image's layers are not known yet");
        };
        let locator = view.assembler.locator(&diff_id).map(str::to_string);
        let Some(source) = view.source.clone() else {
            return self.error("this view cannot read files again");
        };
        view.content_requests = view.content_requests.wrapping_add(1);
        let request = view.content_requests;
        view.content = Some(Box::new(ContentPane::loading(
            request, display, layer, size,
        )));
        effects.push(Effect::ReadFileContent {
            load: view.load,
            request,
            what: ContentRequest {
                source: *source,
                diff_id,
                locator,
                index,
                path: path_bytes,
            },
        });
    }

    /// Esc while a file's content is shown: back to the tree. Returns whether it was shown.
    pub(crate) fn close_file_content(&mut self) -> bool {
        self.files_view_mut()
            .and_then(|view| view.content.take())
            .is_some()
    }

    /// `w` while a file's content is shown: the form asking where to save it.
    /// `w`: saves the open file, or, on a tree row, reads that file first and then asks
    /// where to save it.
    pub(crate) fn save_file_key(&mut self, effects: &mut Vec<Effect>) {
        let Some(view) = self.files_view() else {
            return;
        };
        if view.content.is_some() {
            return self.open_save_file_form();
        }
        match view.selected_line().map(|line| line.entry.kind) {
            None => return self.error("select a file to save"),
            Some(EntryKind::Dir) => {
                return self.error("w saves a file; this is a directory");
            }
            Some(_) => {}
        }
        self.open_in_files(effects);
        if let Some(content) = self.files_view_mut().and_then(|v| v.content.as_mut()) {
            content.save_when_read = true;
        }
    }

    pub(crate) fn open_save_file_form(&mut self) {
        let Some(content) = self.files_view().and_then(|v| v.content.as_ref()) else {
            return self.error("open a file first (Enter on a file), then save it");
        };
        if content.bytes().is_none() {
            return self.error("the file's content is not here yet");
        }
        let name = content.path.rsplit('/').next().unwrap_or_default();
        let form = Form::new(
            format!("Save {}", crate::text::clean(&content.path)),
            SaveFileFields {
                file: Field::line("Save to", "a path; ~ is your home directory", name),
                overwrite: Field::switch(
                    "Overwrite",
                    "replace the file if it exists (Space)",
                    false,
                ),
            },
        );
        self.form = Some(OpenForm::SaveFile(form));
    }

    pub(super) fn submit_save_file(&mut self, effects: &mut Vec<Effect>) {
        let bytes = self
            .files_view()
            .and_then(|v| v.content.as_ref())
            .and_then(|c| c.bytes())
            .cloned();
        let home = self.home.clone();
        let Some(OpenForm::SaveFile(form)) = self.form.as_mut() else {
            return;
        };
        let Some(bytes) = bytes else {
            return form.fail(
                |f| &mut f.file,
                "the file's content is closed: open it again".into(),
            );
        };
        let typed = form.fields.file.text().trim().to_string();
        if typed.is_empty() {
            return form.fail(|f| &mut f.file, "give a path to save to".into());
        }
        let path = expand_home(&typed, home.as_deref());
        form.busy = Some("saving…".to_string());
        effects.push(Effect::SaveFileContent {
            path,
            bytes,
            overwrite: form.fields.overwrite.is_on(),
        });
    }

    pub(crate) fn on_content_msg(&mut self, msg: ContentMsg) {
        match msg {
            ContentMsg::Read {
                load,
                request,
                result,
            } => {
                let Some(content) = self
                    .files_view_mut()
                    .filter(|v| v.load == load)
                    .and_then(|v| v.content.as_mut())
                    .filter(|c| c.request == request)
                else {
                    return; // Closed since, or another file asked for.
                };
                let result = result.map_err(|e| crate::text::clean(&e).into_owned());
                content.loaded(result);
                if std::mem::take(&mut content.save_when_read) && content.bytes().is_some() {
                    self.open_save_file_form();
                }
            }
            ContentMsg::Saved { path, result } => {
                let form = match self.form.as_mut() {
                    Some(OpenForm::SaveFile(form)) => Some(form),
                    _ => None,
                };
                match result {
                    Ok(bytes) => {
                        if form.is_some() {
                            self.form = None;
                        }
                        self.info(format!(
                            "saved {} to {}",
                            crate::text::format::count(usize::try_from(bytes).unwrap_or(0), "byte"),
                            crate::text::clean(&path.display().to_string())
                        ));
                    }
                    Err(message) => {
                        let message = crate::text::clean(&message).into_owned();
                        match form {
                            Some(form) => {
                                form.busy = None;
                                form.fail(|f| &mut f.file, message);
                            }
                            None => self.error(message),
                        }
                    }
                }
            }
        }
    }
}
