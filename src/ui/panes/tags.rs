//! The tags pane: a remote repository's tags next to what is local, or a registry's
//! catalog while browsing.

use ratatui::Frame;
use ratatui::layout::Rect;

use crate::docker::types::short_hex;
use crate::model::tags::{
    CatalogSource, CatalogState, LocalIndex, LocalStatus, RemoteError, TagRow, TagSort,
};
use crate::registry::{RefusedName, RemotePlatform, ScanState, ScanSummary, Severity, TagDetail};
use crate::state::State;
use crate::text::clean;
use crate::text::format::{count, size, sort_label};
use crate::ui::View;
use crate::ui::widgets::{
    CellText, Column, LazyTable, RowText, filter_line, notice, pane_block, title,
};

pub fn draw(frame: &mut Frame, area: Rect, state: &State, view: &View, focused: bool) {
    if let Some(catalog) = &state.tags.catalog {
        return draw_catalog(frame, area, state, catalog, view, focused);
    }
    let tags = &state.tags;
    let theme = view.theme;
    let mut details = Vec::new();
    if let Some(repository) = &tags.repository {
        details.push(repository.to_string());
        if tags.loaded && tags.error.is_none() {
            let count = if tags.visible_len() == tags.total() {
                format!("· {}", count(tags.total(), "tag"))
            } else {
                format!("· {} of {}", tags.visible_len(), count(tags.total(), "tag"))
            };
            details.push(count);
            // Names in natural order, created the newest (youngest) first: both ascend.
            let key = match tags.sort {
                TagSort::Name => "name",
                TagSort::Created if has_push_dates(tags) => "pushed",
                TagSort::Created => "created",
                TagSort::Severity => "severity",
            };
            details.push(sort_label(key, tags.reverse));
        }
        if let Some(limit) = tags.rate_limit() {
            details.push(format!("· {limit}"));
        }
        if tags.pinned {
            details.push("· pinned (Esc unpins)".to_string());
        }
        if tags.truncated {
            details.push("· list cut short".to_string());
        }
    }
    let block = pane_block(title("Tags", &details, area.width, theme), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);

    let typing = focused && state.keys_reach_panes();
    let list_area = filter_line(frame, inner, &tags.filter, typing, theme);

    if let Some(pending) = state.tags_pending().filter(|_| tags.repository.is_none()) {
        notice(
            frame,
            list_area,
            &format!("Loading the tags of {pending}…"),
            theme.dim,
        );
        return;
    }
    let Some(repository) = &tags.repository else {
        if let Some(local) = state.tags_not_followed() {
            let open = state
                .keymap
                .hint(
                    crate::config::keymap::Scope::Tags,
                    crate::action::Action::OpenRepository,
                )
                .map(|k| format!("; press {k} to look it up there"))
                .unwrap_or_default();
            notice(
                frame,
                list_area,
                &format!(
                    "{} did not come from Docker Hub, so its name is not sent there{open}",
                    local.familiar()
                ),
                theme.dim,
            );
            return;
        }
        let open = state
            .keymap
            .hint(
                crate::config::keymap::Scope::Tags,
                crate::action::Action::OpenRepository,
            )
            .map(|k| format!(", or press {k} to open a repository"))
            .unwrap_or_default();
        notice(
            frame,
            list_area,
            &format!("Select a named image to see its registry's tags{open}"),
            theme.dim,
        );
        return;
    };
    if let Some(error) = &tags.error {
        notice(
            frame,
            list_area,
            &remote_error_text(state, error),
            theme.error,
        );
        return;
    }
    if !tags.loaded {
        notice(
            frame,
            list_area,
            &format!("Loading the tags of {repository}…"),
            theme.dim,
        );
        return;
    }
    if tags.visible_len() == 0 {
        let text = if tags.total() > 0 {
            "No tag matches the filter — Esc clears it".to_string()
        } else {
            format!("{repository} has no tags")
        };
        notice(frame, list_area, &text, theme.dim);
        return;
    }

    // A later page failed: the message (a rate limit says when it resets) on the last line.
    let list_area = match &tags.stopped {
        Some(stopped) if list_area.height > 4 => {
            let text = format!("Not every page loaded: {stopped}");
            let lines = crate::text::wrap(&text, list_area.width.saturating_sub(2) as usize)
                .len()
                .clamp(1, 3) as u16;
            let (list, message) = split_bottom(list_area, lines);
            notice(frame, message, &text, theme.warning);
            list
        }
        _ => list_area,
    };
    let local = LocalIndex::new(state.images.records(), repository)
        .with_platforms(&state.tags.local_platforms);
    let wide = list_area.width >= 70;
    let scans = tags.has_scans();
    let date_header = if has_push_dates(tags) {
        "PUSHED"
    } else {
        "CREATED"
    };
    let mut columns = vec![Column::name("TAG", 6), Column::whole("DIGEST")];
    if wide {
        columns.extend([
            Column::whole("SIZE").right(),
            Column::whole(date_header),
            Column::text("PLATFORMS", 9),
        ]);
        if scans {
            columns.push(Column::whole("PULLED"));
        }
    }
    if scans {
        columns.push(Column::text("VULNERABILITIES", 11));
    }
    columns.push(Column::whole("LOCAL"));
    LazyTable {
        columns,
        len: tags.visible_len(),
        cursor: &tags.view.cursor,
        focused,
    }
    .render(frame, list_area, theme, |i| {
        let Some(row) = tags.visible_row(i) else {
            return RowText::default();
        };
        let digest = match row.digest.as_deref() {
            Some(digest) => short_hex(digest),
            None if row.error.is_some() => "error",
            None => "…",
        };
        let (local_text, local_style) = match local.status(row) {
            LocalStatus::Same => ("same", theme.ok),
            LocalStatus::Differs => ("differs", theme.warning),
            // The detail says which platform is missing.
            LocalStatus::OtherPlatforms => ("differs", theme.warning),
            LocalStatus::Checking => ("…", theme.dim),
            LocalStatus::Unknown => ("?", theme.dim),
            // The image is here, under another name: pulling this tag only names it.
            LocalStatus::Elsewhere => ("local", theme.dim),
            LocalStatus::Absent => ("", theme.dim),
        };
        let local_cell = CellText::styled(local_text, local_style);
        let digest_cell = CellText::styled(
            digest,
            if row.error.is_some() {
                theme.error
            } else {
                theme.dim
            },
        );
        let name = CellText::from(row.name.as_str());
        let mut cells = vec![name, digest_cell];
        if wide {
            let (size_text, created, platforms) = describe(row, view);
            cells.extend([
                CellText::from(size_text),
                CellText::from(created),
                CellText::from(platforms),
            ]);
            if scans {
                let pulled = row
                    .remote
                    .as_ref()
                    .and_then(|r| r.pulled)
                    .map(|p| view.age(p.timestamp()))
                    .unwrap_or_else(|| "never".to_string());
                cells.push(CellText::from(pulled));
            }
        }
        if scans {
            let scan = row.remote.as_ref().and_then(|r| r.scan.as_ref());
            let style = match scan.and_then(ScanSummary::worst) {
                Some(Severity::Critical | Severity::High) => theme.error,
                Some(Severity::Medium) => theme.warning,
                _ => theme.dim,
            };
            cells.push(CellText::styled(
                scan.map(scan_text).unwrap_or_default(),
                style,
            ));
        }
        cells.push(local_cell);
        RowText::new(cells)
    });
}

/// True when the rows carry push dates (Docker Hub, Harbor), so the date column says so.
fn has_push_dates(tags: &crate::model::tags::TagsState) -> bool {
    (0..tags.visible_len().min(50))
        .filter_map(|i| tags.visible_row(i))
        .any(|r| r.remote.as_ref().is_some_and(|t| t.pushed.is_some()))
}

/// The first `lines` lines of the area, and the rest.
fn split_top(area: Rect, lines: u16) -> (Rect, Rect) {
    let lines = lines.min(area.height);
    let top = Rect {
        height: lines,
        ..area
    };
    let rest = Rect {
        y: area.y + lines,
        height: area.height - lines,
        ..area
    };
    (top, rest)
}

/// The area less its last `lines` lines, and those lines.
fn split_bottom(area: Rect, lines: u16) -> (Rect, Rect) {
    let lines = lines.min(area.height);
    let list = Rect {
        height: area.height - lines,
        ..area
    };
    let bottom = Rect {
        y: area.y + area.height - lines,
        height: lines,
        ..area
    };
    (list, bottom)
}

/// A scan summary in a cell: `2 High, 10 Low`, `none found`, `not scanned`, `scanning 40%`.
pub fn scan_text(scan: &ScanSummary) -> String {
    match &scan.state {
        ScanState::NotScanned => "not scanned".to_string(),
        ScanState::Scanning { percent: Some(p) } => format!("scanning {p}%"),
        ScanState::Scanning { percent: None } => "scanning".to_string(),
        ScanState::Failed { status } => format!("scan {}", status.to_lowercase()),
        ScanState::Done if scan.counts.is_empty() && scan.total == 0 => "none found".to_string(),
        ScanState::Done if scan.counts.is_empty() => format!("{} found", scan.total),
        ScanState::Done => {
            let counts: Vec<String> = scan
                .counts
                .iter()
                .map(|(severity, n)| format!("{n} {}", severity.name()))
                .collect();
            counts.join(", ")
        }
    }
}

/// Size, age and platforms of a tag: from the registry's API, or once its detail is here.
fn describe(row: &TagRow, view: &View) -> (String, String, String) {
    if let Some(remote) = &row.remote {
        return (
            remote.size.map(size).unwrap_or_default(),
            remote
                .date()
                .map(|d| view.age(d.timestamp()))
                .unwrap_or_default(),
            remote_platforms_compact(&remote.platforms),
        );
    }
    match &row.detail {
        Some(detail) => (
            size(detail.compressed_size),
            detail
                .created
                .map(|c| view.age(c.timestamp()))
                .unwrap_or_default(),
            platforms_compact(detail),
        ),
        None => (String::new(), String::new(), String::new()),
    }
}

/// `linux/amd64, linux/arm64/v8`
pub fn platforms(detail: &TagDetail) -> String {
    let names: Vec<String> = detail
        .platforms
        .iter()
        .map(|p| p.platform.to_string())
        .collect();
    names.join(", ")
}

/// For the table: `linux: amd64, arm64/v8` when several platforms are all Linux (the
/// common case), so a multi-platform tag fits its column.
fn platforms_compact(detail: &TagDetail) -> String {
    let all_linux = detail.platforms.iter().all(|p| p.platform.os == "linux");
    if detail.platforms.len() < 2 || !all_linux {
        return platforms(detail);
    }
    let arches: Vec<String> = detail
        .platforms
        .iter()
        .map(|p| match &p.platform.variant {
            Some(variant) => format!("{}/{variant}", p.platform.architecture),
            None => p.platform.architecture.clone(),
        })
        .collect();
    format!("linux: {}", arches.join(", "))
}

/// [`platforms_compact`] for platforms a registry's API listed.
pub fn remote_platforms_compact(platforms: &[RemotePlatform]) -> String {
    let all_linux = platforms.iter().all(|p| p.platform.os == "linux");
    let names: Vec<String> = platforms
        .iter()
        .map(|p| {
            if all_linux && platforms.len() > 1 {
                match &p.platform.variant {
                    Some(variant) => format!("{}/{variant}", p.platform.architecture),
                    None => p.platform.architecture.clone(),
                }
            } else {
                p.platform.to_string()
            }
        })
        .collect();
    if all_linux && platforms.len() > 1 {
        format!("linux: {}", names.join(", "))
    } else {
        names.join(", ")
    }
}

fn draw_catalog(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    catalog: &CatalogState,
    view: &View,
    focused: bool,
) {
    let theme = view.theme;
    let (name, subject, noun) = match &catalog.source {
        CatalogSource::Distribution => ("Catalog", catalog.registry.clone(), "repository"),
        CatalogSource::Offered { .. } => ("Catalog", catalog.registry.clone(), "known repository"),
        CatalogSource::HarborProjects(_) => ("Projects", catalog.registry.clone(), "project"),
        CatalogSource::HarborRepositories { project, .. } => (
            "Repositories",
            format!("{}/{project}", catalog.registry),
            "repository",
        ),
        CatalogSource::HubNamespace { namespace, .. } => (
            "Repositories",
            format!("docker.io/{namespace}"),
            "repository",
        ),
        CatalogSource::HubSearch { term, .. } => {
            ("Search", format!("Docker Hub \"{term}\""), "result")
        }
    };
    let mut details = vec![subject];
    // No count while there is none to tell (loading, or refused).
    if !catalog.is_empty() || (!catalog.loading && catalog.error.is_none()) {
        let total = count(catalog.len(), noun);
        details.push(if catalog.view.len() == catalog.len() {
            format!("· {total}")
        } else {
            format!("· {} of {total}", catalog.view.len())
        });
    }
    if catalog.next.is_some() || catalog.page.is_some() {
        details.push("· more as you scroll".to_string());
    }
    details.push("· Enter opens · Esc closes".to_string());
    let block = pane_block(title(name, &details, area.width, theme), focused, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if let Some(error) = &catalog.error {
        notice(frame, inner, &remote_error_text(state, error), theme.error);
        return;
    }
    // A registry without a catalog: say so above what is offered instead.
    let inner = match &catalog.source {
        CatalogSource::Offered {
            reason, refused, ..
        } => {
            let mut text = reason.clone();
            for name in refused {
                text.push_str(&format!(
                    "\nIn the config but not a repository name: {} ({})",
                    name.name, name.reason
                ));
            }
            let lines = crate::text::wrap(&text, inner.width.saturating_sub(2) as usize)
                .len()
                .clamp(1, 6) as u16
                + refused.len().min(3) as u16;
            // The offered repositories keep at least half of the pane.
            let lines = (lines + 1).min(inner.height / 2);
            let (message, rest) = split_top(inner, lines);
            notice(frame, message, &text, theme.warning);
            rest
        }
        _ if !catalog.refused.is_empty() => {
            let text = refused_text(&catalog.refused);
            // The rows keep at least two thirds of the pane.
            let lines = crate::text::wrap(&text, inner.width.saturating_sub(2) as usize).len();
            let lines = (lines as u16).min(inner.height / 3);
            let (message, rest) = split_top(inner, lines);
            notice(frame, message, &text, theme.warning);
            rest
        }
        _ => inner,
    };
    let typing = focused && state.keys_reach_panes();
    let inner = filter_line(frame, inner, &catalog.filter, typing, theme);
    if catalog.view.is_empty() && !catalog.is_empty() {
        let more = if catalog.loading {
            "; looking further…"
        } else {
            " — Esc clears the filter"
        };
        let text = format!(
            "No repository matches \"{}\"{more}",
            clean(catalog.filter.editor.text())
        );
        notice(frame, inner, &text, theme.dim);
        return;
    }
    if catalog.is_empty() {
        let text = match (&catalog.source, catalog.loading) {
            (CatalogSource::HubSearch { term, .. }, true) => {
                format!("Searching Docker Hub for \"{term}\"…")
            }
            (CatalogSource::HubSearch { term, .. }, false) => {
                format!("Docker Hub has nothing for \"{term}\"")
            }
            (CatalogSource::Offered { .. }, _) => format!(
                "No repository of {} is configured or was opened before: open one by name",
                catalog.registry
            ),
            (_, true) => format!("Loading the repositories of {}…", catalog.registry),
            (_, false) => format!("{} lists no repositories", catalog.registry),
        };
        notice(frame, inner, &text, theme.dim);
        return;
    }
    super::catalog_rows::render(frame, inner, catalog, view, focused);
}

/// A registry failure; a refusal names the login key from the live keymap.
fn remote_error_text(state: &State, error: &RemoteError) -> String {
    let Some(host) = &error.login_host else {
        return error.message.clone();
    };
    match state
        .keymap
        .hint(state.scope(), crate::action::Action::Login)
    {
        Some(key) => format!("unauthorized — press {key} to log in to {host}"),
        None => format!("unauthorized — log in to {host} with :login {host}"),
    }
}

/// Names the registry listed that are not repository names, with why (the first three).
fn refused_text(refused: &[RefusedName]) -> String {
    let mut text = format!(
        "{} listed name{} cannot be opened (not a repository name):",
        refused.len(),
        if refused.len() == 1 { "" } else { "s" }
    );
    for name in refused.iter().take(3) {
        text.push_str(&format!(
            "\n{} — {}",
            clean(&name.name),
            clean(&name.reason)
        ));
    }
    if refused.len() > 3 {
        text.push_str(&format!("\nand {} more", refused.len() - 3));
    }
    text
}
