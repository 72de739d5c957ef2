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
    /// What the media segment holds (its number, decode times, durations), for failover.
    pub meta: Option<Box<SegMeta>>,
}

/// A media segment's timing, gathered from its chunks as they arrive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct SegMeta {
    /// When its upload was admitted.
    pub started: Instant,
    /// Its number (the last run of digits of its name).
    pub number: u64,
    /// `mfhd` sequence numbers of its first and last chunk.
    pub first_seq: Option<u32>,
    pub last_seq: Option<u32>,
    /// Whether its first chunk starts with a sync sample (`None` before the first chunk).
    pub starts_with_sync: Option<bool>,
    /// Per track, in order of appearance.
    pub tracks: Vec<TrackSpan>,
    /// Its CMAF chunks in order, as they completed (the parts of a low-latency HLS playlist),
    /// at most [`crate::limits::MAX_INGEST_CHUNKS_PER_SEGMENT`].
    pub chunks: Vec<ChunkSpan>,
    /// More chunks arrived than are recorded: the segment is not offered as parts.
    pub chunks_overflow: bool,
}

/// One CMAF chunk of a segment: where its bytes end in the file (it starts where the previous
/// one ended, the first at 0, so boxes before a `moof` belong to its chunk) and what it holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct ChunkSpan {
    /// Offset in the file of the byte after the chunk's `mdat`.
    pub end: u64,
    /// The summed sample durations of the segment's first track in it, in its timescale.
    pub duration: u64,
    /// It starts with a sync sample (of the first track).
    pub independent: bool,
}

/// A track's span in a segment: first decode time and summed duration, in its timescale.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct TrackSpan {
    pub track_id: u32,
    pub timescale: Option<u32>,
    pub start: u64,
    pub duration: u64,
}

impl SegMeta {
    /// Records a chunk whose bytes end at offset `end` of the file.
    pub fn add_chunk(&mut self, c: &crate::cmaf::Chunk, end: u64) {
        let first_track = self.tracks.first().map(|t| t.track_id);
        let duration = match first_track {
            Some(id) => c
                .tracks
                .iter()
                .find(|t| t.track_id == id)
                .map_or(0, |t| t.duration),
            None => c.tracks.first().map_or(0, |t| t.duration),
        };
        let independent = match first_track {
            Some(id) => c
                .tracks
                .iter()
                .find(|t| t.track_id == id)
                .and_then(|t| t.starts_with_sync)
                .unwrap_or(false),
            None => c.starts_with_sync,
        };
        if self.chunks.len() < crate::limits::MAX_INGEST_CHUNKS_PER_SEGMENT {
            self.chunks.push(ChunkSpan {
                end,
                duration,
                independent,
            });
        } else {
            self.chunks_overflow = true;
        }
        if self.first_seq.is_none() {
            self.first_seq = Some(c.sequence_number);
            self.starts_with_sync = Some(c.starts_with_sync);
        }
        self.last_seq = Some(c.sequence_number);
        for t in &c.tracks {
            match self.tracks.iter_mut().find(|s| s.track_id == t.track_id) {
                Some(s) => s.duration = s.duration.saturating_add(t.duration),
                None => self.tracks.push(TrackSpan {
                    track_id: t.track_id,
                    timescale: t.timescale,
                    start: t.decode_time.unwrap_or(0),
                    duration: t.duration,
                }),
            }
        }
    }

    /// Its duration in milliseconds (first track), when its timescale is known.
    pub fn duration_ms(&self) -> Option<u64> {
        let t = self.tracks.first()?;
        let ts = u64::from(t.timescale.filter(|t| *t > 0)?);
        Some(t.duration.saturating_mul(1000) / ts)
    }
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
    /// It asks players to refresh it often (several sources: a Period may be added).
    pub refresh: bool,
    pub bytes: Bytes,
}

/// A channel.
#[derive(Debug, Clone, Default)]
pub(crate) struct Channel {
    pub files: HashMap<String, File>,
    /// New versions of manifests (any path that is not media) still arriving, by path: the
    /// complete version stays in `files`, for readers and the ABR group alike, until the new
    /// one is whole ([`Channel::stage_or_replace`]).
    pub staged: HashMap<String, File>,
    /// By stream key ([`super::naming::stream_key`]).
    pub streams: HashMap<String, Stream>,
    /// The moov of each init segment by path, for the chunk parser.
    pub inits: HashMap<String, Bytes>,
    /// Interface-1 tracks by name.
    pub tracks: HashMap<String, Track>,
    /// The chunk duration the MPD's low-latency signalling is based on, in ms: the longest of
    /// the streams' latest chunks ([`Channel::record_chunk_ms`]).
    pub chunk_ms: Option<u64>,
    /// Each stream's latest chunk duration in ms, by stream key (or file or track name).
    pub stream_chunk_ms: HashMap<String, u64>,
    /// Each MPD as readers get it, computed once per version, chunk duration and time URL.
    pub signalled: HashMap<String, Signalled>,
    pub last_primary: Option<Instant>,
    /// The encoders pushing this channel, in the order they joined (at most
    /// [`super::source::MAX_SOURCES`]).
    pub sources: Vec<super::source::Source>,
    /// The source whose segments are published.
    pub active: Option<String>,
    /// A standby has been promoted in this channel's life: the published MPD is frozen.
    pub switched: bool,
    /// Published copies of the active source's segments, by private path.
    pub mirrors: HashMap<String, super::source::Mirror>,
    /// Sources refused (track set or timescale), with the reason.
    pub refused_sources: HashMap<String, String>,
    pub last_activity: Option<Instant>,
    pub readers: usize,
}

impl Channel {
    /// Puts a new upload's `file` at `path`. A manifest written again (ffmpeg rewrites its MPD
    /// after every segment) is staged while its previous version is complete, so that no reader
    /// ever finds the manifest missing or half-written; media replaces at once.
    pub fn stage_or_replace(&mut self, path: &str, file: File, media: bool) {
        let old_complete = self
            .files
            .get(path)
            .is_some_and(|f| f.status == Status::Complete);
        if old_complete && !media {
            self.staged.insert(path.to_string(), file);
        } else {
            self.staged.remove(path);
            self.files.insert(path.to_string(), file);
        }
    }

    /// Ends the staged version `id` of `path`, if it is the staged one: published in place of
    /// the previous when `Complete`, dropped otherwise (the previous version stays). Returns
    /// whether it was staged.
    pub fn end_staged(&mut self, path: &str, id: u64, status: Status) -> bool {
        if self.staged.get(path).is_none_or(|f| f.id != id) {
            return false;
        }
        if let Some(mut f) = self.staged.remove(path) {
            if status == Status::Complete {
                f.status = status;
                self.files.insert(path.to_string(), f);
            }
        }
        true
    }

    /// The upload `id`'s file at `path`, staged or published.
    pub fn file_of_upload(&mut self, path: &str, id: u64) -> Option<&mut File> {
        if self.files.get(path).is_some_and(|f| f.id == id) {
            return self.files.get_mut(path);
        }
        self.staged.get_mut(path).filter(|f| f.id == id)
    }

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
            self.mirrors.remove(old);
        }
        evicted
    }

    /// Records the duration of `stream`'s latest chunk. The channel's [`Channel::chunk_ms`] is
    /// the longest over its streams, not the last chunk to arrive: streams are uploaded side
    /// by side, so which arrives last is the network's doing, and two origins fed the same
    /// stream (or one origin reading it twice) must signal the same MPD. The longest is also
    /// the safe basis: a shorter one would advertise chunks before they can exist.
    pub fn record_chunk_ms(&mut self, stream: &str, ms: u64) {
        if let Some(v) = self.stream_chunk_ms.get_mut(stream) {
            *v = ms;
        } else {
            self.stream_chunk_ms.insert(stream.to_string(), ms);
        }
        self.chunk_ms = self.stream_chunk_ms.values().copied().max();
    }

    /// Forgets the chunk durations of the streams whose key starts with `prefix` (a source
    /// that left).
    pub fn forget_chunk_ms(&mut self, prefix: &str) {
        self.stream_chunk_ms.retain(|k, _| !k.starts_with(prefix));
        if !self.stream_chunk_ms.is_empty() {
            self.chunk_ms = self.stream_chunk_ms.values().copied().max();
        }
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
