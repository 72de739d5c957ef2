//! VoD analysis for live simulation, compatible with DASH-IF dashlivesim's vodanalyzer: the
//! `.cfg` file and the `.dat` segment timing runs it writes, byte for byte, from the same
//! rules (docs/live-timing.md#vod-analysis), with typed errors where vodanalyzer crashes.
//!
//! `analyze_timings` (internal) is the core: it takes what was read from the MPD, the init segments and
//! the media segments (per Representation: the track's timescale and every segment's tfdt and
//! duration) and applies vodanalyzer's rules: whole-second segment duration common to all
//! AdaptationSets, contiguous numbering, the 100 ms drift rule, run-length timing of the first
//! Representation, and the loop length as the shortest first Representation. One thing it
//! accepts where vodanalyzer fails: a short *last* segment is left out of the loop with a
//! [`Warning`] instead of aborting on "Too much drift".

pub(crate) mod cfg;
pub(crate) mod dat;
pub(crate) mod read;

pub use dat::Run;
pub use read::{analyze, analyze_mpd, dashlivesim_mpd};

/// Errors of the analysis. Each names the Representation, segment number and values involved.
///
/// ```
/// use dashkit::analyze::{analyze, Error};
/// let mpd = include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd");
/// // A source without any file: the first init segment is missing.
/// let mut nothing = |_: &str, _: Option<dashkit::mpd::segments::ByteRange>| None;
/// let e = analyze(mpd, "x", &mut nothing).unwrap_err();
/// assert!(matches!(&e, Error::MissingFile { representation, url }
///     if representation == "0" && url == "0/init.mp4"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An AdaptationSet has no `@contentType`, and neither `@mimeType` nor `@codecs` tell it.
    #[error("AdaptationSet {adaptation_set_index} has no contentType, and none can be inferred from mimeType or codecs")]
    NoContentType {
        /// 0-based index of the AdaptationSet over all Periods.
        adaptation_set_index: usize,
    },
    /// Two AdaptationSets have the same content type (dashlivesim serves one per type).
    #[error("several AdaptationSets have contentType {content_type:?}; dashlivesim serves one per content type")]
    DuplicateContentType {
        /// The repeated content type.
        content_type: String,
    },
    /// The segment duration in whole seconds differs between AdaptationSets.
    #[error("segment duration of {content_type} is {found_s} s but {expected_s} s elsewhere; all AdaptationSets must share one whole-second duration")]
    SegmentDurationMismatch {
        /// The AdaptationSet's content type.
        content_type: String,
        /// The duration of the first AdaptationSet.
        expected_s: u64,
        /// This one's.
        found_s: u64,
    },
    /// `@duration / @timescale` is under one second: vodanalyzer's loop is in whole seconds.
    #[error("segment duration of {content_type} is {duration_ticks}/{timescale} s, under one whole second")]
    SubSecondSegments {
        /// The AdaptationSet's content type.
        content_type: String,
        /// `@duration`.
        duration_ticks: u64,
        /// `@timescale`.
        timescale: u64,
    },
    /// Representations of one AdaptationSet have different media timescales (mdhd).
    #[error("{content_type}: Representation {representation} has timescale {found}, but {expected} before it")]
    TimescaleMismatch {
        /// The AdaptationSet's content type.
        content_type: String,
        /// The Representation id.
        representation: String,
        /// The first Representation's timescale.
        expected: u32,
        /// This one's.
        found: u32,
    },
    /// A Representation has no media segment at all.
    #[error("Representation {representation}: no media segments found")]
    NoSegments {
        /// The Representation id.
        representation: String,
    },
    /// Representations start at different segment numbers.
    #[error("Representation {representation} starts at segment {found}, others at {expected}")]
    FirstNumberMismatch {
        /// The Representation id.
        representation: String,
        /// The first number of the first Representation analysed.
        expected: u64,
        /// This one's.
        found: u64,
    },
    /// AdaptationSets have different `@startNumber`s.
    #[error("{content_type} has startNumber {found}, others {expected}")]
    StartNumberMismatch {
        /// The AdaptationSet's content type.
        content_type: String,
        /// The first AdaptationSet's startNumber.
        expected: u64,
        /// This one's.
        found: u64,
    },
    /// Segment numbers are not contiguous.
    #[error("Representation {representation}: segments missing between {after} and {before}")]
    SegmentGap {
        /// The Representation id.
        representation: String,
        /// Last number before the gap.
        after: u64,
        /// First number after it.
        before: u64,
    },
    /// A segment ends more than 100 ms away from where whole-second segments would end.
    #[error("Representation {representation}, segment {number} ({url}): ends at {found_end} but whole {segment_duration_s} s segments end at {expected_end} (timescale {timescale}); drift {drift} ticks is not under {max_drift} (100 ms)")]
    Drift {
        /// The Representation id.
        representation: String,
        /// The segment number.
        number: u64,
        /// Where the segment was read from.
        url: String,
        /// Ideal end in ticks.
        expected_end: u64,
        /// tfdt + duration in ticks.
        found_end: u64,
        /// |expected − found|.
        drift: u64,
        /// int(0.1 × timescale).
        max_drift: u64,
        /// The track timescale.
        timescale: u32,
        /// The MPD's whole-second segment duration.
        segment_duration_s: u64,
    },
    /// A value does not fit the `.dat` record (u16 numbers and repeats, u32 times).
    #[error("{field} = {value} does not fit the .dat record (max {max})")]
    DatOverflow {
        /// Which field.
        field: &'static str,
        /// The value.
        value: u64,
        /// The largest value the field holds.
        max: u64,
    },
    /// Media time arithmetic overflowed.
    #[error("time arithmetic overflow in Representation {representation} at segment {number}")]
    Overflow {
        /// The Representation id.
        representation: String,
        /// The segment number.
        number: u64,
    },
    /// A `.dat` file's length is not a multiple of 12 bytes.
    #[error(".dat file of {len} bytes is not a whole number of 12-byte records")]
    DatLength {
        /// The length in bytes.
        len: usize,
    },
    /// A `.dat` record does not start where the previous one ended.
    #[error(".dat record {record_index} starts at segment {found_start_nr}, time {found_start_time}; expected segment {expected_start_nr}, time {expected_start_time}")]
    DatInconsistent {
        /// 0-based index of the record.
        record_index: usize,
        /// Segment number where the previous run ended, plus one.
        expected_start_nr: u64,
        /// The record's start_nr.
        found_start_nr: u64,
        /// Where the previous run ended in time.
        expected_start_time: u64,
        /// The record's start_time.
        found_start_time: u64,
    },
    /// The MPD could not be parsed or addressed.
    #[error(transparent)]
    Mpd(#[from] crate::mpd::Error),
    /// A Representation is not addressed by a SegmentTemplate with initialization, media and
    /// a duration or timeline (vodanalyzer reads nothing else).
    #[error("Representation {representation:?} has no usable SegmentTemplate (initialization, media and @duration or SegmentTimeline)")]
    NotTemplate {
        /// The Representation id.
        representation: String,
    },
    /// Representations of one AdaptationSet use templates that one AdaptationSet-level
    /// template cannot express (dashlivesim's MPD shape has only that one).
    #[error("Representation {representation:?} uses media template {media:?}, the first Representation {first_media:?}; one AdaptationSet-level template cannot serve both (use $RepresentationID$ in the paths)")]
    TemplatesDiffer {
        /// The Representation id.
        representation: String,
        /// Its media template.
        media: String,
        /// The first Representation's.
        first_media: String,
    },
    /// A file the MPD addresses is missing.
    #[error("Representation {representation:?}: {url} is missing")]
    MissingFile {
        /// The Representation id.
        representation: String,
        /// The file's URL relative to the MPD.
        url: String,
    },
    /// An init segment could not be read.
    #[error("{url}: {source}")]
    Init {
        /// The init segment's URL.
        url: String,
        /// Where in it, and what.
        source: Box<crate::bmff::Error>,
    },
    /// An init segment has other than one track (vodanalyzer asserts on this).
    #[error("{url}: init segment has {count} tracks; one track per init segment is required")]
    TrackCount {
        /// The init segment's URL.
        url: String,
        /// How many `trak` boxes it has.
        count: usize,
    },
    /// A media segment could not be read.
    #[error("{url}: {source}")]
    Segment {
        /// The segment's URL.
        url: String,
        /// Where in it, and what.
        source: Box<crate::bmff::Error>,
    },
    /// A box the analysis needs is absent.
    #[error("{url}: no {path}")]
    MissingBox {
        /// The file's URL.
        url: String,
        /// The box path (or what is missing).
        path: String,
    },
    /// A `.cfg` file could not be read.
    #[error(".cfg line {line}: {message}")]
    Cfg {
        /// 1-based line (0 when the whole file is meant).
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Timing of one media segment, as read from its boxes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SegmentTiming {
    /// The segment number.
    pub number: u64,
    /// Where it was read from (for messages).
    pub url: String,
    /// `tfdt.baseMediaDecodeTime` (of the last traf, as vodanalyzer reads it).
    pub tfdt: u64,
    /// Sum of the sample durations of the last trun (vodanalyzer's rule).
    pub duration: u64,
}

/// One Representation's input to the analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RepresentationTimings {
    /// `Representation@id`.
    pub id: String,
    /// Media timescale from the init segment's mdhd.
    pub timescale: u32,
    /// Its media segments in increasing number order, as found (contiguity is checked here).
    pub segments: Vec<SegmentTiming>,
}

/// One AdaptationSet's input to the analysis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AdaptationSetTimings {
    /// The content type (`video`, `audio`, `text`, ...).
    pub content_type: String,
    /// `SegmentTemplate@startNumber`.
    pub start_number: u64,
    /// `SegmentTemplate@duration`, in `@timescale` ticks.
    pub duration_ticks: u64,
    /// `SegmentTemplate@timescale` (1 when absent).
    pub mpd_timescale: u64,
    /// Its Representations, in MPD order.
    pub representations: Vec<RepresentationTimings>,
}

/// Something accepted with a caveat that vodanalyzer would have refused.
///
/// ```
/// use dashkit::analyze::Warning;
/// // A 1.5 s last segment of a 2 s loop at 12 800 ticks per second.
/// let w = Warning::LastSegmentLeftOut {
///     representation: "0".into(),
///     number: 5,
///     duration: 19_200,
///     expected_duration: 25_600,
///     timescale: 12_800,
/// };
/// assert_eq!(
///     w.to_string(),
///     "Representation 0: last segment 5 lasts 19200 ticks, not 25600 (timescale 12800); \
///      left out of the loop"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Warning {
    /// The last segment was too short (or long) for the loop and was left out of it.
    LastSegmentLeftOut {
        /// The Representation id.
        representation: String,
        /// The segment number.
        number: u64,
        /// Its duration in ticks.
        duration: u64,
        /// Whole-second segment duration in ticks.
        expected_duration: u64,
        /// The track timescale.
        timescale: u32,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Warning::LastSegmentLeftOut {
                representation,
                number,
                duration,
                expected_duration,
                timescale,
            } => write!(
                f,
                "Representation {representation}: last segment {number} lasts {duration} ticks, not {expected_duration} (timescale {timescale}); left out of the loop"
            ),
        }
    }
}

/// The analysis of one AdaptationSet.
///
/// ```
/// use dashkit::analyze::analyze;
/// # fn files(url: &str) -> Option<Vec<u8>> {
/// #     macro_rules! files { ($($f:literal)*) => { match url { $($f => include_bytes!(concat!(
/// #         "../../../fixtures/dash/ffmpeg_livesim/", $f)).to_vec(),)* _ => return None } } }
/// #     Some(files!("0/init.mp4" "0/1.m4s" "0/2.m4s" "0/3.m4s" "0/4.m4s" "0/5.m4s"
/// #                 "1/init.mp4" "1/1.m4s" "1/2.m4s" "1/3.m4s" "1/4.m4s" "1/5.m4s"))
/// # }
/// // `files` reads fixtures/dash/ffmpeg_livesim (two Representations, 5 x 2 s) whole.
/// let mut source = dashkit::source::WholeFiles(files);
/// let mpd = include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd");
/// let analysis = analyze(mpd, "ffmpeg_livesim", &mut source).unwrap();
/// let video = &analysis.adaptation_sets[0];
/// assert_eq!((video.content_type.as_str(), video.timescale), ("video", 12_800));
/// assert_eq!(video.representations, ["0"]);
/// assert_eq!((video.first_number, video.last_number, video.segment_count), (1, 5, 5));
/// assert_eq!(video.total_duration, 128_274); // 10 s and the first frame's extra 274 ticks
/// assert_eq!(video.runs.len(), 2); // segment 1 (25 874 ticks), then 2..=5 (25 600 each)
/// assert_eq!(video.dat_file, "ffmpeg_livesim_video.dat");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdaptationSetAnalysis {
    /// The content type.
    pub content_type: String,
    /// Representation ids in MPD order.
    pub representations: Vec<String>,
    /// Media timescale.
    pub timescale: u32,
    /// First segment number.
    pub first_number: u64,
    /// Segments of the first Representation inside the loop.
    pub segment_count: u64,
    /// Last segment number of the first Representation inside the loop.
    pub last_number: u64,
    /// End of the last segment minus the start of the first, first Representation (ticks).
    pub total_duration: u64,
    /// Run-length segment timing of the first Representation (the `.dat` records).
    pub runs: Vec<Run>,
    /// The `.dat` file name (`<base>_<contentType>.dat`).
    pub dat_file: String,
}

/// The result of the analysis ([`analyze()`]): everything the `.cfg` and `.dat` files hold.
///
/// ```
/// use dashkit::analyze::analyze;
/// # fn files(url: &str) -> Option<Vec<u8>> {
/// #     macro_rules! files { ($($f:literal)*) => { match url { $($f => include_bytes!(concat!(
/// #         "../../../fixtures/dash/ffmpeg_livesim/", $f)).to_vec(),)* _ => return None } } }
/// #     Some(files!("0/init.mp4" "0/1.m4s" "0/2.m4s" "0/3.m4s" "0/4.m4s" "0/5.m4s"
/// #                 "1/init.mp4" "1/1.m4s" "1/2.m4s" "1/3.m4s" "1/4.m4s" "1/5.m4s"))
/// # }
/// // `files` reads fixtures/dash/ffmpeg_livesim (two Representations, 5 x 2 s) whole.
/// let mut source = dashkit::source::WholeFiles(files);
/// let mpd = include_str!("../../../fixtures/dash/ffmpeg_livesim/manifest.mpd");
/// let analysis = analyze(mpd, "ffmpeg_livesim", &mut source).unwrap();
/// assert_eq!(analysis.base_name, "ffmpeg_livesim");
/// assert_eq!((analysis.segment_duration_s, analysis.nr_segments_in_loop), (2, 5));
/// assert_eq!((analysis.first_segment_in_loop, analysis.loop_duration_s()), (1, 10));
/// let kinds: Vec<&str> =
///     analysis.adaptation_sets.iter().map(|a| a.content_type.as_str()).collect();
/// assert_eq!(kinds, ["video", "audio"]);
/// assert!(analysis.warnings.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// The base name of the output files.
    pub base_name: String,
    /// Whole-second segment duration.
    pub segment_duration_s: u64,
    /// First segment number of the loop.
    pub first_segment_in_loop: u64,
    /// Segments in the loop (the shortest first Representation over all AdaptationSets).
    pub nr_segments_in_loop: u64,
    /// Per AdaptationSet, in MPD order.
    pub adaptation_sets: Vec<AdaptationSetAnalysis>,
    /// Caveats.
    pub warnings: Vec<Warning>,
}

/// Default timeShiftBufferDepth vodanalyzer writes into every `.cfg`.
pub(crate) const DEFAULT_TSBD_SECS: u64 = 300;

impl Analysis {
    /// Loop duration in seconds (`nr_segments_in_loop × segment_duration_s`).
    ///
    /// ```
    /// use dashkit::analyze::Analysis;
    /// let a = Analysis {
    ///     base_name: "asset".into(),
    ///     segment_duration_s: 2,
    ///     first_segment_in_loop: 1,
    ///     nr_segments_in_loop: 5,
    ///     adaptation_sets: vec![],
    ///     warnings: vec![],
    /// };
    /// assert_eq!(a.loop_duration_s(), 10);
    /// ```
    pub fn loop_duration_s(&self) -> u64 {
        self.nr_segments_in_loop
            .saturating_mul(self.segment_duration_s)
    }

    /// The `.cfg` model of this analysis: `[video]` and `[audio]` sections only, as
    /// vodanalyzer writes (other content types get a `.dat` but no section).
    pub(crate) fn vod_config(&self) -> cfg::VodConfig {
        let media = ["video", "audio"]
            .iter()
            .filter_map(|ct| self.adaptation_sets.iter().find(|a| a.content_type == *ct))
            .map(|a| cfg::MediaConfig {
                content_type: a.content_type.clone(),
                representations: a.representations.clone(),
                timescale: a.timescale,
                total_duration: Some(a.total_duration),
                dat_file: Some(a.dat_file.clone()),
            })
            .collect();
        cfg::VodConfig {
            version: "1.1".into(),
            default_tsbd_secs: DEFAULT_TSBD_SECS,
            segment_duration: cfg::SegmentDuration::Seconds(self.segment_duration_s),
            nr_segments_in_loop: self.nr_segments_in_loop,
            first_segment_in_loop: self.first_segment_in_loop,
            media,
        }
    }

    /// The output files as `(file name, bytes)`: `<base>.cfg` first, then one `.dat` per
    /// AdaptationSet in MPD order.
    ///
    /// ```
    /// use dashkit::analyze::Analysis;
    /// let a = Analysis {
    ///     base_name: "asset".into(),
    ///     segment_duration_s: 2,
    ///     first_segment_in_loop: 1,
    ///     nr_segments_in_loop: 5,
    ///     adaptation_sets: vec![],
    ///     warnings: vec![],
    /// };
    /// let files = a.files();
    /// assert_eq!(files[0].0, "asset.cfg"); // no AdaptationSet, so no .dat
    /// assert!(String::from_utf8_lossy(&files[0].1).contains("nr_segments_in_loop = 5"));
    /// ```
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        let mut out = vec![(
            format!("{}.cfg", self.base_name),
            cfg::write_cfg(&self.vod_config()).into_bytes(),
        )];
        for a in &self.adaptation_sets {
            out.push((a.dat_file.clone(), dat::write_dat(&a.runs)));
        }
        out
    }
}

/// vodanalyzer's base-name rule: the name of the directory directly containing the MPD (the
/// second-to-last `/`-separated component of the path as given), or `content` when the path
/// has no `/`.
///
/// ```
/// use dashkit::analyze::base_name;
/// assert_eq!(base_name("assets/testpic_2s/Manifest.mpd"), "testpic_2s");
/// assert_eq!(base_name("Manifest.mpd"), "content");
/// ```
pub fn base_name(mpd_path: &str) -> &str {
    let mut parts = mpd_path.rsplit('/');
    let _file = parts.next();
    parts.next().unwrap_or("content")
}

fn to_u16(field: &'static str, v: u64) -> Result<u16, Error> {
    u16::try_from(v).map_err(|_| Error::DatOverflow {
        field,
        value: v,
        max: u64::from(u16::MAX),
    })
}

fn to_u32(field: &'static str, v: u64) -> Result<u32, Error> {
    u32::try_from(v).map_err(|_| Error::DatOverflow {
        field,
        value: v,
        max: u64::from(u32::MAX),
    })
}

/// Builds the `.dat` runs from segment timings: a new run whenever the duration changes.
fn runs_of(segments: &[SegmentTiming]) -> Result<Vec<Run>, Error> {
    let mut runs: Vec<Run> = Vec::new();
    let mut prev_duration = None;
    for s in segments {
        if prev_duration == Some(s.duration) {
            if let Some(last) = runs.last_mut() {
                last.repeats = to_u16("repeats", u64::from(last.repeats) + 1)?;
            }
        } else {
            runs.push(Run {
                start_nr: to_u16("start_nr", s.number)?,
                repeats: 0,
                start_time: to_u32("start_time", s.tfdt)?,
                duration: to_u32("duration", s.duration)?,
            });
            prev_duration = Some(s.duration);
        }
    }
    Ok(runs)
}

/// Runs vodanalyzer's rules over the timings read from an asset. `base_name` names the output
/// files (see [`base_name`]).
pub(crate) fn analyze_timings(
    base_name: &str,
    adaptation_sets: &[AdaptationSetTimings],
) -> Result<Analysis, Error> {
    let mut segment_duration_s: Option<u64> = None;
    let mut first_in_loop: Option<u64> = None;
    let mut start_number: Option<u64> = None;
    let mut seen_types: Vec<&str> = Vec::new();
    let mut out_sets = Vec::new();
    let mut warnings = Vec::new();

    for aset in adaptation_sets {
        if seen_types.contains(&aset.content_type.as_str()) {
            return Err(Error::DuplicateContentType {
                content_type: aset.content_type.clone(),
            });
        }
        seen_types.push(&aset.content_type);
        let mpd_ts = aset.mpd_timescale.max(1);
        let seg_s = aset.duration_ticks / mpd_ts;
        if seg_s == 0 {
            return Err(Error::SubSecondSegments {
                content_type: aset.content_type.clone(),
                duration_ticks: aset.duration_ticks,
                timescale: mpd_ts,
            });
        }
        match segment_duration_s {
            None => segment_duration_s = Some(seg_s),
            Some(e) if e != seg_s => {
                return Err(Error::SegmentDurationMismatch {
                    content_type: aset.content_type.clone(),
                    expected_s: e,
                    found_s: seg_s,
                })
            }
            Some(_) => {}
        }
        match start_number {
            None => start_number = Some(aset.start_number),
            Some(e) if e != aset.start_number => {
                return Err(Error::StartNumberMismatch {
                    content_type: aset.content_type.clone(),
                    expected: e,
                    found: aset.start_number,
                })
            }
            Some(_) => {}
        }
        let mut timescale: Option<u32> = None;
        let mut first_rep: Option<(Vec<SegmentTiming>, u32)> = None;
        for rep in &aset.representations {
            match timescale {
                None => timescale = Some(rep.timescale),
                Some(e) if e != rep.timescale => {
                    return Err(Error::TimescaleMismatch {
                        content_type: aset.content_type.clone(),
                        representation: rep.id.clone(),
                        expected: e,
                        found: rep.timescale,
                    })
                }
                Some(_) => {}
            }
            let good = check_representation(rep, seg_s, &mut warnings)?;
            let first_number = good.first().map(|s| s.number).unwrap_or(0);
            match first_in_loop {
                None => first_in_loop = Some(first_number),
                Some(e) if e != first_number => {
                    return Err(Error::FirstNumberMismatch {
                        representation: rep.id.clone(),
                        expected: e,
                        found: first_number,
                    })
                }
                Some(_) => {}
            }
            if first_rep.is_none() {
                first_rep = Some((good, rep.timescale));
            }
        }
        let Some((segments, ts)) = first_rep else {
            continue;
        };
        let (Some(first), Some(last)) = (segments.first(), segments.last()) else {
            continue;
        };
        let overflow = || Error::Overflow {
            representation: aset.representations[0].id.clone(),
            number: last.number,
        };
        let end = last.tfdt.checked_add(last.duration).ok_or_else(overflow)?;
        let total = end.checked_sub(first.tfdt).ok_or_else(overflow)?;
        out_sets.push(AdaptationSetAnalysis {
            content_type: aset.content_type.clone(),
            representations: aset.representations.iter().map(|r| r.id.clone()).collect(),
            timescale: ts,
            first_number: first.number,
            segment_count: segments.len() as u64,
            last_number: last.number,
            total_duration: total,
            runs: runs_of(&segments)?,
            dat_file: format!("{base_name}_{}.dat", aset.content_type),
        });
    }
    let first = first_in_loop.unwrap_or(0);
    let last = out_sets
        .iter()
        .map(|a| a.last_number)
        .min()
        .unwrap_or(first);
    let nr = (last + 1).saturating_sub(first);
    Ok(Analysis {
        base_name: base_name.to_string(),
        segment_duration_s: segment_duration_s.unwrap_or(0),
        first_segment_in_loop: first,
        nr_segments_in_loop: nr,
        adaptation_sets: out_sets,
        warnings,
    })
}

/// Checks one Representation's segments (contiguity, drift) and returns those inside the loop.
fn check_representation(
    rep: &RepresentationTimings,
    seg_s: u64,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<SegmentTiming>, Error> {
    let Some(first) = rep.segments.first() else {
        return Err(Error::NoSegments {
            representation: rep.id.clone(),
        });
    };
    for w in rep.segments.windows(2) {
        if w[1].number != w[0].number + 1 {
            return Err(Error::SegmentGap {
                representation: rep.id.clone(),
                after: w[0].number,
                before: w[1].number,
            });
        }
    }
    let ts = u64::from(rep.timescale);
    let seg_ticks = seg_s.checked_mul(ts).ok_or_else(|| Error::Overflow {
        representation: rep.id.clone(),
        number: first.number,
    })?;
    // vodanalyzer: maxDiffInTicks = int(timescale * 0.1); exact for integer timescales.
    let max_drift = ts / 10;
    let start_tick = first.tfdt;
    let n = rep.segments.len();
    for (i, s) in rep.segments.iter().enumerate() {
        let overflow = || Error::Overflow {
            representation: rep.id.clone(),
            number: s.number,
        };
        let index = s.number - first.number + 1;
        let ideal = index
            .checked_mul(seg_ticks)
            .and_then(|v| v.checked_add(start_tick))
            .ok_or_else(overflow)?;
        let end = s.tfdt.checked_add(s.duration).ok_or_else(overflow)?;
        let drift = ideal.abs_diff(end);
        if drift < max_drift {
            continue;
        }
        if i + 1 == n && i > 0 {
            // The last segment is off (typically short: the asset's length is not a whole
            // number of segments). Loop over the segments before it.
            warnings.push(Warning::LastSegmentLeftOut {
                representation: rep.id.clone(),
                number: s.number,
                duration: s.duration,
                expected_duration: seg_ticks,
                timescale: rep.timescale,
            });
            return Ok(rep.segments[..i].to_vec());
        }
        return Err(Error::Drift {
            representation: rep.id.clone(),
            number: s.number,
            url: s.url.clone(),
            expected_end: ideal,
            found_end: end,
            drift,
            max_drift,
            timescale: rep.timescale,
            segment_duration_s: seg_s,
        });
    }
    Ok(rep.segments.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(n: u64, tfdt: u64, d: u64) -> SegmentTiming {
        SegmentTiming {
            number: n,
            url: format!("{n}.m4s"),
            tfdt,
            duration: d,
        }
    }

    fn aset(ct: &str, reps: Vec<RepresentationTimings>) -> AdaptationSetTimings {
        AdaptationSetTimings {
            content_type: ct.into(),
            start_number: 1,
            duration_ticks: 2000,
            mpd_timescale: 1000,
            representations: reps,
        }
    }

    fn rep(id: &str, ts: u32, segs: Vec<SegmentTiming>) -> RepresentationTimings {
        RepresentationTimings {
            id: id.into(),
            timescale: ts,
            segments: segs,
        }
    }

    /// livesim2's testpic_2s as vodanalyzer analysed it (docs/live-timing.md#analysis-examples).
    fn testpic_2s() -> Vec<AdaptationSetTimings> {
        let video = (0..4).map(|i| seg(i + 1, i * 180_000, 180_000)).collect();
        let audio = vec![
            seg(1, 0, 96_256),
            seg(2, 96_256, 96_256),
            seg(3, 192_512, 96_256),
            seg(4, 288_768, 95_232),
        ];
        vec![
            aset("audio", vec![rep("A48", 48_000, audio)]),
            aset("video", vec![rep("V300", 90_000, video)]),
        ]
    }

    #[test]
    fn testpic_2s_matches_observed_vodanalyzer_output() {
        let a = analyze_timings("testpic_2s", &testpic_2s()).unwrap();
        let files = a.files();
        assert_eq!(files[0].0, "testpic_2s.cfg");
        let cfg = String::from_utf8(files[0].1.clone()).unwrap();
        assert_eq!(
            cfg,
            "[General]\nversion = 1.1\n\n[Setup]\ndefault_tsbd_secs = 300\nsegment_duration_s = 2\n\
             nr_segments_in_loop = 4\nfirst_segment_in_loop = 1\n\n[video]\nrepresentations = V300\n\
             timescale = 90000\ntotal_duration = 720000\ndat_file = testpic_2s_video.dat\n\n\
             [audio]\nrepresentations = A48\ntimescale = 48000\ntotal_duration = 384000\n\
             dat_file = testpic_2s_audio.dat\n\n"
        );
        assert_eq!(files[1].0, "testpic_2s_audio.dat");
        let hex: String = files[1].1.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, "010002000000000000780100040000000068040000740100");
        assert!(a.warnings.is_empty());
    }

    #[test]
    fn short_last_segment_is_left_out_with_a_warning() {
        let mut sets = testpic_2s();
        sets[1].representations[0]
            .segments
            .push(seg(5, 720_000, 90_000));
        let a = analyze_timings("x", &sets).unwrap();
        assert_eq!(a.nr_segments_in_loop, 4);
        assert_eq!(a.adaptation_sets[1].total_duration, 720_000);
        assert!(matches!(
            &a.warnings[..],
            [Warning::LastSegmentLeftOut {
                number: 5,
                duration: 90_000,
                ..
            }]
        ));
    }

    #[test]
    fn drift_in_the_middle_is_an_error_with_the_amounts() {
        let mut sets = testpic_2s();
        // Segment 2 of the video lasts 0.2 s too long: its end is 18,000 ticks off.
        let v = &mut sets[1].representations[0].segments;
        v[1].duration += 18_000;
        match analyze_timings("x", &sets) {
            Err(Error::Drift {
                number,
                drift,
                max_drift,
                expected_end,
                found_end,
                ..
            }) => {
                assert_eq!(number, 2);
                assert_eq!((expected_end, found_end), (360_000, 378_000));
                assert_eq!((drift, max_drift), (18_000, 9_000));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn loop_is_the_shortest_first_representation() {
        let mut sets = testpic_2s();
        sets[0].representations[0].segments.pop();
        let a = analyze_timings("x", &sets).unwrap();
        assert_eq!(a.nr_segments_in_loop, 3);
        // The .dat of video still covers all its segments, as vodanalyzer's does.
        assert_eq!(a.adaptation_sets[1].runs[0].repeats, 3);
    }

    #[test]
    fn rejections() {
        let mut sets = testpic_2s();
        sets[1].representations[0].segments.remove(2);
        assert!(matches!(
            analyze_timings("x", &sets),
            Err(Error::SegmentGap {
                after: 2,
                before: 4,
                ..
            })
        ));

        let mut sets = testpic_2s();
        sets[1].duration_ticks = 4000;
        assert!(matches!(
            analyze_timings("x", &sets),
            Err(Error::SegmentDurationMismatch {
                expected_s: 2,
                found_s: 4,
                ..
            })
        ));

        let mut sets = testpic_2s();
        sets[1].content_type = "audio".into();
        assert!(matches!(
            analyze_timings("x", &sets),
            Err(Error::DuplicateContentType { .. })
        ));

        let mut sets = testpic_2s();
        let mut r2 = sets[1].representations[0].clone();
        r2.id = "V600".into();
        r2.timescale = 30_000;
        sets[1].representations.push(r2);
        assert!(matches!(
            analyze_timings("x", &sets),
            Err(Error::TimescaleMismatch {
                expected: 90_000,
                found: 30_000,
                ..
            })
        ));

        let mut sets = testpic_2s();
        sets[1].representations[0].segments.clear();
        assert!(matches!(
            analyze_timings("x", &sets),
            Err(Error::NoSegments { .. })
        ));

        let mut sets = testpic_2s();
        sets[1].duration_ticks = 500;
        assert!(matches!(
            analyze_timings("x", &sets),
            Err(Error::SubSecondSegments { .. })
        ));

        let mut sets = testpic_2s();
        for s in &mut sets[1].representations[0].segments {
            s.tfdt += 1 << 32;
        }
        assert!(matches!(
            analyze_timings("x", &sets),
            Err(Error::DatOverflow {
                field: "start_time",
                ..
            })
        ));
    }

    #[test]
    fn base_name_rule() {
        assert_eq!(base_name("/abs/dir/Manifest.mpd"), "dir");
        assert_eq!(base_name("./Manifest.mpd"), ".");
        assert_eq!(base_name("Manifest.mpd"), "content");
    }
}

/// The examples of internal items, as tests (rustdoc would compile them as an outside
/// crate, which cannot name them).
#[cfg(test)]
mod doc_examples {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn analyze_timings_example() {
        use crate::analyze::*;
        let seg = |n: u64, tfdt, d| SegmentTiming {
            number: n,
            url: format!("{n}.m4s"),
            tfdt,
            duration: d,
        };
        let video = AdaptationSetTimings {
            content_type: "video".into(),
            start_number: 1,
            duration_ticks: 2,
            mpd_timescale: 1,
            representations: vec![RepresentationTimings {
                id: "V300".into(),
                timescale: 90_000,
                segments: (0..4).map(|i| seg(i + 1, i * 180_000, 180_000)).collect(),
            }],
        };
        let a = analyze_timings("testpic_2s", &[video]).unwrap();
        assert_eq!((a.nr_segments_in_loop, a.segment_duration_s), (4, 2));
        assert_eq!(a.adaptation_sets[0].runs[0].repeats, 3);
    }
}
