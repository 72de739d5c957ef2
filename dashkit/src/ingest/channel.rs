//! A channel's state as plain data: its files (each a list of published pieces and a status),
//! the window of each numbered stream, the init segments the chunk parser needs, the CMAF
//! tracks of interface-1 sources, and the times that decide standby and keep-alive.

use std::collections::{HashMap, VecDeque};

use bytes::Bytes;

use super::Instant;

/// Where an upload is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Bytes are still arriving.
    Writing,
    /// The upload finished.
    Complete,
    /// The encoder went away mid-upload, or the upload was refused part way: what was
    /// published (whole CMAF chunks) is all there is.
    Incomplete,
}

/// One stored file.
#[derive(Debug, Clone)]
pub(crate) struct File {
    /// Identity of this version of the path (a replaced file gets a new one).
    pub id: u64,
    /// Published pieces: readers see these (whole CMAF boxes or chunks, or the whole file).
    pub pieces: Vec<Bytes>,
    pub status: Status,
}

impl File {
    pub fn len(&self) -> u64 {
        self.pieces.iter().map(|p| p.len() as u64).sum()
    }
}

/// A numbered stream (`chunk-stream0-$Number$.m4s`): its window and numbering.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stream {
    /// Paths of its segments, oldest first.
    pub window: VecDeque<String>,
    /// Highest segment number seen.
    pub highest: Option<u64>,
    /// The source ended it (`lmsg`): a restart may begin at any number.
    pub ended: bool,
}

/// An interface-1 CMAF track.
#[derive(Debug, Clone, Default)]
pub(crate) struct Track {
    /// Its CMAF header's `moov`.
    pub init_moov: Option<Bytes>,
    /// Decode time of the latest segment received.
    pub last_time: Option<u64>,
}

/// An MPD with its low-latency signalling, and what it was computed from.
#[derive(Debug, Clone)]
pub(crate) struct Signalled {
    pub file_id: u64,
    pub chunk_ms: Option<u64>,
    pub time_url: Option<String>,
    pub bytes: Bytes,
}

/// A channel.
#[derive(Debug, Clone, Default)]
pub(crate) struct Channel {
    pub files: HashMap<String, File>,
    /// By stream key ([`super::naming::stream_key`]).
    pub streams: HashMap<String, Stream>,
    /// The moov of each init segment by path, for the chunk parser.
    pub inits: HashMap<String, Bytes>,
    /// Interface-1 tracks by name.
    pub tracks: HashMap<String, Track>,
    /// Duration of the last chunk seen, in ms (for the MPD's low-latency signalling).
    pub chunk_ms: Option<u64>,
    /// Each MPD as readers get it, computed once per version, chunk duration and time URL.
    pub signalled: HashMap<String, Signalled>,
    pub last_primary: Option<Instant>,
    pub last_activity: Option<Instant>,
    pub readers: usize,
}

impl Channel {
    /// Records a completed segment in its stream's window; returns the paths evicted.
    pub fn push_window(&mut self, key: &str, path: &str, window: usize) -> Vec<String> {
        let w = &mut self.streams.entry(key.to_string()).or_default().window;
        w.retain(|p| p != path);
        w.push_back(path.to_string());
        let mut evicted = Vec::new();
        while w.len() > window.max(1) {
            if let Some(old) = w.pop_front() {
                evicted.push(old);
            }
        }
        for old in &evicted {
            self.files.remove(old);
        }
        evicted
    }

    /// Bytes held by the channel's files and inits.
    pub fn held_bytes(&self) -> u64 {
        self.files.values().map(File::len).sum::<u64>()
            + self.inits.values().map(|b| b.len() as u64).sum::<u64>()
            + self
                .signalled
                .values()
                .map(|s| s.bytes.len() as u64)
                .sum::<u64>()
            + self
                .tracks
                .values()
                .filter_map(|t| t.init_moov.as_ref())
                .map(|b| b.len() as u64)
                .sum::<u64>()
    }
}
