//! A remote tag's detail: digest, media type, platforms, created date and history.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::model::popup::Scroll;
use crate::model::tags::{LocalIndex, LocalStatus, TagRow};
use crate::registry::{RemoteTag, RepositoryRef, ScanState, TagDetail};
use crate::state::State;
use crate::text::format::{size, timestamp};
use crate::ui::View;
use crate::ui::panes::tags::{platforms, scan_text};

use super::draw_text;

pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    repository: &RepositoryRef,
    tag: &str,
    scroll: &Scroll,
    view: &View,
) {
    let title = format!("{}:{tag}", repository.familiar());
    // The rows belong to whatever the pane shows now; only use them for this repository.
    let row = (state.tags.repository.as_ref() == Some(repository))
        .then(|| state.tags.row_named(tag))
        .flatten();
    let body = match row {
        Some(row) => {
            let mut body = match (&row.remote, &row.detail, &row.error) {
                (Some(remote), detail, _) => {
                    let mut text = describe_remote(remote, row.digest.as_deref());
                    if let Some(detail) = detail {
                        text.push_str(&history(detail));
                    }
                    text
                }
                (None, Some(detail), _) => describe(detail),
                (None, None, Some(error)) => format!("Cannot load this tag: {error}"),
                (None, None, None) => "Loading…".to_string(),
            };
            body.push_str(&local_line(state, repository, row, tag));
            let shared = state.tags.tags_sharing_digest(tag);
            if !shared.is_empty() {
                body.push_str(&format!("\nSame digest as: {}\n", shared.join(", ")));
            }
            body
        }
        None => "This tag is no longer listed.".to_string(),
    };
    draw_text(frame, area, &title, &body, scroll, view.theme.accent, view);
}

/// How the local image of that name compares, for its platform.
fn local_line(state: &State, repository: &RepositoryRef, row: &TagRow, tag: &str) -> String {
    let local = LocalIndex::new(state.images.records(), repository)
        .with_platforms(&state.tags.local_platforms);
    let platform = local
        .local_platform(tag)
        .map(|p| format!(" ({p})"))
        .unwrap_or_default();
    let name = format!("{}:{tag}", repository.familiar());
    let text = match local.status(row) {
        LocalStatus::Same => format!("the local {name}{platform} is this image"),
        LocalStatus::Differs => format!("the local {name}{platform} differs"),
        LocalStatus::OtherPlatforms => {
            format!("this tag has no image for the platform of the local {name}{platform}")
        }
        LocalStatus::Checking => format!("comparing with the local {name}…"),
        LocalStatus::Unknown => format!("the local {name}{platform} may differ (not settled)"),
        LocalStatus::Elsewhere => "this image is local under another name".to_string(),
        LocalStatus::Absent => "not local".to_string(),
    };
    format!("\nLocal:       {text}\n")
}

fn describe(detail: &TagDetail) -> String {
    let mut text = String::new();
    text.push_str(&format!("Digest:      {}\n", detail.digest));
    text.push_str(&format!("Media type:  {}\n", detail.media_type));
    text.push_str(&format!(
        "Size:        {} compressed\n",
        size(detail.compressed_size)
    ));
    if let Some(created) = detail.created {
        text.push_str(&format!(
            "Created:     {}\n",
            timestamp(created.timestamp())
        ));
    }
    if !detail.platforms.is_empty() {
        text.push_str(&format!("Platforms:   {}\n", platforms(detail)));
        if detail.is_multi_platform() {
            text.push('\n');
            // One platform per two lines: a full digest does not fit beside the name at
            // any popup width. Indents are no-break spaces, which wrapping keeps.
            for (i, p) in detail.platforms.iter().enumerate() {
                let marker = if Some(i) == detail.default_platform {
                    "▸"
                } else {
                    "\u{a0}"
                };
                let name = p.platform.to_string();
                text.push_str(&format!(
                    "{marker} {name:<16} {:>9}\n\u{a0}\u{a0}{}\n",
                    size(p.compressed_size),
                    p.digest
                ));
            }
        }
    }
    if detail.attestations > 0 {
        text.push_str(&format!(
            "Attestations: {} (not shown)\n",
            detail.attestations
        ));
    }
    text.push_str(&history(detail));
    text
}

/// What a registry's own API said about a tag (Docker Hub, Harbor).
fn describe_remote(remote: &RemoteTag, digest: Option<&str>) -> String {
    let mut text = String::new();
    if let Some(digest) = digest {
        text.push_str(&format!("Digest:      {digest}\n"));
    }
    if let Some(bytes) = remote.size {
        text.push_str(&format!("Size:        {} compressed\n", size(bytes)));
    }
    if let Some(pushed) = remote.pushed {
        text.push_str(&format!("Pushed:      {}\n", timestamp(pushed.timestamp())));
    }
    if let Some(created) = remote.created {
        text.push_str(&format!(
            "Created:     {}\n",
            timestamp(created.timestamp())
        ));
    }
    if let Some(pulled) = remote.pulled {
        text.push_str(&format!("Pulled:      {}\n", timestamp(pulled.timestamp())));
    }
    if let Some(scan) = &remote.scan {
        let mut line = scan_text(scan);
        if scan.state == ScanState::Done && scan.total > 0 {
            line = format!("{} total ({} fixable): {line}", scan.total, scan.fixable);
        }
        text.push_str(&format!("Vulnerabilities: {line}\n"));
    }
    if !remote.platforms.is_empty() {
        text.push('\n');
        for p in &remote.platforms {
            let bytes = p.size.map(size).unwrap_or_default();
            text.push_str(&format!(
                "\u{a0} {:<16} {bytes:>9}\n",
                p.platform.to_string()
            ));
            if let Some(digest) = &p.digest {
                text.push_str(&format!("\u{a0}\u{a0}{digest}\n"));
            }
        }
    }
    text
}

/// The image's history, newest first, once its detail is here.
fn history(detail: &TagDetail) -> String {
    let mut text = String::new();
    if !detail.history.is_empty() {
        text.push_str("\nHistory (newest first):\n");
        for entry in detail.history.iter().rev() {
            let command = crate::model::layers::display_command(&entry.created_by);
            let command = if command.is_empty() {
                entry.comment.clone()
            } else {
                command
            };
            let empty = if entry.empty_layer { " (no files)" } else { "" };
            text.push_str(&format!("• {command}{empty}\n"));
        }
    }
    text
}
