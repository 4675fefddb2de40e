//! Import: a rootfs archive streamed into a new image. `i` and `:import` open the form
//! (Tab completes the path); `:import PATH REPOSITORY:TAG` with both given imports at once
//! and opens the form only when the file or the name needs fixing.

use std::path::{Path, PathBuf};

use crate::docker::validate_changes;
use crate::effect::Effect;
use crate::job::JobSpec;
use crate::model::form::{Field, Fields, Form};
use crate::model::path_completion::{PathCompletion, split_typed};
use crate::state::State;

use super::{OpenForm, Target, parse_tagged, quoted};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFields {
    pub file: Field,
    pub image: Field,
    pub message: Field,
    pub changes: Field,
}

impl Fields for ImportFields {
    fn fields(&self) -> Vec<&Field> {
        vec![&self.file, &self.image, &self.message, &self.changes]
    }
    fn fields_mut(&mut self) -> Vec<&mut Field> {
        vec![
            &mut self.file,
            &mut self.image,
            &mut self.message,
            &mut self.changes,
        ]
    }
}

/// The file to import was looked at: its size, or why it cannot be imported.
#[derive(Debug, Clone)]
pub struct FileChecked {
    pub path: PathBuf,
    pub result: Result<u64, String>,
}

/// An import typed on the command line, waiting for its file to be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TypedImport {
    /// The path as typed, for the form if the file turns out wrong.
    typed_path: String,
    path: PathBuf,
    reference: String,
}

/// `~/x` → `HOME/x`, as a shell would.
pub fn expand_home(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

impl State {
    /// `i`, `:import [PATH [REF]]` with something missing: the import form.
    pub(crate) fn open_import_form(&mut self, path: Option<&str>, reference: Option<&str>) {
        let form = Form::new(
            "Import a rootfs tarball",
            ImportFields {
                file: Field::line(
                    "File",
                    "a .tar, .tar.gz, .tar.bz2 or .tar.xz rootfs; Tab completes the path",
                    path.unwrap_or(""),
                ),
                image: Field::line(
                    "Image",
                    "repository:tag for the new image",
                    reference.unwrap_or(""),
                ),
                message: Field::line("Message", "optional", ""),
                changes: Field::several_lines(
                    "Changes",
                    "optional, e.g. CMD [\"/bin/sh\"]; Alt-Enter adds a line",
                ),
            },
        );
        self.form = Some(OpenForm::Import(form));
        self.check_form_live();
    }

    /// `:import PATH REF`: everything was given, so the file is checked and the import
    /// starts; the form opens only if something is wrong.
    pub(crate) fn import_now(&mut self, path: &str, reference: &str, effects: &mut Vec<Effect>) {
        if parse_tagged(reference).is_err() || path.trim().is_empty() {
            self.open_import_form(Some(path), Some(reference));
            return self.submit_import(effects);
        }
        let expanded = expand_home(path.trim(), self.home.as_deref());
        self.typed_import = Some(TypedImport {
            typed_path: path.to_string(),
            path: expanded.clone(),
            reference: reference.to_string(),
        });
        self.info(format!("checking {}…", expanded.display()));
        effects.push(Effect::CheckImportFile { path: expanded });
    }

    pub(super) fn submit_import(&mut self, effects: &mut Vec<Effect>) {
        let Some(OpenForm::Import(form)) = self.form.as_mut() else {
            return;
        };
        // The form is what the user works on now; a typed import still being checked gives
        // way, so the answer goes to the form.
        self.typed_import = None;
        let path = form.fields.file.text().trim().to_string();
        if path.is_empty() {
            return form.fail(|f| &mut f.file, "give the archive's path".to_string());
        }
        if let Err(e) = parse_tagged(&form.fields.image.text()) {
            return form.fail(|f| &mut f.image, e);
        }
        if let Err(e) = validate_changes(&form.fields.changes.lines()) {
            return form.fail(|f| &mut f.changes, e);
        }
        form.busy = Some("checking the file…".to_string());
        effects.push(Effect::CheckImportFile {
            path: expand_home(&path, self.home.as_deref()),
        });
    }

    pub(crate) fn on_import_file_checked(
        &mut self,
        checked: FileChecked,
        effects: &mut Vec<Effect>,
    ) {
        if self
            .typed_import
            .as_ref()
            .is_some_and(|typed| typed.path == checked.path)
        {
            return self.on_typed_import_checked(checked, effects);
        }
        let home = self.home.clone();
        let Some(OpenForm::Import(form)) = self.form.as_mut() else {
            return;
        };
        form.busy = None;
        if expand_home(form.fields.file.text().trim(), home.as_deref()) != checked.path {
            return; // The user edited the path meanwhile; they will submit again.
        }
        let size = match checked.result {
            Ok(size) => size,
            Err(e) => return form.fail(|f| &mut f.file, e),
        };
        let Ok(target) = parse_tagged(&form.fields.image.text()) else {
            return;
        };
        let message = form.fields.message.optional_text();
        let changes = form.fields.changes.lines();
        self.form = None;
        self.start_import(checked.path, size, target, message, changes, effects);
    }

    fn on_typed_import_checked(&mut self, checked: FileChecked, effects: &mut Vec<Effect>) {
        let Some(typed) = self.typed_import.take() else {
            return;
        };
        // "checking …" is answered now, one way or the other.
        self.status = None;
        match (checked.result, parse_tagged(&typed.reference)) {
            (Ok(size), Ok(target)) => {
                self.start_import(checked.path, size, target, None, Vec::new(), effects)
            }
            // Another form came up meanwhile: it stays, and the reason goes to the status.
            (Err(why), _) | (Ok(_), Err(why)) if self.form.is_some() => {
                self.error(format!(
                    "cannot import {}: {why}",
                    quoted(&typed.typed_path)
                ));
            }
            (Err(why), _) => {
                self.open_import_form(Some(&typed.typed_path), Some(&typed.reference));
                if let Some(OpenForm::Import(form)) = self.form.as_mut() {
                    form.fail(|f| &mut f.file, why);
                }
            }
            (Ok(_), Err(why)) => {
                self.open_import_form(Some(&typed.typed_path), Some(&typed.reference));
                if let Some(OpenForm::Import(form)) = self.form.as_mut() {
                    form.fail(|f| &mut f.image, why);
                }
            }
        }
    }

    fn start_import(
        &mut self,
        path: PathBuf,
        size: u64,
        target: Target,
        message: Option<String>,
        changes: Vec<String>,
        effects: &mut Vec<Effect>,
    ) {
        let title = format!("import → {}", target.familiar());
        let spec = JobSpec::Import {
            path,
            size,
            repository: target.repository,
            tag: target.tag,
            message,
            changes,
        };
        self.start_job(title, spec, effects);
    }

    /// Tab in the file field asks for completions; other fields move on.
    pub(super) fn tab_in_import_form(&mut self, effects: &mut Vec<Effect>) -> bool {
        let Some(OpenForm::Import(form)) = self.form.as_ref() else {
            return false;
        };
        if !form.is_focused(|f| &f.file) {
            return false;
        }
        let typed = form.fields.file.text();
        let (directory, _) = split_typed(&typed);
        let directory = if directory.is_empty() { "." } else { directory };
        let directory = expand_home(directory, self.home.as_deref());
        effects.push(Effect::CompletePath { typed, directory });
        true
    }

    pub(crate) fn on_path_completed(&mut self, typed: String, completion: PathCompletion) {
        let Some(OpenForm::Import(form)) = self.form.as_mut() else {
            return;
        };
        if form.fields.file.text() != typed {
            return; // Typed on meanwhile.
        }
        if completion.text == typed && completion.candidates.is_empty() {
            // Nothing to complete: Tab moves on, as everywhere else.
            form.focus_on(|f| &mut f.image);
            return;
        }
        form.fields.file.set_text(&completion.text);
        form.fields.file.error =
            (!completion.candidates.is_empty()).then(|| completion.candidates.join("  "));
    }
}
