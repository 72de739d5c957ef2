//! The playlist model: RFC 8216 (HTTP Live Streaming) and the low-latency tags of its
//! successor draft (draft-pantos-hls-rfc8216bis: `EXT-X-PART`, `EXT-X-PART-INF`,
//! `EXT-X-SERVER-CONTROL`, `EXT-X-PRELOAD-HINT`, `EXT-X-RENDITION-REPORT`, `EXT-X-SKIP`).
//!
//! Durations are [`Decimal`]s: exact rationals built from integer ticks. Tags the model does
//! not know are kept as their raw lines ([`MediaPlaylist::unknown_tags`],
//! [`MediaSegment::unknown_tags`], ...) and written back in the same place; attributes of
//! known tags the model does not know are kept as raw `NAME=VALUE` pairs
//! ([`Variant::other`]).

use super::Decimal;
use crate::mpd::XsDateTime;

/// A parsed playlist: the multivariant (master) playlist or a media playlist.
#[derive(Debug, Clone, PartialEq, Eq)]
// One value per parse: boxing the larger variant would only add an indirection.
#[allow(clippy::large_enum_variant)]
pub enum Playlist {
    /// A multivariant playlist (RFC 8216 §4.3.4): variants and renditions.
    Multivariant(MultivariantPlaylist),
    /// A media playlist (RFC 8216 §4.3.3): segments.
    Media(MediaPlaylist),
}

/// A multivariant playlist (RFC 8216 §4.3.4; "master playlist" in RFC 8216).
///
/// ```
/// use dashkit::hls::{write_multivariant, MultivariantPlaylist, Variant};
/// let mut p = MultivariantPlaylist::default();
/// p.independent_segments = true;
/// p.variants.push(Variant { uri: "v.m3u8".into(), bandwidth: 150_000, ..Variant::default() });
/// assert_eq!(write_multivariant(&p),
///     "#EXTM3U\n#EXT-X-INDEPENDENT-SEGMENTS\n#EXT-X-STREAM-INF:BANDWIDTH=150000\nv.m3u8\n");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MultivariantPlaylist {
    /// `EXT-X-VERSION` (§4.3.1.2).
    pub version: Option<u32>,
    /// `EXT-X-INDEPENDENT-SEGMENTS` (§4.3.5.1).
    pub independent_segments: bool,
    /// `EXT-X-MEDIA` renditions (§4.3.4.1), in order.
    pub renditions: Vec<Rendition>,
    /// `EXT-X-STREAM-INF` variants (§4.3.4.2), in order.
    pub variants: Vec<Variant>,
    /// Tags the model does not know, as raw lines (`#EXT-X-SESSION-DATA:...`), in order;
    /// written after the known tags, before the renditions.
    pub unknown_tags: Vec<String>,
}

/// `EXT-X-MEDIA@TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MediaType {
    /// `AUDIO`.
    Audio,
    /// `VIDEO`.
    Video,
    /// `SUBTITLES` (WebVTT or IMSC, in fMP4 or not).
    Subtitles,
    /// `CLOSED-CAPTIONS`.
    ClosedCaptions,
}

impl MediaType {
    /// The attribute value (`AUDIO`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            MediaType::Audio => "AUDIO",
            MediaType::Video => "VIDEO",
            MediaType::Subtitles => "SUBTITLES",
            MediaType::ClosedCaptions => "CLOSED-CAPTIONS",
        }
    }

    /// The type for an attribute value.
    pub fn from_attr(s: &str) -> Option<MediaType> {
        Some(match s {
            "AUDIO" => MediaType::Audio,
            "VIDEO" => MediaType::Video,
            "SUBTITLES" => MediaType::Subtitles,
            "CLOSED-CAPTIONS" => MediaType::ClosedCaptions,
            _ => return None,
        })
    }
}

/// One `EXT-X-MEDIA` rendition (RFC 8216 §4.3.4.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendition {
    /// `TYPE`.
    pub media_type: MediaType,
    /// `URI` of its media playlist (absent for closed captions, or for a rendition carried
    /// in the variant itself).
    pub uri: Option<String>,
    /// `GROUP-ID`.
    pub group_id: String,
    /// `LANGUAGE` (RFC 5646).
    pub language: Option<String>,
    /// `NAME`.
    pub name: String,
    /// `DEFAULT=YES`.
    pub default: bool,
    /// `AUTOSELECT=YES`.
    pub autoselect: bool,
    /// `FORCED=YES` (subtitles).
    pub forced: bool,
    /// `CHANNELS` (audio): count of audio channels first, e.g. `"2"` or `"16/JOC"`.
    pub channels: Option<String>,
    /// Other attributes, raw (`NAME`, `VALUE` as written, quotes included), in order.
    pub other: Vec<(String, String)>,
}

/// One `EXT-X-STREAM-INF` variant and its URI line (RFC 8216 §4.3.4.2).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Variant {
    /// The URI line of its media playlist.
    pub uri: String,
    /// `BANDWIDTH`: peak segment bit rate, bits per second (with its renditions).
    pub bandwidth: u64,
    /// `AVERAGE-BANDWIDTH`, bits per second.
    pub average_bandwidth: Option<u64>,
    /// `CODECS`: RFC 6381 codec strings, comma-separated.
    pub codecs: Option<String>,
    /// `RESOLUTION`: width and height in pixels.
    pub resolution: Option<(u32, u32)>,
    /// `FRAME-RATE`; RFC 8216 asks for 3 fractional digits, which
    /// [`Decimal::round_to_digits`] gives (the builder rounds, the writer writes the value).
    pub frame_rate: Option<Decimal>,
    /// `AUDIO` group id.
    pub audio: Option<String>,
    /// `SUBTITLES` group id.
    pub subtitles: Option<String>,
    /// Other attributes, raw (`NAME`, `VALUE` as written), in order (`CLOSED-CAPTIONS`,
    /// `VIDEO-RANGE`, `HDCP-LEVEL`, ...).
    pub other: Vec<(String, String)>,
}

/// `EXT-X-PLAYLIST-TYPE` (RFC 8216 §4.3.3.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlaylistType {
    /// `VOD`: the playlist cannot change.
    Vod,
    /// `EVENT`: segments are only appended.
    Event,
}

/// A byte range: `n[@o]` of `EXT-X-BYTERANGE` and `BYTERANGE` (RFC 8216 §4.3.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ByteSpan {
    /// Length in bytes.
    pub length: u64,
    /// Offset of the first byte; absent means "right after the previous segment's range"
    /// (same URI).
    pub offset: Option<u64>,
}

/// `EXT-X-MAP` (RFC 8216 §4.3.2.5): the initialization section (fMP4 init segment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Map {
    /// `URI`.
    pub uri: String,
    /// `BYTERANGE` (the offset is required inside `EXT-X-MAP`).
    pub byte_range: Option<ByteSpan>,
}

/// `EXT-X-PART` (rfc8216bis §4.4.4.9): a partial segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartialSegment {
    /// `URI`.
    pub uri: String,
    /// `DURATION`.
    pub duration: Decimal,
    /// `INDEPENDENT=YES`: starts with an independent frame.
    pub independent: bool,
    /// `BYTERANGE`.
    pub byte_range: Option<ByteSpan>,
    /// `GAP=YES`.
    pub gap: bool,
}

/// One media segment and the tags that apply to it (RFC 8216 §4.3.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaSegment {
    /// The URI line.
    pub uri: String,
    /// `EXTINF` duration, exact.
    pub duration: Decimal,
    /// `EXTINF` title (after the comma), usually empty.
    pub title: String,
    /// `EXT-X-BYTERANGE`.
    pub byte_range: Option<ByteSpan>,
    /// `EXT-X-DISCONTINUITY` before this segment.
    pub discontinuity: bool,
    /// `EXT-X-PROGRAM-DATE-TIME` of its first sample.
    pub program_date_time: Option<XsDateTime>,
    /// `EXT-X-MAP` written before this segment: it applies to this and later segments until
    /// the next one.
    pub map: Option<Map>,
    /// `EXT-X-PART`s of this segment (low-latency), in order.
    pub parts: Vec<PartialSegment>,
    /// Tags the model does not know, raw, written after `EXTINF` (before the URI).
    pub unknown_tags: Vec<String>,
}

impl MediaSegment {
    /// A segment with a URI and a duration and nothing else.
    ///
    /// ```
    /// use dashkit::hls::{Decimal, MediaSegment};
    /// let s = MediaSegment::new("1.m4s", Decimal::from_int(2));
    /// assert!(s.map.is_none() && s.parts.is_empty());
    /// ```
    pub fn new(uri: impl Into<String>, duration: Decimal) -> MediaSegment {
        MediaSegment {
            uri: uri.into(),
            duration,
            title: String::new(),
            byte_range: None,
            discontinuity: false,
            program_date_time: None,
            map: None,
            parts: Vec::new(),
            unknown_tags: Vec::new(),
        }
    }
}

/// `EXT-X-SERVER-CONTROL` (rfc8216bis §4.4.3.8).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ServerControl {
    /// `CAN-SKIP-UNTIL`, seconds.
    pub can_skip_until: Option<Decimal>,
    /// `CAN-SKIP-DATERANGES=YES`.
    pub can_skip_dateranges: bool,
    /// `HOLD-BACK`, seconds.
    pub hold_back: Option<Decimal>,
    /// `PART-HOLD-BACK`, seconds (at least 3 part target durations, draft §4.4.3.8).
    pub part_hold_back: Option<Decimal>,
    /// `CAN-BLOCK-RELOAD=YES`.
    pub can_block_reload: bool,
}

/// `EXT-X-SKIP` (rfc8216bis §4.4.5.2): segments left out of a delta update.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// `SKIPPED-SEGMENTS`.
    pub skipped_segments: u64,
    /// `RECENTLY-REMOVED-DATERANGES`, raw (tab-separated ids).
    pub recently_removed_dateranges: Option<String>,
}

/// `EXT-X-PRELOAD-HINT@TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PreloadHintType {
    /// `PART`.
    Part,
    /// `MAP`.
    Map,
}

/// `EXT-X-PRELOAD-HINT` (rfc8216bis §4.4.5.3): a resource the server will produce next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreloadHint {
    /// `TYPE`.
    pub hint_type: PreloadHintType,
    /// `URI`.
    pub uri: String,
    /// `BYTERANGE-START`.
    pub byte_range_start: Option<u64>,
    /// `BYTERANGE-LENGTH`.
    pub byte_range_length: Option<u64>,
}

/// `EXT-X-RENDITION-REPORT` (rfc8216bis §4.4.5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenditionReport {
    /// `URI` of the other rendition's media playlist.
    pub uri: String,
    /// `LAST-MSN`.
    pub last_msn: Option<u64>,
    /// `LAST-PART`.
    pub last_part: Option<u64>,
}

/// A media playlist (RFC 8216 §4.3.3).
///
/// ```
/// use dashkit::hls::{write_media, Decimal, MediaPlaylist, MediaSegment};
/// let mut p = MediaPlaylist::default();
/// p.segments.push(MediaSegment::new("1.m4s", Decimal::from_ticks(96_256, 48_000).unwrap()));
/// p.target_duration = p.required_target_duration();
/// p.end_list = true;
/// let text = write_media(&p);
/// assert!(text.contains("#EXT-X-TARGETDURATION:2\n"));
/// assert!(text.contains("#EXTINF:2.005333333,\n1.m4s\n#EXT-X-ENDLIST\n"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MediaPlaylist {
    /// `EXT-X-VERSION` (§4.3.1.2).
    pub version: Option<u32>,
    /// `EXT-X-TARGETDURATION`, whole seconds (§4.3.3.1).
    pub target_duration: u64,
    /// `EXT-X-MEDIA-SEQUENCE`: the number of the first segment (§4.3.3.2).
    pub media_sequence: u64,
    /// `EXT-X-DISCONTINUITY-SEQUENCE` (§4.3.3.3).
    pub discontinuity_sequence: u64,
    /// `EXT-X-PLAYLIST-TYPE` (§4.3.3.5).
    pub playlist_type: Option<PlaylistType>,
    /// `EXT-X-INDEPENDENT-SEGMENTS` (§4.3.5.1).
    pub independent_segments: bool,
    /// `EXT-X-PART-INF:PART-TARGET` (draft §4.4.3.7), seconds.
    pub part_target: Option<Decimal>,
    /// `EXT-X-SERVER-CONTROL`.
    pub server_control: Option<ServerControl>,
    /// `EXT-X-SKIP` (delta updates).
    pub skip: Option<Skip>,
    /// The segments, first to last.
    pub segments: Vec<MediaSegment>,
    /// `EXT-X-PART`s of the segment being built, after the last complete segment.
    pub trailing_parts: Vec<PartialSegment>,
    /// `EXT-X-PRELOAD-HINT`s.
    pub preload_hints: Vec<PreloadHint>,
    /// `EXT-X-RENDITION-REPORT`s.
    pub rendition_reports: Vec<RenditionReport>,
    /// `EXT-X-ENDLIST` (§4.3.3.4).
    pub end_list: bool,
    /// Header tags the model does not know, raw; written after the known header tags.
    pub unknown_tags: Vec<String>,
    /// Tags the model does not know after the last segment, raw.
    pub trailing_tags: Vec<String>,
}

impl MediaPlaylist {
    /// The smallest `EXT-X-TARGETDURATION` RFC 8216 §4.3.3.1 allows: the largest `EXTINF`
    /// (as written) rounded to the nearest integer. 0 without segments.
    ///
    /// ```
    /// use dashkit::hls::{Decimal, MediaPlaylist, MediaSegment};
    /// let mut p = MediaPlaylist::default();
    /// for (t, ts) in [(25_874, 12_800), (32_000, 12_800)] {
    ///     p.segments.push(MediaSegment::new("s.m4s", Decimal::from_ticks(t, ts).unwrap()));
    /// }
    /// assert_eq!(p.required_target_duration(), 3); // 2.5 rounds up
    /// ```
    pub fn required_target_duration(&self) -> u64 {
        self.segments
            .iter()
            .map(|s| s.duration.round_to_integer())
            .max()
            .unwrap_or(0)
    }

    /// The lowest `EXT-X-VERSION` the tags in use need (RFC 8216 §7; rfc8216bis §8):
    /// 3 for decimal `EXTINF`, 4 for `EXT-X-BYTERANGE`, 6 for `EXT-X-MAP`, 9 for `EXT-X-SKIP`.
    pub fn required_version(&self) -> u32 {
        let mut v = 1;
        if !self.segments.is_empty() {
            v = 3;
        }
        if self.segments.iter().any(|s| s.byte_range.is_some()) {
            v = v.max(4);
        }
        if self.segments.iter().any(|s| s.map.is_some()) {
            v = v.max(6);
        }
        if self.skip.is_some() {
            v = v.max(9);
        }
        v
    }
}
