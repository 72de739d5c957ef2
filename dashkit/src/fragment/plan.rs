//! Planning: from a progressive file's moov, decide where each track is cut and describe each
//! output fragment as owned header bytes (moof + mdat header) plus byte ranges of the input.
//!
//! Cuts (Bento4 mp4fragment's rules, with exact integer comparisons):
//! - The anchor is the selected track, else the first video track, else the first audio track,
//!   else the first track.
//! - Without `fragment_duration_ms`, an anchor that has non-sync samples is cut at every sync
//!   sample (one GOP a fragment); an all-sync anchor (audio) gets 2000 ms.
//! - With a duration D, the anchor's next cut is the sync sample (or the track end) nearest to
//!   the next point of the absolute grid D, 2D, 3D, ... after the fragment start rounded to the
//!   grid; the scan stops at the first candidate at or past the target; ties go to the earlier.
//! - Every other track is cut at the sync sample whose presentation time is nearest to the
//!   anchor cut's presentation time (ties to the earlier), compared as `a * ts_b` against
//!   `b * ts_a` in 128-bit integers. Presentation time = decode time + composition offset −
//!   the edit list's start (first non-empty media_time minus leading empty edits).

use std::collections::VecDeque;
use std::ops::Range;

use super::{Error, ForceIFrameSync, Options, TrackSelection};
use crate::bmff::boxes::{self, ElstEntry, Mdhd, Mvhd, Tkhd};
use crate::bmff::samples::Sample;
use crate::bmff::stbl::{SampleTable, Samples};
use crate::bmff::{FourCc, Index};
use crate::limits::MAX_SAMPLES_PER_RUN;
use crate::timeline::{rescale, Rounding, Timescale};

/// Where the input's boxes are: the caller reads the (small) ftyp and moov and tells where the
/// moov sits and how long the file is; sample data is never given to the planner.
///
/// ```
/// use dashkit::bmff::Index;
/// use dashkit::fragment::{plan_fragments, Input, Options};
/// let file = include_bytes!("../../../fixtures/media/aac_only.mp4");
/// let idx = Index::parse(file).unwrap();
/// let (ftyp, moov) = (&idx.boxes()[idx.find("ftyp").unwrap()], &idx.boxes()[idx.find("moov").unwrap()]);
/// let input = Input {
///     ftyp: Some(&file[ftyp.range()]),
///     moov: &file[moov.range()],
///     moov_offset: moov.offset,
///     file_len: file.len() as u64,
/// };
/// let plan = plan_fragments(&input, &Options::default()).unwrap();
/// assert_eq!(plan.tracks()[0].handler.to_string(), "soun");
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The whole `ftyp` box, if the input has one.
    pub ftyp: Option<&'a [u8]>,
    /// The whole `moov` box.
    pub moov: &'a [u8],
    /// Absolute offset of the moov in the input file.
    pub moov_offset: u64,
    /// Length of the input file in bytes (every sample must lie inside it).
    pub file_len: u64,
}

/// One output fragment of one track: write `header`, then copy `ranges` of the input in order.
///
/// ```
/// use dashkit::bmff::samples::track_samples;
/// use dashkit::fragment::{plan_fragments, read_input, Options};
/// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
/// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
///     Ok::<(), ()>(())
/// }).unwrap();
/// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
/// let first = plan.fragments().next().unwrap().unwrap();
/// assert_eq!((first.track_id, first.number, first.sequence_number), (1, 1, 1));
/// assert_eq!((first.decode_time, first.duration), (0, 50 * 512)); // 2 s at 25 fps, 12 800 ticks/s
/// // The fragment is its header followed by the input's bytes in `ranges`.
/// let mut bytes = first.header.clone();
/// for r in &first.ranges {
///     bytes.extend_from_slice(&file[r.start as usize..r.end as usize]);
/// }
/// assert_eq!(bytes.len() as u64, first.total_bytes());
/// let init = plan.init_segment().unwrap();
/// let video = &track_samples(Some(&init), &bytes, 0).unwrap()[0];
/// assert_eq!(video.samples.len(), 50);
/// assert_eq!(video.samples.iter().map(|s| u64::from(s.size)).sum::<u64>(), first.data_bytes());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FragmentOut {
    /// `track_ID`.
    pub track_id: u32,
    /// 1-based number of this fragment among its track's fragments.
    pub number: u32,
    /// mfhd sequence number.
    pub sequence_number: u32,
    /// Decode time of the first sample, in the output track timescale (tfdt, before `tfdt_start`).
    pub decode_time: u64,
    /// Sum of the sample durations, output track timescale.
    pub duration: u64,
    /// moof followed by the mdat header.
    pub header: Vec<u8>,
    /// Input byte ranges holding the mdat payload, in order (contiguous samples merged).
    pub ranges: Vec<Range<u64>>,
}

impl FragmentOut {
    /// Bytes of the mdat payload.
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
    /// let f = plan.fragments().next().unwrap().unwrap();
    /// let ranges: u64 = f.ranges.iter().map(|r| r.end - r.start).sum();
    /// assert_eq!(f.data_bytes(), ranges);
    /// ```
    pub fn data_bytes(&self) -> u64 {
        self.ranges.iter().map(|r| r.end - r.start).sum()
    }

    /// Bytes of the whole fragment (moof + mdat).
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
    /// let f = plan.fragments().next().unwrap().unwrap();
    /// assert_eq!(f.total_bytes(), f.header.len() as u64 + f.data_bytes());
    /// ```
    pub fn total_bytes(&self) -> u64 {
        self.header.len() as u64 + self.data_bytes()
    }
}

/// One track of the plan. Its samples stay in the moov's tables (read with a cursor when a
/// fragment is built), so a plan costs memory per fragment, never per sample.
///
/// ```
/// use dashkit::fragment::{plan_fragments, read_input, Options};
/// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
/// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
///     Ok::<(), ()>(())
/// }).unwrap();
/// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
/// let [video, audio] = plan.tracks() else { panic!() };
/// assert_eq!((video.track_id, video.handler.to_string().as_str()), (1, "vide"));
/// assert_eq!((video.timescale, video.width, video.height), (12_800, 320, 180));
/// assert_eq!(video.codec.as_deref(), Some("avc1.4d400c"));
/// assert_eq!((video.sample_count(), video.fragment_count()), (250, 5)); // 10 s, a GOP each
/// assert_eq!((audio.handler.to_string().as_str(), audio.sample_rate), ("soun", 48_000));
/// assert_eq!(audio.bounds.len(), video.bounds.len()); // cut at the same instants
/// ```
#[derive(Debug, Clone)]
pub struct TrackPlan<'a> {
    /// `track_ID`.
    pub track_id: u32,
    /// hdlr `handler_type` (`vide`, `soun`, ...).
    pub handler: FourCc,
    /// Output media timescale.
    pub timescale: u32,
    /// RFC 6381 codec string of the sample entry, when dashkit knows the codec.
    pub codec: Option<String>,
    /// tkhd width and height in pixels (0 for audio).
    pub width: u32,
    /// tkhd height in pixels.
    pub height: u32,
    /// Sample-entry sampling rate for audio (`samplerate` >> 16), 0 otherwise.
    pub sample_rate: u32,
    /// First sample index of each fragment, then the end index (so `bounds.len()` is the
    /// number of fragment slots + 1; a slot may be empty).
    pub bounds: Vec<usize>,
    pub(super) in_timescale: u32,
    pub(super) table: SampleTable<'a>,
    pub(super) stats: TrackStats,
    pub(super) shift: i64,
    pub(super) tkhd: Vec<u8>,
    pub(super) tkhd_duration: u64,
    pub(super) elst: Option<(u8, Vec<ElstEntry>)>,
    pub(super) edts: Option<Vec<u8>>,
    pub(super) mdhd: Vec<u8>,
    pub(super) mdhd_version: u8,
    pub(super) mdhd_header_len: usize,
    pub(super) hdlr: Vec<u8>,
    pub(super) media_header: Option<Vec<u8>>,
    pub(super) dinf: Option<Vec<u8>>,
    pub(super) stsd: Vec<u8>,
}

/// What one walk over a track's samples finds (at plan time, so that errors come before any
/// output is written).
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct TrackStats {
    /// Number of samples.
    pub(super) count: usize,
    /// Sum of the sample sizes, bytes.
    pub(super) bytes: u64,
    /// Decode time of the track end (last sample's decode time + duration), input ticks.
    pub(super) end_dts: i128,
    /// Composition offset of the first sample.
    pub(super) first_cto: i64,
    /// Every sample is a sync sample.
    pub(super) all_sync: bool,
    /// Some sample after the first is a sync sample.
    pub(super) later_sync: bool,
    /// The first negative composition offset: (1-based sample number, offset).
    pub(super) first_negative: Option<(u64, i64)>,
}

impl TrackStats {
    /// Walks every sample once; a sample whose bytes end past `file_len` is an error.
    fn walk(table: &SampleTable<'_>, track_id: u32, file_len: u64) -> Result<Self, Error> {
        let mut st = TrackStats {
            all_sync: true,
            ..TrackStats::default()
        };
        for (n, s) in table.samples().enumerate() {
            let end = s.offset.saturating_add(u64::from(s.size));
            if end > file_len {
                return Err(Error::SampleOutsideFile {
                    track_id,
                    sample_number: n as u64 + 1,
                    end,
                    file_len,
                });
            }
            if n == 0 {
                st.first_cto = s.composition_offset;
            } else if s.is_sync {
                st.later_sync = true;
            }
            st.all_sync &= s.is_sync;
            if s.composition_offset < 0 && st.first_negative.is_none() {
                st.first_negative = Some((n as u64 + 1, s.composition_offset));
            }
            st.end_dts = i128::from(s.decode_time) + i128::from(s.duration);
            st.count = n + 1;
            // Each sample is within the file (checked above), so this cannot overflow u64
            // before it passes the file length; the plan compares it with that length.
            st.bytes = st.bytes.saturating_add(u64::from(s.size));
        }
        Ok(st)
    }
}

impl<'a> TrackPlan<'a> {
    /// Number of input samples.
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
    /// assert_eq!(plan.tracks()[0].sample_count(), 250); // 10 s at 25 fps
    /// ```
    pub fn sample_count(&self) -> usize {
        self.stats.count
    }

    /// Sum of the input sample sizes in bytes: what the fragments of this track copy.
    ///
    /// ```
    /// # use dashkit::fragment::{plan_fragments, Input, Options};
    /// # let data = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/media/aac_only.mp4")).unwrap();
    /// # let idx = dashkit::bmff::Index::parse(&data).unwrap();
    /// # let m = &idx.boxes()[idx.find("moov").unwrap()];
    /// let plan = plan_fragments(
    ///     &Input { ftyp: None, moov: &data[m.range()], moov_offset: m.offset, file_len: data.len() as u64 },
    ///     &Options::default(),
    /// )?;
    /// assert!(plan.tracks()[0].sample_bytes() < data.len() as u64);
    /// # Ok::<(), dashkit::fragment::Error>(())
    /// ```
    pub fn sample_bytes(&self) -> u64 {
        self.stats.bytes
    }

    /// Number of non-empty fragments of this track.
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
    /// assert_eq!(plan.tracks()[0].fragment_count(), 5); // one 2 s GOP each
    /// let longer = Options { fragment_duration_ms: Some(4000), ..Options::default() };
    /// let plan = plan_fragments(&boxes.input().unwrap(), &longer).unwrap();
    /// assert_eq!(plan.tracks()[0].fragment_count(), 3); // 4 s, 4 s, 2 s
    /// ```
    pub fn fragment_count(&self) -> usize {
        self.bounds.windows(2).filter(|w| w[0] < w[1]).count()
    }

    /// The track's samples, from the first, read from the moov's tables.
    pub(super) fn samples(&self) -> Samples<'a> {
        self.table.samples()
    }

    /// Output time of an input decode time, exact when the timescale is kept.
    pub(super) fn out_time(&self, t: i128) -> Result<i128, Error> {
        if self.timescale == self.in_timescale {
            return Ok(t);
        }
        let from = Timescale::new(self.in_timescale)?;
        let to = Timescale::new(self.timescale)?;
        let t = i64::try_from(t).map_err(|_| Error::Overflow {
            what: "decode time",
        })?;
        Ok(i128::from(rescale(t, from, to, Rounding::Nearest)?))
    }

    /// Presentation time of the cut before sample `s`.
    pub(super) fn cut_time_of(&self, s: &Sample) -> i128 {
        i128::from(s.decode_time) + i128::from(s.composition_offset) - i128::from(self.shift)
    }

    /// Presentation time of the cut at the track end (with the first sample's offset).
    pub(super) fn end_cut_time(&self) -> i128 {
        self.stats.end_dts + i128::from(self.stats.first_cto) - i128::from(self.shift)
    }

    /// Presentation time of the cut before the first sample (decode time 0).
    pub(super) fn start_cut_time(&self) -> i128 {
        i128::from(self.stats.first_cto) - i128::from(self.shift)
    }

    /// The places a cut may fall, in order: each sync sample (but the first when
    /// `skip_first`) and then the track end, with its presentation time.
    fn candidates(&self, skip_first: bool) -> Candidates<'_, 'a> {
        Candidates {
            track: self,
            samples: self.samples(),
            skip_first,
            end_done: false,
        }
    }

    pub(super) fn is_video(&self) -> bool {
        &self.handler.0 == b"vide"
    }
}

/// Cut candidates of one track (see [`TrackPlan::candidates`]).
struct Candidates<'t, 'a> {
    track: &'t TrackPlan<'a>,
    samples: Samples<'a>,
    skip_first: bool,
    end_done: bool,
}

impl Iterator for Candidates<'_, '_> {
    type Item = (usize, i128);

    fn next(&mut self) -> Option<(usize, i128)> {
        loop {
            let i = self.samples.index();
            match self.samples.next() {
                Some(s) => {
                    if s.is_sync && !(self.skip_first && i == 0) {
                        return Some((i, self.track.cut_time_of(&s)));
                    }
                }
                None if self.end_done => return None,
                None => {
                    self.end_done = true;
                    return Some((i, self.track.end_cut_time()));
                }
            }
        }
    }
}

/// The candidates a cut search may still look at: pulled from the iterator on demand and
/// dropped once passed, so memory is that of one fragment's candidates.
struct Window<I> {
    it: I,
    buf: VecDeque<(usize, i128)>,
}

impl<I: Iterator<Item = (usize, i128)>> Window<I> {
    fn new(it: I) -> Self {
        Window {
            it,
            buf: VecDeque::new(),
        }
    }

    /// The `j`-th candidate from the window start.
    fn get(&mut self, j: usize) -> Option<(usize, i128)> {
        while self.buf.len() <= j {
            let c = self.it.next()?;
            self.buf.push_back(c);
        }
        self.buf.get(j).copied()
    }

    /// Moves the window start `k` candidates on.
    fn advance(&mut self, k: usize) {
        for _ in 0..k {
            if self.buf.pop_front().is_none() {
                self.it.next();
            }
        }
    }
}

/// The fragmentation plan of one input; it borrows the moov's sample tables.
///
/// ```
/// use dashkit::fragment::{plan_fragments, read_input, Options};
/// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
/// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
///     Ok::<(), ()>(())
/// }).unwrap();
/// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
/// assert_eq!(plan.tracks().len(), 2);
/// assert_eq!(plan.anchor().track_id, 1); // video leads the cuts
/// assert_eq!(plan.slot_count(), 5);
/// assert_eq!(plan.fragments().count(), 10); // 5 cuts x 2 tracks
/// let info = dashkit::bmff::info::describe(&plan.init_segment().unwrap()).unwrap();
/// assert!(info.fragmented);
/// assert_eq!(plan.sidx().unwrap(), None); // `index` was not asked for
/// ```
#[derive(Debug, Clone)]
pub struct Plan<'a> {
    pub(super) tracks: Vec<TrackPlan<'a>>,
    pub(super) anchor: usize,
    pub(super) options: Options,
    pub(super) compatible: Vec<[u8; 4]>,
    pub(super) mvhd: Vec<u8>,
    pub(super) movie_timescale: u32,
    pub(super) movie_duration: u64,
    pub(super) udta: Option<Vec<u8>>,
}

pub(super) fn raw(moov: &[u8], idx: &Index, i: usize) -> Vec<u8> {
    moov.get(idx.boxes()[i].range()).unwrap_or(&[]).to_vec()
}

pub(super) fn missing(idx: &Index, at: usize, kind: &[u8; 4]) -> Error {
    crate::bmff::Error::new(
        idx.boxes()[at].offset,
        idx.path(at),
        crate::bmff::ErrorKind::Missing {
            fourcc: FourCc(*kind),
        },
    )
    .into()
}

/// Plans the fragmentation of a progressive file.
///
/// ```
/// use dashkit::fragment::{plan_fragments, Error, Input, Options};
/// // A moov without tracks: nothing to fragment.
/// let moov = [0, 0, 0, 8, b'm', b'o', b'o', b'v'];
/// let input = Input { ftyp: None, moov: &moov, moov_offset: 0, file_len: 8 };
/// assert!(matches!(plan_fragments(&input, &Options::default()), Err(Error::NoTrack { .. })));
/// ```
pub fn plan_fragments<'a>(input: &Input<'a>, options: &Options) -> Result<Plan<'a>, Error> {
    if options.fragment_duration_ms == Some(0) {
        return Err(Error::ZeroFragmentDuration);
    }
    if options.timescale == Some(0) {
        return Err(Error::ZeroTimescale);
    }
    let moov_data = input.moov;
    let idx = Index::parse_with(
        moov_data,
        input.moov_offset,
        crate::bmff::index::Depth::Full,
    )?;
    let moov = match idx.top().next() {
        Some(m) if idx.boxes()[m].is(b"moov") => m,
        Some(m) => {
            return Err(Error::NotMoov {
                offset: idx.boxes()[m].offset,
                found: idx.boxes()[m].kind,
            })
        }
        None => {
            return Err(Error::NotMoov {
                offset: input.moov_offset,
                found: FourCc(*b"    "),
            })
        }
    };
    if let Some(mvex) = idx.child(moov, b"mvex") {
        return Err(Error::AlreadyFragmented {
            offset: idx.boxes()[mvex].offset,
        });
    }
    let (mvhd_raw, mvhd) = match idx.child(moov, b"mvhd") {
        Some(m) => {
            let b = &idx.boxes()[m];
            let bytes = moov_data.get(b.range()).unwrap_or(&[]);
            (bytes.to_vec(), Some(Mvhd::parse(bytes, b.offset)?))
        }
        None => (Vec::new(), None),
    };
    let mut tracks = Vec::new();
    let mut with_samples = 0usize;
    // Sample bytes of every track so far: tracks never share bytes in a well-formed file, so
    // more bytes than the file holds means overlapping samples, and an output that could be any
    // multiple of the input's size.
    let mut sample_bytes = 0u64;
    for trak in idx.children(moov).filter(|&c| idx.boxes()[c].is(b"trak")) {
        let tkhd_i = idx
            .child(trak, b"tkhd")
            .ok_or_else(|| missing(&idx, trak, b"tkhd"))?;
        let tkhd_b = &idx.boxes()[tkhd_i];
        let tkhd = Tkhd::parse(moov_data.get(tkhd_b.range()).unwrap_or(&[]), tkhd_b.offset)?;
        let mdia = idx
            .child(trak, b"mdia")
            .ok_or_else(|| missing(&idx, trak, b"mdia"))?;
        let mdhd_i = idx
            .child(mdia, b"mdhd")
            .ok_or_else(|| missing(&idx, mdia, b"mdhd"))?;
        let mdhd_b = &idx.boxes()[mdhd_i];
        let mdhd = Mdhd::parse(moov_data.get(mdhd_b.range()).unwrap_or(&[]), mdhd_b.offset)?;
        let hdlr_i = idx
            .child(mdia, b"hdlr")
            .ok_or_else(|| missing(&idx, mdia, b"hdlr"))?;
        let hdlr_b = &idx.boxes()[hdlr_i];
        let hdlr = boxes::Hdlr::parse(moov_data.get(hdlr_b.range()).unwrap_or(&[]), hdlr_b.offset)?;
        let minf = idx
            .child(mdia, b"minf")
            .ok_or_else(|| missing(&idx, mdia, b"minf"))?;
        let stbl = idx
            .child(minf, b"stbl")
            .ok_or_else(|| missing(&idx, minf, b"stbl"))?;
        let stsd_i = idx
            .child(stbl, b"stsd")
            .ok_or_else(|| missing(&idx, stbl, b"stsd"))?;
        // The tables stay in the moov: the plan never holds a list of samples.
        let table = SampleTable::parse(moov_data, &idx, stbl)?;
        if table.is_empty() {
            continue;
        }
        with_samples += 1;
        if mdhd.timescale == 0 {
            return Err(crate::bmff::Error::new(
                mdhd_b.offset,
                idx.path(mdhd_i),
                crate::bmff::ErrorKind::BadField {
                    field: "mdhd.timescale",
                    value: 0,
                },
            )
            .into());
        }
        // One sample description only.
        let stsd_raw = raw(moov_data, &idx, stsd_i);
        let entry_count = stsd_raw
            .get(12..16)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
        if let Some(index) = table.sample_description_indexes().find(|&i| i != 1) {
            return Err(Error::SeveralSampleDescriptions {
                track_id: tkhd.track_id,
                count: entry_count,
                index,
            });
        }
        let entry = idx.children(stsd_i).next();
        let codec = entry.and_then(|e| crate::bmff::codec::codec_string(moov_data, &idx, e).ok());
        let sample_rate = match entry {
            Some(e) if &hdlr.handler_type.0 == b"soun" => {
                let b = &idx.boxes()[e];
                // AudioSampleEntry: 8 (SampleEntry) + 8 reserved + 2+2+2+2, then samplerate 16.16.
                let p = b.payload_range();
                moov_data
                    .get(p.start + 24..p.start + 28)
                    .map_or(0, |s| u32::from_be_bytes([s[0], s[1], s[2], s[3]]) >> 16)
            }
            _ => 0,
        };
        let (edts, elst) = match idx.child(trak, b"edts") {
            Some(e) => {
                let elst = match idx.child(e, b"elst") {
                    Some(l) => {
                        let b = &idx.boxes()[l];
                        let bytes = moov_data.get(b.range()).unwrap_or(&[]);
                        let version = bytes.get(b.header_len).copied().unwrap_or(0);
                        Some((version, boxes::parse_elst(bytes, b.offset)?))
                    }
                    None => None,
                };
                (Some(raw(moov_data, &idx, e)), elst)
            }
            None => (None, None),
        };
        let movie_ts = mvhd.map_or(1, |m| m.timescale.max(1));
        let shift = edit_shift(
            elst.as_ref().map(|e| e.1.as_slice()),
            movie_ts,
            mdhd.timescale,
        )?;
        let media_header = [b"vmhd", b"smhd", b"sthd", b"nmhd", b"hmhd"]
            .iter()
            .find_map(|k| idx.child(minf, k))
            .map(|i| raw(moov_data, &idx, i));
        let dinf = idx.child(minf, b"dinf").map(|i| raw(moov_data, &idx, i));
        let stats = TrackStats::walk(&table, tkhd.track_id, input.file_len)?;
        sample_bytes = sample_bytes.saturating_add(stats.bytes);
        if sample_bytes > input.file_len {
            return Err(Error::OverlappingSamples {
                track_id: tkhd.track_id,
                bytes: sample_bytes,
                file_len: input.file_len,
            });
        }
        tracks.push(TrackPlan {
            track_id: tkhd.track_id,
            handler: hdlr.handler_type,
            timescale: options.timescale.unwrap_or(mdhd.timescale),
            codec,
            width: tkhd.width >> 16,
            height: tkhd.height >> 16,
            sample_rate,
            bounds: Vec::new(),
            in_timescale: mdhd.timescale,
            table,
            stats,
            shift,
            tkhd: raw(moov_data, &idx, tkhd_i),
            tkhd_duration: tkhd.duration,
            elst,
            edts,
            mdhd: raw(moov_data, &idx, mdhd_i),
            mdhd_version: mdhd.version,
            mdhd_header_len: mdhd_b.header_len,
            hdlr: raw(moov_data, &idx, hdlr_i),
            media_header,
            dinf,
            stsd: stsd_raw,
        });
    }
    let is = |t: &TrackPlan<'_>, k: &[u8; 4]| &t.handler.0 == k;
    let keep = match options.track {
        TrackSelection::All => None,
        TrackSelection::Id(id) => Some(tracks.iter().position(|t| t.track_id == id)),
        TrackSelection::Audio => Some(tracks.iter().position(|t| is(t, b"soun"))),
        TrackSelection::Video => Some(tracks.iter().position(|t| is(t, b"vide"))),
        TrackSelection::Subtitles => {
            Some(tracks.iter().position(|t| is(t, b"subt") || is(t, b"sbtl")))
        }
    };
    if let Some(keep) = keep {
        let Some(k) = keep else {
            return Err(Error::NoTrack {
                selection: options.track,
                tracks: with_samples,
            });
        };
        let t = tracks.swap_remove(k);
        tracks = vec![t];
    }
    if tracks.is_empty() {
        return Err(Error::NoTrack {
            selection: options.track,
            tracks: with_samples,
        });
    }
    let anchor = tracks
        .iter()
        .position(|t| t.is_video())
        .or_else(|| tracks.iter().position(|t| is(t, b"soun")))
        .unwrap_or(0);
    check_options(&tracks, options)?;
    let mut plan = Plan {
        tracks,
        anchor,
        options: options.clone(),
        compatible: compatible_brands(input.ftyp),
        mvhd: mvhd_raw,
        movie_timescale: mvhd.map_or(1000, |m| m.timescale),
        movie_duration: mvhd.map_or(0, |m| m.duration),
        udta: if options.copy_udta {
            idx.child(moov, b"udta").map(|u| raw(moov_data, &idx, u))
        } else {
            None
        },
    };
    plan.cut()?;
    Ok(plan)
}

/// Presentation shift of a track from its edit list, in media ticks: the first non-empty
/// edit's media_time minus the leading empty edits (movie ticks rescaled, floor).
fn edit_shift(elst: Option<&[ElstEntry]>, movie_ts: u32, media_ts: u32) -> Result<i64, Error> {
    let Some(entries) = elst else { return Ok(0) };
    let mut empty: i64 = 0;
    for e in entries {
        if e.media_time == -1 {
            empty = empty
                .checked_add(
                    i64::try_from(e.segment_duration).map_err(|_| Error::Overflow {
                        what: "elst segment_duration",
                    })?,
                )
                .ok_or(Error::Overflow { what: "elst" })?;
        } else {
            let empty_media = rescale(
                empty,
                Timescale::new(movie_ts)?,
                Timescale::new(media_ts)?,
                Rounding::Floor,
            )?;
            return e
                .media_time
                .checked_sub(empty_media)
                .ok_or(Error::Overflow { what: "edit shift" });
        }
    }
    Ok(0)
}

fn check_options(tracks: &[TrackPlan<'_>], options: &Options) -> Result<(), Error> {
    if let Some(mode) = options.force_i_frame_sync {
        for t in tracks.iter().filter(|t| t.is_video()) {
            let avc = t.codec.as_deref().is_some_and(|c| c.starts_with("avc"));
            if !avc {
                return Err(Error::Unsupported {
                    option: "force-i-frame-sync",
                    track_id: t.track_id,
                    reason: "only AVC video can be re-synced",
                });
            }
            if mode == ForceIFrameSync::All || !t.stats.later_sync {
                return Err(Error::Unsupported {
                    option: "force-i-frame-sync",
                    track_id: t.track_id,
                    reason:
                        "finding I slices needs the sample data, which the planner does not read",
                });
            }
            // Auto with sync samples after the first: mp4fragment leaves the track as it is.
        }
    }
    if options.trun_version_zero {
        for t in tracks {
            if let Some((sample_number, offset)) = t.stats.first_negative {
                return Err(Error::NegativeCompositionOffset {
                    track_id: t.track_id,
                    sample_number,
                    offset,
                });
            }
        }
    }
    Ok(())
}

fn compatible_brands(ftyp: Option<&[u8]>) -> Vec<[u8; 4]> {
    let mut out: Vec<[u8; 4]> = vec![*b"iso6", *b"iso5", *b"dash"];
    if let Some(f) = ftyp {
        // ftyp: header 8, major 4, minor 4, then brands.
        for b in f.get(16..).unwrap_or(&[]).chunks_exact(4) {
            let b = [b[0], b[1], b[2], b[3]];
            if !out.contains(&b) {
                out.push(b);
            }
        }
    }
    out
}

/// Nearest candidate to `target` (a rational `target_num / target_den` in the track's ticks),
/// scanning forward from `from`; stops at the first candidate at or past the target; ties go
/// to the earlier. `cand(k)` gives the k-th candidate (index, time in the track's ticks), None
/// past the last.
fn nearest_from(
    mut cand: impl FnMut(usize) -> Option<(usize, i128)>,
    from: usize,
    target_num: i128,
    target_den: i128,
) -> usize {
    let mut best = from;
    let mut best_dist: Option<i128> = None;
    let mut k = from;
    while let Some((_, t)) = cand(k) {
        let d = (t * target_den - target_num).abs();
        if best_dist.is_none_or(|b| d < b) {
            best = k;
            best_dist = Some(d);
        }
        if t * target_den >= target_num {
            break;
        }
        k += 1;
    }
    best
}

impl<'a> Plan<'a> {
    fn cut(&mut self) -> Result<(), Error> {
        let anchor = &self.tracks[self.anchor];
        let duration_ms = match self.options.fragment_duration_ms {
            Some(d) => Some(d),
            None if anchor.stats.all_sync => Some(2000),
            None => None,
        };
        // Candidates: sync samples after the first, then the end.
        let mut cands = Window::new(anchor.candidates(true));
        let mut bounds = vec![0usize];
        let mut instants = vec![anchor.start_cut_time()];
        match duration_ms {
            None => {
                while let Some((i, t)) = cands.get(0) {
                    bounds.push(i);
                    instants.push(t);
                    cands.advance(1);
                }
            }
            Some(d) => {
                let ts = i128::from(anchor.in_timescale);
                let d = i128::from(d);
                let mut start = anchor.start_cut_time();
                while cands.get(0).is_some() {
                    // p = floor((t_ms + D/2) / D) with t_ms = start * 1000 / ts, exactly:
                    let p = (start * 2000 + d * ts).div_euclid(2 * d * ts);
                    // Target in ticks = D * (p + 1) * ts / 1000.
                    let num = d * (p + 1) * ts;
                    let k = nearest_from(|j| cands.get(j), 0, num, 1000);
                    let Some((i, t)) = cands.get(k) else { break };
                    bounds.push(i);
                    instants.push(t);
                    start = t;
                    cands.advance(k + 1);
                }
            }
        }
        let anchor_ts = i128::from(anchor.in_timescale);
        let trim = self.options.trim;
        let mut all_bounds = Vec::with_capacity(self.tracks.len());
        for (ti, t) in self.tracks.iter().enumerate() {
            if ti == self.anchor {
                all_bounds.push(bounds.clone());
                continue;
            }
            let n = t.stats.count;
            let mut cands = Window::new(t.candidates(false));
            let ts = i128::from(t.in_timescale);
            let mut b = vec![0usize];
            let last = instants.len().saturating_sub(1);
            for (k, &inst) in instants.iter().enumerate().skip(1) {
                if k == last && !trim {
                    b.push(n);
                    break;
                }
                // Compare t_b / ts_b with inst / ts_a: t_b * ts_a vs inst * ts_b.
                let best = nearest_from(|j| cands.get(j), 0, inst * ts, anchor_ts);
                let idx = cands
                    .get(best)
                    .map_or(n, |c| c.0)
                    .max(*b.last().unwrap_or(&0));
                b.push(idx);
                cands.advance(best);
            }
            all_bounds.push(b);
        }
        for (t, b) in self.tracks.iter_mut().zip(all_bounds) {
            // Refused here, before any output is written, not when the fragment comes.
            if let Some(w) = b
                .windows(2)
                .find(|w| (w[1].saturating_sub(w[0]) as u64) > MAX_SAMPLES_PER_RUN)
            {
                return Err(Error::FragmentTooLong {
                    track_id: t.track_id,
                    samples: (w[1] - w[0]) as u64,
                });
            }
            t.bounds = b;
        }
        Ok(())
    }

    /// The tracks, in output order (the anchor first among equals is [`Plan::anchor`]).
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
    /// let ids: Vec<u32> = plan.tracks().iter().map(|t| t.track_id).collect();
    /// assert_eq!(ids, [1, 2]);
    /// ```
    pub fn tracks(&self) -> &[TrackPlan<'a>] {
        &self.tracks
    }

    /// The anchor track (the one the cuts are decided on).
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
    /// assert_eq!(plan.anchor().handler.to_string(), "vide");
    /// ```
    pub fn anchor(&self) -> &TrackPlan<'a> {
        &self.tracks[self.anchor]
    }

    /// The options the plan was made with.
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
    /// assert_eq!(plan.options(), &Options::default());
    /// ```
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Movie duration from mvhd, in the movie timescale (`(ticks, timescale)`).
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
    /// assert_eq!(plan.movie_duration(), (10_000, 1000)); // 10 s in ms
    /// ```
    pub fn movie_duration(&self) -> (u64, u32) {
        (self.movie_duration, self.movie_timescale)
    }

    /// Number of fragment slots (each track has at most one fragment per slot).
    ///
    /// ```
    /// use dashkit::fragment::{plan_fragments, read_input, Options};
    /// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    /// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
    ///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
    ///     Ok::<(), ()>(())
    /// }).unwrap();
    /// let plan = plan_fragments(&boxes.input().unwrap(), &Options::default()).unwrap();
    /// assert_eq!(plan.slot_count(), 5);
    /// assert_eq!(plan.tracks()[0].bounds.len(), plan.slot_count() + 1);
    /// ```
    pub fn slot_count(&self) -> usize {
        self.tracks[self.anchor].bounds.len().saturating_sub(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const H264_AAC: &[u8] = include_bytes!("../../../fixtures/media/h264_aac.mp4");
    const AAC_ONLY: &[u8] = include_bytes!("../../../fixtures/media/aac_only.mp4");

    fn plan<'a>(data: &'a [u8], options: &Options) -> Result<Plan<'a>, Error> {
        let idx = Index::parse(data).unwrap();
        let m = &idx.boxes()[idx.find("moov").unwrap()];
        let f = idx.find("ftyp").map(|f| &data[idx.boxes()[f].range()]);
        plan_fragments(
            &Input {
                ftyp: f,
                moov: &data[m.range()],
                moov_offset: m.offset,
                file_len: data.len() as u64,
            },
            options,
        )
    }

    /// A track's samples from the samples view (an independent reading of the same tables).
    struct Oracle {
        samples: Vec<Sample>,
        shift: i128,
    }

    impl Oracle {
        fn of(data: &[u8], t: &TrackPlan<'_>) -> Self {
            let samples = crate::bmff::samples::track_samples(None, data, 0)
                .unwrap()
                .into_iter()
                .find(|s| s.track_id == t.track_id)
                .unwrap()
                .samples;
            assert_eq!(samples.len(), t.sample_count());
            Oracle {
                samples,
                shift: i128::from(t.shift),
            }
        }

        fn len(&self) -> usize {
            self.samples.len()
        }

        fn is_sync(&self, i: usize) -> bool {
            self.samples[i].is_sync
        }

        /// Presentation time of the cut before sample `i` (`len`: the track end, with the first
        /// sample's composition offset).
        fn cut_time(&self, i: usize) -> i128 {
            let (dts, cto) = match self.samples.get(i) {
                Some(s) => (i128::from(s.decode_time), s.composition_offset),
                None => {
                    let l = self.samples.last().unwrap();
                    (
                        i128::from(l.decode_time) + i128::from(l.duration),
                        self.samples[0].composition_offset,
                    )
                }
            };
            dts + i128::from(cto) - self.shift
        }
    }

    /// Brute force: the candidate of `t` (sync samples and the end) nearest to the instant
    /// `inst / ts_a`, ties to the earlier.
    fn brute_nearest(t: &TrackPlan<'_>, o: &Oracle, inst: i128, ts_a: i128) -> usize {
        let ts = i128::from(t.in_timescale);
        let n = o.len();
        (0..=n)
            .filter(|&j| j == n || o.is_sync(j))
            .min_by_key(|&j| ((o.cut_time(j) * ts_a - inst * ts).abs(), j))
            .unwrap()
    }

    #[test]
    fn default_cuts_are_the_video_sync_samples() {
        let p = plan(H264_AAC, &Options::default()).unwrap();
        let v = p.anchor();
        assert_eq!(&v.handler.0, b"vide");
        let o = Oracle::of(H264_AAC, v);
        let mut sync: Vec<usize> = (0..o.len()).filter(|&i| o.is_sync(i)).collect();
        if sync.first() != Some(&0) {
            sync.insert(0, 0);
        }
        sync.push(o.len());
        assert!(sync.len() > 2, "the fixture has several GOPs");
        assert_eq!(v.bounds, sync);
    }

    #[test]
    fn audio_is_cut_at_the_nearest_instant() {
        let p = plan(H264_AAC, &Options::default()).unwrap();
        let v = p.anchor();
        let a = p.tracks().iter().find(|t| &t.handler.0 == b"soun").unwrap();
        let (vo, ao) = (Oracle::of(H264_AAC, v), Oracle::of(H264_AAC, a));
        assert_eq!(a.bounds.len(), v.bounds.len());
        let ts_a = i128::from(v.in_timescale);
        let inner = v.bounds.len() - 1;
        for k in 1..inner {
            let inst = vo.cut_time(v.bounds[k]);
            assert_eq!(a.bounds[k], brute_nearest(a, &ao, inst, ts_a), "cut {k}");
        }
        assert_eq!(a.bounds[inner], ao.len(), "without trim the tail stays");
        let trimmed = plan(
            H264_AAC,
            &Options {
                trim: true,
                ..Options::default()
            },
        )
        .unwrap();
        let at = trimmed
            .tracks()
            .iter()
            .find(|t| &t.handler.0 == b"soun")
            .unwrap();
        let end = vo.cut_time(vo.len());
        assert_eq!(at.bounds[inner], brute_nearest(at, &ao, end, ts_a));
    }

    #[test]
    fn fragment_duration_cuts_at_sync_samples_near_the_grid() {
        for d in [1000u64, 3000, 5000] {
            let o = Options {
                fragment_duration_ms: Some(d),
                ..Options::default()
            };
            let p = plan(H264_AAC, &o).unwrap();
            let v = p.anchor();
            let o = Oracle::of(H264_AAC, v);
            for &b in &v.bounds[1..v.bounds.len() - 1] {
                assert!(o.is_sync(b), "D={d}: cut {b} is not a sync sample");
            }
            assert!(v.bounds.windows(2).all(|w| w[0] < w[1]), "D={d}: progress");
        }
    }

    #[test]
    fn audio_only_gets_two_second_fragments() {
        let p = plan(AAC_ONLY, &Options::default()).unwrap();
        let a = p.anchor();
        let o = Oracle::of(AAC_ONLY, a);
        let ts = i128::from(a.in_timescale);
        // Each inner cut is the sample boundary nearest to the next 2 s grid point.
        for w in a.bounds.windows(2).take(a.bounds.len() - 2) {
            let start = o.cut_time(w[0]);
            let p = (start * 2000 + 2000 * ts).div_euclid(2 * 2000 * ts);
            let target = 2000 * (p + 1) * ts; // ticks * 1000
            let best = (w[0] + 1..=o.len())
                .min_by_key(|&j| ((o.cut_time(j) * 1000 - target).abs(), j))
                .unwrap();
            assert_eq!(w[1], best);
        }
    }

    #[test]
    fn nearest_tie_goes_to_the_earlier() {
        let c = [(1, 10), (2, 20), (3, 30)];
        let get = |j: usize| c.get(j).copied();
        assert_eq!(nearest_from(get, 0, 15, 1), 0);
        assert_eq!(nearest_from(get, 0, 16, 1), 1);
        assert_eq!(nearest_from(get, 1, 15, 1), 1);
        // 25/1 against times scaled by 1: 20 and 30 tie, the earlier wins.
        assert_eq!(nearest_from(get, 0, 50, 2), 1);
        // Through a window: same answers, and a window never looks back past its start.
        let mut w = Window::new(c.into_iter());
        assert_eq!(nearest_from(|j| w.get(j), 0, 16, 1), 1);
        w.advance(1);
        assert_eq!(w.get(0), Some((2, 20)));
        assert_eq!(nearest_from(|j| w.get(j), 0, 35, 1), 1);
    }

    #[test]
    fn options_that_cannot_be_honoured_are_errors() {
        let o = Options {
            force_i_frame_sync: Some(ForceIFrameSync::All),
            ..Options::default()
        };
        assert!(matches!(
            plan(H264_AAC, &o),
            Err(Error::Unsupported {
                option: "force-i-frame-sync",
                ..
            })
        ));
        let o = Options {
            track: TrackSelection::Subtitles,
            ..Options::default()
        };
        assert!(matches!(
            plan(H264_AAC, &o),
            Err(Error::NoTrack { tracks: 2, .. })
        ));
        let o = Options {
            fragment_duration_ms: Some(0),
            ..Options::default()
        };
        assert_eq!(plan(H264_AAC, &o).unwrap_err(), Error::ZeroFragmentDuration);
    }

    #[test]
    fn truncated_file_is_refused_with_the_sample() {
        let idx = Index::parse(H264_AAC).unwrap();
        let m = &idx.boxes()[idx.find("moov").unwrap()];
        let e = plan_fragments(
            &Input {
                ftyp: None,
                moov: &H264_AAC[m.range()],
                moov_offset: m.offset,
                file_len: 1000,
            },
            &Options::default(),
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                Error::SampleOutsideFile {
                    sample_number: 1,
                    file_len: 1000,
                    ..
                }
            ),
            "{e:?}"
        );
    }

    /// A copy of `data` with the first `kind` full box's payload words (after version and
    /// flags) overwritten in place by `words`; the rest of the box stays as trailing bytes.
    fn patch_words(data: &[u8], kind: &[u8; 4], words: &[u32]) -> Vec<u8> {
        let idx = Index::parse(data).unwrap();
        let b = &idx.boxes()[idx.all(kind).next().unwrap()];
        let at = b.offset as usize + b.header_len + 4;
        assert!(at + 4 * words.len() <= b.offset as usize + b.size as usize);
        let mut out = data.to_vec();
        for (k, w) in words.iter().enumerate() {
            out[at + 4 * k..at + 4 * k + 4].copy_from_slice(&w.to_be_bytes());
        }
        out
    }

    /// Every sample lies within the file, but they overlap: all chunks start at one offset and
    /// the constant sample size makes their sum larger than the file. Without the check the
    /// output would be many times the input's size.
    #[test]
    fn overlapping_samples_are_refused() {
        // The first trak of the fixture (its stco, stsc and stsz come first in the file).
        let src = H264_AAC;
        let idx = Index::parse(src).unwrap();
        let word = |at: usize| u32::from_be_bytes(src[at..at + 4].try_into().unwrap());
        let payload = |kind: &[u8; 4]| {
            let b = &idx.boxes()[idx.all(kind).next().unwrap()];
            b.offset as usize + b.header_len + 4
        };
        let chunks = word(payload(b"stco"));
        let first = word(payload(b"stco") + 4);
        let n = u64::from(word(payload(b"stsz") + 4));
        let len = src.len() as u64;
        // Largest samples-per-chunk in stsc bounds how far a chunk reaches.
        let sa = payload(b"stsc");
        let per_chunk = (0..word(sa) as usize)
            .map(|e| u64::from(word(sa + 4 + 12 * e + 4)))
            .max()
            .unwrap();
        let size = (len - u64::from(first)) / per_chunk;
        assert!(
            chunks > 1 && size * n > len,
            "the patched sizes must add up to more than the file: {size} x {n} <= {len}"
        );
        let data = patch_words(src, b"stsz", &[size as u32]);
        let data = patch_words(
            &data,
            b"stco",
            &vec![chunks]
                .into_iter()
                .chain(std::iter::repeat_n(first, chunks as usize))
                .collect::<Vec<_>>(),
        );
        let e = plan(&data, &Options::default()).unwrap_err();
        assert!(
            matches!(e, Error::OverlappingSamples { file_len, bytes, .. } if file_len == len && bytes > len),
            "{e:?}"
        );
    }

    /// 1.5 million one-byte samples of one tick, in one chunk, in a file padded to hold them:
    /// a 60 s fragment would need a trun of 1.5 M entries, refused at plan time; the default
    /// 2 s fragments are fine.
    #[test]
    fn a_fragment_over_the_trun_limit_is_refused() {
        let n = 1_500_000u32;
        let mut data = AAC_ONLY.to_vec();
        let pad = 2 * n as usize;
        data.extend_from_slice(&(pad as u32 + 8).to_be_bytes());
        data.extend_from_slice(b"free");
        data.resize(data.len() + pad, 0);
        let data = patch_words(&data, b"stsz", &[1, n]);
        let data = patch_words(&data, b"stts", &[1, n, 1]);
        let data = patch_words(&data, b"stsc", &[1, 1, n, 1]);
        let data = patch_words(&data, b"stco", &[1]);
        let t = plan(&data, &Options::default()).unwrap();
        assert_eq!(t.tracks()[0].sample_count(), n as usize);
        let o = Options {
            fragment_duration_ms: Some(60_000),
            ..Options::default()
        };
        let e = plan(&data, &o).unwrap_err();
        assert!(
            matches!(e, Error::FragmentTooLong { samples, .. } if samples > MAX_SAMPLES_PER_RUN),
            "{e:?}"
        );
    }

    #[test]
    fn init_segment_keeps_sample_entries_byte_for_byte() {
        let p = plan(H264_AAC, &Options::default()).unwrap();
        let init = p.init_segment().unwrap();
        let i = Index::parse(&init).unwrap();
        let src = Index::parse(H264_AAC).unwrap();
        let a: Vec<&[u8]> = src
            .all(b"stsd")
            .map(|s| &H264_AAC[src.boxes()[s].range()])
            .collect();
        let b: Vec<&[u8]> = i
            .all(b"stsd")
            .map(|s| &init[i.boxes()[s].range()])
            .collect();
        assert_eq!(a, b);
        let ea: Vec<&[u8]> = src
            .all(b"elst")
            .map(|s| &H264_AAC[src.boxes()[s].range()])
            .collect();
        let eb: Vec<&[u8]> = i
            .all(b"elst")
            .map(|s| &init[i.boxes()[s].range()])
            .collect();
        assert_eq!(ea, eb);
        assert_eq!(i.all(b"trex").count(), 2);
    }
}
