//! Drawing a `State` with wharf's renderer into a ratatui `TestBackend` (at a fixed clock by
//! default), reading the buffer back as text, and finding panes and words on it: what the
//! render snapshots and the cell-style checks share.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;

use wharf::state::State;
use wharf::ui::theme::Theme;
use wharf::ui::{self, View};

use super::action_fixtures::NOW;

/// The two sizes every snapshot pair is taken at, by the name that ends the snapshot's name.
pub const SIZES: [(&str, u16, u16); 2] = [("wide", 160, 45), ("narrow", 80, 24)];

/// One frame of `state` as `view` shows it, on a `width`×`height` test terminal.
pub fn draw(state: &State, view: &View, width: u16, height: u16) -> Terminal<TestBackend> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| ui::draw(frame, state, view))
        .expect("draw");
    terminal
}

/// One frame in `theme` at the fixed [`NOW`].
pub fn render_with(state: &State, theme: &Theme, width: u16, height: u16) -> Terminal<TestBackend> {
    draw(state, &View::new(theme, NOW), width, height)
}

/// One frame in the default colours at the fixed [`NOW`].
pub fn render(state: &State, width: u16, height: u16) -> Terminal<TestBackend> {
    render_with(state, &Theme::default_colours(), width, height)
}

/// The buffer's rows as text.
pub fn screen_lines(buffer: &Buffer) -> Vec<String> {
    (0..buffer.area.height)
        .map(|y| {
            (0..buffer.area.width)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

/// The buffer as text, rows joined with newlines.
pub fn screen(buffer: &Buffer) -> String {
    screen_lines(buffer).join("\n")
}

/// Snapshots a state at both [`SIZES`] as `NAME_wide` and `NAME_narrow`; the screens' text,
/// wide first, for further checks. A macro, so that insta names and files the snapshots
/// after the test file that calls it.
#[allow(unused_macros)] // as dead_code for the functions: not every test binary snapshots
macro_rules! snap_both {
    ($state:expr, $name:expr) => {{
        let state: &wharf::state::State = $state;
        let name: &str = $name;
        $crate::support::render::SIZES
            .iter()
            .map(|(size, width, height)| {
                let terminal = $crate::support::render::render(state, *width, *height);
                insta::assert_snapshot!(format!("{name}_{size}"), terminal.backend());
                $crate::support::render::screen(terminal.backend().buffer())
            })
            .collect::<Vec<String>>()
    }};
}
#[allow(unused_imports)]
pub(crate) use snap_both;

/// Text from outside (names, commands, errors) must never bring control characters, or an
/// OSC payload, to the terminal.
pub fn assert_no_escapes(buffer: &Buffer) {
    for y in 0..buffer.area.height {
        for x in 0..buffer.area.width {
            let symbol = buffer[(x, y)].symbol();
            assert!(
                !symbol.chars().any(|c| c.is_control()),
                "control character {symbol:?} drawn at {x},{y}"
            );
        }
    }
    let text = screen(buffer);
    assert!(!text.contains("pwn"), "an OSC payload was drawn:\n{text}");
}

const TOP_LEFT: [&str; 2] = ["┌", "┏"];
const TOP_RIGHT: [&str; 2] = ["┐", "┓"];
const BOTTOM_LEFT: [&str; 2] = ["└", "┗"];

/// The rectangle (x, y, width, height) of the pane whose border title starts with `title`.
pub fn pane_rect(buffer: &Buffer, title: &str) -> (u16, u16, u16, u16) {
    let area = buffer.area;
    for y in 0..area.height {
        for x in 0..area.width {
            if !TOP_LEFT.contains(&buffer[(x, y)].symbol()) {
                continue;
            }
            let after: String = (x + 1..area.width.min(x + 2 + title.chars().count() as u16))
                .map(|x| buffer[(x, y)].symbol())
                .collect();
            if after != format!(" {title}") {
                continue;
            }
            let right = (x + 1..area.width)
                .find(|&r| TOP_RIGHT.contains(&buffer[(r, y)].symbol()))
                .expect("top-right corner");
            let bottom = (y + 1..area.height)
                .find(|&b| BOTTOM_LEFT.contains(&buffer[(x, b)].symbol()))
                .expect("bottom-left corner");
            return (x, y, right - x + 1, bottom - y + 1);
        }
    }
    panic!("no pane titled {title:?} on screen:\n{}", screen(buffer));
}

/// The text of one pane, border included.
pub fn pane_text(buffer: &Buffer, title: &str) -> String {
    let (x0, y0, w, h) = pane_rect(buffer, title);
    (y0..y0 + h)
        .map(|y| {
            (x0..x0 + w)
                .map(|x| buffer[(x, y)].symbol())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first screen row whose text contains `needle`.
pub fn row_of(buffer: &Buffer, needle: &str) -> u16 {
    screen_lines(buffer)
        .iter()
        .position(|line| line.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} is not on screen")) as u16
}

/// The first (x, y) where `needle` starts on screen.
pub fn position_of(buffer: &Buffer, needle: &str) -> (u16, u16) {
    for (y, line) in screen_lines(buffer).iter().enumerate() {
        // Columns are cells; every cell here is one char wide.
        let chars: Vec<char> = line.chars().collect();
        let wanted: Vec<char> = needle.chars().collect();
        if let Some(x) = chars.windows(wanted.len()).position(|w| w == wanted) {
            return (x as u16, y as u16);
        }
    }
    panic!("{needle:?} is not on screen");
}

/// The first (x, y) where `needle` starts inside the pane titled `title` (its border
/// excluded), so a name that is also in another pane's title is found where it is a row.
pub fn position_in_pane(buffer: &Buffer, title: &str, needle: &str) -> (u16, u16) {
    let (x0, y0, w, h) = pane_rect(buffer, title);
    let wanted: Vec<char> = needle.chars().collect();
    for y in y0 + 1..y0 + h - 1 {
        let chars: Vec<char> = (x0 + 1..x0 + w - 1)
            .flat_map(|x| buffer[(x, y)].symbol().chars().collect::<Vec<_>>())
            .collect();
        if let Some(x) = chars.windows(wanted.len()).position(|w| w == wanted) {
            return (x0 + 1 + x as u16, y);
        }
    }
    panic!(
        "{needle:?} is not in the {title} pane:\n{}",
        pane_text(buffer, title)
    );
}
