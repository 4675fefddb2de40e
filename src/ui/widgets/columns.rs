//! How the columns of a table share its width: every table declares its columns here, and
//! [`fit_widths`] gives each the width its content needs, or, when the room is short, takes
//! it from the widest flexible column first.

use std::borrow::Cow;

use ratatui::layout::Alignment;
use ratatui::style::Style;

use crate::text::{truncate, truncate_start};

/// How a column fits its content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// As wide as its widest cell, never cut: IDs, sizes, ages, one-word states.
    Whole,
    /// As wide as its widest cell while there is room. When there is not, the widest
    /// flexible column gives way first, down to `min` cells, and its text is cut at the
    /// `keep` end's opposite.
    Flexible { min: u16, keep: Keep },
    /// Detail that gives way before every flexible column (a container's ports: the name
    /// says which container, the ports are there in full in its detail), down to `min`
    /// cells, cut keeping its start.
    Secondary { min: u16 },
}

/// Which end of a cut text stays on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// `apt-get install -y ngi…`: commands, ports, messages, where the start says what it is.
    Start,
    /// `…project-web-1`: names, which in a sorted list share their prefix and differ at
    /// the end.
    End,
}

/// One column of a table: its header, how it fits and how its cells align.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column<'a> {
    pub header: &'a str,
    pub fit: Fit,
    pub alignment: Alignment,
}

impl<'a> Column<'a> {
    /// A column that is never cut (IDs, sizes, ages, short states).
    pub const fn whole(header: &'a str) -> Self {
        Self {
            header,
            fit: Fit::Whole,
            alignment: Alignment::Left,
        }
    }

    /// A name (container, image, repository, tag): flexible, cut keeping its end.
    pub const fn name(header: &'a str, min: u16) -> Self {
        Self {
            header,
            fit: Fit::Flexible {
                min,
                keep: Keep::End,
            },
            alignment: Alignment::Left,
        }
    }

    /// Free text (a command, ports, a status, a message): flexible, cut keeping its start.
    pub const fn text(header: &'a str, min: u16) -> Self {
        Self {
            header,
            fit: Fit::Flexible {
                min,
                keep: Keep::Start,
            },
            alignment: Alignment::Left,
        }
    }

    /// Detail that gives way before the names and other text when the room is short.
    pub const fn secondary(header: &'a str, min: u16) -> Self {
        Self {
            header,
            fit: Fit::Secondary { min },
            alignment: Alignment::Left,
        }
    }

    /// The same column with its header and cells aligned right (sizes, counts).
    pub const fn right(self) -> Self {
        Self {
            alignment: Alignment::Right,
            ..self
        }
    }

    /// `text` cut to `width` cells at the end this column keeps.
    pub fn cut<'t>(&self, text: &'t str, width: u16) -> Cow<'t, str> {
        match self.fit {
            Fit::Flexible {
                keep: Keep::End, ..
            } => truncate_start(text, width as usize),
            Fit::Whole | Fit::Flexible { .. } | Fit::Secondary { .. } => {
                truncate(text, width as usize)
            }
        }
    }
}

/// One cell's text and style, before its column's width is known.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CellText<'a> {
    pub text: Cow<'a, str>,
    pub style: Style,
}

impl<'a> CellText<'a> {
    pub fn styled(text: impl Into<Cow<'a, str>>, style: Style) -> Self {
        Self {
            text: text.into(),
            style,
        }
    }
}

impl<'a> From<&'a str> for CellText<'a> {
    fn from(text: &'a str) -> Self {
        Self::styled(text, Style::new())
    }
}

impl From<String> for CellText<'_> {
    fn from(text: String) -> Self {
        Self::styled(text, Style::new())
    }
}

impl<'a> From<Cow<'a, str>> for CellText<'a> {
    fn from(text: Cow<'a, str>) -> Self {
        Self::styled(text, Style::new())
    }
}

/// One row's cells, one per column, and the style of the whole row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowText<'a> {
    pub cells: Vec<CellText<'a>>,
    pub style: Style,
}

impl<'a> RowText<'a> {
    pub fn new(cells: impl IntoIterator<Item = impl Into<CellText<'a>>>) -> Self {
        Self {
            cells: cells.into_iter().map(Into::into).collect(),
            style: Style::new(),
        }
    }

    pub fn style(self, style: Style) -> Self {
        Self { style, ..self }
    }
}

/// The width of each column, in `room` cells with one cell between neighbours, for columns
/// whose content needs `needs` cells (the widest cell or header on screen).
///
/// - Every column gets its need while they all fit; what is left goes to the first
///   flexible column (the table's name column), so the others keep their place at the
///   right edge.
/// - When they do not fit, [`Fit::Secondary`] columns give way first, the rightmost first,
///   down to their minimum.
/// - Then flexible columns give way, the widest first: it shrinks until it
///   is as narrow as the next widest, then both shrink together, and so on, but none below
///   its minimum (or its need, if smaller). [`Fit::Whole`] columns keep their need.
/// - When even that does not fit, the rightmost columns are cut, then hidden (width 0,
///   with the cell between them gone too).
pub fn fit_widths(fits: &[Fit], needs: &[u16], room: u16) -> Vec<u16> {
    let count = fits.len().min(needs.len());
    if count == 0 {
        return Vec::new();
    }
    let available = room.saturating_sub(count as u16 - 1);
    // No column needs more than the whole table.
    let mut widths: Vec<u16> = needs[..count].iter().map(|&n| n.min(room)).collect();
    let total = sum(&widths);
    if total <= u32::from(available) {
        if let Some(first) = fits[..count]
            .iter()
            .position(|f| matches!(f, Fit::Flexible { .. }))
        {
            widths[first] += available - total as u16;
        }
        return widths;
    }

    let floor = |i: usize, need: u16| match fits[i] {
        Fit::Whole => need,
        Fit::Flexible { min, .. } | Fit::Secondary { min } => min.min(need),
    };
    // Secondary detail gives way first, from the right.
    let mut excess = total - u32::from(available);
    for i in (0..count).rev() {
        if excess == 0 {
            break;
        }
        if matches!(fits[i], Fit::Secondary { .. }) {
            let give = u32::from(widths[i] - floor(i, widths[i])).min(excess);
            widths[i] -= give as u16;
            excess -= give;
        }
    }
    if excess == 0 {
        return widths;
    }
    // Every column at most `level` cells wide, but not below its floor.
    let at_level = |level: u16| -> Vec<u16> {
        widths
            .iter()
            .enumerate()
            .map(|(i, &need)| match fits[i] {
                // Secondary columns already gave what they could.
                Fit::Whole | Fit::Secondary { .. } => need,
                Fit::Flexible { .. } => need.min(level).max(floor(i, need)),
            })
            .collect()
    };
    // The highest level that fits (the total grows with the level, so search for it).
    let (mut low, mut high) = (0u16, widths.iter().copied().max().unwrap_or(0));
    if sum(&at_level(low)) > u32::from(available) {
        let floors = at_level(0);
        return cut_from_the_right(floors, room);
    }
    while low < high {
        let middle = low + (high - low).div_ceil(2);
        if sum(&at_level(middle)) <= u32::from(available) {
            low = middle;
        } else {
            high = middle - 1;
        }
    }
    let mut fitted = at_level(low);
    // Less than one cell per capped column is left over: to the leftmost of them.
    let mut spare = u32::from(available) - sum(&fitted);
    for (i, width) in fitted.iter_mut().enumerate() {
        if spare == 0 {
            break;
        }
        let capped = matches!(fits[i], Fit::Flexible { .. }) && *width == low && widths[i] > low;
        if capped {
            *width += 1;
            spare -= 1;
        }
    }
    fitted
}

/// Cuts the rightmost columns until the table fits `room`; a column that would be cut to
/// nothing is hidden, and the cell before it is freed.
fn cut_from_the_right(mut widths: Vec<u16>, room: u16) -> Vec<u16> {
    for last in (0..widths.len()).rev() {
        let visible = widths[..=last].iter().filter(|&&w| w > 0).count() as u32;
        let used = sum(&widths[..=last]) + visible.saturating_sub(1);
        if used <= u32::from(room) {
            break;
        }
        let over = used - u32::from(room);
        if u32::from(widths[last]) > over {
            widths[last] -= over as u16;
            break;
        }
        widths[last] = 0;
    }
    widths
}

fn sum(widths: &[u16]) -> u32 {
    widths.iter().map(|&w| u32::from(w)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAME: Fit = Fit::Flexible {
        min: 8,
        keep: Keep::End,
    };
    const TEXT: Fit = Fit::Flexible {
        min: 5,
        keep: Keep::Start,
    };
    const WHOLE: Fit = Fit::Whole;

    fn used(widths: &[u16]) -> u32 {
        let visible = widths.iter().filter(|&&w| w > 0).count() as u32;
        sum(widths) + visible.saturating_sub(1)
    }

    #[test]
    fn columns_take_what_they_need_and_the_name_takes_the_rest() {
        // NAME IMAGE STATUS AGE PORTS in 70 cells: 23+20+12+3+5 = 63, plus 4 between.
        let fits = [NAME, NAME, TEXT, WHOLE, TEXT];
        let widths = fit_widths(&fits, &[23, 20, 12, 3, 5], 70);
        assert_eq!(widths, [26, 20, 12, 3, 5]);
        assert_eq!(used(&widths), 70);
    }

    #[test]
    fn published_ports_give_way_before_the_names() {
        // A compose project at 160 columns: 70 cells for NAME IMAGE STATUS AGE PORTS, and
        // ports of 20 cells. The ports give way; the 23-cell names stay whole.
        let ports = Fit::Secondary { min: 5 };
        let fits = [NAME, NAME, TEXT, WHOLE, ports];
        let widths = fit_widths(&fits, &[23, 21, 12, 3, 20], 70);
        assert_eq!(widths, [23, 21, 12, 3, 7]);
        assert_eq!(used(&widths), 70);
        // Only once the ports are down to their minimum do the names give way.
        let widths = fit_widths(&fits, &[30, 28, 12, 3, 20], 70);
        assert_eq!(widths[4], 5);
        assert_eq!(used(&widths), 70);
        assert!(widths[0] < 30 && widths[1] < 28, "{widths:?}");
    }

    #[test]
    fn without_a_flexible_column_the_rest_stays_blank() {
        assert_eq!(fit_widths(&[WHOLE, WHOLE], &[4, 7], 40), [4, 7]);
    }

    #[test]
    fn the_widest_flexible_column_gives_way_first() {
        // 3 cells short: only the widest (30) shrinks; the name (23) stays whole.
        let fits = [NAME, NAME, WHOLE, TEXT];
        let widths = fit_widths(&fits, &[23, 10, 12, 30], 75);
        assert_eq!(widths, [23, 10, 12, 27]);
        assert_eq!(used(&widths), 75);
    }

    #[test]
    fn once_as_narrow_as_the_next_both_give_way_together() {
        // 23+20+30 = 73 flexible cells in 50 (57 less 3 between, 4 for AGE): level 16 or 17.
        let fits = [NAME, NAME, WHOLE, TEXT];
        let widths = fit_widths(&fits, &[23, 20, 4, 30], 57);
        assert_eq!(used(&widths), 57);
        assert_eq!(widths[2], 4, "a whole column is never cut");
        let flexible = [widths[0], widths[1], widths[3]];
        let (min, max) = (
            flexible.iter().min().copied().unwrap_or(0),
            flexible.iter().max().copied().unwrap_or(0),
        );
        assert!(max - min <= 1, "shrunk to one level: {widths:?}");
        // The cells left over at level 16 go to the leftmost.
        assert_eq!(widths, [17, 17, 4, 16]);
    }

    #[test]
    fn a_narrow_column_keeps_its_width_while_wider_ones_shrink() {
        let fits = [NAME, TEXT, TEXT];
        let widths = fit_widths(&fits, &[40, 6, 40], 60);
        assert_eq!(widths, [26, 6, 26]);
    }

    #[test]
    fn minimums_are_respected() {
        // Flexible columns stop at their minimum (8 and 5); the table is then cut on the
        // right instead.
        let fits = [NAME, WHOLE, TEXT];
        let widths = fit_widths(&fits, &[30, 12, 30], 30);
        assert_eq!(widths, [8, 12, 8]);
        let widths = fit_widths(&fits, &[30, 12, 30], 26);
        assert_eq!(widths, [8, 12, 4]);
        // A minimum never widens a column beyond its need.
        assert_eq!(fit_widths(&[NAME, TEXT], &[3, 40], 20), [3, 16]);
    }

    #[test]
    fn a_table_wider_than_its_room_hides_columns_from_the_right() {
        let fits = [WHOLE, WHOLE, WHOLE];
        assert_eq!(fit_widths(&fits, &[10, 10, 10], 25), [10, 10, 3]);
        assert_eq!(fit_widths(&fits, &[10, 10, 10], 21), [10, 10, 0]);
        assert_eq!(fit_widths(&fits, &[10, 10, 10], 8), [8, 0, 0]);
        assert_eq!(fit_widths(&fits, &[10, 10, 10], 0), [0, 0, 0]);
    }

    #[test]
    fn no_columns_no_widths() {
        assert!(fit_widths(&[], &[], 80).is_empty());
        assert_eq!(fit_widths(&[NAME], &[200], 80), [80]);
    }

    #[test]
    fn cuts_keep_the_declared_end() {
        let name = Column::name("NAME", 8);
        let text = Column::text("PORTS", 5);
        assert_eq!(name.cut("my-project-frontend-web-1", 6), "…web-1");
        assert_eq!(text.cut("0.0.0.0:8080->80/tcp", 8), "0.0.0.0…");
        assert_eq!(Column::whole("ID").cut("short", 10), "short");
    }
}
