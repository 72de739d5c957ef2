//! Zero-copy segment rewriting: set tfdt baseMediaDecodeTime, mfhd sequence_number, rewrite,
//! drop or insert `sidx`, insert `emsg` boxes. The result is a [`Rewritten`]: owned copies of the
//! few boxes that changed (moof, sidx, inserted boxes) and borrowed slices of the input for
//! everything else, every `mdat` payload included, ready for vectored writes.
//!
//! When a box changes size (a version 0 `tfdt` that must hold a value of 2^32 or more grows to
//! version 1; a `sidx` grows likewise; boxes are inserted or dropped), every dependent value is
//! fixed in the same pass (ISO/IEC 14496-12 §8.8.7, §8.8.8, §8.7.9, §8.16.3; rules in
//! `docs/box-rewrite.md#size-changes`): the sizes of the enclosing `traf` and `moof`, every `trun`
//! data_offset of every `traf` whose data base is the `moof` (or an absolute base_data_offset),
//! `saio` offsets that point past the insertion, `tfhd` base_data_offset values that point past
//! it, and the `referenced_size` (or `first_offset`) of every `sidx` reference covering it.
//!
//! Writing a field with its current value yields byte-identical output.
//!
//! ```
//! use dashkit::bmff::patch::{rewrite_segment, Edits, TfdtEdit, TfdtTarget};
//! # fn b(kind: &[u8; 4], payload: &[u8]) -> Vec<u8> {
//! #     let mut v = ((payload.len() + 8) as u32).to_be_bytes().to_vec();
//! #     v.extend_from_slice(kind); v.extend_from_slice(payload); v }
//! // moof { mfhd(1), traf { tfhd(track 1, base-is-moof), tfdt v0 = 0, trun(data_offset) } } mdat
//! let mfhd = b(b"mfhd", &[0, 0, 0, 0, 0, 0, 0, 1]);
//! let tfhd = b(b"tfhd", &[0, 2, 0, 0, 0, 0, 0, 1]);
//! let tfdt = b(b"tfdt", &[0, 0, 0, 0, 0, 0, 0, 0]);
//! let trun = b(b"trun", &[0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 80]); // 0 samples, data_offset 80
//! let traf = b(b"traf", &[tfhd, tfdt, trun].concat());
//! let moof = b(b"moof", &[mfhd, traf].concat());
//! let seg = [moof, b(b"mdat", b"media")].concat();
//! let edits = Edits { tfdt: vec![TfdtEdit { track_id: None, target: TfdtTarget::Set(1 << 33) }],
//!                     sequence_number: Some(5), ..Edits::default() };
//! let out = rewrite_segment(&seg, &edits).unwrap();
//! assert_eq!(out.len(), seg.len() + 4); // tfdt grew from version 0 to version 1
//! let bytes = out.to_vec();
//! assert_eq!(&bytes[bytes.len() - 5..], b"media");
//! ```

mod emsg;
mod fast;
mod mfhd;
mod sidx;
mod tfdt;

use std::io::IoSlice;

use super::boxes::{Emsg, Trex};
use super::index::{Depth, Index};
use super::{Error, ErrorKind};
use crate::timeline::Timescale;

/// One piece of a rewritten segment.
///
/// ```
/// use dashkit::bmff::patch::{rewrite_segment, Edits, Part};
/// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
/// let out = rewrite_segment(seg, &Edits { sequence_number: Some(9), ..Edits::default() })
///     .unwrap();
/// // The new mfhd is owned; the 32 kB of media data are borrowed from `seg`, not copied.
/// assert!(out.parts.iter().any(|p| matches!(p, Part::Owned(_))));
/// assert!(out.parts.iter().any(|p| matches!(p, Part::Borrowed(b) if b.len() > 32_000)));
/// let joined: Vec<u8> = out.parts.iter().flat_map(|p| p.as_bytes().to_vec()).collect();
/// assert_eq!(joined, out.to_vec());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part<'a> {
    /// New bytes (changed boxes, inserted boxes).
    Owned(Vec<u8>),
    /// Unchanged bytes of the input.
    Borrowed(&'a [u8]),
}

impl Part<'_> {
    /// The bytes of this part.
    ///
    /// ```
    /// use dashkit::bmff::patch::Part;
    /// assert_eq!(Part::Owned(vec![1, 2]).as_bytes(), &[1, 2]);
    /// assert_eq!(Part::Borrowed(b"mdat").as_bytes(), b"mdat");
    /// ```
    pub fn as_bytes(&self) -> &[u8] {
        match self {
            Part::Owned(v) => v,
            Part::Borrowed(s) => s,
        }
    }
}

/// A rewritten segment: owned header bytes and borrowed slices of the input, in order.
///
/// ```
/// use dashkit::bmff::patch::{rewrite_segment, Edits};
/// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
/// let out = rewrite_segment(seg, &Edits { sequence_number: Some(9), ..Edits::default() })
///     .unwrap();
/// assert_eq!(out.len(), seg.len()); // same size: the number is written in place
/// assert!(out.owned_len() <= 504); // at most the moof is copied, never the 32 kB mdat
/// assert_eq!(out.as_io_slices().len(), out.parts.len());
/// assert_ne!(out.to_vec(), seg.to_vec());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rewritten<'a> {
    /// The pieces, in output order.
    pub parts: Vec<Part<'a>>,
}

impl Rewritten<'_> {
    /// Total length in bytes.
    ///
    /// ```
    /// use dashkit::bmff::patch::{rewrite_segment, Edits};
    /// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
    /// let out = rewrite_segment(seg, &Edits { sequence_number: Some(9), ..Edits::default() }).unwrap();
    /// assert_eq!(out.len(), seg.len());
    /// ```
    pub fn len(&self) -> usize {
        self.parts.iter().map(|p| p.as_bytes().len()).sum()
    }

    /// True when the output is empty.
    ///
    /// ```
    /// use dashkit::bmff::patch::{rewrite_segment, Edits};
    /// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
    /// let out = rewrite_segment(seg, &Edits { sequence_number: Some(9), ..Edits::default() }).unwrap();
    /// assert!(!out.is_empty());
    /// assert!(dashkit::bmff::patch::Rewritten::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The whole output as one vector (copies; for tests and small outputs).
    ///
    /// ```
    /// use dashkit::bmff::patch::{rewrite_segment, Edits};
    /// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
    /// let out = rewrite_segment(seg, &Edits { sequence_number: Some(9), ..Edits::default() }).unwrap();
    /// let bytes = out.to_vec();
    /// assert_eq!(&bytes[84..100][12..], &9u32.to_be_bytes()); // mfhd at 84: sequence_number 9
    /// assert_eq!(bytes[580..], seg[580..]);
    /// ```
    pub fn to_vec(&self) -> Vec<u8> {
        let mut v = Vec::with_capacity(self.len());
        for p in &self.parts {
            v.extend_from_slice(p.as_bytes());
        }
        v
    }

    /// The parts as IO slices for `write_vectored`.
    ///
    /// ```
    /// use dashkit::bmff::patch::{rewrite_segment, Edits};
    /// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
    /// let out = rewrite_segment(seg, &Edits { sequence_number: Some(9), ..Edits::default() }).unwrap();
    /// use std::io::Write;
    /// let mut sink = Vec::new();
    /// for s in out.as_io_slices() {
    ///     sink.write_all(&s).unwrap();
    /// }
    /// assert_eq!(sink, out.to_vec());
    /// ```
    pub fn as_io_slices(&self) -> Vec<IoSlice<'_>> {
        self.parts
            .iter()
            .map(|p| IoSlice::new(p.as_bytes()))
            .collect()
    }

    /// Bytes held in owned parts (what the rewrite copied or created).
    ///
    /// ```
    /// use dashkit::bmff::patch::{rewrite_segment, Edits};
    /// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
    /// let out = rewrite_segment(seg, &Edits { sequence_number: Some(9), ..Edits::default() }).unwrap();
    /// assert!(out.owned_len() < out.len() / 10); // most bytes are borrowed
    /// ```
    pub fn owned_len(&self) -> usize {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Owned(v) => v.len(),
                Part::Borrowed(_) => 0,
            })
            .sum()
    }
}

/// Change a track's tfdt `baseMediaDecodeTime`.
///
/// ```
/// use dashkit::bmff::patch::{rewrite_segment, Edits, TfdtEdit, TfdtTarget};
/// use dashkit::bmff::samples::track_samples;
/// let init = include_bytes!("../../../../fixtures/dash/ffmpeg_number/init-0.m4s");
/// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
/// // Track 2 is not in this segment: that edit changes nothing.
/// let edits = Edits {
///     tfdt: vec![
///         TfdtEdit { track_id: Some(1), target: TfdtTarget::Set(128_000) },
///         TfdtEdit { track_id: Some(2), target: TfdtTarget::Set(0) },
///     ],
///     ..Edits::default()
/// };
/// let out = rewrite_segment(seg, &edits).unwrap().to_vec();
/// let video = &track_samples(Some(init), &out, 0).unwrap()[0];
/// assert_eq!(video.fragments[0].decode_time, 128_000);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TfdtEdit {
    /// The track (tfhd track_ID); `None` means every track.
    pub track_id: Option<u32>,
    /// What the decode times become.
    pub target: TfdtTarget,
}

/// How a [`TfdtEdit`] moves a track's decode times. Every `traf` of the track moves by the
/// same amount, so the spacing of its `moof`s is kept.
///
/// ```
/// use dashkit::bmff::patch::{rewrite_segment, Edits, TfdtEdit, TfdtTarget};
/// use dashkit::bmff::samples::track_samples;
/// let init = include_bytes!("../../../../fixtures/dash/ffmpeg_number/init-0.m4s");
/// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00002.m4s");
/// let decode_time = |target| {
///     let edits = Edits { tfdt: vec![TfdtEdit { track_id: None, target }], ..Edits::default() };
///     let out = rewrite_segment(seg, &edits).unwrap().to_vec();
///     track_samples(Some(init), &out, 0).unwrap()[0].fragments[0].decode_time
/// };
/// assert_eq!(decode_time(TfdtTarget::Set(1_000)), 1_000);
/// assert_eq!(decode_time(TfdtTarget::Add(1_000)), 25_874 + 1_000); // was 25 874
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TfdtTarget {
    /// The track's first `traf` in the segment gets this decode time.
    Set(u64),
    /// Every `traf` of the track gets this many ticks added (a live shift: no need to read
    /// the old value first).
    Add(u64),
}

impl TfdtEdit {
    /// How far the track moves, given the decode time of its first `traf`.
    pub(super) fn delta(&self, first_decode_time: u64) -> i128 {
        match self.target {
            TfdtTarget::Set(v) => i128::from(v) - i128::from(first_decode_time),
            TfdtTarget::Add(d) => i128::from(d),
        }
    }
}

/// What to do with `sidx` boxes.
///
/// ```
/// use dashkit::bmff::patch::{rewrite_segment, Edits, SidxEdit};
/// use dashkit::bmff::{Index, Sidx};
/// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
/// // styp, sidx (52 bytes), moof, mdat.
/// let dropped = rewrite_segment(seg, &Edits { sidx: SidxEdit::Drop, ..Edits::default() })
///     .unwrap();
/// assert_eq!(dropped.len(), seg.len() - 52);
/// let set = SidxEdit::Set { earliest_presentation_time: Some(512), first_offset: None };
/// let out = rewrite_segment(seg, &Edits { sidx: set, ..Edits::default() }).unwrap().to_vec();
/// let at = Index::parse(&out).unwrap().find("sidx").unwrap();
/// let sidx = Sidx::parse(&out[Index::parse(&out).unwrap().boxes()[at].range()], 0).unwrap();
/// assert_eq!(sidx.earliest_presentation_time, 512);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SidxEdit {
    /// Keep them; referenced sizes still follow any size change.
    #[default]
    Keep,
    /// Set fields of every top-level sidx (growing version 0 to 1 when a value needs it).
    Set {
        /// New `earliest_presentation_time`.
        earliest_presentation_time: Option<u64>,
        /// New `first_offset`.
        first_offset: Option<u64>,
    },
    /// Remove every top-level sidx.
    Drop,
    /// Remove existing top-level sidx boxes and insert one computed from the moofs.
    Insert(NewSidx),
}

/// Parameters of a computed `sidx`: one reference per `moof` (with its `mdat`).
///
/// ```
/// use dashkit::bmff::patch::{rewrite_segment, Edits, NewSidx, SidxEdit};
/// use dashkit::bmff::{Index, Sidx};
/// use dashkit::timeline::Timescale;
/// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
/// let new = NewSidx {
///     reference_track_id: None,
///     timescale: Timescale::new(12_800).unwrap(),
///     earliest_presentation_time: None,
///     defaults: vec![],
/// };
/// let edits = Edits { sidx: SidxEdit::Insert(new), ..Edits::default() };
/// let out = rewrite_segment(seg, &edits).unwrap().to_vec();
/// let idx = Index::parse(&out).unwrap();
/// let sidx = Sidx::parse(&out[idx.boxes()[idx.find("sidx").unwrap()].range()], 0).unwrap();
/// // The same reference as the one ffmpeg wrote: the moof and mdat, 25 874 ticks.
/// assert_eq!((sidx.reference_id, sidx.timescale), (1, 12_800));
/// assert_eq!(sidx.references.len(), 1);
/// assert_eq!(sidx.references[0].referenced_size, 504 + 32_719);
/// assert_eq!(sidx.references[0].subsegment_duration, 25_874);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSidx {
    /// `reference_ID`; `None` takes the first traf's track.
    pub reference_track_id: Option<u32>,
    /// `timescale` (the track's mdhd timescale).
    pub timescale: Timescale,
    /// `earliest_presentation_time`; `None` computes min(decode time + composition offset) of
    /// the first moof's samples (no edit list applied).
    pub earliest_presentation_time: Option<u64>,
    /// `trex` defaults from the init segment, for fragments whose trun/tfhd lack durations.
    pub defaults: Vec<Trex>,
}

/// The edits one [`rewrite_segment`] applies.
///
/// ```
/// use dashkit::bmff::patch::{rewrite_segment, Edits};
/// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
/// // No edit: the output is the input, byte for byte, and nothing is copied.
/// let out = rewrite_segment(seg, &Edits::default()).unwrap();
/// assert_eq!(out.to_vec(), seg.to_vec());
/// assert_eq!(out.owned_len(), 0);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Edits {
    /// tfdt changes.
    pub tfdt: Vec<TfdtEdit>,
    /// New mfhd sequence_number of the first `moof`; later moofs get consecutive numbers.
    pub sequence_number: Option<u32>,
    /// sidx handling.
    pub sidx: SidxEdit,
    /// `emsg` boxes to insert before the first `moof` (after styp, sidx and prft).
    pub emsg: Vec<Emsg>,
    /// Absolute file offset of the segment's first byte (for absolute tfhd base_data_offset).
    pub segment_offset: u64,
}

/// A replacement of `old_len` input bytes at `at` by new bytes.
#[derive(Debug, Clone)]
struct Patch {
    at: usize,
    old_len: usize,
    new: NewBytes,
}

#[derive(Debug, Clone)]
enum NewBytes {
    Inline([u8; 8], u8),
    Heap(Vec<u8>),
}

impl NewBytes {
    fn as_slice(&self) -> &[u8] {
        match self {
            NewBytes::Inline(b, n) => b.get(..usize::from(*n)).unwrap_or(&[]),
            NewBytes::Heap(v) => v,
        }
    }
}

/// A change of length at absolute position `at`: `delta` bytes appear (or vanish) there.
#[derive(Debug, Clone, Copy)]
struct Shift {
    at: u64,
    delta: i64,
    /// Inserted sidx: excluded from its own reference ranges.
    own_sidx: bool,
}

/// The state of one rewrite.
struct Plan<'a> {
    data: &'a [u8],
    index: Index,
    patches: Vec<Patch>,
    shifts: Vec<Shift>,
}

impl Plan<'_> {
    fn abs(&self, pos: usize) -> u64 {
        self.index.base() + pos as u64
    }

    /// New position of the byte at absolute `x` (insertions at or before it move it).
    fn shift_point(&self, x: u64) -> i128 {
        let mut v = i128::from(x);
        for s in &self.shifts {
            if s.at <= x {
                v += i128::from(s.delta);
            }
        }
        v
    }

    /// New position of a range boundary at `x`: insertions strictly before it move it, so an
    /// insertion at a boundary belongs to the range that starts there.
    fn shift_boundary(&self, x: u64, include_own_sidx: bool) -> i128 {
        let mut v = i128::from(x);
        for s in &self.shifts {
            if s.at < x && (include_own_sidx || !s.own_sidx) {
                v += i128::from(s.delta);
            }
        }
        v
    }

    /// Growth of a box spanning `[start, end)` (absolute): shifts strictly inside it.
    fn growth_inside(&self, start: u64, end: u64) -> i128 {
        self.shifts
            .iter()
            .filter(|s| s.at > start && s.at < end)
            .map(|s| i128::from(s.delta))
            .sum()
    }

    /// Replaces `len` bytes at `at` with `new` (big-endian, last `len` bytes of a u64) unless
    /// they already hold that value.
    fn set_uint(&mut self, at: usize, len: usize, value: u64) {
        let mut buf = [0u8; 8];
        let bytes = value.to_be_bytes();
        let src = bytes.get(8 - len.min(8)..).unwrap_or(&[]);
        if self.data.get(at..at + len) == Some(src) {
            return;
        }
        buf.get_mut(..src.len())
            .map(|b| b.copy_from_slice(src))
            .unwrap_or(());
        self.patches.push(Patch {
            at,
            old_len: len,
            new: NewBytes::Inline(buf, src.len() as u8),
        });
    }

    fn replace(&mut self, at: usize, old_len: usize, new: NewBytes) {
        self.patches.push(Patch { at, old_len, new });
    }

    fn err(&self, i: usize, at: usize, kind: ErrorKind) -> Error {
        Error::new(self.abs(at), self.index.path(i), kind)
    }

    /// Writes a new box size into the header of box `i` (32- or 64-bit, as the box had it).
    fn set_box_size(&mut self, i: usize, new_size: i128) -> Result<(), Error> {
        let b = self.index.boxes()[i].clone();
        if b.to_end {
            return Ok(());
        }
        if b.large {
            let v = u64::try_from(new_size)
                .map_err(|_| self.err(i, b.start, overflow("box size", new_size)))?;
            self.set_uint(b.start + 8, 8, v);
        } else {
            let v = u32::try_from(new_size)
                .map_err(|_| self.err(i, b.start, overflow("box size", new_size)))?;
            self.set_uint(b.start, 4, u64::from(v));
        }
        Ok(())
    }
}

fn overflow(field: &'static str, value: i128) -> ErrorKind {
    ErrorKind::Overflow {
        field,
        value: u64::try_from(value.max(0)).unwrap_or(u64::MAX),
    }
}

/// Rewrites a media segment (or a whole fragmented file) with `edits`, borrowing every byte
/// it does not change. Errors carry the absolute offset and box path of the offending field.
///
/// ```
/// use dashkit::bmff::patch::{rewrite_segment, Edits, TfdtEdit, TfdtTarget};
/// let seg = include_bytes!("../../../../fixtures/dash/ffmpeg_number/chunk-0-00001.m4s");
/// // A live shift: one hour later at 12 800 ticks per second.
/// let tfdt = vec![TfdtEdit { track_id: None, target: TfdtTarget::Add(3_600 * 12_800) }];
/// let out = rewrite_segment(seg, &Edits { tfdt, ..Edits::default() }).unwrap();
/// assert_eq!(out.len(), seg.len()); // a version 1 tfdt holds the new value in place
/// assert_eq!(out.to_vec()[580..], seg[580..]); // the mdat is unchanged
/// // A truncated segment is an error with the offset of the box that does not fit.
/// let e = rewrite_segment(&seg[..100], &Edits::default()).unwrap_err();
/// assert_eq!((e.offset, e.path.as_str()), (76, "moof"));
/// ```
pub fn rewrite_segment<'a>(data: &'a [u8], edits: &Edits) -> Result<Rewritten<'a>, Error> {
    // In-place tfdt/mfhd changes (the live-shift case) need no index and no size fix-ups.
    if let Some(out) = fast::try_rewrite(data, edits) {
        return Ok(out);
    }
    rewrite_general(data, edits)
}

/// The general rewrite: indexes the top level and the moof subtrees, plans every change and
/// fixes sizes and offsets.
fn rewrite_general<'a>(data: &'a [u8], edits: &Edits) -> Result<Rewritten<'a>, Error> {
    let index = Index::parse_with(data, edits.segment_offset, Depth::TopAndMoof)?;
    let mut plan = Plan {
        data,
        index,
        patches: Vec::with_capacity(8),
        shifts: Vec::new(),
    };
    let moofs = moof::collect(&plan)?;
    // 1. Structural changes (their lengths are known before any value is computed).
    let new_tfdts = tfdt::plan(&mut plan, &moofs, &edits.tfdt)?;
    let sidx_plan = sidx::plan_structure(&mut plan, &moofs, &edits.sidx, &new_tfdts)?;
    emsg::plan(&mut plan, &edits.emsg)?;
    // 2. Values that depend on the structure.
    mfhd::plan(&mut plan, &moofs, edits.sequence_number);
    moof::fix(&mut plan, &moofs)?;
    sidx::fix(&mut plan, &moofs, sidx_plan)?;
    Ok(emit(plan))
}

/// Builds the output: top-level boxes with patches are copied with the patches applied,
/// the others are borrowed.
fn emit<'a>(mut plan: Plan<'a>) -> Rewritten<'a> {
    plan.patches.sort_by_key(|p| (p.at, p.old_len != 0));
    let index = &plan.index;
    let tops = index.top().map(|i| {
        let b = &index.boxes()[i];
        (b.start, b.end())
    });
    emit_parts(plan.data, tops, &plan.patches)
}

/// Builds the output from the top-level boxes `tops` (start, end) and `patches` sorted by
/// position (insertions before replacements at the same place).
fn emit_parts<'a>(
    data: &'a [u8],
    tops: impl Iterator<Item = (usize, usize)>,
    patches: &[Patch],
) -> Rewritten<'a> {
    let mut out = Rewritten {
        parts: Vec::with_capacity(4),
    };
    let mut owned: Vec<u8> = Vec::new();
    let mut borrowed: Option<(usize, usize)> = None;
    let mut p = 0usize;
    let flush_borrowed = |out: &mut Rewritten<'a>, borrowed: &mut Option<(usize, usize)>| {
        if let Some((s, e)) = borrowed.take() {
            if let Some(sl) = data.get(s..e) {
                out.parts.push(Part::Borrowed(sl));
            }
        }
    };
    for (s, e) in tops.chain(std::iter::once((data.len(), data.len()))) {
        // Insertions before this box.
        while let Some(pt) = patches.get(p).filter(|pt| pt.at == s && pt.old_len == 0) {
            flush_borrowed(&mut out, &mut borrowed);
            owned.extend_from_slice(pt.new.as_slice());
            p += 1;
        }
        if s == e {
            continue;
        }
        let first = p;
        while patches.get(p).is_some_and(|pt| pt.at < e) {
            p += 1;
        }
        if first == p {
            if !owned.is_empty() {
                out.parts.push(Part::Owned(std::mem::take(&mut owned)));
            }
            borrowed = match borrowed {
                Some((bs, be)) if be == s => Some((bs, e)),
                other => {
                    if let Some((bs, be)) = other {
                        if let Some(sl) = data.get(bs..be) {
                            out.parts.push(Part::Borrowed(sl));
                        }
                    }
                    Some((s, e))
                }
            };
            continue;
        }
        flush_borrowed(&mut out, &mut borrowed);
        owned.reserve(e - s + 16);
        let mut cur = s;
        for pt in patches.get(first..p).unwrap_or(&[]) {
            if let Some(sl) = data.get(cur..pt.at) {
                owned.extend_from_slice(sl);
            }
            owned.extend_from_slice(pt.new.as_slice());
            cur = pt.at + pt.old_len;
        }
        if let Some(sl) = data.get(cur.min(e)..e) {
            owned.extend_from_slice(sl);
        }
    }
    flush_borrowed(&mut out, &mut borrowed);
    if !owned.is_empty() {
        out.parts.push(Part::Owned(owned));
    }
    out
}

/// The moof subtree facts the rewrite needs.
mod moof {
    use super::super::boxes::{DataBase, Tfhd, TFHD_BASE_DATA_OFFSET};
    use super::*;

    /// One `traf`.
    #[derive(Debug, Clone)]
    pub(super) struct Traf {
        pub(super) i: usize,
        pub(super) tfhd: Tfhd,
        pub(super) tfhd_i: usize,
        pub(super) tfdt_i: Option<usize>,
        /// Data base in old absolute coordinates, or None when it is the end of the previous
        /// traf's data (implicit base of a later traf: both ends move together).
        pub(super) base: Option<u64>,
    }

    /// One top-level `moof`.
    #[derive(Debug, Clone)]
    pub(super) struct Moof {
        pub(super) i: usize,
        pub(super) mfhd_i: Option<usize>,
        pub(super) trafs: Vec<Traf>,
        /// Why the trafs could not all be read (a traf without a readable tfhd).
        pub(super) broken: Option<Error>,
    }

    impl Moof {
        /// Fails if a traf could not be read.
        pub(super) fn check(&self) -> Result<(), Error> {
            match &self.broken {
                Some(e) => Err(e.clone()),
                None => Ok(()),
            }
        }
    }

    pub(super) fn collect(plan: &Plan<'_>) -> Result<Vec<Moof>, Error> {
        let idx = &plan.index;
        let mut out = Vec::with_capacity(2);
        for m in idx.top().filter(|&i| idx.boxes()[i].is(b"moof")) {
            let moof_start = idx.boxes()[m].offset;
            let mut moof = Moof {
                i: m,
                mfhd_i: idx.child(m, b"mfhd"),
                trafs: Vec::with_capacity(2),
                broken: None,
            };
            for (k, t) in idx
                .children(m)
                .filter(|&c| idx.boxes()[c].is(b"traf"))
                .enumerate()
            {
                let parsed = idx
                    .child(t, b"tfhd")
                    .ok_or_else(|| {
                        Error::new(
                            idx.boxes()[t].offset,
                            idx.path(t),
                            ErrorKind::Missing {
                                fourcc: super::super::FourCc(*b"tfhd"),
                            },
                        )
                    })
                    .and_then(|tfhd_i| {
                        let tb = &idx.boxes()[tfhd_i];
                        Tfhd::parse(&plan.data[tb.range()], tb.offset)
                            .map(|h| (tfhd_i, h))
                            .map_err(|e| e.in_path(idx.path(tfhd_i)))
                    });
                let (tfhd_i, tfhd) = match parsed {
                    Ok(v) => v,
                    Err(e) => {
                        // Only an error if an edit needs this moof (a no-op stays a no-op).
                        moof.broken = Some(e);
                        break;
                    }
                };
                let base = match tfhd.data_base(k) {
                    DataBase::Explicit(b) => Some(b),
                    DataBase::Moof => Some(moof_start),
                    // Both ends move together: nothing to fix.
                    DataBase::AfterPrevious => None,
                };
                moof.trafs.push(Traf {
                    i: t,
                    tfhd,
                    tfhd_i,
                    tfdt_i: idx.child(t, b"tfdt"),
                    base,
                });
            }
            out.push(moof);
        }
        Ok(out)
    }

    /// Box sizes, trun data_offsets, saio offsets and tfhd base_data_offsets after the
    /// structural changes.
    pub(super) fn fix(plan: &mut Plan<'_>, moofs: &[Moof]) -> Result<(), Error> {
        if plan.shifts.is_empty() {
            return Ok(());
        }
        for m in moofs {
            m.check()?;
            let mb = plan.index.boxes()[m.i].clone();
            let g = plan.growth_inside(mb.offset, mb.offset + mb.size);
            if g != 0 {
                plan.set_box_size(m.i, i128::from(mb.size) + g)?;
            }
            for t in &m.trafs {
                let tb = plan.index.boxes()[t.i].clone();
                let g = plan.growth_inside(tb.offset, tb.offset + tb.size);
                if g != 0 {
                    plan.set_box_size(t.i, i128::from(tb.size) + g)?;
                }
                let Some(base) = t.base else { continue };
                let new_base = plan.shift_point(base);
                if t.tfhd.flags & TFHD_BASE_DATA_OFFSET != 0 {
                    let hb = &plan.index.boxes()[t.tfhd_i];
                    let at = hb.start + hb.header_len + 8;
                    let v = u64::try_from(new_base).map_err(|_| {
                        plan.err(t.tfhd_i, at, overflow("base_data_offset", new_base))
                    })?;
                    plan.set_uint(at, 8, v);
                }
                let truns: Vec<usize> = plan
                    .index
                    .children(t.i)
                    .filter(|&c| plan.index.boxes()[c].is(b"trun"))
                    .collect();
                let saios: Vec<usize> = plan
                    .index
                    .children(t.i)
                    .filter(|&c| plan.index.boxes()[c].is(b"saio"))
                    .collect();
                for &r in &truns {
                    let rb = plan.index.boxes()[r].clone();
                    let p = rb.start + rb.header_len;
                    let flags = read_u32(plan.data, p).unwrap_or(0) & 0xFF_FFFF;
                    if flags & super::super::boxes::TRUN_DATA_OFFSET == 0 {
                        continue;
                    }
                    let at = p + 8;
                    let Some(old) = read_u32(plan.data, at) else {
                        return Err(plan.err(
                            r,
                            at,
                            ErrorKind::Truncated {
                                needed: 4,
                                available: 0,
                            },
                        ));
                    };
                    let target = i128::from(base) + i128::from(old as i32);
                    let new = shift_i128(plan, target) - new_base;
                    let v = i32::try_from(new)
                        .map_err(|_| plan.err(r, at, overflow("trun.data_offset", new)))?;
                    plan.set_uint(at, 4, u64::from(v as u32));
                }
                for &s in &saios {
                    let sb = plan.index.boxes()[s].clone();
                    let saio = super::super::boxes::Saio::parse(&plan.data[sb.range()], sb.offset)
                        .map_err(|e| e.in_path(plan.index.path(s)))?;
                    let w = if saio.version == 1 { 8 } else { 4 };
                    for (k, &old) in saio.offsets.iter().enumerate() {
                        let at = sb.start + saio.offsets_at + k * w;
                        let target = i128::from(base) + i128::from(old);
                        let new = shift_i128(plan, target) - new_base;
                        let ok = if w == 4 {
                            u32::try_from(new).ok().map(u64::from)
                        } else {
                            u64::try_from(new).ok()
                        };
                        let v = ok.ok_or_else(|| plan.err(s, at, overflow("saio.offset", new)))?;
                        plan.set_uint(at, w, v);
                    }
                }
            }
        }
        Ok(())
    }

    fn shift_i128(plan: &Plan<'_>, x: i128) -> i128 {
        match u64::try_from(x) {
            Ok(v) => plan.shift_point(v),
            Err(_) => x,
        }
    }

    pub(super) fn read_u32(data: &[u8], at: usize) -> Option<u32> {
        let b = data.get(at..at + 4)?;
        Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}

use moof::Moof;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bmff::boxes::{Tfhd, Trun};
    use crate::bmff::samples::track_samples;

    use crate::bmff::testbox::{bx, full, u32s};

    /// Sample bytes per track, found through the samples view.
    fn sample_bytes(data: &[u8], base: u64) -> Vec<Vec<Vec<u8>>> {
        track_samples(None, data, base)
            .unwrap()
            .iter()
            .map(|t| {
                t.samples
                    .iter()
                    .map(|s| {
                        let a = (s.offset - base) as usize;
                        data[a..a + s.size as usize].to_vec()
                    })
                    .collect()
            })
            .collect()
    }

    fn field(data: &[u8], kind: &[u8; 4], n: usize) -> (usize, BoxRefLite) {
        let idx = Index::parse(data).unwrap();
        let i = idx.all(kind).nth(n).unwrap();
        let b = &idx.boxes()[i];
        (
            b.start,
            BoxRefLite {
                start: b.start,
                end: b.end(),
            },
        )
    }
    struct BoxRefLite {
        start: usize,
        end: usize,
    }

    /// Mode 1 (absolute base_data_offset, ffmpeg's plain fMP4): growing the first moof's tfdt
    /// moves the second moof, so its base_data_offset grows by 4 while data offsets relative to
    /// unmoved bases stay.
    #[test]
    fn absolute_base_data_offset_in_later_moofs_moves() {
        let seg_offset = 5000u64;
        let make_moof = |moof_at: u64, tfdt: Vec<u8>, payload_len: u32| {
            // tfhd: base_data_offset + default size 2; trun: 2 samples, data_offset.
            let mut tfhd_body = u32s(&[1]);
            tfhd_body.extend_from_slice(&moof_at.to_be_bytes());
            tfhd_body.extend_from_slice(&u32s(&[2]));
            let tfhd = full(b"tfhd", 0, 0x11, &tfhd_body);
            let trun = full(b"trun", 0, 0x1, &u32s(&[2, 0]));
            let traf = bx(b"traf", &[tfhd, tfdt, trun].concat());
            let mut moof = bx(b"moof", &[full(b"mfhd", 0, 0, &u32s(&[1])), traf].concat());
            let len = moof.len();
            let at = len - 4;
            moof[at..].copy_from_slice(&((len + 8) as u32).to_be_bytes());
            let _ = payload_len;
            moof
        };
        let m1 = make_moof(seg_offset, full(b"tfdt", 0, 0, &u32s(&[10])), 4);
        let m1_len = m1.len() + 12;
        let mut tfdt1 = vec![0u8; 8];
        tfdt1[7] = 12;
        let m2 = make_moof(seg_offset + m1_len as u64, full(b"tfdt", 1, 0, &tfdt1), 4);
        let data = [m1, bx(b"mdat", b"abcd"), m2, bx(b"mdat", b"efgh")].concat();
        let before = sample_bytes(&data, seg_offset);
        assert_eq!(
            before[0],
            vec![
                b"ab".to_vec(),
                b"cd".to_vec(),
                b"ef".to_vec(),
                b"gh".to_vec()
            ]
        );
        let edits = Edits {
            tfdt: vec![TfdtEdit {
                track_id: Some(1),
                target: TfdtTarget::Set(1 << 32),
            }],
            segment_offset: seg_offset,
            ..Edits::default()
        };
        let out = rewrite_segment(&data, &edits).unwrap().to_vec();
        assert_eq!(out.len(), data.len() + 4);
        assert_eq!(sample_bytes(&out, seg_offset), before);
        let (s, _) = field(&out, b"tfhd", 1);
        let t = Tfhd::parse(&out[s..s + 28], 0).unwrap();
        assert_eq!(t.base_data_offset, Some(seg_offset + m1_len as u64 + 4));
        let (s, r) = field(&out, b"trun", 0);
        assert_eq!(
            Trun::parse(&out[s..r.end], 0).unwrap().data_offset,
            Some(m1_len as i32 - 12 + 8 + 4)
        );
        let _ = r.start;
    }

    /// Mode 3 (no base flags): the first traf's base is the moof, a later traf's base is the
    /// end of the previous traf's data, so its data_offset 0 must stay 0.
    #[test]
    fn implicit_base_later_traf_keeps_its_offset() {
        let traf1 = bx(
            b"traf",
            &[
                full(b"tfhd", 0, 0x10, &u32s(&[1, 3])),
                full(b"tfdt", 0, 0, &u32s(&[100])),
                full(b"trun", 0, 0x1, &u32s(&[2, 0])),
            ]
            .concat(),
        );
        let traf2 = bx(
            b"traf",
            &[
                full(b"tfhd", 0, 0x10, &u32s(&[2, 5])),
                full(b"tfdt", 0, 0, &u32s(&[200])),
                full(b"trun", 0, 0x1, &u32s(&[1, 0])),
            ]
            .concat(),
        );
        let mfhd = full(b"mfhd", 0, 0, &u32s(&[1]));
        let mut moof = bx(b"moof", &[mfhd, traf1, traf2].concat());
        let len = moof.len();
        let (s, _) = field(&moof, b"trun", 0);
        moof[s + 16..s + 20].copy_from_slice(&((len + 8) as u32).to_be_bytes());
        let data = [moof, bx(b"mdat", b"aaabbbccccc")].concat();
        let before = sample_bytes(&data, 0);
        assert_eq!(before[1], vec![b"ccccc".to_vec()]);
        let out = rewrite_segment(
            &data,
            &Edits {
                tfdt: vec![TfdtEdit {
                    track_id: None,
                    target: TfdtTarget::Set(1 << 32),
                }],
                ..Edits::default()
            },
        )
        .unwrap()
        .to_vec();
        assert_eq!(out.len(), data.len() + 8);
        assert_eq!(sample_bytes(&out, 0), before);
        let (s, r) = field(&out, b"trun", 1);
        assert_eq!(Trun::parse(&out[s..r.end], 0).unwrap().data_offset, Some(0));
        let (s, r) = field(&out, b"trun", 0);
        assert_eq!(
            Trun::parse(&out[s..r.end], 0).unwrap().data_offset,
            Some(len as i32 + 8 + 8)
        );
    }

    #[test]
    fn data_offset_overflow_is_an_error_with_path() {
        let traf = bx(
            b"traf",
            &[
                full(b"tfhd", 0, 0x020000, &u32s(&[1])),
                full(b"tfdt", 0, 0, &u32s(&[1])),
                full(b"trun", 0, 0x1, &u32s(&[0, i32::MAX as u32])),
            ]
            .concat(),
        );
        let data = bx(b"moof", &traf);
        let e = rewrite_segment(
            &data,
            &Edits {
                tfdt: vec![TfdtEdit {
                    track_id: None,
                    target: TfdtTarget::Set(1 << 40),
                }],
                ..Edits::default()
            },
        )
        .unwrap_err();
        assert_eq!(e.path, "moof/traf[0]/trun[0]");
        assert!(matches!(
            e.kind,
            ErrorKind::Overflow {
                field: "trun.data_offset",
                ..
            }
        ));
    }

    #[test]
    fn emsg_without_moof_is_an_error() {
        let data = bx(b"styp", b"msdh");
        let e = rewrite_segment(
            &data,
            &Edits {
                emsg: vec![Emsg {
                    version: 0,
                    scheme_id_uri: "a".into(),
                    value: String::new(),
                    timescale: 1,
                    presentation_time: 0,
                    event_duration: 0,
                    id: 0,
                    message_data: Vec::new(),
                }],
                ..Edits::default()
            },
        )
        .unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Missing { .. }));
    }
}
