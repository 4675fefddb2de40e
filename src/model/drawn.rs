//! What the last frame drew: the one thing drawing writes back into the state.
//!
//! `update` is pure and does not know the layout, yet some input depends on it: PageDown
//! moves by the rows that fit, a list scrolls as little as possible to keep its selection
//! in view, a mouse click names a row by where it was drawn. Drawing records those facts in
//! [`Drawn`] slots as it draws, and `update` reads them when the next input comes. Nothing
//! else in the state changes while drawing; `grep Drawn` finds every such slot.

use std::cell::Cell;

/// A value recorded by the last frame (a scroll offset, a height, an area on screen).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drawn<T: Copy>(Cell<T>);

impl<T: Copy> Drawn<T> {
    pub fn new(value: T) -> Self {
        Drawn(Cell::new(value))
    }

    /// What the last frame recorded (the default before the first frame).
    pub fn get(&self) -> T {
        self.0.get()
    }

    /// Called by drawing only.
    pub fn record(&self, value: T) {
        self.0.set(value);
    }
}

/// A rectangle of terminal cells, as drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Area {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

impl Area {
    pub fn contains(&self, column: u16, row: u16) -> bool {
        column >= self.x
            && row >= self.y
            && u32::from(column) < u32::from(self.x) + u32::from(self.width)
            && u32::from(row) < u32::from(self.y) + u32::from(self.height)
    }
}
