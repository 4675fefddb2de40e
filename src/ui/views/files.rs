//! The files view: the image's layers (and its waste numbers) on the left, the selected
//! layer's tree on the right, a line saying how far the stream is at the bottom. Narrow
//! terminals get the layers above the tree and a one-line waste summary.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use crate::action::Action;
use crate::config::keymap::{Keymap, Scope};
use crate::layerfs::view::TreeMode;
use crate::layerfs::{Change, EntryKind};
use crate::model::files::{FilesSide, FilesView, TreeLine, TreeSort};
use crate::model::layers::display_command;
use crate::text::format::size;
use crate::text::{clean, truncate};
use crate::ui::View;
use crate::ui::theme::Theme;
use crate::ui::widgets::{CellText, Column, LazyTable, RowText, filter_line, notice, pane_block};

/// From this width the layers sit beside the tree.
const SIDE_BY_SIDE: u16 = 100;
/// Wasted paths listed in the waste panel.
const TOP_WASTED: usize = 5;

/// The keys the status line names, as the keymap binds them (a user may rebind them).
pub struct FilesKeys {
    pub stop: String,
    pub hints: String,
    /// The key that saves a file's content shown.
    pub save: String,
}

impl FilesKeys {
    pub fn from_keymap(keymap: &Keymap) -> Self {
        let key = |action| keymap.hint(Scope::Files, action);
        let hints = [
            (Action::ToggleChanges, "changes/whole"),
            (Action::OnlyChanges, "only changes"),
            (Action::Sort, "sort"),
            (Action::Open, "open"),
            (Action::SaveFile, "save"),
            (Action::CollapseAll, "collapse all"),
            (Action::SwitchSide, "layers/tree"),
            (Action::NextLayer, "next layer"),
        ]
        .into_iter()
        .filter_map(|(action, what)| key(action).map(|k| format!("{k} {what}")))
        .collect::<Vec<_>>()
        .join(" · ");
        FilesKeys {
            stop: key(Action::CancelLoad).map_or_else(String::new, |k| format!(" · {k} stops")),
            hints,
            save: key(Action::SaveFile).unwrap_or_default(),
        }
    }
}

/// `typing`: keys reach the view, so an open filter shows its cursor.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    files: &FilesView,
    keys: &FilesKeys,
    typing: bool,
    view: &View,
) {
    let theme = view.theme;
    frame.render_widget(Clear, area);
    let mode = match (files.mode, files.only_changes) {
        (TreeMode::Changes, _) => "this layer's changes",
        (TreeMode::Whole, false) => "whole filesystem",
        (TreeMode::Whole, true) => "whole filesystem, changes only",
    };
    let sort = match files.sort {
        TreeSort::Name => "by name",
        TreeSort::Size => "by size",
    };
    let layer = match files.layer_total() {
        0 => String::new(),
        total => format!("· layer {} of {total} ", files.layers.selected() + 1),
    };
    let title = Line::from(vec![
        Span::styled(format!(" Files of {} ", clean(&files.name)), theme.title),
        Span::styled(format!("{layer}· {mode} · {sort} · Esc closes "), theme.dim),
    ]);
    let block = pane_block(title, true, theme);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height < 3 || inner.width < 10 {
        return;
    }
    let [main, status] = Layout::vertical([Constraint::Min(1), Constraint::Length(1)]).areas(inner);
    if let Some(content) = &files.content {
        // A file's content, over the layers and the tree until Esc.
        super::file_content::draw(frame, main, status, content, &keys.save, theme);
        return;
    }
    draw_status(frame, status, files, keys, theme);

    if inner.width >= SIDE_BY_SIDE {
        let [left, tree] =
            Layout::horizontal([Constraint::Percentage(40), Constraint::Percentage(60)])
                .areas(main);
        let waste_height = if files.waste.is_some() {
            (TOP_WASTED as u16 + 4).min(left.height / 2)
        } else {
            0
        };
        let [layers, waste] =
            Layout::vertical([Constraint::Min(2), Constraint::Length(waste_height)]).areas(left);
        draw_layers(frame, layers, files, theme);
        draw_waste(frame, waste, files, theme);
        draw_tree(frame, tree, files, typing, theme);
    } else {
        let layers_height = (files.layer_total() as u16 + 1).clamp(2, (main.height / 3).max(2));
        let waste_height = u16::from(files.waste.is_some() && main.height > 8);
        let [layers, waste, tree] = Layout::vertical([
            Constraint::Length(layers_height),
            Constraint::Length(waste_height),
            Constraint::Min(1),
        ])
        .areas(main);
        draw_layers(frame, layers, files, theme);
        draw_waste(frame, waste, files, theme);
        draw_tree(frame, tree, files, typing, theme);
    }
}

fn draw_layers(frame: &mut Frame, area: Rect, files: &FilesView, theme: &Theme) {
    if area.height == 0 {
        return;
    }
    let stacked = files.layers_stacked();
    LazyTable {
        columns: vec![
            Column::whole(""),
            Column::whole("#").right(),
            Column::whole("SIZE").right(),
            Column::text("LAYER COMMAND", 8),
        ],
        len: files.layer_total(),
        cursor: &files.layers,
        focused: files.side == FilesSide::Layers,
    }
    .render(frame, area, theme, |i| {
        let command = display_command(files.layer_command(i));
        let command = if command.is_empty() {
            "(no command recorded)".to_string()
        } else {
            command
        };
        // Marked as well as highlighted: the tree beside it is this layer's.
        let marker = if i == files.layers.selected() {
            "▶"
        } else {
            " "
        };
        let row = RowText::new([
            CellText::from(marker),
            CellText::from((i + 1).to_string()),
            CellText::from(files.layer_size(i).map_or_else(|| "…".to_string(), size)),
            CellText::from(command),
        ]);
        if i < stacked {
            row
        } else {
            row.style(theme.dim)
        }
    });
}

fn draw_waste(frame: &mut Frame, area: Rect, files: &FilesView, theme: &Theme) {
    let Some(waste) = &files.waste else {
        return;
    };
    if area.height == 0 {
        return;
    }
    let width = usize::from(area.width);
    let summary = format!(
        "Image {} · wasted {} · efficiency {:.2} %",
        size(waste.size_bytes),
        size(waste.wasted_bytes),
        waste.efficiency * 100.0
    );
    let mut lines = vec![Line::styled(
        truncate(&summary, width).into_owned(),
        theme.header,
    )];
    if area.height > 1 {
        if waste.inefficient.is_empty() {
            lines.push(Line::styled("No path is written twice", theme.dim));
        } else {
            lines.push(Line::styled(
                truncate("WASTED  COUNT  LAYERS  PATH", width).into_owned(),
                theme.dim,
            ));
        }
        for wasted in waste.inefficient.iter().take(TOP_WASTED) {
            let layers: Vec<String> = wasted
                .layers
                .iter()
                .map(|l| (usize::from(*l) + 1).to_string())
                .collect();
            let text = format!(
                "{:>7} {:>6}  {:<7} {}",
                size(wasted.wasted),
                wasted.count,
                layers.join(","),
                clean(&files.fs().display_path(wasted.path))
            );
            lines.push(Line::raw(truncate(&text, width).into_owned()));
        }
    }
    frame.render_widget(Paragraph::new(lines), area);
}

fn draw_tree(frame: &mut Frame, area: Rect, files: &FilesView, typing: bool, theme: &Theme) {
    let list_area = filter_line(frame, area, &files.filter, typing, theme);
    if let Some(error) = &files.error
        && files.layers_stacked() == 0
    {
        notice(frame, list_area, error, theme.error);
        return;
    }
    if files.selected_layer().is_none() {
        let text = if files.awaiting_engine {
            "Waiting for the engine…"
        } else if files.loading {
            "Reading the layers…"
        } else {
            "This layer was not read"
        };
        notice(frame, list_area, text, theme.dim);
        return;
    }
    if files.row_count() == 0 {
        let text = if !files.filter.terms().is_empty() {
            "No path matches the filter — Esc clears it"
        } else if files.mode == TreeMode::Changes || files.only_changes {
            "This layer changes no file (metadata only)"
        } else {
            "The filesystem is empty at this layer"
        };
        notice(frame, list_area, text, theme.dim);
        return;
    }
    LazyTable {
        columns: vec![
            Column::whole(""),
            Column::secondary("MODE", 10),
            Column::secondary("UID:GID", 7),
            Column::whole("SIZE").right(),
            Column::text("PATH", 8),
        ],
        len: files.row_count(),
        cursor: &files.tree,
        focused: files.side == FilesSide::Tree,
    }
    .render(frame, list_area, theme, |i| match files.line(i) {
        Some(line) => tree_row(&line, theme),
        None => RowText::default(),
    });
}

fn tree_row<'a>(line: &TreeLine<'_>, theme: &Theme) -> RowText<'a> {
    let (mark, style) = match line.change {
        Some(Change::Added) => ("A", theme.added),
        Some(Change::Modified) => ("C", theme.changed),
        Some(Change::Deleted) => ("D", theme.deleted),
        None => (" ", Style::default()),
    };
    let entry = &line.entry;
    let marker = match (line.row.expandable, line.row.expanded) {
        (false, _) => "  ",
        (true, true) => "▾ ",
        (true, false) => "▸ ",
    };
    let mut name = format!(
        "{}{marker}{}",
        "  ".repeat(usize::from(line.row.depth)),
        line.name
    );
    let target = String::from_utf8_lossy(entry.link);
    match entry.kind {
        EntryKind::Dir => name.push('/'),
        EntryKind::Symlink => name.push_str(&format!(" → {target}")),
        EntryKind::HardLink => name.push_str(&format!(" ⇒ /{}", target.trim_start_matches('/'))),
        EntryKind::File | EntryKind::Other => {}
    }
    RowText::new([
        CellText::styled(mark, style),
        CellText::from(mode_text(entry.kind, entry.mode)),
        CellText::from(format!("{}:{}", entry.uid, entry.gid)),
        CellText::from(size(entry.size)),
        CellText::styled(name, style),
    ])
}

/// `drwxr-xr-x`, with setuid, setgid and sticky bits as `ls -l` shows them.
pub fn mode_text(kind: EntryKind, mode: u32) -> String {
    let mut out = String::with_capacity(10);
    out.push(kind.letter());
    let special = [(0o4000, 's', 'S'), (0o2000, 's', 'S'), (0o1000, 't', 'T')];
    for (i, (bit, on_x, off_x)) in special.into_iter().enumerate() {
        let shift = 6 - 3 * i;
        let bits = (mode >> shift) & 0o7;
        out.push(if bits & 4 != 0 { 'r' } else { '-' });
        out.push(if bits & 2 != 0 { 'w' } else { '-' });
        let x = bits & 1 != 0;
        out.push(match (mode & bit != 0, x) {
            (true, true) => on_x,
            (true, false) => off_x,
            (false, true) => 'x',
            (false, false) => '-',
        });
    }
    out
}

/// How far the stream is; then the keys that matter.
fn draw_status(frame: &mut Frame, area: Rect, files: &FilesView, keys: &FilesKeys, theme: &Theme) {
    let progress = files.progress();
    let total = files.layer_total();
    let (text, style) = if let Some(error) = &files.error {
        (clean(error).into_owned(), theme.error)
    } else if files.awaiting_engine {
        (
            format!("Waiting for the engine to answer{}", keys.stop),
            theme.accent,
        )
    } else if files.loading {
        let bytes = match progress.total_bytes {
            Some(all) if all > 0 => format!("{} of {}", size(progress.bytes), size(all)),
            _ => size(progress.bytes),
        };
        let layers = progress
            .layers_total
            .map_or(total, |t| t.max(total))
            .max(files.layers_stacked());
        (
            format!(
                "Reading layers: {} of {layers} · {bytes}{}",
                files.layers_stacked().max(progress.layers_done),
                keys.stop
            ),
            theme.accent,
        )
    } else {
        (
            format!(
                "{} read · {}",
                crate::text::format::count(files.layers_stacked(), "layer"),
                keys.hints
            ),
            theme.dim,
        )
    };
    let line = truncate(&text, usize::from(area.width)).into_owned();
    frame.render_widget(Line::styled(line, style), area);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_read_like_ls() {
        assert_eq!(mode_text(EntryKind::Dir, 0o755), "drwxr-xr-x");
        assert_eq!(mode_text(EntryKind::File, 0o4755), "-rwsr-xr-x");
        assert_eq!(mode_text(EntryKind::Dir, 0o1777), "drwxrwxrwt");
        assert_eq!(mode_text(EntryKind::File, 0o2644), "-rw-r-Sr--");
    }
}
