//! Progressive MP4 to fragmented MP4 (CMAF-style), with Bento4 `mp4fragment`'s options.
//!
//! | module | what it holds |
//! |---|---|
//! | `plan` | [`plan_fragments`]: reads the moov and decides the cuts (one [`TrackPlan`] per track) |
//! | `init` | [`Plan::init_segment`]: ftyp + moov of the output |
//! | `sidx` | [`Plan::sidx`]: the index of the whole output (`--index`) |
//! | `moof` | [`Plan::fragments`]: each fragment as owned header bytes (moof + mdat header) plus byte ranges of the input |
//! | `input` | [`read_input`]: the input's ftyp and moov, read through the caller's reads |
//! | `write` (internal) | the box encoders behind the init segment, moof, mdat header, styp and sidx |
//! | [`manifest`] | a static `$Number$` MPD for the per-track segment layout |
//!
//! The plan never sees the sample data: the caller copies [`FragmentOut::ranges`] of the input
//! after each [`FragmentOut::header`], so memory stays that of the moov plus one fragment's
//! headers, whatever the size of the input.
//!
//! Differences from mp4fragment, on purpose: sample entries are copied byte for byte (no second
//! avcC, esds and btrt kept), edit lists are always carried over (so AAC priming and B-frame
//! delays keep their presentation timing), composition offsets are written as found (trun
//! version 1 only when one is negative), mvhd times are copied from the input (deterministic
//! output), all tracks of one cut share one presentation instant (not the anchor's decode time),
//! and a zero `fragment_duration_ms` is an error rather than a crash.

mod init;
mod input;
pub mod manifest;
mod moof;
mod plan;
mod sidx;
pub(crate) mod write;

pub use input::{read_input, InputBoxes};
pub use moof::Fragments;
pub use plan::{plan_fragments, FragmentOut, Input, Plan, TrackPlan};
pub use write::segment_styp;

/// Which tracks to keep (mp4fragment's `--track`).
///
/// ```
/// use dashkit::fragment::{plan_fragments, read_input, Options, TrackSelection};
/// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
/// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
///     Ok::<(), ()>(())
/// }).unwrap();
/// let kept = |track| {
///     let plan = plan_fragments(&boxes.input().unwrap(), &Options { track, ..Options::default() });
///     plan.unwrap().tracks().iter().map(|t| t.track_id).collect::<Vec<_>>()
/// };
/// assert_eq!(kept(TrackSelection::All), [1, 2]);
/// assert_eq!(kept(TrackSelection::Audio), [2]);
/// assert_eq!(kept(TrackSelection::Id(1)), [1]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TrackSelection {
    /// Every track that has samples.
    #[default]
    All,
    /// The track with this `track_ID`.
    Id(u32),
    /// The first audio (`soun`) track.
    Audio,
    /// The first video (`vide`) track.
    Video,
    /// The first subtitles (`subt`/`sbtl`) track.
    Subtitles,
}

/// mp4fragment's `--force-i-frame-sync`.
///
/// ```
/// use dashkit::fragment::{plan_fragments, read_input, Error, ForceIFrameSync, Options};
/// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
/// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
///     Ok::<(), ()>(())
/// }).unwrap();
/// let plan = |sync| {
///     let options = Options { force_i_frame_sync: Some(sync), ..Options::default() };
///     plan_fragments(&boxes.input().unwrap(), &options)
/// };
/// // h264_aac.mp4 marks a sync sample every 2 s: `Auto` leaves the track as it is.
/// assert_eq!(plan(ForceIFrameSync::Auto).unwrap().anchor().fragment_count(), 5);
/// // `All` would need the I slices found in the sample data, which the planner never reads.
/// assert!(matches!(plan(ForceIFrameSync::All),
///     Err(Error::Unsupported { option: "force-i-frame-sync", track_id: 1, .. })));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForceIFrameSync {
    /// Mark I frames as sync only when no sample after the first is already sync.
    Auto,
    /// Mark every I frame as sync.
    All,
}

/// Options, with mp4fragment's names and meanings (see the module docs for the differences).
///
/// ```
/// use dashkit::fragment::Options;
/// let o = Options { fragment_duration_ms: Some(2000), ..Options::default() };
/// assert_eq!(o.sequence_number_start, 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// `--fragment-duration`: target fragment length in ms. None: one GOP a fragment when there
    /// is video, else 2000 ms. Zero is an error.
    pub fragment_duration_ms: Option<u64>,
    /// `--timescale`: rewrite every track's media timescale into this one.
    pub timescale: Option<u32>,
    /// `--track`: keep one track only.
    pub track: TrackSelection,
    /// `--index`: a `sidx` between the moov and the first moof.
    pub index: bool,
    /// `--trim`: when the anchor track ends, drop the other tracks' remaining samples.
    pub trim: bool,
    /// `--no-tfdt`: leave `tfdt` out of every traf.
    pub no_tfdt: bool,
    /// `--tfdt-start`: added to every tfdt (and to the sidx earliest presentation time), in ms.
    pub tfdt_start_ms: u64,
    /// `--sequence-number-start`: mfhd sequence number of the first moof.
    pub sequence_number_start: u32,
    /// `--force-i-frame-sync`.
    pub force_i_frame_sync: Option<ForceIFrameSync>,
    /// `--copy-udta`: copy the moov-level `udta` into the output moov.
    pub copy_udta: bool,
    /// `--no-zero-elst`: with `trun_version_zero`, keep the last edit's duration instead of 0.
    pub no_zero_elst: bool,
    /// `--trun-version-zero`: trun version 0 (unsigned composition offsets) and, unless
    /// `no_zero_elst`, the last edit entry's duration set to 0 when it spans the whole track.
    pub trun_version_zero: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            fragment_duration_ms: None,
            timescale: None,
            track: TrackSelection::All,
            index: false,
            trim: false,
            no_tfdt: false,
            tfdt_start_ms: 0,
            sequence_number_start: 1,
            force_i_frame_sync: None,
            copy_udta: false,
            no_zero_elst: false,
            trun_version_zero: false,
        }
    }
}

/// Why an input could not be fragmented with the given options.
///
/// ```
/// use dashkit::fragment::{plan_fragments, read_input, Options, Error, TrackSelection};
/// let file = include_bytes!("../../../fixtures/media/h264_aac.mp4");
/// let boxes = read_input(file.len() as u64, |at, buf: &mut [u8]| {
///     buf.copy_from_slice(&file[at as usize..][..buf.len()]);
///     Ok::<(), ()>(())
/// }).unwrap();
/// let plan = |options| plan_fragments(&boxes.input().unwrap(), &options).map(|_| ());
/// let zero = Options { fragment_duration_ms: Some(0), ..Options::default() };
/// assert_eq!(plan(zero), Err(Error::ZeroFragmentDuration));
/// let subtitles = Options { track: TrackSelection::Subtitles, ..Options::default() };
/// assert_eq!(plan(subtitles), Err(Error::NoTrack { selection: TrackSelection::Subtitles, tracks: 2 }));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The moov (or a box inside it) could not be read.
    #[error(transparent)]
    Bmff(#[from] crate::bmff::Error),
    /// Media time arithmetic failed.
    #[error(transparent)]
    Timeline(#[from] crate::timeline::Error),
    /// The bytes given as the moov are not a `moov` box.
    #[error("at byte {offset}: expected a moov box, found {found}")]
    NotMoov {
        /// Absolute offset of the box given.
        offset: u64,
        /// Its type.
        found: crate::bmff::FourCc,
    },
    /// The input is already fragmented (its moov has an `mvex`); re-fragmenting is not supported.
    #[error("at byte {offset} in moov/mvex: the input is already fragmented; re-fragmenting is not supported")]
    AlreadyFragmented {
        /// Absolute offset of the mvex box.
        offset: u64,
    },
    /// No track with samples is left after the track selection.
    #[error(
        "no track to fragment (selection {selection:?}, {tracks} tracks with samples in the input)"
    )]
    NoTrack {
        /// The selection asked for.
        selection: TrackSelection,
        /// Tracks with samples in the input.
        tracks: usize,
    },
    /// A track uses more than one sample description.
    #[error("track {track_id}: {count} sample descriptions (stsc index {index} used); only one is supported")]
    SeveralSampleDescriptions {
        /// The track.
        track_id: u32,
        /// stsd entry_count.
        count: u32,
        /// A sample_description_index other than 1 found in stsc.
        index: u32,
    },
    /// `fragment_duration_ms` of 0.
    #[error("fragment duration must be at least 1 ms")]
    ZeroFragmentDuration,
    /// `timescale` of 0.
    #[error("timescale must be at least 1")]
    ZeroTimescale,
    /// The samples add up to more bytes than the input file holds: their byte ranges overlap
    /// (a malformed or hostile sample table), and the output could be many times the input.
    #[error("track {track_id}: the samples so far add up to {bytes} bytes, more than the file's {file_len}: sample byte ranges overlap")]
    OverlappingSamples {
        /// The track whose samples passed the file length.
        track_id: u32,
        /// Sample bytes of this track and the tracks before it.
        bytes: u64,
        /// Length of the input file.
        file_len: u64,
    },
    /// One fragment would hold more samples than [`crate::limits::MAX_SAMPLES_PER_RUN`] (its
    /// trun alone would be many megabytes): pass a shorter `fragment_duration_ms`.
    #[error("track {track_id}: a fragment of {samples} samples is more than the {max} one trun may hold; use a shorter fragment duration", max = crate::limits::MAX_SAMPLES_PER_RUN)]
    FragmentTooLong {
        /// The track.
        track_id: u32,
        /// Samples the fragment would hold.
        samples: u64,
    },
    /// A sample's bytes lie outside the input file.
    #[error(
        "track {track_id} sample {sample_number}: bytes end at {end}, past the file end {file_len}"
    )]
    SampleOutsideFile {
        /// The track.
        track_id: u32,
        /// 1-based sample number.
        sample_number: u64,
        /// End offset of the sample.
        end: u64,
        /// Length of the input file.
        file_len: u64,
    },
    /// `trun_version_zero` asked for, but a composition offset is negative.
    #[error("track {track_id} sample {sample_number}: composition offset {offset} is negative; trun version 0 cannot carry it")]
    NegativeCompositionOffset {
        /// The track.
        track_id: u32,
        /// 1-based sample number.
        sample_number: u64,
        /// The offset.
        offset: i64,
    },
    /// An option this input cannot honour.
    #[error("option {option} cannot be honoured for track {track_id}: {reason}")]
    Unsupported {
        /// The option's mp4fragment name.
        option: &'static str,
        /// The track concerned (0 when none).
        track_id: u32,
        /// Why.
        reason: &'static str,
    },
    /// A value does not fit the field it is written to.
    #[error("{what} overflows its field")]
    Overflow {
        /// The value's name.
        what: &'static str,
    },
}
