//! Read-only checks of an MPD together with its segments, of an HLS playlist with its media
//! ([`validate_playlist`]), or of a single fragmented MP4, producing a [`Report`] of
//! [`Finding`]s.
//!
//! Findings are not errors: each has a stable `code` CI can filter on (`SEG-TFDT`,
//! `MPD-CODECS`, ...), a [`Severity`], a location (MPD element path, or segment URL plus box
//! path) and, where it applies, the expected and found values. An `Err` from [`validate`]
//! means the MPD could not be read at all.
//!
//! dashkit does no IO: segment bytes come from a [`Source`](crate::source::Source) the caller implements
//! (files, HTTP, memory). Every check is a small `check_*` function; the codes are listed in
//! [`codes`].
//!
//! ```
//! use dashkit::validate::{codes, validate, Severity};
//! // A dynamic MPD without @availabilityStartTime: found before any segment is asked for.
//! let mpd = r#"<MPD type="dynamic" minBufferTime="PT2S"><Period id="p"/></MPD>"#;
//! let mut source = |_: &str, _: Option<dashkit::mpd::segments::ByteRange>| None;
//! let report = validate(mpd, &mut source).unwrap();
//! assert!(report.has(codes::MPD_DYNAMIC_AST));
//! assert_eq!(report.worst(), Some(Severity::Error));
//! ```

mod hls;
mod live;
mod manifest;
mod media;
mod profile;

pub use hls::{validate_playlist, DURATION_TOLERANCE_NS};
pub use manifest::{validate, validate_at};
pub use media::validate_fragmented_file;

/// How serious a finding is. Ordered: `Info < Warning < Error`.
///
/// ```
/// use dashkit::validate::{codes, validate, Severity};
/// assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
/// // Neither @availabilityStartTime (an error) nor @minimumUpdatePeriod (a warning).
/// let mpd = r#"<MPD type="dynamic" minBufferTime="PT2S"><Period id="p"/></MPD>"#;
/// let mut source = |_: &str, _: Option<dashkit::mpd::segments::ByteRange>| None;
/// let report = validate(mpd, &mut source).unwrap();
/// let severity = |code| report.findings.iter().find(|f| f.code == code).unwrap().severity;
/// assert_eq!(severity(codes::MPD_DYNAMIC_AST), Severity::Error);
/// assert_eq!(severity(codes::MPD_DYNAMIC_MUP), Severity::Warning);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; nothing is wrong.
    Info,
    /// A deviation players usually tolerate (e.g. an AAC priming offset).
    Warning,
    /// A defect that makes players fail or misbehave.
    Error,
}

impl Severity {
    /// Lower-case name: `info`, `warning`, `error`.
    ///
    /// ```
    /// assert_eq!(dashkit::validate::Severity::Warning.as_str(), "warning");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One observation about the input.
///
/// ```
/// use dashkit::validate::{codes, validate, Severity};
/// let mpd = r#"<MPD type="dynamic" minBufferTime="PT2S"><Period id="p"/></MPD>"#;
/// let mut source = |_: &str, _: Option<dashkit::mpd::segments::ByteRange>| None;
/// let report = validate(mpd, &mut source).unwrap();
/// let f = report.findings.iter().find(|f| f.code == codes::MPD_DYNAMIC_AST).unwrap();
/// assert_eq!(f.severity, Severity::Error);
/// assert_eq!(f.location, "MPD/@availabilityStartTime");
/// assert!(f.message.contains("@availabilityStartTime"));
/// assert_eq!(f.representation, None); // about the MPD, not one Representation
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Stable code (one of [`codes`]).
    pub code: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// Where: an MPD element path (`MPD/Period[0]/AdaptationSet[1]/Representation[0]/@codecs`)
    /// or a segment URL with a box path (`chunk-1-0.m4s moof[0]/traf[0]/tfdt`).
    pub location: String,
    /// The expected value, when there is one.
    pub expected: Option<String>,
    /// The value found.
    pub found: Option<String>,
    /// A sentence with the amounts (ticks and milliseconds for timing).
    pub message: String,
    /// `Representation@id` the finding concerns, if any.
    pub representation: Option<String>,
}

/// Every finding of one validation run, in the order the checks ran.
///
/// ```
/// use dashkit::validate::{codes, validate, Severity};
/// let mpd = r#"<MPD type="dynamic" minBufferTime="PT2S"><Period id="p"/></MPD>"#;
/// let mut source = |_: &str, _: Option<dashkit::mpd::segments::ByteRange>| None;
/// let report = validate(mpd, &mut source).unwrap();
/// assert!(report.has(codes::MPD_DYNAMIC_AST) && report.has(codes::MPD_DYNAMIC_MUP));
/// assert_eq!(report.worst(), Some(Severity::Error));
/// let errors: Vec<_> = report.at_least(Severity::Error).map(|f| f.code).collect();
/// assert_eq!(errors, [codes::MPD_DYNAMIC_AST]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The findings.
    pub findings: Vec<Finding>,
}

impl Report {
    /// The most serious severity present, or `None` when there is no finding.
    ///
    /// ```
    /// assert_eq!(dashkit::validate::Report::default().worst(), None);
    /// ```
    pub fn worst(&self) -> Option<Severity> {
        self.findings.iter().map(|f| f.severity).max()
    }

    /// Whether a finding with this code is present.
    ///
    /// ```
    /// use dashkit::validate::{codes, validate};
    /// let mut source = |_: &str, _: Option<dashkit::mpd::segments::ByteRange>| None;
    /// let report = validate(r#"<MPD type="dynamic" minBufferTime="PT2S"><Period id="p"/></MPD>"#, &mut source).unwrap();
    /// assert!(report.has(codes::MPD_DYNAMIC_AST));
    /// assert!(!report.has(codes::SEG_TFDT));
    /// ```
    pub fn has(&self, code: &str) -> bool {
        self.findings.iter().any(|f| f.code == code)
    }

    /// Findings at or above `severity`.
    ///
    /// ```
    /// use dashkit::validate::{validate, Severity};
    /// let mut source = |_: &str, _: Option<dashkit::mpd::segments::ByteRange>| None;
    /// let report = validate(r#"<MPD type="dynamic" minBufferTime="PT2S"><Period id="p"/></MPD>"#, &mut source).unwrap();
    /// assert!(report.at_least(Severity::Warning).count() > report.at_least(Severity::Error).count());
    /// assert!(report.at_least(Severity::Info).count() == report.findings.len());
    /// ```
    pub fn at_least(&self, severity: Severity) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(move |f| f.severity >= severity)
    }
}

/// The stable finding codes. Each is produced by one `check_*` function.
pub mod codes {
    /// A static MPD has neither `@mediaPresentationDuration` nor a duration for its last Period.
    pub const MPD_STATIC_DURATION: &str = "MPD-STATIC-DURATION";
    /// A dynamic MPD lacks `@availabilityStartTime`.
    pub const MPD_DYNAMIC_AST: &str = "MPD-DYNAMIC-AST";
    /// A dynamic MPD lacks `@minimumUpdatePeriod` while its end is not announced.
    pub const MPD_DYNAMIC_MUP: &str = "MPD-DYNAMIC-MUP";
    /// `@minBufferTime` is missing (mandatory, ISO/IEC 23009-1 §5.3.1.2).
    pub const MPD_MIN_BUFFER_TIME: &str = "MPD-MIN-BUFFER-TIME";
    /// The MPD's segments could not be listed (bad addressing).
    pub const MPD_ADDRESSING: &str = "MPD-ADDRESSING";
    /// A SegmentTimeline (or other addressing) leaves a hole or an overlap between segments.
    pub const MPD_TIMELINE_GAP: &str = "MPD-TIMELINE-GAP";
    /// A segment is longer than `@maxSegmentDuration`.
    pub const MPD_MAX_SEGMENT_DURATION: &str = "MPD-MAX-SEGMENT-DURATION";
    /// `@codecs` differs from the codec string derived from the init segment.
    pub const MPD_CODECS: &str = "MPD-CODECS";
    /// `@codecs` differs from the derived string, but players treat the two as the same
    /// configuration (`avc1`/`avc3`, `hvc1`/`hev1`, `mp4a.40.2`/`.5`/`.29` where the
    /// AudioSpecificConfig allows it; docs/codec-strings.md#comparison-policy). A warning.
    pub const MPD_CODECS_EQUIVALENT: &str = "MPD-CODECS-EQUIVALENT";
    /// `@width`/`@height` differ from the init segment's.
    pub const MPD_DIMENSIONS: &str = "MPD-DIMENSIONS";
    /// `@audioSamplingRate` differs from the init segment's sample entry.
    pub const MPD_SAMPLING_RATE: &str = "MPD-SAMPLING-RATE";
    /// `@frameRate` disagrees with the sample durations.
    pub const MPD_FRAME_RATE: &str = "MPD-FRAME-RATE";
    /// The MPD timescale of a `$Time$` timeline differs from the track's mdhd timescale.
    pub const MPD_TIMESCALE: &str = "MPD-TIMESCALE";
    /// `@bandwidth` is below (error) or far above (info) what the DASH buffer model needs.
    pub const MPD_BANDWIDTH: &str = "MPD-BANDWIDTH";
    /// `segmentAlignment="true"` while Representations' segment starts differ.
    pub const MPD_SEGMENT_ALIGNMENT: &str = "MPD-SEGMENT-ALIGNMENT";
    /// The init segment is missing.
    pub const INIT_MISSING: &str = "INIT-MISSING";
    /// The init segment does not parse or has no usable track.
    pub const INIT_PARSE: &str = "INIT-PARSE";
    /// A media segment the MPD addresses is missing.
    pub const SEG_MISSING: &str = "SEG-MISSING";
    /// A media segment does not parse, or lacks the init's track.
    pub const SEG_PARSE: &str = "SEG-PARSE";
    /// A segment's earliest presentation time differs from its MPD-addressed start.
    pub const SEG_TFDT: &str = "SEG-TFDT";
    /// The media of consecutive segments leaves a gap.
    pub const SEG_GAP: &str = "SEG-GAP";
    /// The media of consecutive segments overlaps.
    pub const SEG_OVERLAP: &str = "SEG-OVERLAP";
    /// The last segment's media duration differs from its MPD duration.
    pub const SEG_DURATION: &str = "SEG-DURATION";
    /// A segment (or fragment) does not start with a sync sample where one is required.
    pub const SEG_SAP: &str = "SEG-SAP";
    /// mfhd sequence numbers do not increase.
    pub const SEG_SEQUENCE: &str = "SEG-SEQUENCE";
    /// A trun's sample data lies outside every mdat.
    pub const SEG_DATA_OFFSET: &str = "SEG-DATA-OFFSET";
    /// A sidx reference does not match the moof+mdat it covers (size or duration).
    pub const SIDX_MISMATCH: &str = "SIDX-MISMATCH";
    /// Audio and video drift apart over the presentation.
    pub const AV_DRIFT: &str = "AV-DRIFT";
    /// `MPD@profiles` claims isoff-live but a Representation is not addressed by
    /// SegmentTemplate (ISO/IEC 23009-1 §8.4.2).
    pub const MPD_PROFILE_LIVE: &str = "MPD-PROFILE-LIVE";
    /// `MPD@profiles` claims isoff-on-demand but a Representation is not one Segment with
    /// SegmentBase@indexRange, or the MPD is dynamic (ISO/IEC 23009-1 §8.3.2).
    pub const MPD_PROFILE_ON_DEMAND: &str = "MPD-PROFILE-ON-DEMAND";
    /// `MPD@profiles` claims DASH-IF low-latency live but the MPD is not dynamic, or lacks
    /// UTCTiming, a ServiceDescription target latency or ProducerReferenceTime.
    pub const MPD_PROFILE_LOW_LATENCY: &str = "MPD-PROFILE-LOW-LATENCY";
    /// `MPD@profiles` claims CMAF but an init segment's ftyp lacks `cmfc`/`cmf2`, or a
    /// segment's styp names no CMAF brand (ISO/IEC 23000-19 §7).
    pub const MPD_PROFILE_CMAF: &str = "MPD-PROFILE-CMAF";
    /// An HLS `EXTINF` differs from its segment's media duration (sum of the sample
    /// durations) by more than [`super::DURATION_TOLERANCE_NS`].
    pub const HLS_EXTINF: &str = "HLS-EXTINF";
    /// An `EXTINF` rounded to the nearest integer exceeds `EXT-X-TARGETDURATION`
    /// (RFC 8216 §4.3.3.1).
    pub const HLS_TARGETDURATION: &str = "HLS-TARGETDURATION";
    /// A media segment has no `EXT-X-MAP` before it (fMP4 needs its init segment).
    pub const HLS_MAP: &str = "HLS-MAP";
    /// Segments with the same Media Sequence Number in the media playlists of one
    /// multivariant playlist start at different media times (not aligned).
    pub const HLS_MEDIA_SEQUENCE: &str = "HLS-MEDIA-SEQUENCE";
    /// A variant's `CODECS` lacks a codec its init segments (or its groups') carry, or is
    /// absent (warning).
    pub const HLS_CODECS: &str = "HLS-CODECS";
    /// Partial segments: `EXT-X-PART-INF` missing, a part longer than `PART-TARGET`, the
    /// parts of a segment not adding up to its `EXTINF`, or a byte-range part not starting
    /// where the part before it (same URI) ended.
    pub const HLS_PART: &str = "HLS-PART";
    /// A media playlist a multivariant playlist names is missing or does not parse.
    pub const HLS_PLAYLIST: &str = "HLS-PLAYLIST";
    /// A remote Period (`xlink:href`, ISO/IEC 23009-1 §5.5): a warning when it could not be
    /// resolved through the [`Source`](crate::source::Source) (its content is not checked), info when it was.
    pub const MPD_XLINK: &str = "MPD-XLINK";
    /// A Representation's media is not ISO-BMFF by its `@mimeType` (WebM DASH): the MPD
    /// checks ran, the segment checks do not apply. Info.
    pub const SEG_NOT_APPLICABLE: &str = "SEG-NOT-APPLICABLE";
    /// A dynamic MPD without `UTCTiming`: clients cannot align their clock with the
    /// packager's (DASH-IF IOP §4.7.2). Warning.
    pub const MPD_UTC_TIMING: &str = "MPD-UTC-TIMING";
    /// A dynamic MPD's `@publishTime` is missing, or later than the instant validated.
    pub const MPD_PUBLISH_TIME: &str = "MPD-PUBLISH-TIME";
    /// `@minimumUpdatePeriod` of a dynamic MPD is longer than `@timeShiftBufferDepth`: a
    /// client reloading that rarely sees segments leave the window unannounced. Warning.
    pub const MPD_UPDATE_PERIOD: &str = "MPD-UPDATE-PERIOD";
    /// What a dynamic MPD promises at the instant validated: how many segments were
    /// available and checked (info), or none at all (availabilityStartTime in the future).
    pub const MPD_LIVE_WINDOW: &str = "MPD-LIVE-WINDOW";
    /// What a single input file is (an init segment alone, a media segment alone, a
    /// progressive MP4) and which checks were and were not run on it. Info.
    pub const FILE_KIND: &str = "FILE-KIND";
    /// The input is not ISO-BMFF: it is named (WebM, MPEG-TS, ADTS, ...) and no MP4 check
    /// applies.
    pub const NOT_ISOBMFF: &str = "NOT-ISOBMFF";
}

/// Ticks as milliseconds text (display only).
fn ms(ticks: i128, timescale: u32) -> String {
    if timescale == 0 {
        return "?".to_owned();
    }
    // Display only: the value is rounded to 0.01 ms.
    let hundredths = ticks.saturating_mul(100_000) / i128::from(timescale);
    let sign = if hundredths < 0 { "-" } else { "" };
    let a = hundredths.unsigned_abs();
    format!("{sign}{}.{:02} ms", a / 100, a % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms_formats_signed_hundredths() {
        assert_eq!(ms(274, 12800), "21.40 ms");
        assert_eq!(ms(-608, 48000), "-12.66 ms");
        assert_eq!(ms(1, 0), "?");
    }

    #[test]
    fn severity_orders_and_report_worst() {
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
        let f = |s| Finding {
            code: codes::SEG_GAP,
            severity: s,
            location: String::new(),
            expected: None,
            found: None,
            message: String::new(),
            representation: None,
        };
        let r = Report {
            findings: vec![f(Severity::Info), f(Severity::Warning)],
        };
        assert_eq!(r.worst(), Some(Severity::Warning));
        assert_eq!(r.at_least(Severity::Warning).count(), 1);
        assert!(r.has("SEG-GAP") && !r.has("SEG-SAP"));
    }
}
