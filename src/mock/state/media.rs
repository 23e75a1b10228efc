//! Uploaded media in memory, within their bounds: at most a number of files
//! and of decoded bytes (`MockConfig::max_media`, `MockConfig::media_budget`);
//! the oldest media make room for a new one.

use std::collections::{HashMap, HashSet, VecDeque};

use axum::body::Bytes;

/// One uploaded medium.
#[derive(Clone, Debug)]
pub(crate) struct Medium {
    pub(crate) id: String,
    pub(crate) session_id: String,
    pub(crate) attempt_id: String,
    pub(crate) context: String,
    pub(crate) mimetype: String,
    pub(crate) bytes: Bytes,
}

/// A medium to store.
pub(crate) struct Upload {
    pub(crate) context: String,
    pub(crate) mimetype: String,
    pub(crate) bytes: Vec<u8>,
}

/// The media of every session, oldest first, within a count and a byte bound.
pub(super) struct MediaStore {
    media: HashMap<String, Medium>,
    /// Media ids, oldest first; exactly the keys of `media`.
    order: VecDeque<String>,
    /// Sum of the stored media sizes.
    bytes: usize,
    /// At least 1.
    max_media: usize,
    budget: usize,
}

impl MediaStore {
    /// `max_media` of 0 is treated as 1.
    pub(super) fn new(max_media: usize, budget: usize) -> Self {
        Self {
            media: HashMap::new(),
            order: VecDeque::new(),
            bytes: 0,
            max_media: max_media.max(1),
            budget,
        }
    }

    /// Whether a medium of `size` bytes can be kept at all (it is not larger
    /// than the whole budget).
    pub(super) fn fits(&self, size: usize) -> bool {
        size <= self.budget
    }

    /// Drops the oldest media until one more of `size` bytes fits both
    /// bounds; returns the dropped media, for their attempts to forget them.
    pub(super) fn make_room(&mut self, size: usize) -> Vec<Medium> {
        let mut dropped = Vec::new();
        while self.media.len() >= self.max_media || self.bytes + size > self.budget {
            let Some(oldest) = self.order.pop_front() else {
                break;
            };
            let Some(medium) = self.media.remove(&oldest) else {
                continue;
            };
            self.bytes -= medium.bytes.len();
            dropped.push(medium);
        }
        dropped
    }

    /// Keeps `medium` as the newest (after [`make_room`](Self::make_room)).
    pub(super) fn insert(&mut self, medium: Medium) {
        self.bytes += medium.bytes.len();
        self.order.push_back(medium.id.clone());
        self.media.insert(medium.id.clone(), medium);
    }

    /// Forgets the media with these ids (those of a deleted session).
    pub(super) fn remove_all<'a>(&mut self, ids: impl IntoIterator<Item = &'a String>) {
        let mut gone = HashSet::new();
        for id in ids {
            if let Some(medium) = self.media.remove(id) {
                self.bytes -= medium.bytes.len();
                gone.insert(medium.id);
            }
        }
        if !gone.is_empty() {
            self.order.retain(|kept| !gone.contains(kept));
        }
    }

    pub(super) fn get(&self, id: &str) -> Option<Medium> {
        self.media.get(id).cloned()
    }

    /// The media with these ids that are still kept, in the given order.
    pub(super) fn of(&self, ids: &[String]) -> Vec<Medium> {
        ids.iter()
            .filter_map(|id| self.media.get(id).cloned())
            .collect()
    }

    /// Sum of the stored media sizes.
    #[cfg(test)]
    pub(super) fn bytes(&self) -> usize {
        self.bytes
    }

    /// Whether no medium is kept (also checks the age order agrees).
    #[cfg(test)]
    pub(super) fn is_empty(&self) -> bool {
        self.media.is_empty() && self.order.is_empty()
    }
}
