//! Incremental CMAF (ISO/IEC 23000-19) stream parsing for ingest: bytes arrive in any split
//! (one byte at a time included) and the [`Parser`] reports each complete top-level box
//! ([`StreamEvent::Box`]: `ftyp`, `styp`, `moov`, `sidx`, `prft`, `emsg`, `free`, ...) and each
//! complete CMAF chunk ([`StreamEvent::Chunk`]: a `moof` and the `mdat` after it) as soon as the
//! last byte of it has been pushed, with the chunk's decode time, duration, sequence number,
//! tracks, sample count, sync flag and absolute byte range in the stream.
//!
//! The parser never holds more than the box being assembled, and never holds `mdat` payload
//! at all: it counts `mdat` bytes and reports ranges. A caller that stores the stream (an
//! ingest origin keeps each segment's bytes as they arrive) uses the ranges to find the
//! chunk boundaries in its own copy, so sample data is copied once, by the caller.
//!
//! Memory bounds ([`Limits`]): a non-`mdat` box is buffered whole up to
//! [`crate::limits::MAX_CMAF_BOX_BYTES`]; an `mdat` may declare up to
//! [`crate::limits::MAX_CMAF_MDAT_BYTES`] (never buffered). Larger declared sizes are errors
//! as soon as the header is read.
//!
//! Sizes (ISO/IEC 14496-12 §4.2): `size == 1` reads the 64-bit `largesize`; `uuid` boxes carry
//! a 16-byte extended type; `size == 0` means "to the end of the stream", so such a box ends
//! only when [`Parser::finish`] is called; a size smaller than the header is an error.
//!
//! ```
//! use dashkit::cmaf::{StreamEvent, Parser};
//! # fn b(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
//! #     let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
//! #     v.extend_from_slice(kind); v.extend_from_slice(payload); v }
//! // styp, then moof { mfhd(7), traf { tfhd(track 1, base-is-moof, default duration 512),
//! // tfdt v1 = 1000, trun(2 samples, sizes 3 and 2) } } and an mdat of 5 bytes.
//! let mfhd = b(b"mfhd", &[0, 0, 0, 0, 0, 0, 0, 7]);
//! let tfhd = b(b"tfhd", &[0, 2, 0, 8, 0, 0, 0, 1, 0, 0, 2, 0]);
//! let tfdt = b(b"tfdt", &[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3, 0xe8]);
//! let trun = b(b"trun", &[0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 2]);
//! let moof = b(b"moof", &[mfhd, b(b"traf", &[tfhd, tfdt, trun].concat())].concat());
//! let stream = [b(b"styp", b"cmfs"), moof, b(b"mdat", b"abcde")].concat();
//!
//! let mut p = Parser::new();
//! let mut events = Vec::new();
//! for byte in &stream {
//!     p.push(std::slice::from_ref(byte)).unwrap();
//!     events.extend(p.drain());
//! }
//! p.finish().unwrap();
//! assert_eq!(events.len(), 2);
//! let StreamEvent::Chunk(c) = &events[1] else { panic!() };
//! assert_eq!(c.sequence_number, 7);
//! assert_eq!(c.decode_time, Some(1000));
//! assert_eq!(c.duration, 1024);
//! assert_eq!(c.sample_count, 2);
//! assert_eq!(c.range, 12..stream.len() as u64);
//! ```

pub(crate) mod moof;

use std::collections::VecDeque;
use std::ops::Range;

use crate::bmff::header::BoxHeader;
use crate::bmff::index::{Depth, Index};
use crate::bmff::FourCc;

/// A cmaf stream error: where (absolute stream offset and box path) and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at byte {offset} in {path}: {kind}")]
#[non_exhaustive]
pub struct Error {
    /// Absolute stream offset of the offending box header or field.
    pub offset: u64,
    /// Box path, e.g. `moof/traf[0]/trun[1]` (top-level boxes by type only).
    pub path: String,
    /// What went wrong.
    pub kind: ErrorKind,
}

/// What went wrong in a CMAF stream.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A box size is smaller than its own header.
    #[error("box size {size} is smaller than its header ({header_len} bytes)")]
    SizeTooSmall {
        /// Declared size.
        size: u64,
        /// Header length.
        header_len: u64,
    },
    /// A declared box size exceeds what the parser accepts ([`Limits`]).
    #[error("box size {size} exceeds the limit {max}")]
    TooLarge {
        /// Declared size (payload bytes for mdat, whole box otherwise).
        size: u64,
        /// The cap.
        max: u64,
    },
    /// The stream ended inside a box.
    #[error("stream ended inside a box: needed {needed} bytes, {available} available")]
    Truncated {
        /// Bytes the box needs (header or whole box).
        needed: u64,
        /// Bytes of it that arrived.
        available: u64,
    },
    /// A `moof` was not followed by an `mdat` (another `moof`, or the end of the stream).
    #[error("moof at byte {moof_offset} has no mdat")]
    MoofWithoutMdat {
        /// Offset of the orphan moof.
        moof_offset: u64,
    },
    /// The stream position would pass 2^64 bytes.
    #[error("stream offset overflow")]
    Overflow,
    /// A box inside a `moof` or `moov` could not be read.
    #[error("{0}")]
    Box(crate::bmff::ErrorKind),
    /// The parser already failed; it accepts no more bytes.
    #[error("the parser failed earlier at byte {first_offset}")]
    Failed {
        /// Offset of the first error.
        first_offset: u64,
    },
}

impl Error {
    fn new(offset: u64, path: impl Into<String>, kind: ErrorKind) -> Self {
        Error {
            offset,
            path: path.into(),
            kind,
        }
    }
}

impl From<crate::bmff::Error> for Error {
    fn from(e: crate::bmff::Error) -> Self {
        Error {
            offset: e.offset,
            path: e.path,
            kind: ErrorKind::Box(e.kind),
        }
    }
}

/// Caps on what one [`Parser`] holds or accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest non-`mdat` box, header included; it is buffered whole.
    pub max_box_bytes: u64,
    /// Largest `mdat` payload; it is counted, never buffered.
    pub max_mdat_bytes: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_box_bytes: crate::limits::MAX_CMAF_BOX_BYTES,
            max_mdat_bytes: crate::limits::MAX_CMAF_MDAT_BYTES,
        }
    }
}

/// A complete top-level box other than a chunk's `moof` and `mdat`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopBox {
    /// Box type.
    pub kind: FourCc,
    /// Absolute byte range of the whole box in the stream.
    pub range: Range<u64>,
    /// Header length (8, 16, 24 or 32).
    pub header_len: u8,
    /// The header declared size 0 (ran to the end of the stream).
    pub to_end: bool,
}

/// One track's part of a chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkTrack {
    /// `tfhd.track_ID`.
    pub track_id: u32,
    /// mdhd timescale, when a `moov` for the track was seen earlier in the stream.
    pub timescale: Option<u32>,
    /// `tfdt.baseMediaDecodeTime` (None when the traf has no tfdt).
    pub decode_time: Option<u64>,
    /// Sum of the sample durations (trun, else tfhd default, else trex default).
    pub duration: u64,
    /// Number of samples.
    pub sample_count: u64,
    /// Whether the first sample is a sync sample (None without samples).
    pub starts_with_sync: Option<bool>,
    /// Sum of the sample sizes.
    pub sample_bytes: u64,
}

/// A complete CMAF chunk: one `moof` and the `mdat` that follows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chunk {
    /// Absolute byte range from the first byte of the moof to the last byte of the mdat
    /// (boxes between them, if any, were reported as [`StreamEvent::Box`] and lie inside it).
    pub range: Range<u64>,
    /// Absolute byte range of the moof box.
    pub moof: Range<u64>,
    /// Absolute byte range of the mdat payload (after its header).
    pub mdat_payload: Range<u64>,
    /// `mfhd.sequence_number`.
    pub sequence_number: u32,
    /// Decode time of the first track (`tfdt`).
    pub decode_time: Option<u64>,
    /// Duration of the first track, in its timescale.
    pub duration: u64,
    /// Samples of every track.
    pub sample_count: u64,
    /// The first track starts with a sync sample.
    pub starts_with_sync: bool,
    /// Per track, in traf order.
    pub tracks: Vec<ChunkTrack>,
}

/// What the parser reports, in stream order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// A complete top-level box that is not part of a chunk's moof/mdat pair.
    Box(TopBox),
    /// A complete chunk (moof + mdat).
    Chunk(Chunk),
}

/// A box whose header has been read.
#[derive(Debug)]
struct Current {
    kind: FourCc,
    start: u64,
    header_len: u8,
    /// Total size, or None for size 0 (to the end).
    size: Option<u64>,
    /// The whole box so far (non-mdat only).
    buf: Option<Vec<u8>>,
    /// Bytes of the box consumed so far, header included.
    consumed: u64,
}

/// A moof waiting for its mdat.
#[derive(Debug)]
struct PendingMoof {
    range: Range<u64>,
    sequence_number: u32,
    tracks: Vec<ChunkTrack>,
}

impl PendingMoof {
    /// The error for this moof when no mdat follows it.
    fn without_mdat(&self) -> Error {
        Error::new(
            self.range.start,
            "moof",
            ErrorKind::MoofWithoutMdat {
                moof_offset: self.range.start,
            },
        )
    }
}

/// The incremental CMAF parser. See the [module docs](self).
#[derive(Debug)]
pub struct Parser {
    limits: Limits,
    pos: u64,
    head: [u8; 32],
    head_len: usize,
    current: Option<Current>,
    pending: Option<PendingMoof>,
    defaults: moof::InitDefaults,
    events: VecDeque<StreamEvent>,
    failed: Option<u64>,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new()
    }
}

impl Parser {
    /// A parser with the default [`Limits`], at stream offset 0.
    pub fn new() -> Self {
        Parser::with_limits(Limits::default())
    }

    /// A parser with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        Parser {
            limits,
            pos: 0,
            head: [0; 32],
            head_len: 0,
            current: None,
            pending: None,
            defaults: moof::InitDefaults::default(),
            events: VecDeque::new(),
            failed: None,
        }
    }

    /// Gives the parser trex defaults and timescales from an init segment seen elsewhere
    /// (e.g. uploaded as its own file): the whole `moov` box bytes.
    pub fn set_init(&mut self, moov: &[u8]) -> Result<(), Error> {
        self.defaults = moof::moov_defaults(moov, 0)?;
        Ok(())
    }

    /// Bytes consumed so far (the absolute offset of the next byte).
    pub fn position(&self) -> u64 {
        self.pos
    }

    /// Bytes the parser holds for the box being assembled.
    pub fn buffered_len(&self) -> usize {
        self.current
            .as_ref()
            .and_then(|c| c.buf.as_ref())
            .map_or(self.head_len, Vec::len)
    }

    /// The next event, in stream order.
    pub fn next_event(&mut self) -> Option<StreamEvent> {
        self.events.pop_front()
    }

    /// Every event reported so far (drains the queue).
    pub fn drain(&mut self) -> impl Iterator<Item = StreamEvent> + '_ {
        self.events.drain(..)
    }

    /// Feeds the next bytes of the stream. Events for every box and chunk completed by these
    /// bytes are queued ([`Parser::next_event`]). After an error the parser stays failed.
    pub fn push(&mut self, mut bytes: &[u8]) -> Result<(), Error> {
        if let Some(at) = self.failed {
            return Err(Error::new(
                self.pos,
                "",
                ErrorKind::Failed { first_offset: at },
            ));
        }
        while !bytes.is_empty() {
            let used = match self.step(bytes) {
                Ok(n) => n,
                Err(e) => {
                    self.failed = Some(e.offset);
                    return Err(e);
                }
            };
            bytes = bytes.get(used..).unwrap_or(&[]);
        }
        Ok(())
    }

    /// Ends the stream: a box of size 0 completes here; a box or header cut short, or a moof
    /// without its mdat, is an error.
    pub fn finish(&mut self) -> Result<(), Error> {
        if let Some(at) = self.failed {
            return Err(Error::new(
                self.pos,
                "",
                ErrorKind::Failed { first_offset: at },
            ));
        }
        let r = self.finish_inner();
        if let Err(e) = &r {
            self.failed = Some(e.offset);
        }
        r
    }

    fn finish_inner(&mut self) -> Result<(), Error> {
        if let Some(cur) = self.current.take() {
            match cur.size {
                None => self.complete(cur)?,
                Some(size) => {
                    return Err(Error::new(
                        cur.start,
                        cur.kind.to_string(),
                        ErrorKind::Truncated {
                            needed: size,
                            available: cur.consumed,
                        },
                    ))
                }
            }
        } else if self.head_len > 0 {
            let needed = self.header_needed().unwrap_or(8);
            return Err(Error::new(
                self.pos - self.head_len as u64,
                "?",
                ErrorKind::Truncated {
                    needed: needed as u64,
                    available: self.head_len as u64,
                },
            ));
        }
        if let Some(p) = self.pending.take() {
            return Err(p.without_mdat());
        }
        Ok(())
    }

    /// Header bytes needed given what has arrived (None: not yet known beyond what we have).
    fn header_needed(&self) -> Option<usize> {
        Some(BoxHeader::needed(self.head.get(..self.head_len)?))
    }

    fn advance(&mut self, n: usize) -> Result<(), Error> {
        self.pos = self
            .pos
            .checked_add(n as u64)
            .ok_or_else(|| Error::new(self.pos, "", ErrorKind::Overflow))?;
        Ok(())
    }

    /// Consumes a prefix of `bytes`; returns how many bytes were used (at least 1).
    fn step(&mut self, bytes: &[u8]) -> Result<usize, Error> {
        if let Some(mut cur) = self.current.take() {
            let want = match cur.size {
                Some(size) => usize::try_from(size - cur.consumed).unwrap_or(usize::MAX),
                None => usize::MAX,
            };
            let n = want.min(bytes.len());
            if let Some(buf) = cur.buf.as_mut() {
                let max = self.limits.max_box_bytes;
                if (buf.len() + n) as u64 > max {
                    return Err(Error::new(
                        cur.start,
                        cur.kind.to_string(),
                        ErrorKind::TooLarge {
                            size: (buf.len() + n) as u64,
                            max,
                        },
                    ));
                }
                buf.extend_from_slice(bytes.get(..n).unwrap_or(&[]));
            } else if cur.size.is_none() {
                // An mdat running to the end: still bounded by the mdat cap.
                let payload = cur.consumed + n as u64 - u64::from(cur.header_len);
                if payload > self.limits.max_mdat_bytes {
                    return Err(Error::new(
                        cur.start,
                        cur.kind.to_string(),
                        ErrorKind::TooLarge {
                            size: payload,
                            max: self.limits.max_mdat_bytes,
                        },
                    ));
                }
            }
            cur.consumed += n as u64;
            self.advance(n)?;
            if cur.size == Some(cur.consumed) {
                self.complete(cur)?;
            } else {
                self.current = Some(cur);
            }
            return Ok(n);
        }
        // Assemble the header.
        let need = self.header_needed().unwrap_or(8);
        let n = (need - self.head_len).min(bytes.len());
        if let (Some(dst), Some(src)) = (
            self.head.get_mut(self.head_len..self.head_len + n),
            bytes.get(..n),
        ) {
            dst.copy_from_slice(src);
        }
        self.head_len += n;
        self.advance(n)?;
        let need = self.header_needed().unwrap_or(8);
        if self.head_len < need {
            return Ok(n);
        }
        // With 8 bytes we may learn the header is longer (largesize, uuid).
        self.start_box()?;
        Ok(n)
    }

    /// The header is complete: check the size and set up the body.
    fn start_box(&mut self) -> Result<(), Error> {
        let header_len = self.head_len;
        let start = self.pos - header_len as u64;
        self.head_len = 0;
        let h = self.head;
        let head = BoxHeader::parse(h.get(..header_len).unwrap_or(&[]), start).map_err(|e| {
            let path = e.kind.map_or_else(|| "?".to_string(), |k| k.to_string());
            let kind = match e.error {
                crate::bmff::ErrorKind::SizeTooSmall { size, header_len } => {
                    ErrorKind::SizeTooSmall { size, header_len }
                }
                other => ErrorKind::Box(other),
            };
            Error::new(start, path, kind)
        })?;
        let (kind, size) = (head.kind, head.size);
        let path = kind.to_string();
        let is_mdat = kind.0 == *b"mdat";
        if let Some(s) = size {
            let (declared, max) = if is_mdat {
                (s - header_len as u64, self.limits.max_mdat_bytes)
            } else {
                (s, self.limits.max_box_bytes)
            };
            if declared > max {
                return Err(Error::new(
                    start,
                    path,
                    ErrorKind::TooLarge {
                        size: declared,
                        max,
                    },
                ));
            }
        }
        let buf = (!is_mdat).then(|| h.get(..header_len).unwrap_or(&[]).to_vec());
        let cur = Current {
            kind,
            start,
            header_len: header_len as u8,
            size,
            buf,
            consumed: header_len as u64,
        };
        if size == Some(header_len as u64) {
            self.complete(cur)
        } else {
            self.current = Some(cur);
            Ok(())
        }
    }

    /// A box is complete (or, for size 0, the stream ended).
    fn complete(&mut self, cur: Current) -> Result<(), Error> {
        let range = cur.start..cur.start + cur.consumed;
        match &cur.kind.0 {
            b"moof" => {
                if let Some(p) = self.pending.take() {
                    return Err(p.without_mdat());
                }
                let buf = cur.buf.unwrap_or_default();
                let idx = Index::parse_with(&buf, cur.start, Depth::TopAndMoof)?;
                let resolved = moof::resolve_moof(&buf, &idx, 0, &self.defaults.trex)?;
                let tracks = resolved
                    .trafs
                    .iter()
                    .map(|t| ChunkTrack {
                        track_id: t.track_id,
                        timescale: self
                            .defaults
                            .timescales
                            .iter()
                            .find(|(id, _)| *id == t.track_id)
                            .map(|(_, ts)| *ts),
                        decode_time: t.decode_time,
                        duration: t.duration(),
                        sample_count: t.samples.len() as u64,
                        starts_with_sync: t.samples.first().map(|s| s.is_sync()),
                        sample_bytes: t.samples.iter().map(|s| u64::from(s.size)).sum(),
                    })
                    .collect();
                self.pending = Some(PendingMoof {
                    range,
                    sequence_number: resolved.sequence_number,
                    tracks,
                });
            }
            b"mdat" => match self.pending.take() {
                Some(p) => {
                    let first = p.tracks.first();
                    self.events.push_back(StreamEvent::Chunk(Chunk {
                        range: p.range.start..range.end,
                        mdat_payload: range.start + u64::from(cur.header_len)..range.end,
                        sequence_number: p.sequence_number,
                        decode_time: first.and_then(|t| t.decode_time),
                        duration: first.map_or(0, |t| t.duration),
                        sample_count: p.tracks.iter().map(|t| t.sample_count).sum(),
                        starts_with_sync: first.and_then(|t| t.starts_with_sync).unwrap_or(false),
                        moof: p.range,
                        tracks: p.tracks,
                    }));
                }
                None => self.push_box(&cur, range),
            },
            b"moov" => {
                let buf = cur.buf.as_deref().unwrap_or(&[]);
                self.defaults = moof::moov_defaults(buf, cur.start)?;
                self.push_box(&cur, range);
            }
            _ => self.push_box(&cur, range),
        }
        Ok(())
    }

    fn push_box(&mut self, cur: &Current, range: Range<u64>) {
        self.events.push_back(StreamEvent::Box(TopBox {
            kind: cur.kind,
            range,
            header_len: cur.header_len,
            to_end: cur.size.is_none(),
        }));
    }
}

/// Parses a whole stream at once (push everything, then finish): the events in order.
///
/// ```
/// let free = [0, 0, 0, 8, b'f', b'r', b'e', b'e'];
/// let ev = dashkit::cmaf::parse_all(&free).unwrap();
/// assert_eq!(ev.len(), 1);
/// ```
pub fn parse_all(bytes: &[u8]) -> Result<Vec<StreamEvent>, Error> {
    let mut p = Parser::new();
    p.push(bytes)?;
    p.finish()?;
    Ok(p.drain().collect())
}

#[cfg(test)]
pub(crate) mod tests;
