//! Segment addressing for one Representation of a static MPD (ISO/IEC 23009-1 §5.3.9):
//! which segments exist, their numbers, start times and durations in the Representation's
//! timescale, their URLs (resolved against the BaseURL chain) and byte ranges.
//!
//! The inputs are plain, already-resolved values (the effective SegmentTemplate, SegmentList
//! or SegmentBase after inheritance, the Period's timing, the resolved BaseURL), so this module
//! does not depend on the MPD model. The public part is what a listing holds
//! ([`RepresentationSegments`], [`Segment`], [`UrlRange`], [`ByteRange`]); embedders get it
//! from [`crate::mpd::listing::list_segments`]. Inside the crate, `plan` checks everything and
//! computes the count without materialising segments; `SegmentEnumeration::iter` then yields
//! them lazily, and `enumerate` collects them.
//!
//! All time math is exact integer math: u64 ticks with u128 intermediates, every step checked.
//! Period times come in nanoseconds (exact for any xs:duration with up to 9 fractional digits)
//! and are turned into ticks without rounding until the one place a rounding is needed, which
//! each item documents.
//!
//! Choices where the standard leaves room:
//! - `@duration` addressing: the count is `ceil(period_duration / @duration)` (§5.3.9.5.3); the
//!   last segment's duration is clipped to the Period end, rounded up to a whole tick.
//! - SegmentTimeline: `S@t` is followed as written (gaps and overlaps with the accumulated time
//!   are allowed); a first `S` without `@t` starts at 0 (§5.3.9.6). `r="-1"` repeats up to the
//!   next `S@t` or, for the last `S`, to the Period end (or `@endNumber`), counting a segment
//!   that starts before that end. Segments starting at or after the Period end are dropped;
//!   durations are kept as written.
//! - `$Time$` is the segment's start in the media timeline (presentation time offset
//!   included), in every mode.
//! - `S@k` and `$SubNumber$` are not expanded: a media template using `$SubNumber$` is a
//!   [`TemplateErrorKind::MissingValue`](super::error::TemplateErrorKind::MissingValue) error.

use std::fmt;

use super::error::{Error, ErrorLocation as Location};
use super::template::{Identifier, Template, TemplateValues};
use super::url::{resolve, Resolver};
use crate::limits::{MAX_LISTED_SEGMENTS, MAX_SEGMENTS};
use crate::timeline::Timescale;

const NS_PER_S: u128 = 1_000_000_000;

/// An inclusive byte range, as in HTTP and `@mediaRange`/`@indexRange`/`@range`
/// (`first-last`, both counted from 0). Always `first <= last`.
///
/// ```
/// use dashkit::mpd::segments::ByteRange;
/// use dashkit::mpd::ErrorLocation;
/// let r = ByteRange::parse("100-199", &ErrorLocation::default())?;
/// assert_eq!((r.first(), r.last(), r.size_bytes()), (100, 199, 100));
/// assert_eq!(r.to_string(), "100-199");
/// assert!(ByteRange::parse("9-1", &ErrorLocation::default()).is_err());
/// # Ok::<(), dashkit::mpd::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ByteRange {
    first: u64,
    last: u64,
}

impl ByteRange {
    /// The range `first..=last`, or `None` when `first > last`.
    ///
    /// ```
    /// use dashkit::mpd::segments::ByteRange;
    /// assert_eq!(ByteRange::new(0, 831).map(|r| r.size_bytes()), Some(832));
    /// assert_eq!(ByteRange::new(9, 8), None);
    /// ```
    pub fn new(first: u64, last: u64) -> Option<ByteRange> {
        (first <= last).then_some(ByteRange { first, last })
    }

    /// Parses `first-last` (decimal, no spaces). `at` locates the attribute for the error.
    ///
    /// ```
    /// use dashkit::mpd::{segments::ByteRange, Error, ErrorLocation};
    /// let r = ByteRange::parse("832-887", &ErrorLocation::default()).unwrap();
    /// assert_eq!((r.first(), r.last(), r.to_string()), (832, 887, "832-887".to_string()));
    /// assert!(matches!(ByteRange::parse("887-832", &ErrorLocation::default()),
    ///     Err(Error::InvalidByteRange { .. })));
    /// ```
    pub fn parse(text: &str, at: &Location) -> Result<ByteRange, Error> {
        let bad = || Error::InvalidByteRange {
            at: at.clone(),
            text: text.to_owned(),
        };
        let (a, b) = text.split_once('-').ok_or_else(bad)?;
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
        if !digits(a) || !digits(b) {
            return Err(bad());
        }
        let first = a.parse().map_err(|_| bad())?;
        let last = b.parse().map_err(|_| bad())?;
        ByteRange::new(first, last).ok_or_else(bad)
    }

    /// First byte offset.
    ///
    /// ```
    /// let r = dashkit::mpd::segments::ByteRange::new(832, 887).unwrap();
    /// assert_eq!(r.first(), 832);
    /// ```
    pub fn first(&self) -> u64 {
        self.first
    }

    /// Last byte offset (inclusive).
    ///
    /// ```
    /// let r = dashkit::mpd::segments::ByteRange::new(832, 887).unwrap();
    /// assert_eq!(r.last(), 887); // inclusive
    /// ```
    pub fn last(&self) -> u64 {
        self.last
    }

    /// Number of bytes, `last - first + 1` (saturating at `u64::MAX` for the full range).
    ///
    /// ```
    /// use dashkit::mpd::segments::ByteRange;
    /// assert_eq!(ByteRange::new(832, 887).unwrap().size_bytes(), 56);
    /// assert_eq!(ByteRange::new(0, u64::MAX).unwrap().size_bytes(), u64::MAX); // saturates
    /// ```
    pub fn size_bytes(&self) -> u64 {
        (self.last - self.first).saturating_add(1)
    }
}

impl fmt::Display for ByteRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.first, self.last)
    }
}

/// One `SegmentTimeline/S` element (ISO/IEC 23009-1 §5.3.9.6), values in timescale ticks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct TimelineEntry {
    /// `@t`: start time in the media timeline; absent means "where the previous S ended" (0
    /// for the first).
    pub t: Option<u64>,
    /// `@n`: number of the first segment of this S; absent means "previous + 1".
    pub n: Option<u64>,
    /// `@d`: duration of each segment. Must not be zero.
    pub d: u64,
    /// `@r`: additional repeats (0 = one segment); -1 means "until the next `S@t` or the
    /// Period end".
    pub r: i64,
    /// `@k`: segments per segment sequence (accepted, not expanded).
    pub k: Option<u64>,
}

/// Where segment durations come from: `@duration` or a SegmentTimeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SegmentDurations<'a> {
    /// `@duration`, in timescale ticks (§5.3.9.2).
    Duration(u64),
    /// The `S` elements of `SegmentTimeline`, in document order.
    Timeline(&'a [TimelineEntry]),
}

/// `URLType` (§5.3.9.2.2): `Initialization`, `RepresentationIndex`, `BitstreamSwitching`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct UrlType {
    /// `@sourceURL`; absent means the BaseURL itself.
    pub source_url: Option<String>,
    /// `@range`.
    pub range: Option<ByteRange>,
}

/// One `SegmentList/SegmentURL` (§5.3.9.3.2). `@index`/`@indexRange` are not needed here.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct ListEntry {
    /// `@media`; absent means the BaseURL itself.
    pub media: Option<String>,
    /// `@mediaRange`.
    pub media_range: Option<ByteRange>,
}

/// One reference of a decoded `sidx` box (ISO/IEC 14496-12 §8.16.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SubsegmentRef {
    /// `reference_type`: true when it points at another sidx (hierarchical index).
    pub reference_type_is_index: bool,
    /// `referenced_size`, bytes.
    pub referenced_size: u32,
    /// `subsegment_duration`, in the sidx timescale.
    pub subsegment_duration: u32,
}

/// A decoded `sidx` box, as the caller read it from the bytes at `SegmentBase@indexRange`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SidxInput {
    /// `timescale` of the sidx.
    pub timescale: Timescale,
    /// `earliest_presentation_time`, in the sidx timescale.
    pub earliest_presentation_time: u64,
    /// `first_offset`: bytes from the anchor to the first referenced byte.
    pub first_offset: u64,
    /// The anchor: the file offset of the first byte after the sidx box (sidx offsets count
    /// from there). With `@indexRange` covering exactly the sidx, `index_range.last() + 1`.
    pub anchor_offset: u64,
    /// The references, in order.
    pub references: Vec<SubsegmentRef>,
}

/// Effective `SegmentTemplate` (§5.3.9.4) of a Representation, after inheritance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TemplateAddressing<'a> {
    /// `@timescale` (default 1).
    pub timescale: Timescale,
    /// `@presentationTimeOffset` in ticks (default 0).
    pub presentation_time_offset: u64,
    /// `@startNumber` (default 1).
    pub start_number: u64,
    /// `@endNumber`: number of the last segment, if given.
    pub end_number: Option<u64>,
    /// `@duration` or the SegmentTimeline.
    pub timing: SegmentDurations<'a>,
    /// `@media`.
    pub media: &'a Template,
    /// `@initialization`.
    pub initialization: Option<&'a Template>,
    /// `@index` (Representation index). Listed only when it uses neither `$Number$` nor
    /// `$Time$`; per-segment index templates are not listed.
    pub index: Option<&'a Template>,
}

/// Effective `SegmentList` (§5.3.9.3) of a Representation, after inheritance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListAddressing<'a> {
    /// `@timescale` (default 1).
    pub timescale: Timescale,
    /// `@presentationTimeOffset` in ticks (default 0).
    pub presentation_time_offset: u64,
    /// `@startNumber` (default 1).
    pub start_number: u64,
    /// `@duration` or SegmentTimeline; `None` is allowed only for a single SegmentURL.
    pub timing: Option<SegmentDurations<'a>>,
    /// The `SegmentURL` elements, in order.
    pub segment_urls: &'a [ListEntry],
    /// `Initialization`.
    pub initialization: Option<&'a UrlType>,
    /// `RepresentationIndex`.
    pub representation_index: Option<&'a UrlType>,
}

/// Effective `SegmentBase` (§5.3.9.2) of a Representation, after inheritance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseAddressing<'a> {
    /// `@timescale` (default 1).
    pub timescale: Timescale,
    /// `@presentationTimeOffset` in ticks of `timescale` (default 0).
    pub presentation_time_offset: u64,
    /// `@indexRange`: where the sidx is in the file.
    pub index_range: Option<ByteRange>,
    /// `Initialization` (its `@range` is the init segment in the same file).
    pub initialization: Option<&'a UrlType>,
    /// `RepresentationIndex`.
    pub representation_index: Option<&'a UrlType>,
    /// The sidx at `@indexRange`, decoded by the caller. Required when `index_range` is set;
    /// without both, the whole file is one segment spanning the Period.
    pub sidx: Option<&'a SidxInput>,
}

/// The three addressing modes of §5.3.9.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Addressing<'a> {
    /// SegmentTemplate (with `@duration` or SegmentTimeline).
    Template(TemplateAddressing<'a>),
    /// SegmentList.
    List(ListAddressing<'a>),
    /// SegmentBase (one file indexed by a sidx).
    Base(BaseAddressing<'a>),
}

/// What the addressing needs from the Representation and its Period.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct RepresentationContext {
    /// `Representation@id` (`$RepresentationID$`).
    pub representation_id: String,
    /// `Representation@bandwidth` (`$Bandwidth$`), bits per second.
    pub bandwidth: Option<u64>,
    /// The resolved BaseURL chain ([`super::url::resolve_chain`]); `""` for "next to the MPD".
    pub base_url: String,
    /// Period start (`Period@start` as resolved), nanoseconds since the presentation start.
    pub period_start_ns: u64,
    /// Period duration in nanoseconds, if known (`Period@duration`, next Period's start, or
    /// `MPD@mediaPresentationDuration`).
    pub period_duration_ns: Option<u64>,
    /// Location of the addressing element (e.g. the SegmentTemplate), prefixed to every error
    /// path (`.../SegmentTemplate/SegmentTimeline/S[3]/@r`).
    pub at: Location,
    /// When set, only the segments overlapping this span of presentation time (nanoseconds
    /// since the presentation start, `[from, to)`) are listed: the window of a live MPD at an
    /// instant, found by arithmetic on the runs rather than by walking every segment since
    /// the Period start (a livesim MPD from 1970 has a billion before its window).
    pub window_ns: Option<(u64, u64)>,
}

/// One media segment.
///
/// ```
/// use dashkit::mpd::listing::list_segments;
/// let text = include_str!("../../../fixtures/dash/ffmpeg_number/manifest.mpd");
/// let mpd = dashkit::mpd::parse(text).unwrap();
/// let video = &list_segments(&mpd, "", |_| None).unwrap()[0].segments;
/// let second = &video.segments[1];
/// assert_eq!((second.number, second.url.as_str()), (2, "chunk-0-00002.m4s"));
/// assert_eq!((second.start, second.duration), (2_000_000, 2_000_000)); // @timescale 1000000
/// assert_eq!(second.byte_range, None); // a whole file
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Segment number (from `@startNumber`, `S@n`; 1-based for SegmentBase).
    pub number: u64,
    /// Start in the media timeline (presentation time offset included), ticks.
    pub start: u64,
    /// Duration, ticks.
    pub duration: u64,
    /// URL, resolved against the BaseURL.
    pub url: String,
    /// Byte range within `url`, when the segment is part of a file.
    pub byte_range: Option<ByteRange>,
}

/// A URL with an optional byte range: initialization or index segment.
///
/// ```
/// use dashkit::mpd::listing::list_segments_each;
/// let text = include_str!("../../../fixtures/dash/shaka_ondemand/manifest.mpd");
/// let video = include_bytes!("../../../fixtures/dash/shaka_ondemand/video_144p.mp4");
/// let mpd = dashkit::mpd::parse(text).unwrap();
/// let listing = list_segments_each(&mpd, "", |req| {
///     (req.url == "video_144p.mp4").then(|| dashkit::source::slice(video, Some(req.range)).to_vec())
/// });
/// let low = &listing.unwrap().representations[0].segments;
/// let init = low.initialization.as_ref().unwrap();
/// assert_eq!(init.url, "video_144p.mp4");
/// assert_eq!(init.byte_range.map(|r| (r.first(), r.last())), Some((0, 831)));
/// let index = low.index.as_ref().unwrap();
/// assert_eq!(index.byte_range.map(|r| (r.first(), r.last())), Some((832, 887)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRange {
    /// URL, resolved against the BaseURL.
    pub url: String,
    /// Byte range within `url`.
    pub byte_range: Option<ByteRange>,
}

/// Every segment of one Representation, with the timing needed to place them.
///
/// ```
/// use dashkit::mpd::listing::list_segments;
/// let text = include_str!("../../../fixtures/dash/ffmpeg_number/manifest.mpd");
/// let mpd = dashkit::mpd::parse(text).unwrap();
/// let video = &list_segments(&mpd, "", |_| None).unwrap()[0].segments;
/// assert_eq!(video.timescale.get(), 1_000_000);
/// assert_eq!((video.presentation_time_offset, video.period_start_ns), (0, 0));
/// assert_eq!(video.initialization.as_ref().unwrap().url, "init-0.m4s");
/// assert_eq!(video.segments.len(), 5); // 10 s in 2 s segments
/// assert_eq!(video.presentation_time_ns(&video.segments[4]), 8_000_000_000);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepresentationSegments {
    /// Timescale of `start` and `duration` (the sidx's timescale for SegmentBase).
    pub timescale: Timescale,
    /// Presentation time offset, ticks of `timescale`.
    pub presentation_time_offset: u64,
    /// Period start, nanoseconds.
    pub period_start_ns: u64,
    /// The initialization segment, if any.
    pub initialization: Option<UrlRange>,
    /// The Representation index segment, if any.
    pub index: Option<UrlRange>,
    /// The media segments, in order.
    pub segments: Vec<Segment>,
}

impl RepresentationSegments {
    /// Start of `segment` relative to the Period start, ticks (`start - presentation time
    /// offset`; negative when the segment begins before the offset).
    ///
    /// ```
    /// use dashkit::mpd::listing::list_segments;
    /// // Media time starts at 10 s (@presentationTimeOffset) in a Period starting at 60 s.
    /// let mpd = dashkit::mpd::parse(r#"<MPD type="static" mediaPresentationDuration="PT64S">
    ///   <Period start="PT60S"><AdaptationSet><SegmentTemplate media="$Number$.m4s" timescale="1000"
    ///   duration="2000" presentationTimeOffset="10000"/><Representation id="a"/></AdaptationSet>
    ///   </Period></MPD>"#).unwrap();
    /// let reps = list_segments(&mpd, "", |_| None).unwrap();
    /// let segs = &reps[0].segments;
    /// assert_eq!(segs.segments[1].start, 12_000);
    /// assert_eq!(segs.presentation_time(&segs.segments[1]), 2_000); // 2 s into the Period
    /// ```
    pub fn presentation_time(&self, segment: &Segment) -> i128 {
        i128::from(segment.start) - i128::from(self.presentation_time_offset)
    }

    /// Start of `segment` on the presentation timeline, nanoseconds (Period start + period
    /// time, rounded toward negative infinity).
    ///
    /// ```
    /// use dashkit::mpd::listing::list_segments;
    /// // Media time starts at 10 s (@presentationTimeOffset) in a Period starting at 60 s.
    /// let mpd = dashkit::mpd::parse(r#"<MPD type="static" mediaPresentationDuration="PT64S">
    ///   <Period start="PT60S"><AdaptationSet><SegmentTemplate media="$Number$.m4s" timescale="1000"
    ///   duration="2000" presentationTimeOffset="10000"/><Representation id="a"/></AdaptationSet>
    ///   </Period></MPD>"#).unwrap();
    /// let reps = list_segments(&mpd, "", |_| None).unwrap();
    /// let segs = &reps[0].segments;
    /// assert_eq!(segs.presentation_time_ns(&segs.segments[1]), 62_000_000_000); // 60 s + 2 s
    /// ```
    pub fn presentation_time_ns(&self, segment: &Segment) -> i128 {
        let rel = self.presentation_time(segment) * 1_000_000_000;
        i128::from(self.period_start_ns) + rel.div_euclid(i128::from(self.timescale.get()))
    }
}

/// A run of segments sharing a duration: the unit of a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    number: u64,
    start: u64,
    d: u64,
    count: u64,
    range: Option<ByteRange>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Media<'a> {
    Template(&'a Template),
    List(&'a [ListEntry]),
    Base,
}

/// A checked, not yet materialised enumeration: runs of segments, their count, and the
/// initialization and index segments. Iterate with [`SegmentEnumeration::iter`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SegmentEnumeration<'a> {
    timescale: Timescale,
    presentation_time_offset: u64,
    initialization: Option<UrlRange>,
    index: Option<UrlRange>,
    runs: Vec<Run>,
    len: u64,
    clip_end: Option<u64>,
    media: Media<'a>,
    ctx: &'a RepresentationContext,
    resolver: Resolver,
}

impl<'a> SegmentEnumeration<'a> {
    /// Number of media segments.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// The media segments, lazily.
    pub fn iter(&self) -> SegmentEnumerationIter<'_, 'a> {
        SegmentEnumerationIter {
            plan: self,
            run: 0,
            within: 0,
            index: 0,
            buf: String::new(),
        }
    }

    /// Materialises every segment.
    pub fn materialize(&self) -> RepresentationSegments {
        RepresentationSegments {
            timescale: self.timescale,
            presentation_time_offset: self.presentation_time_offset,
            period_start_ns: self.ctx.period_start_ns,
            initialization: self.initialization.clone(),
            index: self.index.clone(),
            segments: self.iter().collect(),
        }
    }
}

/// Iterator over the segments of a [`SegmentEnumeration`].
#[derive(Debug)]
pub(crate) struct SegmentEnumerationIter<'p, 'a> {
    plan: &'p SegmentEnumeration<'a>,
    run: usize,
    within: u64,
    index: usize,
    buf: String,
}

impl Iterator for SegmentEnumerationIter<'_, '_> {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        let plan = self.plan;
        let run = loop {
            let run = plan.runs.get(self.run)?;
            if self.within < run.count {
                break *run;
            }
            self.run += 1;
            self.within = 0;
        };
        // The plan checked that number + count and start + count * d fit in u64.
        let number = run.number.saturating_add(self.within);
        let start = run.start.saturating_add(self.within.saturating_mul(run.d));
        let duration = match plan.clip_end {
            // Only a segment straddling the end is shortened (SegmentList may list segments
            // past it; they keep their duration).
            Some(end) if start < end && start.saturating_add(run.d) > end => end - start,
            _ => run.d,
        };
        let ctx = plan.ctx;
        let (url, byte_range) = match &plan.media {
            Media::Template(t) => {
                self.buf.clear();
                let values = TemplateValues {
                    representation_id: Some(&ctx.representation_id),
                    number: Some(number),
                    time: Some(start),
                    bandwidth: ctx.bandwidth,
                    sub_number: None,
                };
                // The plan checked every value the template needs, so this cannot fail.
                let _ = t.expand_into(&values, &mut self.buf);
                (plan.resolver.resolve(&self.buf), None)
            }
            Media::List(urls) => match urls.get(self.index) {
                Some(u) => (
                    plan.resolver.resolve(u.media.as_deref().unwrap_or("")),
                    u.media_range,
                ),
                None => return None,
            },
            Media::Base => (ctx.base_url.clone(), run.range),
        };
        self.within += 1;
        self.index += 1;
        Some(Segment {
            number,
            start,
            duration,
            url,
            byte_range,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.plan.len.saturating_sub(self.index as u64);
        let left = usize::try_from(left).unwrap_or(usize::MAX);
        (left, Some(left))
    }
}

/// Enumerates every segment of one Representation: [`plan`] then [`SegmentEnumeration::materialize`].
///
/// A plan of more than [`MAX_LISTED_SEGMENTS`] segments is
/// [`Error::TooManySegments`] (with that limit) rather than an allocation sized by the MPD's
/// numbers; [`plan`] counts and iterates any number lazily.
pub(crate) fn enumerate(
    addressing: &Addressing<'_>,
    ctx: &RepresentationContext,
) -> Result<RepresentationSegments, Error> {
    let p = plan(addressing, ctx)?;
    match ctx.window_ns {
        None => {
            if p.len() > MAX_LISTED_SEGMENTS {
                return Err(Error::TooManySegments {
                    at: ctx.at.clone(),
                    limit: MAX_LISTED_SEGMENTS,
                });
            }
            Ok(p.materialize())
        }
        Some((from_ns, to_ns)) => {
            let spans = p.window_spans(from_ns, to_ns);
            let listed = spans
                .iter()
                .map(|s| s.count)
                .fold(0u64, u64::saturating_add);
            if listed > MAX_LISTED_SEGMENTS {
                return Err(Error::TooManySegments {
                    at: ctx.at.clone(),
                    limit: MAX_LISTED_SEGMENTS,
                });
            }
            let mut segments = Vec::new();
            for span in spans {
                let it = SegmentEnumerationIter {
                    plan: &p,
                    run: span.run,
                    within: span.within,
                    index: span.index,
                    buf: String::new(),
                };
                segments.extend(it.take(usize::try_from(span.count).unwrap_or(usize::MAX)));
            }
            // A last segment cut at the Period end may end before the window although its
            // nominal duration reaches into it.
            let from = p.window_ticks(from_ns, false);
            segments.retain(|s| u128::from(s.start) + u128::from(s.duration) > from);
            Ok(RepresentationSegments {
                segments,
                ..p.materialize_empty()
            })
        }
    }
}

/// Where a windowed listing starts in a run, and how many of the run's segments it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct WindowSpan {
    run: usize,
    within: u64,
    index: usize,
    count: u64,
}

impl SegmentEnumeration<'_> {
    /// The runs' segments that overlap `[from_ns, to_ns)` of presentation time (nanoseconds
    /// since the presentation start), each run cut by division, never walked.
    fn window_spans(&self, from_ns: u64, to_ns: u64) -> Vec<WindowSpan> {
        let from = self.window_ticks(from_ns, false);
        let to = self.window_ticks(to_ns, true);
        let mut out = Vec::new();
        let mut index: u64 = 0;
        for (i, run) in self.runs.iter().enumerate() {
            let start = u128::from(run.start);
            let d = u128::from(run.d);
            let count = u128::from(run.count);
            // First segment ending after `from`; first segment starting at or after `to`.
            let lo = match from.checked_sub(start) {
                Some(x) if d > 0 => (x / d).min(count),
                _ => 0,
            };
            let hi = match to.checked_sub(start) {
                None => 0,
                Some(_) if d == 0 => count,
                Some(x) => x.div_ceil(d).min(count),
            };
            if hi > lo {
                // lo and hi are at most run.count, a u64.
                let lo = u64::try_from(lo).unwrap_or(u64::MAX);
                let hi = u64::try_from(hi).unwrap_or(u64::MAX);
                out.push(WindowSpan {
                    run: i,
                    within: lo,
                    index: usize::try_from(index.saturating_add(lo)).unwrap_or(usize::MAX),
                    count: hi - lo,
                });
            }
            index = index.saturating_add(run.count);
        }
        out
    }

    /// Media time (ticks) of a presentation instant (nanoseconds since the presentation
    /// start): PTO + (t − Period start) · timescale / 10⁹, rounded down or up; an instant
    /// before the Period maps to the PTO.
    fn window_ticks(&self, ns: u64, round_up: bool) -> u128 {
        let rel = u128::from(ns).saturating_sub(u128::from(self.ctx.period_start_ns))
            * u128::from(self.timescale.get());
        let t = if round_up {
            rel.div_ceil(NS_PER_S)
        } else {
            rel / NS_PER_S
        };
        u128::from(self.presentation_time_offset) + t
    }

    /// The listing's header (timescale, offsets, init and index) without segments.
    fn materialize_empty(&self) -> RepresentationSegments {
        RepresentationSegments {
            timescale: self.timescale,
            presentation_time_offset: self.presentation_time_offset,
            period_start_ns: self.ctx.period_start_ns,
            initialization: self.initialization.clone(),
            index: self.index.clone(),
            segments: Vec::new(),
        }
    }
}

/// Checks the addressing and computes the segment runs and count, without materialising
/// segments. Every error of the enumeration is found here; iteration cannot fail.
pub(crate) fn plan<'a>(
    addressing: &Addressing<'a>,
    ctx: &'a RepresentationContext,
) -> Result<SegmentEnumeration<'a>, Error> {
    match addressing {
        Addressing::Template(a) => plan_template(a, ctx),
        Addressing::List(a) => plan_list(a, ctx),
        Addressing::Base(a) => plan_base(a, ctx),
    }
}

/// Puts `at` into a template error made without a location.
fn locate(e: Error, at: Location) -> Error {
    match e {
        Error::Template { offset, kind, .. } => Error::Template { at, offset, kind },
        other => other,
    }
}

fn overflow(ctx: &RepresentationContext, what: &'static str) -> Error {
    Error::Overflow {
        at: ctx.at.clone(),
        what,
    }
}

/// The Period end on the media timeline as an exact rational: `(pto * 1e9 + duration_ns *
/// timescale) / 1e9` ticks; returns the numerator.
fn period_end_scaled(ctx: &RepresentationContext, ts: Timescale, pto: u64) -> Option<u128> {
    let d = ctx.period_duration_ns?;
    Some(u128::from(pto) * NS_PER_S + u128::from(d) * u128::from(ts.get()))
}

fn ceil_div(a: u128, b: u128) -> u128 {
    a / b + u128::from(!a.is_multiple_of(b))
}

fn to_u64(v: u128, ctx: &RepresentationContext, what: &'static str) -> Result<u64, Error> {
    u64::try_from(v).map_err(|_| overflow(ctx, what))
}

fn too_many(at: Location) -> Error {
    Error::TooManySegments {
        at,
        limit: MAX_SEGMENTS,
    }
}

/// The Period end in ticks, rounded up.
fn period_end_ceil(
    ctx: &RepresentationContext,
    ts: Timescale,
    pto: u64,
) -> Result<Option<u64>, Error> {
    period_end_scaled(ctx, ts, pto)
        .map(|e| to_u64(ceil_div(e, NS_PER_S), ctx, "Period end in ticks"))
        .transpose()
}

/// Runs of `SegmentDurations::Duration(d)` for `count` segments from `start_number`.
fn duration_run(
    ctx: &RepresentationContext,
    at: Location,
    d: u64,
    pto: u64,
    start_number: u64,
    count: u64,
) -> Result<Run, Error> {
    if d == 0 {
        return Err(Error::Zero { at });
    }
    if count > MAX_SEGMENTS {
        return Err(too_many(at));
    }
    start_number
        .checked_add(count)
        .ok_or_else(|| overflow(ctx, "segment number"))?;
    count
        .checked_mul(d)
        .and_then(|x| x.checked_add(pto))
        .ok_or_else(|| overflow(ctx, "segment start"))?;
    Ok(Run {
        number: start_number,
        start: pto,
        d,
        count,
        range: None,
    })
}

/// Expands a SegmentTimeline into runs (§5.3.9.6), capped at `end_number` and the Period end.
fn timeline_runs(
    ctx: &RepresentationContext,
    timeline: &[TimelineEntry],
    ts: Timescale,
    pto: u64,
    start_number: u64,
    end_number: Option<u64>,
) -> Result<(Vec<Run>, u64), Error> {
    let end_scaled = period_end_scaled(ctx, ts, pto);
    let s_at = |i: usize, attr: &str| ctx.at.child(&format!("SegmentTimeline/S[{i}]/{attr}"));
    let mut runs = Vec::new();
    let mut total: u64 = 0;
    let mut t_acc: u64 = 0;
    let mut number = start_number;
    for (i, s) in timeline.iter().enumerate() {
        if s.d == 0 {
            return Err(Error::Zero { at: s_at(i, "@d") });
        }
        let t = s.t.unwrap_or(t_acc);
        if let Some(n) = s.n {
            number = n;
        }
        let d = u128::from(s.d);
        let t_scaled = u128::from(t) * NS_PER_S;
        let count: u64 = match s.r {
            r if r >= 0 => (r as u64)
                .checked_add(1)
                .ok_or_else(|| overflow(ctx, "S@r + 1"))?,
            -1 => {
                // The end it repeats to, scaled by 1e9 to stay exact.
                let end = match timeline.get(i + 1) {
                    Some(next) => match next.t {
                        Some(nt) => Some(u128::from(nt) * NS_PER_S),
                        None => return Err(Error::OpenRepeat { at: s_at(i, "@r") }),
                    },
                    None => end_scaled,
                };
                match end {
                    Some(end) => {
                        if end <= t_scaled {
                            return Err(Error::EmptyRepeat {
                                at: s_at(i, "@r"),
                                start: t,
                                end: u64::try_from(ceil_div(end, NS_PER_S)).unwrap_or(u64::MAX),
                            });
                        }
                        let c = ceil_div(end - t_scaled, d * NS_PER_S);
                        if c > u128::from(MAX_SEGMENTS) {
                            return Err(too_many(s_at(i, "@r")));
                        }
                        to_u64(c, ctx, "S@r=-1 count")?
                    }
                    None => match end_number {
                        Some(e) if e >= number => e - number + 1,
                        Some(_) => 0,
                        None => return Err(Error::OpenRepeat { at: s_at(i, "@r") }),
                    },
                }
            }
            r => {
                return Err(Error::InvalidRepeat {
                    at: s_at(i, "@r"),
                    r,
                })
            }
        };
        if count > MAX_SEGMENTS {
            return Err(too_many(s_at(i, "@r")));
        }
        // Keep: capped by @endNumber and by the Period end (segments starting before it).
        let mut keep = count;
        if let Some(e) = end_number {
            keep = if number > e {
                0
            } else {
                keep.min(e - number + 1)
            };
        }
        if let Some(end) = end_scaled {
            let before_end = if end > t_scaled {
                ceil_div(end - t_scaled, d * NS_PER_S)
            } else {
                0
            };
            keep = keep.min(u64::try_from(before_end).unwrap_or(u64::MAX));
        }
        total = total
            .checked_add(keep)
            .filter(|&x| x <= MAX_SEGMENTS)
            .ok_or_else(|| too_many(s_at(i, "@r")))?;
        let span = count
            .checked_mul(s.d)
            .and_then(|x| x.checked_add(t))
            .ok_or_else(|| overflow(ctx, "SegmentTimeline time"))?;
        let next_number = number
            .checked_add(count)
            .ok_or_else(|| overflow(ctx, "SegmentTimeline number"))?;
        if keep > 0 {
            runs.push(Run {
                number,
                start: t,
                d: s.d,
                count: keep,
                range: None,
            });
        }
        t_acc = span;
        number = next_number;
    }
    Ok((runs, total))
}

fn plan_template<'a>(
    a: &TemplateAddressing<'a>,
    ctx: &'a RepresentationContext,
) -> Result<SegmentEnumeration<'a>, Error> {
    let pto = a.presentation_time_offset;
    // Every value the media template may need, checked once (SubNumber is never supplied).
    let probe = TemplateValues {
        representation_id: Some(&ctx.representation_id),
        number: Some(0),
        time: Some(0),
        bandwidth: ctx.bandwidth,
        sub_number: None,
    };
    a.media
        .check_values(&probe)
        .map_err(|e| locate(e, ctx.at.child("@media")))?;
    let rep_values = TemplateValues {
        representation_id: Some(&ctx.representation_id),
        bandwidth: ctx.bandwidth,
        ..Default::default()
    };
    let initialization = match a.initialization {
        Some(t) => Some(UrlRange {
            url: resolve(
                &ctx.base_url,
                &t.expand(&rep_values)
                    .map_err(|e| locate(e, ctx.at.child("@initialization")))?,
            ),
            byte_range: None,
        }),
        None => None,
    };
    let index = match a.index {
        Some(t) if !t.uses(Identifier::Number) && !t.uses(Identifier::Time) => Some(UrlRange {
            url: resolve(
                &ctx.base_url,
                &t.expand(&rep_values)
                    .map_err(|e| locate(e, ctx.at.child("@index")))?,
            ),
            byte_range: None,
        }),
        _ => None,
    };
    let (runs, len, clip_end) = match a.timing {
        SegmentDurations::Duration(d) => {
            if d == 0 {
                return Err(Error::Zero {
                    at: ctx.at.child("@duration"),
                });
            }
            let by_period = period_end_scaled(ctx, a.timescale, pto).map(|end| {
                let span = end - u128::from(pto) * NS_PER_S;
                ceil_div(span, u128::from(d) * NS_PER_S)
            });
            let by_end = a.end_number.map(|e| {
                if e >= a.start_number {
                    u128::from(e - a.start_number) + 1
                } else {
                    0
                }
            });
            let count = match (by_period, by_end) {
                (Some(p), Some(e)) => p.min(e),
                (Some(c), None) | (None, Some(c)) => c,
                (None, None) => {
                    return Err(Error::UnknownPeriodEnd { at: ctx.at.clone() });
                }
            };
            // A windowed listing (a live MPD at an instant) skips, by division, the segments
            // that end before the window: only the rest is counted against the limits.
            let skip = ctx
                .window_ns
                .map(|(from_ns, _)| {
                    let rel = u128::from(from_ns).saturating_sub(u128::from(ctx.period_start_ns));
                    (rel * u128::from(a.timescale.get()) / NS_PER_S / u128::from(d)).min(count)
                })
                .unwrap_or(0);
            let count = count - skip;
            if count > u128::from(MAX_SEGMENTS) {
                return Err(too_many(ctx.at.clone()));
            }
            let count = to_u64(count, ctx, "segment count")?;
            let skip = to_u64(skip, ctx, "segment count")?;
            let first_number = a
                .start_number
                .checked_add(skip)
                .ok_or_else(|| overflow(ctx, "segment number"))?;
            let first_start = skip
                .checked_mul(d)
                .and_then(|x| x.checked_add(pto))
                .ok_or_else(|| overflow(ctx, "segment start"))?;
            let run = duration_run(
                ctx,
                ctx.at.child("@duration"),
                d,
                first_start,
                first_number,
                count,
            )?;
            let clip = period_end_ceil(ctx, a.timescale, pto)?;
            (vec![run], count, clip)
        }
        SegmentDurations::Timeline(tl) => {
            let (runs, total) =
                timeline_runs(ctx, tl, a.timescale, pto, a.start_number, a.end_number)?;
            (runs, total, None)
        }
    };
    Ok(SegmentEnumeration {
        timescale: a.timescale,
        presentation_time_offset: pto,
        initialization,
        index,
        runs,
        len,
        clip_end,
        media: Media::Template(a.media),
        ctx,
        resolver: Resolver::new(&ctx.base_url),
    })
}

fn url_range(ctx: &RepresentationContext, u: &UrlType) -> UrlRange {
    UrlRange {
        url: resolve(&ctx.base_url, u.source_url.as_deref().unwrap_or("")),
        byte_range: u.range,
    }
}

fn plan_list<'a>(
    a: &ListAddressing<'a>,
    ctx: &'a RepresentationContext,
) -> Result<SegmentEnumeration<'a>, Error> {
    let pto = a.presentation_time_offset;
    let urls = u64::try_from(a.segment_urls.len()).unwrap_or(u64::MAX);
    if urls > MAX_SEGMENTS {
        return Err(too_many(ctx.at.clone()));
    }
    let (runs, clip_end) = match a.timing {
        Some(SegmentDurations::Duration(d)) => {
            let run = duration_run(ctx, ctx.at.child("@duration"), d, pto, a.start_number, urls)?;
            (vec![run], period_end_ceil(ctx, a.timescale, pto)?)
        }
        Some(SegmentDurations::Timeline(tl)) => {
            let (runs, timed) = timeline_runs(ctx, tl, a.timescale, pto, a.start_number, None)?;
            if timed != urls {
                return Err(Error::SegmentCountMismatch {
                    at: ctx.at.clone(),
                    urls,
                    timed,
                });
            }
            (runs, None)
        }
        None if urls > 1 => {
            return Err(Error::MissingTiming {
                at: ctx.at.clone(),
                urls,
            })
        }
        None if urls == 0 => (Vec::new(), None),
        None => {
            let end = period_end_ceil(ctx, a.timescale, pto)?
                .ok_or_else(|| Error::UnknownPeriodEnd { at: ctx.at.clone() })?;
            let run = duration_run(
                ctx,
                ctx.at.clone(),
                end.saturating_sub(pto),
                pto,
                a.start_number,
                1,
            )?;
            (vec![run], None)
        }
    };
    Ok(SegmentEnumeration {
        timescale: a.timescale,
        presentation_time_offset: pto,
        initialization: a.initialization.map(|u| url_range(ctx, u)),
        index: a.representation_index.map(|u| url_range(ctx, u)),
        runs,
        len: urls,
        clip_end,
        media: Media::List(a.segment_urls),
        ctx,
        resolver: Resolver::new(&ctx.base_url),
    })
}

fn plan_base<'a>(
    a: &BaseAddressing<'a>,
    ctx: &'a RepresentationContext,
) -> Result<SegmentEnumeration<'a>, Error> {
    let initialization = a.initialization.map(|u| url_range(ctx, u));
    let index = match (a.representation_index, a.index_range) {
        (Some(u), _) => Some(url_range(ctx, u)),
        (None, Some(r)) => Some(UrlRange {
            url: ctx.base_url.clone(),
            byte_range: Some(r),
        }),
        (None, None) => None,
    };
    let Some(sidx) = a.sidx else {
        if a.index_range.is_some() {
            return Err(Error::SidxRequired { at: ctx.at.clone() });
        }
        // No index: the whole file is one segment spanning the Period.
        let pto = a.presentation_time_offset;
        let end = period_end_ceil(ctx, a.timescale, pto)?
            .ok_or_else(|| Error::UnknownPeriodEnd { at: ctx.at.clone() })?;
        let run = duration_run(ctx, ctx.at.clone(), end.saturating_sub(pto), pto, 1, 1)?;
        return Ok(SegmentEnumeration {
            timescale: a.timescale,
            presentation_time_offset: pto,
            initialization,
            index,
            runs: vec![run],
            len: 1,
            clip_end: None,
            media: Media::Base,
            ctx,
            resolver: Resolver::new(&ctx.base_url),
        });
    };
    // Times come out in the sidx timescale; the offset is converted into it exactly.
    let (from, to) = (a.timescale.get(), sidx.timescale.get());
    let scaled = u128::from(a.presentation_time_offset) * u128::from(to);
    if scaled % u128::from(from) != 0 {
        return Err(Error::InexactTimescale {
            at: ctx.at.child("@presentationTimeOffset"),
            value: a.presentation_time_offset,
            from,
            to,
        });
    }
    let pto = to_u64(scaled / u128::from(from), ctx, "presentation time offset")?;
    let refs = &sidx.references;
    if u64::try_from(refs.len()).unwrap_or(u64::MAX) > MAX_SEGMENTS {
        return Err(too_many(ctx.at.clone()));
    }
    let mut runs = Vec::with_capacity(refs.len());
    let mut offset = sidx
        .anchor_offset
        .checked_add(sidx.first_offset)
        .ok_or_else(|| overflow(ctx, "sidx offset"))?;
    let mut time = sidx.earliest_presentation_time;
    let ref_at = |i: usize, field: &str| ctx.at.child(&format!("sidx/reference[{i}]/{field}"));
    for (i, r) in refs.iter().enumerate() {
        if r.reference_type_is_index {
            return Err(Error::HierarchicalSidx {
                at: ctx.at.clone(),
                reference_index: i,
            });
        }
        if r.referenced_size == 0 {
            return Err(Error::Zero {
                at: ref_at(i, "referenced_size"),
            });
        }
        if r.subsegment_duration == 0 {
            return Err(Error::Zero {
                at: ref_at(i, "subsegment_duration"),
            });
        }
        let last = offset
            .checked_add(u64::from(r.referenced_size) - 1)
            .ok_or_else(|| overflow(ctx, "sidx byte range"))?;
        let number = u64::try_from(i)
            .ok()
            .and_then(|i| i.checked_add(1))
            .ok_or_else(|| overflow(ctx, "segment number"))?;
        runs.push(Run {
            number,
            start: time,
            d: u64::from(r.subsegment_duration),
            count: 1,
            range: ByteRange::new(offset, last),
        });
        offset = last
            .checked_add(1)
            .ok_or_else(|| overflow(ctx, "sidx byte range"))?;
        time = time
            .checked_add(u64::from(r.subsegment_duration))
            .ok_or_else(|| overflow(ctx, "sidx time"))?;
    }
    Ok(SegmentEnumeration {
        timescale: sidx.timescale,
        presentation_time_offset: pto,
        initialization,
        index,
        len: runs.len() as u64,
        runs,
        clip_end: None,
        media: Media::Base,
        ctx,
        resolver: Resolver::new(&ctx.base_url),
    })
}

/// `@duration` addressing on its own, for number <-> time questions (live edge, seeking):
/// segment `n` starts at `presentation_time_offset + (n - start_number) * duration` on the
/// media timeline (§5.3.9.5.3).
/// Only its own property tests use it now.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FixedDuration {
    /// `@presentationTimeOffset`, ticks.
    pub presentation_time_offset: u64,
    /// `@startNumber`.
    pub start_number: u64,
    /// `@duration`, ticks. Zero makes every query `None`.
    pub duration: u64,
}

#[cfg(test)]
impl FixedDuration {
    /// Start of segment `number` on the media timeline, ticks; `None` before `start_number`
    /// or on overflow.
    pub fn time_of_number(&self, number: u64) -> Option<u64> {
        if self.duration == 0 {
            return None;
        }
        number
            .checked_sub(self.start_number)?
            .checked_mul(self.duration)?
            .checked_add(self.presentation_time_offset)
    }

    /// Number of the segment containing media time `t_ticks`; `None` before the
    /// presentation time offset or on overflow.
    pub fn segment_at_time(&self, t_ticks: u64) -> Option<u64> {
        if self.duration == 0 {
            return None;
        }
        let k = t_ticks.checked_sub(self.presentation_time_offset)? / self.duration;
        self.start_number.checked_add(k)
    }
}

/// What real packagers wrote, checked against this enumeration (moved here from the
/// integration tests when the enumeration became internal).
#[cfg(test)]
mod packagers_tests;

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ts(n: u32) -> Timescale {
        Timescale::new(n).unwrap()
    }

    fn ctx(duration_ns: Option<u64>) -> RepresentationContext {
        RepresentationContext {
            representation_id: "v1".into(),
            bandwidth: Some(800_000),
            base_url: "http://cdn/x/".into(),
            period_start_ns: 0,
            period_duration_ns: duration_ns,
            at: Location {
                line: 7,
                column: 9,
                path: "MPD/Period[0]/AdaptationSet[0]/SegmentTemplate".into(),
            },
            window_ns: None,
        }
    }

    fn tpl(a: &str) -> Template {
        Template::parse(a).unwrap()
    }

    fn template<'a>(media: &'a Template, timing: SegmentDurations<'a>) -> TemplateAddressing<'a> {
        TemplateAddressing {
            timescale: ts(1000),
            presentation_time_offset: 0,
            start_number: 1,
            end_number: None,
            timing,
            media,
            initialization: None,
            index: None,
        }
    }

    fn run(a: TemplateAddressing<'_>, c: &RepresentationContext) -> Result<Vec<Segment>, Error> {
        enumerate(&Addressing::Template(a), c).map(|r| r.segments)
    }

    /// (number, start, duration) of each segment.
    fn nsd(segs: &[Segment]) -> Vec<(u64, u64, u64)> {
        segs.iter()
            .map(|s| (s.number, s.start, s.duration))
            .collect()
    }

    fn path_of(e: &Error) -> String {
        e.location().path.clone()
    }

    const P: &str = "MPD/Period[0]/AdaptationSet[0]/SegmentTemplate";

    #[test]
    fn byte_range_parse_rejects_junk() {
        let at = Location::default();
        for bad in ["", "-", "1-", "-1", "a-b", "1 - 2", "+1-2", "5-4", "1-2-3"] {
            assert!(ByteRange::parse(bad, &at).is_err(), "{bad:?}");
        }
        let r = ByteRange::parse("0-18446744073709551615", &at).unwrap();
        assert_eq!(r.size_bytes(), u64::MAX);
    }

    #[test]
    fn duration_mode_clips_the_last_segment_to_a_non_divisible_period_end() {
        let m = tpl("$Number$.m4s");
        let mut a = template(&m, SegmentDurations::Duration(180_000));
        a.timescale = ts(90_000);
        // 5.5 s at 90 kHz = 495,000 ticks: 2 s + 2 s + 1.5 s.
        let segs = run(a, &ctx(Some(5_500_000_000))).unwrap();
        assert_eq!(
            nsd(&segs),
            [
                (1, 0, 180_000),
                (2, 180_000, 180_000),
                (3, 360_000, 135_000)
            ]
        );
        // A Period end inside a tick rounds the last duration up: 1 ns past 4 s at 1 kHz.
        let m = tpl("$Number$");
        let segs = run(
            template(&m, SegmentDurations::Duration(2000)),
            &ctx(Some(4_000_000_001)),
        )
        .unwrap();
        assert_eq!(nsd(&segs), [(1, 0, 2000), (2, 2000, 2000), (3, 4000, 1)]);
    }

    #[test]
    fn duration_mode_with_offset_and_start_number_zero() {
        let m = tpl("$RepresentationID$/$Time$-$Number%05d$.m4s");
        let mut a = template(&m, SegmentDurations::Duration(2000));
        a.presentation_time_offset = 10_000;
        a.start_number = 0;
        let reps = enumerate(&Addressing::Template(a), &ctx(Some(6_000_000_000))).unwrap();
        assert_eq!(
            nsd(&reps.segments),
            [(0, 10_000, 2000), (1, 12_000, 2000), (2, 14_000, 2000)]
        );
        assert_eq!(reps.segments[2].url, "http://cdn/x/v1/14000-00002.m4s");
        assert_eq!(reps.presentation_time(&reps.segments[0]), 0);
        assert_eq!(reps.presentation_time(&reps.segments[2]), 4000);
    }

    #[test]
    fn presentation_time_ns_adds_the_period_start() {
        let m = tpl("$Number$");
        let mut a = template(&m, SegmentDurations::Duration(3));
        a.timescale = ts(3);
        let mut c = ctx(Some(3_000_000_000));
        c.period_start_ns = 10_000_000_000;
        let mut a2 = a.clone();
        a2.timing = SegmentDurations::Duration(1);
        let reps = enumerate(&Addressing::Template(a2), &c).unwrap();
        // 1/3 s rounds down to 333,333,333 ns.
        assert_eq!(reps.presentation_time_ns(&reps.segments[1]), 10_333_333_333);
        let _ = a;
    }

    #[test]
    fn end_number_caps_and_bounds_an_unknown_period() {
        let m = tpl("$Number$");
        let mut a = template(&m, SegmentDurations::Duration(2000));
        a.end_number = Some(3);
        assert_eq!(run(a.clone(), &ctx(Some(10_000_000_000))).unwrap().len(), 3);
        assert_eq!(run(a.clone(), &ctx(None)).unwrap().len(), 3);
        a.end_number = Some(0);
        assert!(run(a, &ctx(None)).unwrap().is_empty());
    }

    #[test]
    fn duration_mode_without_an_end_is_an_error() {
        let m = tpl("$Number$");
        let e = run(template(&m, SegmentDurations::Duration(2000)), &ctx(None)).unwrap_err();
        assert!(matches!(e, Error::UnknownPeriodEnd { .. }), "{e:?}");
        assert_eq!(path_of(&e), P);
    }

    #[test]
    fn zero_duration_is_an_error_not_a_loop() {
        let m = tpl("$Number$");
        let e = run(template(&m, SegmentDurations::Duration(0)), &ctx(Some(1))).unwrap_err();
        assert_eq!(path_of(&e), format!("{P}/@duration"));
        let tl = [
            TimelineEntry {
                d: 2,
                ..TimelineEntry::default()
            },
            TimelineEntry {
                d: 1,
                ..TimelineEntry::default()
            },
            TimelineEntry {
                d: 0,
                ..TimelineEntry::default()
            },
        ];
        let e = run(template(&m, SegmentDurations::Timeline(&tl)), &ctx(Some(1))).unwrap_err();
        assert!(matches!(e, Error::Zero { .. }));
        assert_eq!(path_of(&e), format!("{P}/SegmentTimeline/S[2]/@d"));
        // Location keeps the element's line and column.
        match e {
            Error::Zero { at } => assert_eq!((at.line, at.column), (7, 9)),
            _ => unreachable!(),
        }
    }

    /// Issue 19: `timescale="90000" duration="2"` over two hours (a forgotten timescale) is
    /// 324 million segments: counted, but listing them is a typed error, not 30 GB.
    #[test]
    fn listing_a_forgotten_timescale_is_an_error_not_gigabytes() {
        let m = tpl("$Number$");
        let mut a = template(&m, SegmentDurations::Duration(2));
        a.timescale = ts(90_000);
        let c = ctx(Some(7_200_000_000_000));
        let a = Addressing::Template(a);
        assert_eq!(plan(&a, &c).unwrap().len(), 324_000_000);
        let e = enumerate(&a, &c).unwrap_err();
        assert!(
            matches!(e, Error::TooManySegments { limit, .. } if limit == MAX_LISTED_SEGMENTS),
            "{e:?}"
        );
    }

    #[test]
    fn hostile_counts_are_errors_not_allocations() {
        let m = tpl("$Number$");
        // 1 tick segments over ~584 years at 1 GHz.
        let mut a = template(&m, SegmentDurations::Duration(1));
        a.timescale = ts(1_000_000_000);
        let e = run(a, &ctx(Some(u64::MAX))).unwrap_err();
        assert!(matches!(e, Error::TooManySegments { .. }), "{e:?}");
        let tl = [TimelineEntry {
            t: Some(0),
            d: 1,
            r: i64::MAX,
            ..TimelineEntry::default()
        }];
        let e = run(template(&m, SegmentDurations::Timeline(&tl)), &ctx(None)).unwrap_err();
        assert!(matches!(e, Error::TooManySegments { .. }), "{e:?}");
        assert_eq!(path_of(&e), format!("{P}/SegmentTimeline/S[0]/@r"));
        // Many moderate S elements add up past the cap too.
        let s = TimelineEntry {
            d: 1,
            r: 300_000_000,
            ..TimelineEntry::default()
        };
        let tl = [s, s];
        let e = run(template(&m, SegmentDurations::Timeline(&tl)), &ctx(None)).unwrap_err();
        assert_eq!(path_of(&e), format!("{P}/SegmentTimeline/S[1]/@r"));
        // Times past u64 are overflow errors.
        let tl = [TimelineEntry {
            t: Some(u64::MAX - 1),
            d: 5,
            r: 0,
            ..TimelineEntry::default()
        }];
        assert!(matches!(
            run(template(&m, SegmentDurations::Timeline(&tl)), &ctx(None)),
            Err(Error::Overflow { .. })
        ));
    }

    #[test]
    fn repeat_minus_one_runs_to_the_next_t() {
        let m = tpl("t$Time$.m4s");
        // 0,2,4,6 (ceil(7/2) = 4: the fourth overlaps the next S@t, which is followed).
        let tl = [
            TimelineEntry {
                t: Some(0),
                d: 2,
                r: -1,
                ..TimelineEntry::default()
            },
            TimelineEntry {
                t: Some(7),
                d: 1,
                r: 0,
                ..TimelineEntry::default()
            },
        ];
        let segs = run(template(&m, SegmentDurations::Timeline(&tl)), &ctx(None)).unwrap();
        assert_eq!(
            nsd(&segs),
            [(1, 0, 2), (2, 2, 2), (3, 4, 2), (4, 6, 2), (5, 7, 1)]
        );
        assert_eq!(segs[4].url, "http://cdn/x/t7.m4s");
    }

    #[test]
    fn repeat_minus_one_runs_to_the_period_end() {
        let m = tpl("$Number$");
        // 8.5 s at 1 kHz with 2 s segments: starts 0, 2, 4, 6, 8 (the last starts before 8.5 s).
        let tl = [TimelineEntry {
            t: Some(0),
            d: 2000,
            r: -1,
            ..TimelineEntry::default()
        }];
        let segs = run(
            template(&m, SegmentDurations::Timeline(&tl)),
            &ctx(Some(8_500_000_000)),
        )
        .unwrap();
        assert_eq!(segs.len(), 5);
        assert_eq!(segs[4].start, 8000);
        // Exactly divisible: 8 s gives 4.
        let segs = run(
            template(&m, SegmentDurations::Timeline(&tl)),
            &ctx(Some(8_000_000_000)),
        )
        .unwrap();
        assert_eq!(segs.len(), 4);
    }

    #[test]
    fn repeat_minus_one_with_an_offset_counts_from_the_offset() {
        let m = tpl("$Number$");
        let tl = [TimelineEntry {
            t: Some(5000),
            d: 1000,
            r: -1,
            ..TimelineEntry::default()
        }];
        let mut a = template(&m, SegmentDurations::Timeline(&tl));
        a.presentation_time_offset = 5000;
        let segs = run(a, &ctx(Some(4_000_000_000))).unwrap();
        assert_eq!(
            nsd(&segs),
            [
                (1, 5000, 1000),
                (2, 6000, 1000),
                (3, 7000, 1000),
                (4, 8000, 1000)
            ]
        );
    }

    #[test]
    fn repeat_minus_one_errors() {
        let m = tpl("$Number$");
        // Next S without @t.
        let tl = [
            TimelineEntry {
                t: Some(0),
                d: 2,
                r: -1,
                ..TimelineEntry::default()
            },
            TimelineEntry {
                d: 2,
                ..TimelineEntry::default()
            },
        ];
        let e = run(
            template(&m, SegmentDurations::Timeline(&tl)),
            &ctx(Some(10)),
        )
        .unwrap_err();
        assert!(matches!(e, Error::OpenRepeat { .. }));
        assert_eq!(path_of(&e), format!("{P}/SegmentTimeline/S[0]/@r"));
        // Last TimelineEntry, Period end unknown.
        let tl = [TimelineEntry {
            t: Some(0),
            d: 2,
            r: -1,
            ..TimelineEntry::default()
        }];
        let e = run(template(&m, SegmentDurations::Timeline(&tl)), &ctx(None)).unwrap_err();
        assert!(matches!(e, Error::OpenRepeat { .. }));
        // ... unless @endNumber bounds it.
        let mut a = template(&m, SegmentDurations::Timeline(&tl));
        a.end_number = Some(4);
        assert_eq!(run(a, &ctx(None)).unwrap().len(), 4);
        // Next S@t not after this one.
        let tl = [
            TimelineEntry {
                t: Some(10),
                d: 2,
                r: -1,
                ..TimelineEntry::default()
            },
            TimelineEntry {
                t: Some(10),
                d: 2,
                ..TimelineEntry::default()
            },
        ];
        let e = run(template(&m, SegmentDurations::Timeline(&tl)), &ctx(None)).unwrap_err();
        assert!(
            matches!(
                e,
                Error::EmptyRepeat {
                    start: 10,
                    end: 10,
                    ..
                }
            ),
            "{e:?}"
        );
        // r below -1.
        let tl = [
            TimelineEntry {
                d: 2,
                ..TimelineEntry::default()
            },
            TimelineEntry {
                d: 2,
                r: -2,
                ..TimelineEntry::default()
            },
        ];
        let e = run(template(&m, SegmentDurations::Timeline(&tl)), &ctx(None)).unwrap_err();
        assert_eq!(
            e,
            Error::InvalidRepeat {
                at: ctx(None).at.child("SegmentTimeline/S[1]/@r"),
                r: -2
            }
        );
    }

    #[test]
    fn timeline_follows_s_t_across_gaps_and_s_n_sets_numbers() {
        let m = tpl("$Number$");
        let tl = [
            TimelineEntry {
                t: Some(0),
                d: 2,
                r: 1,
                ..TimelineEntry::default()
            },
            TimelineEntry {
                t: Some(10),
                d: 3,
                ..TimelineEntry::default()
            },
            TimelineEntry {
                n: Some(100),
                d: 1,
                ..TimelineEntry::default()
            },
        ];
        let segs = run(template(&m, SegmentDurations::Timeline(&tl)), &ctx(None)).unwrap();
        assert_eq!(nsd(&segs), [(1, 0, 2), (2, 2, 2), (3, 10, 3), (100, 13, 1)]);
    }

    #[test]
    fn timeline_drops_segments_starting_after_the_period_and_honours_end_number() {
        let m = tpl("$Number$");
        let tl = [TimelineEntry {
            t: Some(0),
            d: 1000,
            r: 9,
            ..TimelineEntry::default()
        }];
        // Period of 3.5 s: starts 0..3000 kept, duration kept as written.
        let segs = run(
            template(&m, SegmentDurations::Timeline(&tl)),
            &ctx(Some(3_500_000_000)),
        )
        .unwrap();
        assert_eq!(nsd(&segs).last(), Some(&(4, 3000, 1000)));
        let mut a = template(&m, SegmentDurations::Timeline(&tl));
        a.end_number = Some(2);
        assert_eq!(run(a, &ctx(None)).unwrap().len(), 2);
    }

    #[test]
    fn first_s_without_t_starts_at_zero() {
        let m = tpl("$Time$");
        let tl = [TimelineEntry {
            d: 5,
            r: 1,
            ..TimelineEntry::default()
        }];
        let mut a = template(&m, SegmentDurations::Timeline(&tl));
        a.presentation_time_offset = 100;
        let segs = run(a, &ctx(None)).unwrap();
        assert_eq!(nsd(&segs), [(1, 0, 5), (2, 5, 5)]);
    }

    #[test]
    fn init_and_index_templates() {
        let m = tpl("$RepresentationID$/$Number$.m4s");
        let i = tpl("$RepresentationID$/init-$Bandwidth$.mp4");
        let x = tpl("$RepresentationID$/index.sidx");
        let mut a = template(&m, SegmentDurations::Duration(1000));
        a.initialization = Some(&i);
        a.index = Some(&x);
        let reps = enumerate(&Addressing::Template(a.clone()), &ctx(Some(1_000_000_000))).unwrap();
        assert_eq!(
            reps.initialization,
            Some(UrlRange {
                url: "http://cdn/x/v1/init-800000.mp4".into(),
                byte_range: None
            })
        );
        assert_eq!(reps.index.unwrap().url, "http://cdn/x/v1/index.sidx");
        // An initialization template that needs a number is an error located at the attribute.
        let bad = tpl("init-$Number$.mp4");
        a.initialization = Some(&bad);
        let e = enumerate(&Addressing::Template(a), &ctx(Some(1_000_000_000))).unwrap_err();
        assert_eq!(path_of(&e), format!("{P}/@initialization"));
    }

    #[test]
    fn media_template_needing_a_missing_value_fails_at_plan_time() {
        let m = tpl("$Bandwidth$/$Number$");
        let mut c = ctx(Some(1_000_000_000));
        c.bandwidth = None;
        let e = run(template(&m, SegmentDurations::Duration(1000)), &c).unwrap_err();
        assert_eq!(path_of(&e), format!("{P}/@media"));
        let m = tpl("$Number$_$SubNumber$");
        assert!(run(
            template(&m, SegmentDurations::Duration(1000)),
            &ctx(Some(1_000_000_000))
        )
        .is_err());
    }

    fn list<'a>(urls: &'a [ListEntry], timing: Option<SegmentDurations<'a>>) -> Addressing<'a> {
        Addressing::List(ListAddressing {
            timescale: ts(1000),
            presentation_time_offset: 0,
            start_number: 1,
            timing,
            segment_urls: urls,
            initialization: None,
            representation_index: None,
        })
    }

    #[test]
    fn segment_list_with_media_ranges() {
        let urls = [
            ListEntry {
                media: Some("a.mp4".into()),
                media_range: ByteRange::new(800, 1799),
            },
            ListEntry {
                media: Some("a.mp4".into()),
                media_range: ByteRange::new(1800, 2499),
            },
            ListEntry {
                media: None,
                media_range: ByteRange::new(2500, 2999),
            },
        ];
        let init = UrlType {
            source_url: Some("a.mp4".into()),
            range: ByteRange::new(0, 799),
        };
        let mut addr = list(&urls, Some(SegmentDurations::Duration(2000)));
        if let Addressing::List(l) = &mut addr {
            l.initialization = Some(&init);
        }
        let reps = enumerate(&addr, &ctx(Some(5_000_000_000))).unwrap();
        assert_eq!(
            nsd(&reps.segments),
            [(1, 0, 2000), (2, 2000, 2000), (3, 4000, 1000)]
        );
        assert_eq!(reps.segments[1].url, "http://cdn/x/a.mp4");
        assert_eq!(reps.segments[1].byte_range, ByteRange::new(1800, 2499));
        assert_eq!(reps.segments[2].url, "http://cdn/x/");
        // A SegmentURL wholly past the Period end keeps its @duration rather than becoming 0.
        let reps = enumerate(&addr, &ctx(Some(3_000_000_000))).unwrap();
        assert_eq!(
            nsd(&reps.segments),
            [(1, 0, 2000), (2, 2000, 1000), (3, 4000, 2000)]
        );
        assert_eq!(
            reps.initialization,
            Some(UrlRange {
                url: "http://cdn/x/a.mp4".into(),
                byte_range: ByteRange::new(0, 799)
            })
        );
    }

    #[test]
    fn segment_list_timeline_and_count_checks() {
        let u = ListEntry {
            media: Some("s.m4s".into()),
            media_range: None,
        };
        let urls = [u.clone(), u.clone(), u.clone()];
        let tl = [
            TimelineEntry {
                t: Some(0),
                d: 10,
                r: 1,
                ..TimelineEntry::default()
            },
            TimelineEntry {
                d: 4,
                ..TimelineEntry::default()
            },
        ];
        let segs = enumerate(
            &list(&urls, Some(SegmentDurations::Timeline(&tl))),
            &ctx(None),
        )
        .unwrap();
        assert_eq!(nsd(&segs.segments), [(1, 0, 10), (2, 10, 10), (3, 20, 4)]);
        let e = enumerate(
            &list(&urls[..2], Some(SegmentDurations::Timeline(&tl))),
            &ctx(None),
        )
        .unwrap_err();
        assert!(
            matches!(
                e,
                Error::SegmentCountMismatch {
                    urls: 2,
                    timed: 3,
                    ..
                }
            ),
            "{e:?}"
        );
        let e = enumerate(&list(&urls, None), &ctx(None)).unwrap_err();
        assert!(matches!(e, Error::MissingTiming { urls: 3, .. }));
        // One SegmentURL without timing spans the Period.
        let one = enumerate(&list(&urls[..1], None), &ctx(Some(7_000_000_000))).unwrap();
        assert_eq!(nsd(&one.segments), [(1, 0, 7000)]);
    }

    fn sidx(refs: &[(u32, u32)]) -> SidxInput {
        SidxInput {
            timescale: ts(90_000),
            earliest_presentation_time: 0,
            first_offset: 0,
            anchor_offset: 1000,
            references: refs
                .iter()
                .map(|&(size, dur)| SubsegmentRef {
                    reference_type_is_index: false,
                    referenced_size: size,
                    subsegment_duration: dur,
                })
                .collect(),
        }
    }

    fn base<'a>(s: Option<&'a SidxInput>, index_range: Option<ByteRange>) -> Addressing<'a> {
        Addressing::Base(BaseAddressing {
            timescale: ts(90_000),
            presentation_time_offset: 0,
            index_range,
            initialization: None,
            representation_index: None,
            sidx: s,
        })
    }

    #[test]
    fn segment_base_ranges_from_sidx() {
        let mut s = sidx(&[(100, 180_000), (250, 180_000), (50, 90_000)]);
        s.first_offset = 20;
        s.earliest_presentation_time = 3000;
        let mut c = ctx(None);
        c.base_url = "http://cdn/x/video.mp4".into();
        let reps = enumerate(&base(Some(&s), ByteRange::new(900, 999)), &c).unwrap();
        let r: Vec<_> = reps
            .segments
            .iter()
            .map(|s| s.byte_range.unwrap())
            .collect();
        assert_eq!(
            r,
            [
                ByteRange::new(1020, 1119).unwrap(),
                ByteRange::new(1120, 1369).unwrap(),
                ByteRange::new(1370, 1419).unwrap()
            ]
        );
        assert_eq!(
            nsd(&reps.segments),
            [
                (1, 3000, 180_000),
                (2, 183_000, 180_000),
                (3, 363_000, 90_000)
            ]
        );
        assert!(reps
            .segments
            .iter()
            .all(|s| s.url == "http://cdn/x/video.mp4"));
        assert_eq!(reps.index.unwrap().byte_range, ByteRange::new(900, 999));
    }

    #[test]
    fn segment_base_errors_and_timescales() {
        let c = ctx(None);
        let mut s = sidx(&[(100, 10), (100, 10)]);
        s.references[1].reference_type_is_index = true;
        let e = enumerate(&base(Some(&s), None), &c).unwrap_err();
        assert!(matches!(
            e,
            Error::HierarchicalSidx {
                reference_index: 1,
                ..
            }
        ));
        let s = sidx(&[(0, 10)]);
        let e = enumerate(&base(Some(&s), None), &c).unwrap_err();
        assert_eq!(
            path_of(&e),
            format!("{P}/sidx/reference[0]/referenced_size")
        );
        let e = enumerate(&base(None, ByteRange::new(0, 9)), &c).unwrap_err();
        assert!(matches!(e, Error::SidxRequired { .. }));
        // Times in the sidx timescale, the offset converted exactly (1 s at 1/s -> 90,000).
        let s = sidx(&[(100, 10)]);
        let mut a = base(Some(&s), None);
        if let Addressing::Base(b) = &mut a {
            b.timescale = Timescale::ONE;
            b.presentation_time_offset = 1;
        }
        let reps = enumerate(&a, &c).unwrap();
        assert_eq!(
            (reps.timescale, reps.presentation_time_offset),
            (ts(90_000), 90_000)
        );
        if let Addressing::Base(b) = &mut a {
            b.timescale = ts(7);
        }
        assert!(matches!(
            enumerate(&a, &c),
            Err(Error::InexactTimescale { .. })
        ));
    }

    #[test]
    fn segment_base_without_index_is_one_segment() {
        let mut c = ctx(Some(2_000_000_000));
        c.base_url = "v.mp4".into();
        let reps = enumerate(&base(None, None), &c).unwrap();
        assert_eq!(nsd(&reps.segments), [(1, 0, 180_000)]);
        assert_eq!(reps.segments[0].url, "v.mp4");
    }

    #[test]
    fn plan_counts_without_materialising() {
        let m = tpl("$Number$");
        let tl = [TimelineEntry {
            t: Some(0),
            d: 1,
            r: 99_999_999,
            ..TimelineEntry::default()
        }];
        let a = Addressing::Template(template(&m, SegmentDurations::Timeline(&tl)));
        let c = ctx(None);
        let p = plan(&a, &c).unwrap();
        assert_eq!(p.len(), 100_000_000);
        let last = p.iter().nth(5).unwrap();
        assert_eq!((last.number, last.start), (6, 5));
    }

    fn arb_timeline() -> impl Strategy<Value = Vec<TimelineEntry>> {
        prop::collection::vec((1u64..100_000, 0i64..50), 1..30).prop_map(|v| {
            v.into_iter()
                .map(|(d, r)| TimelineEntry {
                    d,
                    r,
                    ..TimelineEntry::default()
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn timeline_without_later_t_is_contiguous(tl in arb_timeline(), t0 in 0u64..1_000_000, start in 0u64..1000) {
            let mut tl = tl;
            tl[0].t = Some(t0);
            let m = tpl("$Time$");
            let mut a = template(&m, SegmentDurations::Timeline(&tl));
            a.start_number = start;
            let segs = run(a, &ctx(None)).unwrap();
            let want_count: i64 = tl.iter().map(|s| s.r + 1).sum();
            let want_total: u64 = tl.iter().map(|s| s.d * (s.r as u64 + 1)).sum();
            prop_assert_eq!(segs.len() as i64, want_count);
            prop_assert_eq!(segs.iter().map(|s| s.duration).sum::<u64>(), want_total);
            prop_assert_eq!(segs[0].start, t0);
            prop_assert_eq!(segs[0].number, start);
            for w in segs.windows(2) {
                prop_assert_eq!(w[1].start, w[0].start + w[0].duration);
                prop_assert!(w[1].start > w[0].start);
                prop_assert_eq!(w[1].number, w[0].number + 1);
            }
            for s in &segs {
                prop_assert_eq!(&s.url, &format!("http://cdn/x/{}", s.start));
            }
        }

        #[test]
        fn a_windowed_listing_is_the_full_listing_cut_to_the_window(
            d in 1u64..10_000, ts_n in 1u32..200_000, pd_ns in 1u64..100_000_000_000,
            pto in 0u64..1_000_000, ps_ns in 0u64..10_000_000_000,
            from_ns in 0u64..120_000_000_000, len_ns in 0u64..30_000_000_000,
        ) {
            let timescale = Timescale::new(ts_n).unwrap();
            let media = tpl("$Number$.m4s");
            let a = Addressing::Template(TemplateAddressing {
                timescale,
                presentation_time_offset: pto,
                start_number: 1,
                end_number: None,
                timing: SegmentDurations::Duration(d),
                media: &media,
                initialization: None,
                index: None,
            });
            let mut c = ctx(Some(pd_ns));
            c.period_start_ns = ps_ns;
            let Ok(full) = enumerate(&a, &c) else { return Ok(()) };
            let to_ns = from_ns + len_ns;
            c.window_ns = Some((from_ns, to_ns));
            let windowed = enumerate(&a, &c).unwrap();
            // Overlap, exactly: the segment's presentation interval [a, b) against [from, to),
            // both sides multiplied by the timescale.
            let ts = i128::from(ts_n);
            let at = |ticks: u64| i128::from(ps_ns) * ts + (i128::from(ticks) - i128::from(pto)) * 1_000_000_000;
            let want: Vec<_> = full
                .segments
                .iter()
                .filter(|s| at(s.start + s.duration) > i128::from(from_ns) * ts
                    && at(s.start) < i128::from(to_ns) * ts)
                .cloned()
                .collect();
            prop_assert_eq!(&windowed.segments, &want);
            prop_assert_eq!(windowed.initialization, full.initialization);
        }

        #[test]
        fn duration_mode_covers_the_period_exactly(d in 1u64..10_000, ts_n in 1u32..200_000, pd_ns in 1u64..100_000_000_000, pto in 0u64..1_000_000) {
            let m = tpl("$Number$");
            let mut a = template(&m, SegmentDurations::Duration(d));
            a.timescale = ts(ts_n);
            a.presentation_time_offset = pto;
            // Sum of durations = Period duration in ticks, rounded up.
            let end = (u128::from(pd_ns) * u128::from(ts_n)).div_ceil(1_000_000_000) as u64;
            let count = end.div_ceil(d);
            prop_assume!(count < 20_000);
            let c = ctx(Some(pd_ns));
            let p = plan(&Addressing::Template(a), &c).unwrap();
            let segs: Vec<_> = p.iter().collect();
            prop_assert_eq!(segs.len() as u64, count);
            prop_assert_eq!(segs.iter().map(|s| s.duration).sum::<u64>(), end);
            prop_assert!(segs.iter().all(|s| s.duration > 0 && s.duration <= d));
            prop_assert_eq!(segs[0].start, pto);
        }

        #[test]
        fn number_time_number_is_identity(pto in 0u64..1 << 40, start in 0u64..1 << 20, d in 1u64..1 << 20, k in 0u64..1 << 20) {
            let f = FixedDuration { presentation_time_offset: pto, start_number: start, duration: d };
            let n = start + k;
            let t = f.time_of_number(n).unwrap();
            prop_assert_eq!(f.segment_at_time(t), Some(n));
            // Every tick inside the segment maps back to it, the next tick after it does not.
            prop_assert_eq!(f.segment_at_time(t + d - 1), Some(n));
            prop_assert_eq!(f.segment_at_time(t + d), Some(n + 1));
        }

        #[test]
        fn time_number_time_is_monotonic(pto in 0u64..1 << 40, start in 0u64..1 << 20, d in 1u64..1 << 20, t in 0u64..1 << 41) {
            let f = FixedDuration { presentation_time_offset: pto, start_number: start, duration: d };
            match f.segment_at_time(t) {
                None => prop_assert!(t < pto),
                Some(n) => {
                    let s = f.time_of_number(n).unwrap();
                    prop_assert!(s <= t && t < s + d);
                }
            }
        }

        #[test]
        fn enumeration_never_panics(d in any::<u64>(), r in any::<i64>(), t in any::<Option<u64>>(), pd in any::<Option<u64>>(), pto in any::<u64>(), n in any::<u64>(), tsn in 1u32..=u32::MAX) {
            let m = tpl("$Number$$Time$");
            let tl = [TimelineEntry { t, d, r, ..TimelineEntry::default() }, TimelineEntry { t: None, d, r: 0, ..TimelineEntry::default() }];
            for timing in [SegmentDurations::Duration(d), SegmentDurations::Timeline(&tl)] {
                let mut a = template(&m, timing);
                a.timescale = ts(tsn);
                a.presentation_time_offset = pto;
                a.start_number = n;
                let c = ctx(pd);
                if let Ok(p) = plan(&Addressing::Template(a), &c) {
                    // Touch the first and last few without materialising them all.
                    let _ = p.iter().take(3).count();
                }
            }
        }
    }
}

/// The examples of internal items, as tests (rustdoc would compile them as an outside
/// crate, which cannot name them).
#[cfg(test)]
mod doc_examples {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    #[test]
    fn enumerate_example() -> Result<(), Box<dyn std::error::Error>> {
        use crate::mpd::segments::{
            enumerate, Addressing, RepresentationContext, SegmentDurations, TemplateAddressing,
        };
        use crate::mpd::template::Template;
        use crate::timeline::Timescale;

        let media = Template::parse("$RepresentationID$/seg-$Number%03d$.m4s")?;
        let init = Template::parse("$RepresentationID$/init.mp4")?;
        let addressing = Addressing::Template(TemplateAddressing {
            timescale: Timescale::new(90_000).unwrap(),
            presentation_time_offset: 0,
            start_number: 1,
            end_number: None,
            timing: SegmentDurations::Duration(180_000), // 2 s
            media: &media,
            initialization: Some(&init),
            index: None,
        });
        let ctx = RepresentationContext {
            representation_id: "v1".into(),
            base_url: "https://cdn.example/vod/".into(),
            period_duration_ns: Some(5_000_000_000), // 5 s: 2 s + 2 s + 1 s
            ..Default::default()
        };
        let reps = enumerate(&addressing, &ctx)?;
        assert_eq!(
            reps.initialization.unwrap().url,
            "https://cdn.example/vod/v1/init.mp4"
        );
        let s = &reps.segments;
        assert_eq!(s.len(), 3);
        assert_eq!(s[2].url, "https://cdn.example/vod/v1/seg-003.m4s");
        assert_eq!(
            (s[2].number, s[2].start, s[2].duration),
            (3, 360_000, 90_000)
        );
        Ok(())
    }

    #[test]
    fn plan_example() -> Result<(), Box<dyn std::error::Error>> {
        use crate::mpd::segments::{
            plan, Addressing, RepresentationContext, SegmentDurations, TemplateAddressing,
            TimelineEntry,
        };
        use crate::mpd::template::Template;
        use crate::timeline::Timescale;

        let media = Template::parse("t$Time$.m4s")?;
        // A day of 1 s segments in one S: counted, not allocated.
        let timeline = [TimelineEntry {
            t: Some(0),
            d: 1000,
            r: 86_399,
            ..TimelineEntry::default()
        }];
        let addressing = Addressing::Template(TemplateAddressing {
            timescale: Timescale::new(1000).unwrap(),
            presentation_time_offset: 0,
            start_number: 1,
            end_number: None,
            timing: SegmentDurations::Timeline(&timeline),
            media: &media,
            initialization: None,
            index: None,
        });
        let ctx = RepresentationContext::default();
        let p = plan(&addressing, &ctx)?;
        assert_eq!(p.len(), 86_400);
        let third = p.iter().nth(2).unwrap();
        assert_eq!(
            (third.number, third.start, third.url.as_str()),
            (3, 2000, "t2000.m4s")
        );
        Ok(())
    }

    #[test]
    fn fixed_duration_example() {
        use crate::mpd::segments::FixedDuration;
        let f = FixedDuration {
            presentation_time_offset: 1000,
            start_number: 5,
            duration: 200,
        };
        assert_eq!(f.time_of_number(5), Some(1000));
        assert_eq!(f.time_of_number(7), Some(1400));
        assert_eq!(f.segment_at_time(1399), Some(6));
        assert_eq!(f.segment_at_time(999), None);
    }
}
