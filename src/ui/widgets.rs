//! Small drawing helpers shared by panes and popups.

mod columns;

use std::borrow::Cow;

use ratatui::Frame;
use ratatui::layout::{Constraint, Flex, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Block, BorderType, Borders, Cell, Clear, Paragraph, Row, Table, TableState,
};
use unicode_width::UnicodeWidthStr;

use crate::model::drawn::Area;
use crate::model::filter::Filter;
use crate::model::line_editor::LineEditor;
use crate::model::list::ListCursor;

use super::text::{clean, truncate};
use super::theme::Theme;

pub use columns::{CellText, Column, Fit, RowText, fit_widths};

/// The bordered frame of a pane; the focused one stands out.
pub fn pane_block<'a>(title: Line<'a>, focused: bool, theme: &Theme) -> Block<'a> {
    Block::new()
        .borders(Borders::ALL)
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(if focused {
            theme.border_focused
        } else {
            theme.border
        })
        .title(title)
}

/// A title made of a bold name and dim details, each cleaned of control characters.
/// The title fits in `width` (the pane's width, less its corners); what does not fit ends
/// in an ellipsis.
pub fn title<'a>(name: &str, details: &[String], width: u16, theme: &Theme) -> Line<'a> {
    let mut room = width.saturating_sub(2) as usize;
    let mut spans = Vec::new();
    let parts = std::iter::once((format!(" {} ", clean(name)), theme.title)).chain(
        details
            .iter()
            .filter(|d| !d.is_empty())
            .map(|d| (format!("{} ", clean(d)), theme.dim)),
    );
    for (text, style) in parts {
        if room == 0 {
            break;
        }
        let fitted = truncate(&text, room).into_owned();
        room = room.saturating_sub(fitted.width());
        spans.push(Span::styled(fitted, style));
    }
    Line::from(spans)
}

/// A centred message inside an area (an empty list, an error, a loading notice). Newlines
/// in `text` separate paragraphs.
pub fn notice(frame: &mut Frame, area: Rect, text: &str, style: Style) {
    let lines = super::text::wrap(
        &super::text::clean_multiline(text),
        area.width.saturating_sub(2) as usize,
    );
    let height = (lines.len() as u16).min(area.height);
    let top = area.y + area.height.saturating_sub(height) / 2;
    let body: Vec<Line> = lines.into_iter().map(Line::from).collect();
    frame.render_widget(
        Paragraph::new(body)
            .style(style)
            .alignment(ratatui::layout::Alignment::Center),
        Rect::new(area.x, top, area.width, height),
    );
}

/// Draws a list of rows as a table, building cells only for the rows on screen, so the cost
/// of a frame does not grow with the list. The columns take the width their content on
/// screen needs (see [`fit_widths`]): a column may widen or narrow as the list scrolls.
pub struct LazyTable<'a> {
    pub columns: Vec<Column<'a>>,
    pub len: usize,
    pub cursor: &'a ListCursor,
    pub focused: bool,
}

impl LazyTable<'_> {
    /// Draws the table; `row(i)` gives the `i`-th row's text, one cell per column. The text
    /// is cleaned of control characters, measured in terminal cells and cut where its
    /// column ends, at the end the column keeps.
    pub fn render<'r>(
        self,
        frame: &mut Frame,
        area: Rect,
        theme: &Theme,
        row: impl Fn(usize) -> RowText<'r>,
    ) {
        let body_height = area.height.saturating_sub(1) as usize;
        let window = self.cursor.visible(self.len, body_height);
        // The rows sit under the header line; clicks find them there.
        self.cursor.drawn_at(Area {
            x: area.x,
            y: area.y.saturating_add(1),
            width: area.width,
            height: area.height.saturating_sub(1),
        });
        let rows: Vec<RowText> = window.clone().map(|i| cleaned(row(i))).collect();
        let widths = self.widths(&rows, area.width);
        let visible: Vec<usize> = (0..self.columns.len()).filter(|&c| widths[c] > 0).collect();

        let header = Row::new(visible.iter().map(|&c| {
            let column = &self.columns[c];
            // A header reads from its start, whichever end the column's text keeps.
            let header = truncate(column.header, usize::from(widths[c]));
            Cell::from(Line::from(header).alignment(column.alignment))
        }))
        .style(theme.header);
        let body: Vec<Row> = rows
            .iter()
            .map(|text| {
                let cells = visible.iter().map(|&c| {
                    let column = &self.columns[c];
                    let Some(cell) = text.cells.get(c) else {
                        return Cell::default();
                    };
                    let cut = column.cut(&cell.text, widths[c]);
                    Cell::from(Line::from(cut).alignment(column.alignment)).style(cell.style)
                });
                Row::new(cells.collect::<Vec<_>>()).style(text.style)
            })
            .collect();

        let selected = self.cursor.selected();
        let mut state = TableState::default()
            .with_selected(window.contains(&selected).then(|| selected - window.start));
        let highlight = if self.focused {
            theme.selection
        } else {
            theme.selection_unfocused
        };
        let constraints = visible.iter().map(|&c| Constraint::Length(widths[c]));
        let table = Table::new(body, constraints)
            .header(header)
            .flex(Flex::Start)
            .column_spacing(1)
            .row_highlight_style(highlight);
        frame.render_stateful_widget(table, area, &mut state);
    }

    /// Each column's width in `room` cells, from the widest of its header and its cells.
    fn widths(&self, rows: &[RowText], room: u16) -> Vec<u16> {
        let needs: Vec<u16> = self
            .columns
            .iter()
            .enumerate()
            .map(|(c, column)| {
                rows.iter()
                    .filter_map(|row| row.cells.get(c))
                    .map(|cell| cell.text.width())
                    .fold(column.header.width(), usize::max)
                    .min(usize::from(u16::MAX)) as u16
            })
            .collect();
        let fits: Vec<Fit> = self.columns.iter().map(|c| c.fit).collect();
        fit_widths(&fits, &needs, room)
    }
}

/// The row with its cells cleaned of control characters, before they are measured.
fn cleaned(mut row: RowText<'_>) -> RowText<'_> {
    for cell in &mut row.cells {
        if let Cow::Owned(text) = clean(&cell.text) {
            cell.text = Cow::Owned(text);
        }
    }
    row
}

/// A list's filter under it while one is set: `/text`, with the cursor while `typing` (the
/// keys go to it). Returns the area left for the list.
pub fn filter_line(
    frame: &mut Frame,
    area: Rect,
    filter: &Filter,
    typing: bool,
    theme: &Theme,
) -> Rect {
    if !filter.is_active() {
        return area;
    }
    let [list, line] = Layout::vertical([Constraint::Min(0), Constraint::Length(1)]).areas(area);
    if typing && filter.editing {
        input_line(frame, line, "/", &filter.editor, theme);
    } else {
        let text = format!("/{}", clean(filter.editor.text()));
        frame.render_widget(Line::styled(text, theme.dim), line);
    }
    list
}

/// One-line input: a prompt, the editor's text scrolled so the cursor stays visible, and the
/// terminal cursor placed on it. Masked editors show bullets.
pub fn input_line(frame: &mut Frame, area: Rect, prompt: &str, editor: &LineEditor, theme: &Theme) {
    if area.width == 0 || area.height == 0 {
        return;
    }
    let shown: String = if editor.is_masked() {
        "•".repeat(editor.text().chars().count())
    } else {
        editor.text().to_string()
    };
    let prompt_width = prompt.width() as u16;
    let room = area.width.saturating_sub(prompt_width + 1).max(1) as usize;
    let chars: Vec<char> = shown.chars().collect();
    let cursor = editor.cursor().min(chars.len());
    // Scroll so that the cursor is visible, measuring in cells.
    let mut start = 0;
    while start < cursor && chars[start..cursor].iter().collect::<String>().width() >= room {
        start += 1;
    }
    let visible: String = chars[start..].iter().collect();
    let visible = truncate(&visible, room + 1).into_owned();
    let line = Line::from(vec![
        Span::styled(prompt.to_string(), theme.key),
        Span::raw(visible),
    ]);
    frame.render_widget(Paragraph::new(line), area);
    let cursor_x = chars[start..cursor].iter().collect::<String>().width() as u16;
    frame.set_cursor_position((
        (area.x + prompt_width + cursor_x).min(area.right().saturating_sub(1)),
        area.y,
    ));
}

/// A rectangle of at most `width`×`height` centred in `area`.
pub fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let w = width.min(area.width);
    let h = height.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// Clears an area and draws a bordered popup frame in it; returns the inner area.
pub fn popup_frame(
    frame: &mut Frame,
    area: Rect,
    title: &str,
    style: Style,
    theme: &Theme,
) -> Rect {
    frame.render_widget(Clear, area);
    let block = Block::new()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(style)
        .title(Span::styled(format!(" {} ", clean(title)), theme.title));
    let inner = block.inner(area);
    frame.render_widget(block, area);
    inner
}

#[cfg(test)]
mod tests {
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;

    /// The table's lines, drawn `width` cells wide with every row on screen.
    fn draw_table(columns: Vec<Column<'_>>, rows: &[[&str; 3]], width: u16) -> Vec<String> {
        let cursor = ListCursor::default();
        let theme = Theme::default_colours();
        let height = rows.len() as u16 + 1;
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
        terminal
            .draw(|frame| {
                LazyTable {
                    columns,
                    len: rows.len(),
                    cursor: &cursor,
                    focused: false,
                }
                .render(frame, frame.area(), &theme, |i| RowText::new(rows[i]));
            })
            .expect("draw");
        let buffer = terminal.backend().buffer();
        (0..height)
            .map(|y| {
                let mut line = String::new();
                let mut x = 0;
                while x < width {
                    let symbol = buffer[(x, y)].symbol();
                    line.push_str(symbol);
                    // A wide character's second cell holds nothing of its own.
                    x += symbol.width().max(1) as u16;
                }
                line
            })
            .collect()
    }

    fn containers() -> Vec<Column<'static>> {
        vec![
            Column::name("NAME", 6),
            Column::whole("AGE"),
            Column::whole("SIZE").right(),
        ]
    }

    #[test]
    fn columns_fit_their_content_and_names_keep_their_end() {
        let rows = [
            ["shop-project-frontend-1", "3m", "12 MB"],
            ["shop-project-worker-1", "1h", "7 MB"],
        ];
        // Room for everything: whole names, the spare cells in the name column.
        assert_eq!(
            draw_table(containers(), &rows, 40),
            [
                "NAME                           AGE  SIZE",
                "shop-project-frontend-1        3m  12 MB",
                "shop-project-worker-1          1h   7 MB",
            ]
        );
        // Short of room: the name gives way, keeping its end; AGE and SIZE stay whole.
        assert_eq!(
            draw_table(containers(), &rows, 24),
            [
                "NAME           AGE  SIZE",
                "…ct-frontend-1 3m  12 MB",
                "…ject-worker-1 1h   7 MB",
            ]
        );
    }

    #[test]
    fn widths_are_measured_in_cells_after_cleaning() {
        // 日本語 takes six cells; the escape sequence takes none once cleaned away.
        let rows = [
            ["日本語-web-1", "3m", "1 MB"],
            ["evil\u{1b}]0;pwn\u{7}-box", "1h", "2 MB"],
        ];
        assert_eq!(
            draw_table(containers(), &rows, 21),
            [
                "NAME         AGE SIZE",
                "日本語-web-1 3m  1 MB",
                "evil-box     1h  2 MB",
            ]
        );
        // Cut keeping the end, by cells: a wide character that does not fit leaves its
        // cell blank rather than overflowing into the next column.
        assert_eq!(
            draw_table(containers(), &rows, 17),
            [
                "NAME     AGE SIZE",
                "…-web-1  3m  1 MB",
                "evil-box 1h  2 MB",
            ]
        );
    }
}
