//! Small drawing helpers shared by panes and popups.

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
/// of a frame does not grow with the list.
pub struct LazyTable<'a> {
    pub header: Vec<&'a str>,
    pub widths: Vec<Constraint>,
    pub len: usize,
    pub cursor: &'a ListCursor,
    pub focused: bool,
}

impl LazyTable<'_> {
    /// Draws the table; `row(i, widths)` builds the `i`-th row given each column's width in
    /// cells, so text can be cut with an ellipsis exactly where the column ends.
    pub fn render<'r>(
        self,
        frame: &mut Frame,
        area: Rect,
        theme: &Theme,
        row: impl Fn(usize, &[u16]) -> Row<'r>,
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
        let columns: Vec<u16> = Layout::horizontal(self.widths.clone())
            .flex(Flex::Start)
            .spacing(1)
            .split(Rect::new(0, 0, area.width, 1))
            .iter()
            .map(|r| r.width)
            .collect();
        let rows: Vec<Row> = window.clone().map(|i| row(i, &columns)).collect();
        let selected = self.cursor.selected();
        let mut state = TableState::default()
            .with_selected(window.contains(&selected).then(|| selected - window.start));
        let highlight = if self.focused {
            theme.selection
        } else {
            theme.selection_unfocused
        };
        let header = Row::new(self.header.into_iter().map(Cell::from)).style(theme.header);
        let table = Table::new(rows, self.widths)
            .header(header)
            .flex(Flex::Start)
            .column_spacing(1)
            .row_highlight_style(highlight);
        frame.render_stateful_widget(table, area, &mut state);
    }
}

/// A cell holding outside text, cleaned and cut to `width` with an ellipsis.
pub fn text_cell<'a>(text: &str, width: u16) -> Cell<'a> {
    Cell::from(truncate(&clean(text), width as usize).into_owned())
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
