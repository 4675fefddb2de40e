//! Selection and scrolling for every list in wharf.

use std::cmp::Ordering;
use std::ops::Range;

use crate::action::Action;

use super::drawn::{Area, Drawn};

/// The selected row and the first visible row of a list.
///
/// Only drawing knows how tall the list is on screen; it records the height, the scroll
/// offset and where the rows went ([`Drawn`]), so paging, scrolling and clicks stay
/// consistent without `update` knowing the layout.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListCursor {
    selected: usize,
    offset: Drawn<usize>,
    page: Drawn<usize>,
    /// Where the rows were drawn (below any header).
    rows_area: Drawn<Area>,
}

impl ListCursor {
    pub fn selected(&self) -> usize {
        self.selected
    }

    /// Selects `index`, clamped to a list of `len` rows.
    pub fn select(&mut self, index: usize, len: usize) {
        self.selected = index.min(len.saturating_sub(1));
    }

    /// Applies a navigation action; returns whether it was one.
    pub fn navigate(&mut self, action: Action, len: usize) -> bool {
        let page = self.page.get().max(1);
        let target = match action {
            Action::Up => self.selected.saturating_sub(1),
            Action::Down => self.selected.saturating_add(1),
            Action::PageUp => self.selected.saturating_sub(page),
            Action::PageDown => self.selected.saturating_add(page),
            Action::Top => 0,
            Action::Bottom => usize::MAX,
            _ => return false,
        };
        self.select(target, len);
        true
    }

    /// The rows the renderer will show next (`default` rows tall before any drawing), for
    /// work that should cover what is on screen. It follows the selection as drawing does,
    /// so it is right also after the list was filtered or sorted and not yet drawn.
    pub fn visible_window(&self, len: usize, default: usize) -> Range<usize> {
        let height = match self.page.get() {
            0 => default,
            page => page + 1,
        };
        self.scrolled(len, height)
    }

    /// Keeps the selection inside a list that changed length.
    pub fn clamp(&mut self, len: usize) {
        self.select(self.selected, len);
    }

    /// The rows to draw in a viewport of `height` rows, scrolling as little as possible to
    /// keep the selection visible. Called by the renderer.
    pub fn visible(&self, len: usize, height: usize) -> Range<usize> {
        self.page.record(height.saturating_sub(1).max(1));
        let window = self.scrolled(len, height);
        self.offset.record(window.start);
        window
    }

    /// Records where the rows were drawn. Called by the renderer.
    pub fn drawn_at(&self, area: Area) {
        self.rows_area.record(area);
    }

    /// The row a click at this screen cell falls on, if it fell on a drawn row.
    pub fn row_at(&self, column: u16, row: u16, len: usize) -> Option<usize> {
        let area = self.rows_area.get();
        if !area.contains(column, row) {
            return None;
        }
        let index = self.offset.get() + usize::from(row - area.y);
        (index < len).then_some(index)
    }

    /// The last offset moved as little as possible to show the selection in `height` rows.
    fn scrolled(&self, len: usize, height: usize) -> Range<usize> {
        if height == 0 || len == 0 {
            return 0..0;
        }
        let selected = self.selected.min(len - 1);
        let mut offset = self.offset.get().min(len.saturating_sub(height));
        if selected < offset {
            offset = selected;
        } else if selected >= offset + height {
            offset = selected + 1 - height;
        }
        offset..(offset + height).min(len)
    }
}

/// The rows a list shows (indices into the owner's rows, filtered and sorted) and the
/// selection among them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListView {
    indices: Vec<usize>,
    pub cursor: ListCursor,
}

impl ListView {
    pub fn len(&self) -> usize {
        self.indices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.indices.is_empty()
    }

    /// The row index shown at position `i`.
    pub fn get(&self, i: usize) -> Option<usize> {
        self.indices.get(i).copied()
    }

    /// The row index under the cursor.
    pub fn selected(&self) -> Option<usize> {
        self.get(self.cursor.selected())
    }

    pub fn navigate(&mut self, action: Action) -> bool {
        self.cursor.navigate(action, self.indices.len())
    }

    /// Selects the first shown row that satisfies `pred`.
    pub fn select_where<R>(&mut self, rows: &[R], pred: impl Fn(&R) -> bool) -> bool {
        match self
            .indices
            .iter()
            .position(|&i| rows.get(i).is_some_and(&pred))
        {
            Some(position) => {
                self.cursor.select(position, self.indices.len());
                true
            }
            None => false,
        }
    }

    /// Recomputes which rows show and in what order. The selection moves to the row whose
    /// key is `previous` (taken with [`ListView::selected_key`] before the rows changed),
    /// or stays at the same position when that row is gone.
    pub fn rebuild<R, K: PartialEq>(
        &mut self,
        rows: &[R],
        keep: impl Fn(&R) -> bool,
        compare: impl Fn(&R, &R) -> Ordering,
        key: impl Fn(&R) -> K,
        previous: Option<K>,
    ) {
        let position = self.cursor.selected();
        self.indices = (0..rows.len()).filter(|&i| keep(&rows[i])).collect();
        self.indices.sort_by(|&a, &b| compare(&rows[a], &rows[b]));
        let found = previous.and_then(|k| self.indices.iter().position(|&i| key(&rows[i]) == k));
        self.cursor
            .select(found.unwrap_or(position), self.indices.len());
    }

    /// The key of the selected row, to hand to the next [`ListView::rebuild`].
    pub fn selected_key<R, K>(&self, rows: &[R], key: impl Fn(&R) -> K) -> Option<K> {
        self.selected().and_then(|i| rows.get(i)).map(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn navigation_clamps_at_both_ends() {
        let mut c = ListCursor::default();
        assert!(c.navigate(Action::Up, 10));
        assert_eq!(c.selected(), 0);
        c.navigate(Action::Bottom, 10);
        assert_eq!(c.selected(), 9);
        c.navigate(Action::Down, 10);
        assert_eq!(c.selected(), 9);
        assert!(!c.navigate(Action::Sort, 10));
        c.navigate(Action::Top, 0);
        assert_eq!(c.selected(), 0);
    }

    #[test]
    fn scrolling_follows_the_selection_and_paging_uses_the_height() {
        let mut c = ListCursor::default();
        assert_eq!(c.visible(100, 10), 0..10);
        c.navigate(Action::PageDown, 100);
        assert_eq!(c.selected(), 9);
        assert_eq!(c.visible(100, 10), 0..10);
        c.navigate(Action::Down, 100);
        assert_eq!(c.visible(100, 10), 1..11);
        c.navigate(Action::Bottom, 100);
        assert_eq!(c.visible(100, 10), 90..100);
        c.navigate(Action::Up, 100);
        assert_eq!(
            c.visible(100, 10),
            90..100,
            "moving inside the window does not scroll"
        );
        c.navigate(Action::Top, 100);
        assert_eq!(c.visible(100, 10), 0..10);
    }

    #[test]
    fn the_window_for_work_is_the_one_the_next_frame_shows() {
        let mut c = ListCursor::default();
        assert_eq!(c.visible_window(100, 30), 0..30, "before any drawing");
        c.navigate(Action::Bottom, 100);
        c.visible(100, 10);
        c.clamp(24);
        let predicted = c.visible_window(24, 30);
        assert_eq!(predicted, c.visible(24, 10));
        assert_eq!(predicted, 14..24);
    }

    #[test]
    fn shrinking_list_keeps_a_valid_window() {
        let mut c = ListCursor::default();
        c.navigate(Action::Bottom, 100);
        c.visible(100, 10);
        c.clamp(5);
        assert_eq!(c.selected(), 4);
        assert_eq!(c.visible(5, 10), 0..5);
        assert_eq!(c.visible(0, 10), 0..0);
    }
}
