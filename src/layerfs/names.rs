//! Names in one byte arena, and finding a directory's child by name without a `String` per
//! entry: a map from (parent, hash of the name) to the node, checked against the arena, with
//! a second map for the rare names whose hashes collide.

use std::collections::HashMap;

/// A range of bytes in an arena.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Span {
    pub start: u32,
    pub len: u32,
}

impl Span {
    pub const EMPTY: Span = Span { start: 0, len: 0 };
}

/// Bytes of names and link targets, appended once, never moved.
#[derive(Debug, Default, Clone)]
pub struct Arena {
    bytes: Vec<u8>,
}

impl Arena {
    pub fn push(&mut self, value: &[u8]) -> Option<Span> {
        let start = u32::try_from(self.bytes.len()).ok()?;
        let len = u32::try_from(value.len()).ok()?;
        start.checked_add(len)?;
        self.bytes.extend_from_slice(value);
        Some(Span { start, len })
    }

    pub fn get(&self, span: Span) -> &[u8] {
        let start = span.start as usize;
        self.bytes
            .get(start..start + span.len as usize)
            .unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Arena { bytes }
    }

    pub fn shrink_to_fit(&mut self) {
        self.bytes.shrink_to_fit();
    }
}

/// FNV-1a: fast on short names. Collisions (chosen or not) only cost a trip to the
/// overflow map, which hashes with std's keyed SipHash.
fn name_hash(name: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in name {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// (parent, name) → node.
#[derive(Debug, Default, Clone)]
pub struct ChildIndex {
    primary: HashMap<(u32, u64), u32>,
    overflow: HashMap<(u32, Box<[u8]>), u32>,
}

impl ChildIndex {
    /// The child of `parent` called `name`, where `name_of` gives a node's name.
    pub fn get<'a>(
        &self,
        parent: u32,
        name: &[u8],
        name_of: impl Fn(u32) -> &'a [u8],
    ) -> Option<u32> {
        let id = *self.primary.get(&(parent, name_hash(name)))?;
        if name_of(id) == name {
            return Some(id);
        }
        self.overflow.get(&(parent, Box::from(name))).copied()
    }

    /// Records a new child (the caller checked it is not there yet).
    pub fn insert(&mut self, parent: u32, name: &[u8], id: u32) {
        match self.primary.entry((parent, name_hash(name))) {
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(id);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.overflow.insert((parent, Box::from(name)), id);
            }
        }
    }

    pub fn clear(&mut self) {
        self.primary = HashMap::new();
        self.overflow = HashMap::new();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colliding_hashes_still_find_the_right_child() {
        let mut arena = Arena::default();
        let names: Vec<Span> = [b"a".as_slice(), b"b"]
            .iter()
            .map(|n| arena.push(n).unwrap())
            .collect();
        let mut index = ChildIndex::default();
        index.insert(0, b"a", 0);
        // Force a collision: put "b" straight into the overflow under the same key.
        index.primary.insert((0, name_hash(b"b")), 0);
        index.overflow.insert((0, Box::from(&b"b"[..])), 1);
        let name_of = |id: u32| arena.get(names[id as usize]);
        assert_eq!(index.get(0, b"a", name_of), Some(0));
        assert_eq!(index.get(0, b"b", name_of), Some(1));
        assert_eq!(index.get(0, b"c", name_of), None);
    }
}
