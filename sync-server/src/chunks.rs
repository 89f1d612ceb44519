//! Snapshot chunks. A shape's initial rows are served like Electric serves them: in several
//! responses, each ending in an offset that the client requests next. Each chunk is read in
//! primary-key order after the last key of the one before, so a request reads and holds at
//! most one chunk, however large the table.
//!
//! The first chunk fixes the log position the client replays from after the last chunk (the
//! head when it was read). Later chunks see newer rows; replaying the log from that first
//! position over them converges, because every change after it is replayed in order and the
//! client only shows the shape once it is up to date.
//!
//! The server remembers where each chunk ends under a random id (the offset's second part), for
//! a while: a client that comes back after the id was forgotten (or after a restart) gets a
//! 409 and starts over.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::offset::CHUNK_ID_BASE;

/// How long a chunk's end is remembered.
const RETENTION: Duration = Duration::from_secs(10 * 60);
/// Chunk ends remembered at most; the oldest go first.
const CAPACITY: usize = 100_000;

/// Where the next chunk of one shape's snapshot starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkCursor {
    pub definition_hash: u64,
    pub epoch: String,
    /// The log position the client replays from after the last chunk, and its fingerprint.
    pub head: u64,
    pub head_fingerprint: u32,
    /// Text renderings of the last primary key served.
    pub last_key: Vec<String>,
}

#[derive(Default)]
pub struct ChunkCursors {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    cursors: HashMap<u64, ChunkCursor>,
    order: VecDeque<(Instant, u64)>,
}

impl ChunkCursors {
    /// Remembers `cursor`; returns its id.
    pub fn insert(&self, cursor: ChunkCursor) -> u64 {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        while let Some(&(created, id)) = inner.order.front() {
            if now.duration_since(created) < RETENTION && inner.order.len() < CAPACITY {
                break;
            }
            inner.order.pop_front();
            inner.cursors.remove(&id);
        }
        let id = loop {
            // Ids stay below 2^53, so clients that parse offsets as numbers keep them exact.
            let (random, _) = uuid::Uuid::new_v4().as_u64_pair();
            let id = CHUNK_ID_BASE + random % ((1 << 53) - CHUNK_ID_BASE);
            if !inner.cursors.contains_key(&id) {
                break id;
            }
        };
        inner.cursors.insert(id, cursor);
        inner.order.push_back((now, id));
        id
    }

    pub fn get(&self, id: u64) -> Option<ChunkCursor> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner()).cursors.get(&id).cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_cursors_under_fresh_ids() {
        let cursors = ChunkCursors::default();
        let cursor = ChunkCursor {
            definition_hash: 1,
            epoch: "e".into(),
            head: 5,
            head_fingerprint: 9,
            last_key: vec!["k".into()],
        };
        let first = cursors.insert(cursor.clone());
        let second = cursors.insert(cursor.clone());
        assert_ne!(first, second);
        assert!((CHUNK_ID_BASE..1 << 53).contains(&first));
        assert_eq!(cursors.get(first), Some(cursor));
        assert_eq!(cursors.get(first + 1).filter(|_| first + 1 != second), None);
    }
}
